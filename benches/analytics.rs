//! RFM recompute and the program figures over 1,000,000 journal entries and 100,000 members,
//! on PostgreSQL.
//!
//! `cargo bench --bench analytics` (`BENCH_PG_URL`, default
//! `postgres://root@127.0.0.1:5432/postgres`, names the server; a fresh database is created
//! and dropped; `BENCH_ENTRIES`, default 1,000,000, `BENCH_MEMBERS`, default 100,000, and
//! `BENCH_PARTNERS`, default 20).
//!
//! The ledger is filled in bulk with SQL, untimed: 60 % of the entries are earns spread over
//! two years, the partners and the members (each with its order row, its lot and the clearing
//! event the server writes beside it; one order in ten partly refunded), the rest refunds,
//! redemptions, reversals and expiries (an entry and a clearing event each). Then the same
//! code the server runs is timed: `segments::recompute` (every scope: the network and each
//! partner, scores stored), `summary::summary` for the network and for one partner. Beside
//! each, an independent reference in plain SQL over the same rows: the per-member
//! recency/frequency/monetary aggregate the scores start from, and the sums the figures start
//! from. Targets (issue 11): recompute under 10 s, a summary under 2 s.

#![allow(
    clippy::as_conversions,
    clippy::expect_used,
    reason = "benchmark code: rates are floats for printing only, and a panic aborts the run"
)]

mod common;
use common::env_or;

use std::time::{Duration, Instant};

use diesel::RunQueryDsl;
use loyalty_server::config::Settings;
use loyalty_server::domain::ids::PartnerId;
use loyalty_server::service::analytics::{segments, summary};
use loyalty_server::service::partners;

fn main() -> anyhow::Result<()> {
    let entries: i64 = env_or("BENCH_ENTRIES", 1_000_000).clamp(100, 5_000_000);
    let members: i64 = env_or("BENCH_MEMBERS", 100_000).clamp(10, 1_000_000);
    let partner_count: i64 = env_or("BENCH_PARTNERS", 20).clamp(1, 500);
    common::with_fresh_database(|url| run(url, entries, members, partner_count))
}

