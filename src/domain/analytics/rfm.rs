//! Recency, frequency and monetary (RFM) scores. Each member who bought within the look-back
//! window gets three scores from 1 to 5, the quintile of their rank among the members scored
//! together (5 is best: the most recent purchase, the most orders, the most spent), and a named
//! segment read from recency and frequency.
//!
//! Quintiles are by rank, so that each holds about a fifth of the members whatever the shape of
//! the figures: sorted from worst to best, the member at position `i` of `n` scores
//! `1 + 5 i / n`. Equal figures share the score of the first of them, so two members who bought
//! the same day score the same recency.

use chrono::NaiveDateTime;

/// How far back purchases count, in days (two years).
pub const LOOKBACK_DAYS: i64 = 730;

/// What one member bought within the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// The member (any id type: the caller's).
    pub member_id: i64,
    /// Their latest purchase.
    pub last_purchase_at: NaiveDateTime,
    /// Orders not wholly refunded.
    pub orders: i64,
    /// What they spent, net of refunds, in minor units.
    pub monetary_minor: i64,
}

/// A member's scores and segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    /// The member.
    pub member_id: i64,
    /// Whole days since the latest purchase.
    pub recency_days: i64,
    /// Orders.
    pub frequency: i64,
    /// Spent, in minor units.
    pub monetary_minor: i64,
    /// Recency score, 1 to 5 (5: bought most recently).
    pub r: i64,
    /// Frequency score, 1 to 5.
    pub f: i64,
    /// Monetary score, 1 to 5.
    pub m: i64,
    /// The named segment.
    pub segment: Segment,
}

/// The named segments, from recency and frequency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    /// Bought recently and often (R 4-5, F 4-5).
    Champions,
    /// Buy often and not long ago (R 3-5, F 3-5, not champions).
    Loyal,
    /// Bought recently, once (R 4-5, F 1).
    New,
    /// Bought recently, a few times (R 3-5, F 1-2, not new).
    Potential,
    /// Used to buy often, not lately (R 1-2, F 3-5).
    AtRisk,
    /// Few purchases, some time ago (R 2, F 1-2).
    Hibernating,
    /// Few purchases, long ago (R 1, F 1-2).
    Lost,
}

impl Segment {
    /// Every segment, best first.
    pub const ALL: [Segment; 7] = [
        Segment::Champions,
        Segment::Loyal,
        Segment::New,
        Segment::Potential,
        Segment::AtRisk,
        Segment::Hibernating,
        Segment::Lost,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Segment::Champions => "champions",
            Segment::Loyal => "loyal",
            Segment::New => "new",
            Segment::Potential => "potential",
            Segment::AtRisk => "at_risk",
            Segment::Hibernating => "hibernating",
            Segment::Lost => "lost",
        }
    }

    /// The segment of a name.
    pub fn parse(name: &str) -> Option<Segment> {
        Segment::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The segment of a recency and a frequency score.
    pub fn of(r: i64, f: i64) -> Segment {
        match (r, f) {
            (4.., 4..) => Segment::Champions,
            (3.., 3..) => Segment::Loyal,
            (4.., ..=1) => Segment::New,
            (3.., _) => Segment::Potential,
            (_, 3..) => Segment::AtRisk,
            (2, _) => Segment::Hibernating,
            _ => Segment::Lost,
        }
    }
}

/// The quintile score (1 to 5) of each value, higher values scoring higher; equal values share
/// the score of the first of them in rank order.
pub fn quintiles(values: &[i64]) -> Vec<i64> {
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| values.get(i).copied().unwrap_or_default());
    let mut scores = vec![1_i64; n];
    let mut first_rank_of_value = 0_usize;
    for (rank, &i) in order.iter().enumerate() {
        let value = values.get(i);
        let previous = rank
            .checked_sub(1)
            .and_then(|p| order.get(p))
            .and_then(|&j| values.get(j));
        if previous != value {
            first_rank_of_value = rank;
        }
        let score = 1 + (5 * first_rank_of_value) / n.max(1);
        if let Some(slot) = scores.get_mut(i) {
            *slot = i64::try_from(score.min(5)).unwrap_or(5);
        }
    }
    scores
}

