//! Brands: a partner sets its brand (every change a new version, with who made it), sends its
//! logo apart, and the operator reads and can suspend it; anyone reads an active partner's
//! brand by its slug, as member pages will.

pub mod views;

use chrono::NaiveDateTime;
use diesel::Connection;
use partner_sdk::branding::{Brand, BrandRequest, PointsLabel};

use crate::db::queries::branding::{self as rows, BrandRow};
use crate::db::queries::partners;
use crate::db::{is_unique_violation, write_tx, DbConn};
use crate::domain::branding::colors::{contrast, ratio_text, text_on, Rgb, CONTRAST_AA};
use crate::domain::branding::logo::check_png;
use crate::domain::branding::rules;
use crate::domain::clock::utc;
use crate::domain::ids::PartnerId;
use crate::domain::input::{check_slug, check_text, TextKind};
use crate::error::{fail, ApiError, ApiResult, Code};

/// Longest points label, in characters.
pub const LABEL_LEN_MAX: usize = 30;
/// The locales member pages speak.
pub const LOCALES: [&str; 2] = ["fr-FR", "en-GB"];

fn view(conn: &mut DbConn, row: BrandRow) -> ApiResult<Brand> {
    let suspended = rows::suspension(conn, row.partner_id)?.is_some();
    Ok(Brand {
        partner_id: row.partner_id.get(),
        version: row.version,
        logo_url: row
            .logo_sha256
            .as_ref()
            .map(|_| format!("/v1/network/brands/{}/logo", row.slug)),
        slug: row.slug,
        display_name: row.display_name,
        primary_color: row.primary_color,
        accent_text_color: Rgb::parse(&row.accent_color)
            .map_or_else(|| "#000000".to_owned(), |c| text_on(c).to_hex()),
        accent_color: row.accent_color,
        text_color: row.text_color,
        points_label: PointsLabel {
            fr_fr: row.points_label_fr,
            en_gb: row.points_label_en,
        },
        default_locale: row.default_locale,
        rules_markdown: row.rules_markdown,
        rules_html: row.rules_html,
        suspended,
        created_by: row.created_by,
        created_at: utc(row.created_at),
    })
}

fn color(field: &str, text: &str) -> ApiResult<Rgb> {
    Rgb::parse(text.trim()).ok_or_else(|| {
        ApiError::new(
            Code::InvalidRequest,
            format!("{field}: {text:?} is not a colour written #RRGGBB"),
        )
    })
}

/// The checked colours: primary, accent, text.
fn colours(req: &BrandRequest) -> ApiResult<(Rgb, Rgb, Rgb)> {
    let primary = color("primary_color", &req.primary_color)?;
    let accent = color("accent_color", &req.accent_color)?;
    let text = match &req.text_color {
        Some(t) => color("text_color", t)?,
        None => text_on(primary),
    };
    for (field, background, text) in [
        ("primary_color", primary, text),
        ("accent_color", accent, text_on(accent)),
    ] {
        let ratio = contrast(text, background);
        if ratio < CONTRAST_AA {
            return fail(
                Code::ContrastTooLow,
                format!(
                    "text {} on {field} {}: contrast {}, at least {} (WCAG 2.1 AA)",
                    text.to_hex(),
                    background.to_hex(),
                    ratio_text(ratio),
                    ratio_text(CONTRAST_AA)
                ),
            );
        }
    }
    Ok((primary, accent, text))
}

/// Checks the name of a currency in one locale (one line, 1 to [`LABEL_LEN_MAX`] characters);
/// returns it trimmed.
pub fn check_label(field: &str, label: &str) -> ApiResult<String> {
    let label = check_text(field, label, TextKind::Name)?;
    if label.chars().count() > LABEL_LEN_MAX {
        return fail(
            Code::InvalidRequest,
            format!("{field}: must be 1 to {LABEL_LEN_MAX} characters"),
        );
    }
    Ok(label.to_owned())
}

fn check_request(req: &BrandRequest) -> ApiResult<((Rgb, Rgb, Rgb), String)> {
    check_slug("slug", &req.slug)?;
    check_text("display_name", &req.display_name, TextKind::Name)?;
    check_label("points_label.fr-FR", &req.points_label.fr_fr)?;
    check_label("points_label.en-GB", &req.points_label.en_gb)?;
    if !LOCALES.contains(&req.default_locale.as_str()) {
        return fail(
            Code::InvalidRequest,
            "default_locale must be fr-FR or en-GB",
        );
    }
    let html = rules::render(&req.rules_markdown)
        .map_err(|e| ApiError::new(Code::InvalidRequest, format!("rules_markdown: {e}")))?;
    Ok((colours(req)?, html))
}

/// Sets the partner's brand: a new version, keeping the logo.
pub fn set_brand(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: PartnerId,
    by: &str,
    req: &BrandRequest,
) -> ApiResult<Brand> {
    let ((primary, accent, text), rules_html) = check_request(req)?;
    write_tx(conn, |conn| {
        // Versions of one partner queue here.
        partners::lock_partner(conn, partner_id)?;
        let previous = rows::current(conn, partner_id)?;
        match conn.transaction(|conn| rows::claim_slug(conn, partner_id, &req.slug)) {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return fail(Code::Conflict, format!("the slug {:?} is taken", req.slug))
            }
            Err(e) => return Err(e.into()),
        }
        let row = BrandRow {
            id: 0,
            partner_id,
            version: previous.as_ref().map_or(1, |p| p.version + 1),
            slug: req.slug.clone(),
            display_name: req.display_name.trim().to_owned(),
            primary_color: primary.to_hex(),
            accent_color: accent.to_hex(),
            text_color: text.to_hex(),
            points_label_fr: req.points_label.fr_fr.trim().to_owned(),
            points_label_en: req.points_label.en_gb.trim().to_owned(),
            default_locale: req.default_locale.clone(),
            rules_markdown: req.rules_markdown.clone(),
            rules_html: rules_html.clone(),
            logo_sha256: previous.and_then(|p| p.logo_sha256),
            created_by: by.to_owned(),
            created_at: now,
        };
        rows::insert(conn, &row)?;
        view(conn, row)
    })
}

