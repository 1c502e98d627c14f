//! Network settings (one row), the adjustable clock's offset (one row), and job leases (one
//! background job at a time across instances).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{job_leases, network_clock, network_settings};
use crate::db::{is_unique_violation, DbConn};

/// The network settings.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = network_settings)]
pub struct SettingsRow {
    pub id: i64,
    pub currency: String,
    pub base_rate_millipoints: i64,
    pub expiry_policy: String,
    pub expiry_months: i64,
    pub hold_ttl_s: i64,
    pub code_ttl_s: i64,
    pub updated_at: NaiveDateTime,
}

/// The settings, if the network has been initialised.
pub fn settings(conn: &mut DbConn) -> QueryResult<Option<SettingsRow>> {
    network_settings::table
        .find(1_i64)
        .select(SettingsRow::as_select())
        .first(conn)
        .optional()
}

/// Writes the settings row, inserting it the first time.
pub fn save_settings(conn: &mut DbConn, row: &SettingsRow) -> QueryResult<()> {
    let updated = diesel::update(network_settings::table.find(1_i64))
        .set(row)
        .execute(conn)?;
    if updated == 0 {
        match diesel::insert_into(network_settings::table)
            .values(row)
            .execute(conn)
        {
            Ok(_) => {}
            // Another instance initialised it at the same moment: its row stands.
            Err(e) if is_unique_violation(&e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The stored clock offset, in seconds (0 on a database whose clock was never moved).
pub fn clock_offset_s(conn: &mut DbConn) -> QueryResult<i64> {
    Ok(network_clock::table
        .find(1_i64)
        .select(network_clock::offset_s)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// Moves the stored clock offset forward by `seconds` and returns the new offset.
pub fn advance_clock_offset(conn: &mut DbConn, seconds: i64) -> QueryResult<i64> {
    diesel::update(network_clock::table.find(1_i64))
        .set(network_clock::offset_s.eq(network_clock::offset_s + seconds))
        .execute(conn)?;
    clock_offset_s(conn)
}

/// Takes the lease of a job until `until` if it is free or expired; true when this holder has it.
/// The conditional update is the lock: of several instances, one wins each round.
pub fn take_lease(
    conn: &mut DbConn,
    name: &str,
    holder: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<bool> {
    let taken = diesel::update(
        job_leases::table.filter(job_leases::name.eq(name)).filter(
            job_leases::lease_until
                .le(now)
                .or(job_leases::holder.eq(holder)),
        ),
    )
    .set((
        job_leases::holder.eq(holder),
        job_leases::lease_until.eq(until),
    ))
    .execute(conn)?;
    if taken == 1 {
        return Ok(true);
    }
    match diesel::insert_into(job_leases::table)
        .values((
            job_leases::name.eq(name),
            job_leases::holder.eq(holder),
            job_leases::lease_until.eq(until),
        ))
        .execute(conn)
    {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Serialises the transactions that call it with the same `name`, until they end: each updates
/// the same row (created on first use), and a row lock is held to the commit. For writers that
/// replace a whole set of rows (delete, then insert), which would otherwise collide on their
/// keys under PostgreSQL's READ COMMITTED.
pub fn serialize_on(conn: &mut DbConn, name: &str) -> QueryResult<()> {
    use diesel::Connection;
    let key = format!("lock:{name}");
    let touch = |conn: &mut DbConn| {
        diesel::update(job_leases::table.filter(job_leases::name.eq(&key)))
            .set(job_leases::holder.eq(job_leases::holder))
            .execute(conn)
    };
    if touch(conn)? == 1 {
        return Ok(());
    }
    let created = conn.transaction(|conn| {
        diesel::insert_into(job_leases::table)
            .values((
                job_leases::name.eq(&key),
                job_leases::holder.eq("lock"),
                job_leases::lease_until.eq(chrono::DateTime::UNIX_EPOCH.naive_utc()),
            ))
            .execute(conn)
    });
    match created {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {}
        Err(e) => return Err(e),
    }
    touch(conn).map(|_| ())
}
