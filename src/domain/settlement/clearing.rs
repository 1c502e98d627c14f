//! Clearing events: the slices of a journal entry that settlement reads (which partner is
//! billed or reimbursed, which partner funded the points, how many, at what price). This names
//! their kinds; the service writes them beside each entry and the tally sums them.

/// What a clearing event records (stored as its snake_case name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClearingKind {
    /// Points a partner issued (billed at the lot's price).
    Issue,
    /// Points clawed back by a partner's refund (credited at the order lot's price).
    Clawback,
    /// Points redeemed at a partner's shop (reimbursed at the redemption's price).
    Redeem,
    /// Redeemed points given back to the member (the reimbursement is repaid).
    Reverse,
    /// Points that expired unused (the operator's breakage, by funding partner).
    Breakage,
}

impl ClearingKind {
    /// Every kind.
    pub const ALL: [ClearingKind; 5] = [
        ClearingKind::Issue,
        ClearingKind::Clawback,
        ClearingKind::Redeem,
        ClearingKind::Reverse,
        ClearingKind::Breakage,
    ];

    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            ClearingKind::Issue => "issue",
            ClearingKind::Clawback => "clawback",
            ClearingKind::Redeem => "redeem",
            ClearingKind::Reverse => "reverse",
            ClearingKind::Breakage => "breakage",
        }
    }

    /// The kind stored under `name`.
    pub fn parse(name: &str) -> Option<ClearingKind> {
        ClearingKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_their_stored_names() {
        for kind in ClearingKind::ALL {
            assert_eq!(ClearingKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ClearingKind::parse("Issue"), None);
    }
}
