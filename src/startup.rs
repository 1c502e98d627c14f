//! Building and running the application: database, master key, HTTP server, background jobs.
//! `main` and the tests both go through [`Application::build`].

use std::net::TcpListener;
use std::path::Path;

use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Settings;
use crate::crypto::{self, MasterKey};
use crate::db::{self, DbPool, PoolSettings};
use crate::domain::clock::Clock;
use crate::http;
use crate::service::{platform::jobs, AppState};

/// Opens the database named by the settings (creating the default data directory), and
/// applies pending migrations.
pub fn open_database(settings: &Settings) -> anyhow::Result<DbPool> {
    let url = settings.database_url();
    if settings.database_url.is_none() {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("creating {}", settings.data_dir.display()))?;
    }
    let pool = db::build_pool(
        &url,
        &PoolSettings {
            size_max: settings.pool_size,
            checkout_timeout_ms: settings.pool_timeout_ms,
            sqlite_busy_timeout_ms: settings.sqlite_busy_timeout_ms,
            pg_statement_timeout_ms: settings.pg_statement_timeout_ms,
        },
    )
    .with_context(|| format!("connecting to {}", redact(&url)))?;
    let mut conn = pool.get().context("getting a database connection")?;
    db::run_migrations(&mut conn)?;
    Ok(pool)
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = url.get(scheme + 3..at).unwrap_or("");
            let user = userinfo.split(':').next().unwrap_or("");
            format!(
                "{}{}:***{}",
                url.get(..scheme + 3).unwrap_or(""),
                user,
                url.get(at..).unwrap_or("")
            )
        }
        _ => url.to_owned(),
    }
}

