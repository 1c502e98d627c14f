//! Catalogs and compatibility: the eight-partner scenario against the numbers `check.py`
//! computes independently, bad files, the partner lifecycle, category rules at earn, and the
//! category tree.

mod affinity;
mod bad_files;
mod categories;
mod concurrency;
mod earn;
mod lifecycle;
mod scenario;

use partner_sdk::catalog::{CatalogUploaded, InvalidCatalog};
use partner_sdk::CatalogUpload;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestPartner};

/// A fixture catalog's bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/catalogs")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The format of a fixture, from its extension.
pub fn format_of(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("tsv") => "tsv",
        Some("xml") => "xml",
        Some("csv") => "csv",
        _ => "json",
    }
}

/// Uploads a file through the SDK and expects it applied.
pub async fn upload_ok(partner: &TestPartner, format: &str, file: Vec<u8>) -> CatalogUploaded {
    match partner
        .client
        .upload_catalog(format, file)
        .await
        .expect("upload")
    {
        CatalogUpload::Applied(done) => *done,
        CatalogUpload::Refused(refused) => panic!("refused: {refused:#?}"),
    }
}

/// Uploads a file through the SDK and expects it refused.
pub async fn upload_refused(partner: &TestPartner, format: &str, file: Vec<u8>) -> InvalidCatalog {
    match partner
        .client
        .upload_catalog(format, file)
        .await
        .expect("upload")
    {
        CatalogUpload::Applied(done) => panic!("applied: {:?}", done.version),
        CatalogUpload::Refused(refused) => *refused,
    }
}

/// Registers an applicant (status `applied`) with a key.
pub async fn applicant(app: &TestApp, slug: &str, name: &str) -> TestPartner {
    app.partner_created(json!({
        "slug": slug, "name": name, "universe": "candidate", "status": "applied",
        "contract": {"earn_rate_bp": 10000, "issuance_price_micros": 8000,
                     "redemption_price_micros": 6000, "return_window_days": 14}
    }))
    .await
}

/// Changes a partner's status as the operator.
pub async fn set_status(app: &TestApp, id: i64, body: Value) -> (u16, Value) {
    app.operator(
        Method::POST,
        &format!("/v1/operator/partners/{id}/status"),
        Some(body),
    )
    .await
}