fn run(url: &str, entries: i64, members: i64, partner_count: i64) -> anyhow::Result<()> {
    let data_dir = std::env::temp_dir().join(format!(
        "loyalty-bench-{}",
        partner_sdk::signing::random_token_hex(4)
    ));
    std::fs::create_dir_all(&data_dir)?;
    let mut settings = Settings::for_tests(url.to_owned(), data_dir);
    settings.pg_statement_timeout_ms = 600_000;
    let pool = loyalty_server::startup::open_database(&settings)?;
    let mut conn = pool.get()?;
    let now = chrono::Utc::now().naive_utc();
    let start = now - chrono::Duration::days(730);
    let err = |e: loyalty_server::error::ApiError| anyhow::anyhow!("{e}");
    for i in 0..partner_count {
        partners::create(
            &mut conn,
            start - chrono::Duration::days(1),
            "bench",
            &loyalty_server::http::partners::json::CreatePartnerRequest {
                slug: format!("partner-{i}"),
                name: format!("Partner {i}"),
                universe: "bench".into(),
                contract: loyalty_server::http::partners::json::ContractTerms {
                    earn_rate_bp: 10_000,
                    issuance_price_micros: 8_000,
                    redemption_price_micros: 6_000,
                    return_window_days: 0,
                    period_fee_minor: 0,
                    effective_from: None,
                    category_rules: Vec::new(),
                },
                status: None,
            },
        )
        .map_err(err)?;
    }
    println!(
        "analytics benchmark on PostgreSQL: filling {entries} journal entries, {members} members, {partner_count} partners..."
    );
    let fill = Instant::now();
    fill_ledger(&mut conn, entries, members, partner_count, start)?;
    println!(
        "filled in {:.1} s (not timed below)",
        fill.elapsed().as_secs_f64()
    );

    let rounds = 3;
    let mut recompute = Vec::new();
    let mut report = None;
    for _ in 0..rounds {
        let t = Instant::now();
        report = Some(segments::recompute(&mut conn, now).map_err(err)?);
        recompute.push(t.elapsed());
    }
    let report = report.expect("a recompute ran");
    let rfm_reference = time(rounds, || {
        sql(
            &mut conn,
            &format!(
                "SELECT COUNT(*) FROM (SELECT member_id, MAX(occurred_at), COUNT(*), \
                 SUM(amount_minor - refunded_minor) FROM earns \
                 WHERE occurred_at >= TIMESTAMP '{}' AND refunded_minor < amount_minor \
                 GROUP BY member_id) s",
                start.format("%Y-%m-%d %H:%M:%S")
            ),
        )
    })?;
    println!(
        "RFM recompute (every scope: the network and {} partners; {} members scored network-wide): median {:.2} s of {rounds} (min {:.2}, max {:.2}); target 10 s",
        report.scopes - 1,
        report.members,
        median(&recompute).as_secs_f64(),
        recompute.iter().min().expect("rounds").as_secs_f64(),
        recompute.iter().max().expect("rounds").as_secs_f64(),
    );
    println!(
        "  reference, the network scope's per-member aggregate alone in plain SQL: {:.2} s",
        median(&rfm_reference).as_secs_f64()
    );

    let mut network = Vec::new();
    let mut partner = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let figures = summary::summary(&mut conn, now, None).map_err(err)?;
        network.push(t.elapsed());
        assert!(figures.buying_members > 0);
        let t = Instant::now();
        summary::summary(&mut conn, now, Some(PartnerId::from(1))).map_err(err)?;
        partner.push(t.elapsed());
    }
    let since = (now - chrono::Duration::days(365))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let summary_reference = time(rounds, || {
        sql(
            &mut conn,
            &format!(
                "SELECT COUNT(*) FROM (SELECT kind, price_micros, partner_id, issuer_partner_id, SUM(points) \
                 FROM clearing_events WHERE posted_at >= TIMESTAMP '{since}' \
                 GROUP BY kind, price_micros, partner_id, issuer_partner_id) c"
            ),
        )?;
        sql(
            &mut conn,
            &format!(
                "SELECT COUNT(*) FROM (SELECT member_id, SUM(amount_minor - refunded_minor) FROM earns \
                 WHERE occurred_at >= TIMESTAMP '{since}' AND refunded_minor < amount_minor GROUP BY member_id) s"
            ),
        )
    })?;
    println!(
        "program figures, network-wide: median {:.2} s of {rounds} (max {:.2}); one partner: median {:.2} s (max {:.2}); target 2 s",
        median(&network).as_secs_f64(),
        network.iter().max().expect("rounds").as_secs_f64(),
        median(&partner).as_secs_f64(),
        partner.iter().max().expect("rounds").as_secs_f64(),
    );
    println!(
        "  reference, the clearing-event sums and the per-member revenue in plain SQL: {:.2} s",
        median(&summary_reference).as_secs_f64()
    );
    Ok(())
}

fn sql(conn: &mut loyalty_server::db::DbConn, text: &str) -> anyhow::Result<()> {
    diesel::sql_query(text).execute(conn)?;
    Ok(())
}

