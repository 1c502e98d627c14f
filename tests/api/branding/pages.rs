//! The member pages over plain HTTP: a forged cross-site form post is refused with 403 and
//! changes nothing; a script in any brand field is escaped; every page carries the strict CSP
//! and its cookies their flags; sign-in is rate-limited; any slug that is not an active,
//! unsuspended partner's answers the same 404 page; control characters in a form get a
//! friendly page, never a 500.

use diesel::sql_types::BigInt;
use diesel::{QueryableByName, RunQueryDsl};
use partner_sdk::branding::{BrandRequest, PointsLabel};
use reqwest::Method;
use serde_json::json;

use super::page_client::{Browser, PASSWORD};
use crate::both_backends;
use crate::helpers::TestApp;

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn codes_stored(app: &TestApp) -> i64 {
    let pool = app.state.pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        let count: Count = diesel::sql_query("SELECT count(*) AS n FROM redemption_codes")
            .get_result(&mut *conn)
            .unwrap();
        count.n
    })
    .await
    .unwrap()
}

async fn forged_cross_site_posts_are_refused_and_change_nothing(app: &TestApp) {
    app.member("eve@example.com").await;
    let mut b = Browser::new(app);
    b.get("/sign-in").await;
    let csrf = b.csrf();
    assert_eq!(csrf.len(), 64);
    let login = |token: &'static str| {
        [
            ("csrf", token),
            ("email", "eve@example.com"),
            ("password", PASSWORD),
        ]
    };
    for (form, headers) in [
        (login("").to_vec(), vec![]),
        (
            login("0000000000000000000000000000000000000000000000000000000000000000").to_vec(),
            vec![],
        ),
    ] {
        let answer = b.post("/sign-in", &form, &headers).await;
        assert_eq!(answer.status, 403, "{}", answer.body);
        assert!(!b.cookies.contains_key("member_session"));
    }
    let good = [
        ("csrf", csrf.as_str()),
        ("email", "eve@example.com"),
        ("password", PASSWORD),
    ];
    for headers in [
        vec![("Origin", "https://evil.example")],
        vec![("Sec-Fetch-Site", "cross-site")],
        vec![("Origin", "null")],
    ] {
        let answer = b.post("/sign-in", &good, &headers).await;
        assert_eq!(answer.status, 403, "{headers:?}");
        assert!(!b.cookies.contains_key("member_session"));
    }
    let answer = b.post("/sign-in", &good, &[]).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert!(b.cookies.contains_key("member_session"));
    assert_ne!(b.csrf(), csrf, "a new CSRF token with the session");
    // Signed in, a forged code request or sign-out does nothing.
    let before = codes_stored(app).await;
    let token = b.csrf();
    for (form, headers) in [
        (vec![], vec![]),
        (vec![("csrf", "forged")], vec![]),
        (
            vec![("csrf", token.as_str())],
            vec![("Origin", "https://evil.example")],
        ),
    ] {
        assert_eq!(b.post("/codes", &form, &headers).await.status, 403);
        assert_eq!(b.post("/sign-out", &form, &headers).await.status, 403);
    }
    assert_eq!(codes_stored(app).await, before, "no code was created");
    assert_eq!(b.get("/account").await.status, 200, "still signed in");
    let code = b.post("/codes", &[("csrf", token.as_str())], &[]).await;
    assert_eq!(code.status, 200);
    assert!(code.body.contains("id=\"code\""));
    assert_eq!(codes_stored(app).await, before + 1);
    let out = b.post("/sign-out", &[("csrf", token.as_str())], &[]).await;
    assert_eq!(out.status, 303);
    assert!(!b.cookies.contains_key("member_session"));
    assert_eq!(b.get("/account").await.status, 303, "signed out");
}

