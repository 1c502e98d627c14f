//! Ledger verification: every invariant of the specification, with a precise report.
//!
//! - every entry has two or more postings that sum to zero per asset;
//! - every member's entries form an unbroken SHA-256 chain ending at the head stored on the
//!   member row (an edited, inserted, reordered or deleted entry breaks it);
//! - replaying a member's postings gives their stored balances, and the available balance never
//!   went below zero except by a refund claw-back;
//! - the network's own chain (settlement and payment entries) is unbroken up to its stored head;
//! - a closed settlement period still holds exactly the clearing events it was closed with;
//! - lots agree with balances: pending = unmatured lots, max(available, 0) = matured lots, held =
//!   open holds, and each lot's remaining = its points less its movements;
//! - each partner's local currency the same way: a member's stored local wallet equals the
//!   replay of its postings, went below zero only by a refund's claw-back, its available points
//!   (when positive) are its lots' and its held points its open holds'.

use std::collections::BTreeMap;

use crate::db::queries::ledger::journal;
use crate::db::queries::ledger::lots as lot_rows;
use crate::db::queries::local_programs as local_rows;
use crate::db::queries::redemption as redemption_rows;
use crate::db::queries::{members, settlement as settlement_rows};
use crate::db::DbConn;
use crate::domain::ids::{EntryId, LotId, MemberId};
use crate::domain::money::Points;
use crate::error::ApiResult;
use crate::http::ledger::json::VerifyReport;
use crate::service::ledger::{account, entry_hash, member_chain, EntryContent, GENESIS_HASH, PTS};

