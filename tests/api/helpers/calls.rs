//! Small calls most tests make: link a member, a sale in EUR, the code of a refusal, a free
//! member number.

use super::TestPartner;

/// Links a member to a partner.
pub async fn link(partner: &TestPartner, number: &str) {
    partner
        .client
        .link_member(&partner_sdk::types::LinkMemberRequest {
            member_number: number.to_owned(),
            customer_ref: None,
        })
        .await
        .expect("link");
}

/// An earn request in EUR.
pub fn sale(number: &str, order: &str, amount_minor: i64) -> partner_sdk::types::EarnRequest {
    partner_sdk::types::EarnRequest {
        member_number: number.to_owned(),
        order_id: order.to_owned(),
        occurred_at: None,
        amount_minor,
        currency: "EUR".into(),
        lines: None,
    }
}

/// The problem code of an SDK error.
pub fn code_of<T: std::fmt::Debug>(result: Result<T, partner_sdk::Error>) -> String {
    match result {
        Ok(v) => panic!("expected a problem, got {v:?}"),
        Err(e) => e
            .code()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("no code: {e}")),
    }
}

/// A well-formed member number that is not `taken` (and, drawn at random among 900 million,
/// belongs to nobody in a test database).
pub fn unused_member_number(taken: &str) -> String {
    loop {
        let n = loyalty_server::domain::members::member_number::random();
        if n != taken {
            return n;
        }
    }
}
