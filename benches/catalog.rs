//! Catalog uploads and compatibility reports at scale, on PostgreSQL, through the server.
//!
//! `cargo bench --bench catalog` (`BENCH_PG_URL` names the server, a fresh database is created
//! and dropped; `BENCH_PARTNERS`, default 50, `BENCH_PARTNER_PRODUCTS`, default 20,000,
//! `BENCH_CANDIDATE_PRODUCTS`, default 100,000).
//!
//! Set-up (not timed): the active partners, each with a catalog spread over forty leaf
//! categories of one part of Google's tree, uploaded through the service. Then, timed:
//! 1. the candidate's Merchant Center feed (tab-separated, `price` as `15.00 EUR`) uploaded
//!    over HTTP with the SDK: spooled, signed, checked row by row, applied in one transaction,
//!    and its compatibility report computed and stored;
//! 2. a fresh report on it against every active partner (`POST
//!    /v1/operator/partners/{id}/compatibility-reports`).
//!
//! Each has an independent reference written here in plain SQL on the same database: the same
//! rows inserted into a table of the same shape in one transaction (multi-row inserts of 1,000),
//! and the overlap of the candidate with every partner computed by one grouped query over the
//! products. The overlaps must equal the report's to the ppm, or the run fails. Durability
//! stays on.

#![allow(
    clippy::as_conversions,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "benchmark code: rates are floats for printing only, and a panic aborts the run"
)]

mod common;
use common::env_or;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl};
use loyalty_server::config::Settings;
use loyalty_server::domain::catalog::feed::FeedFormat;
use loyalty_server::domain::catalog::taxonomy::Taxonomy;
use loyalty_server::domain::clock::Clock;
use loyalty_server::domain::ids::{CategoryId, PartnerId};
use loyalty_server::http::partners::json::{ContractTerms, CreatePartnerRequest};
use loyalty_server::service::catalog::catalogs::{self, Upload, UploadOutcome};
use loyalty_server::service::{partners, AppState};
use loyalty_server::startup::Application;
use partner_sdk::catalog::CompatibilityReport;
use partner_sdk::CatalogUpload;

/// Leaf categories per active partner.
const PARTNER_CATEGORIES: usize = 40;
/// Leaf categories of the candidate.
const CANDIDATE_CATEGORIES: usize = 200;

fn main() -> anyhow::Result<()> {
    let partners: usize = env_or("BENCH_PARTNERS", 50).clamp(1, 500);
    let partner_products: usize = env_or("BENCH_PARTNER_PRODUCTS", 20_000).clamp(1, 200_000);
    let candidate_products: usize = env_or("BENCH_CANDIDATE_PRODUCTS", 100_000).clamp(1, 200_000);
    common::with_fresh_database(|url| run(url, partners, partner_products, candidate_products))
}

/// A deterministic pseudo-random sequence (xorshift), so every run builds the same catalogs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `count` leaf categories, taken from a window of the tree's leaves that starts at `start`
/// (leaves in id order cluster by nothing in particular, so windows overlap a little).
fn categories(leaves: &[CategoryId], rng: &mut Rng, count: usize) -> Vec<CategoryId> {
    let start = rng.below(leaves.len());
    (0..count)
        .map(|i| leaves[(start + i * 7 + rng.below(3)) % leaves.len()])
        .collect()
}

/// A Merchant Center feed of `products` products over `cats`.
fn feed(prefix: &str, products: usize, cats: &[CategoryId], rng: &mut Rng) -> Vec<u8> {
    let mut out = String::with_capacity(products * 120);
    out.push_str("id\ttitle\tdescription\tlink\tprice\tavailability\tgoogle_product_category\n");
    for i in 0..products {
        let cat = cats[rng.below(cats.len())];
        let cents = 99 + rng.below(50_000);
        out.push_str(&format!(
            "{prefix}-{i:06}\tProduit {prefix} {i}\tUn produit du catalogue de test, modèle {i}\thttps://shop.example/p/{i}\t{}.{:02} EUR\tin stock\t{cat}\n",
            cents / 100,
            cents % 100
        ));
    }
    out.into_bytes()
}

