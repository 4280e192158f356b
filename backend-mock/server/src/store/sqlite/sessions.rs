//! Pay-first sessions: points loaded into a machine, purchases against them, and the
//! refund of what is left at the end, each in one database transaction.

use super::ledger::{balance_in, post_session_ledger};
use super::*;
use crate::store::machine_pay::{
    MachineSessionRecord, OpenSessionDecision, OpenSessionRequest, PurchaseDecision,
    PurchaseRecord, PurchaseRequest, SessionEnder,
};
use gashapay_core::api::machine_pay::{SessionEnd, SessionStatus, MAX_PURCHASES_SHOWN};
use gashapay_core::api::HistoryKind;
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

const SESSION_COLUMNS: &str = "s.id, s.user_id, s.machine_id, m.name, s.code_id, s.loaded,
    s.spent, s.status, s.ended_by, s.refunded, s.version, s.last_activity_at
    FROM machine_sessions s JOIN machines m ON m.id = s.machine_id";

fn corrupt(what: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidColumnType(0, what.to_owned(), rusqlite::types::Type::Text)
}

fn session_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<MachineSessionRecord> {
    let id: String = row.get(0)?;
    let status: String = row.get(7)?;
    let ended_by: Option<String> = row.get(8)?;
    Ok(MachineSessionRecord {
        id: id.parse().map_err(|_| corrupt("session id"))?,
        user_id: UserId(row.get::<_, i64>(1)? as u64),
        machine_id: MachineId(row.get(2)?),
        machine_name: row.get(3)?,
        code_id: row.get(4)?,
        loaded: Points(row.get::<_, i64>(5)? as u64),
        spent: Points(row.get::<_, i64>(6)? as u64),
        status: SessionStatus::parse(&status).ok_or_else(|| corrupt("session status"))?,
        ended_by: ended_by
            .map(|text| SessionEnd::parse(&text).ok_or_else(|| corrupt("ended_by")))
            .transpose()?,
        refunded: row.get::<_, Option<i64>>(9)?.map(|p| Points(p as u64)),
        version: row.get::<_, i64>(10)? as u64,
        last_activity_at: row.get(11)?,
        purchases: Vec::new(),
    })
}

