//! The partner lifecycle: applied -> active | rejected; active -> suspended -> active |
//! terminated. Every transition is recorded with who and why. Admitting a candidate (or
//! reinstating a suspended partner) computes its compatibility report first; over a conflicting
//! or restricted report, or without a catalog to check, it needs an explicit override, kept in
//! the audit trail.

use chrono::NaiveDateTime;

use crate::db::queries::catalog::catalogs as catalog_rows;
use crate::db::queries::catalog::reports::{self as rows, EventRow};
use crate::db::queries::partners::{self as partner_rows, PartnerRow};
use crate::db::{write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::ids::PartnerId;
use crate::domain::input::{check_text, TextKind};
use crate::error::{fail, ApiResult, Code};
use crate::http::partners::json::{Partner, PartnerEvent, PartnerEventList, StatusChangeRequest};
use crate::service::catalog::compatibility;
use crate::service::catalog::tree::{Tree, TreeCache};

/// The statuses a partner can have.
pub const STATUSES: [&str; 5] = ["applied", "active", "rejected", "suspended", "terminated"];

/// Whether a partner may move from `from` to `to`.
pub fn allowed(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("applied", "active" | "rejected")
            | ("active", "suspended")
            | ("suspended", "active" | "terminated")
    )
}

/// A transition to record.
#[derive(Debug, Clone, Copy)]
pub struct Transition<'a> {
    /// The status before (None at creation).
    pub from: Option<&'a str>,
    /// The status after.
    pub to: &'a str,
    /// Who.
    pub actor: &'a str,
    /// Why.
    pub reason: &'a str,
    /// The report the decision was taken on.
    pub report_id: Option<i64>,
    /// Admitted over a conflicting or restricted report.
    pub override_conflict: bool,
}

/// Records a transition in the audit trail.
pub fn record(
    conn: &mut DbConn,
    partner_id: PartnerId,
    t: Transition<'_>,
    now: NaiveDateTime,
) -> ApiResult<()> {
    rows::insert_event(
        conn,
        &EventRow {
            id: 0,
            partner_id,
            from_status: t.from.map(str::to_owned),
            to_status: t.to.into(),
            actor: t.actor.into(),
            reason: t.reason.into(),
            override_conflict: t.override_conflict,
            report_id: t.report_id,
            occurred_at: now,
        },
    )?;
    Ok(())
}

/// Moves a partner to another status.
pub fn change_status(
    conn: &mut DbConn,
    cache: &TreeCache,
    now: NaiveDateTime,
    actor: &str,
    partner_id: PartnerId,
    req: &StatusChangeRequest,
) -> ApiResult<Partner> {
    let reason = check_text("reason", &req.reason, TextKind::FreeText)?;
    if !STATUSES.contains(&req.status.as_str()) {
        return fail(
            Code::InvalidRequest,
            format!("status must be one of {}", STATUSES.join(", ")),
        );
    }
    let tree = cache.current(conn)?;
    write_tx(conn, |conn| {
        partner_rows::lock_partner(conn, partner_id)?;
        let partner = super::find(conn, partner_id)?;
        if !allowed(&partner.status, &req.status) {
            return fail(
                Code::TransitionRefused,
                format!(
                    "a partner cannot go from {} to {}",
                    partner.status, req.status
                ),
            );
        }
        let (report_id, overridden) = if req.status == "active" {
            admission_check(conn, &tree, &partner, req.override_conflict, now)?
        } else {
            (None, false)
        };
        partner_rows::set_partner_status(conn, partner_id, &req.status)?;
        let transition = Transition {
            from: Some(&partner.status),
            to: &req.status,
            actor,
            reason,
            report_id,
            override_conflict: overridden,
        };
        record(conn, partner_id, transition, now)?;
        tracing::info!(
            partner.id = %partner_id,
            from = %partner.status,
            to = %req.status,
            override_conflict = overridden,
            "partner status changed"
        );
        let row = super::find(conn, partner_id)?;
        super::load_view(conn, row, now)
    })
}

/// Admitting (or reinstating) a partner computes its compatibility report; over a conflicting
/// or restricted verdict, or without a catalog to check, it needs the override. Returns the
/// report and whether the override was used.
fn admission_check(
    conn: &mut DbConn,
    tree: &Tree,
    partner: &PartnerRow,
    override_conflict: bool,
    now: NaiveDateTime,
) -> ApiResult<(Option<i64>, bool)> {
    let Some(version) = catalog_rows::current_version(conn, partner.id)? else {
        if !override_conflict {
            return fail(
                Code::OverrideRequired,
                "the partner has no catalog to check: upload one, or send override_conflict: true with the reason to admit it unchecked",
            );
        }
        return Ok((None, true));
    };
    let report = compatibility::compute_and_store(conn, tree, partner, &version, now)?;
    let bad = matches!(report.verdict.as_str(), "conflict" | "restricted");
    if bad && !override_conflict {
        // The report is rolled back with the refusal: its verdict and reason are in the detail.
        return fail(
            Code::OverrideRequired,
            format!(
                "the compatibility report says {}: {}; send override_conflict: true with the reason to admit anyway",
                report.verdict, report.summary
            ),
        );
    }
    Ok((Some(report.id), bad))
}

/// A partner's lifecycle.
pub fn events(conn: &mut DbConn, partner_id: PartnerId) -> ApiResult<PartnerEventList> {
    super::find(conn, partner_id)?;
    let items = rows::events_of(conn, partner_id)?
        .into_iter()
        .map(|e| PartnerEvent {
            from_status: e.from_status,
            to_status: e.to_status,
            actor: e.actor,
            reason: e.reason,
            override_conflict: e.override_conflict,
            report_id: e.report_id,
            occurred_at: utc(e.occurred_at),
        })
        .collect();
    Ok(PartnerEventList { items })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_lifecycles_arrows_are_allowed() {
        let ok: Vec<(&str, &str)> = STATUSES
            .iter()
            .flat_map(|a| STATUSES.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| allowed(a, b))
            .collect();
        assert_eq!(
            ok,
            [
                ("applied", "active"),
                ("applied", "rejected"),
                ("active", "suspended"),
                ("suspended", "active"),
                ("suspended", "terminated"),
            ]
        );
    }
}
