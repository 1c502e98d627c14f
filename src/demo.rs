//! The demo network of `serve --demo`: three partners in adjacent universes (books, coffee,
//! cinema), three members linked to all of them, fresh API keys and an operator token on every
//! start, written to `<data dir>/demo.env` for the README's walk-through.

use std::fmt::Write as _;

use partner_sdk::types::LinkMemberRequest;

use crate::db::queries::partners as partner_rows;
use crate::db::DbConn;
use crate::domain::ids::PartnerId;
use crate::error::ApiResult;
use crate::http::members::json::SignUpRequest;
use crate::http::partners::json::{ContractTerms, CreatePartnerRequest};
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
    },
];

const MEMBERS: [(&str, &str, &str); 3] = [
    ("ALICE", "alice@example.com", "Alice"),
    ("BOB", "bob@example.com", "Bob"),
    ("CHLOE", "chloe@example.com", "Chloe"),
];

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
