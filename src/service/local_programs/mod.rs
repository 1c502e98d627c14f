//! A partner's own program on top of the shared points: its local currency, earned alongside
//! network points (`earning::earn` calls [`points_of_sale`]), spent only at that partner (the
//! two-phase redemption with `currency: local`), clawed back by refunds ([`claw_back`]),
//! expired to the partner (`ledger::local`), and converted into network points the partner
//! pays for ([`conversions`]).

pub mod conversions;
pub mod tiers;

use chrono::NaiveDateTime;
use partner_sdk::branding::PointsLabel;
use partner_sdk::local_program::{LocalBalance, LocalProgram, LocalProgramRequest};
use partner_sdk::types::EntryKind;

use crate::db::queries::earning::EarnRow;
use crate::db::queries::ledger::lots as lot_rows;
use crate::db::queries::local_programs::tiers::LocalTierRow;
use crate::db::queries::local_programs::{self as local_rows, ProgramRow};
use crate::db::queries::members::Member;
use crate::db::{is_unique_violation, write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::earning::rules::currency_exponent;
use crate::domain::earning::rules::{cumulative_clawback, cumulative_clawback_weighted};
use crate::domain::ids::{EarnId, EntryId, LotId, MemberId, PartnerId};
use crate::domain::input::check_range;
use crate::domain::local_programs::{
    self as rules, CONVERSION_RATE_MAX, EARN_RATE_MILLIPOINTS_MAX, EXPIRY_MONTHS_MAX,
};
use crate::domain::money::{MoneyMinor, Points};
use crate::error::{ApiError, ApiResult, Code};
use crate::service::branding::check_label;
use crate::service::ledger::{self, account, lots, minus, points_overflow, Asset, Draft, Posting};
use diesel::Connection;

fn view(row: ProgramRow) -> LocalProgram {
    LocalProgram {
        partner_id: row.partner_id.get(),
        currency_code: row.asset,
        label: PointsLabel {
            fr_fr: row.label_fr,
            en_gb: row.label_en,
        },
        earn_rate_millipoints: row.earn_rate_millipoints,
        expiry_months: row.expiry_months,
        conversion_local_per_point: row.conversion_local_per_point,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    }
}

/// The partner's program, or `local_program_not_found`.
pub fn program_of(conn: &mut DbConn, partner_id: PartnerId) -> ApiResult<ProgramRow> {
    local_rows::program(conn, partner_id)?.ok_or_else(|| {
        ApiError::new(
            Code::LocalProgramNotFound,
            "this partner runs no local program",
        )
    })
}

/// The partner's program as it sees it.
pub fn get(conn: &mut DbConn, partner_id: PartnerId) -> ApiResult<LocalProgram> {
    program_of(conn, partner_id).map(view)
}

/// Starts or changes the partner's program. Points already earned keep their expiry date;
/// the currency's code never changes.
pub fn set(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: PartnerId,
    req: &LocalProgramRequest,
) -> ApiResult<LocalProgram> {
    let label_fr = check_label("label.fr-FR", &req.label.fr_fr)?;
    let label_en = check_label("label.en-GB", &req.label.en_gb)?;
    check_range(
        "earn_rate_millipoints",
        req.earn_rate_millipoints,
        0,
        EARN_RATE_MILLIPOINTS_MAX,
    )?;
    check_range("expiry_months", req.expiry_months, 0, EXPIRY_MONTHS_MAX)?;
    if let Some(rate) = req.conversion_local_per_point {
        check_range("conversion_local_per_point", rate, 1, CONVERSION_RATE_MAX)?;
    }
    write_tx(conn, |conn| {
        let existing = local_rows::program(conn, partner_id)?;
        let row = ProgramRow {
            partner_id,
            asset: Asset::Local(partner_id).code(),
            label_fr: label_fr.clone(),
            label_en: label_en.clone(),
            earn_rate_millipoints: req.earn_rate_millipoints,
            expiry_months: req.expiry_months,
            conversion_local_per_point: req.conversion_local_per_point,
            created_at: existing.as_ref().map_or(now, |p| p.created_at),
            updated_at: now,
        };
        if existing.is_some() {
            local_rows::update_program(conn, &row)?;
        } else {
            // In a savepoint: two first requests at once both find no program; the second's
            // insert fails on the key (aborting the transaction on PostgreSQL otherwise) and
            // becomes an update.
            match conn.transaction(|conn| local_rows::insert_program(conn, &row)) {
                Ok(_) => {}
                Err(e) if is_unique_violation(&e) => {
                    local_rows::update_program(conn, &row)?;
                }
                Err(e) => return Err(e.into()),
            }
        }
        tracing::info!(partner.id = %partner_id, "local program set");
        Ok(view(row))
    })
}

/// The member's (available, held) local points at a partner.
pub fn balance(
    conn: &mut DbConn,
    member_id: MemberId,
    partner_id: PartnerId,
) -> ApiResult<(Points, Points)> {
    Ok(local_rows::wallet(conn, member_id, partner_id)?
        .map_or((Points::ZERO, Points::ZERO), |w| (w.available, w.held)))
}

/// The member's local balances: at one partner (a partner's view: never another's), or at
/// every partner whose currency the member ever held. Expiring: within `horizon`.
pub fn balances(
    conn: &mut DbConn,
    member_id: MemberId,
    only: Option<PartnerId>,
    horizon: NaiveDateTime,
) -> ApiResult<Vec<LocalBalance>> {
    let mut out = Vec::new();
    for wallet in local_rows::wallets_of(conn, member_id)? {
        if only.is_some_and(|p| p != wallet.partner_id) {
            continue;
        }
        let Some(program) = local_rows::program(conn, wallet.partner_id)? else {
            continue;
        };
        let expiring = lot_rows::member_lots_in_spending_order(conn, member_id, &wallet.asset)?
            .iter()
            .filter(|l| l.expires_at.is_some_and(|at| at <= horizon))
            .map(|l| l.remaining.get())
            .fold(0_i64, i64::saturating_add);
        out.push(LocalBalance {
            partner_id: wallet.partner_id.get(),
            currency_code: wallet.asset,
            label: PointsLabel {
                fr_fr: program.label_fr,
                en_gb: program.label_en,
            },
            available_points: wallet.available.get(),
            held_points: wallet.held.get(),
            expiring_30d_points: expiring,
        });
    }
    Ok(out)
}

/// The local points a sale earns at the partner's program, if it runs one: (program, points,
/// the member's tier in it), multiplied by the member's local tier at the partner (from their
/// activity before the sale) when it has tiers.
pub fn points_of_sale(
    conn: &mut DbConn,
    (partner_id, member_id, now): (PartnerId, MemberId, NaiveDateTime),
    currency: &str,
    weighted_bp: i64,
) -> ApiResult<Option<(ProgramRow, Points, Option<LocalTierRow>)>> {
    let Some(program) = local_rows::program(conn, partner_id)? else {
        return Ok(None);
    };
    let tier = tiers::of_member(conn, partner_id, member_id, now)?;
    let tier_bp = tier.as_ref().map_or(10_000, |t| t.multiplier_bp);
    let points = rules::points_of_sale(
        weighted_bp,
        currency_exponent(currency).unwrap_or(2),
        (program.earn_rate_millipoints, tier_bp),
    )
    .ok_or_else(|| {
        ApiError::new(
            Code::InvalidAmount,
            "the sale would earn more local points than the maximum",
        )
    })?;
    Ok(Some((program, points, tier)))
}

/// Records the local points an order earned and their lot.
pub fn record_earn(
    conn: &mut DbConn,
    earn_id: EarnId,
    points: Points,
    lot_id: LotId,
) -> ApiResult<()> {
    local_rows::insert_local_earn(
        conn,
        &local_rows::LocalEarnRow {
            earn_id,
            points,
            lot_id,
            clawed: Points::ZERO,
        },
    )?;
    Ok(())
}

/// Where a refund stands for an order's local points: its id, the order's refunded amount
/// and refunded weight after it.
pub struct Returned<'a> {
    /// The partner's refund id.
    pub refund_id: &'a str,
    /// The order's refunded amount, this refund included.
    pub amount_after: MoneyMinor,
    /// The order's refunded weight (minor units x basis points), this refund included.
    pub weight_after: i64,
}

