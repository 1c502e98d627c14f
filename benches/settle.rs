//! Closing a settlement period over 1,000,000 journal entries on PostgreSQL.
//!
//! `cargo bench --bench settle` (`BENCH_PG_URL`, default
//! `postgres://root@127.0.0.1:5432/postgres`, names the server; a fresh database is created
//! and dropped; `BENCH_ENTRIES`, default 1,000,000, and `BENCH_PARTNERS`, default 20).
//!
//! The period is filled in bulk with SQL: each journal entry (earn, refund, capture, reversal
//! or expiry, spread over 30 days and the partners) with its two postings and the clearing
//! event the server writes beside it. Then the same `settlement::close` the server and
//! `loyalty-server settle` run closes the period (one transaction: the grouped scan, every
//! partner's signed statement, the money entry) and the time it took is printed. Durability
//! stays on. The filling is not timed.

#![allow(
    clippy::as_conversions,
    clippy::expect_used,
    reason = "benchmark code: rates are floats for printing only, and a panic aborts the run"
)]

mod common;
use common::env_or;

use std::time::Instant;

use diesel::RunQueryDsl;
use loyalty_server::config::Settings;
use loyalty_server::service::{partners, settlement};

fn main() -> anyhow::Result<()> {
    let entries: i64 = env_or("BENCH_ENTRIES", 1_000_000).clamp(1, 5_000_000);
    let partner_count: i64 = env_or("BENCH_PARTNERS", 20).clamp(1, 500);
    common::with_fresh_database(|url| run(url, entries, partner_count))
}

fn run(url: &str, entries: i64, partner_count: i64) -> anyhow::Result<()> {
    let data_dir = std::env::temp_dir().join(format!(
        "loyalty-bench-{}",
        partner_sdk::signing::random_token_hex(4)
    ));
    std::fs::create_dir_all(&data_dir)?;
    let mut settings = Settings::for_tests(url.to_owned(), data_dir);
    // The close is one long statement sequence; the default 10 s statement limit would be
    // the thing measured if it were slower than that.
    settings.pg_statement_timeout_ms = 600_000;
    let pool = loyalty_server::startup::open_database(&settings)?;
    let master_key = loyalty_server::startup::load_master_key(&settings)?;
    let mut conn = pool.get()?;
    let now = chrono::Utc::now().naive_utc();
    let start = now - chrono::Duration::days(31);
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
                    issuance_price_micros: 8_000 + i,
                    redemption_price_micros: 6_000 + i,
                    return_window_days: 0,
                    period_fee_minor: 1_000,
                    effective_from: None,
                    category_rules: Vec::new(),
                },
                status: None,
            },
        )
        .map_err(err)?;
    }
    println!(
        "settlement benchmark on PostgreSQL: filling {entries} journal entries over {partner_count} partners..."
    );
    let fill = Instant::now();
    fill_period(&mut conn, entries, partner_count, start)?;
    println!(
        "filled in {:.1} s (not timed below)",
        fill.elapsed().as_secs_f64()
    );

    let until = now - chrono::Duration::minutes(5);
    let timer = Instant::now();
    let (run, created) = settlement::close(&mut conn, &master_key, now, until).map_err(err)?;
    let elapsed = timer.elapsed();
    assert!(created, "the period was already closed");
    println!(
        "closed 1 period: {} clearing events, {} signed statements, operator margin {} minor units",
        run.events_count,
        run.summary.partners.len(),
        run.summary.operator_margin_minor
    );
    println!(
        "close time: {:.2} s for {entries} journal entries ({:.0} entries/s)",
        elapsed.as_secs_f64(),
        entries as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}

/// Entries, postings and clearing events in bulk (ids from generate_series: the sequences are
/// moved past them afterwards).
fn fill_period(
    conn: &mut loyalty_server::db::DbConn,
    entries: i64,
    partner_count: i64,
    start: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    let start = start.format("%Y-%m-%d %H:%M:%S").to_string();
    let statements = [
        // kind by i % 20: 0-9 earn, 10-11 refund, 12-17 capture, 18 reversal, 19 expiry.
        format!(
            "INSERT INTO journal_entries (id, kind, member_id, partner_id, reference, memo, posted_at, chain, prev_hash, hash) \
             SELECT i, CASE WHEN i % 20 < 10 THEN 'earn' WHEN i % 20 < 12 THEN 'refund' \
                            WHEN i % 20 < 18 THEN 'redemption_capture' WHEN i % 20 = 18 THEN 'redemption_reversal' \
                            ELSE 'expiry' END, \
                    NULL, 1 + i % {partner_count}, 'O-' || i, NULL, \
                    TIMESTAMP '{start}' + (i % 2592000) * INTERVAL '1 second', \
                    'bench', md5(i::text), md5((i + 1)::text) \
             FROM generate_series(1, {entries}) AS i"
        ),
        format!(
            "INSERT INTO postings (entry_id, account, owner_id, asset, amount) \
             SELECT i, 'partner_issuance', 1 + i % {partner_count}, 'PTS', -(1 + i % 500) FROM generate_series(1, {entries}) AS i \
             UNION ALL \
             SELECT i, 'member_available', 1 + i % 100000, 'PTS', 1 + i % 500 FROM generate_series(1, {entries}) AS i"
        ),
        format!(
            "INSERT INTO clearing_events (entry_id, posted_at, kind, partner_id, issuer_partner_id, points, price_micros, order_ref) \
             SELECT i, TIMESTAMP '{start}' + (i % 2592000) * INTERVAL '1 second', \
                    CASE WHEN i % 20 < 10 THEN 'issue' WHEN i % 20 < 12 THEN 'clawback' \
                         WHEN i % 20 < 18 THEN 'redeem' WHEN i % 20 = 18 THEN 'reverse' ELSE 'breakage' END, \
                    CASE WHEN i % 20 = 19 THEN NULL ELSE 1 + i % {partner_count} END, \
                    CASE WHEN i % 20 < 12 OR i % 20 = 19 THEN 1 + i % {partner_count} \
                         WHEN i % 7 = 0 THEN NULL ELSE 1 + (i / 3) % {partner_count} END, \
                    1 + i % 500, \
                    CASE WHEN i % 20 < 12 OR i % 20 = 19 THEN 8000 + i % {partner_count} ELSE 6000 + i % {partner_count} END, \
                    'O-' || i \
             FROM generate_series(1, {entries}) AS i"
        ),
        "SELECT setval(pg_get_serial_sequence('journal_entries', 'id'), (SELECT MAX(id) FROM journal_entries))".to_owned(),
        "ANALYZE journal_entries".to_owned(),
        "ANALYZE clearing_events".to_owned(),
    ];
    for sql in statements {
        diesel::sql_query(sql).execute(conn)?;
    }
    Ok(())
}
