//! `upload-sales`: earns every row of a CSV file of sales; re-running it after a crash is
//! safe, as each row's idempotency key derives from its order id.

use std::path::Path;

use partner_sdk::types::EarnRequest;
use partner_sdk::{signing, Client, Error, RequestOptions};
use serde::Deserialize;

use chrono::{DateTime, Utc};

use crate::{Failure, MAX_CONSECUTIVE_TRANSPORT_FAILURES, MAX_UPLOAD_ROWS};

/// One row of an `upload-sales` file.
#[derive(Debug, Deserialize)]
struct SaleRow {
    member_number: String,
    order_id: String,
    amount_minor: i64,
    currency: String,
    #[serde(default)]
    occurred_at: Option<DateTime<Utc>>,
}

/// Earns every row of a CSV file of sales, printing one line per row and a summary.
pub(crate) async fn upload_sales(client: &Client, path: &Path) -> Result<(), Failure> {
    let open = || {
        csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_path(path)
            .map_err(|e| Failure::Other(format!("{}: {e}", path.display())))
    };
    // First pass: check the header and the size without keeping anything, so that a file too
    // large or malformed is refused before any sale is earned.
    let mut reader = open()?;
    let headers = reader
        .headers()
        .map_err(|e| Failure::Other(format!("{}: {e}", path.display())))?
        .clone();
    for column in ["member_number", "order_id", "amount_minor", "currency"] {
        if !headers.iter().any(|h| h == column) {
            return Err(Failure::Other(format!(
                "{}: the header has no `{column}` column (expected \
                 member_number,order_id,amount_minor,currency[,occurred_at])",
                path.display()
            )));
        }
    }
    let mut record = csv::ByteRecord::new();
    let mut rows = 0usize;
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| Failure::Other(format!("{}: {e}", path.display())))?
    {
        rows = rows.saturating_add(1);
        if rows > MAX_UPLOAD_ROWS {
            return Err(Failure::Other(format!(
                "{}: more than {MAX_UPLOAD_ROWS} rows; split the file",
                path.display()
            )));
        }
    }

    // Second pass: earn row by row.
    let mut tally = Tally::default();
    let mut transport_failures = 0u32;
    for (index, row) in open()?.deserialize::<SaleRow>().enumerate() {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                // The header is line 1.
                println!("line {}\tinvalid_row", index.saturating_add(2));
                eprintln!("line {}: {e}", index.saturating_add(2));
                tally.failed = tally.failed.saturating_add(1);
                continue;
            }
        };
        let key = sales_idempotency_key(&row.order_id);
        let req = EarnRequest {
            member_number: row.member_number,
            order_id: row.order_id,
            occurred_at: row.occurred_at,
            amount_minor: row.amount_minor,
            currency: row.currency,
            lines: None,
        };
        let result = client
            .earn_with(&req, &RequestOptions::new().idempotency_key(key.as_str()))
            .await;
        transport_failures = match &result {
            Err(Error::Transport(_)) => transport_failures.saturating_add(1),
            _ => 0,
        };
        tally.record(&req.order_id, result);
        if transport_failures >= MAX_CONSECUTIVE_TRANSPORT_FAILURES {
            eprintln!(
                "stopping: {transport_failures} network failures in a row; re-run the upload to \
                 resume (rows already earned are recognised)"
            );
            break;
        }
    }
    println!(
        "{} earned, {} already done, {} failed",
        tally.earned, tally.already_done, tally.failed
    );
    if tally.failed > 0 || transport_failures >= MAX_CONSECUTIVE_TRANSPORT_FAILURES {
        // The rows were reported line by line already.
        return Err(Failure::Other(String::new()));
    }
    Ok(())
}

/// The idempotency key of a sale of `upload-sales`: derived from the order id alone, so a
/// re-run sends the same key. Order ids that would not make a valid key (not printable ASCII,
/// or too long) are hashed.
fn sales_idempotency_key(order_id: &str) -> String {
    let key = format!("sales-{order_id}");
    if key.len() <= 128 && key.bytes().all(|b| b.is_ascii_graphic()) {
        key
    } else {
        format!(
            "sales-sha256-{}",
            signing::body_sha256_hex(order_id.as_bytes())
        )
    }
}

/// The outcome counts of `upload-sales`.
#[derive(Debug, Default)]
struct Tally {
    earned: u64,
    already_done: u64,
    failed: u64,
}

