//! The server rides out a database outage by itself: 503 `database_unavailable` with
//! `Retry-After` while the database is gone, then service again without a restart, and nothing
//! acknowledged lost. Two instances on one database read one network clock.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};
use loyalty_server::domain::clock::Clock;
use loyalty_server::startup::Application;
use partner_sdk::{Client, ClientConfig};
use serde_json::json;

use crate::both_backends;
use crate::helpers::{link, pg_admin_url, sale, Backend, TestApp, TestPartner};

/// A client that never retries, so every 503 is seen.
fn no_retry(app: &TestApp, p: &TestPartner) -> Client {
    let mut config = ClientConfig::new(&app.address, &p.key_id, &p.secret);
    config.max_retries = 0;
    Client::with_config(config).expect("client")
}

/// What a burst of earns met: acknowledged order ids, and the codes of the refusals.
#[derive(Default)]
struct Outcome {
    acknowledged: BTreeSet<String>,
    refused: Vec<String>,
}

/// Eight clients send earns until `stop`; each order id is sent once.
async fn earn_load(client: &Client, number: &str, stop: Instant) -> Outcome {
    let tasks: Vec<_> = (0..8)
        .map(|worker| {
            let client = client.clone();
            let number = number.to_owned();
            tokio::spawn(async move {
                let mut out = Outcome::default();
                let mut i = 0;
                while Instant::now() < stop {
                    let order = format!("W{worker}-{i}");
                    i += 1;
                    match client.earn(&sale(&number, &order, 100)).await {
                        Ok(_) => {
                            out.acknowledged.insert(order);
                        }
                        Err(e) => out.refused.push(e.code().unwrap_or("no code").to_owned()),
                    }
                }
                out
            })
        })
        .collect();
    let mut all = Outcome::default();
    for task in tasks {
        let out = task.await.expect("join");
        all.acknowledged.extend(out.acknowledged);
        all.refused.extend(out.refused);
    }
    all
}

