//! A partner's brand: refused precisely when its colours are unreadable, its logo is not a
//! clean PNG or its rules hold anything active, changing nothing; versioned; suspended by the
//! operator; shown by slug for active partners only.

use partner_sdk::branding::{BrandRequest, PointsLabel};
use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::helpers::TestApp;

pub fn request(slug: &str) -> BrandRequest {
    BrandRequest {
        slug: slug.into(),
        display_name: "Boulangerie Lumière".into(),
        primary_color: "#003366".into(),
        accent_color: "#ffd700".into(),
        text_color: None,
        points_label: PointsLabel {
            fr_fr: "étoiles".into(),
            en_gb: "stars".into(),
        },
        default_locale: "fr-FR".into(),
        rules_markdown: "**1 étoile** par euro. [Conditions](https://boulangerie.example/cgv)"
            .into(),
    }
}

/// A minimal, structurally valid PNG (the server checks structure, it does not decode).
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    let mut chunk = |kind: &[u8], data: &[u8]| {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&[0, 0, 0, 0]);
    };
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &[0; 16]);
    chunk(b"IEND", &[]);
    out
}

async fn bad_brands_are_refused_precisely_and_change_nothing(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 14).await;
    let other = app.partner("other", 10_000, 14).await;
    let brand = shop
        .client
        .set_brand(&request("lumiere"))
        .await
        .expect("brand");
    assert_eq!(
        (
            brand.version,
            brand.text_color.as_str(),
            brand.accent_text_color.as_str()
        ),
        (1, "#ffffff", "#000000"),
        "white on navy, black on gold"
    );
    assert!(
        brand.rules_html.contains("<strong>1 étoile</strong>"),
        "{}",
        brand.rules_html
    );
    let refused = |r: Result<partner_sdk::branding::Brand, partner_sdk::Error>| {
        let e = r.expect_err("refused");
        (e.code().unwrap_or("").to_owned(), e.to_string())
    };
    let mut grey = request("lumiere");
    grey.primary_color = "#777777".into();
    grey.text_color = Some("#ffffff".into());
    let (code, text) = refused(shop.client.set_brand(&grey).await);
    assert_eq!(code, "contrast_too_low");
    assert!(text.contains("4.47:1"), "{text}");
    let mut bad = request("lumiere");
    bad.accent_color = "gold".into();
    assert_eq!(
        refused(shop.client.set_brand(&bad).await).0,
        "invalid_request"
    );
    for rules in [
        "Hello <script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[win](javascript:alert(1))",
        "![tracker](https://evil.example/t.png)",
    ] {
        let mut r = request("lumiere");
        r.rules_markdown = rules.into();
        let (code, text) = refused(shop.client.set_brand(&r).await);
        assert_eq!(code, "invalid_request", "{rules}");
        assert!(text.contains("rules_markdown: line 1"), "{text}");
    }
    let mut name = request("lumiere");
    name.display_name = "<b>\u{0}</b>".into();
    assert_eq!(
        refused(shop.client.set_brand(&name).await).0,
        "invalid_request"
    );
    // Another partner cannot take the slug.
    assert_eq!(
        refused(other.client.set_brand(&request("lumiere")).await).0,
        "conflict"
    );
    // Logos: no SVG, nothing oversize, nothing but a whole PNG.
    for svg in [
        r#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#,
        r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="https://evil.example/x.png"/></svg>"#,
        "\u{feff}<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    ] {
        let (code, text) = refused(shop.client.set_logo(svg.as_bytes().to_vec()).await);
        assert_eq!(code, "invalid_logo", "{svg}");
        assert!(text.contains("SVG logos are refused"), "{svg}: {text}");
    }
    let mut big = png(256, 256);
    big.splice(33..33, vec![0; 300 * 1024]);
    assert!(refused(shop.client.set_logo(big).await)
        .1
        .contains("at most"));
    assert_eq!(
        refused(shop.client.set_logo(b"GIF89a".to_vec()).await).0,
        "invalid_logo"
    );
    // Nothing of that changed the brand.
    let now = shop.client.brand().await.expect("brand");
    assert_eq!((now.version, now.logo_url), (1, None));
    assert_eq!(
        other.client.brand().await.expect_err("none").code(),
        Some("brand_not_found")
    );
}