fn run(
    url: &str,
    partner_count: usize,
    partner_products: usize,
    candidate_products: usize,
) -> anyhow::Result<()> {
    let data_dir = std::env::temp_dir().join(format!(
        "loyalty-bench-{}",
        partner_sdk::signing::random_token_hex(4)
    ));
    std::fs::create_dir_all(&data_dir)?;
    let mut settings = Settings::for_tests(url.to_owned(), data_dir.clone());
    settings.adjustable_clock = false;
    settings.pg_statement_timeout_ms = 600_000;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let app = Application::build(&settings, Clock::system()).await?;
        let address = format!("http://127.0.0.1:{}", app.port());
        let state = app.state.clone();
        tokio::spawn(app.run_until_stopped());
        println!(
            "catalog benchmark on PostgreSQL: {partner_count} active partners of {partner_products} products, a candidate of {candidate_products}"
        );
        let tree = Taxonomy::embedded()?;
        let leaves: Vec<CategoryId> = tree
            .categories()
            .filter(|c| tree.children(Some(c.id)).next().is_none())
            .map(|c| c.id)
            .collect();
        let mut rng = Rng(0x5eed_cafe_f00d_1234);
        let setup = Instant::now();
        let st = state.clone();
        let leaves_for_setup = leaves.clone();
        let seeded = tokio::task::spawn_blocking(move || {
            seed_partners(&st, &leaves_for_setup, &mut rng, partner_count, partner_products)
                .map(|()| rng)
        })
        .await??;
        let mut rng = seeded;
        println!(
            "set-up (not timed): {partner_count} catalogs uploaded in {:.1} s",
            setup.elapsed().as_secs_f64()
        );
        let (candidate, key_id, secret) = applicant(&state)?;
        let cats = categories(&leaves, &mut rng, CANDIDATE_CATEGORIES);
        let file = feed("cand", candidate_products, &cats, &mut rng);
        let bytes = file.len();
        let client = partner_sdk::Client::new(&address, &key_id, &secret)?;

        let started = Instant::now();
        let uploaded = match client.upload_catalog("tsv", file.clone()).await? {
            CatalogUpload::Applied(done) => done,
            CatalogUpload::Refused(refused) => anyhow::bail!("refused: {:?}", refused.problems),
        };
        let upload_time = started.elapsed();
        anyhow::ensure!(uploaded.version.products == candidate_products as i64);
        let url_owned = url.to_owned();
        let reference_upload =
            tokio::task::spawn_blocking(move || plain_sql_insert(&url_owned, &file)).await??;
        println!(
            "upload of a {candidate_products}-row feed ({:.1} MB) over HTTP: {:.2} s ({:.0} rows/s), report included",
            bytes as f64 / 1e6,
            upload_time.as_secs_f64(),
            candidate_products as f64 / upload_time.as_secs_f64()
        );
        println!(
            "  plain SQL reference, the same rows inserted in one transaction: {:.2} s; ratio {:.2}",
            reference_upload.as_secs_f64(),
            reference_upload.as_secs_f64() / upload_time.as_secs_f64()
        );

        let http = reqwest::Client::new();
        let operator_token = {
            let mut conn = state.pool.get()?;
            loyalty_server::service::platform::auth::create_operator_token(&mut conn, "bench")
                .map_err(|e| anyhow::anyhow!("{e}"))?
        };
        let mut times = Vec::new();
        let mut report: Option<CompatibilityReport> = None;
        for _ in 0..5 {
            let started = Instant::now();
            let res = http
                .post(format!(
                    "{address}/v1/operator/partners/{candidate}/compatibility-reports"
                ))
                .bearer_auth(&operator_token)
                .send()
                .await?;
            anyhow::ensure!(res.status().as_u16() == 201, "report: {}", res.status());
            report = Some(res.json().await?);
            times.push(started.elapsed());
        }
        times.sort();
        let report = report.expect("five reports");
        let url_owned = url.to_owned();
        let (reference_report, overlaps) = tokio::task::spawn_blocking(move || {
            plain_sql_overlaps(&url_owned, candidate)
        })
        .await??;
        for pair in &report.pairs {
            let id = pair.partner_id.expect("operator view");
            let expected = overlaps.get(&id).copied().unwrap_or(0);
            anyhow::ensure!(
                pair.overlap_ppm == expected,
                "partner {id}: report says {} ppm, plain SQL {expected}",
                pair.overlap_ppm
            );
        }
        println!(
            "compatibility report against {} active partners: median {:.3} s (min {:.3}, max {:.3}); verdict {}",
            report.pairs.len(),
            times[2].as_secs_f64(),
            times[0].as_secs_f64(),
            times[4].as_secs_f64(),
            report.verdict
        );
        println!(
            "  plain SQL reference, the overlaps by one grouped query over the products: {:.3} s; ratio {:.2} (overlaps equal to the ppm)",
            reference_report.as_secs_f64(),
            reference_report.as_secs_f64() / times[2].as_secs_f64()
        );
        let _ = std::fs::remove_dir_all(&data_dir);
        Ok(())
    })
}

