//! What the server counts for its operators, served by `GET /metrics` in the Prometheus text
//! format: requests by route and status with their latency, the writers' batches and commits,
//! the connection pool, background jobs, and ledger entries by kind. The `prometheus` crate
//! keeps and formats the figures; they are the process's own (each server instance is scraped
//! on its own).
//!
//! Ledger entries are counted when they are posted, inside their transaction: the rare entry
//! of a transaction rolled back afterwards (a conflict run again, a batch whose commit failed)
//! is counted too.

use std::sync::OnceLock;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use crate::error::{ApiError, ApiResult};

/// Latency buckets, in seconds: 0.5 ms to 10 s.
const SECONDS_BUCKETS: [f64; 15] = [
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0,
];

/// Batch size buckets, in requests.
const BATCH_BUCKETS: [f64; 8] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 1000.0];

struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    request_seconds: HistogramVec,
    batch_requests: Histogram,
    batch_wait_seconds: Histogram,
    commit_seconds: Histogram,
    pool_wait_seconds: Histogram,
    pool_connections: IntGaugeVec,
    job_runs: IntCounterVec,
    job_seconds: HistogramVec,
    entries: IntCounterVec,
}

fn histogram(name: &str, help: &str, buckets: &[f64], labels: &[&str]) -> HistogramVec {
    let opts = HistogramOpts::new(name, help).buckets(buckets.to_vec());
    // The names and buckets are constants of this module, checked by its test.
    HistogramVec::new(opts, labels).unwrap_or_else(|e| unreachable!("metric {name}: {e}"))
}

fn plain_histogram(name: &str, help: &str, buckets: &[f64]) -> Histogram {
    let opts = HistogramOpts::new(name, help).buckets(buckets.to_vec());
    Histogram::with_opts(opts).unwrap_or_else(|e| unreachable!("metric {name}: {e}"))
}

fn counter(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    IntCounterVec::new(Opts::new(name, help), labels)
        .unwrap_or_else(|e| unreachable!("metric {name}: {e}"))
}

fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let m = Metrics {
            registry: Registry::new(),
            requests: counter(
                "loyalty_http_requests_total",
                "HTTP requests answered, by route pattern, method and status",
                &["route", "method", "status"],
            ),
            request_seconds: histogram(
                "loyalty_http_request_duration_seconds",
                "Time to answer an HTTP request, by route pattern and method",
                &SECONDS_BUCKETS,
                &["route", "method"],
            ),
            batch_requests: plain_histogram(
                "loyalty_writer_batch_requests",
                "Requests committed together by a writer (group commit)",
                &BATCH_BUCKETS,
            ),
            batch_wait_seconds: plain_histogram(
                "loyalty_writer_queue_wait_seconds",
                "Time the first request of a batch waited for its writer",
                &SECONDS_BUCKETS,
            ),
            commit_seconds: plain_histogram(
                "loyalty_writer_batch_duration_seconds",
                "Time a writer took to run and commit a batch",
                &SECONDS_BUCKETS,
            ),
            pool_wait_seconds: plain_histogram(
                "loyalty_db_pool_wait_seconds",
                "Time spent waiting for a database connection from the pool",
                &SECONDS_BUCKETS,
            ),
            pool_connections: IntGaugeVec::new(
                Opts::new(
                    "loyalty_db_pool_connections",
                    "Database connections of the pool, by state (idle or in_use), when scraped",
                ),
                &["state"],
            )
            .unwrap_or_else(|e| unreachable!("metric pool: {e}")),
            job_runs: counter(
                "loyalty_job_runs_total",
                "Background job runs, by job and outcome (ok or failed)",
                &["job", "outcome"],
            ),
            job_seconds: histogram(
                "loyalty_job_duration_seconds",
                "Time a background job run took, by job",
                &SECONDS_BUCKETS,
                &["job"],
            ),
            entries: counter(
                "loyalty_ledger_entries_posted_total",
                "Journal entries posted, by kind",
                &["kind"],
            ),
        };
        let collectors: [Box<dyn prometheus::core::Collector>; 10] = [
            Box::new(m.requests.clone()),
            Box::new(m.request_seconds.clone()),
            Box::new(m.batch_requests.clone()),
            Box::new(m.batch_wait_seconds.clone()),
            Box::new(m.commit_seconds.clone()),
            Box::new(m.pool_wait_seconds.clone()),
            Box::new(m.pool_connections.clone()),
            Box::new(m.job_runs.clone()),
            Box::new(m.job_seconds.clone()),
            Box::new(m.entries.clone()),
        ];
        for collector in collectors {
            if let Err(e) = m.registry.register(collector) {
                tracing::error!(error = %e, "registering a metric");
            }
        }
        m
    })
}