async fn brands_are_versioned_suspended_and_shown_by_slug(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 14).await;
    shop.client
        .set_brand(&request("lumiere"))
        .await
        .expect("brand");
    let logo = png(128, 64);
    let with_logo = shop.client.set_logo(logo.clone()).await.expect("logo");
    assert_eq!(with_logo.version, 2);
    assert_eq!(
        with_logo.logo_url.as_deref(),
        Some("/v1/network/brands/lumiere/logo")
    );
    let mut renamed = request("lumiere-2");
    renamed.points_label.en_gb = "suns".into();
    let v3 = shop.client.set_brand(&renamed).await.expect("brand");
    assert_eq!(
        (v3.version, v3.logo_url.is_some()),
        (3, true),
        "the logo is kept"
    );

    let (status, brand) = app.public_get("/v1/network/brands/lumiere-2").await;
    assert_eq!(
        (status, brand["points_label"]["en-GB"].as_str()),
        (200, Some("suns"))
    );
    assert_eq!(
        brand["created_by"], "",
        "who made it is the operator's business"
    );
    let (status, _) = app.public_get("/v1/network/brands/lumiere").await;
    assert_eq!(status, 404, "the old slug is free again");
    let res = app
        .http
        .get(format!("{}/v1/network/brands/lumiere-2/logo", app.address))
        .send()
        .await
        .expect("logo");
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.bytes().await.expect("bytes").to_vec(), logo);

    let path = format!("/v1/operator/partners/{}/brand", shop.id);
    let (status, suspended) = app
        .operator(
            Method::PUT,
            &format!("{path}/suspension"),
            Some(json!({"reason": "misleading claims"})),
        )
        .await;
    assert_eq!(
        (status, suspended["suspended"].as_bool()),
        (200, Some(true))
    );
    let (status, body) = app.public_get("/v1/network/brands/lumiere-2").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("brand_not_found"))
    );
    let (status, _) = app
        .operator(Method::DELETE, &format!("{path}/suspension"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(app.public_get("/v1/network/brands/lumiere-2").await.0, 200);
    let (_, versions) = app
        .operator(Method::GET, &format!("{path}/versions"), None)
        .await;
    let made_by: Vec<&str> = versions["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|v| v["created_by"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(made_by.len(), 3);
    assert!(
        made_by
            .iter()
            .all(|b| *b == format!("partner:{}", shop.key_id)),
        "{made_by:?}"
    );

    // The directory lists it, not the partner without a brand.
    app.partner("plain", 10_000, 14).await;
    let (_, directory) = app.public_get("/v1/network/directory").await;
    // With the network's own rules, in both languages.
    for locale in ["fr-FR", "en-GB"] {
        let rules = directory["network_rules"][locale]
            .as_array()
            .expect("rules");
        assert!(
            !rules.is_empty()
                && rules
                    .iter()
                    .all(|r| r.as_str().is_some_and(|t| t.len() > 20))
        );
    }
    let slugs: Vec<&str> = directory["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|b| b["slug"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(slugs, ["lumiere-2"]);
    // A partner that is not active shows no brand.
    let (status, _) = app
        .operator(
            Method::POST,
            &format!("/v1/operator/partners/{}/status", shop.id),
            Some(json!({"status": "suspended", "reason": "unpaid"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(app.public_get("/v1/network/brands/lumiere-2").await.0, 404);
    let (_, directory) = app.public_get("/v1/network/directory").await;
    assert_eq!(directory["items"], json!([]));
}

both_backends!(bad_brands_are_refused_precisely_and_change_nothing);
both_backends!(brands_are_versioned_suspended_and_shown_by_slug);
