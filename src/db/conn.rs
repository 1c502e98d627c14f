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

/// Error messages (lower-cased) that mean the database cannot be reached or written right now,
/// rather than a bug: the connection was cut, the server is shutting down, starting up or in
/// recovery (PostgreSQL), or the file cannot be written (SQLite: read-only, disk full, I/O
/// error, the write lock not granted within the busy timeout).
const UNAVAILABLE_MESSAGES: &[&str] = &[
    "no connection to the server",
    "server closed the connection",
    "terminating connection",
    "could not connect",
    "connection refused",
    "could not receive data",
    "could not send data",
    "ssl syscall",
    "the database system is",
    "conflict with recovery",
    "canceling statement due to statement timeout",
    "timeout expired",
    "readonly database",
    "read-only transaction",
    "database or disk is full",
    "disk i/o error",
    "unable to open database file",
    "database is locked",
];

/// Whether a database error means the database is unavailable (answered 503, the connection
/// discarded) rather than a bug or a refused write.
pub fn is_unavailable(err: &DieselError) -> bool {
    match err {
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::ReadOnlyTransaction,
            _,
        )
        | DieselError::BrokenTransactionManager => true,
        DieselError::DatabaseError(_, info) => {
            let message = info.message().to_lowercase();
            UNAVAILABLE_MESSAGES.iter().any(|m| message.contains(m))
        }
        _ => false,
    }
}

/// Whether a database error is a conflict between concurrent transactions that running the
/// same transaction again resolves (a PostgreSQL serialization failure or deadlock).
pub fn is_transient(err: &DieselError) -> bool {
    match err {
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        DieselError::DatabaseError(_, info) => info.message().contains("deadlock detected"),
        _ => false,
    }
}

/// Marks a connection as broken, so the pool drops it instead of handing it out again.
pub fn mark_broken(conn: &mut DbConn) {
    <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn).set_in_error();
}

/// Most attempts of a write transaction that failed on a serialization failure or deadlock.
const TRANSIENT_ATTEMPTS_MAX: u32 = 5;

/// Runs `f` in a write transaction; see [`write_tx_once`]. At the top level, a transaction that
/// fails on a serialization failure or a deadlock is rolled back and run again (five attempts in
/// all, with a short growing pause), so concurrent requests behave as if run one after the
/// other; a conflict that outlasts them answers 500.
pub fn write_tx<T, E>(
    conn: &mut DbConn,
    mut f: impl FnMut(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DieselError> + TxError,
{
    let nested = <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()?
        .is_some();
    let mut attempt = 1;
    loop {
        match write_tx_once(conn, &mut f) {
            Err(e) if !nested && attempt < TRANSIENT_ATTEMPTS_MAX && e.is_transient() => {
                tracing::debug!(attempt, "transaction conflict; running it again");
                std::thread::sleep(std::time::Duration::from_millis(u64::from(attempt) * 5));
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// What [`write_tx`] needs to know of an error to decide on a retry.
pub trait TxError {
    /// Whether running the transaction again may succeed.
    fn is_transient(&self) -> bool;
    /// Whether the transaction commits what it wrote before this error (a refusal whose
    /// effects stand, such as a counted failed attempt).
    fn keeps_effects(&self) -> bool {
        false
    }
}

impl TxError for DieselError {
    fn is_transient(&self) -> bool {
        is_transient(self)
    }
}

/// Runs `f` in a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so that writers queue on
/// the busy timeout instead of failing with "database is locked" when a read upgrades to a
/// write; on PostgreSQL it is an ordinary READ COMMITTED transaction in which the member row is
/// the lock. Inside another transaction it is a savepoint, as are `conn.transaction` calls
/// inside `f`.
fn write_tx_once<T, E>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DieselError> + TxError,
{
    // A refusal that keeps its effects commits (the savepoint or the transaction) and is then
    // returned as the error it is.
    let work = |conn: &mut DbConn| match f(conn) {
        Ok(value) => Ok(Ok(value)),
        Err(e) if e.keeps_effects() => Ok(Err(e)),
        Err(e) => Err(e),
    };
    let depth = <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()?;
    if depth.is_some() {
        return conn.transaction(work)?;
    }
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Pg(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match work(conn) {
        Ok(outcome) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            outcome
        }
        Err(err) => {
            // The error of the work is what the caller needs; a failed rollback leaves the
            // connection broken, which the pool notices when it is returned.
            if let Err(rollback) =
                <DbConn as Connection>::TransactionManager::rollback_transaction(conn)
            {
                tracing::error!(error = %rollback, "rollback failed");
            }
            Err(err)
        }
    }
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