/// Scores the members who bought within the window, as of `now`.
pub fn score(now: NaiveDateTime, activity: &[Activity]) -> Vec<Scored> {
    let recency: Vec<i64> = activity
        .iter()
        .map(|a| (now - a.last_purchase_at).num_days().max(0))
        .collect();
    // Fewer days is better: score the negated figure.
    let r = quintiles(&recency.iter().map(|d| -d).collect::<Vec<_>>());
    let f = quintiles(&activity.iter().map(|a| a.orders).collect::<Vec<_>>());
    let m = quintiles(
        &activity
            .iter()
            .map(|a| a.monetary_minor)
            .collect::<Vec<_>>(),
    );
    activity
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let (r, f, m) = (
                r.get(i).copied().unwrap_or(1),
                f.get(i).copied().unwrap_or(1),
                m.get(i).copied().unwrap_or(1),
            );
            Scored {
                member_id: a.member_id,
                recency_days: recency.get(i).copied().unwrap_or_default(),
                frequency: a.orders,
                monetary_minor: a.monetary_minor,
                r,
                f,
                m,
                segment: Segment::of(r, f),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveDate};

    fn at(days_ago: i64) -> NaiveDateTime {
        now() - Duration::days(days_ago)
    }

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 1)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .unwrap_or_default()
    }

    #[test]
    fn ten_values_fall_two_by_two_into_the_five_quintiles() {
        // Sorted ranks 0..9 score 1 + 5 * rank / 10: 1 1 2 2 3 3 4 4 5 5.
        let values = [50, 10, 40, 20, 30, 90, 60, 80, 70, 100];
        assert_eq!(quintiles(&values), [3, 1, 2, 1, 2, 5, 3, 4, 4, 5]);
    }

    #[test]
    fn equal_values_share_the_score_of_the_first_of_them() {
        // Ranks 0..4 of five: 1 2 3 4 5, but the three 7s all take rank 1's score (2).
        assert_eq!(quintiles(&[7, 1, 7, 9, 7]), [2, 1, 2, 5, 2]);
        assert_eq!(quintiles(&[4, 4, 4]), [1, 1, 1]);
        assert_eq!(quintiles(&[]), Vec::<i64>::new());
        assert_eq!(quintiles(&[3]), [1]);
    }

    #[test]
    fn a_small_table_scores_and_segments_as_computed_by_hand() {
        // Five members: recency 2, 10, 40, 200, 400 days; orders 12, 1, 6, 9, 1; spent
        // 500.00, 20.00, 150.00, 300.00, 15.00.
        let table = [
            (1, 2, 12, 50_000),
            (2, 10, 1, 2_000),
            (3, 40, 6, 15_000),
            (4, 200, 9, 30_000),
            (5, 400, 1, 1_500),
        ];
        let activity: Vec<Activity> = table
            .iter()
            .map(|&(id, days, orders, minor)| Activity {
                member_id: id,
                last_purchase_at: at(days),
                orders,
                monetary_minor: minor,
            })
            .collect();
        let scored = score(now(), &activity);
        let got: Vec<(i64, i64, i64, i64, &str)> = scored
            .iter()
            .map(|s| (s.member_id, s.r, s.f, s.m, s.segment.as_str()))
            .collect();
        // Recency ranks (best last): 400d 1, 200d 2, 40d 3, 10d 4, 2d 5. Orders: the two
        // single orders share rank 0 (score 1), then 6 -> 3, 9 -> 4, 12 -> 5. Spent: 15.00 1,
        // 20.00 2, 150.00 3, 300.00 4, 500.00 5.
        assert_eq!(
            got,
            [
                (1, 5, 5, 5, "champions"),
                (2, 4, 1, 2, "new"),
                (3, 3, 3, 3, "loyal"),
                (4, 2, 4, 4, "at_risk"),
                (5, 1, 1, 1, "lost"),
            ]
        );
        assert_eq!(scored.first().map(|s| s.recency_days), Some(2));
    }

    #[test]
    fn every_score_pair_has_one_segment() {
        let mut seen = std::collections::BTreeSet::new();
        for r in 1..=5 {
            for f in 1..=5 {
                seen.insert(Segment::of(r, f));
            }
        }
        assert_eq!(seen.len(), Segment::ALL.len(), "every segment is reachable");
        assert_eq!(Segment::of(3, 1), Segment::Potential);
        assert_eq!(Segment::of(2, 2), Segment::Hibernating);
        for s in Segment::ALL {
            assert_eq!(Segment::parse(s.as_str()), Some(s));
        }
    }
}
