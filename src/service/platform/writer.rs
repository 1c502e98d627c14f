//! Group commit: the partner requests that move points are queued to writer threads instead of
//! each running its own transaction. A writer takes what is waiting (up to [`BATCH_MAX`]
//! requests, with no timer: a lone request starts at once), runs every request in its own
//! savepoint inside one transaction, so that a refused request fails alone and changes
//! nothing, commits once, and only then answers them all. A failed commit answers every
//! request of the batch with a 503: none was acknowledged, and a retry with the same
//! `Idempotency-Key` runs it exactly once (its key was rolled back with it). Before any work,
//! the writer records the nonces of the batch's requests in one statement and commits them, so
//! that a replay is refused even of a request whose work then fails to commit.
//!
//! SQLite has one writer, so that these writes queue here rather than on the database's write
//! lock. PostgreSQL has several, and a request goes to the writer of its member (by a hash of
//! the member number), so that one member's requests, and so their hash chain, stay in order
//! within one writer while different members' batches commit in parallel.
//!
//! A request that meets a conflict inside a batch (it waits on a row lock that another
//! writer's batch holds, such as a promotion's budget: the wait is cut short at 100 ms on
//! PostgreSQL, or a deadlock) has its savepoint rolled back; it runs again alone, with the
//! usual retries, after the batch is committed.

use std::any::Any;
use std::hash::{Hash, Hasher};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::oneshot;

use crate::db::{is_unavailable, limit_lock_waits, mark_broken, ping, write_tx, DbConn, TxError};
use crate::error::{ApiError, ApiResult, Code};
use crate::service::platform::auth::{burn_nonces, nonce_replayed, Nonce, NONCE_WAIT_MAX_S};
use crate::service::AppState;

/// Most requests committed together.
pub const BATCH_MAX: usize = 64;

/// Most work committed together, in sales: a single request weighs 1, a chunk of a batch earn
/// its number of sales. It bounds how long a batch holds its locks (on SQLite, the write lock).
pub const BATCH_WEIGHT_MAX: usize = 128;

/// Most requests waiting for one writer; past this the server is overloaded and answers 503.
const QUEUE_MAX: usize = 4_096;

/// Writers on PostgreSQL unless configured (`LOYALTY_WRITERS`).
pub const WRITERS_PG_DEFAULT: u16 = 4;

/// Most writers on PostgreSQL.
pub const WRITERS_MAX: usize = 64;

/// What a request's work gives back, typed again by [`Writers::submit`].
type Reply = Box<dyn Any + Send>;

/// The work of one request: it may run twice (again alone after a conflict in a batch), so it
/// is `FnMut`; its writes are its own savepoint (it opens [`write_tx`] itself).
type Work = Box<dyn FnMut(&mut DbConn, &AppState) -> ApiResult<Reply> + Send>;

struct Job {
    state: AppState,
    weight: usize,
    /// The request's nonce, recorded before the batch's work (None: recorded already).
    nonce: Option<Nonce>,
    work: Work,
    reply: oneshot::Sender<ApiResult<Reply>>,
    queued_at: Instant,
}

/// The queues of the writer threads. A thread ends when every copy of its queue is dropped
/// (with the last copy of the server's state).
#[derive(Clone)]
pub struct Writers {
    queues: Arc<Vec<SyncSender<Job>>>,
}

impl Writers {
    /// Starts `count` writer threads (at least one).
    pub fn start(count: usize) -> ApiResult<Writers> {
        let mut queues = Vec::with_capacity(count.max(1));
        for index in 0..count.clamp(1, WRITERS_MAX) {
            let (queue, jobs) = sync_channel(QUEUE_MAX);
            std::thread::Builder::new()
                .name(format!("writer-{index}"))
                .spawn(move || drain(&jobs))
                .map_err(ApiError::internal)?;
            queues.push(queue);
        }
        Ok(Writers {
            queues: Arc::new(queues),
        })
    }

    /// How many writers run.
    pub fn count(&self) -> usize {
        self.queues.len()
    }