fn seed_partners(
    state: &AppState,
    leaves: &[CategoryId],
    rng: &mut Rng,
    count: usize,
    products: usize,
) -> anyhow::Result<()> {
    let mut conn = state.pool.get()?;
    let now = state.clock.now_naive();
    let err = |e: loyalty_server::error::ApiError| anyhow::anyhow!("{e}");
    for i in 0..count {
        let partner = partners::create(
            &mut conn,
            now,
            "bench",
            &request(&format!("shop-{i}"), None),
        )
        .map_err(err)?;
        let cats = categories(leaves, rng, PARTNER_CATEGORIES);
        let path = std::env::temp_dir().join(format!(
            "loyalty-bench-feed-{}",
            partner_sdk::signing::random_token_hex(4)
        ));
        std::fs::write(&path, feed(&format!("s{i}"), products, &cats, rng))?;
        let upload = Upload {
            partner_id: PartnerId::from(partner.id),
            format: FeedFormat::Tsv,
            file: &path,
            by: "bench",
            own_view: false,
        };
        let outcome = catalogs::upload(&mut conn, &state.categories, now, upload).map_err(err);
        std::fs::remove_file(&path)?;
        if let UploadOutcome::Refused(refused) = outcome? {
            anyhow::bail!("set-up catalog refused: {:?}", refused.problems);
        }
    }
    Ok(())
}

fn request(slug: &str, status: Option<&str>) -> CreatePartnerRequest {
    CreatePartnerRequest {
        slug: slug.into(),
        name: slug.into(),
        universe: "bench".into(),
        contract: ContractTerms {
            earn_rate_bp: 10_000,
            issuance_price_micros: 8_000,
            redemption_price_micros: 6_000,
            return_window_days: 14,
            period_fee_minor: 0,
            effective_from: None,
            category_rules: Vec::new(),
        },
        status: status.map(str::to_owned),
    }
}

/// The candidate, applied, with a key: (id, key id, secret).
fn applicant(state: &AppState) -> anyhow::Result<(i64, String, String)> {
    let mut conn = state.pool.get()?;
    let now = state.clock.now_naive();
    let err = |e: loyalty_server::error::ApiError| anyhow::anyhow!("{e}");
    let partner = partners::create(
        &mut conn,
        now,
        "bench",
        &request("candidate", Some("applied")),
    )
    .map_err(err)?;
    let key = partners::issue_key(
        &mut conn,
        &state.master_key,
        now,
        PartnerId::from(partner.id),
    )
    .map_err(err)?;
    Ok((partner.id, key.key_id, key.secret))
}

