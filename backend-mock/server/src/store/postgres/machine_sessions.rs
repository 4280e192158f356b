//! Pay-first sessions: points loaded into a machine, purchases against them, and the
//! refund of what is left at the end, each in one SERIALIZABLE transaction (so two
//! instances ending one session refund it once: the session's status moves once).

use super::ledger::{self, Entry};
use super::*;
use ::postgres::{GenericClient, Row};
use gashapay_core::api::machine_pay::{SessionEnd, SessionStatus, MAX_PURCHASES_SHOWN};
use gashapay_core::api::HistoryKind;
use uuid::Uuid;

const SESSION_COLUMNS: &str = "s.id, s.user_id, s.machine_id, m.name, s.code_id, s.loaded,
    s.spent, s.status, s.ended_by, s.refunded, s.version, s.last_activity_at
    FROM machine_sessions s JOIN machines m ON m.id = s.machine_id";

fn session_record(row: &Row) -> StoreResult<MachineSessionRecord> {
    let id: String = row.get(0);
    let status: String = row.get(7);
    let ended_by: Option<String> = row.get(8);
    Ok(MachineSessionRecord {
        id: id
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("session id {id}")))?,
        user_id: UserId(unsigned(row.get(1), "a user id")?),
        machine_id: MachineId(row.get(2)),
        machine_name: row.get(3),
        code_id: row.get(4),
        loaded: Points(unsigned(row.get(5), "loaded points")?),
        spent: Points(unsigned(row.get(6), "spent points")?),
        status: SessionStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("session status {status}")))?,
        ended_by: ended_by
            .map(|text| {
                SessionEnd::parse(&text)
                    .ok_or_else(|| StoreError::Corrupt(format!("ended by {text}")))
            })
            .transpose()?,
        refunded: row
            .get::<_, Option<i64>>(9)
            .map(|points| unsigned(points, "refunded points").map(Points))
            .transpose()?,
        version: unsigned(row.get(10), "a session version")?,
        last_activity_at: row.get(11),
        purchases: Vec::new(),
    })
}

/// The session with this id and its newest purchases, in or out of a transaction.
fn by_id(client: &mut impl GenericClient, id: Uuid) -> WriteResult<Option<MachineSessionRecord>> {
    let row = client.query_opt(
        &format!("SELECT {SESSION_COLUMNS} WHERE s.id = $1"),
        &[&id.to_string()],
    )?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(with_purchases(client, session_record(&row)?)?))
}