/// Sets the partner's logo: a new version of its brand, which must exist.
pub fn set_logo(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: PartnerId,
    by: &str,
    png: &[u8],
) -> ApiResult<Brand> {
    let size = check_png(png).map_err(|e| ApiError::new(Code::InvalidLogo, e))?;
    let sha256 = partner_sdk::signing::body_sha256_hex(png);
    write_tx(conn, |conn| {
        partners::lock_partner(conn, partner_id)?;
        let previous = rows::current(conn, partner_id)?.ok_or_else(|| {
            ApiError::new(
                Code::BrandNotFound,
                "set the brand (PUT /v1/partner/brand) first",
            )
        })?;
        let sides = (i64::from(size.width), i64::from(size.height));
        rows::insert_logo(conn, &sha256, png, sides, now)?;
        let row = BrandRow {
            version: previous.version + 1,
            logo_sha256: Some(sha256.clone()),
            created_by: by.to_owned(),
            created_at: now,
            ..previous
        };
        rows::insert(conn, &row)?;
        view(conn, row)
    })
}

/// The partner's brand (its latest version).
pub fn get(conn: &mut DbConn, partner_id: PartnerId) -> ApiResult<Brand> {
    let row = rows::current(conn, partner_id)?
        .ok_or_else(|| ApiError::new(Code::BrandNotFound, "no brand was set"))?;
    view(conn, row)
}

/// Every version of the partner's brand, newest first.
pub fn versions(conn: &mut DbConn, partner_id: PartnerId) -> ApiResult<Vec<Brand>> {
    if partners::partner(conn, partner_id)?.is_none() {
        return fail(Code::PartnerNotFound, "no such partner");
    }
    rows::versions(conn, partner_id)?
        .into_iter()
        .map(|r| view(conn, r))
        .collect()
}

/// Suspends a brand (members then see the network's own pages) or lifts the suspension.
pub fn suspend(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: PartnerId,
    by: &str,
    reason: Option<&str>,
) -> ApiResult<Brand> {
    let reason = reason
        .map(|r| check_text("reason", r, TextKind::FreeText))
        .transpose()?;
    write_tx(conn, |conn| {
        let row = rows::current(conn, partner_id)?
            .ok_or_else(|| ApiError::new(Code::BrandNotFound, "no brand was set"))?;
        match reason {
            Some(reason) => {
                rows::suspend(conn, partner_id, reason, by, now)?;
            }
            None => {
                if rows::lift(conn, partner_id)? == 0 {
                    return fail(Code::BrandNotFound, "the brand is not suspended");
                }
            }
        }
        tracing::info!(partner.id = %partner_id, suspended = reason.is_some(), "brand suspension");
        view(conn, row)
    })
}

/// The brand members see at `/p/{slug}/`: an active partner's, not suspended. Anything else
/// answers like a slug nobody has.
pub fn public(conn: &mut DbConn, slug: &str) -> ApiResult<(Brand, Option<String>)> {
    let missing = || ApiError::new(Code::BrandNotFound, "no such brand");
    let partner_id = rows::partner_of_slug(conn, slug)?.ok_or_else(missing)?;
    let partner = partners::partner(conn, partner_id)?.ok_or_else(missing)?;
    if partner.status != "active" || rows::suspension(conn, partner_id)?.is_some() {
        return Err(missing());
    }
    let row = rows::current(conn, partner_id)?.ok_or_else(missing)?;
    let logo = row.logo_sha256.clone();
    let mut brand = view(conn, row)?;
    // Who made a version is the operator's business.
    brand.created_by = String::new();
    Ok((brand, logo))
}

/// The logo of the brand at `slug`, as `public` sees it.
pub fn public_logo(conn: &mut DbConn, slug: &str) -> ApiResult<Vec<u8>> {
    let (_, sha256) = public(conn, slug)?;
    let sha256 = sha256.ok_or_else(|| ApiError::new(Code::BrandNotFound, "no logo"))?;
    rows::logo(conn, &sha256)?.ok_or_else(|| ApiError::new(Code::BrandNotFound, "no logo"))
}

/// The network's directory: active partners with a brand that is not suspended, in partner
/// order after `cursor`, as members see them (where they can earn and spend).
pub fn directory(
    conn: &mut DbConn,
    cursor: Option<i64>,
    limit: i64,
) -> ApiResult<(Vec<Brand>, Option<String>)> {
    let mut items = Vec::new();
    let mut after = PartnerId::from(cursor.unwrap_or(0));
    let wanted = usize::try_from(limit).unwrap_or(0);
    // Pages of partners are read until the page of brands is full or the partners run out.
    loop {
        let page = partners::partner_page(conn, after, limit.max(50))?;
        let Some(last) = page.last().map(|p| p.id) else {
            return Ok((items, None));
        };
        for partner in page {
            if partner.status != "active" || rows::suspension(conn, partner.id)?.is_some() {
                continue;
            }
            if let Some(row) = rows::current(conn, partner.id)? {
                let mut brand = view(conn, row)?;
                brand.created_by = String::new();
                items.push(brand);
                if items.len() == wanted {
                    return Ok((items, Some(partner.id.get().to_string())));
                }
            }
        }
        after = last;
    }
}
