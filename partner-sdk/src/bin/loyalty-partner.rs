//! `loyalty-partner`: the partner API from the command line.
//!
//! Every command prints the JSON answer on stdout. On failure it prints the problem (or the
//! error) on stderr and exits with status 1. `upload-sales` earns a CSV file of sales and can be
//! re-run safely after a crash; `sign` prints the signature headers for a hand-made request.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{CommandFactory, Parser, Subcommand};
use partner_sdk::statement::{DisputeRequest, ReconciliationRow};
use partner_sdk::types::{
    AuthoriseRequest, CaptureRequest, EarnRequest, EnrolMemberRequest, LinkMemberRequest,
    RefundRequest, ReverseRequest,
};
use partner_sdk::{signing, Client, Error};
use serde::{Deserialize, Serialize};

/// Most rows `upload-sales` accepts in one file.
const MAX_UPLOAD_ROWS: usize = 100_000;
/// Largest body file `sign` reads.
const MAX_SIGN_BODY_BYTES: u64 = 16 * 1024 * 1024;
/// `upload-sales` stops after this many consecutive network failures.
const MAX_CONSECUTIVE_TRANSPORT_FAILURES: u32 = 5;

/// Command-line client of the coalition loyalty network's partner API.
#[derive(Debug, Parser)]
#[command(name = "loyalty-partner", version, about)]
struct Cli {
    /// Base URL of the network's server.
    #[arg(
        long,
        env = "LOYALTY_URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    url: String,
    /// The partner key id (`lk_...`). Required.
    #[arg(long, env = "LOYALTY_KEY_ID", global = true)]
    key_id: Option<String>,
    /// The partner key secret (`ls_...`). Required.
    #[arg(long, env = "LOYALTY_SECRET", hide_env_values = true, global = true)]
    secret: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Enrol a new member and link them to the partner.
    Enrol {
        /// The partner's own customer reference.
        #[arg(long)]
        customer_ref: Option<String>,
        /// Name the member wants to be greeted with.
        #[arg(long)]
        name: Option<String>,
    },
    /// Link an existing member to the partner.
    Link {
        /// The network-wide member number.
        member_number: String,
        /// The partner's own customer reference.
        #[arg(long)]
        customer_ref: Option<String>,
    },
    /// Show a linked member's balance.
    Balance {
        /// The network-wide member number.
        member_number: String,
    },
    /// Credit the points of a sale.
    Earn {
        /// The member number.
        #[arg(long)]
        member: String,
        /// The partner's order id.
        #[arg(long)]
        order: String,
        /// Sale amount in minor units.
        #[arg(long)]
        amount_minor: i64,
        /// ISO 4217 currency code.
        #[arg(long, default_value = "EUR")]
        currency: String,
        /// When the sale happened (RFC 3339); defaults to now.
        #[arg(long, value_parser = parse_rfc3339)]
        occurred_at: Option<DateTime<Utc>>,
    },
    /// Claw back the points of a returned sale.
    Refund {
        /// The order id of the original sale.
        #[arg(long)]
        order: String,
        /// The partner's id for this return.
        #[arg(long)]
        refund_id: String,
        /// Amount returned, in minor units.
        #[arg(long)]
        amount_minor: i64,
        /// ISO 4217 currency code.
        #[arg(long, default_value = "EUR")]
        currency: String,
    },
    /// Hold points with a member's one-time code.
    Authorise {
        /// The member number.
        #[arg(long)]
        member: String,
        /// The member's one-time code.
        #[arg(long)]
        code: String,
        /// Points to hold.
        #[arg(long)]
        points: i64,
        /// The partner's order id.
        #[arg(long)]
        order: Option<String>,
    },
    /// Capture an authorised redemption (all of the hold unless --points).
    Capture {
        /// The redemption id.
        redemption_id: i64,
        /// Points to capture.
        #[arg(long)]
        points: Option<i64>,
    },
    /// Release an authorised redemption's hold.
    Void {
        /// The redemption id.
        redemption_id: i64,
    },
    /// Give back points of a captured redemption.
    Reverse {
        /// The redemption id.
        redemption_id: i64,
        /// Points to give back.
        #[arg(long)]
        points: i64,
    },
    /// List the partner's transactions: one page, or all of them with --all.
    Transactions {
        /// Page size.
        #[arg(long, conflicts_with = "all")]
        limit: Option<u32>,
        /// The `next_cursor` of the previous page.
        #[arg(long, conflicts_with = "all")]
        cursor: Option<String>,
        /// Follow the cursors and print every transaction.
        #[arg(long)]
        all: bool,
    },
    /// List the partner's settlement statements with their payment status.
    Statements,
    /// Download a statement and verify its signature with the network's published key
    /// (prints the verified JSON), or print it as CSV.
    Statement {
        /// The statement id.
        statement_id: i64,
        /// Print the CSV export instead (not signed: verify the JSON).
        #[arg(long)]
        csv: bool,
    },
    /// Dispute a statement.
    Dispute {
        /// The statement id.
        statement_id: i64,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Reconcile a CSV of the partner's own records of a statement's period (header
    /// `order_id,kind,points`, kind = earn, refund or redemption).
    Reconcile {
        /// The statement id.
        statement_id: i64,
        /// The CSV file.
        file: PathBuf,
    },
    /// Earn every sale of a CSV file (header
    /// `member_number,order_id,amount_minor,currency[,occurred_at]`); safe to re-run.
    UploadSales {
        /// The CSV file.
        file: PathBuf,
    },
    /// Print the signature headers of a request, for signing by hand (curl).
    Sign {
        /// HTTP method.
        #[arg(long)]
        method: String,
        /// Path and query exactly as sent, such as `/v1/partner/transactions?limit=10`.
        #[arg(long)]
        path: String,
        /// File holding the exact body bytes; without it the body is empty.
        #[arg(long)]
        body_file: Option<PathBuf>,
    },
}

/// Why a command failed.
enum Failure {
    /// The API call failed.
    Api(Error),
    /// Anything else (files, arguments).
    Other(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Self::Api(e)
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let (Some(key_id), Some(secret)) = (cli.key_id.as_deref(), cli.secret.as_deref()) else {
        Cli::command()
            .error(
                clap::error::ErrorKind::MissingRequiredArgument,
                "--key-id (or LOYALTY_KEY_ID) and --secret (or LOYALTY_SECRET) are required",
            )
            .exit()
    };
    let result = match cli.command {
        Command::Sign {
            method,
            path,
            body_file,
        } => sign(key_id, secret, &method, &path, body_file.as_deref()),
        command => match Client::new(&cli.url, key_id, secret) {
            Ok(client) => match command {
                Command::UploadSales { file } => upload_sales(&client, &file).await,
                other => run(&client, other).await.map(|json| println!("{json}")),
            },
            Err(e) => Err(e.into()),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            report(&failure);
            ExitCode::FAILURE
        }
    }
}

/// Runs one API command and returns its answer as pretty JSON.
async fn run(client: &Client, command: Command) -> Result<String, Failure> {
    match command {
        Command::Enrol { customer_ref, name } => pretty(
            &client
                .enrol_member(&EnrolMemberRequest {
                    customer_ref,
                    display_name: name,
                })
                .await?,
        ),
        Command::Link {
            member_number,
            customer_ref,
        } => pretty(
            &client
                .link_member(&LinkMemberRequest {
                    member_number,
                    customer_ref,
                })
                .await?,
        ),
        Command::Balance { member_number } => pretty(&client.member_balance(&member_number).await?),
        Command::Earn {
            member,
            order,
            amount_minor,
            currency,
            occurred_at,
        } => pretty(
            &client
                .earn(&EarnRequest {
                    member_number: member,
                    order_id: order,
                    occurred_at,
                    amount_minor,
                    currency,
                    lines: None,
                })
                .await?,
        ),
        Command::Refund {
            order,
            refund_id,
            amount_minor,
            currency,
        } => pretty(
            &client
                .refund(&RefundRequest {
                    order_id: order,
                    refund_id,
                    amount_minor,
                    currency,
                })
                .await?,
        ),
        Command::Authorise {
            member,
            code,
            points,
            order,
        } => pretty(
            &client
                .authorise(&AuthoriseRequest {
                    member_number: member,
                    code,
                    points,
                    order_id: order,
                })
                .await?,
        ),
        Command::Capture {
            redemption_id,
            points,
        } => pretty(
            &client
                .capture(redemption_id, &CaptureRequest { points })
                .await?,
        ),
        Command::Void { redemption_id } => pretty(&client.void(redemption_id).await?),
        Command::Reverse {
            redemption_id,
            points,
        } => pretty(
            &client
                .reverse(redemption_id, &ReverseRequest { points })
                .await?,
        ),
        Command::Transactions { all: true, .. } => pretty(&client.all_transactions().await?),
        Command::Transactions { limit, cursor, .. } => {
            pretty(&client.transactions(cursor.as_deref(), limit).await?)
        }
        Command::Statements => pretty(&client.statements(None, None).await?),
        Command::Statement {
            statement_id,
            csv: true,
        } => Ok(client.statement_csv(statement_id).await?),
        Command::Statement { statement_id, .. } => {
            let verified = client.verified_statement(statement_id).await?;
            eprintln!(
                "signature verified with network key {}",
                verified.signature.key_id
            );
            pretty(&verified)
        }
        Command::Dispute {
            statement_id,
            reason,
        } => pretty(
            &client
                .dispute_statement(statement_id, &DisputeRequest { reason })
                .await?,
        ),
        Command::Reconcile { statement_id, file } => {
            let text = std::fs::read(&file)
                .map_err(|e| Failure::Other(format!("{}: {e}", file.display())))?;
            let mut reader = csv::ReaderBuilder::new()
                .trim(csv::Trim::All)
                .from_reader(text.as_slice());
            let rows = reader
                .deserialize::<ReconciliationRow>()
                .enumerate()
                .map(|(i, r)| r.map_err(|e| Failure::Other(format!("line {}: {e}", i + 2))))
                .collect::<Result<Vec<_>, _>>()?;
            pretty(&client.reconcile(statement_id, &rows).await?)
        }
        Command::UploadSales { .. } | Command::Sign { .. } => {
            Err(Failure::Other("not an API command".into()))
        }
    }
}

/// Prints the four signature headers of a request.
fn sign(
    key_id: &str,
    secret: &str,
    method: &str,
    path: &str,
    body_file: Option<&Path>,
) -> Result<(), Failure> {
    if !path.starts_with('/') {
        return Err(Failure::Other(format!(
            "--path {path:?} must start with '/' (such as /v1/partner/earns)"
        )));
    }
    let body = match body_file {
        None => Vec::new(),
        Some(file) => read_bounded(file, MAX_SIGN_BODY_BYTES)?,
    };
    let timestamp = Utc::now().timestamp();
    let nonce = signing::new_nonce();
    let signature = signing::signature_header(
        secret,
        &method.to_ascii_uppercase(),
        path,
        timestamp,
        &nonce,
        &body,
    );
    println!("{}: {key_id}", signing::HEADER_KEY_ID);
    println!("{}: {timestamp}", signing::HEADER_TIMESTAMP);
    println!("{}: {nonce}", signing::HEADER_NONCE);
    println!("{}: {signature}", signing::HEADER_SIGNATURE);
    Ok(())
}

/// Reads a whole file of at most `max` bytes.
fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, Failure> {
    let file = File::open(path).map_err(|e| Failure::Other(format!("{}: {e}", path.display())))?;
    let mut body = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(|e| Failure::Other(format!("{}: {e}", path.display())))?;
    if u64::try_from(body.len()).map_or(true, |len| len > max) {
        return Err(Failure::Other(format!(
            "{}: longer than {max} bytes",
            path.display()
        )));
    }
    Ok(body)
}

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
async fn upload_sales(client: &Client, path: &Path) -> Result<(), Failure> {
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
        let result = client.earn_answer(&req, &key).await;
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

/// Pretty JSON of an answer.
fn pretty<T: Serialize>(value: &T) -> Result<String, Failure> {
    serde_json::to_string_pretty(value).map_err(|e| Failure::Other(e.to_string()))
}

/// Prints a failure on stderr: the problem as JSON, or the error text.
fn report(failure: &Failure) {
    match failure {
        Failure::Api(e @ Error::Problem { problem, .. }) => eprintln!(
            "{}",
            serde_json::to_string_pretty(problem).unwrap_or_else(|_| e.to_string())
        ),
        Failure::Api(e) => eprintln!("error: {e}"),
        Failure::Other(msg) if msg.is_empty() => {}
        Failure::Other(msg) => eprintln!("error: {msg}"),
    }
}

/// Parses an RFC 3339 time into UTC.
fn parse_rfc3339(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("not an RFC 3339 time ({e}), such as 2024-05-01T12:00:00Z"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    /// Answers one connection per scripted `(status, extra headers, body)` and returns the
    /// idempotency keys it saw.
    fn serve(
        answers: Vec<(u16, &'static str, String)>,
    ) -> (String, std::thread::JoinHandle<Vec<String>>) {
        use std::io::{BufRead, BufReader, Write};
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
