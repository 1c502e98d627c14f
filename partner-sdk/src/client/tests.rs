//! Unit tests of the client against a small local HTTP server.

use super::*;
use crate::types::{Balance, EarnRequest, EarnResponse};
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;

/// A request as the test server saw it.
#[derive(Debug)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn signature_verifies(&self, secret: &str) -> bool {
        signing::verify_signature_header(
            secret,
            self.header(signing::HEADER_SIGNATURE).unwrap(),
            &self.method,
            &self.path,
            self.header(signing::HEADER_TIMESTAMP)
                .unwrap()
                .parse()
                .unwrap(),
            self.header(signing::HEADER_NONCE).unwrap(),
            &self.body,
        )
    }
}

/// Serves one connection per scripted answer `(status, content type, extra header, body)`,
/// then stops listening.
fn serve(
    answers: Vec<(u16, &'static str, &'static str, String)>,
) -> (String, JoinHandle<Vec<Seen>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for (status, content_type, extra, body) in answers {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let mut parts = line.split_whitespace();
            let method = parts.next().unwrap().to_owned();
            let path = parts.next().unwrap().to_owned();
            let mut headers = Vec::new();
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                let h = h.trim_end();
                if h.is_empty() {
                    break;
                }
                let (n, v) = h.split_once(':').unwrap();
                headers.push((n.trim().to_owned(), v.trim().to_owned()));
            }
            let len = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .map_or(0, |(_, v)| v.parse::<usize>().unwrap());
            let mut req_body = vec![0u8; len];
            reader.read_exact(&mut req_body).unwrap();
            seen.push(Seen {
                method,
                path,
                headers,
                body: req_body,
            });
            let mut stream = stream;
            write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            stream.flush().unwrap();
        }
        seen
    });
    (addr, handle)
}

fn client(addr: &str) -> Client {
    let mut config = ClientConfig::new(addr, "lk_test", "ls_secret");
    config.initial_backoff = Duration::from_millis(1);
    Client::with_config(config).unwrap()
}

fn earn_request() -> EarnRequest {
    EarnRequest {
        member_number: "1000000016".into(),
        order_id: "A-1001".into(),
        occurred_at: None,
        amount_minor: 4250,
        currency: "EUR".into(),
        lines: None,
    }
}

fn earn_body() -> String {
    serde_json::json!({
        "earn_id": 7, "member_number": "1000000016", "order_id": "A-1001", "points": 42,
        "status": "pending", "available_at": "2024-01-01T00:00:00Z", "expires_at": null,
        "rules": [], "entry_id": 9
    })
    .to_string()
}

fn problem_body(code: &str, status: u16) -> String {
    serde_json::json!({
        "type": format!("urn:loyalty:problem:{code}"), "title": "Nope", "status": status,
        "detail": "it went wrong", "code": code, "request_id": "req-1"
    })
    .to_string()
}

#[test]
fn a_problem_body_becomes_a_problem_error() {
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    let res = RawResponse {
        status: 409,
        headers,
        body: problem_body("order_already_earned", 409).into_bytes(),
    };
    let err = res.into_answer::<EarnResponse>().unwrap_err();
    assert_eq!(err.code(), Some("order_already_earned"));
    assert_eq!(err.status(), Some(409));
    assert_eq!(err.problem().unwrap().request_id.as_deref(), Some("req-1"));

    // JSON with only a code still counts as a problem.
    let res = RawResponse {
        status: 422,
        headers: HeaderMap::new(),
        body: br#"{"code":"invalid_amount"}"#.to_vec(),
    };
    let err = res.into_error();
    assert_eq!(err.code(), Some("invalid_amount"));
    assert_eq!(err.problem().unwrap().status, 422);

    // Anything else is a plain HTTP error.
    let res = RawResponse {
        status: 502,
        headers: HeaderMap::new(),
        body: b"<html>Bad gateway</html>".to_vec(),
    };
    let err = res.into_error();
    assert!(matches!(err, Error::Http { status: 502, .. }), "{err:?}");
    assert_eq!(err.code(), None);
}

#[test]
fn a_2xx_body_that_does_not_parse_is_a_decode_error() {
    let res = RawResponse {
        status: 200,
        headers: HeaderMap::new(),
        body: b"{}".to_vec(),
    };
    assert!(matches!(
        res.into_answer::<Balance>(),
        Err(Error::Decode(_))
    ));
}

#[test]
fn bad_configuration_is_refused() {
    assert!(matches!(
        Client::new("ftp://x", "lk", "ls"),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        Client::new("not a url", "lk", "ls"),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        Client::new("http://x", "", "ls"),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        Client::new("http://x", "lk", ""),
        Err(Error::Config(_))
    ));
    let c = Client::new("http://127.0.0.1:8080/", "lk", "ls").unwrap();
    assert_eq!(c.base_url(), "http://127.0.0.1:8080");
    assert!(!format!("{c:?}").contains("ls\""));
}

#[test]
fn components_are_percent_encoded() {
    assert_eq!(encode_component("1000000016"), "1000000016");
    assert_eq!(encode_component("a b/c?d&é"), "a%20b%2Fc%3Fd%26%C3%A9");
}

