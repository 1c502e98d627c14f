//! Converting a member's local points into network points. The partner takes its local points
//! back and issues network points for them, which it pays for like the points of a sale: the
//! network lot carries the partner as issuer at its contract's issuance price, and the
//! clearing event puts them on its statement as issuance. Available at once (there is no sale
//! to return), expiring by the network's policy.

use chrono::NaiveDateTime;
use partner_sdk::local_program::{Conversion, ConversionRequest};
use partner_sdk::types::EntryKind;

use crate::db::queries::ledger::lots::{self as lot_rows, NewLot};
use crate::db::queries::local_programs::{self as local_rows, NewConversion};
use crate::db::queries::partners;
use crate::db::{is_unique_violation, write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::ids::PartnerId;
use crate::domain::input::{check_range, check_text, TextKind};
use crate::domain::limits::{POINTS_MAX, REF_LEN_MAX};
use crate::domain::local_programs::conversion_points;
use crate::domain::money::Points;
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::service::ledger::clearing::{self, EntryAt};
use crate::service::ledger::{self, account, lots, minus, Asset, Draft, Posting, PTS};
use crate::service::members;

/// Longest conversion reference: `conversion:` and it make an order id of at most
/// [`REF_LEN_MAX`] characters.
pub const REFERENCE_LEN_MAX: usize = REF_LEN_MAX - CONVERSION_PREFIX.len();

/// How a conversion is named among the partner's order ids.
const CONVERSION_PREFIX: &str = "conversion:";

/// Converts local points of a member linked to the partner.
pub fn convert(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: PartnerId,
    req: &ConversionRequest,
) -> ApiResult<Conversion> {
    check_text("reference", &req.reference, TextKind::Identifier)?;
    check_range("local_points", req.local_points, 1, POINTS_MAX)?;
    // The statement names it `conversion:<reference>`, which must stay a valid order id (at
    // most REF_LEN_MAX characters) for the partner's reconciliation files.
    if req.reference.len() > REFERENCE_LEN_MAX {
        return fail(
            Code::InvalidRequest,
            format!("reference: at most {REFERENCE_LEN_MAX} characters"),
        );
    }
    write_tx(conn, |conn| {
        let program = super::program_of(conn, partner_id)?;
        let rate = program.conversion_local_per_point.ok_or_else(|| {
            ApiError::new(
                Code::ConversionNotOffered,
                "this partner's local points do not convert into network points",
            )
        })?;
        let points = conversion_points(req.local_points, rate)
            .map_err(|e| ApiError::new(Code::InvalidAmount, e))?;
        let local = Points::from(req.local_points);
        let contract = partners::contract_at(conn, partner_id, now)?.ok_or_else(|| {
            ApiError::new(
                Code::PartnerSuspended,
                "the partner has no contract in force",
            )
        })?;
        let member = members::find_linked(conn, partner_id, &req.member_number)?;
        let (mut member, settings) = members::lock_and_sync(conn, member.id, now)?;
        let asset = Asset::Local(partner_id);
        let available_before = member.available_points;
        let member_id = member.id;
        let entry_id = ledger::post_entry(
            conn,
            &mut member,
            Draft {
                kind: EntryKind::LocalConversion,
                partner_id: Some(partner_id),
                reference: &req.reference,
                memo: None,
                posted_at: now,
                postings: vec![
                    Posting::member(account::MEMBER_AVAILABLE, member_id, minus(local)?)
                        .in_asset(asset),
                    Posting::partner(account::PARTNER_REDEMPTION, partner_id, local)
                        .in_asset(asset),
                    Posting::partner(account::PARTNER_ISSUANCE, partner_id, minus(points)?),
                    Posting::member(account::MEMBER_AVAILABLE, member_id, points),
                ],
                allow_negative_available: false,
                activity: true,
            },
        )?;
        let local_lots = lot_rows::member_lots_in_spending_order(conn, member_id, &asset.code())?;
        let plan = lots::plan_take(&local_lots, local, |_| true)?;
        lots::apply_plan(conn, &plan, entry_id, None, "conversion")?;
        let lot_id = lot_rows::insert_lot(
            conn,
            &NewLot {
                member_id,
                asset: PTS,
                issuer_kind: "partner",
                issuer_partner_id: Some(partner_id),
                price_micros: contract.issuance_price_micros,
                points,
                remaining: points,
                earned_at: now,
                available_at: now,
                expires_at: settings
                    .expiry_policy
                    .lot_expires_at(settings.expiry_months, now),
                matured: true,
                entry_id,
            },
        )?;
        // Network points arriving on a negative balance repay it first, as an earn's do.
        let repay = lots::debt_repaid(available_before, points);
        if repay.is_positive() {
            lots::apply_plan(conn, &[(lot_id, repay)], entry_id, None, "debt_repayment")?;
        }
        clearing::record_order(
            conn,
            clearing::ClearingKind::Issue,
            EntryAt {
                entry_id,
                posted_at: now,
            },
            partner_id,
            points,
            contract.issuance_price_micros,
            // Named apart from the partner's order ids on its statement and in reconciliation.
            &format!("{CONVERSION_PREFIX}{}", req.reference),
        )?;
        let new = NewConversion {
            partner_id,
            member_id,
            reference: &req.reference,
            local_points: local,
            points,
            price_micros: contract.issuance_price_micros,
            entry_id,
            created_at: now,
        };
        let id = match local_rows::insert_conversion(conn, &new) {
            Ok(id) => id,
            Err(e) if is_unique_violation(&e) => {
                return fail(
                    Code::ConversionReferenceReused,
                    "this conversion reference was already used",
                )
            }
            Err(e) => return Err(e.into()),
        };
        tracing::info!(
            partner.id = %partner_id,
            member.id = %member_id,
            points = points.get(),
            "local points converted"
        );
        Ok(Conversion {
            conversion_id: id,
            member_number: member.member_number.clone(),
            reference: req.reference.clone(),
            local_points: local.get(),
            points: points.get(),
            price_micros: contract.issuance_price_micros.get(),
            entry_id: entry_id.get(),
            created_at: utc(now),
        })
    })
}
