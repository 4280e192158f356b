//! Reward codes, claims, timed sessions and payouts (PROTOCOL §12), each claim in one
//! database transaction. The limits are read inside that transaction: the player's
//! points from this partner today against the cap, the partner's against its budget.

use super::ledger::{balance_in, post_payout_ledger};
use super::*;
use crate::store::rewards::{
    ClaimDecision, ClaimRequest, NewCodesDecision, NewRewardCodes, RewardCodeRecord,
    RewardSessionRecord, Room, TokenEndDecision,
};
use gashapay_core::api::rewards::{RewardKind, RewardRole, RewardSessionStatus};
use rusqlite::{params, Connection, OptionalExtension};

fn corrupt(what: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidColumnType(0, what.to_owned(), rusqlite::types::Type::Text)
}

fn kind_of(point_type: i64) -> rusqlite::Result<RewardKind> {
    u8::try_from(point_type)
        .ok()
        .and_then(RewardKind::from_point_type)
        .ok_or_else(|| corrupt("reward kind"))
}

const CODE_COLUMNS: &str = "c.quickid, c.id, c.app_id, p.name, c.kind, c.role, c.point,
    c.interval_minutes, c.window_start, c.expires_at, c.token, c.voided, p.revoked
    FROM reward_codes c JOIN partners p ON p.app_id = c.app_id";

fn code_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RewardCodeRecord> {
    let role: String = row.get(5)?;
    Ok(RewardCodeRecord {
        quickid: row.get::<_, i64>(0)? as u64,
        id: row.get(1)?,
        app_id: row.get(2)?,
        partner_name: row.get(3)?,
        kind: kind_of(row.get(4)?)?,
        role: RewardRole::parse(&role).ok_or_else(|| corrupt("reward role"))?,
        point: Points(row.get::<_, i64>(6)? as u64),
        interval_minutes: row.get(7)?,
        window_start: row.get::<_, Option<i64>>(8)?.map(|s| s as u64),
        expires_at: row.get::<_, i64>(9)? as u64,
        token: row.get(10)?,
        closed: row.get::<_, bool>(11)? || row.get::<_, bool>(12)?,
    })
}