/// Counts one answered HTTP request. `route` is the matched pattern (never the raw path, so
/// that ids do not multiply the series).
pub fn http_request(route: &str, method: &str, status: u16, seconds: f64) {
    let m = metrics();
    m.requests
        .with_label_values(&[route, method, &status.to_string()])
        .inc();
    m.request_seconds
        .with_label_values(&[route, method])
        .observe(seconds);
}

/// Records a writer's batch: its size and how long its first request waited.
pub fn writer_batch(requests: usize, waited_s: f64) {
    let m = metrics();
    m.batch_requests
        .observe(f64::from(u32::try_from(requests).unwrap_or(u32::MAX)));
    m.batch_wait_seconds.observe(waited_s);
}

/// Records the time a writer took to run and commit a batch.
pub fn writer_commit(seconds: f64) {
    metrics().commit_seconds.observe(seconds);
}

/// Records a wait for a pooled connection.
pub fn pool_wait(seconds: f64) {
    metrics().pool_wait_seconds.observe(seconds);
}

/// Records a background job's run.
pub fn job_run(job: &str, ok: bool, seconds: f64) {
    let m = metrics();
    let outcome = if ok { "ok" } else { "failed" };
    m.job_runs.with_label_values(&[job, outcome]).inc();
    m.job_seconds.with_label_values(&[job]).observe(seconds);
}

/// Counts a posted journal entry.
pub fn entry_posted(kind: &str) {
    metrics().entries.with_label_values(&[kind]).inc();
}

/// Every figure in the Prometheus text format, the pool's state read now.
pub fn render(pool: &crate::db::DbPool) -> ApiResult<String> {
    let m = metrics();
    let state = pool.state();
    let idle = i64::from(state.idle_connections);
    let all = i64::from(state.connections);
    m.pool_connections.with_label_values(&["idle"]).set(idle);
    m.pool_connections
        .with_label_values(&["in_use"])
        .set(all.saturating_sub(idle));
    let mut text = Vec::new();
    TextEncoder::new()
        .encode(&m.registry.gather(), &mut text)
        .map_err(ApiError::internal)?;
    String::from_utf8(text).map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_registers_and_renders() {
        http_request("/v1/partner/earns", "POST", 201, 0.004);
        writer_batch(3, 0.001);
        writer_commit(0.01);
        pool_wait(0.0001);
        job_run("expiry", true, 0.2);
        entry_posted("earn");
        let text = TextEncoder::new()
            .encode_to_string(&metrics().registry.gather())
            .unwrap_or_default();
        for name in [
            "loyalty_http_requests_total{method=\"POST\",route=\"/v1/partner/earns\",status=\"201\"}",
            "loyalty_http_request_duration_seconds_bucket",
            "loyalty_writer_batch_requests_sum",
            "loyalty_writer_queue_wait_seconds_count",
            "loyalty_writer_batch_duration_seconds_count",
            "loyalty_db_pool_wait_seconds_count",
            "loyalty_job_runs_total{job=\"expiry\",outcome=\"ok\"}",
            "loyalty_job_duration_seconds_count{job=\"expiry\"}",
            "loyalty_ledger_entries_posted_total{kind=\"earn\"}",
        ] {
            assert!(text.contains(name), "{name} missing from:\n{text}");
        }
    }
}
