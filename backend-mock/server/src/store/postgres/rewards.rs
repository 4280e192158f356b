//! Reward codes, claims, timed sessions and payouts (PROTOCOL §12), each claim in one
//! SERIALIZABLE transaction. The limits are read inside it (the player's points from
//! this partner today against the cap, the partner's against its budget), so claims
//! raced across instances never pay past them: of two that read the same sums, the
//! second to commit is aborted and runs again against the first's payout.

use super::ledger::{self, Entry};
use super::*;
use crate::store::rewards::{
    ClaimDecision, ClaimRequest, NewCodesDecision, NewRewardCodes, RewardCodeRecord,
    RewardSessionRecord, Room, TokenEndDecision,
};
use ::postgres::types::ToSql;
use ::postgres::{GenericClient, Row};
use gashapay_core::api::rewards::{RewardKind, RewardRole, RewardSessionStatus};
use gashapay_core::api::HistoryKind;

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

fn kind_of(point_type: i32) -> StoreResult<RewardKind> {
    u8::try_from(point_type)
        .ok()
        .and_then(RewardKind::from_point_type)
        .ok_or_else(|| StoreError::Corrupt(format!("reward kind {point_type}")))
}

fn minutes(stored: i64) -> StoreResult<u32> {
    u32::try_from(stored).map_err(|_| StoreError::Corrupt(format!("interval {stored}")))
}

const CODE_COLUMNS: &str = "c.quickid, c.id, c.app_id, p.name, c.kind, c.role, c.point,
    c.interval_minutes, c.window_start, c.expires_at, c.token, c.voided, p.revoked
    FROM reward_codes c JOIN partners p ON p.app_id = c.app_id";

fn code_record(row: &Row) -> StoreResult<RewardCodeRecord> {
    let role: String = row.get(5);
    Ok(RewardCodeRecord {
        quickid: unsigned(row.get(0), "a code's number")?,
        id: row.get(1),
        app_id: row.get(2),
        partner_name: row.get(3),
        kind: kind_of(row.get(4))?,
        role: RewardRole::parse(&role)
            .ok_or_else(|| StoreError::Corrupt(format!("reward role {role}")))?,
        point: Points(unsigned(row.get(6), "a code's points")?),
        interval_minutes: minutes(row.get(7))?,
        window_start: row
            .get::<_, Option<i64>>(8)
            .map(|start| unsigned(start, "a window's start"))
            .transpose()?,
        expires_at: unsigned(row.get(9), "a code's expiry")?,
        token: row.get(10),
        closed: row.get::<_, bool>(11) || row.get::<_, bool>(12),
    })
}

fn code_by(
    client: &mut impl GenericClient,
    filter: &str,
    params: Params<'_>,
) -> WriteResult<Option<RewardCodeRecord>> {
    let row = client.query_opt(&format!("SELECT {CODE_COLUMNS} WHERE {filter}"), params)?;
    Ok(row.as_ref().map(code_record).transpose()?)
}

const SESSION_COLUMNS: &str = "s.id, s.app_id, p.name, s.user_id, s.kind, s.point,
    s.interval_minutes, s.status, s.earned, s.version, s.started_at, s.ended_at
    FROM reward_sessions s JOIN partners p ON p.app_id = s.app_id";

fn session_record(row: &Row) -> StoreResult<RewardSessionRecord> {
    let status: String = row.get(7);
    Ok(RewardSessionRecord {
        id: unsigned(row.get(0), "a reward session id")?,
        app_id: row.get(1),
        partner_name: row.get(2),
        user_id: UserId(unsigned(row.get(3), "a user id")?),
        kind: kind_of(row.get(4))?,
        point: Points(unsigned(row.get(5), "a session's points")?),
        interval_minutes: minutes(row.get(6))?,
        status: match status.as_str() {
            "open" => RewardSessionStatus::Open,
            "ended" => RewardSessionStatus::Ended,
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "reward session status {status}"
                )))
            }
        },
        earned: row
            .get::<_, Option<i64>>(8)
            .map(|points| unsigned(points, "points earned").map(Points))
            .transpose()?,
        version: unsigned(row.get(9), "a session version")?,
        started_at: row.get(10),
        ended_at: row.get(11),
    })
}

fn session_by(
    client: &mut impl GenericClient,
    filter: &str,
    params: Params<'_>,
) -> WriteResult<Option<RewardSessionRecord>> {
    let row = client.query_opt(&format!("SELECT {SESSION_COLUMNS} WHERE {filter}"), params)?;
    Ok(row.as_ref().map(session_record).transpose()?)
}

