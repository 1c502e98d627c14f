//! A partner cannot tell a member of another partner from no member; concurrent links of one
//! member all answer the link.

use futures::future::join_all;
use partner_sdk::types::AuthorizeRequest;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::requests::refund;
use crate::helpers::{link, sale, TestApp};

async fn a_partner_cannot_tell_another_partners_member_from_no_member(app: &TestApp) {
    let a = app.partner("shop-a", 10_000, 0).await;
    let b = app.partner("shop-b", 10_000, 0).await;
    let (number, _) = app.member("hidden@example.com").await;
    link(&a, &number).await;
    let unknown = crate::helpers::unused_member_number(&number);
    let problem = |r: Result<_, partner_sdk::Error>| -> Value {
        let e = r.map(|_: ()| ()).expect_err("refused");
        serde_json::to_value(e.problem().expect("problem")).expect("json")
    };
    let theirs = problem(b.client.member_balance(&number).await.map(|_| ()));
    let nobody = problem(b.client.member_balance(&unknown).await.map(|_| ()));
    assert_eq!(theirs, nobody);
    assert_eq!(theirs["code"], "member_not_found");
    let theirs = problem(b.client.earn(&sale(&number, "O1", 100)).await.map(|_| ()));
    let nobody = problem(b.client.earn(&sale(&unknown, "O1", 100)).await.map(|_| ()));
    assert_eq!(theirs, nobody);
    // Authorizing: any member may spend anywhere, so a wrong code and an unknown member
    // answer alike.
    let auth = |n: &str| AuthorizeRequest {
        member_number: n.to_owned(),
        code: "123456".into(),
        points: 1,
        order_id: None,
        currency: Default::default(),
    };
    let member = problem(b.client.authorize(&auth(&number)).await.map(|_| ()));
    let nobody = problem(b.client.authorize(&auth(&unknown)).await.map(|_| ()));
    assert_eq!(member, nobody);
    assert_eq!(member["code"], "invalid_code");
    // Another partner's order, redemption and statement answer like missing ones.
    a.client
        .earn(&sale(&number, "A-ORDER", 100))
        .await
        .expect("earn");
    let theirs = problem(
        b.client
            .refund(&refund("A-ORDER", "R1", 1))
            .await
            .map(|_| ()),
    );
    let nobody = problem(
        b.client
            .refund(&refund("NO-ORDER", "R1", 1))
            .await
            .map(|_| ()),
    );
    assert_eq!(theirs, nobody);
}
both_backends!(a_partner_cannot_tell_another_partners_member_from_no_member);

async fn concurrent_links_of_one_member_all_answer_the_link(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, _) = app.member("links@example.com").await;
    let answers = join_all((0..10).map(|_| {
        let client = shop.client.clone();
        let req = partner_sdk::types::LinkMemberRequest {
            member_number: number.clone(),
            customer_ref: None,
        };
        async move { client.link_member(&req).await }
    }))
    .await;
    for answer in answers {
        assert_eq!(answer.expect("linked").member_number, number);
    }
}
both_backends!(concurrent_links_of_one_member_all_answer_the_link);
