//! The scheduled close runs once per due cut-off.

use crate::both_backends;
use crate::helpers::{link, sale, TestApp};

async fn the_scheduled_close_runs_once_per_due_cut_off(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, _) = app.member("sched@example.com").await;
    link(&shop, &number).await;
    shop.client.earn(&sale(&number, "M-1", 1000)).await.unwrap();
    // Jump past the next 1st of the month: the close up to that midnight is due.
    app.advance_days(32);
    let state = app.state.clone();
    let runs = tokio::task::spawn_blocking(move || {
        let mut conn = state.pool.get().unwrap();
        let now = state.clock.now_naive();
        let first =
            loyalty_server::service::settlement::close_if_due(&mut conn, &state.master_key, now, 1)
                .unwrap();
        let second =
            loyalty_server::service::settlement::close_if_due(&mut conn, &state.master_key, now, 1)
                .unwrap();
        (
            first,
            second,
            loyalty_server::service::settlement::due_cutoff(now, 1),
        )
    })
    .await
    .unwrap();
    let (first, second, due) = runs;
    let first = first.expect("the due period closes");
    assert_eq!(first.period_end.naive_utc(), due.unwrap());
    assert_eq!(first.summary.partners[0].net_minor, 8);
    assert!(second.is_none(), "a second round closes nothing");
}
both_backends!(the_scheduled_close_runs_once_per_due_cut_off);
