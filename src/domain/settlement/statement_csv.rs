//! A statement as CSV, one line per figure (`section,party,points,amount_micros,amount_minor`):
//! the unsigned export partners load into a spreadsheet (the signed JSON is the reference).

use partner_sdk::statement::Statement;

/// The statement as CSV: one line per figure (`section,party,points,amount_micros,amount_minor`).
pub fn statement_csv(s: &Statement) -> String {
    let mut out = String::from("section,party,points,amount_micros,amount_minor\n");
    let mut row = |section: &str, party: &str, points: String, micros: String, minor: String| {
        out.push_str(&format!(
            "{section},{},{points},{micros},{minor}\n",
            csv_field(party)
        ));
    };
    let none = String::new;
    row(
        "statement_id",
        &s.statement_id.to_string(),
        none(),
        none(),
        none(),
    );
    row("partner", &s.partner.slug, none(), none(), none());
    row(
        "period_start",
        &s.period_start.to_rfc3339(),
        none(),
        none(),
        none(),
    );
    row(
        "period_end",
        &s.period_end.to_rfc3339(),
        none(),
        none(),
        none(),
    );
    row("currency", &s.currency, none(), none(), none());
    for (name, line) in [
        ("issued", &s.issued),
        ("clawed_back", &s.clawed_back),
        ("promotions_issued", &s.promotions_issued),
        ("promotions_clawed_back", &s.promotions_clawed_back),
        ("redeemed", &s.redeemed),
        ("reversed", &s.reversed),
        ("breakage", &s.breakage),
    ] {
        row(
            name,
            "",
            line.points.to_string(),
            line.amount_micros.to_string(),
            none(),
        );
    }
    row("fees", "", none(), none(), s.fees_minor.to_string());
    row(
        "paid_tier_fees",
        "",
        none(),
        none(),
        s.paid_tier_fees_minor.to_string(),
    );
    for a in &s.adjustments {
        row(
            "adjustment",
            &format!("dispute:{}", a.dispute_id),
            none(),
            none(),
            a.amount_minor.to_string(),
        );
    }
    row(
        "net",
        s.direction.as_str(),
        none(),
        s.net_micros.to_string(),
        s.net_minor.to_string(),
    );
    row(
        "rounding",
        "operator",
        none(),
        s.rounding_micros.to_string(),
        none(),
    );
    for f in &s.my_points_redeemed_at {
        row(
            "my_points_redeemed_at",
            &f.party,
            f.points.to_string(),
            none(),
            none(),
        );
    }
    for f in &s.redeemed_here_by_issuer {
        row(
            "redeemed_here_by_issuer",
            &f.party,
            f.points.to_string(),
            none(),
            none(),
        );
    }
    out
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}
