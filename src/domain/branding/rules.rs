//! A partner's program rules, written in Markdown and shown on member pages. The text is
//! refused when it holds raw HTML, an image (pages load nothing from elsewhere) or a link that
//! is not http(s), with the line at fault; what passes is rendered by pulldown-cmark and cleaned
//! again by ammonia's allow-list, so no script, event handler or foreign scheme can reach a page.

use pulldown_cmark::{Event, Options, Parser, Tag};

/// Longest rules text, in characters.
pub const RULES_LEN_MAX: usize = 10_000;

/// The line (1 for the first) of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |t| t.matches('\n').count() + 1)
}

/// Checks the rules; their safe HTML, or why they are refused.
pub fn render(markdown: &str) -> Result<String, String> {
    if markdown.chars().count() > RULES_LEN_MAX {
        return Err(format!("must be at most {RULES_LEN_MAX} characters"));
    }
    if markdown
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err("must not contain control characters other than tabs and line breaks".into());
    }
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        let line = line_of(markdown, range.start);
        match event {
            Event::Html(_) | Event::InlineHtml(_) => {
                return Err(format!(
                    "line {line}: raw HTML is not allowed, write Markdown"
                ));
            }
            Event::Start(Tag::Image { .. }) => {
                return Err(format!(
                    "line {line}: images are not allowed (member pages load nothing from elsewhere)"
                ));
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                let url = dest_url.to_ascii_lowercase();
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(format!(
                        "line {line}: links must be http:// or https:// addresses, not {dest_url:?}"
                    ));
                }
            }
            _ => {}
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(markdown, options));
    Ok(ammonia::Builder::default()
        .url_schemes(["http", "https"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&html)
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_and_anything_active_is_refused_with_its_line() {
        let html = render(
            "# Étoiles\n\n**1 étoile** par euro, voir [les conditions](https://shop.example/cgv).",
        )
        .unwrap();
        assert!(html.contains("<strong>1 étoile</strong>"), "{html}");
        assert!(
            html.contains(r#"href="https://shop.example/cgv""#),
            "{html}"
        );
        assert!(html.contains("noopener"), "{html}");
        assert!(render("ok\n\n<script>alert(1)</script>")
            .unwrap_err()
            .starts_with("line 3: raw HTML"));
        assert!(render("a <b onclick=x>b</b>")
            .unwrap_err()
            .contains("raw HTML"));
        assert!(render("[x](javascript:alert(1))")
            .unwrap_err()
            .contains("javascript:"));
        assert!(render("[x](data:text/html,hi)").is_err());
        assert!(render("![logo](https://evil.example/x.png)")
            .unwrap_err()
            .contains("images"));
        assert!(render("a\u{0}b").is_err());
        assert!(render(&"x".repeat(RULES_LEN_MAX + 1)).is_err());
        // Text that looks like markup but is not HTML is escaped, not executed.
        let escaped = render("1 < 2 & 3 > 2").unwrap();
        assert!(escaped.contains("1 &lt; 2 &amp; 3 &gt; 2"), "{escaped}");
    }
}
