//! Every migration reverses: on a migrated database, reverting them all leaves no table, index,
//! sequence or view of ours, and migrating again gives a working server (the scenario's ledger
//! checks run after).

use diesel::sql_types::BigInt;
use diesel::{QueryableByName, RunQueryDsl};
use loyalty_server::db::{revert_migrations, run_migrations};

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn every_migration_reverses_and_applies_again(app: &TestApp) {
    let state = app.state.clone();
    let tables = match app.backend {
        Backend::Postgres => {
            "SELECT count(*) AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace \
             WHERE s.nspname = 'public' AND c.relname NOT LIKE '__diesel_schema_migrations%'"
        }
        Backend::Sqlite => {
            "SELECT count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' \
             AND tbl_name <> '__diesel_schema_migrations'"
        }
    };
    let token_sha256 = loyalty_server::crypto::sha256_hex(&app.operator_token);
    tokio::task::spawn_blocking(move || {
        let mut conn = state.pool.get().expect("connection");
        let reverted = revert_migrations(&mut conn).expect("revert");
        assert!(reverted >= 3, "{reverted} migrations reverted");
        let left: Count = diesel::sql_query(tables)
            .get_result(&mut *conn)
            .expect("count tables");
        assert_eq!(
            left.n, 0,
            "tables, indexes or sequences left after reverting every migration"
        );
        run_migrations(&mut conn).expect("migrate again");
        // The test's operator token went with the tables: stored again as it was.
        loyalty_server::db::queries::platform::auth::insert_operator_token(
            &mut conn,
            "test",
            &token_sha256,
            state.clock.now_naive(),
        )
        .expect("token");
    })
    .await
    .expect("join");
    // The server works on the re-migrated database.
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, token) = app.member("again@example.com").await;
    crate::helpers::link(&shop, &number).await;
    shop.client
        .earn(&crate::helpers::sale(&number, "M-1", 1_000))
        .await
        .expect("earn");
    assert_eq!(app.balance(&token).await.available_points, 10);
}
both_backends!(every_migration_reverses_and_applies_again);
