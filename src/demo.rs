//! The demo network of `serve --demo`: three partners in adjacent universes (books, coffee,
//! cinema), each with its own brand (name, colours, label for the points, rules, and a logo from
//! `assets/demo/`, drawn by `assets/demo/make_logos.py`), three members linked to all of them,
//! fresh API keys and an operator token on every start, written to `<data dir>/demo.env` for
//! the README's walk-through.

use std::fmt::Write as _;

use partner_sdk::branding::{BrandRequest, PointsLabel};
use partner_sdk::local_program::LocalProgramRequest;
use partner_sdk::types::LinkMemberRequest;

use crate::db::queries::partners as partner_rows;
use crate::db::DbConn;
use crate::domain::ids::PartnerId;
use crate::error::{ApiResult, Code};
use crate::http::members::json::SignUpRequest;
use crate::http::partners::json::{ContractTerms, CreatePartnerRequest};
use crate::service::branding;
use crate::service::local_programs;
use crate::service::members;
use crate::service::partners;
use crate::service::platform::settings::{self, NetworkSettings};
use crate::service::{platform::auth, AppState};

/// The demo members' password.
pub const DEMO_PASSWORD: &str = "demo-password";

struct DemoPartner {
    var: &'static str,
    slug: &'static str,
    name: &'static str,
    universe: &'static str,
    earn_rate_bp: i64,
    issuance_price_micros: i64,
    redemption_price_micros: i64,
    return_window_days: i64,
    period_fee_minor: i64,
    brand: DemoBrand,
    /// Its own currency on top of the network points: (French name, English name, thousandths
    /// per currency unit, local points per network point when converted).
    local: Option<(&'static str, &'static str, i64, i64)>,
}

/// A demo partner's brand (its slug is the partner's).
struct DemoBrand {
    display_name: &'static str,
    primary_color: &'static str,
    accent_color: &'static str,
    label_fr: &'static str,
    label_en: &'static str,
    default_locale: &'static str,
    rules_markdown: &'static str,
    logo_png: &'static [u8],
}

const PARTNERS: [DemoPartner; 3] = [
    DemoPartner {
        var: "BOOKS",
        slug: "page-and-quill",
        name: "Page & Quill",
        universe: "books",
        earn_rate_bp: 10_000,
        issuance_price_micros: 8_000,
        redemption_price_micros: 6_000,
        return_window_days: 14,
        period_fee_minor: 0,
        brand: DemoBrand {
            display_name: "Page & Quill",
            primary_color: "#1b3a5c",
            accent_color: "#f2c14e",
            label_fr: "marque-pages",
            label_en: "bookmarks",
            default_locale: "fr-FR",
            rules_markdown: "**1 marque-page par euro** dépensé en librairie.\n\n\
                - Les marque-pages deviennent disponibles 14 jours après l'achat.\n\
                - Rendez un livre : ses marque-pages sont repris.\n",
            logo_png: include_bytes!("../assets/demo/page-and-quill.png"),
        },
        local: None,
    },
    DemoPartner {
        var: "COFFEE",
        slug: "bean-there",
        name: "Bean There",
        universe: "coffee",
        earn_rate_bp: 20_000,
        issuance_price_micros: 8_000,
        redemption_price_micros: 6_000,
        return_window_days: 1,
        period_fee_minor: 1_000,
        brand: DemoBrand {
            display_name: "Bean There",
            primary_color: "#5b341c",
            accent_color: "#e9b872",
            label_fr: "grains",
            label_en: "beans",
            default_locale: "en-GB",
            rules_markdown: "**2 beans per pound** spent on coffee, tea and cakes.\n\n\
                - Beans are yours the day after your visit.\n\
                - Spend them on any drink, here or with any partner of the network.\n",
            logo_png: include_bytes!("../assets/demo/bean-there.png"),
        },
        local: Some(("tampons", "stamps", 1_000, 2)),
    },
    DemoPartner {
        var: "CINEMA",
        slug: "reel-nights",
        name: "Reel Nights",
        universe: "cinema",
        earn_rate_bp: 10_000,
        issuance_price_micros: 9_000,
        redemption_price_micros: 6_500,
        return_window_days: 7,
        period_fee_minor: 0,
        brand: DemoBrand {
            display_name: "Reel Nights",
            primary_color: "#8b1e3f",
            accent_color: "#f4d35e",
            label_fr: "étoiles",
            label_en: "stars",
            default_locale: "fr-FR",
            rules_markdown: "**1 étoile par euro** sur les places et la confiserie.\n\n\
                - Les étoiles sont disponibles 7 jours après la séance.\n\
                - Le programme complet : [reelnights.example](https://reelnights.example/).\n",
            logo_png: include_bytes!("../assets/demo/reel-nights.png"),
        },
        local: None,
    },
];

const MEMBERS: [(&str, &str, &str); 3] = [
    ("ALICE", "alice@example.com", "Alice"),
    ("BOB", "bob@example.com", "Bob"),
    ("CHLOE", "chloe@example.com", "Chloe"),
];

/// Gives a demo partner its brand and logo, unless it has a brand already (the partner may
/// have changed it through the API since).
fn brand_if_missing(
    conn: &mut DbConn,
    now: chrono::NaiveDateTime,
    partner_id: PartnerId,
    p: &DemoPartner,
) -> ApiResult<()> {
    match branding::get(conn, partner_id) {
        Ok(_) => return Ok(()),
        Err(e) if e.code() == Code::BrandNotFound => {}
        Err(e) => return Err(e),
    }
    let b = &p.brand;
    let request = BrandRequest {
        slug: p.slug.into(),
        display_name: b.display_name.into(),
        primary_color: b.primary_color.into(),
        accent_color: b.accent_color.into(),
        text_color: None,
        points_label: PointsLabel {
            fr_fr: b.label_fr.into(),
            en_gb: b.label_en.into(),
        },
        default_locale: b.default_locale.into(),
        rules_markdown: b.rules_markdown.into(),
    };
    branding::set_brand(conn, now, partner_id, "demo", &request)?;
    branding::set_logo(conn, now, partner_id, "demo", b.logo_png)?;
    Ok(())
}

