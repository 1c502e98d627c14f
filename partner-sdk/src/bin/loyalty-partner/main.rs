//! `loyalty-partner`: the partner API from the command line.
//!
//! Every command prints the JSON answer on stdout. On failure it prints the problem (or the
//! error) on stderr and exits with status 1. `upload-sales` earns a CSV file of sales and can be
//! re-run safely after a crash; `sign` prints the signature headers for a hand-made request.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{CommandFactory, Parser, Subcommand};
use partner_sdk::{Client, ClientConfig, Error};
use serde::Serialize;

mod commands;

use commands::run;
use commands::sign::sign;
use commands::upload_sales::upload_sales;

/// Most rows `upload-sales` accepts in one file.
const MAX_UPLOAD_ROWS: usize = 100_000;
/// Largest body file `sign` reads.
const MAX_SIGN_BODY_BYTES: u64 = 16 * 1024 * 1024;
/// `upload-sales` stops after this many batches failed in a row (network errors, or the
/// server unavailable after the client's retries).
const MAX_CONSECUTIVE_TRANSPORT_FAILURES: u32 = 3;

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
    Authorize {
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
    /// Capture an authorized redemption (all of the hold unless --points).
    Capture {
        /// The redemption id.
        redemption_id: i64,
        /// Points to capture.
        #[arg(long)]
        points: Option<i64>,
    },
    /// Release an authorized redemption's hold.
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
    /// List the partner's journal entries: one page, or all of them with --all.
    Entries {
        /// Page size.
        #[arg(long, conflicts_with = "all")]
        limit: Option<u32>,
        /// The `next_cursor` of the previous page.
        #[arg(long, conflicts_with = "all")]
        cursor: Option<String>,
        /// Follow the cursors and print every journal entry.
        #[arg(long)]
        all: bool,
    },
    /// Show the partner's current catalog version.
    Catalog,
    /// List the partner's products, in SKU order.
    Products {
        /// The exact SKU, or text in the title.
        #[arg(long)]
        search: Option<String>,
        /// Only products in this category's subtree.
        #[arg(long)]
        category_id: Option<i64>,
        /// Page size.
        #[arg(long)]
        limit: Option<u32>,
        /// The `next_cursor` of the previous page.
        #[arg(long)]
        cursor: Option<String>,
    },
    /// Check the current catalog against the network now.
    CheckCompatibility,
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
    /// Replace the partner's catalog with a feed file: the Google Merchant Center feed
    /// (tab-separated `.txt`/`.tsv`, or RSS `.xml`), or CSV / JSON with
    /// `sku,title,category,price_minor,currency`. Shows a progress bar; a file with bad rows is
    /// refused whole and every bad row is printed.
    UploadCatalog {
        /// The feed file.
        file: PathBuf,
        /// tsv, xml, csv or json (default: from the file's extension).
        #[arg(long)]
        format: Option<String>,
    },
    /// Print the signature headers of a request, for signing by hand (curl).
    Sign {
        /// HTTP method.
        #[arg(long)]
        method: String,
        /// Path and query exactly as sent, such as `/v1/partner/entries?limit=10`.
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
        command => match Client::with_config(client_config(&cli.url, key_id, secret, &command)) {
            Ok(client) => match command {
                Command::UploadSales { file } => upload_sales(&client, &file).await,
                Command::UploadCatalog { file, format } => {
                    commands::upload_catalog::upload_catalog(&client, &file, format).await
                }
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

/// The client's settings: a file upload (a 1,000-sale batch, a large catalog) may take longer
/// than one API call, so its attempts are given two minutes.
fn client_config(url: &str, key_id: &str, secret: &str, command: &Command) -> ClientConfig {
    let mut config = ClientConfig::new(url, key_id, secret);
    if matches!(
        command,
        Command::UploadSales { .. } | Command::UploadCatalog { .. }
    ) {
        config.timeout = std::time::Duration::from_secs(120);
    }
    config
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
}
