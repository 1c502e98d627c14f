//! Earn throughput, measured honestly: the server over HTTP against a naive durable earn
//! written directly in SQL, at the same concurrency, on PostgreSQL then on SQLite.
//!
//! `cargo bench --bench earn` (PostgreSQL: `BENCH_PG_URL`, default
//! `postgres://root@127.0.0.1:5432/postgres`, names the server; a fresh database is created and
//! dropped). `BENCH_CLIENTS` (default 16) concurrent clients; each phase warms up for 2 s, then
//! runs `BENCH_WINDOWS` (default 3) windows of `BENCH_SECONDS` (default 5) and prints the
//! median rate and the spread. Phases:
//!
//! - **HTTP, one partner**: signed earns through the SDK (its retries off, so a 503 counts as a
//!   failure, by code), all at one partner, for 2,000 of its members.
//! - **HTTP, twenty partners**: the same load spread over twenty partners (100 members each).
//! - **raw SQL, naive**: one idempotency row, one journal entry with two postings, one wallet
//!   update, one lot, one commit per earn, in plain SQL on tables of the benchmark's own
//!   (`common/raw.rs`): the reference the server is measured against.
//! - **raw SQL, set-based**: the same earns 100 per transaction (arrays through `unnest`).
//! - **batch endpoint**: `POST /v1/partner/earns/batch`, 100 sales a request, from the same
//!   number of clients at the one partner, compared with the set-based raw SQL.
//!
//! - **half the peak**: the one-partner load paced at half its measured rate (clients staggered),
//!   for the p99 latency, printed with the peak's.
//! - **history**: the one-partner load again once the journal holds `BENCH_ENTRIES` (10^6)
//!   entries of past earns (it starts with 10^4).
//! - **SQLite** (`BENCH_SQLITE=0` skips it): HTTP at one partner, the naive earn in plain SQL on
//!   a file of its own opened with the server's pragmas (`common/raw_sqlite.rs`), and the batch
//!   endpoint.
//!
//! Every member starts with 30 open lots (pending, so none matures during the run); the
//! server logs at `info`, formatted as in production (written to a sink). Durability stays on
//! (PostgreSQL's defaults). Every loop is bounded in time and count.

#![allow(
    clippy::as_conversions,
    clippy::indexing_slicing,
    clippy::expect_used,
    reason = "benchmark code: rates are floats for printing only, and a panic aborts the run"
)]

mod common;
#[path = "common/raw.rs"]
mod raw;
#[path = "common/raw_sqlite.rs"]
mod raw_sqlite;
use common::env_or;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::{Connection, PgConnection, RunQueryDsl};
use loyalty_server::config::Settings;
use loyalty_server::domain::clock::Clock;
use loyalty_server::domain::ids::PartnerId;
use loyalty_server::service::{members, partners, AppState};
use loyalty_server::startup::Application;
use partner_sdk::types::EarnRequest;

const REQUESTS_MAX: u64 = 5_000_000;
const WARM_UP: Duration = Duration::from_secs(2);

/// A partner's credentials and its members.
struct Shop {
    key_id: String,
    secret: String,
    members: Vec<String>,
}

fn sale(number: &str, order: String) -> EarnRequest {
    EarnRequest {
        member_number: number.to_owned(),
        order_id: order,
        occurred_at: None,
        amount_minor: 4250,
        currency: "EUR".into(),
        lines: None,
    }
}