fn hostile_brand(slug: &str) -> BrandRequest {
    BrandRequest {
        slug: slug.into(),
        display_name: "<script>alert('name')</script> Shop".into(),
        primary_color: "#003366".into(),
        accent_color: "#ffd700".into(),
        text_color: None,
        points_label: PointsLabel {
            fr_fr: "<img src=x onerror=alert(1)>".into(),
            en_gb: "\"><script>alert(2)</script>".into(),
        },
        default_locale: "en-GB".into(),
        rules_markdown: "Plain **rules**.".into(),
    }
}

async fn a_script_in_brand_fields_is_escaped_on_every_page(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    shop.client
        .set_brand(&hostile_brand("hostile"))
        .await
        .unwrap();
    let (number, _) = app.member("mallory@example.com").await;
    crate::helpers::link(&shop, &number).await;
    let mut b = Browser::new(app);
    let mut pages = Vec::new();
    for path in [
        "/p/hostile/",
        "/p/hostile/rules",
        "/directory",
        "/directory?lang=fr",
    ] {
        pages.push((path, b.get(path).await));
    }
    assert_eq!(
        b.sign_in("/p/hostile", "mallory@example.com").await.status,
        303
    );
    pages.push(("account", b.get("/p/hostile/account?lang=en").await));
    pages.push(("account fr", b.get("/p/hostile/account?lang=fr").await));
    for (path, answer) in &pages {
        assert_eq!(answer.status, 200, "{path}");
        let body = &answer.body;
        assert!(!body.contains("<script>alert"), "{path}: {body}");
        assert!(!body.contains("<img src=x"), "{path}: {body}");
        assert!(
            body.contains("&#60;script&#62;alert(&#39;name&#39;)&#60;/script&#62; Shop"),
            "{path}: {body}"
        );
    }
    let account = &pages.iter().find(|(p, _)| *p == "account").unwrap().1.body;
    assert!(
        account.contains("&#34;&#62;&#60;script&#62;alert(2)&#60;/script&#62;"),
        "{account}"
    );
    let account_fr = &pages
        .iter()
        .find(|(p, _)| *p == "account fr")
        .unwrap()
        .1
        .body;
    assert!(
        account_fr.contains("&#60;img src=x onerror=alert(1)&#62;"),
        "{account_fr}"
    );
    let rules = &pages[1].1.body;
    assert!(
        rules.contains("<strong>rules</strong>"),
        "the sanitised rules are markup"
    );
}

