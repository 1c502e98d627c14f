//! The member's account: the network balance (available, pending, held) under the brand's
//! name for the points, what expires when, the latest history, and the button that creates a
//! one-time code. The same member data under every brand: a partner's slug changes the
//! branding only.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{respond, Chrome, Ctx, PageError, Site};
use crate::domain::ids::{MemberId, PartnerId};
use crate::service::{members, AppState};
use crate::web::i18n::Locale;
use crate::web::WebState;

/// History entries shown.
const HISTORY_ROWS: i64 = 20;

/// A history row, formatted.
struct Row {
    date: String,
    what: &'static str,
    reference: String,
    change: String,
}

/// A partner's own currency the member holds, formatted.
struct LocalRow {
    label: String,
    available: String,
    held: String,
    expiring: Option<String>,
    /// The partner's own tier of the member and its multiplier, under its brand.
    tier: Option<String>,
}

/// An expiry row, formatted.
struct ExpiryRow {
    date: String,
    points: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    c: Chrome,
    label: String,
    member_number: String,
    available: String,
    pending: String,
    held: String,
    expiring: Vec<ExpiryRow>,
    inactivity_deadline: Option<String>,
    history: Vec<Row>,
    local: Vec<LocalRow>,
    /// The tier's name and multiplier, and the next tier's name with what it still needs.
    tier: (String, String, Option<(String, String)>),
    /// What the next tier needs: spend, or points when the table qualifies on points.
    tier_next: &'static str,
}

/// `GET /account` and `GET /p/{slug}/account`: the sign-in page for a visitor.
pub async fn account(
    req: HttpRequest,
    state: web::Data<AppState>,
    web: web::Data<WebState>,
) -> HttpResponse {
    let ctx = Ctx { req, state, web };
    respond(&ctx.req, page(&ctx).await)
}

async fn page(ctx: &Ctx) -> Result<HttpResponse, PageError> {
    let site = Site::load(ctx).await?;
    let Some(member) = site.member else {
        return Ok(site.redirect(&format!("{}/sign-in", site.base)).finish());
    };
    let page = load(ctx, &site, member).await?;
    site.render(StatusCode::OK, &page)
}

async fn load(ctx: &Ctx, site: &Site, member: MemberId) -> Result<AccountPage, PageError> {
    // Under a partner's brand, its own currency only; on the network's pages, every one held.
    let partner = site
        .brand
        .as_ref()
        .map(|b| crate::domain::ids::PartnerId::from(b.partner_id));
    let (balance, expiring, history, (tier, local_tier)) = ctx
        .state
        .run(move |conn, s| {
            let now = s.clock.now_naive();
            let tier = crate::service::tiers::status(conn, now, member)?;
            let local_tier = match partner {
                Some(p) => crate::service::local_programs::tiers::of_member(conn, p, member, now)?,
                None => None,
            };
            let balance = members::balance(conn, now, member, partner)?;
            let expiring = members::expiring(conn, now, member)?;
            let history = members::history(conn, member, None, None, HISTORY_ROWS)?;
            Ok((balance, expiring, history, (tier, local_tier)))
        })
        .await?;
    let (l, t) = (site.locale, site.t());
    let has_points = balance.available_points > 0 || balance.pending_points > 0;
    let labels: Vec<(String, String)> = balance
        .local
        .iter()
        .map(|b| (b.currency_code.clone(), local_label(l, b)))
        .collect();
    let local = balance
        .local
        .iter()
        .map(|b| LocalRow {
            label: local_label(l, b),
            available: l.points(b.available_points),
            held: l.points(b.held_points),
            expiring: (b.expiring_30d_points > 0).then(|| l.points(b.expiring_30d_points)),
            tier: local_tier
                .as_ref()
                .filter(|_| partner.map(PartnerId::get) == Some(b.partner_id))
                .map(|t| {
                    let name = match l {
                        Locale::Fr => &t.name_fr,
                        Locale::En => &t.name_en,
                    };
                    format!("{name} ({})", l.factor(t.multiplier_bp))
                }),
        })
        .collect();
    let name = |n: &partner_sdk::branding::PointsLabel| match l {
        Locale::Fr => n.fr_fr.clone(),
        Locale::En => n.en_gb.clone(),
    };
    let on_points = tier.qualify_on == "points";
    let missing = |n: i64| if on_points { l.points(n) } else { l.money(n) };
    let tier = (
        name(&tier.name),
        l.factor(tier.multiplier_bp),
        tier.next
            .as_ref()
            .map(|n| (name(&n.name), missing(n.missing_minor))),
    );
    Ok(AccountPage {
        tier,
        tier_next: if on_points {
            t.tier_next_points
        } else {
            t.tier_next
        },
        local,
        c: site.chrome(t.account_title),
        label: site.points_label(),
        member_number: balance.member_number,
        available: l.points(balance.available_points),
        pending: l.points(balance.pending_points),
        held: l.points(balance.held_points),
        expiring: expiring
            .lots
            .into_iter()
            .map(|e| ExpiryRow {
                date: l.date(e.expires_at),
                points: l.points(e.points),
            })
            .collect(),
        inactivity_deadline: expiring
            .inactivity_deadline
            .filter(|_| has_points)
            .map(|d| l.date(d)),
        history: history
            .items
            .into_iter()
            .map(|e| Row {
                date: l.time(e.posted_at),
                what: t.kinds.of(e.kind),
                change: change_text(l, &e, &labels),
                reference: e.reference,
            })
            .collect(),
    })
}

/// A partner currency's name in the page's language.
fn local_label(l: Locale, b: &partner_sdk::local_program::LocalBalance) -> String {
    match l {
        Locale::Fr => b.label.fr_fr.clone(),
        Locale::En => b.label.en_gb.clone(),
    }
}

/// An entry's change of network points, and of a partner's own currency when the page knows
/// its name (a partner's page names only its own).
fn change_text(
    l: Locale,
    e: &partner_sdk::types::HistoryEntry,
    labels: &[(String, String)],
) -> String {
    let network = e
        .available_change
        .saturating_add(e.pending_change)
        .saturating_add(e.held_change);
    let local = e.local_available_change.saturating_add(e.local_held_change);
    let label = e
        .local_currency
        .as_ref()
        .and_then(|c| labels.iter().find(|(code, _)| code == c))
        .map(|(_, label)| label);
    match label {
        Some(label) if local != 0 && network == 0 => format!("{} {label}", l.change(local)),
        Some(label) if local != 0 => format!("{} · {} {label}", l.change(network), l.change(local)),
        _ => l.change(network),
    }
}