/// Takes back the local points of a returned part of an order, in proportion to what the
/// returned part earned (its weight, as the network points are; cumulatively, so a full
/// return takes back all): from the order's own lot, then the member's other lots at this
/// partner. What the member already spent leaves a negative local balance that the next local
/// points repay first, as with network points. Returns the points and the entry.
pub fn claw_back(
    conn: &mut DbConn,
    member: &mut Member,
    earn: &EarnRow,
    returned: &Returned<'_>,
    now: NaiveDateTime,
) -> ApiResult<(Points, Option<EntryId>)> {
    let Some(local) = local_rows::local_earn(conn, earn.id)? else {
        return Ok((Points::ZERO, None));
    };
    let cumulative = match earn.weighted_bp {
        Some(total) => cumulative_clawback_weighted(local.points, total, returned.weight_after),
        None => cumulative_clawback(local.points, earn.amount_minor, returned.amount_after),
    };
    let claw = cumulative
        .checked_sub(local.clawed)
        .ok_or_else(points_overflow)?
        .at_least_zero();
    if !claw.is_positive() {
        return Ok((Points::ZERO, None));
    }
    let asset = Asset::Local(earn.partner_id);
    let member_id = member.id;
    let entry_id = ledger::post_entry(
        conn,
        member,
        Draft {
            kind: EntryKind::Refund,
            partner_id: Some(earn.partner_id),
            reference: returned.refund_id,
            memo: Some(&earn.order_id),
            posted_at: now,
            postings: vec![
                Posting::member(account::MEMBER_AVAILABLE, member_id, minus(claw)?).in_asset(asset),
                Posting::partner(account::PARTNER_ISSUANCE, earn.partner_id, claw).in_asset(asset),
            ],
            allow_negative_available: true,
            activity: false,
        },
    )?;
    let all = lot_rows::member_lots_in_spending_order(conn, member_id, &asset.code())?;
    // The order's own lot first, then the others in spending order; what they do not hold is
    // the member's debt.
    let mut ordered: Vec<lot_rows::Lot> = all
        .iter()
        .filter(|l| l.id == local.lot_id)
        .cloned()
        .collect();
    ordered.extend(all.into_iter().filter(|l| l.id != local.lot_id));
    let held =
        Points::checked_sum(ordered.iter().map(|l| l.remaining)).ok_or_else(points_overflow)?;
    let plan = lots::plan_take(&ordered, claw.min(held), |_| true)?;
    lots::apply_plan(conn, &plan, entry_id, None, "clawback")?;
    if local_rows::add_local_clawed(conn, earn.id, claw)? != 1 {
        return Err(ApiError::internal("local claw-back beyond the order"));
    }
    Ok((claw, Some(entry_id)))
}
