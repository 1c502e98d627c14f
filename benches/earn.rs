//! Earn throughput: the server under load over HTTP, against the same SQL run directly.
//!
//! `cargo bench --bench earn` (on PostgreSQL; `BENCH_PG_URL`, default
//! `postgres://root@127.0.0.1:5432/postgres`, names the server; a fresh database is created
//! and dropped). Two phases, at the same concurrency, each for `BENCH_SECONDS` (default 10):
//!
//! 1. HTTP: `BENCH_CLIENTS` (default 16) concurrent partner clients send signed earns through
//!    the SDK to the server on 127.0.0.1, each sale for one of `BENCH_MEMBERS` members.
//! 2. Direct: the same number of threads run, on pooled connections, the statements the server
//!    runs for one earn (key lookup, nonce insert, partner lookup, idempotency claim, the earn
//!    transaction, the stored answer), through the same database code, with no HTTP, JSON or
//!    HMAC: the physical limit of the database work.
//!
//! It prints both rates and their ratio. Durability stays on (PostgreSQL's defaults:
//! `fsync` and `synchronous_commit` on). Every request loop is bounded in time and count.

#![allow(
    clippy::as_conversions,
    clippy::indexing_slicing,
    clippy::expect_used,
    reason = "benchmark code: rates are floats for printing only, and a panic aborts the run"
)]

mod common;
use common::env_or;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use loyalty_server::config::Settings;
use loyalty_server::db::queries::partners as partner_rows;
use loyalty_server::db::queries::platform::auth as auth_rows;
use loyalty_server::domain::clock::Clock;
use loyalty_server::domain::ids::PartnerId;
use loyalty_server::service::{earning, members, partners, platform::idempotency, AppState};
use loyalty_server::startup::Application;
use partner_sdk::types::EarnRequest;

const REQUESTS_MAX: u64 = 2_000_000;

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

struct Fixture {
    state: AppState,
    partner_id: PartnerId,
    key_id: String,
    secret: String,
    members: Vec<String>,
}

