//! `spawn_app`: the real application on 127.0.0.1:0 with a fresh database (a temporary SQLite
//! file, or a PostgreSQL database created from a template migrated once), an adjustable clock
//! and an operator token. `both_backends!` runs one scenario on each backend.

mod calls;
pub mod fixtures;
mod pg;
pub mod requests;

pub use calls::{code_of, link, sale, unused_member_number};
pub use pg::pg_admin_url;
use pg::{pg_template, with_database};

use diesel::{Connection, PgConnection, RunQueryDsl};
use loyalty_server::config::Settings;
use loyalty_server::domain::clock::Clock;
use loyalty_server::http::ledger::json::VerifyReport;
use loyalty_server::service::{ledger::verify, platform::auth, AppState};
use loyalty_server::startup::Application;
use partner_sdk::types::Balance;
use partner_sdk::Client;
use serde_json::{json, Value};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs an `async fn(&TestApp)` scenario once on SQLite and once on PostgreSQL, then checks
/// that the ledger verifies clean and drops the database.
#[macro_export]
macro_rules! both_backends {
    ($scenario:ident, $tweak:ident) => {
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                $crate::helpers::run_with($crate::helpers::Backend::Sqlite, super::$tweak, |app| {
                    Box::pin(super::$scenario(app))
                })
                .await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                $crate::helpers::run_with(
                    $crate::helpers::Backend::Postgres,
                    super::$tweak,
                    |app| Box::pin(super::$scenario(app)),
                )
                .await;
            }
        }
    };
    ($scenario:ident) => {
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                $crate::helpers::run($crate::helpers::Backend::Sqlite, |app| {
                    Box::pin(super::$scenario(app))
                })
                .await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                $crate::helpers::run($crate::helpers::Backend::Postgres, |app| {
                    Box::pin(super::$scenario(app))
                })
                .await;
            }
        }
    };
}

type Scenario =
    for<'a> fn(&'a TestApp) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>>;

/// Spawns the app, runs the scenario, checks the ledger, cleans up.
pub async fn run(backend: Backend, scenario: Scenario) {
    run_with(backend, |_| {}, scenario).await;
}

/// [`run`] with settings changed from the tests' defaults.
pub async fn run_with(backend: Backend, tweak: fn(&mut Settings), scenario: Scenario) {
    let Some(app) = spawn_app_with(backend, tweak).await else {
        return;
    };
    scenario(&app).await;
    let internal = app
        .state
        .internal_errors
        .load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(
        internal, 0,
        "the server answered {internal} internal errors (500)"
    );
    let report = app.verify().await;
    assert!(
        report.is_clean(),
        "ledger not clean after the test: {:#?}",
        report.problems
    );
}

/// A running application and what a test needs to drive it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// The application's state (pool, clock).
    pub state: AppState,
    /// An operator bearer token.
    pub operator_token: String,
    /// A plain HTTP client.
    pub http: reqwest::Client,
    /// The settings it runs with (a second instance on the same database uses them too).
    pub settings: Settings,
    /// Its database backend.
    pub backend: Backend,
    pg_database: Option<String>,
    temp_dir: Option<std::path::PathBuf>,
}

/// Builds the application on a fresh database, with settings changed from the tests' defaults.
pub async fn spawn_app_with(backend: Backend, tweak: fn(&mut Settings)) -> Option<TestApp> {
    // The server's warnings and errors, shown with a failing test's output.
    let logs =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(logs)
        .with_test_writer()
        .try_init();
    let temp_dir = std::env::temp_dir().join(format!(
        "loyalty-test-{}",
        partner_sdk::signing::random_token_hex(8)
    ));
    std::fs::create_dir_all(&temp_dir).expect("temp dir");
    let (url, pg_database) = match backend {
        Backend::Sqlite => (
            format!("sqlite://{}", temp_dir.join("test.db").display()),
            None,
        ),
        Backend::Postgres => {
            let template = pg_template()?;
            let name = format!("loyalty_t_{}", partner_sdk::signing::random_token_hex(8));
            let mut admin = PgConnection::establish(&pg_admin_url()).expect("admin connection");
            diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
                .execute(&mut admin)
                .expect("create test database");
            (with_database(&pg_admin_url(), &name), Some(name))
        }
    };
    let mut settings = Settings::for_tests(url, temp_dir.clone());
    tweak(&mut settings);
    let app = Application::build(&settings, Clock::adjustable())
        .await
        .expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state.clone();
    tokio::spawn(app.run_until_stopped());
    let mut conn = state.pool.get().expect("connection");
    let operator_token = auth::create_operator_token(&mut conn, "test").expect("operator token");
    Some(TestApp {
        address,
        state,
        operator_token,
        http: reqwest::Client::new(),
        settings,
        backend,
        pg_database,
        temp_dir: Some(temp_dir),
    })
}

/// A partner created for a test, with its SDK client.
pub struct TestPartner {
    pub id: i64,
    pub key_id: String,
    pub secret: String,
    pub client: Client,
}

impl TestApp {
    /// The PostgreSQL database's name (None on SQLite).
    pub fn pg_database(&self) -> Option<&str> {
        self.pg_database.as_deref()
    }