    /// Queues `work` to the writer of `partition` (a member number, or any key that orders
    /// the requests that must stay in order) and waits for its answer, sent after its commit.
    /// `work` must open its own [`write_tx`] (a savepoint in a batch) and may run twice;
    /// `weight` is how many sales it earns (1 for a single request). A request's `nonce`, if
    /// not recorded yet, is recorded with those of its batch, committed before any work runs:
    /// a replay is refused then (`nonce_replayed`) and its work never runs.
    pub async fn submit<T: Send + 'static>(
        &self,
        state: &AppState,
        (partition, weight, nonce): (&str, usize, Option<Nonce>),
        mut work: impl FnMut(&mut DbConn, &AppState) -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        partition.hash(&mut hasher);
        let count = u64::try_from(self.queues.len()).unwrap_or(1).max(1);
        let index = usize::try_from(hasher.finish() % count).unwrap_or(0);
        let queue = self
            .queues
            .get(index)
            .ok_or_else(|| ApiError::internal("no writer is running"))?;
        let (reply, answer) = oneshot::channel();
        let job = Job {
            state: state.clone(),
            weight: weight.max(1),
            nonce,
            work: Box::new(move |conn, state| work(conn, state).map(|t| -> Reply { Box::new(t) })),
            reply,
            queued_at: Instant::now(),
        };
        match queue.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                return Err(ApiError::new(
                    Code::DatabaseUnavailable,
                    "the server has more writes waiting than it takes; retry shortly",
                ))
            }
            Err(TrySendError::Disconnected(_)) => {
                return Err(ApiError::new(
                    Code::DatabaseUnavailable,
                    "the server is stopping; retry shortly",
                ))
            }
        }
        let reply = answer
            .await
            .map_err(|_| ApiError::internal("the writer dropped a request"))??;
        reply
            .downcast::<T>()
            .map(|t| *t)
            .map_err(|_| ApiError::internal("a writer's reply of another type"))
    }
}

/// A writer thread: takes the first request waiting, then whatever else is waiting, up to
/// [`BATCH_MAX`] requests and [`BATCH_WEIGHT_MAX`] sales (a request that would go past it
/// starts the next batch). A panic in a batch is caught: its requests were answered (or their
/// answers dropped, a 500), and the writer goes on with the next.
fn drain(jobs: &Receiver<Job>) {
    let mut next: Option<Job> = None;
    loop {
        let first = match next.take() {
            Some(job) => job,
            None => match jobs.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
        };
        let mut weight = first.weight;
        let mut batch = vec![first];
        while batch.len() < BATCH_MAX {
            match jobs.try_recv() {
                Ok(job) if weight.saturating_add(job.weight) > BATCH_WEIGHT_MAX => {
                    next = Some(job);
                    break;
                }
                Ok(job) => {
                    weight = weight.saturating_add(job.weight);
                    batch.push(job);
                }
                Err(_) => break,
            }
        }
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_batch(batch)));
        if ran.is_err() {
            // The requests not answered yet see their reply dropped: a 500 each.
            tracing::error!("writer: a batch panicked outside a request's work");
        }
    }
}

/// The answer every request of a batch gets when the batch could not be committed.
fn not_committed() -> ApiError {
    ApiError::new(
        Code::DatabaseUnavailable,
        "the database could not commit this request, so nothing of it was kept; retry shortly \
         with the same Idempotency-Key",
    )
}

fn run_batch(batch: Vec<Job>) {
    let Some(state) = batch.first().map(|job| job.state.clone()) else {
        return;
    };
    let waited_s = batch
        .first()
        .map_or(0.0, |job| job.queued_at.elapsed().as_secs_f64());
    crate::service::platform::metrics::writer_batch(batch.len(), waited_s);
    let mut conn = match state.checkout() {
        Ok(conn) => conn,
        Err(e) => {
            tracing::warn!(error = %e, "writer: no database connection");
            return refuse_all(batch);
        }
    };
    if state.clock.is_adjustable() {
        if let Err(e) = super::clock::refresh(&mut conn, &state.clock) {
            tracing::warn!(error = %e, "writer: reading the clock");
            return refuse_all(batch);
        }
    }
    let Some(batch) = record_nonces(&mut conn, &state, batch) else {
        return;
    };
    run_work(&mut conn, &state, batch);
}

/// Answers every request of a batch that could not run: nothing of it was kept.
fn refuse_all(batch: Vec<Job>) {
    for job in batch {
        let _ = job.reply.send(Err(not_committed()));
    }
}