fn seed_shop(state: &AppState, slug: &str, members: usize) -> anyhow::Result<Shop> {
    let mut conn = state.pool.get()?;
    let now = state.clock.now_naive();
    let err = |e: loyalty_server::error::ApiError| anyhow::anyhow!("{e}");
    let partner = partners::create(
        &mut conn,
        now,
        "bench",
        &loyalty_server::http::partners::json::CreatePartnerRequest {
            slug: slug.into(),
            name: slug.into(),
            universe: "groceries".into(),
            contract: loyalty_server::http::partners::json::ContractTerms {
                earn_rate_bp: 10_000,
                issuance_price_micros: 8_000,
                redemption_price_micros: 6_000,
                return_window_days: 14,
                period_fee_minor: 0,
                effective_from: None,
                category_rules: Vec::new(),
            },
            status: None,
        },
    )
    .map_err(err)?;
    let id = PartnerId::from(partner.id);
    let key = partners::issue_key(&mut conn, &state.master_key, now, id).map_err(err)?;
    let mut numbers = Vec::with_capacity(members);
    for i in 0..members {
        let link = members::enrol(
            &mut conn,
            now,
            id,
            &partner_sdk::types::EnrolMemberRequest {
                customer_ref: Some(format!("c{i}")),
                display_name: None,
            },
        )
        .map_err(err)?;
        numbers.push(link.member_number);
    }
    Ok(Shop {
        key_id: key.key_id,
        secret: key.secret,
        members: numbers,
    })
}

/// Thirty pending lots per member (available 1 to 30 days from now), with their balances, and
/// each member's tier row (as any member who earned before has).
fn seed_lots(url: &str) -> anyhow::Result<()> {
    let mut conn = PgConnection::establish(url)?;
    for sql in [
        "INSERT INTO journal_entries (id, kind, member_id, partner_id, reference, memo, posted_at, chain, prev_hash, hash) \
         VALUES (999999999, 'adjustment', NULL, NULL, 'bench-seed', NULL, now(), 'bench-seed', '', '')",
        "INSERT INTO lots (member_id, asset, issuer_kind, issuer_partner_id, price_micros, points, remaining, \
                           earned_at, available_at, expires_at, matured, entry_id) \
         SELECT m.id, 'PTS', 'partner', 1, 8000, 10, 10, now(), now() + s * INTERVAL '1 day', \
                now() + INTERVAL '2 years', FALSE, 999999999 \
         FROM members m CROSS JOIN generate_series(1, 30) AS s",
        "UPDATE members SET pending_points = pending_points + 300",
        // Members who have earned before hold their tier row: a first earn writes it.
        "INSERT INTO member_tiers (member_id, tier_code, since) \
         SELECT m.id, (SELECT code FROM tiers ORDER BY tier_rank LIMIT 1), now() FROM members m \
         ON CONFLICT DO NOTHING",
        "ANALYZE",
    ] {
        diesel::sql_query(sql).execute(&mut conn)?;
    }
    Ok(())
}

/// `count` more journal entries of past earns (400 days ago), spread over the members, each
/// with its two postings: the history a database in production carries.
fn seed_history(url: &str, count: i64) -> anyhow::Result<()> {
    let mut conn = PgConnection::establish(url)?;
    diesel::sql_query(format!(
        "WITH e AS (INSERT INTO journal_entries (kind, member_id, partner_id, reference, memo, posted_at, chain, prev_hash, hash) \
           SELECT 'earn', 1 + g % 4000, 1, 'history-' || g || '-' || random(), NULL, now() - INTERVAL '400 days', \
                  'history', '', '' FROM generate_series(1, {count}) AS g RETURNING id, member_id) \
         INSERT INTO postings (entry_id, account, owner_id, asset, amount) \
         SELECT id, 'partner_issuance', 1, 'PTS', -10 FROM e UNION ALL \
         SELECT id, 'member_available', member_id, 'PTS', 10 FROM e"
    ))
    .execute(&mut conn)?;
    diesel::sql_query("ANALYZE").execute(&mut conn)?;
    Ok(())
}

