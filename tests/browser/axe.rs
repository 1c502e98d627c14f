//! The accessibility check: axe-core (vendored, see `vendor/README.md`) injected into the page
//! over WebDriver and run on the whole document; `serious` and `critical` violations are
//! collected, with the page they were found on.

use fantoccini::Client;
use serde_json::Value;

const AXE_JS: &str = include_str!("vendor/axe.min.js");

const RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]})
  .then(r => done(JSON.stringify(r.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))))
  .catch(e => done("axe failed: " + e));
"#;

/// The serious and critical violations of the current page, one line each.
pub async fn violations(client: &Client, page: &str) -> Vec<String> {
    client
        .execute(AXE_JS, Vec::new())
        .await
        .expect("inject axe");
    let out = client
        .execute_async(RUN, Vec::new())
        .await
        .expect("run axe");
    let text = out.as_str().expect("axe answers a string");
    let found: Vec<Value> = serde_json::from_str(text).unwrap_or_else(|_| panic!("{text}"));
    found
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| {
            format!(
                "{page}: {} ({}): {} at {}",
                v["id"].as_str().unwrap_or(""),
                v["impact"].as_str().unwrap_or(""),
                v["help"].as_str().unwrap_or(""),
                v["nodes"]
            )
        })
        .collect()
}
