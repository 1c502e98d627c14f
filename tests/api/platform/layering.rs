//! The layering rules of `docs/ARCHITECTURE.md`, checked over the source tree: handlers never
//! reach the queries, services reach `http/` only for its plain-data `json` modules, only `db/`
//! knows the backend, the domain is pure, every journal entry is written by the one posting
//! function, and no file grows past 400 lines without saying why.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The file's code: comment lines and a `#[cfg(test)]` module at its end left out.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("read");
    let code = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => &text,
    };
    code.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn offenders(dir: &str, forbidden: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for path in rust_files(&root().join(dir)) {
        let code = code_of(&path);
        for needle in forbidden {
            if code.contains(needle) {
                out.push(format!("{} uses {needle}", path.display()));
            }
        }
    }
    out
}

#[test]
fn handlers_and_pages_never_reach_the_queries_or_the_database() {
    let mut found = Vec::new();
    for dir in ["src/http", "src/web"] {
        found.extend(offenders(
            dir,
            &["db::queries", "queries::", "diesel", "DbConn::", "db::{"],
        ));
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn services_reach_http_only_for_the_wire_types_which_are_plain_data() {
    let mut found = Vec::new();
    for path in rust_files(&root().join("src/service")) {
        let code = code_of(&path);
        let mut rest = code.as_str();
        while let Some(i) = rest.find("http::") {
            let after = rest.get(i + "http::".len()..).unwrap_or_default();
            let mut parts = after.splitn(3, "::");
            let (_capability, module) = (parts.next(), parts.next());
            if module != Some("json") {
                found.push(format!(
                    "{} uses http:: beyond a json module",
                    path.display()
                ));
            }
            rest = after;
        }
    }
    for path in rust_files(&root().join("src/http")) {
        if path.file_name().is_some_and(|n| n == "json.rs") {
            let code = code_of(&path);
            for needle in ["actix", "crate::service", "crate::db", "HttpRequest"] {
                if code.contains(needle) {
                    found.push(format!("{} uses {needle}", path.display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_sdk_never_depends_on_the_server() {
    let manifest =
        std::fs::read_to_string(root().join("partner-sdk/Cargo.toml")).expect("manifest");
    assert!(
        !manifest.contains("loyalty-server"),
        "partner-sdk depends on the server"
    );
    let found = offenders("partner-sdk/src", &["loyalty_server"]);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn only_db_matches_on_the_backend() {
    let mut found = Vec::new();
    for dir in ["src/http", "src/service", "src/domain"] {
        found.extend(offenders(dir, &["DbConn::Pg", "DbConn::Sqlite"]));
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_domain_is_pure() {
    let found = offenders(
        "src/domain",
        &["actix", "diesel", "crate::db", "crate::service"],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn journal_entries_are_written_by_the_one_posting_function() {
    let mut writers = Vec::new();
    for path in rust_files(&root().join("src")) {
        if code_of(&path).contains("journal::insert_entry(") {
            writers.push(
                path.strip_prefix(root())
                    .expect("prefix")
                    .display()
                    .to_string(),
            );
        }
    }
    assert_eq!(writers, vec!["src/service/ledger/mod.rs".to_owned()]);
}

#[test]
fn no_file_is_over_400_lines_without_a_reason_at_its_top() {
    let mut found = Vec::new();
    for dir in ["src", "partner-sdk/src", "tests"] {
        for path in rust_files(&root().join(dir)) {
            let text = std::fs::read_to_string(&path).expect("read");
            let reasoned = text
                .lines()
                .take_while(|l| l.starts_with("//!"))
                .any(|l| l.contains("Longer than 400 lines"));
            if text.lines().count() > 400 && !reasoned {
                found.push(format!(
                    "{}: {} lines",
                    path.display(),
                    text.lines().count()
                ));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}
