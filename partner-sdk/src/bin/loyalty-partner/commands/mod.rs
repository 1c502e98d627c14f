//! Running a command: one call of the SDK each, except `sign`, `upload-sales` and
//! `upload-catalog`, which have a file each.

pub(crate) mod sign;
pub(crate) mod upload_catalog;
pub(crate) mod upload_sales;

use partner_sdk::statement::{DisputeRequest, ReconciliationRow};
use partner_sdk::types::*;
use partner_sdk::Client;

use crate::{pretty, Command, Failure};

/// Runs one API command and returns its answer as pretty JSON.
pub(crate) async fn run(client: &Client, command: Command) -> Result<String, Failure> {
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
                    lines: None,
                })
                .await?,
        ),
        Command::Authorize {
            member,
            code,
            points,
            order,
        } => pretty(
            &client
                .authorize(&AuthorizeRequest {
                    member_number: member,
                    code,
                    points,
                    order_id: order,
                    currency: Default::default(),
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
        Command::Entries { all: true, .. } => pretty(&client.all_entries().await?),
        Command::Entries { limit, cursor, .. } => {
            pretty(&client.entries(cursor.as_deref(), limit).await?)
        }
        Command::Catalog => pretty(&client.catalog().await?),
        Command::Products {
            search,
            category_id,
            limit,
            cursor,
        } => pretty(
            &client
                .products(&partner_sdk::ProductQuery {
                    cursor,
                    limit,
                    search,
                    category_id,
                })
                .await?,
        ),
        Command::CheckCompatibility => pretty(&client.check_compatibility().await?),
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
        Command::UploadSales { .. } | Command::UploadCatalog { .. } | Command::Sign { .. } => {
            Err(Failure::Other("not an API command".into()))
        }
    }
}