/// The session with its newest purchases, on any connection (read or write).
fn load(
    conn: &Connection,
    filter: &str,
    key: &str,
) -> rusqlite::Result<Option<MachineSessionRecord>> {
    let Some(mut session) = conn
        .query_row(
            &format!("SELECT {SESSION_COLUMNS} WHERE {filter}"),
            [key],
            session_row,
        )
        .optional()?
    else {
        return Ok(None);
    };
    // The newest first (then turned round): purchases at the same millisecond keep
    // the order of their event ids.
    let mut statement = conn.prepare_cached(
        "SELECT item, points, created_at FROM session_purchases
         WHERE session_id = ?1 ORDER BY created_at DESC, event_id DESC LIMIT ?2",
    )?;
    let mut purchases = statement
        .query_map(
            params![session.id.to_string(), MAX_PURCHASES_SHOWN as i64],
            |row| {
                Ok(PurchaseRecord {
                    item: row.get(0)?,
                    points: Points(row.get::<_, i64>(1)? as u64),
                    at: row.get(2)?,
                })
            },
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    purchases.reverse();
    session.purchases = purchases;
    Ok(Some(session))
}

fn by_id(conn: &Connection, id: Uuid) -> StoreResult<Option<MachineSessionRecord>> {
    load(conn, "s.id = ?1", &id.to_string()).map_err(db)
}

impl MachineSessionStore for SqliteStore {
    fn get(&self, id: Uuid) -> StoreResult<Option<MachineSessionRecord>> {
        self.read(|conn| load(conn, "s.id = ?1", &id.to_string()))
    }

    fn current(&self, machine: &MachineId) -> StoreResult<Option<MachineSessionRecord>> {
        self.read(|conn| {
            load(
                conn,
                "s.machine_id = ?1 ORDER BY s.status = 'open' DESC, s.created_at DESC LIMIT 1",
                &machine.0,
            )
        })
    }

    /// The player's open sessions, newest first. Open sessions are at most one a machine
    /// (`one_open_session_per_machine`), so the walk over that partial index is short.
    fn open_of(&self, user: UserId) -> StoreResult<Vec<MachineSessionRecord>> {
        self.read(|conn| {
            let ids = conn
                .prepare_cached(
                    "SELECT id FROM machine_sessions
                 WHERE status = 'open' AND user_id = ?1 ORDER BY created_at DESC",
                )?
                .query_map([user.0 as i64], |row| row.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut sessions = Vec::with_capacity(ids.len());
            for id in ids {
                sessions.extend(load(conn, "s.id = ?1", &id)?);
            }
            Ok(sessions)
        })
    }

    fn open(&self, request: &OpenSessionRequest) -> StoreResult<OpenSessionDecision> {
        self.write(|tx| {
            let id = request.session_id.to_string();
            if let Some(existing) = by_id(tx, request.session_id)? {
                return Ok(request.answer_existing(existing));
            }
            let code: Option<(String, bool, bool, String)> = tx
                .query_row(
                    "SELECT c.machine_id, c.active, m.revoked, m.name
                 FROM machine_codes c JOIN machines m ON m.id = c.machine_id WHERE c.id = ?1",
                    [&request.code_id],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                )
                .optional()
                .map_err(db)?;
            let Some((machine, active, revoked, machine_name)) = code else {
                return Ok(OpenSessionDecision::UnknownCode);
            };
            if !active || revoked {
                return Ok(OpenSessionDecision::CodeDisabled);
            }
            let busy: bool = tx
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM machine_sessions
                                WHERE machine_id = ?1 AND status = 'open')",
                    [&machine],
                    |row| row.get(0),
                )
                .map_err(db)?;
            if busy {
                return Ok(OpenSessionDecision::MachineBusy);
            }
            if balance_in(tx, request.user_id)? < request.points {
                return Ok(OpenSessionDecision::InsufficientPoints);
            }
            tx.execute(
                "INSERT INTO machine_sessions (id, user_id, machine_id, code_id, loaded, status,
                 last_activity_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?6, ?6)",
                params![
                    id,
                    request.user_id.0 as i64,
                    machine,
                    request.code_id,
                    request.points.0 as i64,
                    request.now
                ],
            )
            .map_err(db)?;
            post_session_ledger(
                tx,
                request.user_id,
                HistoryKind::MachineCredit,
                -(request.points.0 as i64),
                &machine_name,
                &id,
                request.now,
            )?;
            let opened = by_id(tx, request.session_id)?
                .ok_or_else(|| StoreError::Corrupt(format!("session {id}")))?;
            Ok(OpenSessionDecision::Opened(opened))
        })
    }

    fn purchase(&self, request: &PurchaseRequest) -> StoreResult<PurchaseDecision> {
        self.write(|tx| {
            let session_id = request.session_id.to_string();
            let earlier: Option<(String, String, i64)> = tx
                .query_row(
                    "SELECT session_id, item, points FROM session_purchases
                 WHERE machine_id = ?1 AND event_id = ?2",
                    [&request.machine_id.0, &request.event_id],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()
                .map_err(db)?;
            if let Some((earlier_session, item, points)) = earlier {
                if !request.repeats(&earlier_session, &item, points as u64) {
                    return Ok(PurchaseDecision::EventIdReused);
                }
                return Ok(by_id(tx, request.session_id)?
                    .map_or(PurchaseDecision::NotFound, PurchaseDecision::Recorded));
            }
            let Some(session) =
                by_id(tx, request.session_id)?.filter(|s| s.machine_id == request.machine_id)
            else {
                return Ok(PurchaseDecision::NotFound);
            };
            if session.status == SessionStatus::Ended {
                return Ok(PurchaseDecision::Ended);
            }
            if session.remaining() < request.points {
                return Ok(PurchaseDecision::InsufficientCredit);
            }
            tx.execute(
                "INSERT INTO session_purchases (machine_id, event_id, session_id, item, points,
                 created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    request.machine_id.0,
                    request.event_id,
                    session_id,
                    request.item,
                    request.points.0 as i64,
                    request.now
                ],
            )
            .map_err(db)?;
            tx.execute(
                "UPDATE machine_sessions SET spent = spent + ?1, version = version + 1,
                 last_activity_at = ?2
             WHERE id = ?3",
                params![request.points.0 as i64, request.now, session_id],
            )
            .map_err(db)?;
            Ok(by_id(tx, request.session_id)?
                .map_or(PurchaseDecision::NotFound, PurchaseDecision::Recorded))
        })
    }

    fn end(
        &self,
        id: Uuid,
        ender: &SessionEnder,
        now: UnixMillis,
    ) -> StoreResult<Option<MachineSessionRecord>> {
        self.write(|tx| {
            let Some(session) = by_id(tx, id)? else {
                return Ok(None);
            };
            let Some(by) = ender.ends(&session) else {
                return Ok(None);
            };
            if session.status == SessionStatus::Open {
                end_in(tx, &session, by, now)?;
            }
            by_id(tx, id)
        })
    }

    fn end_idle(&self, cutoff: UnixMillis, now: UnixMillis) -> StoreResult<Vec<Uuid>> {
        self.write(|tx| {
            let idle: Vec<String> = {
                let mut statement = tx
                    .prepare_cached(
                        "SELECT id FROM machine_sessions
                     WHERE status = 'open' AND last_activity_at <= ?1",
                    )
                    .map_err(db)?;
                let rows = statement
                    .query_map([cutoff], |row| row.get(0))
                    .map_err(db)?;
                rows.collect::<rusqlite::Result<_>>().map_err(db)?
            };
            let mut ended = Vec::with_capacity(idle.len());
            for id in idle {
                let id: Uuid = id
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("session id {id}")))?;
                if let Some(session) = by_id(tx, id)? {
                    end_in(tx, &session, SessionEnd::Timeout, now)?;
                    ended.push(id);
                }
            }
            Ok(ended)
        })
    }
}

/// Ends an open session inside `tx`, refunding what is left (one `machine_refund`
/// entry, none when nothing is left).
fn end_in(
    tx: &rusqlite::Transaction<'_>,
    session: &MachineSessionRecord,
    by: SessionEnd,
    now: UnixMillis,
) -> StoreResult<()> {
    let left = session.remaining();
    let id = session.id.to_string();
    let changed = tx
        .execute(
            "UPDATE machine_sessions SET status = 'ended', ended_by = ?1, refunded = ?2,
                 version = version + 1, ended_at = ?3
             WHERE id = ?4 AND status = 'open'",
            params![by.as_str(), left.0 as i64, now, id],
        )
        .map_err(db)?;
    if changed != 1 {
        return Err(StoreError::Corrupt(format!("session {id} was not open")));
    }
    if left.0 > 0 {
        post_session_ledger(
            tx,
            session.user_id,
            HistoryKind::MachineRefund,
            left.0 as i64,
            &session.machine_name,
            &id,
            now,
        )?;
    }
    Ok(())
}
