//! Every setting, its environment variable, default and unit. Each `LOYALTY_*` variable can
//! also be given as a command-line flag named after it without the prefix, in kebab case
//! (`LOYALTY_POOL_SIZE` is `--pool-size`); `RUST_LOG` is read from the environment only.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `DATABASE_URL` | `sqlite://data/loyalty.db` | `postgres://...` for PostgreSQL, `sqlite://PATH` for SQLite |
//! | `LOYALTY_LISTEN` | `127.0.0.1:8080` | address and port the server listens on |
//! | `LOYALTY_DATA_DIR` | `data` | folder of the default SQLite file and of the generated master key |
//! | `LOYALTY_MASTER_KEY` | generated into `<data dir>/master.key` | 64 hex characters; seals partner secrets (AES-256-GCM) |
//! | `LOYALTY_POOL_SIZE` | `10` | most database connections |
//! | `LOYALTY_POOL_TIMEOUT_MS` | `5000` | how long a request waits for a connection before a 503 |
//! | `LOYALTY_SQLITE_BUSY_TIMEOUT_MS` | `10000` | SQLite: how long a writer waits for the write lock |
//! | `LOYALTY_PG_STATEMENT_TIMEOUT_MS` | `10000` | PostgreSQL: longest statement |
//! | `LOYALTY_WORKERS` | number of cores | HTTP worker threads |
//! | `LOYALTY_WRITERS` | `4` | PostgreSQL: writer threads that group-commit the requests moving points, 1 to 64 (SQLite always has one) |
//! | `LOYALTY_JOB_INTERVAL_S` | `60` | how often expiry and hold release run in-process; 0 turns them off |
//! | `LOYALTY_SETTLE_DAY` | `0` (off) | close a settlement period every month at 00:00 UTC on this day (1 to 28) |
//! | `LOYALTY_ADJUSTABLE_CLOCK` | `false` (`true` with `--demo`) | lets the operator move the clock forward (demo and tests only) |
//! | `LOYALTY_SESSION_TTL_S` | `86400` | lifetime of a member's sign-in token on the network clock, 60 s to 10 years |
//! | `LOYALTY_SECURE_COOKIES` | `false` | mark the member pages' cookies `Secure` on every answer: set it when the server is only reached over HTTPS (TLS ended by a proxy that does not send `X-Forwarded-Proto`) |
//! | `LOYALTY_TRUST_PROXY` | `false` | a reverse proxy in front is trusted: its `X-Forwarded-Proto: https` marks the member pages' cookies `Secure`, and the first address of its `X-Forwarded-For` is the client for the sign-in rate limit. Leave it off when clients reach the server directly: they could forge both headers |
//! | `RUST_LOG` | `info` | log filter |

use std::path::PathBuf;

use clap::Args;

/// The settings shared by every subcommand.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Database URL: `postgres://...` or `sqlite://PATH`.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Address to listen on.
    #[arg(long, env = "LOYALTY_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Folder of the default SQLite database and of the generated master key.
    #[arg(long, env = "LOYALTY_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Master key, 64 hex characters (never logged).
    #[arg(long, env = "LOYALTY_MASTER_KEY", hide_env_values = true)]
    pub master_key: Option<String>,
    /// Most database connections.
    #[arg(long, env = "LOYALTY_POOL_SIZE", default_value_t = 10)]
    pub pool_size: u32,
    /// Milliseconds a request waits for a database connection.
    #[arg(long, env = "LOYALTY_POOL_TIMEOUT_MS", default_value_t = 5000)]
    pub pool_timeout_ms: u64,
    /// Milliseconds a SQLite writer waits for the write lock.
    #[arg(long, env = "LOYALTY_SQLITE_BUSY_TIMEOUT_MS", default_value_t = 10_000)]
    pub sqlite_busy_timeout_ms: u64,
    /// Milliseconds a PostgreSQL statement may run.
    #[arg(
        long,
        env = "LOYALTY_PG_STATEMENT_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub pg_statement_timeout_ms: u64,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "LOYALTY_WORKERS")]
    pub workers: Option<usize>,
    /// PostgreSQL: writer threads that group-commit the requests moving points (SQLite has one).
    #[arg(long, env = "LOYALTY_WRITERS", default_value_t = crate::service::platform::writer::WRITERS_PG_DEFAULT,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub writers: u16,
    /// Seconds between runs of the in-process jobs (expiry, hold release); 0 turns them off.
    #[arg(long, env = "LOYALTY_JOB_INTERVAL_S", default_value_t = 60)]
    pub job_interval_s: u64,
    /// Scheduled settlement: close a period every month at 00:00 UTC on this day (1 to 28);
    /// 0 (the default) leaves closing to the operator.
    #[arg(long, env = "LOYALTY_SETTLE_DAY", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=28))]
    pub settle_day: u32,
    /// Lets the operator move the clock forward (demo and tests only); the offset is kept in
    /// the database for every instance.
    #[arg(long, env = "LOYALTY_ADJUSTABLE_CLOCK", default_value_t = false)]
    pub adjustable_clock: bool,
    /// Seconds a member's sign-in token lives, on the network clock (60 s to 10 years).
    #[arg(long, env = "LOYALTY_SESSION_TTL_S", default_value_t = 86_400,
          value_parser = clap::value_parser!(i64).range(60..=315_360_000))]
    pub session_ttl_s: i64,
    /// Marks the member pages' cookies `Secure` on every answer (HTTPS-only deployments).
    #[arg(long, env = "LOYALTY_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Trusts a reverse proxy's `X-Forwarded-Proto` and `X-Forwarded-For` (member pages).
    #[arg(long, env = "LOYALTY_TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,
}

impl Settings {
    /// The database URL, defaulting to a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("loyalty.db").display()))
    }

    /// Settings for tests: the given database, an adjustable clock, no background jobs.
    pub fn for_tests(database_url: String, data_dir: PathBuf) -> Settings {
        Settings {
            database_url: Some(database_url),
            listen: "127.0.0.1:0".into(),
            data_dir,
            master_key: Some(crate::crypto::new_master_key_hex()),
            pool_size: 8,
            pool_timeout_ms: 10_000,
            sqlite_busy_timeout_ms: 30_000,
            pg_statement_timeout_ms: 30_000,
            workers: Some(2),
            writers: crate::service::platform::writer::WRITERS_PG_DEFAULT,
            job_interval_s: 0,
            settle_day: 0,
            adjustable_clock: true,
            // Tests move the clock by years; a sign-in lasts ten years of it, and the test of
            // expiry moves past that.
            session_ttl_s: 315_360_000,
            secure_cookies: false,
            trust_proxy: false,
        }
    }
}
