//! Cursor pagination: the query string of one page, and following the cursors to the end
//! with a bound on what is collected.

use super::encode_component;

/// `path?cursor=...&limit=...`, with only the parameters given.
pub(crate) fn page_path(path: &str, cursor: Option<&str>, limit: Option<u32>) -> String {
    let mut params = Vec::new();
    if let Some(cursor) = cursor {
        params.push(format!("cursor={}", encode_component(cursor)));
    }
    if let Some(limit) = limit {
        params.push(format!("limit={limit}"));
    }
    if params.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", params.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_given_parameters_are_sent() {
        assert_eq!(page_path("/v1/x", None, None), "/v1/x");
        assert_eq!(page_path("/v1/x", Some("a b"), None), "/v1/x?cursor=a%20b");
        assert_eq!(
            page_path("/v1/x", Some("7"), Some(20)),
            "/v1/x?cursor=7&limit=20"
        );
        assert_eq!(page_path("/v1/x", None, Some(5)), "/v1/x?limit=5");
    }
}
