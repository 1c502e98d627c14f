//! What the benchmarks share: settings from the environment and a throw-away PostgreSQL
//! database.

use diesel::{Connection, PgConnection, RunQueryDsl};

/// An environment variable parsed, or the default.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `bench` with the URL of a fresh database on the server `BENCH_PG_URL` names (default
/// `postgres://root@127.0.0.1:5432/postgres`), dropped afterwards whatever the outcome.
pub fn with_fresh_database(bench: impl FnOnce(&str) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let admin = env_or(
        "BENCH_PG_URL",
        "postgres://root@127.0.0.1:5432/postgres".to_owned(),
    );
    let db = format!(
        "loyalty_bench_{}",
        partner_sdk::signing::random_token_hex(4)
    );
    let mut admin_conn = PgConnection::establish(&admin)?;
    diesel::sql_query(format!("CREATE DATABASE {db}")).execute(&mut admin_conn)?;
    let url = format!(
        "{}/{db}",
        admin
            .rsplit_once('/')
            .map_or(admin.as_str(), |(base, _)| base)
    );
    let result = bench(&url);
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
        .execute(&mut admin_conn)?;
    result
}