/// The reference upload: the feed's rows (parsed by a plain split, no checks) inserted into a
/// scratch table of the products' shape, 1,000 rows per statement, in one transaction.
fn plain_sql_insert(url: &str, file: &[u8]) -> anyhow::Result<Duration> {
    let mut conn = PgConnection::establish(url)?;
    diesel::sql_query(
        "CREATE TABLE bench_products (partner_id BIGINT NOT NULL, sku TEXT NOT NULL, \
         version_id BIGINT NOT NULL, title TEXT NOT NULL, category_id BIGINT, \
         price_minor BIGINT NOT NULL, currency TEXT NOT NULL, PRIMARY KEY (partner_id, sku))",
    )
    .execute(&mut conn)?;
    let text = std::str::from_utf8(file)?;
    let started = Instant::now();
    conn.transaction::<_, anyhow::Error, _>(|conn| {
        let rows: Vec<String> = text
            .lines()
            .skip(1)
            .map(|line| {
                let f: Vec<&str> = line.split('\t').collect();
                let (units, cents) = f[4]
                    .trim_end_matches(" EUR")
                    .split_once('.')
                    .unwrap_or(("0", "0"));
                let price: i64 =
                    units.parse::<i64>().unwrap_or(0) * 100 + cents.parse::<i64>().unwrap_or(0);
                format!(
                    "(1, '{}', 1, '{}', {}, {price}, 'EUR')",
                    f[0].replace('\'', "''"),
                    f[1].replace('\'', "''"),
                    f[6]
                )
            })
            .collect();
        for chunk in rows.chunks(1_000) {
            diesel::sql_query(format!(
                "INSERT INTO bench_products VALUES {}",
                chunk.join(",")
            ))
            .execute(conn)?;
        }
        Ok(())
    })?;
    let elapsed = started.elapsed();
    diesel::sql_query("DROP TABLE bench_products").execute(&mut conn)?;
    Ok(elapsed)
}

#[derive(diesel::QueryableByName)]
struct Overlap {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    partner_id: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    overlap_ppm: i64,
}

/// The reference report: the overlap of the candidate with every active partner, from the
/// products, by one grouped query (shares floored to ppm as the report does).
fn plain_sql_overlaps(url: &str, candidate: i64) -> anyhow::Result<(Duration, BTreeMap<i64, u64>)> {
    let mut conn = PgConnection::establish(url)?;
    let started = Instant::now();
    let rows: Vec<Overlap> = diesel::sql_query(
        "WITH counts AS ( \
             SELECT p.partner_id, p.category_id, COUNT(*) AS n \
             FROM catalog_products p JOIN partners s ON s.id = p.partner_id \
             WHERE s.status = 'active' OR s.id = $1 \
             GROUP BY p.partner_id, p.category_id), \
         totals AS (SELECT partner_id, SUM(n) AS total FROM counts GROUP BY partner_id), \
         shares AS ( \
             SELECT c.partner_id, c.category_id, (c.n * 1000000) / t.total AS ppm \
             FROM counts c JOIN totals t USING (partner_id)) \
         SELECT b.partner_id, SUM(LEAST(a.ppm, b.ppm))::BIGINT AS overlap_ppm \
         FROM shares a JOIN shares b ON a.category_id = b.category_id \
         WHERE a.partner_id = $1 AND b.partner_id <> $1 \
         GROUP BY b.partner_id",
    )
    .bind::<diesel::sql_types::BigInt, _>(candidate)
    .load(&mut conn)?;
    let elapsed = started.elapsed();
    Ok((
        elapsed,
        rows.into_iter()
            .map(|r| (r.partner_id, u64::try_from(r.overlap_ppm).unwrap_or(0)))
            .collect(),
    ))
}