async fn pages_carry_a_strict_csp_and_cookies_their_flags(app: &TestApp) {
    app.member("flags@example.com").await;
    let mut b = Browser::new(app);
    let home = b.get("/").await;
    for (name, value) in [
        ("content-security-policy", CSP),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(home.headers[name], value, "{name}");
    }
    assert!(home.body.contains("<html lang=\"en-GB\">"));
    let csrf_cookie = home.headers["set-cookie"].to_str().unwrap().to_owned();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(csrf_cookie.contains(flag), "{csrf_cookie}");
    }
    assert!(
        !csrf_cookie.contains("Secure"),
        "plain HTTP without a trusted proxy"
    );
    let signed = b.sign_in("", "flags@example.com").await;
    let session = signed
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("member_session="))
        .unwrap();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(flag), "{session}");
    }
    let account = b.get("/account").await;
    assert_eq!(account.headers["cache-control"], "no-store");
    assert_eq!(account.headers["content-security-policy"], CSP);
    // An untrusted X-Forwarded-Proto changes nothing; French from Accept-Language.
    let res = app
        .http
        .get(format!("{}/sign-in", app.address))
        .header("X-Forwarded-Proto", "https")
        .header("Accept-Language", "de-DE, fr;q=0.8, en;q=0.5")
        .send()
        .await
        .unwrap();
    assert!(!res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Secure"));
    assert!(res.text().await.unwrap().contains("<html lang=\"fr-FR\">"));
    let css = b.get("/static/site.css").await;
    assert!(css.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert!(css.body.contains("var(--primary)"));
}

fn behind_a_tls_proxy(settings: &mut loyalty_server::config::Settings) {
    settings.trust_proxy = true;
}

async fn cookies_are_secure_behind_a_trusted_tls_proxy(app: &TestApp) {
    let res = app
        .http
        .get(format!("{}/sign-in", app.address))
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
}

async fn sign_in_is_rate_limited_per_email(app: &TestApp) {
    app.member("victim@example.com").await;
    let mut b = Browser::new(app);
    b.get("/sign-in").await;
    let csrf = b.csrf();
    let attempt = |password: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("email", "victim@example.com".to_owned()),
            ("password", password.to_owned()),
        ]
    };
    for _ in 0..5 {
        let form = attempt("wrong password!");
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let answer = b.post("/sign-in", &form, &[]).await;
        assert_eq!(answer.status, 401);
        assert!(answer.body.contains("Wrong email or password."));
    }
    let form = attempt(PASSWORD);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let answer = b.post("/sign-in", &form, &[]).await;
    assert_eq!(answer.status, 429, "even the right password waits");
    let wait: u64 = answer.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    assert_eq!(answer.headers["content-security-policy"], CSP);
    assert!(!b.cookies.contains_key("member_session"));
    // The JSON sign-in keeps its own behaviour.
    let res = app
        .http
        .post(format!("{}/v1/member/signin", app.address))
        .json(&json!({"email": "victim@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
}

async fn control_characters_in_a_form_get_a_friendly_page(app: &TestApp) {
    let mut b = Browser::new(app);
    b.get("/sign-in").await;
    let csrf = b.csrf();
    let form = [
        ("csrf", csrf.as_str()),
        ("email", "a\u{0}@example.com"),
        ("password", "x\u{7}y"),
    ];
    let answer = b.post("/sign-in", &form, &[]).await;
    assert_eq!(answer.status, 422);
    assert!(
        answer.body.contains("control characters"),
        "{}",
        answer.body
    );
}

async fn slugs_that_are_not_an_active_brand_answer_the_same_404_page(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let mut brand = hostile_brand("suspended-brand");
    brand.display_name = "Suspended".into();
    shop.client.set_brand(&brand).await.unwrap();
    let other = app.partner("other", 10_000, 0).await;
    brand.slug = "inactive-partner".into();
    brand.display_name = "Inactive".into();
    other.client.set_brand(&brand).await.unwrap();
    let (status, _) = app
        .operator(
            Method::PUT,
            &format!("/v1/operator/partners/{}/brand/suspension", shop.id),
            Some(json!({"reason": "test"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .operator(
            Method::POST,
            &format!("/v1/operator/partners/{}/status", other.id),
            Some(json!({"status": "suspended", "reason": "unpaid"})),
        )
        .await;
    assert_eq!(status, 200);
    let mut bodies = Vec::new();
    for path in [
        "/p/nobody/",
        "/p/suspended-brand/",
        "/p/inactive-partner/account",
        "/p/Bad_Slug/",
        "/p/nobody/brand.css",
        "/p/nobody/no-such-page",
    ] {
        let res = app
            .http
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 404, "{path}");
        assert_eq!(res.headers()["content-security-policy"], CSP, "{path}");
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        bodies.push(res.text().await.unwrap().replace(path, ""));
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "the same page for every reason"
    );
    assert!(!bodies[0].contains("Suspended") && !bodies[0].contains("Inactive"));
}

both_backends!(forged_cross_site_posts_are_refused_and_change_nothing);
both_backends!(a_script_in_brand_fields_is_escaped_on_every_page);
both_backends!(pages_carry_a_strict_csp_and_cookies_their_flags);
both_backends!(
    cookies_are_secure_behind_a_trusted_tls_proxy,
    behind_a_tls_proxy
);
both_backends!(sign_in_is_rate_limited_per_email);
both_backends!(control_characters_in_a_form_get_a_friendly_page);
both_backends!(slugs_that_are_not_an_active_brand_answer_the_same_404_page);
