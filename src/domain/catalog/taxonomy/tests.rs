//! Unit tests of the taxonomy parser and tree, on a small tree and on Google's whole one.

use super::*;

const SMALL_EN: &str = "# Google_Product_Taxonomy_Version: 2021-09-21\n\
    632 - Hardware\n\
    1167 - Hardware > Tools\n\
    1169 - Hardware > Tools > Drills\n\
    9999 - Hardware > Tools > Laser Levels\n\
    536 - Home & Garden\n";
const SMALL_FR: &str = "# Google_Product_Taxonomy_Version: 2015-02-19\n\
    632 - Quincaillerie\n\
    1167 - Quincaillerie > Outils \n\
    1169 - Quincaillerie > Outils > Perceuses\n\
    536 - Maison et jardin\n";

fn small() -> Taxonomy {
    Taxonomy::build(&parse(SMALL_EN).unwrap(), Some(&parse(SMALL_FR).unwrap())).unwrap()
}

#[test]
fn lines_parse_into_ids_and_trimmed_paths() {
    let file = parse(SMALL_FR).unwrap();
    assert_eq!(file.version.as_deref(), Some("2015-02-19"));
    assert_eq!(file.lines[1].path, vec!["Quincaillerie", "Outils"]);
}

#[test]
fn bad_lines_are_refused_with_their_number() {
    let err = |text: &str| parse(text).unwrap_err();
    assert_eq!(err("1 - A\nx - B\n").line, 2);
    assert_eq!(err("1 - A\n2 A > B\n").line, 2);
    assert_eq!(err("1 - A\n2 - A >  > B\n").line, 2);
    assert_eq!(err("0 - A\n").line, 1);
    assert_eq!(err("-5 - A\n").line, 1);
    assert_eq!(err("1 - A\u{0}\n").line, 1);
    assert_eq!(err("# header only\n").line, 0);
    let deep = format!("1 - {}\n", ["A"; DEPTH_MAX + 1].join(" > "));
    assert_eq!(err(&deep).line, 1);
    let orphan = parse("1 - A\n2 - B > C\n").unwrap();
    assert_eq!(Taxonomy::build(&orphan, None).unwrap_err().line, 2);
    let twice = parse("1 - A\n1 - B\n").unwrap();
    assert!(Taxonomy::build(&twice, None).is_err());
}

#[test]
fn categories_resolve_by_id_or_path_in_either_language() {
    let t = small();
    let drills = CategoryId::from(1169);
    assert_eq!(t.resolve("1169"), Some(drills));
    assert_eq!(t.resolve("Hardware > Tools > Drills"), Some(drills));
    assert_eq!(t.resolve("hardware>tools >drills"), Some(drills));
    assert_eq!(
        t.resolve("Quincaillerie > Outils > Perceuses"),
        Some(drills)
    );
    assert_eq!(t.resolve("1168"), None);
    assert_eq!(t.resolve("Hardware > Drills"), None);
    assert_eq!(t.resolve(""), None);
    assert_eq!(t.get(drills).map(|c| c.depth), Some(3));
    assert!(t.is_within(drills, CategoryId::from(632)));
    assert!(!t.is_within(drills, CategoryId::from(536)));
    assert_eq!(t.path_en(drills), "Hardware > Tools > Drills");
}

#[test]
fn a_category_without_a_french_name_borrows_its_ancestors() {
    let t = small();
    assert_eq!(
        t.name_fr(CategoryId::from(1169)).as_deref(),
        Some("Perceuses")
    );
    assert_eq!(
        t.name_fr(CategoryId::from(9999)).as_deref(),
        Some("Outils > Laser Levels")
    );
}

#[test]
fn the_embedded_tree_is_googles_whole_tree() {
    let t = Taxonomy::embedded().unwrap();
    assert_eq!(t.len(), 5595);
    assert_eq!(t.categories().filter(|c| c.parent.is_none()).count(), 21);
    assert_eq!(t.categories().filter(|c| c.name_fr.is_some()).count(), 5427);
    assert_eq!(t.categories().map(|c| c.depth).max(), Some(7));
    let hardware = t.resolve("Hardware").unwrap();
    assert_eq!(hardware, CategoryId::from(632));
    assert_eq!(t.resolve("Quincaillerie"), Some(hardware));
}
