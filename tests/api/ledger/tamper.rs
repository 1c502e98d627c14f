//! The verification detects a tampered journal.

use crate::both_backends;
use crate::helpers::{link, sale, TestApp};

async fn verify_detects_an_edited_posting_and_an_edited_entry(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, _) = app.member("kim@example.com").await;
    link(&shop, &number).await;
    shop.client
        .earn(&sale(&number, "T-1", 1000))
        .await
        .expect("earn");
    shop.client
        .earn(&sale(&number, "T-2", 2000))
        .await
        .expect("earn");
    assert!(app.verify().await.is_clean());

    // Change the reference of the first entry: its hash no longer matches.
    app.execute_sql("UPDATE journal_entries SET reference = 'T-9' WHERE id = (SELECT MIN(id) FROM journal_entries)").await;
    let report = app.verify().await;
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("does not match its hash")),
        "{:?}",
        report.problems
    );
    app.execute_sql("UPDATE journal_entries SET reference = 'T-1' WHERE id = (SELECT MIN(id) FROM journal_entries)").await;
    assert!(app.verify().await.is_clean());

    // Inflate a posting: unbalanced, hash broken, balances disagree.
    app.execute_sql(
        "UPDATE postings SET amount = amount + 1000 WHERE id = (SELECT MAX(id) FROM postings)",
    )
    .await;
    let report = app.verify().await;
    assert!(
        report.problems.iter().any(|p| p.contains("sum to")),
        "{:?}",
        report.problems
    );
    assert!(
        report.problems.iter().any(|p| p.contains("tampered")),
        "{:?}",
        report.problems
    );
    app.execute_sql(
        "UPDATE postings SET amount = amount - 1000 WHERE id = (SELECT MAX(id) FROM postings)",
    )
    .await;

    assert!(app.verify().await.is_clean());

    // Roll the member's chain head back one entry, as deleting the last entry would: detected.
    app.execute_sql("UPDATE members SET chain_head = (SELECT prev_hash FROM journal_entries WHERE id = (SELECT MAX(id) FROM journal_entries))").await;
    let report = app.verify().await;
    assert!(
        report.problems.iter().any(|p| p.contains("chain head")),
        "{:?}",
        report.problems
    );
    app.execute_sql("UPDATE members SET chain_head = (SELECT hash FROM journal_entries WHERE id = (SELECT MAX(id) FROM journal_entries))").await;
}
both_backends!(verify_detects_an_edited_posting_and_an_edited_entry);