/// Thirty pending lots per member on the SQLite server, as [`seed_lots`] does.
fn seed_lots_sqlite(path: &str) -> anyhow::Result<()> {
    use diesel::connection::SimpleConnection;
    let mut conn = diesel::SqliteConnection::establish(path)?;
    conn.batch_execute(
        "PRAGMA busy_timeout = 30000; \
         INSERT INTO journal_entries (id, kind, member_id, partner_id, reference, memo, posted_at, chain, prev_hash, hash) \
         VALUES (999999999, 'adjustment', NULL, NULL, 'bench-seed', NULL, strftime('%Y-%m-%d %H:%M:%f', 'now'), 'bench-seed', '', ''); \
         WITH RECURSIVE s(d) AS (SELECT 1 UNION ALL SELECT d + 1 FROM s WHERE d < 30) \
         INSERT INTO lots (member_id, asset, issuer_kind, issuer_partner_id, price_micros, points, remaining, \
                           earned_at, available_at, expires_at, matured, entry_id) \
         SELECT m.id, 'PTS', 'partner', 1, 8000, 10, 10, strftime('%Y-%m-%d %H:%M:%f', 'now'), \
                strftime('%Y-%m-%d %H:%M:%f', 'now', '+' || s.d || ' days'), \
                strftime('%Y-%m-%d %H:%M:%f', 'now', '+2 years'), 0, 999999999 \
         FROM members m CROSS JOIN s; \
         UPDATE members SET pending_points = pending_points + 300; \
         INSERT INTO member_tiers (member_id, tier_code, since) \
         SELECT m.id, (SELECT code FROM tiers ORDER BY tier_rank LIMIT 1), \
                strftime('%Y-%m-%d %H:%M:%f', 'now') FROM members m WHERE true \
         ON CONFLICT DO NOTHING; \
         ANALYZE;",
    )?;
    Ok(())
}

/// Counters of a phase: successes, failures by code, and the latencies (microseconds) of the
/// requests that ended once the warm-up was over.
#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    failed: Mutex<BTreeMap<String, u64>>,
    measuring: AtomicBool,
    latencies_us: Mutex<Vec<u64>>,
}

impl Tally {
    fn fail(&self, code: String) {
        if let Ok(mut f) = self.failed.lock() {
            *f.entry(code).or_default() += 1;
        }
    }

    fn took(&self, started: std::time::Instant) {
        if self.measuring.load(Ordering::Relaxed) {
            if let Ok(mut l) = self.latencies_us.lock() {
                l.push(started.elapsed().as_micros() as u64);
            }
        }
    }

    /// The 99th percentile latency, in milliseconds.
    fn p99_ms(&self) -> f64 {
        let mut l = self
            .latencies_us
            .lock()
            .map(|l| l.clone())
            .unwrap_or_default();
        l.sort_unstable();
        let at = (l.len() * 99 / 100).min(l.len().saturating_sub(1));
        l.get(at).copied().unwrap_or(0) as f64 / 1000.0
    }
}

/// Warms up, then samples the success counter over the windows; returns each window's rate.
async fn windows(tally: &Tally, count: usize, seconds: u64) -> Vec<f64> {
    tokio::time::sleep(WARM_UP).await;
    tally.measuring.store(true, Ordering::Relaxed);
    let mut rates = Vec::with_capacity(count);
    let mut last = tally.ok.load(Ordering::Relaxed);
    for _ in 0..count {
        let started = std::time::Instant::now();
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        let now = tally.ok.load(Ordering::Relaxed);
        rates.push((now - last) as f64 / started.elapsed().as_secs_f64());
        last = now;
    }
    rates
}

/// Measures the windows while `tasks` run, then stops them and waits for them to end.
async fn measure(
    tally: Arc<Tally>,
    stop: &AtomicBool,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    (count, seconds): (usize, u64),
) -> (Vec<f64>, Tally) {
    let rates = windows(&tally, count, seconds).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    (rates, Arc::try_unwrap(tally).unwrap_or_default())
}