    /// Sends an operator request and returns (status, JSON body).
    pub async fn operator(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(&self.operator_token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("operator request");
        let status = res.status().as_u16();
        let body = res.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// Creates a partner with the given earn rate and return window (issuance 8,000 and
    /// redemption 6,000 micros per point, no fee) and one key.
    pub async fn partner(
        &self,
        slug: &str,
        earn_rate_bp: i64,
        return_window_days: i64,
    ) -> TestPartner {
        self.partner_with(
            slug,
            json!({"earn_rate_bp": earn_rate_bp, "issuance_price_micros": 8000,
                   "redemption_price_micros": 6000, "return_window_days": return_window_days}),
        )
        .await
    }

    /// Creates a partner with this contract and one key.
    pub async fn partner_with(&self, slug: &str, contract: Value) -> TestPartner {
        self.partner_created(
            json!({"slug": slug, "name": slug, "universe": "test", "contract": contract}),
        )
        .await
    }

    /// Creates a partner from a whole creation request, and one key.
    pub async fn partner_created(&self, request: Value) -> TestPartner {
        let (status, body) = self
            .operator(
                reqwest::Method::POST,
                "/v1/operator/partners",
                Some(request),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let id = body["id"].as_i64().expect("partner id");
        let (status, key) = self
            .operator(
                reqwest::Method::POST,
                &format!("/v1/operator/partners/{id}/keys"),
                None,
            )
            .await;
        assert_eq!(status, 201, "{key}");
        let key_id = key["key_id"].as_str().expect("key id").to_owned();
        let secret = key["secret"].as_str().expect("secret").to_owned();
        let client = Client::new(&self.address, &key_id, &secret).expect("client");
        TestPartner {
            id,
            key_id,
            secret,
            client,
        }
    }

    /// Sends an unauthenticated GET and returns (status, JSON body).
    pub async fn public_get(&self, path: &str) -> (u16, Value) {
        let res = self
            .http
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("get");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Signs a member up; returns (member number, session token).
    pub async fn member(&self, email: &str) -> (String, String) {
        let res = self
            .http
            .post(format!("{}/v1/member/signup", self.address))
            .json(&json!({"email": email, "password": "correct horse battery"}))
            .send()
            .await
            .expect("signup");
        assert_eq!(res.status().as_u16(), 201);
        let body: Value = res.json().await.expect("json");
        (
            body["member_number"].as_str().expect("number").to_owned(),
            body["token"].as_str().expect("token").to_owned(),
        )
    }

    /// A fresh one-time code of a member.
    pub async fn code(&self, token: &str) -> String {
        let res = self
            .http
            .post(format!("{}/v1/member/codes", self.address))
            .bearer_auth(token)
            .send()
            .await
            .expect("code");
        assert_eq!(res.status().as_u16(), 201);
        let body: Value = res.json().await.expect("json");
        body["code"].as_str().expect("code").to_owned()
    }

    /// A member's balance, as the member sees it.
    pub async fn balance(&self, token: &str) -> Balance {
        let res = self
            .http
            .get(format!("{}/v1/member/balance", self.address))
            .bearer_auth(token)
            .send()
            .await
            .expect("balance");
        assert_eq!(res.status().as_u16(), 200);
        res.json().await.expect("balance json")
    }

    /// Moves the network's clock forward.
    pub fn advance_days(&self, days: i64) {
        self.advance_s(days * 86_400);
    }

    /// Moves the network's clock forward by seconds (stored in the database, as the operator's
    /// `POST /v1/operator/clock` does, so every instance on it moves).
    pub fn advance_s(&self, seconds: i64) {
        let state = self.state.clone();
        tokio::task::block_in_place(move || {
            let mut conn = state.pool.get().expect("connection");
            loyalty_server::service::platform::clock::advance(&mut conn, &state.clock, seconds)
                .expect("advance the clock");
        });
    }

    /// Spends points of a member at a partner: a fresh code, a hold, a capture of `capture`
    /// points (all when None). Returns the redemption id.
    pub async fn spend(
        &self,
        shop: &TestPartner,
        number: &str,
        token: &str,
        points: i64,
        capture: Option<i64>,
    ) -> i64 {
        let code = self.code(token).await;
        let hold = shop
            .client
            .authorize(&partner_sdk::types::AuthorizeRequest {
                member_number: number.to_owned(),
                code,
                points,
                order_id: None,
                currency: Default::default(),
            })
            .await
            .expect("authorize");
        shop.client
            .capture(
                hold.redemption_id,
                &partner_sdk::types::CaptureRequest { points: capture },
            )
            .await
            .expect("capture");
        hold.redemption_id
    }

    /// Runs the ledger verification (through the server's own checkout, which drops
    /// connections that died in a test's database outage).
    pub async fn verify(&self) -> VerifyReport {
        self.state
            .run(|conn, _| verify::run(conn))
            .await
            .expect("verify")
    }

    /// Runs raw SQL against the test database (to tamper with it).
    pub async fn execute_sql(&self, sql: &'static str) -> usize {
        let pool = self.state.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().expect("connection");
            diesel::sql_query(sql).execute(&mut *conn).expect("sql")
        })
        .await
        .expect("join")
    }
}

/// Drops the test's database and files, also when the test failed.
impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(name) = self.pg_database.take() {
            if let Ok(mut admin) = PgConnection::establish(&pg_admin_url()) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin);
            }
        }
        if let Some(dir) = self.temp_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
