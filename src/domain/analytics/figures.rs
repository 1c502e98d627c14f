//! Program figures, the pure part: rates in parts per million and revenue concentration.

/// The shares of members whose revenue concentration is reported, in percent.
pub const TOP_PERCENTS: [i64; 4] = [1, 5, 10, 20];

/// `part / whole` in parts per million, rounded down; 0 when there is no whole.
pub fn ppm(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        return 0;
    }
    let value = i128::from(part.max(0)) * 1_000_000 / i128::from(whole);
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The share of revenue (ppm) the top `percent`% of members bring, for each of `percents`:
/// members sorted by what they spent, best first; the top k% is the smallest number of members
/// that is at least k% of them (at least one).
pub fn concentration(spends: &[i64], percents: &[i64]) -> Vec<(i64, i64)> {
    let mut sorted: Vec<i64> = spends.iter().map(|s| (*s).max(0)).collect();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let total: i128 = sorted.iter().map(|s| i128::from(*s)).sum();
    let n = i128::try_from(sorted.len()).unwrap_or(0);
    percents
        .iter()
        .map(|&pct| {
            // ceil(n * pct / 100), at least one member.
            let count = ((n * i128::from(pct) + 99) / 100).max(1);
            let take = usize::try_from(count).unwrap_or(usize::MAX);
            let top: i128 = sorted.iter().take(take).map(|s| i128::from(*s)).sum();
            let share = if total > 0 {
                top * 1_000_000 / total
            } else {
                0
            };
            (pct, i64::try_from(share).unwrap_or(0))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_parts_per_million_rounded_down() {
        assert_eq!(ppm(1, 3), 333_333);
        assert_eq!(ppm(2, 2), 1_000_000);
        assert_eq!(ppm(5, 0), 0);
        assert_eq!(ppm(-5, 10), 0);
    }

    #[test]
    fn concentration_takes_the_smallest_top_share_of_members() {
        // 20 members: one spent 1,000, one 500, eighteen 25 each (450): total 1,950.
        let mut spends = vec![25; 18];
        spends.extend([1_000, 500]);
        let got = concentration(&spends, &TOP_PERCENTS);
        // Top 1% and 5% of 20 are one member: 1,000 / 1,950 = 512,820 ppm. Top 10%: two
        // members, 1,500 / 1,950 = 769,230. Top 20%: four, 1,550 / 1,950 = 794,871.
        assert_eq!(
            got,
            [(1, 512_820), (5, 512_820), (10, 769_230), (20, 794_871)]
        );
        assert_eq!(concentration(&[], &[10]), [(10, 0)]);
    }
}

/// A month as a number: `year * 12 + (month - 1)`.
pub type MonthIndex = i64;

/// One cohort: the members whose first purchase fell in a month, and the share of them who
/// bought again in each following month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cohort {
    /// The month of the first purchase.
    pub month: MonthIndex,
    /// Members in the cohort.
    pub members: i64,
    /// For each following month up to the current one (at most 12), the share of the cohort
    /// who bought in it, in parts per million.
    pub retained_ppm: Vec<i64>,
}

/// Cohorts by month of first purchase, from each purchase's (member, month), for the cohorts
/// of months `first..=current`.
pub fn cohorts(
    purchases: &[(i64, MonthIndex)],
    first: MonthIndex,
    current: MonthIndex,
) -> Vec<Cohort> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut by_member: BTreeMap<i64, BTreeSet<MonthIndex>> = BTreeMap::new();
    for (member, month) in purchases {
        by_member.entry(*member).or_default().insert(*month);
    }
    let mut out = Vec::new();
    for month in first..=current {
        let members: Vec<&BTreeSet<MonthIndex>> = by_member
            .values()
            .filter(|months| months.first() == Some(&month))
            .collect();
        let size = i64::try_from(members.len()).unwrap_or(i64::MAX);
        let retained_ppm = (1..=(current - month).min(12))
            .map(|k| {
                let kept = members.iter().filter(|m| m.contains(&(month + k))).count();
                ppm(i64::try_from(kept).unwrap_or(0), size)
            })
            .collect();
        out.push(Cohort {
            month,
            members: size,
            retained_ppm,
        });
    }
    out
}

#[cfg(test)]
mod cohort_tests {
    use super::*;

    #[test]
    fn cohorts_follow_their_members_month_by_month() {
        // Months 0..=3. Members 1, 2, 3 start in month 0; 1 comes back in months 1 and 3, 2 in
        // month 1; member 4 starts in month 2 and comes back in month 3.
        let purchases = [
            (1, 0),
            (1, 1),
            (1, 3),
            (2, 0),
            (2, 1),
            (3, 0),
            (4, 2),
            (4, 3),
        ];
        let got = cohorts(&purchases, 0, 3);
        assert_eq!(
            got,
            [
                Cohort {
                    month: 0,
                    members: 3,
                    retained_ppm: vec![666_666, 0, 333_333]
                },
                Cohort {
                    month: 1,
                    members: 0,
                    retained_ppm: vec![0, 0]
                },
                Cohort {
                    month: 2,
                    members: 1,
                    retained_ppm: vec![1_000_000]
                },
                Cohort {
                    month: 3,
                    members: 0,
                    retained_ppm: vec![]
                },
            ]
        );
    }
}