/// HTTP earns from `clients` concurrent clients over the shops, round robin; at most `rate`
/// earns a second in all when it is given (each client paced), as fast as they go otherwise.
async fn http_phase(
    address: &str,
    shops: &[Shop],
    (clients, rate): (usize, Option<f64>),
    (count, seconds): (usize, u64),
    tag: &str,
) -> (Vec<f64>, Tally) {
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for c in 0..clients {
        let sdk: Vec<partner_sdk::Client> = shops
            .iter()
            .map(|s| {
                let mut config = partner_sdk::ClientConfig::new(address, &s.key_id, &s.secret);
                config.max_retries = 0;
                partner_sdk::Client::with_config(config).expect("client")
            })
            .collect();
        let members: Vec<Vec<String>> = shops.iter().map(|s| s.members.clone()).collect();
        let (tally, stop, tag) = (tally.clone(), stop.clone(), tag.to_owned());
        // Each client's ticks are offset by its share of the period, so that the clients do not
        // all send at the same instant.
        let mut pace = rate.map(|r| {
            let period = Duration::from_secs_f64(clients as f64 / r.max(1.0));
            let first = tokio::time::Instant::now() + period.mul_f64(c as f64 / clients as f64);
            let mut t = tokio::time::interval_at(first, period);
            t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            t
        });
        tasks.push(tokio::spawn(async move {
            let mut i: u64 = 0;
            while !stop.load(Ordering::Relaxed) && i < REQUESTS_MAX {
                if let Some(pace) = pace.as_mut() {
                    pace.tick().await;
                }
                let started = std::time::Instant::now();
                let shop = (i as usize + c) % sdk.len();
                let list = &members[shop];
                let member = &list[(i as usize * clients + c) % list.len()];
                match sdk[shop]
                    .earn(&sale(member, format!("{tag}-{c}-{i}")))
                    .await
                {
                    Ok(_) => {
                        tally.ok.fetch_add(1, Ordering::Relaxed);
                        tally.took(started);
                    }
                    Err(e) => tally.fail(e.code().unwrap_or("transport").to_owned()),
                }
                i += 1;
            }
        }));
    }
    measure(tally, &stop, tasks, (count, seconds)).await
}

/// Batch earns over HTTP (`POST /v1/partner/earns/batch`, `batch` sales a request) from
/// `clients` concurrent clients at one shop; a sale counts when its result is `earned`.
async fn batch_phase(
    address: &str,
    shop: &Shop,
    clients: usize,
    (count, seconds): (usize, u64),
    batch: usize,
) -> (Vec<f64>, Tally) {
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for c in 0..clients {
        let mut config = partner_sdk::ClientConfig::new(address, &shop.key_id, &shop.secret);
        config.max_retries = 0;
        config.timeout = Duration::from_secs(60);
        let sdk = partner_sdk::Client::with_config(config).expect("client");
        let members = shop.members.clone();
        let (tally, stop) = (tally.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut i: u64 = 0;
            while !stop.load(Ordering::Relaxed) && i < REQUESTS_MAX {
                let sales = (0..batch)
                    .map(|k| {
                        let n = (i as usize * clients + c) * batch + k;
                        sale(&members[n % members.len()], format!("batch-{c}-{i}-{k}"))
                    })
                    .collect();
                let request = partner_sdk::batch::EarnBatchRequest { sales };
                match sdk.earn_batch(&request).await {
                    Ok(answer) => {
                        tally.ok.fetch_add(answer.earned, Ordering::Relaxed);
                        for result in answer.results {
                            if let Some(problem) = result.problem {
                                tally.fail(problem.code);
                            }
                        }
                    }
                    Err(e) => tally.fail(e.code().unwrap_or("transport").to_owned()),
                }
                i += 1;
            }
        }));
    }
    measure(tally, &stop, tasks, (count, seconds)).await
}

/// Where the raw reference runs.
#[derive(Clone)]
enum RawTarget {
    /// A PostgreSQL URL.
    Pg(String),
    /// A SQLite file.
    Sqlite(String),
}

