//! The network's expiry policy: when points expire.

use chrono::{Months, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// How points expire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(Default))]
#[serde(rename_all = "snake_case")]
pub enum ExpiryPolicy {
    /// Points never expire.
    #[cfg_attr(test, default)]
    Never,
    /// Each lot expires a fixed number of months after it was earned.
    MonthsAfterEarn,
    /// All of a member's points expire after this many months without activity.
    MonthsOfInactivity,
}

impl ExpiryPolicy {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ExpiryPolicy::Never => "never",
            ExpiryPolicy::MonthsAfterEarn => "months_after_earn",
            ExpiryPolicy::MonthsOfInactivity => "months_of_inactivity",
        }
    }

    /// Parses the stored name.
    pub fn parse(value: &str) -> Option<ExpiryPolicy> {
        match value {
            "never" => Some(ExpiryPolicy::Never),
            "months_after_earn" => Some(ExpiryPolicy::MonthsAfterEarn),
            "months_of_inactivity" => Some(ExpiryPolicy::MonthsOfInactivity),
            _ => None,
        }
    }

    /// The fixed expiry date of a lot earned at `earned_at`, if the policy gives one.
    pub fn lot_expires_at(self, months: i64, earned_at: NaiveDateTime) -> Option<NaiveDateTime> {
        match self {
            ExpiryPolicy::MonthsAfterEarn => add_months(earned_at, months),
            _ => None,
        }
    }

    /// When all of a member's points expire for inactivity, if the policy says so.
    pub fn inactivity_deadline(
        self,
        months: i64,
        last_activity_at: NaiveDateTime,
    ) -> Option<NaiveDateTime> {
        match self {
            ExpiryPolicy::MonthsOfInactivity => add_months(last_activity_at, months),
            _ => None,
        }
    }
}

fn add_months(at: NaiveDateTime, months: i64) -> Option<NaiveDateTime> {
    at.checked_add_months(Months::new(u32::try_from(months).ok()?))
}