/// Cuts the database off from the server for about a second: on PostgreSQL every server-side
/// connection of the test database is terminated, several times; on SQLite another connection
/// holds the write lock past the server's busy timeout.
fn outage(app: &TestApp) {
    match app.backend {
        Backend::Postgres => {
            let name = app.pg_database().expect("database name");
            let mut admin = PgConnection::establish(&pg_admin_url()).expect("admin");
            for _ in 0..5 {
                admin
                    .batch_execute(&format!(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                         WHERE datname = '{name}' AND pid <> pg_backend_pid()"
                    ))
                    .expect("terminate");
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        Backend::Sqlite => {
            let url = app.settings.database_url();
            let path = url.trim_start_matches("sqlite://");
            let mut locker = SqliteConnection::establish(path).expect("open");
            locker
                .batch_execute("PRAGMA busy_timeout = 5000; BEGIN EXCLUSIVE")
                .expect("lock");
            std::thread::sleep(Duration::from_millis(1_200));
            locker.batch_execute("COMMIT").expect("unlock");
        }
    }
}

fn short_busy_timeout(settings: &mut loyalty_server::config::Settings) {
    settings.sqlite_busy_timeout_ms = 300;
    settings.pool_timeout_ms = 2_000;
}

async fn a_database_outage_gives_503s_then_service_without_a_restart(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, token) = app.member("outage@example.com").await;
    link(&shop, &number).await;
    let client = no_retry(app, &shop);
    let stop = Instant::now() + Duration::from_millis(2_500);
    let load = earn_load(&client, &number, stop);
    let cut = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let app_ref = app;
        tokio::task::block_in_place(|| outage(app_ref));
    };
    let (during, ()) = tokio::join!(load, cut);
    assert!(
        during.refused.iter().all(|c| c == "database_unavailable"),
        "only 503 database_unavailable during the outage: {:?}",
        during.refused
    );
    assert!(!during.refused.is_empty(), "the outage was seen");
    assert!(!during.acknowledged.is_empty());

    // Service again, without restarting the server, within a few seconds.
    let back = Instant::now();
    let mut after = Outcome::default();
    for i in 0..20 {
        let order = format!("AFTER-{i}");
        loop {
            match client.earn(&sale(&number, &order, 100)).await {
                Ok(_) => break,
                Err(e) => {
                    assert_eq!(e.code(), Some("database_unavailable"), "{e}");
                    assert!(back.elapsed() < Duration::from_secs(10), "no recovery: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        after.acknowledged.insert(order);
    }
    let res = app
        .http
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .expect("healthz");
    assert_eq!(res.status().as_u16(), 200);

    // Every acknowledged earn is in the ledger exactly once; nothing else is.
    let earns: Vec<String> = shop
        .client
        .all_entries()
        .await
        .expect("list")
        .into_iter()
        .filter(|t| t.kind == "earn")
        .map(|t| t.reference)
        .collect();
    let unique: BTreeSet<String> = earns.iter().cloned().collect();
    assert_eq!(unique.len(), earns.len(), "an order earned twice");
    for order in during.acknowledged.iter().chain(&after.acknowledged) {
        assert!(unique.contains(order), "acknowledged {order} is missing");
    }
    let balance = app.balance(&token).await;
    assert_eq!(
        balance.available_points,
        i64::try_from(earns.len()).unwrap()
    );
}
both_backends!(
    a_database_outage_gives_503s_then_service_without_a_restart,
    short_busy_timeout
);

async fn a_stopped_database_answers_503_with_retry_after(app: &TestApp) {
    if app.backend != Backend::Postgres {
        // SQLite has no server to stop; its outage is the locked file above.
        return;
    }
    let name = app.pg_database().expect("database name").to_owned();
    let mut admin = PgConnection::establish(&pg_admin_url()).expect("admin");
    // No new connection is allowed while the old ones are cut: the database is "down". The
    // refusal commits first, on its own: run in one transaction with the termination, it would
    // let the pool reconnect between the two.
    admin
        .batch_execute(&format!(
            "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false"
        ))
        .expect("stop");
    let terminate = format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    );
    admin.batch_execute(&terminate).expect("terminate");
    // Termination is asynchronous: a backend may answer one more query before it exits.
    let cut = Instant::now();
    let res = loop {
        let res = app
            .http
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .expect("healthz");
        if res.status().as_u16() != 200 || cut.elapsed() > Duration::from_secs(5) {
            break res;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(res.status().as_u16(), 503);
    assert_eq!(res.headers()["retry-after"], "1");
    let body: serde_json::Value = res.json().await.expect("problem");
    assert_eq!(body["code"], "database_unavailable");
    let res = app
        .http
        .get(format!("{}/livez", app.address))
        .send()
        .await
        .expect("livez");
    assert_eq!(res.status().as_u16(), 200, "alive, though not ready");
    admin
        .batch_execute(&format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true"))
        .expect("start");
    let back = Instant::now();
    loop {
        let res = app
            .http
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .expect("healthz");
        if res.status().as_u16() == 200 {
            break;
        }
        assert!(back.elapsed() < Duration::from_secs(10), "no recovery");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
both_backends!(
    a_stopped_database_answers_503_with_retry_after,
    short_busy_timeout
);

async fn two_instances_on_one_database_read_one_clock(app: &TestApp) {
    let second = Application::build(&app.settings, Clock::adjustable())
        .await
        .expect("second instance");
    let second_address = format!("http://127.0.0.1:{}", second.port());
    let (second_handle, second_state) = (second.handle(), second.state.clone());
    tokio::spawn(second.run_until_stopped());
    let shop = app.partner("shop", 10_000, 14).await;
    let (number, token) = app.member("twins@example.com").await;
    link(&shop, &number).await;
    shop.client
        .earn(&sale(&number, "PENDING", 1_000))
        .await
        .expect("earn");
    // The operator moves the clock on the first instance, over HTTP.
    let (status, body) = app
        .operator(
            reqwest::Method::POST,
            "/v1/operator/clock",
            Some(json!({"advance_s": 15 * 86_400})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let res = app
        .http
        .get(format!("{second_address}/v1/operator/clock"))
        .bearer_auth(&app.operator_token)
        .send()
        .await
        .expect("clock");
    let clock: serde_json::Value = res.json().await.expect("json");
    assert_eq!(clock["offset_s"], body["offset_s"]);
    // The return window has ended on the second instance too.
    let res = app
        .http
        .get(format!("{second_address}/v1/member/balance"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("balance");
    let balance: partner_sdk::types::Balance = res.json().await.expect("balance");
    assert_eq!((balance.available_points, balance.pending_points), (10, 0));
    let on_second = Client::new(&second_address, &shop.key_id, &shop.secret).expect("client");
    assert_eq!(
        on_second
            .member_balance(&number)
            .await
            .expect("balance")
            .available_points,
        10
    );
    let internal = second_state
        .internal_errors
        .load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(internal, 0, "the second instance answered 500s");
    second_handle.stop(true).await;
}
both_backends!(two_instances_on_one_database_read_one_clock);
