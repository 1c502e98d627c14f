//! Network settings: currency, base earn rate, expiry policy, hold and code lifetimes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::queries::platform::system::{self, SettingsRow};
use crate::db::DbConn;
use crate::domain::clock::Clock;
use crate::domain::earning::rules::currency_exponent;
use crate::domain::ids::PartnerId;
use crate::domain::input::check_range;
use crate::domain::ledger::expiry::ExpiryPolicy;
use crate::error::{fail, ApiError, ApiResult, Code};

/// The network's rules, as the operator sets them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkSettings {
    /// Settlement currency (ISO 4217); every partner contract and sale uses it.
    pub currency: String,
    /// Network base earn rate: thousandths of a point per major currency unit (1000 = 1 point
    /// per euro).
    pub base_rate_millipoints: i64,
    /// When points expire.
    #[schema(value_type = String, example = "months_after_earn")]
    pub expiry_policy: ExpiryPolicy,
    /// The months of the expiry policy (ignored for `never`), 1 to 120.
    pub expiry_months: i64,
    /// How long an authorized redemption holds points before it is released, in seconds.
    pub hold_ttl_s: i64,
    /// How long a member's one-time code is valid, in seconds.
    pub code_ttl_s: i64,
}

impl Default for NetworkSettings {
    fn default() -> Self {
        NetworkSettings {
            currency: "EUR".into(),
            base_rate_millipoints: 1000,
            expiry_policy: ExpiryPolicy::MonthsAfterEarn,
            expiry_months: 24,
            hold_ttl_s: 900,
            code_ttl_s: 300,
        }
    }
}

impl NetworkSettings {
    /// Checks every field's range.
    pub fn validate(&self) -> ApiResult<()> {
        if currency_exponent(&self.currency).is_none() {
            return fail(
                Code::InvalidRequest,
                "currency must be an ISO 4217 code such as EUR",
            );
        }
        check_range(
            "base_rate_millipoints",
            self.base_rate_millipoints,
            0,
            1_000_000,
        )?;
        if self.expiry_policy != ExpiryPolicy::Never {
            check_range("expiry_months", self.expiry_months, 1, 120)?;
        }
        check_range("hold_ttl_s", self.hold_ttl_s, 1, 7 * 86_400)?;
        check_range("code_ttl_s", self.code_ttl_s, 30, 3_600)?;
        Ok(())
    }
}

/// The current settings; the defaults until the operator sets them.
pub fn load(conn: &mut DbConn) -> ApiResult<NetworkSettings> {
    let Some(row) = super::memo::read("network_settings", || system::settings(conn))? else {
        return Ok(NetworkSettings::default());
    };
    Ok(NetworkSettings {
        expiry_policy: ExpiryPolicy::parse(&row.expiry_policy)
            .ok_or_else(|| ApiError::internal("stored expiry policy unknown"))?,
        currency: row.currency,
        base_rate_millipoints: row.base_rate_millipoints,
        expiry_months: row.expiry_months,
        hold_ttl_s: row.hold_ttl_s,
        code_ttl_s: row.code_ttl_s,
    })
}

/// Replaces the settings. The currency cannot change once a partner exists: contracts and
/// lots are priced in it.
pub fn save(conn: &mut DbConn, clock: &Clock, new: &NetworkSettings) -> ApiResult<NetworkSettings> {
    new.validate()?;
    crate::db::write_tx(conn, |conn| {
        let current = load(conn)?;
        if current.currency != new.currency
            && !crate::db::queries::partners::partner_page(conn, PartnerId::default(), 1)?
                .is_empty()
        {
            return fail(
                Code::Conflict,
                "the settlement currency cannot change once partners exist",
            );
        }
        system::save_settings(
            conn,
            &SettingsRow {
                id: 1,
                currency: new.currency.clone(),
                base_rate_millipoints: new.base_rate_millipoints,
                expiry_policy: new.expiry_policy.as_str().to_owned(),
                expiry_months: new.expiry_months,
                hold_ttl_s: new.hold_ttl_s,
                code_ttl_s: new.code_ttl_s,
                updated_at: clock.now_naive(),
            },
        )?;
        Ok(new.clone())
    })
}