/// Raw SQL earns from `threads` threads, one earn per commit or `batch` per transaction.
async fn raw_phase(
    target: &RawTarget,
    threads: usize,
    (count, seconds): (usize, u64),
    (batch, members): (usize, i64),
    tag: &str,
) -> (Vec<f64>, Tally) {
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (tally, stop, target, tag) =
                (tally.clone(), stop.clone(), target.clone(), tag.to_owned());
            std::thread::spawn(move || {
                let (mut pg, mut sqlite) = match &target {
                    RawTarget::Pg(url) => (
                        Some(PgConnection::establish(url).expect("connection")),
                        None,
                    ),
                    RawTarget::Sqlite(path) => {
                        (None, Some(raw_sqlite::open(path).expect("connection")))
                    }
                };
                let mut i: u64 = 0;
                while !stop.load(Ordering::Relaxed) && i < REQUESTS_MAX {
                    // A thread's batch: members in a row, distinct, apart from the others'.
                    let base = (i as i64 * threads as i64 + t as i64) * batch as i64;
                    let items: Vec<(i64, String)> = (0..batch as i64)
                        .map(|k| (1 + (base + k) % members, format!("{tag}-{t}-{i}-{k}")))
                        .collect();
                    let result = match (&mut pg, &mut sqlite) {
                        (Some(conn), _) if batch == 1 => {
                            raw::earn_one(conn, items[0].0, &items[0].1)
                        }
                        (Some(conn), _) => raw::earn_batch(conn, &items),
                        (None, Some(conn)) => raw_sqlite::earn_one(conn, items[0].0, &items[0].1),
                        (None, None) => unreachable!("one connection is open"),
                    };
                    match result {
                        Ok(()) => {
                            tally.ok.fetch_add(batch as u64, Ordering::Relaxed);
                        }
                        Err(e) => tally.fail(e.to_string()),
                    }
                    i += 1;
                }
            })
        })
        .collect();
    let rates = windows(&tally, count, seconds).await;
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        let _ = h.join();
    }
    let tally = Arc::try_unwrap(tally).unwrap_or_default();
    (rates, tally)
}

fn median(rates: &[f64]) -> f64 {
    let mut sorted = rates.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
}

fn report(name: &str, (rates, tally): &(Vec<f64>, Tally)) -> f64 {
    let m = median(rates);
    let min = rates.iter().copied().fold(f64::INFINITY, f64::min);
    let max = rates.iter().copied().fold(0.0, f64::max);
    let failed = tally.failed.lock().map(|f| f.clone()).unwrap_or_default();
    println!(
        "{name:<34} median {m:>7.0} earns/s (windows {min:.0} to {max:.0}); failures: {}",
        if failed.is_empty() {
            "none".to_owned()
        } else {
            format!("{failed:?}")
        }
    );
    m
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}

fn main() -> anyhow::Result<()> {
    let clients: usize = env_or("BENCH_CLIENTS", 16).clamp(1, 256);
    let seconds: u64 = env_or("BENCH_SECONDS", 5).clamp(1, 60);
    let count: usize = env_or("BENCH_WINDOWS", 3).clamp(1, 10);
    common::with_fresh_database(|url| run(url, clients, (count, seconds)))
}

fn run(url: &str, clients: usize, windows: (usize, u64)) -> anyhow::Result<()> {
    // The server logs as in production: `info`, formatted, written (here to a sink).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
        .with_writer(std::io::sink)
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        postgres(url, clients, windows).await?;
        if env_or("BENCH_SQLITE", 1) == 1 {
            sqlite(clients, windows).await?;
        }
        Ok(())
    })
}

/// A server on `url` with its own data folder, serving.
async fn serve(
    url: String,
    clients: usize,
) -> anyhow::Result<(String, AppState, std::path::PathBuf)> {
    let data_dir = std::env::temp_dir().join(format!(
        "loyalty-bench-{}",
        partner_sdk::signing::random_token_hex(4)
    ));
    std::fs::create_dir_all(&data_dir)?;
    let mut settings = Settings::for_tests(url, data_dir.clone());
    settings.pool_size = u32::try_from(clients + 4).unwrap_or(20);
    settings.adjustable_clock = false;
    settings.writers = env_or("BENCH_WRITERS", settings.writers);
    let app = Application::build(&settings, Clock::system()).await?;
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state.clone();
    tokio::spawn(app.run_until_stopped());
    Ok((address, state, data_dir))
}

