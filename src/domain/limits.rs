//! Limits on every input, in one place so that the README and the OpenAPI descriptions quote
//! the same numbers as the checks.

/// Largest points amount of one operation (one billion).
pub const POINTS_MAX: i64 = 1_000_000_000;
/// Largest money amount of one sale or refund, in minor units (one billion major units).
pub const AMOUNT_MINOR_MAX: i64 = 100_000_000_000;
/// Longest identifier a partner sends (order id, refund id, customer reference).
pub const REF_LEN_MAX: usize = 64;
/// Longest display name or partner name.
pub const NAME_LEN_MAX: usize = 100;
/// Longest free text (adjustment reason).
pub const TEXT_LEN_MAX: usize = 500;
/// Most lines in one sale.
pub const SALE_LINES_MAX: usize = 500;
/// Largest request body accepted, in bytes.
pub const BODY_BYTES_MAX: usize = 256 * 1024;
/// Largest page of a list.
pub const PAGE_SIZE_MAX: i64 = 200;
/// Default page size of a list.
pub const PAGE_SIZE_DEFAULT: i64 = 50;
/// How far in the past a sale may be dated, in days.
pub const SALE_BACKDATE_DAYS_MAX: i64 = 30;
/// Unused one-time codes a member may hold at once.
pub const ACTIVE_CODES_MAX: i64 = 64;
/// Consecutive wrong one-time codes before the member's codes lock.
pub const CODE_FAILURES_MAX: i64 = 5;
/// How long the codes stay locked after too many failures, in seconds.
pub const CODE_LOCKOUT_S: i64 = 900;
/// Longest contract price, in micros per point (1,000 currency units per point).
pub const PRICE_MICROS_MAX: i64 = 1_000_000_000;
/// Highest partner earn multiplier, in basis points (100x).
pub const EARN_RATE_BP_MAX: i64 = 1_000_000;
/// Longest return window, in days.
pub const RETURN_WINDOW_DAYS_MAX: i64 = 365;
/// Largest flat fee per settlement period, in minor units.
pub const PERIOD_FEE_MINOR_MAX: i64 = 100_000_000;
/// Largest payment recorded against a statement, in minor units.
pub const PAYMENT_MINOR_MAX: i64 = 1_000_000_000_000;
/// Largest reconciliation upload, in bytes (about 200,000 CSV rows).
pub const RECONCILIATION_BYTES_MAX: usize = 8 * 1024 * 1024;
/// Largest catalog upload, in bytes (200,000 Merchant Center rows with long descriptions).
pub const CATALOG_BYTES_MAX: usize = 256 * 1024 * 1024;
/// Most rows in one reconciliation upload.
pub const RECONCILIATION_ROWS_MAX: usize = 200_000;
/// Most discrepancies listed in a reconciliation answer (per list; totals count them all).
pub const RECONCILIATION_LISTED_MAX: usize = 10_000;
