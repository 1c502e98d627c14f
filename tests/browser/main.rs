//! Browser tests of the member pages: the real server driven through Debian's headless
//! `chromium` over WebDriver (`chromedriver`, started on a free port), with an accessibility
//! check (axe-core, vendored in `vendor/`) on every page visited and screenshots at phone and
//! desktop widths under `target/browser-screenshots/`.
//!
//! Without `chromedriver` (or `chromium`) the tests are skipped with a loud message; under
//! `CI=true` they fail instead. `CHROMEDRIVER` and `CHROMIUM` name other binaries.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::as_conversions,
    reason = "test code: a panic is a failed test"
)]

// The API tests' harness: the real application on a fresh database.
#[allow(
    dead_code,
    unused_imports,
    reason = "the browser tests use a part of the API tests' harness"
)]
#[path = "../api/helpers/mod.rs"]
mod helpers;

mod axe;
mod driver;
mod member_pages;
