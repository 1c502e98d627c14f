//! Outstanding liability: the points members still hold, by funding partner, valued at the
//! highest redemption price in force, and the points at risk in negative balances.

use chrono::NaiveDateTime;

use crate::db::queries::partners as partner_rows;
use crate::db::queries::settlement::{self as rows};
use crate::db::DbConn;
use crate::domain::clock::utc;
use crate::domain::ids::PartnerId;
use crate::domain::money::{Points, PriceMicros};
use crate::error::{ApiError, ApiResult};
use crate::http::settlement::json::{Liability, LiabilityLine};

/// Outstanding points by funding party, valued at the highest redemption price in force (the
/// most they can cost the network).
pub fn liability(conn: &mut DbConn, now: NaiveDateTime) -> ApiResult<Liability> {
    let mut price = PriceMicros::ZERO;
    let mut slugs = std::collections::BTreeMap::new();
    for p in partner_rows::all_partners(conn)? {
        if let Some(c) = partner_rows::contract_at(conn, p.id, now)? {
            price = price.max(c.redemption_price_micros);
        }
        slugs.insert(p.id, p.slug);
    }
    let value = |points: Points| -> ApiResult<i64> {
        i64::try_from(points.value_at(price).get())
            .map_err(|_| ApiError::internal("liability beyond i64 micros"))
    };
    let mut lines = Vec::new();
    for l in rows::liability(conn)? {
        lines.push(LiabilityLine {
            issuer_partner_id: l.issuer_partner_id.map(PartnerId::get),
            party: l
                .issuer_partner_id
                .and_then(|id| slugs.get(&id).cloned())
                .unwrap_or_else(|| "operator".into()),
            points: l.points.get(),
            amount_micros: value(l.points)?,
        });
    }
    // The operator first, then partners by id, whatever order the backend sorts NULL in.
    lines.sort_by_key(|l| l.issuer_partner_id);
    let total_points = Points::checked_sum(lines.iter().map(|l| Points::from(l.points)))
        .ok_or_else(|| ApiError::internal("liability beyond i64 points"))?;
    Ok(Liability {
        as_of: utc(now),
        valued_at_price_micros: price.get(),
        total_micros: value(total_points)?,
        total_points: total_points.get(),
        lines,
        at_risk_points: rows::negative_balances(conn)?,
    })
}