impl Tally {
    /// Prints and counts the outcome of one row.
    fn record(
        &mut self,
        order_id: &str,
        result: Result<partner_sdk::Answer<partner_sdk::types::EarnResponse>, Error>,
    ) {
        match result {
            Ok(answer) => {
                println!("{order_id}\t{}", answer.value.points);
                if answer.replayed {
                    self.already_done = self.already_done.saturating_add(1);
                } else {
                    self.earned = self.earned.saturating_add(1);
                }
            }
            Err(e) if e.code() == Some("order_already_earned") => {
                println!("{order_id}\torder_already_earned");
                self.already_done = self.already_done.saturating_add(1);
            }
            Err(e) => {
                let code = match (e.code(), e.status()) {
                    (Some(code), _) => code.to_owned(),
                    (None, Some(status)) => format!("http_{status}"),
                    (None, None) => "transport_error".to_owned(),
                };
                println!("{order_id}\t{code}");
                eprintln!("{order_id}: {e}");
                self.failed = self.failed.saturating_add(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// Answers one connection per scripted `(status, extra headers, body)` and returns the
    /// idempotency keys it saw.
    fn serve(
        answers: Vec<(u16, &'static str, String)>,
    ) -> (String, std::thread::JoinHandle<Vec<String>>) {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let mut keys = Vec::new();
            for (status, extra, body) in answers {
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
                        if name.eq_ignore_ascii_case("idempotency-key") {
                            keys.push(value.trim().to_owned());
                        }
                    }
                }
                let mut request_body = vec![0u8; len];
                reader.read_exact(&mut request_body).unwrap();
                let mut stream = stream;
                write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .unwrap();
            }
            keys
        });
        (addr, handle)
    }

    fn earned(order: &str, points: i64) -> String {
        serde_json::json!({
            "earn_id": 1, "member_number": "1000000016", "order_id": order, "points": points,
            "status": "pending", "available_at": "2024-01-01T00:00:00Z", "expires_at": null,
            "rules": [], "entry_id": 1
        })
        .to_string()
    }

    fn problem(code: &str, status: u16) -> String {
        serde_json::json!({"type": "urn:x", "title": "t", "status": status, "code": code})
            .to_string()
    }

    fn temp_csv(content: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("sales-{}.csv", signing::random_token_hex(8)));
        std::fs::write(&path, content).unwrap();
        path
    }

    #[tokio::test]
    async fn upload_sales_counts_replays_and_earned_orders_as_done() {
        let (addr, server) = serve(vec![
            (201, "", earned("A-1", 42)),
            (201, "Idempotent-Replayed: true\r\n", earned("A-2", 7)),
            (409, "", problem("order_already_earned", 409)),
        ]);
        let file = temp_csv(
            "member_number,order_id,amount_minor,currency,occurred_at\n\
             1000000016,A-1,4250,EUR,\n\
             1000000016,A-2,700,EUR,2024-01-01T10:00:00Z\n\
             1000000016,A-3,100,EUR,\n",
        );
        let client = Client::new(&addr, "lk_test", "ls_secret").unwrap();
        let result = upload_sales(&client, &file).await;
        std::fs::remove_file(&file).unwrap();
        assert!(result.is_ok());
        assert_eq!(
            server.join().unwrap(),
            ["sales-A-1", "sales-A-2", "sales-A-3"]
        );
    }

    #[tokio::test]
    async fn upload_sales_fails_on_refused_and_invalid_rows() {
        let (addr, server) = serve(vec![(422, "", problem("currency_mismatch", 422))]);
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
        assert_eq!(server.join().unwrap(), ["sales-B-1"]);
    }

    #[tokio::test]
    async fn upload_sales_refuses_a_file_without_the_columns() {
        let file = temp_csv("member,order\n1,2\n");
        let client = Client::new("http://127.0.0.1:9", "lk_test", "ls_secret").unwrap();
        let result = upload_sales(&client, &file).await;
        std::fs::remove_file(&file).unwrap();
        assert!(matches!(result, Err(Failure::Other(msg)) if msg.contains("member_number")));
    }

    #[test]
    fn sales_keys_are_deterministic_and_valid() {
        assert_eq!(sales_idempotency_key("A-1"), "sales-A-1");
        let odd = sales_idempotency_key("order 1 é");
        assert_eq!(odd, sales_idempotency_key("order 1 é"));
        assert!(odd.starts_with("sales-sha256-"));
        assert!(odd.len() <= 128);
    }
}