async fn postgres(url: &str, clients: usize, windows: (usize, u64)) -> anyhow::Result<()> {
    let (address, state, _) = serve(url.to_owned(), clients).await?;
    let one = vec![seed_shop(&state, "megastore", 2_000)?];
    let mut twenty = Vec::new();
    for i in 0..20 {
        twenty.push(seed_shop(&state, &format!("shop-{i}"), 100)?);
    }
    seed_lots(url)?;
    seed_history(url, 10_000)?;
    let mut raw_conn = PgConnection::establish(url)?;
    raw::create_tables(&mut raw_conn, 4_000)?;
    let raw_pg = RawTarget::Pg(url.to_owned());
    println!(
        "earn benchmark on PostgreSQL: {clients} concurrent clients, 2 s warm-up, {} windows of {} s, 30 open lots per member, 10^4 journal entries to start with",
        windows.0, windows.1
    );
    let peak = http_phase(&address, &one, (clients, None), windows, "one").await;
    let one_partner = report("HTTP, one partner", &peak);
    let spread = report(
        "HTTP, twenty partners",
        &http_phase(&address, &twenty, (clients, None), windows, "spread").await,
    );
    let naive = report(
        "raw SQL, one commit per earn",
        &raw_phase(&raw_pg, clients, windows, (1, 4_000), "naive").await,
    );
    let set = report(
        "raw SQL, 100 earns per transaction",
        &raw_phase(&raw_pg, clients, windows, (100, 4_000), "set").await,
    );
    let batched = report(
        "batch endpoint, 100 sales a request",
        &batch_phase(&address, &one[0], clients, windows, 100).await,
    );
    println!("ratios: HTTP one partner / raw naive {:.2}; / raw set-based {:.2}; one partner / twenty partners {:.2}; batch endpoint / raw set-based {:.2}",
        ratio(one_partner, naive), ratio(one_partner, set), ratio(one_partner, spread), ratio(batched, set));
    let half = http_phase(
        &address,
        &one,
        (clients, Some(one_partner / 2.0)),
        windows,
        "half",
    )
    .await;
    report("HTTP, one partner, half the peak", &half);
    println!(
        "latency p99: {:.1} ms at the peak, {:.1} ms at half the peak",
        peak.1.p99_ms(),
        half.1.p99_ms()
    );
    let entries: i64 = env_or("BENCH_ENTRIES", 1_000_000);
    let started = std::time::Instant::now();
    seed_history(url, entries - 10_000)?;
    println!(
        "(added {} journal entries in {:.0} s)",
        entries - 10_000,
        started.elapsed().as_secs_f64()
    );
    let large = report(
        &format!("HTTP, one partner, {entries} entries"),
        &http_phase(&address, &one, (clients, None), windows, "large").await,
    );
    println!(
        "ratio: {entries} entries / 10^4 entries {:.2}",
        ratio(large, one_partner)
    );
    Ok(())
}

async fn sqlite(clients: usize, windows: (usize, u64)) -> anyhow::Result<()> {
    let folder = std::env::temp_dir().join(format!(
        "loyalty-bench-sqlite-{}",
        partner_sdk::signing::random_token_hex(4)
    ));
    std::fs::create_dir_all(&folder)?;
    let server_db = folder.join("server.db").display().to_string();
    let (address, state, _) = serve(format!("sqlite://{server_db}"), clients).await?;
    let one = vec![seed_shop(&state, "megastore", 2_000)?];
    seed_lots_sqlite(&server_db)?;
    let raw_db = folder.join("raw.db").display().to_string();
    raw_sqlite::create_tables(&mut raw_sqlite::open(&raw_db)?, 4_000)?;
    println!("earn benchmark on SQLite (WAL, synchronous = FULL): {clients} concurrent clients, same windows");
    let http = report(
        "HTTP, one partner",
        &http_phase(&address, &one, (clients, None), windows, "one").await,
    );
    let raw = report(
        "raw SQL, one commit per earn",
        &raw_phase(
            &RawTarget::Sqlite(raw_db),
            clients,
            windows,
            (1, 4_000),
            "naive",
        )
        .await,
    );
    let batched = report(
        "batch endpoint, 100 sales a request",
        &batch_phase(&address, &one[0], clients, windows, 100).await,
    );
    println!(
        "ratios: HTTP / raw naive {:.2}; batch endpoint / raw naive {:.2}",
        ratio(http, raw),
        ratio(batched, raw)
    );
    drop(state);
    let _ = std::fs::remove_dir_all(&folder);
    Ok(())
}
