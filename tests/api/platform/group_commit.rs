//! Group commit: concurrent requests that move points are committed together by the writers,
//! yet each gets exactly the answer it would get alone, and a batch whose commit fails
//! acknowledges nothing.

use futures::future::join_all;
use partner_sdk::types::EarnRequest;
use partner_sdk::RequestOptions;

use super::signing::{send, sign};
use crate::both_backends;
use crate::helpers::{code_of, link, sale, unused_member_number, TestApp, TestPartner};

/// Sends a signed earn by hand with this nonce; returns the status and the problem code.
async fn earn_with_nonce(
    app: &TestApp,
    shop: &TestPartner,
    req: &EarnRequest,
    nonce: &str,
) -> (u16, String) {
    let path = "/v1/partner/earns";
    let body = serde_json::to_vec(req).expect("json");
    let signed = sign(
        shop,
        "POST",
        path,
        &body,
        chrono::Utc::now().timestamp(),
        nonce,
    );
    send(app, &shop.key_id, path, &body, &signed).await
}

/// What one request of the burst got: the points earned, or the refusal's code.
fn outcome<T>(result: Result<T, partner_sdk::Error>, points: impl Fn(&T) -> i64) -> String {
    match result {
        Ok(value) => format!("earned {}", points(&value)),
        Err(e) => code_of::<()>(Err(e)),
    }
}

async fn a_mixed_burst_answers_each_request_as_it_would_alone(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (ann, _) = app.member("ann@example.com").await;
    let (bob, _) = app.member("bob@example.com").await;
    link(&shop, &ann).await;
    link(&shop, &bob).await;
    let stranger = unused_member_number(&ann);
    shop.client
        .earn(&sale(&ann, "DUP", 500))
        .await
        .expect("earn");

    // Each request of the burst, and what it gets alone: 20 sales of 1.00 to 20.00 EUR (1 point
    // per euro), three earns of an order that earned before, three for a member nobody has.
    let mut expected = Vec::new();
    let mut burst = Vec::new();
    for i in 1..=20i64 {
        let member = if i % 2 == 0 { &ann } else { &bob };
        burst.push(sale(member, &format!("B-{i}"), i * 100));
        expected.push(format!("earned {i}"));
    }
    for _ in 0..3 {
        burst.push(sale(&bob, "DUP", 700));
        expected.push("order_already_earned".to_owned());
    }
    for i in 0..3 {
        burst.push(sale(&stranger, &format!("S-{i}"), 700));
        expected.push("member_not_found".to_owned());
    }
    let no_retry = RequestOptions::new().max_retries(0);
    let plain = join_all(burst.iter().map(|req| {
        let (client, options) = (shop.client.clone(), no_retry.clone());
        async move { client.earn_with(req, &options).await }
    }));
    // The same signed request sent twice at once (one nonce): one earns, one is a replay.
    let twice = sale(&ann, "NONCE", 300);
    let nonce = partner_sdk::signing::new_nonce();
    let replays = join_all((0..2).map(|_| earn_with_nonce(app, &shop, &twice, &nonce)));
    // Two requests under one idempotency key at once: one earns, the other gets its answer.
    let keyed = sale(&bob, "KEYED", 400);
    let same_key = RequestOptions::new()
        .idempotency_key("same-key")
        .max_retries(0);
    let duplicates = join_all((0..2).map(|_| shop.client.earn_with(&keyed, &same_key)));
    let (plain, replays, duplicates) = tokio::join!(plain, replays, duplicates);

    let got: Vec<String> = plain
        .into_iter()
        .map(|r| outcome(r, |a| a.value.points))
        .collect();
    assert_eq!(got, expected);
    let mut replays: Vec<(u16, String)> = replays;
    replays.sort();
    assert_eq!(
        replays,
        [(201, String::new()), (401, "nonce_replayed".to_owned())]
    );
    let duplicates: Vec<_> = duplicates
        .into_iter()
        .map(|d| d.expect("keyed earn"))
        .collect();
    assert_eq!(duplicates.iter().filter(|d| d.replayed).count(), 1);
    assert!(duplicates.iter().all(|d| d.value == duplicates[0].value));

    // Alone, one after another, the same sales earn the same points.
    for i in 1..=20i64 {
        let member = if i % 2 == 0 { &ann } else { &bob };
        let alone = shop
            .client
            .earn(&sale(member, &format!("A-{i}"), i * 100))
            .await
            .expect("earn alone");
        assert_eq!(alone.points, i);
    }
    let history = shop.client.member_balance(&ann).await.expect("balance");
    // DUP 5, the even sales twice (2 x 110), NONCE 3.
    assert_eq!(history.available_points, 5 + 220 + 3);
}

both_backends!(a_mixed_burst_answers_each_request_as_it_would_alone);