/// The master key from the settings, or from `<data dir>/master.key`, generated there (with a
/// warning) on first start.
pub fn load_master_key(settings: &Settings) -> anyhow::Result<MasterKey> {
    if let Some(hex) = &settings.master_key {
        return MasterKey::from_hex(hex).context("LOYALTY_MASTER_KEY must be 64 hex characters");
    }
    let path = settings.data_dir.join("master.key");
    if !path.exists() {
        std::fs::create_dir_all(&settings.data_dir)?;
        write_private(&path, &crypto::new_master_key_hex())?;
        tracing::warn!(
            path = %path.display(),
            "generated a new master key; back it up: partner secrets cannot be opened without it"
        );
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    MasterKey::from_hex(&text)
        .with_context(|| format!("{} must hold 64 hex characters", path.display()))
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

/// A running server.
pub struct Application {
    port: u16,
    server: Server,
    /// Shared state; tests use its clock and pool.
    pub state: AppState,
}

impl Application {
    /// Opens the database, binds the listener and prepares the server (not yet polled).
    pub async fn build(settings: &Settings, clock: Clock) -> anyhow::Result<Application> {
        let pool = open_database(settings)?;
        let master_key = load_master_key(settings)?;
        let state = AppState::new(
            pool,
            clock,
            master_key,
            settings.session_ttl_s,
            settings.writers,
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        // The statement-signing key exists from the start, so partners can fetch it before the
        // first close.
        {
            let mut conn = state.pool.get()?;
            let now = state.clock.now_naive();
            crate::db::write_tx(&mut conn, |conn| {
                crate::service::settlement::network_key::current_or_create(
                    conn,
                    &state.master_key,
                    now,
                )
                .map(|_| ())
            })?;
        }
        let listener = TcpListener::bind(&settings.listen)
            .with_context(|| format!("binding {}", settings.listen))?;
        let port = listener.local_addr()?.port();
        let pages = crate::web::WebSettings {
            secure_cookies: settings.secure_cookies,
            trust_proxy: settings.trust_proxy,
        };
        let server = serve(listener, state.clone(), pages, settings.workers)?;
        if settings.job_interval_s > 0 {
            spawn_jobs(state.clone(), settings.job_interval_s, settings.settle_day);
        }
        Ok(Application {
            port,
            server,
            state,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle that stops the server (tests stop the extra instances they start).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until the process is stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn serve(
    listener: TcpListener,
    state: AppState,
    pages: crate::web::WebSettings,
    workers: Option<usize>,
) -> anyhow::Result<Server> {
    let data = web::Data::new(state);
    // One sign-in rate limit for all the workers.
    let pages = web::Data::new(crate::web::WebState {
        settings: pages,
        throttle: Default::default(),
    });
    let mut server = HttpServer::new(move || {
        let (app, api) = http::documented(
            App::new()
                .wrap(http::problem_errors())
                .wrap(actix_web::middleware::Logger::new("%r %s %Dms").exclude("/healthz"))
                .wrap(actix_web::middleware::from_fn(http::guard))
                .app_data(data.clone())
                .app_data(pages.clone())
                .configure(http::extractor_configs)
                .into_utoipa_app(),
        )
        .split_for_parts();
        // The member pages are not part of the API's document: plain actix routes.
        app.service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
            .configure(crate::web::routes)
            .default_service(web::to(http::not_found))
    })
    .listen(listener)?;
    if let Some(n) = workers {
        server = server.workers(n.max(1));
    }
    Ok(server.run())
}

fn spawn_jobs(state: AppState, interval_s: u64, settle_day: u32) {
    let holder = format!("instance-{}", partner_sdk::signing::random_token_hex(6));
    actix_web::rt::spawn(async move {
        let mut ticker = tokio::time::interval(std::time::Duration::from_secs(interval_s));
        loop {
            ticker.tick().await;
            let this = holder.clone();
            let clock = state.clock.clone();
            let result = timed(
                "maintenance",
                state.run(move |conn, _| jobs::run_if_leased(conn, &clock, &this, interval_s)),
            )
            .await;
            match result {
                Ok(Some(report)) if report.members_synced > 0 => {
                    tracing::info!(members.synced = report.members_synced, "maintenance run");
                }
                Ok(_) => {}
                Err(e) if e.code() == crate::error::Code::DatabaseUnavailable => {
                    tracing::warn!(error = %e, "maintenance run skipped: database unavailable");
                }
                Err(e) => tracing::error!(error = %e, "maintenance run failed"),
            }
            let (this, clock) = (holder.clone(), state.clock.clone());
            let daily = timed(
                "daily",
                state.run(move |conn, _| {
                    let rfm = jobs::rfm_if_due(conn, &clock, &this).map(|_| ());
                    let tiers = jobs::tiers_if_due(conn, &clock, &this).map(|_| ());
                    rfm.and(tiers)
                }),
            )
            .await;
            match daily {
                Err(e) if e.code() == crate::error::Code::DatabaseUnavailable => {
                    tracing::warn!(error = %e, "daily jobs skipped: database unavailable");
                }
                Err(e) => tracing::error!(error = %e, "daily jobs failed"),
                Ok(()) => {}
            }
            if settle_day > 0 {
                let holder = holder.clone();
                let result = timed(
                    "settlement",
                    state.run(move |conn, s| jobs::settle_if_due(conn, s, &holder, settle_day)),
                )
                .await;
                if let Err(e) = result {
                    tracing::error!(error = %e, "scheduled settlement failed");
                }
            }
        }
    });
}

/// Runs a background job, counting the run and its duration for `/metrics`.
async fn timed<T>(
    job: &str,
    run: impl std::future::Future<Output = crate::error::ApiResult<T>>,
) -> crate::error::ApiResult<T> {
    let started = std::time::Instant::now();
    let result = run.await;
    let seconds = started.elapsed().as_secs_f64();
    crate::service::platform::metrics::job_run(job, result.is_ok(), seconds);
    result
}

/// The OpenAPI document as committed under `openapi/`.
pub fn openapi_json() -> anyhow::Result<String> {
    Ok(http::openapi_document().to_pretty_json()? + "\n")
}
