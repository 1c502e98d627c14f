//! What a sale line's category does to its points: a line in a restricted category earns
//! nothing; a line in a subtree the contract multiplies earns at that multiplier (the deepest
//! rule that contains the category wins); any other line, and the part of the sale no line
//! covers, earns at the plain rate.

use std::collections::BTreeSet;

use crate::domain::catalog::taxonomy::Taxonomy;
use crate::domain::ids::CategoryId;
use crate::domain::money::MoneyMinor;

/// How one line earns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineTreatment {
    /// At the plain rate.
    Plain,
    /// Nothing: the category lies in this restricted subtree.
    Restricted {
        /// The restricted subtree.
        root: CategoryId,
    },
    /// At a contract multiplier.
    Multiplied {
        /// The subtree the rule covers.
        root: CategoryId,
        /// Basis points (10,000 = x1).
        multiplier_bp: i64,
    },
}

impl LineTreatment {
    /// What a unit of the line earns, in basis points of the plain rate.
    pub fn weight_bp(&self) -> i64 {
        match self {
            LineTreatment::Plain => crate::domain::earning::rules::BP_ONE,
            LineTreatment::Restricted { .. } => 0,
            LineTreatment::Multiplied { multiplier_bp, .. } => *multiplier_bp,
        }
    }
}

/// A line with its amount and treatment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreatedLine {
    /// The line's amount.
    pub amount: MoneyMinor,
    /// How it earns.
    pub treatment: LineTreatment,
}

/// The treatment of a line in `category` (None: the line names no known category).
pub fn treat(
    tree: &Taxonomy,
    restricted: &BTreeSet<CategoryId>,
    multipliers: &[(CategoryId, i64)],
    category: Option<CategoryId>,
) -> LineTreatment {
    let Some(category) = category else {
        return LineTreatment::Plain;
    };
    let lineage: Vec<CategoryId> = tree.lineage(category).map(|c| c.id).collect();
    // The tree may not know the category (a line naming one the catalog no longer has): it is
    // then its own lineage.
    let lineage = if lineage.is_empty() {
        vec![category]
    } else {
        lineage
    };
    if let Some(root) = lineage.iter().find(|c| restricted.contains(c)) {
        return LineTreatment::Restricted { root: *root };
    }
    // lineage runs from the category up: the first rule met is the deepest.
    for id in &lineage {
        if let Some((root, bp)) = multipliers.iter().find(|(root, _)| root == id) {
            return LineTreatment::Multiplied {
                root: *root,
                multiplier_bp: *bp,
            };
        }
    }
    LineTreatment::Plain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::taxonomy::parse;

    fn tree() -> Taxonomy {
        let en = "1 - Food\n2 - Food > Drinks\n3 - Food > Drinks > Wine\n4 - Food > Bread\n\
                  5 - Food > Bread > Baguettes\n";
        Taxonomy::build(&parse(en).unwrap(), None).unwrap()
    }

    #[test]
    fn restriction_wins_then_the_deepest_multiplier() {
        let t = tree();
        let id = CategoryId::from;
        let restricted = BTreeSet::from([id(3)]);
        let rules = [(id(1), 15_000), (id(4), 20_000)];
        assert_eq!(
            treat(&t, &restricted, &rules, Some(id(3))),
            LineTreatment::Restricted { root: id(3) }
        );
        assert_eq!(
            treat(&t, &restricted, &rules, Some(id(5))),
            LineTreatment::Multiplied {
                root: id(4),
                multiplier_bp: 20_000
            }
        );
        assert_eq!(
            treat(&t, &restricted, &rules, Some(id(2))),
            LineTreatment::Multiplied {
                root: id(1),
                multiplier_bp: 15_000
            }
        );
        assert_eq!(
            treat(&t, &restricted, &[], Some(id(2))),
            LineTreatment::Plain
        );
        assert_eq!(treat(&t, &restricted, &rules, None), LineTreatment::Plain);
    }
}