/// Records the batch's nonces in one statement and commits them before any work, so that a
/// request is never run twice by a replay, even one arriving after a failed commit of its
/// work. Answers the replays (`nonce_replayed`) and returns the other requests; None when the
/// nonces could not be committed (every request answered 503: nothing ran).
fn record_nonces(conn: &mut DbConn, state: &AppState, batch: Vec<Job>) -> Option<Vec<Job>> {
    // A request that waited too long is not run: its nonce could be forgotten by then.
    let now_s = chrono::Utc::now().timestamp();
    let (batch, stale): (Vec<Job>, Vec<Job>) = batch.into_iter().partition(|job| {
        job.nonce
            .as_ref()
            .is_none_or(|n| now_s.saturating_sub(n.received_at_s) <= NONCE_WAIT_MAX_S)
    });
    refuse_all(stale);
    let nonces: Vec<&Nonce> = batch.iter().filter_map(|job| job.nonce.as_ref()).collect();
    if nonces.is_empty() {
        return Some(batch);
    }
    let fresh = match write_tx(conn, |conn| burn_nonces(conn, &nonces)) {
        Ok(fresh) => fresh,
        Err(e) => {
            if matches!(&e, ApiError::Database(d) if is_unavailable(d)) {
                mark_broken(conn);
                state.suspect_database();
            }
            tracing::warn!(error = %e, "writer: nonces not recorded");
            refuse_all(batch);
            return None;
        }
    };
    let mut fresh = fresh.into_iter();
    let mut kept = Vec::with_capacity(batch.len());
    for job in batch {
        if job.nonce.is_some() && !fresh.next().unwrap_or(false) {
            let _ = job.reply.send(Err(nonce_replayed()));
        } else {
            kept.push(job);
        }
    }
    Some(kept)
}

/// Runs the work of a batch, each request in its own savepoint, and commits once.
fn run_work(conn: &mut DbConn, state: &AppState, mut batch: Vec<Job>) {
    if batch.is_empty() {
        return;
    }
    let size = batch.len();
    // A lone request runs as a batch of one too (one savepoint more), so that a failed commit
    // is a 503 for it as for any batch.
    let started = Instant::now();
    let mut panicked = None;
    let scope = super::memo::BatchScope::begin();
    let outcome = write_tx(conn, |conn| {
        limit_lock_waits(conn)?;
        let mut answers = Vec::with_capacity(batch.len());
        for (index, job) in batch.iter_mut().enumerate() {
            let ran =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (job.work)(conn, state)));
            match ran {
                // A bug: the transaction's state is unknown, so nothing of the batch is kept.
                Err(_) => {
                    panicked = Some(index);
                    return Err(ApiError::internal("a request panicked in a writer"));
                }
                // Runs again alone after the batch.
                Ok(Err(e)) if e.is_transient() => answers.push(None),
                // The request's savepoint is rolled back; the batch goes on while the
                // connection answers (a statement time-out), not when it is lost.
                Ok(Err(ApiError::Database(e))) if is_unavailable(&e) && ping(conn).is_err() => {
                    return Err(ApiError::Database(e))
                }
                Ok(answer) => answers.push(Some(answer)),
            }
        }
        Ok::<_, ApiError>(answers)
    });
    drop(scope);
    crate::service::platform::metrics::writer_commit(started.elapsed().as_secs_f64());
    match outcome {
        Ok(answers) => {
            let mut again = Vec::new();
            for (job, answer) in batch.into_iter().zip(answers) {
                match answer {
                    Some(answer) => {
                        let _ = job.reply.send(answer);
                    }
                    None => again.push(job),
                }
            }
            for mut job in again {
                let answer = alone(conn, state, &mut job.work);
                let _ = job.reply.send(answer);
            }
        }
        Err(e) => {
            if matches!(&e, ApiError::Database(d) if is_unavailable(d)) {
                mark_broken(conn);
                state.suspect_database();
            }
            if matches!(&e, ApiError::Internal(_)) {
                // After a panic the connection's transaction state cannot be trusted.
                mark_broken(conn);
                tracing::error!(error = %e, "writer: batch abandoned");
            }
            tracing::warn!(error = %e, requests = size, "writer: batch not committed");
            for (index, job) in batch.into_iter().enumerate() {
                // The request that panicked is a bug (a 500); the others may be sent again.
                let answer = if panicked == Some(index) {
                    ApiError::internal("a request panicked in a writer")
                } else {
                    not_committed()
                };
                let _ = job.reply.send(Err(answer));
            }
        }
    }
}

/// Runs one request in its own transaction (with the usual retries on a conflict).
fn alone(conn: &mut DbConn, state: &AppState, work: &mut Work) -> ApiResult<Reply> {
    let answer = work(conn, state);
    if let Err(ApiError::Database(e)) = &answer {
        if is_unavailable(e) {
            mark_broken(conn);
            state.suspect_database();
        }
    }
    answer
}