#[tokio::test]
async fn retries_reuse_the_idempotency_key_with_fresh_nonces() {
    let (addr, server) = serve(vec![
        (503, "text/plain", "", "busy".into()),
        (503, "text/plain", "", "busy".into()),
        (201, "application/json", "", earn_body()),
    ]);
    let earned = client(&addr).earn(&earn_request()).await.unwrap();
    assert_eq!(earned.points, 42);
    let seen = server.join().unwrap();
    assert_eq!(seen.len(), 3);
    let keys: Vec<_> = seen
        .iter()
        .map(|s| s.header(signing::HEADER_IDEMPOTENCY_KEY).unwrap())
        .collect();
    assert!(keys[0].starts_with("sdk-"), "{keys:?}");
    assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
    let mut nonces: Vec<_> = seen
        .iter()
        .map(|s| s.header(signing::HEADER_NONCE).unwrap())
        .collect();
    nonces.sort_unstable();
    nonces.dedup();
    assert_eq!(nonces.len(), 3);
    let sent = serde_json::to_vec(&earn_request()).unwrap();
    for s in &seen {
        assert_eq!(s.method, "POST");
        assert_eq!(s.path, "/v1/partner/earns");
        assert_eq!(s.header("content-type"), Some("application/json"));
        assert_eq!(s.header(signing::HEADER_KEY_ID), Some("lk_test"));
        assert_eq!(s.body, sent);
        assert!(s.signature_verifies("ls_secret"));
        assert!(!s.signature_verifies("ls_other"));
    }
}

#[tokio::test]
async fn retries_stop_after_max_retries() {
    let answers = (0..4)
        .map(|_| (500, "text/plain", "", "boom".to_owned()))
        .collect();
    let (addr, server) = serve(answers);
    let err = client(&addr)
        .earn_with(
            &earn_request(),
            &RequestOptions::new().idempotency_key("my-key"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Http { status: 500, .. }), "{err:?}");
    let seen = server.join().unwrap();
    assert_eq!(seen.len(), 4);
    assert!(seen
        .iter()
        .all(|s| s.header(signing::HEADER_IDEMPOTENCY_KEY) == Some("my-key")));
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let (addr, server) = serve(vec![(
        409,
        "application/problem+json",
        "",
        problem_body("order_already_earned", 409),
    )]);
    let err = client(&addr).earn(&earn_request()).await.unwrap_err();
    assert_eq!(err.code(), Some("order_already_earned"));
    assert_eq!(err.status(), Some(409));
    assert_eq!(server.join().unwrap().len(), 1);
}

#[tokio::test]
async fn get_signs_the_empty_body_and_the_query() {
    let page = serde_json::json!({"items": [], "next_cursor": null}).to_string();
    let (addr, server) = serve(vec![(200, "application/json", "", page)]);
    let page = client(&addr).entries(Some("12"), Some(5)).await.unwrap();
    assert!(page.items.is_empty());
    let seen = server.join().unwrap();
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].path, "/v1/partner/entries?cursor=12&limit=5");
    assert!(seen[0].body.is_empty());
    assert_eq!(seen[0].header(signing::HEADER_IDEMPOTENCY_KEY), None);
    assert!(seen[0].signature_verifies("ls_secret"));
}

#[tokio::test]
async fn send_raw_keeps_non_2xx_answers_and_reports_replays() {
    let (addr, server) = serve(vec![
        (
            400,
            "application/problem+json",
            "",
            problem_body("idempotency_key_required", 400),
        ),
        (
            201,
            "application/json",
            "Idempotent-Replayed: true\r\n",
            earn_body(),
        ),
    ]);
    let c = client(&addr);
    let body = serde_json::to_value(earn_request()).unwrap();
    let res = c
        .send_raw(Method::POST, "/v1/partner/earns", Some(&body), None)
        .await
        .unwrap();
    assert_eq!(res.status, 400);
    assert_eq!(res.problem().unwrap().code, "idempotency_key_required");
    let answer = c
        .earn_with(
            &earn_request(),
            &RequestOptions::new().idempotency_key("k-1"),
        )
        .await
        .unwrap();
    assert!(answer.replayed);
    assert_eq!(answer.status, 201);
    let seen = server.join().unwrap();
    assert_eq!(seen[0].header(signing::HEADER_IDEMPOTENCY_KEY), None);
    assert_eq!(seen[1].header(signing::HEADER_IDEMPOTENCY_KEY), Some("k-1"));
}

#[tokio::test]
async fn void_sends_an_empty_object() {
    let redemption = serde_json::json!({
        "redemption_id": 5, "member_number": "1000000016", "status": "voided",
        "points_authorized": 10, "points_captured": 0, "points_reversed": 0,
        "expires_at": "2024-01-01T00:00:00Z", "order_id": null,
        "created_at": "2024-01-01T00:00:00Z"
    })
    .to_string();
    let (addr, server) = serve(vec![(200, "application/json", "", redemption)]);
    let r = client(&addr).void(5).await.unwrap();
    assert_eq!(r.redemption_id, 5);
    let seen = server.join().unwrap();
    assert_eq!(seen[0].path, "/v1/partner/redemptions/5/void");
    assert_eq!(seen[0].body, b"{}");
    assert!(seen[0].signature_verifies("ls_secret"));
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    // Bind then drop: nothing listens on the port any more.
    let addr = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let err = client(&addr).redemption(1).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(err.status(), None);
}