impl RewardStore for PostgresStore {
    fn create_codes(&self, request: &NewRewardCodes) -> StoreResult<NewCodesDecision> {
        self.write(|tx| {
            let replayed: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM reward_codes WHERE app_id = $1 AND role != 'end'
                         AND kind = $4 AND request_time = $2
                         AND COALESCE(token, '') = COALESCE($3, ''))
                     OR EXISTS (SELECT 1 FROM reward_codes WHERE app_id = $1 AND token = $3)",
                    &[
                        &request.app_id,
                        &(request.request_time as i64),
                        &request.token,
                        &i32::from(request.kind.point_type()),
                    ],
                )?
                .get(0);
            if replayed {
                return Ok(NewCodesDecision::Replayed);
            }
            let mut created = Vec::new();
            for (id, role) in &request.codes {
                let token = request.token_for(*role);
                tx.execute(
                    "INSERT INTO reward_codes (id, app_id, kind, role, point, interval_minutes,
                         window_start, expires_at, token, request_time, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    &[
                        id,
                        &request.app_id,
                        &i32::from(request.kind.point_type()),
                        &role.as_str(),
                        &(request.point.0 as i64),
                        &i64::from(request.interval_minutes),
                        &request.window_start.map(|s| s as i64),
                        &(request.expires_at as i64),
                        &token,
                        &(request.request_time as i64),
                        &request.now,
                    ],
                )?;
                let code = code_by(tx, "c.id = $1", &[id])?
                    .ok_or_else(|| StoreError::Corrupt(format!("reward code {id}")))?;
                created.push(code);
            }
            Ok(NewCodesDecision::Created(created))
        })
    }

    fn get_code(&self, id: &str) -> StoreResult<Option<RewardCodeRecord>> {
        self.read_checked(|client| code_by(client, "c.id = $1", &[&id]))
    }

    fn get_session(&self, id: u64) -> StoreResult<Option<RewardSessionRecord>> {
        let Ok(id) = i64::try_from(id) else {
            return Ok(None);
        };
        self.read_checked(|client| session_by(client, "s.id = $1", &[&id]))
    }

    /// The player's running sessions, newest first (one a partner at most).
    fn open_sessions_of(&self, user: UserId) -> StoreResult<Vec<RewardSessionRecord>> {
        let rows = self.read(|client| {
            client.query(
                &format!(
                    "SELECT {SESSION_COLUMNS} WHERE s.user_id = $1 AND s.status = 'open'
                     ORDER BY s.id DESC"
                ),
                &[&(user.0 as i64)],
            )
        })?;
        rows.iter().map(session_record).collect()
    }

    fn claim(&self, request: &ClaimRequest) -> StoreResult<ClaimDecision> {
        // Claims on one partner's codes take turns: each reads the budget's sum.
        let Some(app_id) = self
            .read(|client| {
                client.query_opt(
                    "SELECT app_id FROM reward_codes WHERE id = $1",
                    &[&request.code_id],
                )
            })?
            .map(|row| row.get::<_, String>(0))
        else {
            return Ok(ClaimDecision::UnknownCode);
        };
        self.write_in_turn(&budget_key(&app_id), |tx| claim_in(tx, request))
    }

    fn end_by_token(
        &self,
        app_id: &str,
        token: &str,
        now: UnixMillis,
    ) -> StoreResult<TokenEndDecision> {
        self.write_in_turn(&budget_key(app_id), |tx| {
            let Some(code) = code_by(
                tx,
                "c.app_id = $1 AND c.token = $2 AND c.kind = 3",
                &[&app_id, &token],
            )?
            else {
                return Ok(TokenEndDecision::UnknownToken);
            };
            let quickid = code.quickid as i64;
            let Some(session) =
                session_by(tx, "s.start_code = $1 ORDER BY s.id LIMIT 1", &[&quickid])?
            else {
                // Nobody scanned it: close it, so a scan after the end earns nothing.
                tx.execute(
                    "UPDATE reward_codes SET voided = TRUE WHERE quickid = $1",
                    &[&quickid],
                )?;
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

/// The turn key of the writes that read a partner's budget.
fn budget_key(app_id: &str) -> String {
    format!("reward budget {app_id}")
}

fn claim_in(tx: &mut Transaction<'_>, request: &ClaimRequest) -> WriteResult<ClaimDecision> {
    let Some(code) = code_by(tx, "c.id = $1", &[&request.code_id])? else {
        return Ok(ClaimDecision::UnknownCode);
    };
    let now_secs = request.now.max(0) as u64 / 1000;
    if !code.open_at(now_secs) {
        return Ok(ClaimDecision::Expired);
    }
    let user = request.user_id;
    let user_key = user.0 as i64;
    let open = session_by(
        tx,
        "s.app_id = $1 AND s.user_id = $2 AND s.status = 'open'",
        &[&code.app_id, &user_key],
    )?;
    match code.role {
        RewardRole::Visit => {
            let claimed: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM reward_payouts
                         WHERE app_id = $1 AND user_id = $2 AND window_start = $3)",
                    &[
                        &code.app_id,
                        &user_key,
                        &code.window_start.map(|s| s as i64),
                    ],
                )?
                .get(0);
            if claimed {
                return Ok(ClaimDecision::AlreadyClaimed);
            }
            let room = room(tx, &code.app_id, user, reward_day(request.now))?;
            if let Some(refusal) = room.refusal(code.point) {
                return Ok(refusal);
            }
            let payout = Payout {
                app_id: &code.app_id,
                partner_name: &code.partner_name,
                user,
                points: code.point,
                window_start: code.window_start,
                session_id: None,
            };
            let balance = pay(tx, &payout, request.now)?;
            Ok(ClaimDecision::Earned {
                partner_name: code.partner_name.clone(),
                points: code.point,
                balance,
            })
        }
        RewardRole::Start => {
            let quickid = code.quickid as i64;
            // A kind-3 start code starts one session (`one_session_per_token_code`); a
            // kind-2 one starts one each time, and its first is enough here.
            let started = session_by(tx, "s.start_code = $1 ORDER BY s.id LIMIT 1", &[&quickid])?;
            if let Some(answer) = code.start_answer(started, open.is_some(), user) {
                return Ok(answer);
            }
            let id: i64 = tx
                .query_one(
                    "INSERT INTO reward_sessions (app_id, user_id, kind, start_code, point,
                         interval_minutes, status, started_at)
                     VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING id",
                    &[
                        &code.app_id,
                        &user_key,
                        &i32::from(code.kind.point_type()),
                        &quickid,
                        &(code.point.0 as i64),
                        &i64::from(code.interval_minutes),
                        &request.now,
                    ],
                )?
                .get(0);
            let session = session_by(tx, "s.id = $1", &[&id])?
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
}

fn room(tx: &mut Transaction<'_>, app_id: &str, user: UserId, day: u64) -> WriteResult<Room> {
    let limits = tx.query_one(
        "SELECT player_daily_cap, daily_budget FROM partners WHERE app_id = $1",
        &[&app_id],
    )?;
    let (cap, budget): (i64, i64) = (limits.get(0), limits.get(1));
    let day = day as i64;
    let given = tx.query_one(
        "SELECT COALESCE(SUM(points) FILTER (WHERE user_id = $2), 0)::BIGINT,
             COALESCE(SUM(points), 0)::BIGINT
         FROM reward_payouts WHERE app_id = $1 AND day = $3",
        &[&app_id, &(user.0 as i64), &day],
    )?;
    let (player, partner): (i64, i64) = (given.get(0), given.get(1));
    Ok(Room::left(
        unsigned(cap, "a cap")?,
        unsigned(budget, "a budget")?,
        unsigned(player, "points given")?,
        unsigned(partner, "points given")?,
    ))
}

/// A payout to write: to whom, from which partner, for what.
struct Payout<'a> {
    app_id: &'a str,
    partner_name: &'a str,
    user: UserId,
    points: Points,
    window_start: Option<u64>,
    session_id: Option<u64>,
}

/// Writes a payout and its ledger credit; the new balance.
fn pay(tx: &mut Transaction<'_>, payout: &Payout<'_>, now: UnixMillis) -> WriteResult<Points> {
    let day = reward_day(now);
    let id: i64 = tx
        .query_one(
            "INSERT INTO reward_payouts (app_id, user_id, window_start, session_id, points, day,
                 created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            &[
                &payout.app_id,
                &(payout.user.0 as i64),
                &payout.window_start.map(|s| s as i64),
                &payout.session_id.map(|s| s as i64),
                &(payout.points.0 as i64),
                &(day as i64),
                &now,
            ],
        )?
        .get(0);
    let entry = Entry {
        label: Some(payout.partner_name),
        payout_id: Some(id),
        ..Entry::default()
    };
    ledger::post(
        tx,
        payout.user,
        HistoryKind::Reward,
        payout.points.0 as i64,
        &entry,
        now,
    )
}

/// Ends an open timed session: one point per whole interval since it started (at most
/// a day), cut to the cap and the budget left today; paid (if anything) and recorded.
fn end_open_session(
    tx: &mut Transaction<'_>,
    session: &RewardSessionRecord,
    now: UnixMillis,
) -> WriteResult<(RewardSessionRecord, Points)> {
    let room = room(tx, &session.app_id, session.user_id, reward_day(now))?;
    let earned = room.cut(session.wanted_at(now));
    let balance = if earned > 0 {
        let payout = Payout {
            app_id: &session.app_id,
            partner_name: &session.partner_name,
            user: session.user_id,
            points: Points(earned),
            window_start: None,
            session_id: Some(session.id),
        };
        pay(tx, &payout, now)?
    } else {
        ledger::balance_in(tx, session.user_id)?
    };
    let id = session.id as i64;
    tx.execute(
        "UPDATE reward_sessions SET status = 'ended', earned = $1, ended_at = $2,
             version = version + 1 WHERE id = $3 AND status = 'open'",
        &[&(earned as i64), &now, &id],
    )?;
    let ended = session_by(tx, "s.id = $1", &[&id])?
        .ok_or_else(|| StoreError::Corrupt(format!("reward session {id}")))?;
    Ok((ended, balance))
}