/// Gives a demo partner its own currency, unless it runs one already.
fn local_program_if_missing(
    conn: &mut DbConn,
    now: chrono::NaiveDateTime,
    partner_id: PartnerId,
    p: &DemoPartner,
) -> ApiResult<()> {
    let Some((fr, en, rate, conversion)) = p.local else {
        return Ok(());
    };
    match local_programs::get(conn, partner_id) {
        Ok(_) => return Ok(()),
        Err(e) if e.code() == Code::LocalProgramNotFound => {}
        Err(e) => return Err(e),
    }
    let request = LocalProgramRequest {
        label: PointsLabel {
            fr_fr: fr.into(),
            en_gb: en.into(),
        },
        earn_rate_millipoints: rate,
        expiry_months: 12,
        conversion_local_per_point: Some(conversion),
    };
    local_programs::set(conn, now, partner_id, &request)?;
    Ok(())
}

/// Seeds the demo network on an empty database, issues fresh keys and an operator token, and
/// returns the shell lines (`export NAME=value`) that describe it.
pub fn seed(conn: &mut DbConn, state: &AppState, listen: &str) -> ApiResult<String> {
    let now = state.clock.now_naive();
    let fresh = partner_rows::partner_page(conn, PartnerId::default(), 1)?.is_empty();
    if fresh {
        settings::save(conn, &state.clock, &NetworkSettings::default())?;
        for p in &PARTNERS {
            partners::create(
                conn,
                now,
                "demo",
                &CreatePartnerRequest {
                    slug: p.slug.into(),
                    name: p.name.into(),
                    universe: p.universe.into(),
                    contract: ContractTerms {
                        earn_rate_bp: p.earn_rate_bp,
                        issuance_price_micros: p.issuance_price_micros,
                        redemption_price_micros: p.redemption_price_micros,
                        return_window_days: p.return_window_days,
                        period_fee_minor: p.period_fee_minor,
                        effective_from: None,
                        category_rules: Vec::new(),
                    },
                    status: None,
                },
            )?;
        }
        for (_, email, name) in MEMBERS {
            let session = members::sign_up(
                conn,
                state,
                &SignUpRequest {
                    email: email.into(),
                    password: DEMO_PASSWORD.into(),
                    display_name: Some(name.into()),
                    referral_code: None,
                },
            )?;
            for partner in partner_rows::partner_page(conn, PartnerId::default(), 3)? {
                members::link(
                    conn,
                    now,
                    partner.id,
                    &LinkMemberRequest {
                        member_number: session.member_number.clone(),
                        customer_ref: None,
                    },
                )?;
            }
        }
    }
    let mut env = String::new();
    let url = format!("http://{}", listen.replace("0.0.0.0", "127.0.0.1"));
    let _ = writeln!(env, "export LOYALTY_URL={url}");
    // `loyalty-server settle` and `expire` then read the demo's (moved) network clock.
    let _ = writeln!(env, "export LOYALTY_ADJUSTABLE_CLOCK=true");
    let token = auth::create_operator_token(conn, "demo")?;
    let _ = writeln!(env, "export OPERATOR_TOKEN={token}");
    for p in &PARTNERS {
        let Some(row) = partner_rows::partner_page(conn, PartnerId::default(), 100)?
            .into_iter()
            .find(|r| r.slug == p.slug)
        else {
            continue;
        };
        for key in partner_rows::keys(conn, row.id)?
            .iter()
            .filter(|k| k.revoked_at.is_none())
        {
            partners::revoke_key(conn, now, row.id, &key.key_id)?;
        }
        brand_if_missing(conn, now, row.id, p)?;
        local_program_if_missing(conn, now, row.id, p)?;
        let key = partners::issue_key(conn, &state.master_key, now, row.id)?;
        let _ = writeln!(env, "export {}_PARTNER_ID={}", p.var, row.id);
        let _ = writeln!(env, "export {}_KEY_ID={}", p.var, key.key_id);
        let _ = writeln!(env, "export {}_SECRET={}", p.var, key.secret);
    }
    for (var, email, _) in MEMBERS {
        let session = members::sign_in(
            conn,
            state,
            &crate::http::members::json::SignInRequest {
                email: email.into(),
                password: DEMO_PASSWORD.into(),
            },
        )?;
        let _ = writeln!(env, "export {var}={}", session.member_number);
        let _ = writeln!(env, "export {var}_EMAIL={email}");
        let _ = writeln!(env, "export {var}_TOKEN={}", session.token);
    }
    let _ = writeln!(env, "export DEMO_PASSWORD={DEMO_PASSWORD}");
    // One shell function per partner: the partner CLI with that partner's key.
    for p in &PARTNERS {
        let _ = writeln!(
            env,
            "{}() {{ LOYALTY_KEY_ID=\"${}_KEY_ID\" LOYALTY_SECRET=\"${}_SECRET\" cargo run -q -p partner-sdk --features cli --bin loyalty-partner -- \"$@\"; }}",
            p.var.to_lowercase(),
            p.var,
            p.var
        );
    }
    Ok(env)
}
