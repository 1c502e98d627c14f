//! The ledger's pure rules: an entry's hash, chained to the previous one, the balance check
//! of its postings, the repayment of a negative balance, and the [`expiry`] policy of lots.

pub mod expiry;

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use ring::digest;

use crate::domain::ids::{MemberId, PartnerId};
use crate::domain::money::Points;

/// The network point asset.
pub const PTS: &str = "PTS";

/// An asset of the journal: the network point, shared by every partner and settled between
/// them, or one partner's local currency, spendable only at that partner and never settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Asset {
    /// The network point ([`PTS`]).
    Points,
    /// The local currency of the partner who runs it (stored as `LOCAL-<partner id>`).
    Local(PartnerId),
}

impl Asset {
    /// The asset as stored in `postings.asset` and `lots.asset`.
    pub fn code(self) -> String {
        match self {
            Asset::Points => PTS.to_owned(),
            Asset::Local(partner) => format!("LOCAL-{partner}"),
        }
    }

    /// The asset a stored code names, if it is one.
    pub fn parse(code: &str) -> Option<Asset> {
        if code == PTS {
            return Some(Asset::Points);
        }
        let id: i64 = code.strip_prefix("LOCAL-")?.parse().ok()?;
        (id > 0 && Asset::Local(PartnerId::from(id)).code() == code)
            .then_some(Asset::Local(PartnerId::from(id)))
    }
}
/// The first `prev_hash` of every chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry's hash covers: everything but its id (which the database assigns after).
#[derive(Debug)]
pub struct EntryContent<'a> {
    /// Entry kind.
    pub kind: &'a str,
    /// Member, if any.
    pub member_id: Option<MemberId>,
    /// Partner, if any.
    pub partner_id: Option<PartnerId>,
    /// Business reference.
    pub reference: &'a str,
    /// Free text.
    pub memo: Option<&'a str>,
    /// Posting time.
    pub posted_at: NaiveDateTime,
    /// (account, owner, asset, amount) of each posting.
    pub postings: &'a [(String, i64, String, i64)],
}

/// The SHA-256 of an entry, chained to the previous one. Postings are hashed in a canonical
/// order, so the hash does not depend on the order rows come back in.
pub fn entry_hash(prev_hash: &str, entry: &EntryContent<'_>) -> String {
    let EntryContent {
        kind,
        member_id,
        partner_id,
        reference,
        memo,
        posted_at,
        postings,
    } = *entry;
    let mut lines: Vec<String> = postings
        .iter()
        .map(|(account, owner, asset, amount)| format!("{account}|{owner}|{asset}|{amount}"))
        .collect();
    lines.sort();
    let text = format!(
        "v1\n{prev_hash}\n{kind}\n{}\n{}\n{}\n{}\n{}\n{}",
        member_id.map(|m| m.to_string()).unwrap_or_default(),
        partner_id.map(|p| p.to_string()).unwrap_or_default(),
        reference.escape_default(),
        memo.map(|m| m.escape_default().to_string())
            .unwrap_or_default(),
        posted_at.and_utc().timestamp_micros(),
        lines.join("\n")
    );
    hex::encode(digest::digest(&digest::SHA256, text.as_bytes()))
}

/// Checks that (asset, amount) postings balance per asset, have no zero amount and number at
/// least two.
pub fn check_lines_balanced<'a>(lines: impl Iterator<Item = (&'a str, i64)>) -> Result<(), String> {
    let mut sums: BTreeMap<&str, i128> = BTreeMap::new();
    let mut count = 0_usize;
    for (asset, amount) in lines {
        if amount == 0 {
            return Err("a posting of zero".into());
        }
        *sums.entry(asset).or_insert(0) += i128::from(amount);
        count += 1;
    }
    if count < 2 {
        return Err(format!("an entry needs two postings, got {count}"));
    }
    match sums.iter().find(|(_, total)| **total != 0) {
        Some((asset, total)) => Err(format!("postings of {asset} sum to {total}")),
        None => Ok(()),
    }
}

/// The part of a credit of `credited` available points that repays the member's negative
/// balance, given the available balance before the credit: a member who owes points (after a
/// claw-back they could not cover) repays from the next points that become available.
pub fn debt_repaid(available_before: Points, credited: Points) -> Points {
    Points::from(available_before.get().saturating_neg())
        .at_least_zero()
        .min(credited)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_order_independent_and_content_sensitive() {
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 0)
            .unwrap()
            .naive_utc();
        let a = vec![
            ("member_pending".to_string(), 2, "PTS".to_string(), 10),
            ("partner_issuance".to_string(), 1, "PTS".to_string(), -10),
        ];
        let mut b = a.clone();
        b.reverse();
        let content = |reference, postings| EntryContent {
            kind: "earn",
            member_id: Some(MemberId::from(2)),
            partner_id: Some(PartnerId::from(1)),
            reference,
            memo: None,
            posted_at: at,
            postings,
        };
        let h1 = entry_hash(GENESIS_HASH, &content("o1", &a));
        assert_eq!(h1, entry_hash(GENESIS_HASH, &content("o1", &b)));
        assert_ne!(h1, entry_hash(GENESIS_HASH, &content("o2", &a)));
    }

    #[test]
    fn assets_round_trip_through_their_code() {
        let local = Asset::Local(PartnerId::from(7));
        assert_eq!(local.code(), "LOCAL-7");
        assert_eq!(Asset::parse("LOCAL-7"), Some(local));
        assert_eq!(Asset::parse("PTS"), Some(Asset::Points));
        for bad in ["LOCAL-07", "LOCAL-0", "LOCAL--1", "LOCAL-", "EUR", "pts"] {
            assert_eq!(Asset::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn postings_balance_per_asset() {
        assert!(check_lines_balanced([("PTS", 5), ("PTS", -5)].into_iter()).is_ok());
        assert!(check_lines_balanced([("PTS", 5), ("EUR", -5)].into_iter()).is_err());
        assert!(check_lines_balanced([("PTS", 0), ("PTS", 0)].into_iter()).is_err());
        assert!(check_lines_balanced([("PTS", 5)].into_iter()).is_err());
    }

    #[test]
    fn a_credit_repays_a_negative_balance_first() {
        let p = Points::from;
        assert_eq!(debt_repaid(p(-30), p(100)), p(30));
        assert_eq!(debt_repaid(p(-30), p(10)), p(10));
        assert_eq!(debt_repaid(p(5), p(10)), p(0));
        assert_eq!(debt_repaid(p(i64::MIN), p(10)), p(10));
    }
}
