//! Identifiers as types. A member id and a partner id are both 64-bit integers in the database,
//! but a function that takes a [`MemberId`] cannot be handed a [`PartnerId`] by mistake: with
//! three or four ids side by side in a settlement query, that mistake would otherwise compile.
//!
//! The wire keeps plain integers (the SDK's types are the JSON contract; serde sees an id as
//! its number, so a path segment parses straight into its id type); `.get()` leaves the typed
//! world at that edge, and `From<i64>` enters it where an id arrives from a body.
//! The database mapping lives in `db/types.rs`, so the domain stays free of diesel.

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),+ $(,)?) => {$(
        super::i64_newtype! {
            $(#[$doc])*
            #[derive(serde::Serialize, serde::Deserialize)]
            #[serde(transparent)]
            $name
        }
    )+};
}

id_type! {
    /// A member of the network (not the member number printed on a card: see `member_number`).
    MemberId,
    /// A partner merchant.
    PartnerId,
    /// A journal entry of the shared ledger.
    EntryId,
    /// A lot: the points of one earn or bonus, with their issuer, maturity and expiry.
    LotId,
    /// An earn (one order of one partner).
    EarnId,
    /// A redemption: an authorized hold, then its capture, void or reversal.
    RedemptionId,
    /// A settlement run (the close of one period).
    RunId,
    /// A partner's statement for one settlement run.
    StatementId,
    /// A payment recorded against a statement.
    PaymentId,
    /// A dispute raised on a statement.
    DisputeId,
    /// A product category: a Google Product Taxonomy id (the same in every language), or a
    /// category the network added under one.
    CategoryId,
    /// A promotion: bonus points on top of sales, funded by a partner or the operator.
    PromotionId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_round_trips_and_prints_as_its_number() {
        let id = MemberId::from(42);
        assert_eq!(id.get(), 42);
        assert_eq!(i64::from(id), 42);
        assert_eq!(id.to_string(), "42");
        assert!(PartnerId::from(1) < PartnerId::from(2));
    }
}