fn time(rounds: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<Vec<Duration>> {
    let mut out = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        f()?;
        out.push(t.elapsed());
    }
    Ok(out)
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

/// Members, entries, postings, earns, lots and clearing events in bulk (ids from
/// generate_series; the sequences are moved past them afterwards).
fn fill_ledger(
    conn: &mut loyalty_server::db::DbConn,
    entries: i64,
    members: i64,
    partner_count: i64,
    start: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    let start = start.format("%Y-%m-%d %H:%M:%S").to_string();
    // Entry i: an earn when i % 10 < 6, else a refund, capture, reversal or expiry. Its time
    // spreads over the two years (63,072,000 s), its member and partner over theirs.
    let at = format!("TIMESTAMP '{start}' + ((i * 7919) % 63072000) * INTERVAL '1 second'");
    let member = format!("1 + ((i * 2654435761) % 1000003) % {members}");
    let partner = format!("1 + ((i * 31) / {members} + i) % {partner_count}");
    let amount = "500 + (i * 13) % 20000";
    let statements = [
        format!(
            "INSERT INTO members (id, member_number, created_at, last_activity_at, available_points, \
                                  pending_points, held_points, chain_head, lock_version, code_failures) \
             SELECT m, LPAD(m::text, 10, '0'), TIMESTAMP '{start}', TIMESTAMP '{start}', 0, 0, 0, md5(m::text), 0, 0 \
             FROM generate_series(1::bigint, {members}) AS m"
        ),
        format!(
            "INSERT INTO journal_entries (id, kind, member_id, partner_id, reference, memo, posted_at, chain, prev_hash, hash) \
             SELECT i, CASE WHEN i % 10 < 6 THEN 'earn' WHEN i % 10 = 6 THEN 'refund' \
                            WHEN i % 10 < 9 THEN 'redemption_capture' WHEN i % 20 = 9 THEN 'redemption_reversal' \
                            ELSE 'expiry' END, \
                    {member}, {partner}, 'O-' || i, NULL, {at}, 'bench', md5(i::text), md5((i + 1)::text) \
             FROM generate_series(1::bigint, {entries}) AS i"
        ),
        format!(
            "INSERT INTO postings (entry_id, account, owner_id, asset, amount) \
             SELECT i, 'partner_issuance', {partner}, 'PTS', -(1 + i % 200) FROM generate_series(1::bigint, {entries}) AS i \
             UNION ALL \
             SELECT i, 'member_available', {member}, 'PTS', 1 + i % 200 FROM generate_series(1::bigint, {entries}) AS i"
        ),
        format!(
            "INSERT INTO lots (id, member_id, asset, issuer_kind, issuer_partner_id, price_micros, points, remaining, \
                               earned_at, available_at, expires_at, matured, entry_id) \
             SELECT i, {member}, 'PTS', 'partner', {partner}, 8000, ({amount}) / 100, ({amount}) / 200, \
                    {at}, {at}, {at} + INTERVAL '3 years', TRUE, i \
             FROM generate_series(1::bigint, {entries}) AS i WHERE i % 10 < 6"
        ),
        format!(
            "INSERT INTO earns (id, partner_id, member_id, order_id, occurred_at, amount_minor, currency, points, \
                                lot_id, entry_id, refunded_minor, clawed_points, created_at, weighted_bp, refunded_weighted_bp) \
             SELECT i, {partner}, {member}, 'O-' || i, {at}, {amount}, 'EUR', ({amount}) / 100, i, i, \
                    CASE WHEN i % 100 < 10 THEN ({amount}) / 2 ELSE 0 END, 0, {at}, ({amount}) * 10000, 0 \
             FROM generate_series(1::bigint, {entries}) AS i WHERE i % 10 < 6"
        ),
        format!(
            "INSERT INTO clearing_events (entry_id, posted_at, kind, partner_id, issuer_partner_id, points, price_micros, order_ref) \
             SELECT i, {at}, \
                    CASE WHEN i % 10 < 6 THEN 'issue' WHEN i % 10 = 6 THEN 'clawback' \
                         WHEN i % 10 < 9 THEN 'redeem' WHEN i % 20 = 9 THEN 'reverse' ELSE 'breakage' END, \
                    CASE WHEN i % 20 = 19 THEN NULL ELSE {partner} END, \
                    CASE WHEN i % 10 < 7 OR i % 20 = 19 THEN {partner} \
                         WHEN i % 7 = 0 THEN NULL ELSE 1 + (i / 3) % {partner_count} END, \
                    1 + i % 200, CASE WHEN i % 10 < 7 OR i % 20 = 19 THEN 8000 ELSE 6000 END, 'O-' || i \
             FROM generate_series(1::bigint, {entries}) AS i"
        ),
        "SELECT setval(pg_get_serial_sequence('journal_entries', 'id'), (SELECT MAX(id) FROM journal_entries))".to_owned(),
        "SELECT setval(pg_get_serial_sequence('members', 'id'), (SELECT MAX(id) FROM members))".to_owned(),
        "SELECT setval(pg_get_serial_sequence('lots', 'id'), (SELECT MAX(id) FROM lots))".to_owned(),
        "SELECT setval(pg_get_serial_sequence('earns', 'id'), (SELECT MAX(id) FROM earns))".to_owned(),
        "ANALYZE".to_owned(),
    ];
    for sql in statements {
        diesel::sql_query(sql).execute(conn)?;
    }
    Ok(())
}
