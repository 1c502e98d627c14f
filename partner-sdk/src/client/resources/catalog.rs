//! The partner's catalog: uploading its feed, reading its products, checking its compatibility
//! with the network; and the network's category tree.

use reqwest::Method;

use crate::catalog::{
    CatalogUploaded, CatalogVersion, CategoryDetail, CategoryList, CompatibilityReport,
    InvalidCatalog, ProductPage, ReportPage,
};
use crate::client::pagination::page_path;
use crate::client::transport::{encode_component, OutBody, Progress};
use crate::client::{Client, Error, PREFIX};

/// What a catalog upload came to.
#[derive(Debug, Clone)]
pub enum CatalogUpload {
    /// Applied: the new version and the compatibility report on it.
    Applied(Box<CatalogUploaded>),
    /// Refused with every bad row; nothing changed.
    Refused(Box<InvalidCatalog>),
}

/// Which products to list.
#[derive(Debug, Clone, Default)]
pub struct ProductQuery {
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Items per page (1 to 200).
    pub limit: Option<u32>,
    /// The exact SKU or text in the title.
    pub search: Option<String>,
    /// Only products in this category's subtree.
    pub category_id: Option<i64>,
}

impl Client {
    /// Replaces the partner's catalog with a feed file (`PUT /v1/partner/catalog`): `format` is
    /// `tsv` or `xml` (Google Merchant Center feeds), `csv` or `json`. A file with bad rows is
    /// refused whole, with every bad row, and changes nothing.
    pub async fn upload_catalog(
        &self,
        format: &str,
        file: Vec<u8>,
    ) -> Result<CatalogUpload, Error> {
        self.upload_catalog_with_progress(format, file, None).await
    }

    /// [`Client::upload_catalog`], telling `progress` how many bytes were sent, of how many.
    pub async fn upload_catalog_with_progress(
        &self,
        format: &str,
        file: Vec<u8>,
        progress: Option<Progress>,
    ) -> Result<CatalogUpload, Error> {
        let content_type = match format {
            "tsv" => "text/tab-separated-values",
            "xml" => "application/xml",
            "csv" => "text/csv",
            "json" => "application/json",
            other => {
                return Err(Error::Config(format!(
                    "format {other:?}: use tsv, xml, csv or json"
                )))
            }
        };
        let path = format!("{PREFIX}/catalog?format={format}");
        let res = self
            .execute_typed(
                Method::PUT,
                &path,
                Some(OutBody {
                    bytes: file,
                    content_type,
                    progress: progress.as_ref(),
                }),
                None,
                None,
            )
            .await?;
        if res.status == 422 {
            if let Ok(refused) = res.json::<InvalidCatalog>() {
                return Ok(CatalogUpload::Refused(Box::new(refused)));
            }
        }
        Ok(CatalogUpload::Applied(Box::new(res.into_answer()?.value)))
    }

    /// The partner's current catalog version (`GET /v1/partner/catalog`).
    pub async fn catalog(&self) -> Result<CatalogVersion, Error> {
        self.get(&format!("{PREFIX}/catalog")).await
    }

    /// A page of the partner's products (`GET /v1/partner/catalog/products`).
    pub async fn products(&self, query: &ProductQuery) -> Result<ProductPage, Error> {
        let mut path = page_path(
            &format!("{PREFIX}/catalog/products"),
            query.cursor.as_deref(),
            query.limit,
        );
        let mut extra = Vec::new();
        if let Some(search) = &query.search {
            extra.push(format!("search={}", encode_component(search)));
        }
        if let Some(id) = query.category_id {
            extra.push(format!("category_id={id}"));
        }
        if !extra.is_empty() {
            path.push(if path.contains('?') { '&' } else { '?' });
            path.push_str(&extra.join("&"));
        }
        self.get(&path).await
    }

    /// Checks the current catalog against the network now (`POST
    /// /v1/partner/compatibility-reports`): scores and categories, no other partner named.
    pub async fn check_compatibility(&self) -> Result<CompatibilityReport, Error> {
        self.post(
            &format!("{PREFIX}/compatibility-reports"),
            &serde_json::json!({}),
        )
        .await
    }

    /// The partner's compatibility reports, newest first.
    pub async fn compatibility_reports(
        &self,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<ReportPage, Error> {
        self.get(&page_path(
            &format!("{PREFIX}/compatibility-reports"),
            cursor,
            limit,
        ))
        .await
    }

    /// Categories of the network's tree whose English or French path contains `search`
    /// (`GET /v1/network/categories`).
    pub async fn categories(&self, search: &str) -> Result<CategoryList, Error> {
        self.get(&format!(
            "/v1/network/categories?search={}",
            encode_component(search)
        ))
        .await
    }

    /// One category with its ancestors and children.
    pub async fn category(&self, id: i64) -> Result<CategoryDetail, Error> {
        self.get(&format!("/v1/network/categories/{id}")).await
    }
}
