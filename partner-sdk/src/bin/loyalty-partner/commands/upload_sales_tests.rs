//! Tests of `upload-sales` against a scripted server.
use super::*;
use std::path::PathBuf;

/// Answers `requests` connections, each with `answer(request body)`, and returns the
/// bodies it saw.
fn serve(
    requests: usize,
    answer: fn(&serde_json::Value) -> (u16, String),
) -> (String, std::thread::JoinHandle<Vec<serde_json::Value>>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut bodies = Vec::new();
        for _ in 0..requests {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    if name.eq_ignore_ascii_case("content-length") {
                        len = value.trim().parse().unwrap();
                    }
                }
            }
            let mut request_body = vec![0u8; len];
            reader.read_exact(&mut request_body).unwrap();
            let body: serde_json::Value = serde_json::from_slice(&request_body).unwrap();
            let (status, text) = answer(&body);
            bodies.push(body);
            let mut stream = stream;
            write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            )
            .unwrap();
        }
        bodies
    });
    (addr, handle)
}

fn orders(body: &serde_json::Value) -> Vec<String> {
    body["sales"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["order_id"].as_str().unwrap().to_owned())
        .collect()
}

/// Every sale earns 10 points, except order `A-2` (earned before) and `B-1` (refused).
fn answer_each(body: &serde_json::Value) -> (u16, String) {
    let results: Vec<serde_json::Value> = orders(body)
        .iter()
        .enumerate()
        .map(|(index, order)| match order.as_str() {
            "A-2" => serde_json::json!({"index": index, "order_id": order,
                "outcome": "already_earned", "earn_id": 7, "points": 7}),
            "B-1" => serde_json::json!({"index": index, "order_id": order,
                "outcome": "refused", "problem": {"type": "urn:x", "title": "t",
                "status": 422, "code": "currency_mismatch"}}),
            _ => serde_json::json!({"index": index, "order_id": order, "outcome": "earned",
                "earn": {"earn_id": 1, "member_number": "1000000016", "order_id": order,
                "points": 10, "status": "pending", "available_at": "2024-01-01T00:00:00Z",
                "expires_at": null, "rules": [], "entry_id": 1}}),
        })
        .collect();
    let body = serde_json::json!({"earned": 0, "already_earned": 0, "refused": 0,
        "results": results});
    (200, body.to_string())
}

fn temp_csv(content: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "sales-{}.csv",
        partner_sdk::signing::random_token_hex(8)
    ));
    std::fs::write(&path, content).unwrap();
    path
}

#[tokio::test]
async fn upload_sales_counts_earlier_earns_as_done() {
    let (addr, server) = serve(1, answer_each);
    let file = temp_csv(
        "member_number,order_id,amount_minor,currency,occurred_at\n\
         1000000016,A-1,4250,EUR,\n\
         1000000016,A-2,700,EUR,2024-01-01T10:00:00Z\n",
    );
    let client = Client::new(&addr, "lk_test", "ls_secret").unwrap();
    let result = upload_sales(&client, &file).await;
    std::fs::remove_file(&file).unwrap();
    assert!(result.is_ok());
    let bodies = server.join().unwrap();
    assert_eq!(orders(&bodies[0]), ["A-1", "A-2"]);
    assert_eq!(bodies[0]["sales"][1]["occurred_at"], "2024-01-01T10:00:00Z");
}

#[tokio::test]
async fn upload_sales_sends_a_thousand_sales_per_request() {
    let (addr, server) = serve(3, answer_each);
    let mut text = String::from("member_number,order_id,amount_minor,currency\n");
    for i in 0..2_500 {
        text.push_str(&format!("1000000016,C-{i},100,EUR\n"));
    }
    let file = temp_csv(&text);
    let client = Client::new(&addr, "lk_test", "ls_secret").unwrap();
    let result = upload_sales(&client, &file).await;
    std::fs::remove_file(&file).unwrap();
    assert!(result.is_ok());
    let sizes: Vec<usize> = server
        .join()
        .unwrap()
        .iter()
        .map(|b| orders(b).len())
        .collect();
    assert_eq!(sizes, [1_000, 1_000, 500]);
}

#[tokio::test]
async fn upload_sales_fails_on_refused_and_invalid_rows() {
    let (addr, server) = serve(1, answer_each);
    // No occurred_at column at all; the second row's amount is not a number.
    let file = temp_csv(
        "member_number,order_id,amount_minor,currency\n\
         1000000016,B-1,100,USD\n\
         1000000016,B-2,lots,EUR\n",
    );
    let client = Client::new(&addr, "lk_test", "ls_secret").unwrap();
    let result = upload_sales(&client, &file).await;
    std::fs::remove_file(&file).unwrap();
    assert!(result.is_err());
    assert_eq!(orders(&server.join().unwrap()[0]), ["B-1"]);
}

#[tokio::test]
async fn upload_sales_refuses_a_file_without_the_columns() {
    let file = temp_csv("member,order\n1,2\n");
    let client = Client::new("http://127.0.0.1:9", "lk_test", "ls_secret").unwrap();
    let result = upload_sales(&client, &file).await;
    std::fs::remove_file(&file).unwrap();
    assert!(matches!(result, Err(Failure::Other(msg)) if msg.contains("member_number")));
}