/// The one row of `columns` (a select list with its `FROM`) that `filter` picks.
fn one<T>(
    conn: &Connection,
    columns: &str,
    filter: &str,
    params: impl rusqlite::Params,
    row: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Option<T>> {
    conn.query_row(&format!("SELECT {columns} WHERE {filter}"), params, row)
        .optional()
}

fn code_by(
    conn: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
) -> StoreResult<Option<RewardCodeRecord>> {
    one(conn, CODE_COLUMNS, filter, params, code_row).map_err(db)
}

const SESSION_COLUMNS: &str = "s.id, s.app_id, p.name, s.user_id, s.kind, s.point,
    s.interval_minutes, s.status, s.earned, s.version, s.started_at, s.ended_at
    FROM reward_sessions s JOIN partners p ON p.app_id = s.app_id";

fn session_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RewardSessionRecord> {
    let status: String = row.get(7)?;
    Ok(RewardSessionRecord {
        id: row.get::<_, i64>(0)? as u64,
        app_id: row.get(1)?,
        partner_name: row.get(2)?,
        user_id: UserId(row.get::<_, i64>(3)? as u64),
        kind: kind_of(row.get(4)?)?,
        point: Points(row.get::<_, i64>(5)? as u64),
        interval_minutes: row.get(6)?,
        status: match status.as_str() {
            "open" => RewardSessionStatus::Open,
            "ended" => RewardSessionStatus::Ended,
            _ => return Err(corrupt("reward session status")),
        },
        earned: row.get::<_, Option<i64>>(8)?.map(|p| Points(p as u64)),
        version: row.get::<_, i64>(9)? as u64,
        started_at: row.get(10)?,
        ended_at: row.get(11)?,
    })
}

fn session_by(
    conn: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
) -> StoreResult<Option<RewardSessionRecord>> {
    one(conn, SESSION_COLUMNS, filter, params, session_row).map_err(db)
}

impl RewardStore for SqliteStore {
    fn create_codes(&self, request: &NewRewardCodes) -> StoreResult<NewCodesDecision> {
        self.write(|tx| {
            let replayed: bool = tx
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM reward_codes WHERE app_id = ?1 AND role != 'end'
                     AND kind = ?4 AND request_time = ?2
                     AND COALESCE(token, '') = COALESCE(?3, ''))
                 OR EXISTS (SELECT 1 FROM reward_codes WHERE app_id = ?1 AND token = ?3)",
                    params![
                        request.app_id,
                        request.request_time as i64,
                        request.token,
                        request.kind.point_type()
                    ],
                    |row| row.get(0),
                )
                .map_err(db)?;
            if replayed {
                return Ok(NewCodesDecision::Replayed);
            }
            let mut created = Vec::new();
            for (id, role) in &request.codes {
                let token = request.token_for(*role);
                tx.execute(
                    "INSERT INTO reward_codes (id, app_id, kind, role, point, interval_minutes,
                     window_start, expires_at, token, request_time, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    params![
                        id,
                        request.app_id,
                        request.kind.point_type(),
                        role.as_str(),
                        request.point.0 as i64,
                        request.interval_minutes,
                        request.window_start.map(|s| s as i64),
                        request.expires_at as i64,
                        token,
                        request.request_time as i64,
                        request.now
                    ],
                )
                .map_err(db)?;
                let code = code_by(tx, "c.id = ?1", [id])?
                    .ok_or_else(|| StoreError::Corrupt(format!("reward code {id}")))?;
                created.push(code);
            }
            Ok(NewCodesDecision::Created(created))
        })
    }

    fn get_code(&self, id: &str) -> StoreResult<Option<RewardCodeRecord>> {
        self.read(|conn| one(conn, CODE_COLUMNS, "c.id = ?1", [id], code_row))
    }

    fn get_session(&self, id: u64) -> StoreResult<Option<RewardSessionRecord>> {
        self.read(|conn| one(conn, SESSION_COLUMNS, "s.id = ?1", [id as i64], session_row))
    }

    /// The player's running sessions, newest first (one a partner at most).
    fn open_sessions_of(&self, user: UserId) -> StoreResult<Vec<RewardSessionRecord>> {
        self.read(|conn| {
            conn.prepare_cached(&format!(
            "SELECT {SESSION_COLUMNS} WHERE s.user_id = ?1 AND s.status = 'open' ORDER BY s.id DESC"
        ))?
            .query_map([user.0 as i64], session_row)?
            .collect()
        })
    }

    fn claim(&self, request: &ClaimRequest) -> StoreResult<ClaimDecision> {
        self.write(|tx| {
            let Some(code) = code_by(tx, "c.id = ?1", [&request.code_id])? else {
                return Ok(ClaimDecision::UnknownCode);
            };
            let now_secs = request.now.max(0) as u64 / 1000;
            if !code.open_at(now_secs) {
                return Ok(ClaimDecision::Expired);
            }
            let user = request.user_id;
            let open = session_by(
                tx,
                "s.app_id = ?1 AND s.user_id = ?2 AND s.status = 'open'",
                params![code.app_id, user.0 as i64],
            )?;
            match code.role {
                RewardRole::Visit => {
                    let claimed: bool = tx
                        .query_row(
                            "SELECT EXISTS (SELECT 1 FROM reward_payouts
                             WHERE app_id = ?1 AND user_id = ?2 AND window_start = ?3)",
                            params![
                                code.app_id,
                                user.0 as i64,
                                code.window_start.map(|s| s as i64)
                            ],
                            |row| row.get(0),
                        )
                        .map_err(db)?;
                    if claimed {
                        return Ok(ClaimDecision::AlreadyClaimed);
                    }
                    let room = room(tx, &code.app_id, user, reward_day(request.now))?;
                    if let Some(refusal) = room.refusal(code.point) {
                        return Ok(refusal);
                    }
                    let balance = pay(
                        tx,
                        (&code.app_id, &code.partner_name),
                        user,
                        code.point,
                        code.window_start,
                        None,
                        request.now,
                    )?;
                    Ok(ClaimDecision::Earned {
                        partner_name: code.partner_name,
                        points: code.point,
                        balance,
                    })
                }
                RewardRole::Start => {
                    let started = session_by(tx, "s.start_code = ?1", [code.quickid as i64])?;
                    if let Some(answer) = code.start_answer(started, open.is_some(), user) {
                        return Ok(answer);
                    }
                    tx.execute(
                        "INSERT INTO reward_sessions (app_id, user_id, kind, start_code, point,
                         interval_minutes, status, started_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7)",
                        params![
                            code.app_id,
                            user.0 as i64,
                            code.kind.point_type(),
                            code.quickid as i64,
                            code.point.0 as i64,
                            code.interval_minutes,
                            request.now
                        ],
                    )
                    .map_err(db)?;
                    let id = tx.last_insert_rowid();
                    let session = session_by(tx, "s.id = ?1", [id])?
                        .ok_or_else(|| StoreError::Corrupt(format!("reward session {id}")))?;
                    Ok(ClaimDecision::Started(session))
                }
                RewardRole::End => match open {
                    Some(session) if session.kind == RewardKind::TimedByPlayer => {
                        let (session, balance) = end_open_session(tx, &session, request.now)?;
                        Ok(ClaimDecision::Ended { session, balance })
                    }
                    _ => Ok(ClaimDecision::NoSession),
                },
            }
        })
    }

    fn end_by_token(
        &self,
        app_id: &str,
        token: &str,
        now: UnixMillis,
    ) -> StoreResult<TokenEndDecision> {
        self.write(|tx| {
            let Some(code) = code_by(
                tx,
                "c.app_id = ?1 AND c.token = ?2 AND c.kind = 3",
                params![app_id, token],
            )?
            else {
                return Ok(TokenEndDecision::UnknownToken);
            };
            let Some(session) = session_by(tx, "s.start_code = ?1", [code.quickid as i64])? else {
                // Nobody scanned it: close it, so a scan after the end earns nothing.
                tx.execute(
                    "UPDATE reward_codes SET voided = 1 WHERE quickid = ?1",
                    [code.quickid as i64],
                )
                .map_err(db)?;
                return Ok(TokenEndDecision::NotStarted);
            };
            if session.status == RewardSessionStatus::Ended {
                return Ok(TokenEndDecision::AlreadyEnded);
            }
            let (ended, _) = end_open_session(tx, &session, now)?;
            Ok(TokenEndDecision::Ended(ended))
        })
    }
}

