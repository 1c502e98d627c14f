//! The connection enum, its r2d2 manager, migrations and transactions.

use std::path::Path;
use std::time::Duration;

use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// PostgreSQL migrations, embedded in the binary.
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
/// SQLite migrations, embedded in the binary; the same folder names as PostgreSQL's.
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// One connection to either backend. Queries are written once against this type.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    /// Production backend.
    Pg(PgConnection),
    /// Embedded default backend.
    Sqlite(SqliteConnection),
}

/// Which backend a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `postgres://` or `postgresql://`.
    Postgres,
    /// `sqlite://PATH` or a plain file path.
    Sqlite,
}

impl Backend {
    /// The backend of a connection.
    pub fn of_conn(conn: &DbConn) -> Backend {
        match conn {
            DbConn::Pg(_) => Backend::Postgres,
            DbConn::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// `postgres` or `sqlite`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }

    /// The backend of a database URL: PostgreSQL for `postgres://` and `postgresql://`, SQLite
    /// for `sqlite://PATH` and anything else that looks like a path.
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Pool sizing and timeouts; every value is read from the settings (see `config`).
#[derive(Debug, Clone)]
pub struct PoolSettings {
    /// Most connections the pool opens.
    pub size_max: u32,
    /// How long a request waits for a free connection.
    pub checkout_timeout_ms: u64,
    /// SQLite: how long a writer waits for the write lock before failing.
    pub sqlite_busy_timeout_ms: u64,
    /// PostgreSQL: the longest a single statement may run.
    pub pg_statement_timeout_ms: u64,
}

/// The r2d2 pool of [`DbConn`].
pub type DbPool = r2d2::Pool<ConnManager>;

/// An r2d2 manager that picks the backend from the URL's scheme, so that a PostgreSQL error is
/// reported as itself and a mistyped URL never silently creates an empty SQLite file elsewhere.
#[derive(Debug)]
pub struct ConnManager {
    url: String,
    backend: Backend,
    settings: PoolSettings,
}

impl ConnManager {
    fn sqlite_path(&self) -> &str {
        self.url.strip_prefix("sqlite://").unwrap_or(&self.url)
    }
}

impl r2d2::ManageConnection for ConnManager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        match self.backend {
            Backend::Postgres => {
                let mut conn = PgConnection::establish(&pg_url_with_timeouts(&self.url))
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                conn.batch_execute(&format!(
                    "SET statement_timeout = {}; SET TIME ZONE 'UTC';",
                    self.settings.pg_statement_timeout_ms
                ))
                .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConn::Pg(conn))
            }
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(self.sqlite_path())
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                // WAL lets readers run beside the one writer; synchronous=FULL keeps every
                // acknowledged commit across a power loss (durability stays on); foreign keys are
                // off by default in SQLite and must be asked for on every connection.
                conn.batch_execute(&format!(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {};",
                    self.settings.sqlite_busy_timeout_ms
                ))
                .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    /// A connection is dropped instead of returned to the pool when its transaction manager is
    /// broken: a failed rollback, or [`mark_broken`] after an error that says the database
    /// went away. Without this, every connection to a restarted PostgreSQL stayed in the pool
    /// and answered "no connection to the server" for ever.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        use diesel::r2d2::R2D2Connection;
        conn.is_broken()
    }
}

/// libpq settings that make a vanished server an error within seconds instead of a hang: a
/// fail-over or a network partition sends no TCP reset, and without them a worker would wait
/// minutes on a dead socket. Each is added only when the URL does not set it.
const PG_TIMEOUT_PARAMS: [(&str, &str); 5] = [
    ("connect_timeout", "5"),
    ("keepalives_idle", "10"),
    ("keepalives_interval", "5"),
    ("keepalives_count", "3"),
    ("tcp_user_timeout", "20000"),
];

fn pg_url_with_timeouts(url: &str) -> String {
    let mut out = url.to_owned();
    for (name, value) in PG_TIMEOUT_PARAMS {
        if !url.contains(&format!("{name}=")) {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(&format!("{name}={value}"));
        }
    }
    out
}

/// Builds the pool. For SQLite, the file's folder must exist (a missing folder is a mistyped
/// path, not something to create silently), except for the default data directory, which the
/// caller creates.
pub fn build_pool(url: &str, settings: &PoolSettings) -> anyhow::Result<DbPool> {
    let backend = Backend::of_url(url);
    if backend == Backend::Sqlite {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        if let Some(parent) = Path::new(path).parent() {
            if !parent.as_os_str().is_empty() && !parent.is_dir() {
                anyhow::bail!(
                    "the folder of the SQLite database {path:?} does not exist; create it or fix DATABASE_URL"
                );
            }
        }
    }
    let manager = ConnManager {
        url: url.to_owned(),
        backend,
        settings: settings.clone(),
    };
    let pool = r2d2::Pool::builder()
        .max_size(settings.size_max)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_millis(settings.checkout_timeout_ms))
        .test_on_check_out(false)
        .build(manager)?;
    Ok(pool)
}

/// Reverts every applied migration of the connection's backend (each `down.sql`, newest
/// first); returns how many. For the test that proves each migration reverses.
pub fn revert_migrations(conn: &mut DbConn) -> anyhow::Result<usize> {
    Ok(match conn {
        DbConn::Pg(c) => c
            .revert_all_migrations(PG_MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("PostgreSQL revert failed: {e}"))?
            .len(),
        DbConn::Sqlite(c) => c
            .revert_all_migrations(SQLITE_MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("SQLite revert failed: {e}"))?
            .len(),
    })
}

/// Applies every pending migration of the connection's backend.
pub fn run_migrations(conn: &mut DbConn) -> anyhow::Result<()> {
    let applied = match conn {
        DbConn::Pg(c) => c
            .run_pending_migrations(PG_MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("PostgreSQL migration failed: {e}"))?
            .len(),
        DbConn::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("SQLite migration failed: {e}"))?
            .len(),
    };
    if applied > 0 {
        tracing::info!(migrations.applied = applied, "database migrated");
    }
    Ok(())
}

/// Runs a trivial query; returns the backend that answered.
pub fn ping(conn: &mut DbConn) -> Result<Backend, DieselError> {
    conn.batch_execute("SELECT 1")?;
    Ok(Backend::of_conn(conn))
}

/// Whether a database error is a unique constraint violation.
pub fn is_unique_violation(err: &DieselError) -> bool {
    matches!(
        err,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)
    )
}
