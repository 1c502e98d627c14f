//! The closed sets of words a statement uses, as enums: the wire format is the same snake_case
//! text as before (so signed statements verify as they did), and each compares with its text.

use crate::wire_enum;

wire_enum! {
    /// Who pays a statement's net.
    NetDirection {
        /// The partner owes the network.
        PartnerPays => "partner_pays",
        /// The network owes the partner.
        NetworkPays => "network_pays",
        /// The net is zero.
        NothingDue => "nothing_due",
    }
}

impl NetDirection {
    /// The direction of a net in minor units (positive: the partner owes the network).
    pub fn of_net(net_minor: i64) -> NetDirection {
        match net_minor {
            n if n > 0 => NetDirection::PartnerPays,
            n if n < 0 => NetDirection::NetworkPays,
            _ => NetDirection::NothingDue,
        }
    }
}

wire_enum! {
    /// Which way a payment moved money.
    PaymentDirection {
        /// Received by the network from the partner.
        Received => "received",
        /// Sent by the network to the partner.
        Sent => "sent",
    }
}

wire_enum! {
    /// Where a dispute stands.
    DisputeStatus {
        /// Waiting for the operator.
        Open => "open",
        /// Resolved by the operator (its adjustment goes on the next statement).
        Resolved => "resolved",
    }
}

wire_enum! {
    /// Where a statement stands against the payments recorded for it.
    StatementPaymentStatus {
        /// Nothing paid yet on a non-zero net.
        Open => "open",
        /// Paid in part.
        PartiallyPaid => "partially_paid",
        /// Paid exactly (or nothing was due).
        Paid => "paid",
        /// Paid beyond the net.
        Overpaid => "overpaid",
        /// The partner disputes it and the operator has not resolved the dispute.
        Disputed => "disputed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_compare_with_their_text() {
        for s in ["open", "partially_paid", "paid", "overpaid", "disputed"] {
            let status = StatementPaymentStatus::parse(s).unwrap();
            assert_eq!(status, s);
            assert_eq!(serde_json::to_string(&status).unwrap(), format!("\"{s}\""));
        }
        assert_eq!(NetDirection::of_net(5), "partner_pays");
        assert_eq!(NetDirection::of_net(-5), NetDirection::NetworkPays);
        assert_eq!(NetDirection::of_net(0).to_string(), "nothing_due");
        assert!(PaymentDirection::parse("both").is_none());
        assert!(serde_json::from_str::<DisputeStatus>("\"closed\"").is_err());
    }
}