fn room(tx: &rusqlite::Transaction<'_>, app_id: &str, user: UserId, day: u64) -> StoreResult<Room> {
    let (cap, budget): (i64, i64) = tx
        .query_row(
            "SELECT player_daily_cap, daily_budget FROM partners WHERE app_id = ?1",
            [app_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .map_err(db)?;
    let sum = |filter: &str, params: &[&dyn rusqlite::ToSql]| -> StoreResult<u64> {
        tx.query_row(
            &format!("SELECT COALESCE(SUM(points), 0) FROM reward_payouts WHERE {filter}"),
            params,
            |row| row.get::<_, i64>(0),
        )
        .map(|p| p as u64)
        .map_err(db)
    };
    let day = day as i64;
    let player = sum(
        "user_id = ?1 AND app_id = ?2 AND day = ?3",
        &[&(user.0 as i64), &app_id, &day],
    )?;
    let partner = sum("app_id = ?1 AND day = ?2", &[&app_id, &day])?;
    Ok(Room::left(cap as u64, budget as u64, player, partner))
}

/// Writes a payout and its ledger credit; the new balance.
fn pay(
    tx: &rusqlite::Transaction<'_>,
    code_partner: (&str, &str),
    user: UserId,
    points: Points,
    window_start: Option<u64>,
    session_id: Option<u64>,
    now: UnixMillis,
) -> StoreResult<Points> {
    let (app_id, partner_name) = code_partner;
    let day = reward_day(now);
    tx.execute(
        "INSERT INTO reward_payouts (app_id, user_id, window_start, session_id, points, day,
             created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            app_id,
            user.0 as i64,
            window_start.map(|s| s as i64),
            session_id.map(|s| s as i64),
            points.0 as i64,
            day as i64,
            now
        ],
    )
    .map_err(db)?;
    let payout = tx.last_insert_rowid();
    post_payout_ledger(tx, user, points, partner_name, payout, now)
}

/// Ends an open timed session: one point per whole interval since it started (at most
/// a day), cut to the cap and the budget left today; paid (if anything) and recorded.
fn end_open_session(
    tx: &rusqlite::Transaction<'_>,
    session: &RewardSessionRecord,
    now: UnixMillis,
) -> StoreResult<(RewardSessionRecord, Points)> {
    let room = room(tx, &session.app_id, session.user_id, reward_day(now))?;
    let earned = room.cut(session.wanted_at(now));
    let balance = if earned > 0 {
        pay(
            tx,
            (&session.app_id, &session.partner_name),
            session.user_id,
            Points(earned),
            None,
            Some(session.id),
            now,
        )?
    } else {
        balance_in(tx, session.user_id)?
    };
    tx.execute(
        "UPDATE reward_sessions SET status = 'ended', earned = ?1, ended_at = ?2,
             version = version + 1 WHERE id = ?3",
        params![earned as i64, now, session.id as i64],
    )
    .map_err(db)?;
    let ended = session_by(tx, "s.id = ?1", [session.id as i64])?
        .ok_or_else(|| StoreError::Corrupt(format!("reward session {}", session.id)))?;
    Ok((ended, balance))
}
