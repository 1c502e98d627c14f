//! Compatibility: the operator's thresholds, stored reports, drift alerts, the partner
//! lifecycle's audit trail, and the category rules of contracts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{
    compatibility_alerts, compatibility_reports, compatibility_settings, contract_category_rules,
    partner_events,
};
use crate::db::DbConn;
use crate::domain::ids::{CategoryId, PartnerId};

/// The thresholds, ppm.
#[derive(Debug, Clone, Copy, Queryable, Selectable, AsChangeset)]
#[diesel(table_name = compatibility_settings)]
pub struct ThresholdsRow {
    pub conflict_overlap_ppm: i64,
    pub complementary_min_ppm: i64,
    pub exclusivity_breach_ppm: i64,
    pub restricted_max_ppm: i64,
    pub unmapped_warning_ppm: i64,
    pub updated_at: NaiveDateTime,
}

/// A stored report.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = compatibility_reports)]
pub struct ReportRow {
    pub id: i64,
    pub partner_id: PartnerId,
    pub catalog_version_id: i64,
    pub verdict: String,
    pub body: String,
    pub computed_at: NaiveDateTime,
}

/// A drift alert.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = compatibility_alerts)]
pub struct AlertRow {
    pub id: i64,
    pub partner_id: PartnerId,
    pub report_id: i64,
    pub previous_verdict: Option<String>,
    pub verdict: String,
    pub created_at: NaiveDateTime,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub acknowledged_by: Option<String>,
}

/// A lifecycle transition.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = partner_events)]
pub struct EventRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub partner_id: PartnerId,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor: String,
    pub reason: String,
    pub override_conflict: bool,
    pub report_id: Option<i64>,
    pub occurred_at: NaiveDateTime,
}

/// A category rule of a contract.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = contract_category_rules)]
pub struct CategoryRuleRow {
    pub contract_id: i64,
    pub category_id: CategoryId,
    pub multiplier_bp: Option<i64>,
    pub exclusive: bool,
}

/// The thresholds.
pub fn thresholds(conn: &mut DbConn) -> QueryResult<ThresholdsRow> {
    compatibility_settings::table
        .find(1_i64)
        .select(ThresholdsRow::as_select())
        .first(conn)
}

/// Replaces the thresholds.
pub fn set_thresholds(conn: &mut DbConn, row: &ThresholdsRow) -> QueryResult<usize> {
    diesel::update(compatibility_settings::table.find(1_i64))
        .set(row)
        .execute(conn)
}

/// Stores a report; returns its id.
pub fn insert_report(
    conn: &mut DbConn,
    partner_id: PartnerId,
    version_id: i64,
    verdict: &str,
    body: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(compatibility_reports::table)
        .values((
            compatibility_reports::partner_id.eq(partner_id),
            compatibility_reports::catalog_version_id.eq(version_id),
            compatibility_reports::verdict.eq(verdict),
            compatibility_reports::body.eq(body),
            compatibility_reports::computed_at.eq(now),
        ))
        .returning(compatibility_reports::id)
        .get_result(conn)
}

/// A report by id.
pub fn report(conn: &mut DbConn, id: i64) -> QueryResult<Option<ReportRow>> {
    compatibility_reports::table
        .find(id)
        .select(ReportRow::as_select())
        .first(conn)
        .optional()
}

/// A partner's reports, newest first, before `before_id`.
pub fn reports_of(
    conn: &mut DbConn,
    partner_id: PartnerId,
    before_id: i64,
    limit: i64,
) -> QueryResult<Vec<ReportRow>> {
    compatibility_reports::table
        .filter(compatibility_reports::partner_id.eq(partner_id))
        .filter(compatibility_reports::id.lt(before_id))
        .order(compatibility_reports::id.desc())
        .limit(limit)
        .select(ReportRow::as_select())
        .load(conn)
}

/// Raises a drift alert.
pub fn insert_alert(
    conn: &mut DbConn,
    partner_id: PartnerId,
    report_id: i64,
    previous: Option<&str>,
    verdict: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(compatibility_alerts::table)
        .values((
            compatibility_alerts::partner_id.eq(partner_id),
            compatibility_alerts::report_id.eq(report_id),
            compatibility_alerts::previous_verdict.eq(previous),
            compatibility_alerts::verdict.eq(verdict),
            compatibility_alerts::created_at.eq(now),
        ))
        .returning(compatibility_alerts::id)
        .get_result(conn)
}

/// Alerts after `after_id`, the open ones only unless `all`.
pub fn alerts(
    conn: &mut DbConn,
    after_id: i64,
    all: bool,
    limit: i64,
) -> QueryResult<Vec<AlertRow>> {
    let mut query = compatibility_alerts::table
        .filter(compatibility_alerts::id.gt(after_id))
        .order(compatibility_alerts::id.asc())
        .limit(limit)
        .select(AlertRow::as_select())
        .into_boxed();
    if !all {
        query = query.filter(compatibility_alerts::acknowledged_at.is_null());
    }
    query.load(conn)
}

/// Acknowledges an open alert; 0 when there is no such open alert.
pub fn acknowledge_alert(
    conn: &mut DbConn,
    id: i64,
    by: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        compatibility_alerts::table
            .find(id)
            .filter(compatibility_alerts::acknowledged_at.is_null()),
    )
    .set((
        compatibility_alerts::acknowledged_at.eq(now),
        compatibility_alerts::acknowledged_by.eq(by),
    ))
    .execute(conn)
}

/// Records a lifecycle transition.
pub fn insert_event(conn: &mut DbConn, event: &EventRow) -> QueryResult<usize> {
    diesel::insert_into(partner_events::table)
        .values(event)
        .execute(conn)
}

/// A partner's lifecycle, oldest first.
pub fn events_of(conn: &mut DbConn, partner_id: PartnerId) -> QueryResult<Vec<EventRow>> {
    partner_events::table
        .filter(partner_events::partner_id.eq(partner_id))
        .order(partner_events::id.asc())
        .select(EventRow::as_select())
        .load(conn)
}

/// Adds a contract's category rules.
pub fn insert_category_rules(conn: &mut DbConn, rules: &[CategoryRuleRow]) -> QueryResult<()> {
    for rule in rules {
        diesel::insert_into(contract_category_rules::table)
            .values(rule)
            .execute(conn)?;
    }
    Ok(())
}

/// A contract's category rules.
pub fn category_rules(conn: &mut DbConn, contract_id: i64) -> QueryResult<Vec<CategoryRuleRow>> {
    contract_category_rules::table
        .filter(contract_category_rules::contract_id.eq(contract_id))
        .order(contract_category_rules::category_id.asc())
        .select(CategoryRuleRow::as_select())
        .load(conn)
}