impl VerifyReport {
    /// Whether the ledger is clean.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

const PAGE: i64 = 1000;

/// Verifies the whole ledger.
pub fn run(conn: &mut DbConn) -> ApiResult<VerifyReport> {
    let mut report = VerifyReport::default();
    for bad in journal::unbalanced_entries(conn)? {
        report.problems.push(format!(
            "entry {}: postings of {} sum to {}, not 0",
            bad.group_id, bad.asset, bad.total
        ));
    }
    for id in journal::entries_with_too_few_postings(conn)? {
        report
            .problems
            .push(format!("entry {id}: fewer than two postings"));
    }
    let mut known_chains = std::collections::BTreeSet::new();
    let mut after = MemberId::default();
    loop {
        let ids = members::id_page(conn, after, PAGE)?;
        for id in &ids {
            known_chains.insert(member_chain(*id));
            verify_member(conn, *id, &mut report)?;
        }
        match ids.last() {
            Some(last) => after = *last,
            None => break,
        }
    }
    for (chain, head) in settlement_rows::chain_heads(conn)? {
        known_chains.insert(chain.clone());
        verify_network_chain(conn, &chain, &head, &mut report)?;
    }
    verify_runs(conn, &mut report)?;
    for chain in journal::chains(conn)? {
        if !known_chains.contains(&chain) {
            report
                .problems
                .push(format!("chain {chain}: belongs to no member"));
        }
    }
    Ok(report)
}

#[derive(Default)]
struct Running {
    available: i64,
    pending: i64,
    held: i64,
}

fn verify_member(
    conn: &mut DbConn,
    member_id: MemberId,
    report: &mut VerifyReport,
) -> ApiResult<()> {
    let member = members::by_id(conn, member_id)?;
    let chain = member_chain(member_id);
    let mut bal = Running::default();
    let mut local: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let last = walk_chain(conn, &chain, report, |e, lines, report| {
        if e.member_id != Some(member_id) {
            report.problems.push(format!(
                "entry {}: in the chain of member {member_id} but names another member",
                e.id
            ));
        }
        let before = bal.available;
        for (acct, owner, asset, amount) in lines {
            if *owner != member_id.get() || !acct.starts_with("member_") {
                continue;
            }
            if asset != PTS {
                replay_local(&mut local, e, (acct, asset, *amount), report);
                continue;
            }
            match acct.as_str() {
                account::MEMBER_AVAILABLE => bal.available = bal.available.saturating_add(*amount),
                account::MEMBER_PENDING => bal.pending = bal.pending.saturating_add(*amount),
                account::MEMBER_HELD => bal.held = bal.held.saturating_add(*amount),
                _ => {}
            }
        }
        if bal.available < 0 && bal.available < before && e.kind != "refund" {
            report.problems.push(format!(
                "entry {}: took member {member_id}'s available balance below zero without a claw-back",
                e.id
            ));
        }
        if bal.pending < 0 || bal.held < 0 {
            report.problems.push(format!(
                "entry {}: pending or held balance below zero",
                e.id
            ));
        }
    })?;
    let prev = last;
    report.members_checked += 1;
    if member.chain_head != prev {
        report.problems.push(format!(
            "member {member_id}: stored chain head does not match the last entry (an entry is missing or was altered)"
        ));
    }
    if (bal.available, bal.pending, bal.held)
        != (
            member.available_points.get(),
            member.pending_points.get(),
            member.held_points.get(),
        )
    {
        report.problems.push(format!(
            "member {member_id}: stored balances (available {}, pending {}, held {}) differ from their postings ({}, {}, {})",
            member.available_points, member.pending_points, member.held_points, bal.available, bal.pending, bal.held
        ));
    }
    verify_lots(conn, &member, report)?;
    verify_local(conn, &member, &local, report)
}

/// Replays one local-currency posting on a member's wallet: (available, held) per asset.
fn replay_local(
    local: &mut BTreeMap<String, (i64, i64)>,
    entry: &journal::Entry,
    (acct, asset, amount): (&str, &str, i64),
    report: &mut VerifyReport,
) {
    let entry_id = entry.id;
    let wallet = local.entry(asset.to_owned()).or_default();
    // Only a refund's claw-back may take the available balance (further) below zero.
    let lowers_available = acct == account::MEMBER_AVAILABLE && amount < 0;
    let may_go_negative = entry.kind == "refund" || !lowers_available;
    match acct {
        account::MEMBER_AVAILABLE => wallet.0 = wallet.0.saturating_add(amount),
        account::MEMBER_HELD => wallet.1 = wallet.1.saturating_add(amount),
        other => report.problems.push(format!(
            "entry {entry_id}: {asset} posted to {other}, which holds no local points"
        )),
    }
    if (wallet.0 < 0 && !may_go_negative) || wallet.1 < 0 {
        report
            .problems
            .push(format!("entry {entry_id}: {asset} balance below zero"));
    }
}

/// Local wallets agree with their postings, lots and open holds: max(available, 0) = the
/// remaining points of the asset's lots, held = its open holds.
fn verify_local(
    conn: &mut DbConn,
    member: &members::Member,
    replayed: &BTreeMap<String, (i64, i64)>,
    report: &mut VerifyReport,
) -> ApiResult<()> {
    let id = member.id;
    let stored: BTreeMap<String, (i64, i64)> = local_rows::wallets_of(conn, id)?
        .into_iter()
        .map(|w| (w.asset, (w.available.get(), w.held.get())))
        .collect();
    let lots = lot_rows::member_lots(conn, id)?;
    let assets: std::collections::BTreeSet<&String> =
        stored.keys().chain(replayed.keys()).collect();
    for asset in assets {
        let wallet = stored.get(asset).copied().unwrap_or_default();
        let postings = replayed.get(asset).copied().unwrap_or_default();
        if wallet != postings {
            report.problems.push(format!(
                "member {id}: stored {asset} balances (available {}, held {}) differ from their postings ({}, {})",
                wallet.0, wallet.1, postings.0, postings.1
            ));
        }
        let in_lots = lots
            .iter()
            .filter(|l| &l.asset == asset)
            .map(|l| l.remaining.get())
            .fold(0_i64, i64::saturating_add);
        if in_lots != wallet.0.max(0) {
            report.problems.push(format!(
                "member {id}: {asset} available {} but its lots hold {in_lots}",
                wallet.0
            ));
        }
        let holds = redemption_rows::open_hold_total(conn, id, asset)?;
        if holds.get() != wallet.1 {
            report.problems.push(format!(
                "member {id}: {asset} held {} but open holds total {holds}",
                wallet.1
            ));
        }
    }
    Ok(())
}

fn verify_lots(
    conn: &mut DbConn,
    member: &members::Member,
    report: &mut VerifyReport,
) -> ApiResult<()> {
    let lots = lot_rows::member_lots(conn, member.id)?;
    let ids: Vec<LotId> = lots.iter().map(|l| l.id).collect();
    let network = |l: &&lot_rows::Lot| l.asset == PTS;
    let moved: BTreeMap<LotId, Points> = lot_rows::movement_sums(conn, &ids)?.into_iter().collect();
    // Saturating sums: the verifier reads whatever is stored, and a corrupt row must be
    // reported, not overflow.
    let (mut matured, mut unmatured) = (0_i64, 0_i64);
    for lot in &lots {
        report.lots_checked += 1;
        let taken = moved.get(&lot.id).copied().unwrap_or_default().get();
        let expected = lot.points.get().saturating_sub(taken);
        if expected != lot.remaining.get() {
            report.problems.push(format!(
                "lot {}: remaining {} but points {} less movements {taken} give {expected}",
                lot.id, lot.remaining, lot.points,
            ));
        }
    }
    for lot in lots.iter().filter(network) {
        let sum = if lot.matured {
            &mut matured
        } else {
            &mut unmatured
        };
        *sum = sum.saturating_add(lot.remaining.get());
    }
    let id = member.id;
    if unmatured != member.pending_points.get() {
        report.problems.push(format!(
            "member {id}: pending {} but unmatured lots hold {unmatured}",
            member.pending_points
        ));
    }
    if matured != member.available_points.at_least_zero().get() {
        report.problems.push(format!(
            "member {id}: available {} but matured lots hold {matured}",
            member.available_points
        ));
    }
    let holds = redemption_rows::open_hold_total(conn, id, PTS)?;
    if holds != member.held_points {
        report.problems.push(format!(
            "member {id}: held {} but open holds total {holds}",
            member.held_points
        ));
    }
    Ok(())
}

/// Walks a chain in order, checking each entry's link to the previous one and its hash, and
/// hands each entry with its postings to `visit`. Returns the last hash (the genesis hash for
/// an empty chain).
fn walk_chain(
    conn: &mut DbConn,
    chain: &str,
    report: &mut VerifyReport,
    mut visit: impl FnMut(&journal::Entry, &[(String, i64, String, i64)], &mut VerifyReport),
) -> ApiResult<String> {
    let mut prev = GENESIS_HASH.to_owned();
    let mut after = EntryId::default();
    loop {
        let entries = journal::chain_page(conn, chain, after, PAGE)?;
        let ids: Vec<EntryId> = entries.iter().map(|e| e.id).collect();
        let mut by_entry: BTreeMap<EntryId, Vec<(String, i64, String, i64)>> = BTreeMap::new();
        for p in journal::postings_of(conn, &ids)? {
            by_entry
                .entry(p.entry_id)
                .or_default()
                .push((p.account, p.owner_id, p.asset, p.amount));
        }
        for e in &entries {
            report.entries_checked += 1;
            let lines = by_entry.remove(&e.id).unwrap_or_default();
            if e.prev_hash != prev {
                report.problems.push(format!(
                    "entry {}: chain {chain} broken (prev_hash does not match the previous entry)",
                    e.id
                ));
            }
            let computed = entry_hash(
                &e.prev_hash,
                &EntryContent {
                    kind: &e.kind,
                    member_id: e.member_id,
                    partner_id: e.partner_id,
                    reference: &e.reference,
                    memo: e.memo.as_deref(),
                    posted_at: e.posted_at,
                    postings: &lines,
                },
            );
            if computed != e.hash {
                report.problems.push(format!(
                    "entry {}: content does not match its hash (tampered)",
                    e.id
                ));
            }
            visit(e, &lines, report);
            prev = e.hash.clone();
        }
        match entries.last() {
            Some(last) => after = last.id,
            None => break,
        }
    }
    Ok(prev)
}

/// The network's own chain (settlement and payment entries) up to its stored head.
fn verify_network_chain(
    conn: &mut DbConn,
    chain: &str,
    head: &str,
    report: &mut VerifyReport,
) -> ApiResult<()> {
    let last = walk_chain(conn, chain, report, |_, _, _| {})?;
    if last != head {
        report.problems.push(format!(
            "chain {chain}: stored head does not match the last entry (an entry is missing or was altered)"
        ));
    }
    Ok(())
}

/// Each closed period still holds the events it was closed with: an event posted late into a
/// closed period, or one deleted from it, shows here.
fn verify_runs(conn: &mut DbConn, report: &mut VerifyReport) -> ApiResult<()> {
    for run in settlement_rows::all_runs(conn)? {
        let now = settlement_rows::event_count(conn, run.period_start, run.period_end)?;
        if now != run.events_count {
            report.problems.push(format!(
                "settlement run {}: closed with {} clearing events, the period now holds {now}",
                run.id, run.events_count
            ));
        }
    }
    Ok(())
}
