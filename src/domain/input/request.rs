//! Rules over a whole request rather than one field: every string of a JSON body (values and
//! keys, at any depth) and the decoded path and query of the URL.

use super::{is_forbidden_anywhere, InputError, JSON_DEPTH_MAX};

/// Refuses any string (value or key) of a JSON document that holds a control character other
/// than tab and line breaks, naming its path; also refuses documents nested too deep.
pub fn check_json_strings(value: &serde_json::Value) -> Result<(), InputError> {
    walk(value, &mut String::new(), 0)
}

fn walk(value: &serde_json::Value, path: &mut String, depth: usize) -> Result<(), InputError> {
    use serde_json::Value;
    if depth >= JSON_DEPTH_MAX && (value.is_array() || value.is_object()) {
        return Err(InputError::text(
            path_or_body(path),
            format!("nests more than {JSON_DEPTH_MAX} objects and arrays"),
        ));
    }
    match value {
        Value::String(s) if s.chars().any(is_forbidden_anywhere) => Err(InputError::text(
            path_or_body(path),
            "must not contain control characters",
        )),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(item, path, depth + 1)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(map) => {
            for (key, item) in map {
                if key.chars().any(char::is_control) {
                    return Err(InputError::text(
                        path_or_body(path),
                        "a member name contains control characters",
                    ));
                }
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                walk(item, path, depth + 1)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn path_or_body(path: &str) -> &str {
    if path.is_empty() {
        "body"
    } else {
        path
    }
}

/// Checks a URL's path or query as the server will decode it: percent escapes must decode to
/// UTF-8 without control characters (a `%00` in a key id or a member number is refused here,
/// before any handler sees it).
pub fn check_url_text(field: &str, raw: &str) -> Result<(), InputError> {
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = match (b, bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) => hex_val(h).zip(hex_val(l)).map(|(h, l)| h * 16 + l),
            _ => None,
        };
        match escaped {
            Some(v) => {
                decoded.push(v);
                i += 3;
            }
            None => {
                decoded.push(b);
                i += 1;
            }
        }
    }
    match std::str::from_utf8(&decoded) {
        Ok(text) if !text.chars().any(char::is_control) => Ok(()),
        Ok(_) => Err(InputError::text(
            field,
            "must not contain control characters",
        )),
        Err(_) => Err(InputError::text(
            field,
            "must be UTF-8 once percent-decoded",
        )),
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_walk_names_the_field() {
        let doc = json!({"lines": [{"sku": "ok"}, {"sku": "bad\u{0}"}]});
        assert_eq!(check_json_strings(&doc).unwrap_err().field, "lines[1].sku");
        assert!(check_json_strings(&json!({"reason": "a\nb"})).is_ok());
        assert!(check_json_strings(&json!({"k\u{1}": 1})).is_err());
        let nest = |n: usize| (1..n).fold(json!([]), |inner, _| json!([inner]));
        assert!(check_json_strings(&nest(JSON_DEPTH_MAX)).is_ok());
        assert!(check_json_strings(&nest(JSON_DEPTH_MAX + 1)).is_err());
    }

    #[test]
    fn url_text_is_decoded_before_the_check() {
        assert!(check_url_text("path", "/v1/operator/partners/1/keys/lk_1").is_ok());
        assert!(check_url_text("path", "/v1/operator/partners/1/keys/lk%00").is_err());
        assert!(check_url_text("query", "cursor=%1b").is_err());
        assert!(check_url_text("path", "/caf%C3%A9").is_ok());
        assert!(check_url_text("path", "/%C2%85").is_err());
        assert!(check_url_text("path", "/%ff").is_err());
        assert!(check_url_text("path", "/100%").is_ok());
    }
}