fn with_purchases(
    client: &mut impl GenericClient,
    mut session: MachineSessionRecord,
) -> WriteResult<MachineSessionRecord> {
    // The newest first (then turned round): purchases at the same millisecond keep
    // the order of their event ids.
    let rows = client.query(
        "SELECT item, points, created_at FROM session_purchases
         WHERE session_id = $1 ORDER BY created_at DESC, event_id DESC LIMIT $2",
        &[&session.id.to_string(), &(MAX_PURCHASES_SHOWN as i64)],
    )?;
    let mut purchases = rows
        .iter()
        .map(|row| {
            Ok(PurchaseRecord {
                item: row.get(0),
                points: Points(unsigned(row.get(1), "purchase points")?),
                at: row.get(2),
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    purchases.reverse();
    session.purchases = purchases;
    Ok(session)
}

impl MachineSessionStore for PostgresStore {
    fn get(&self, id: Uuid) -> StoreResult<Option<MachineSessionRecord>> {
        self.read_checked(|client| by_id(client, id))
    }

    fn current(&self, machine: &MachineId) -> StoreResult<Option<MachineSessionRecord>> {
        self.read_checked(|client| {
            let row = client.query_opt(
                &format!(
                    "SELECT {SESSION_COLUMNS} WHERE s.machine_id = $1
                     ORDER BY s.status = 'open' DESC, s.created_at DESC LIMIT 1"
                ),
                &[&machine.0],
            )?;
            match row {
                Some(row) => Ok(Some(with_purchases(client, session_record(&row)?)?)),
                None => Ok(None),
            }
        })
    }

    fn open_of(&self, user: UserId) -> StoreResult<Vec<MachineSessionRecord>> {
        self.read_checked(|client| {
            let rows = client.query(
                &format!(
                    "SELECT {SESSION_COLUMNS} WHERE s.status = 'open' AND s.user_id = $1
                     ORDER BY s.created_at DESC"
                ),
                &[&(user.0 as i64)],
            )?;
            let mut sessions = Vec::with_capacity(rows.len());
            for row in &rows {
                sessions.push(with_purchases(client, session_record(row)?)?);
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
            let code = tx.query_opt(
                "SELECT c.machine_id, c.active, m.revoked, m.name
                 FROM machine_codes c JOIN machines m ON m.id = c.machine_id WHERE c.id = $1",
                &[&request.code_id],
            )?;
            let Some(code) = code else {
                return Ok(OpenSessionDecision::UnknownCode);
            };
            let (machine, active, revoked, machine_name): (String, bool, bool, String) =
                (code.get(0), code.get(1), code.get(2), code.get(3));
            if !active || revoked {
                return Ok(OpenSessionDecision::CodeDisabled);
            }
            let busy: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM machine_sessions
                                    WHERE machine_id = $1 AND status = 'open')",
                    &[&machine],
                )?
                .get(0);
            if busy {
                return Ok(OpenSessionDecision::MachineBusy);
            }
            if ledger::balance_in(tx, request.user_id)? < request.points {
                return Ok(OpenSessionDecision::InsufficientPoints);
            }
            tx.execute(
                "INSERT INTO machine_sessions (id, user_id, machine_id, code_id, loaded, status,
                     last_activity_at, created_at)
                 VALUES ($1, $2, $3, $4, $5, 'open', $6, $6)",
                &[
                    &id,
                    &(request.user_id.0 as i64),
                    &machine,
                    &request.code_id,
                    &(request.points.0 as i64),
                    &request.now,
                ],
            )?;
            let entry = Entry {
                label: Some(&machine_name),
                session_id: Some(&id),
                ..Entry::default()
            };
            let points = request.points.0 as i64;
            ledger::post(
                tx,
                request.user_id,
                HistoryKind::MachineCredit,
                -points,
                &entry,
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
            let earlier = tx.query_opt(
                "SELECT session_id, item, points FROM session_purchases
                 WHERE machine_id = $1 AND event_id = $2",
                &[&request.machine_id.0, &request.event_id],
            )?;
            if let Some(earlier) = earlier {
                let (earlier_session, item, points): (String, String, i64) =
                    (earlier.get(0), earlier.get(1), earlier.get(2));
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
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &request.machine_id.0,
                    &request.event_id,
                    &session_id,
                    &request.item,
                    &(request.points.0 as i64),
                    &request.now,
                ],
            )?;
            tx.execute(
                "UPDATE machine_sessions SET spent = spent + $1, version = version + 1,
                     last_activity_at = $2
                 WHERE id = $3",
                &[&(request.points.0 as i64), &request.now, &session_id],
            )?;
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
            let idle = tx.query(
                "SELECT id FROM machine_sessions WHERE status = 'open' AND last_activity_at <= $1",
                &[&cutoff],
            )?;
            let mut ended = Vec::with_capacity(idle.len());
            for row in &idle {
                let id: String = row.get(0);
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
    tx: &mut Transaction<'_>,
    session: &MachineSessionRecord,
    by: SessionEnd,
    now: UnixMillis,
) -> WriteResult<()> {
    let left = session.remaining();
    let id = session.id.to_string();
    let changed = tx.execute(
        "UPDATE machine_sessions SET status = 'ended', ended_by = $1, refunded = $2,
             version = version + 1, ended_at = $3
         WHERE id = $4 AND status = 'open'",
        &[&by.as_str(), &(left.0 as i64), &now, &id],
    )?;
    if changed != 1 {
        return Err(StoreError::Corrupt(format!("session {id} was not open")).into());
    }
    if left.0 > 0 {
        let entry = Entry {
            label: Some(&session.machine_name),
            session_id: Some(&id),
            ..Entry::default()
        };
        ledger::post(
            tx,
            session.user_id,
            HistoryKind::MachineRefund,
            left.0 as i64,
            &entry,
            now,
        )?;
    }
    Ok(())
}
