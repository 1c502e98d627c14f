//! Transactions and what a database error means: write transactions (retried on a conflict,
//! savepoints when nested), whether an error is the database being unavailable (a 503) or a
//! conflict between concurrent transactions (run again), and lock waits cut short in a
//! writer's batch.

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::conn::DbConn;

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
/// same transaction again resolves (a PostgreSQL serialization failure, deadlock, or a lock
/// wait cut short by [`limit_lock_waits`]).
pub fn is_transient(err: &DieselError) -> bool {
    match err {
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        DieselError::DatabaseError(_, info) => {
            let message = info.message();
            message.contains("deadlock detected") || message.contains("lock timeout")
        }
        _ => false,
    }
}

/// Longest wait for a row lock inside a writer's batch, in milliseconds (PostgreSQL).
const BATCH_LOCK_WAIT_MS: u32 = 100;

/// Within the current transaction, cuts a wait for a row lock short (PostgreSQL): a request of
/// a writer's batch that waits on a row another writer's batch holds (a promotion's budget)
/// fails fast as a conflict and runs again alone after the batch, instead of holding up the
/// whole batch or deadlocking with the other one. SQLite has one writer: nothing to do.
pub fn limit_lock_waits(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        DbConn::Pg(c) => c.batch_execute(&format!("SET LOCAL lock_timeout = {BATCH_LOCK_WAIT_MS}")),
        DbConn::Sqlite(_) => Ok(()),
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
