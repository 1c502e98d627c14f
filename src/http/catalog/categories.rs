//! The category tree: searched by anyone (it is Google's public taxonomy with the network's
//! additions), extended and restricted by the operator.

use super::json::{
    Category, CategoryDetail, CategoryList, NewCategoryRequest, Restriction, RestrictionList,
    RestrictionRequest,
};
use crate::domain::ids::CategoryId;
use crate::error::ApiResult;
use crate::http::auth::OperatorCaller;
use crate::http::extract::{json_response, Json};
use crate::service::catalog::taxonomy;
use crate::service::AppState;
use actix_web::http::StatusCode;
use actix_web::{delete, get, post, put, web, HttpResponse};
use partner_sdk::types::Problem;
use serde::Deserialize;
use utoipa::IntoParams;

/// What to look for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CategoryQuery {
    /// Text in the English or French path, or an id (at most 50 results).
    pub search: Option<String>,
    /// The children of this category (the top levels when neither is given).
    pub parent_id: Option<i64>,
}

/// Categories by text, or the children of one.
#[utoipa::path(tag = "catalog", operation_id = "list_categories", params(CategoryQuery),
    responses((status = 200, body = CategoryList), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[get("/categories")]
pub(crate) async fn list_categories(
    state: web::Data<AppState>,
    query: web::Query<CategoryQuery>,
) -> ApiResult<HttpResponse> {
    let CategoryQuery { search, parent_id } = query.into_inner();
    let out = state
        .run(move |conn, s| {
            taxonomy::search(
                conn,
                &s.categories,
                search.as_deref(),
                parent_id.map(CategoryId::from),
            )
        })
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// One category with its ancestors and children.
#[utoipa::path(tag = "catalog", operation_id = "get_category",
    params(("category_id" = i64, Path, description = "Category id")),
    responses((status = 200, body = CategoryDetail), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[get("/categories/{category_id}")]
pub(crate) async fn get_category(
    state: web::Data<AppState>,
    path: web::Path<CategoryId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let out = state
        .run(move |conn, s| taxonomy::detail(conn, &s.categories, id))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Adds a network category under an existing one (ids from 1,000,000,001).
#[utoipa::path(tag = "catalog", operation_id = "create_category", request_body = NewCategoryRequest,
    responses((status = 201, body = Category), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/categories")]
pub(crate) async fn create_category(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    body: Json<NewCategoryRequest>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let out = state
        .run(move |conn, s| taxonomy::add_network_category(conn, s.clock.now_naive(), &input))
        .await?;
    Ok(json_response(StatusCode::CREATED, &out))
}

/// Every restricted subtree.
#[utoipa::path(tag = "catalog", operation_id = "list_category_restrictions",
    responses((status = 200, body = RestrictionList), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/category-restrictions")]
pub(crate) async fn list_category_restrictions(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let out = state
        .run(move |conn, s| taxonomy::restrictions(conn, &s.categories))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Restricts a subtree: its products earn nothing.
#[utoipa::path(tag = "catalog", operation_id = "put_category_restriction", request_body = RestrictionRequest,
    params(("category_id" = i64, Path, description = "The subtree's root")),
    responses((status = 200, body = Restriction), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[put("/category-restrictions/{category_id}")]
pub(crate) async fn put_category_restriction(
    caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<CategoryId>,
    body: Json<RestrictionRequest>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let id = path.into_inner();
    let out = state
        .run(move |conn, s| {
            taxonomy::restrict(conn, s.clock.now_naive(), &caller.name, id, &input.reason)
        })
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Lifts a restriction.
#[utoipa::path(tag = "catalog", operation_id = "delete_category_restriction",
    params(("category_id" = i64, Path, description = "The subtree's root")),
    responses((status = 204), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[delete("/category-restrictions/{category_id}")]
pub(crate) async fn delete_category_restriction(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<CategoryId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    state
        .run(move |conn, s| taxonomy::unrestrict(conn, s.clock.now_naive(), id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
