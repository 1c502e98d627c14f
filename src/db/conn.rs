//! The connection enum, its r2d2 manager, migrations and transactions.

use std::path::Path;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
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
                let mut conn = PgConnection::establish(&self.url)
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

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
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

/// Runs `f` in a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so that writers queue on
/// the busy timeout instead of failing with "database is locked" when a read upgrades to a
/// write; on PostgreSQL it is an ordinary READ COMMITTED transaction in which the member row is
/// the lock. Inside another transaction it is a savepoint, as are `conn.transaction` calls
/// inside `f`.
pub fn write_tx<T, E>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DieselError>,
{
    let depth = <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()?;
    if depth.is_some() {
        return conn.transaction(f);
    }
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Pg(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match f(conn) {
        Ok(value) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(err) => {
            // The error of the work is what the caller needs; a failed rollback leaves the
            // connection broken, which r2d2 notices on its next use.
            if let Err(rollback) =
                <DbConn as Connection>::TransactionManager::rollback_transaction(conn)
            {
                tracing::error!(error = %rollback, "rollback failed");
            }
            Err(err)
        }
    }
}

/// Runs `f` in a read-only transaction, so that its reads see one consistent snapshot.
pub fn read_tx<T, E>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
where
    E: From<DieselError>,
{
    conn.transaction(f)
}

/// Whether a database error is a unique constraint violation.
pub fn is_unique_violation(err: &DieselError) -> bool {
    matches!(
        err,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)
    )
}
