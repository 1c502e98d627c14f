//! The PostgreSQL side of the harness: the server the tests use, and one migrated template
//! database per set of migrations, shared by every test process.

use std::sync::OnceLock;

use diesel::{Connection, PgConnection, RunQueryDsl};
use loyalty_server::config::Settings;

/// The PostgreSQL server tests use. Without TLS: on a local server it protects nothing, and a
/// libpq connection still in OpenSSL while the test process exits (a pool outliving its test)
/// was seen to crash the process after every test had passed.
pub fn pg_admin_url() -> String {
    std::env::var("TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/postgres?sslmode=disable".into())
}

/// The URL of database `db` on the server `url` names, with the same parameters.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    match base.rfind('/') {
        Some(i) => format!("{}/{db}{query}", &base[..i]),
        None => url.to_owned(),
    }
}

/// The migrated template, created once for the current migrations and shared by every test
/// process (its name carries a hash of the migrations; an advisory lock serialises its creation).
/// None, with a loud message, when no PostgreSQL answers outside CI; in CI that fails the test.
pub fn pg_template() -> Option<&'static str> {
    static TEMPLATE: OnceLock<Option<String>> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let admin = pg_admin_url();
            let mut conn = match PgConnection::establish(&admin) {
                Ok(c) => c,
                Err(e) => {
                    if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false") {
                        panic!("CI: PostgreSQL at {admin} does not answer: {e}");
                    }
                    eprintln!(
                        "\n!!!!!!!!!!\n!!! SKIPPING PostgreSQL tests: no PostgreSQL answers at {admin} ({e}).\n\
                         !!! Set TEST_PG_URL or start PostgreSQL; CI never skips them.\n!!!!!!!!!!\n"
                    );
                    return None;
                }
            };
            let name = format!("loyalty_tpl_{}", migrations_digest());
            diesel::sql_query("SELECT pg_advisory_lock(727001)")
                .execute(&mut conn)
                .expect("template lock");
            let exists = diesel::sql_query(format!(
                "SELECT 1 FROM pg_database WHERE datname = '{name}'"
            ))
            .execute(&mut conn)
            .expect("look up template")
                > 0;
            if !exists {
                // Migrated under a temporary name and renamed, so a half-migrated template is
                // never used by another process.
                let building = format!("{name}_building");
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
                    .execute(&mut conn)
                    .expect("drop stale template");
                diesel::sql_query(format!("CREATE DATABASE {building}"))
                    .execute(&mut conn)
                    .expect("create template");
                let settings =
                    Settings::for_tests(with_database(&admin, &building), std::env::temp_dir());
                let pool = loyalty_server::startup::open_database(&settings).expect("migrate template");
                drop(pool);
                diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {name}"))
                    .execute(&mut conn)
                    .expect("rename template");
            }
            diesel::sql_query("SELECT pg_advisory_unlock(727001)")
                .execute(&mut conn)
                .expect("template unlock");
            Some(name)
        })
        .as_deref()
}

/// A short digest of the PostgreSQL migrations, so a changed migration gets a new template.
fn migrations_digest() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&root)
        .expect("migrations folder")
        .flat_map(|dir| {
            let dir = dir.expect("migration").path();
            ["up.sql", "down.sql"].map(|f| dir.join(f))
        })
        .collect();
    files.sort();
    let mut all = String::new();
    for f in files {
        let relative = f.strip_prefix(&root).unwrap_or(&f);
        all.push_str(&relative.to_string_lossy());
        all.push_str(&std::fs::read_to_string(&f).unwrap_or_default());
    }
    let digest = loyalty_server::crypto::sha256_hex(&all);
    digest[..12].to_owned()
}