fn seed(state: &AppState, member_count: usize) -> anyhow::Result<Fixture> {
    let mut conn = state.pool.get()?;
    let now = state.clock.now_naive();
    let err = |e: loyalty_server::error::ApiError| anyhow::anyhow!("{e}");
    let partner = partners::create(
        &mut conn,
        now,
        "bench",
        &loyalty_server::http::partners::json::CreatePartnerRequest {
            slug: "megastore".into(),
            name: "Megastore".into(),
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
    let key = partners::issue_key(
        &mut conn,
        &state.master_key,
        now,
        PartnerId::from(partner.id),
    )
    .map_err(err)?;
    let mut numbers = Vec::with_capacity(member_count);
    for i in 0..member_count {
        let link = members::enrol(
            &mut conn,
            now,
            PartnerId::from(partner.id),
            &partner_sdk::types::EnrolMemberRequest {
                customer_ref: Some(format!("c{i}")),
                display_name: None,
            },
        )
        .map_err(err)?;
        numbers.push(link.member_number);
    }
    Ok(Fixture {
        state: state.clone(),
        partner_id: PartnerId::from(partner.id),
        key_id: key.key_id,
        secret: key.secret,
        members: numbers,
    })
}

async fn http_phase(
    address: &str,
    fx: &Fixture,
    clients: usize,
    seconds: u64,
) -> (u64, u64, Duration) {
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let client = partner_sdk::Client::new(address, &fx.key_id, &fx.secret).expect("client");
        let members = fx.members.clone();
        let (ok, failed) = (ok.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            let mut i: u64 = 0;
            while Instant::now() < deadline && ok.load(Ordering::Relaxed) < REQUESTS_MAX {
                let idx = usize::try_from((i * clients as u64 + c as u64) % members.len() as u64)
                    .unwrap_or(0);
                let req = sale(&members[idx], format!("h-{c}-{i}"));
                match client.earn(&req).await {
                    Ok(_) => ok.fetch_add(1, Ordering::Relaxed),
                    Err(_) => failed.fetch_add(1, Ordering::Relaxed),
                };
                i += 1;
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    (
        ok.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
        started.elapsed(),
    )
}

fn direct_phase(fx: &Fixture, threads: usize, seconds: u64) -> (u64, u64, Duration) {
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (ok, failed, stop) = (ok.clone(), failed.clone(), stop.clone());
            let state = fx.state.clone();
            let members = fx.members.clone();
            let (partner_id, key_id) = (fx.partner_id, fx.key_id.clone());
            std::thread::spawn(move || {
                let mut conn = state.pool.get().expect("connection");
                let mut i: u64 = 0;
                while !stop.load(Ordering::Relaxed) && ok.load(Ordering::Relaxed) < REQUESTS_MAX {
                    let idx =
                        usize::try_from((i * threads as u64 + t as u64) % members.len() as u64)
                            .unwrap_or(0);
                    let req = sale(&members[idx], format!("d-{t}-{i}"));
                    let now = state.clock.now_naive();
                    let nonce = partner_sdk::signing::new_nonce();
                    let result = (|| {
                        // The statements of authentication...
                        partner_rows::active_key(&mut conn, &key_id)?;
                        auth_rows::insert_nonce(&mut conn, &key_id, &nonce, now)?;
                        partner_rows::partner(&mut conn, partner_id)?;
                        // ...and of the idempotent earn itself.
                        idempotency::run(&mut conn, now, partner_id, &nonce, "bench", |conn| {
                            let out =
                                earning::earn(conn, &state.categories, now, partner_id, &req)?;
                            Ok((201, serde_json::to_string(&out).unwrap_or_default()))
                        })
                        .map_err(|e| {
                            diesel::result::Error::QueryBuilderError(e.to_string().into())
                        })?;
                        Ok::<(), diesel::result::Error>(())
                    })();
                    match result {
                        Ok(()) => ok.fetch_add(1, Ordering::Relaxed),
                        Err(_) => failed.fetch_add(1, Ordering::Relaxed),
                    };
                    i += 1;
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        let _ = h.join();
    }
    (
        ok.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
        started.elapsed(),
    )
}

fn rate(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

fn main() -> anyhow::Result<()> {
    let clients: usize = env_or("BENCH_CLIENTS", 16);
    let seconds: u64 = env_or("BENCH_SECONDS", 10).min(120);
    let member_count: usize = env_or("BENCH_MEMBERS", 2_000);
    common::with_fresh_database(|url| run(url, clients, seconds, member_count))
}

fn run(url: &str, clients: usize, seconds: u64, member_count: usize) -> anyhow::Result<()> {
    let data_dir = std::env::temp_dir().join(format!(
        "loyalty-bench-{}",
        partner_sdk::signing::random_token_hex(4)
    ));
    std::fs::create_dir_all(&data_dir)?;
    let mut settings = Settings::for_tests(url.to_owned(), data_dir);
    settings.pool_size = u32::try_from(clients + 4).unwrap_or(20);
    settings.adjustable_clock = false;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let app = Application::build(&settings, Clock::system()).await?;
        let address = format!("http://127.0.0.1:{}", app.port());
        let state = app.state.clone();
        tokio::spawn(app.run_until_stopped());
        let fx = seed(&state, member_count)?;
        println!("earn benchmark on PostgreSQL: {clients} concurrent clients, {seconds} s per phase, {member_count} members, one partner");
        let (h_ok, h_failed, h_time) = http_phase(&address, &fx, clients, seconds).await;
        let (d_ok, d_failed, d_time) = tokio::task::spawn_blocking(move || direct_phase(&fx, clients, seconds)).await?;
        let (h_rate, d_rate) = (rate(h_ok, h_time), rate(d_ok, d_time));
        println!("HTTP   (signed, through the server): {h_ok:>8} earns in {:.1} s = {h_rate:>8.0} earns/s ({h_failed} failed)", h_time.as_secs_f64());
        println!("direct (same SQL, no HTTP):          {d_ok:>8} earns in {:.1} s = {d_rate:>8.0} earns/s ({d_failed} failed)", d_time.as_secs_f64());
        println!("ratio HTTP / direct: {:.2}", if d_rate > 0.0 { h_rate / d_rate } else { 0.0 });
        Ok(())
    })
}