/// Makes every commit that includes a journal entry fail, as a database failing at commit
/// would: a deferred check (SQLite: a deferred foreign key to nothing; PostgreSQL: a deferred
/// constraint trigger).
async fn fail_commits(app: &TestApp, on: bool) {
    let sql: &[&'static str] = match (app.pg_database().is_some(), on) {
        (false, true) => &[
            "CREATE TABLE commit_guard (id INTEGER PRIMARY KEY, \
             gone INTEGER REFERENCES journal_entries(id) DEFERRABLE INITIALLY DEFERRED)",
            "CREATE TRIGGER fail_commit AFTER INSERT ON journal_entries BEGIN \
             INSERT INTO commit_guard (gone) VALUES (-1); END",
        ],
        (false, false) => &["DROP TRIGGER fail_commit", "DROP TABLE commit_guard"],
        (true, true) => &[
            "CREATE FUNCTION fail_commit() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'commit refused by the test'; END $$",
            "CREATE CONSTRAINT TRIGGER fail_commit AFTER INSERT ON journal_entries \
             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_commit()",
        ],
        (true, false) => &[
            "DROP TRIGGER fail_commit ON journal_entries",
            "DROP FUNCTION fail_commit()",
        ],
    };
    for statement in sql {
        app.execute_sql(statement).await;
    }
}

async fn a_failed_commit_acknowledges_nothing_and_a_retry_earns_once(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (ann, token) = app.member("ann@example.com").await;
    link(&shop, &ann).await;
    let sales: Vec<EarnRequest> = (1..=12i64)
        .map(|i| sale(&ann, &format!("F-{i}"), i * 100))
        .collect();
    let options = |i: usize| {
        RequestOptions::new()
            .idempotency_key(format!("fail-{i}"))
            .max_retries(0)
    };
    let send = |shop: &TestPartner| {
        join_all(sales.iter().enumerate().map(|(i, req)| {
            let client = shop.client.clone();
            async move { client.earn_with(req, &options(i)).await }
        }))
    };

    // A request seen on the wire whose work is not committed: sent again as it was (its
    // nonce, under another Idempotency-Key) it is refused as a replay, not run.
    let captured = sale(&ann, "F-captured", 5_000);
    let nonce = partner_sdk::signing::new_nonce();
    fail_commits(app, true).await;
    for answer in send(&shop).await {
        assert_eq!(code_of(answer), "database_unavailable");
    }
    assert_eq!(
        earn_with_nonce(app, &shop, &captured, &nonce).await,
        (503, "database_unavailable".to_owned())
    );
    assert_eq!(
        app.balance(&token).await.available_points,
        0,
        "nothing kept"
    );
    fail_commits(app, false).await;
    assert_eq!(
        earn_with_nonce(app, &shop, &captured, &nonce).await,
        (401, "nonce_replayed".to_owned())
    );

    // The retries, with the same keys, earn once; sent again, they are replayed.
    let first: Vec<_> = send(&shop)
        .await
        .into_iter()
        .map(|a| a.expect("retry"))
        .collect();
    assert!(first.iter().all(|a| !a.replayed));
    let again: Vec<_> = send(&shop)
        .await
        .into_iter()
        .map(|a| a.expect("again"))
        .collect();
    assert!(again.iter().all(|a| a.replayed));
    assert_eq!(
        app.balance(&token).await.available_points,
        (1..=12).sum::<i64>()
    );
}

both_backends!(a_failed_commit_acknowledges_nothing_and_a_retry_earns_once);

/// PostgreSQL: the writer's commit of a batch's nonces fails once (a deferred trigger that
/// raises on the first value of a sequence, which no rollback takes back). The request is
/// answered 503 without running; its handler records the nonce all the same, so the request
/// seen on the wire, sent again as it was, is a replay and earns nothing.
async fn a_request_refused_before_its_nonce_was_recorded_cannot_be_replayed(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (ann, token) = app.member("ann@example.com").await;
    link(&shop, &ann).await;
    for statement in [
        "CREATE SEQUENCE nonce_failures",
        "CREATE FUNCTION fail_first_nonce() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
         IF nextval('nonce_failures') = 1 THEN RAISE EXCEPTION 'nonces refused by the test'; \
         END IF; RETURN NULL; END $$",
        "CREATE CONSTRAINT TRIGGER fail_first_nonce AFTER INSERT ON request_nonces \
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_first_nonce()",
    ] {
        app.execute_sql(statement).await;
    }
    let captured = sale(&ann, "N-1", 5_000);
    let nonce = partner_sdk::signing::new_nonce();
    assert_eq!(
        earn_with_nonce(app, &shop, &captured, &nonce).await,
        (503, "database_unavailable".to_owned())
    );
    assert_eq!(
        earn_with_nonce(app, &shop, &captured, &nonce).await,
        (401, "nonce_replayed".to_owned())
    );
    assert_eq!(app.balance(&token).await.available_points, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_request_refused_before_its_nonce_was_recorded_cannot_be_replayed_postgres() {
    crate::helpers::run(crate::helpers::Backend::Postgres, |app| {
        Box::pin(a_request_refused_before_its_nonce_was_recorded_cannot_be_replayed(app))
    })
    .await;
}
