//! The play path and what becomes of a play: one-time use is the transactions table's
//! primary key, a balance is locked while a batch decides on it, a machine's report is
//! keyed by its event id, and the sweeper's refunds move only plays still pending.
//!
//! The group-commit writer hands over plays in batches, and a batch is one
//! transaction of a handful of statements whatever its size (arrays in, `unnest`):
//! one commit, one WAL flush, and few round trips for all of them. It runs at READ
//! COMMITTED, not SERIALIZABLE: every play of one player changes that player's row,
//! so serializable batches on two instances would abort each other whenever they
//! share a player, while here the second waits for the first's commit. The rules
//! hold at this level because the batch first locks its players' rows (in id order,
//! so two batches queue rather than deadlock) and decides on the balances it locked,
//! and because a code's row is inserted `ON CONFLICT DO NOTHING`: a code another
//! instance inserted after this batch looked is waited for, and the batch runs again
//! and answers it as a code already presented.

use super::ledger;
use super::*;
use ::postgres::Row;
use std::collections::HashMap;

impl PlayStore for PostgresStore {
    fn play(&self, request: &PlayRequest) -> StoreResult<PlayDecision> {
        let mut decisions = self.play_batch(std::slice::from_ref(request))?;
        decisions
            .pop()
            .ok_or_else(|| StoreError::Corrupt("a play batch of one gave no decision".into()))
    }

    fn play_batch(&self, requests: &[PlayRequest]) -> StoreResult<Vec<PlayDecision>> {
        self.write_read_committed(|tx| play_batch_in(tx, requests))
    }
}

/// A code already presented: who presented it, and what it was answered.
struct Presented {
    machine: String,
    user: u64,
    points: u64,
    rejection: Option<ErrorCode>,
}

impl Presented {
    fn answer(&self, again: &PlayRequest) -> PlayDecision {
        again.answer_again((&self.machine, self.user, self.points), self.rejection)
    }
}

/// The rows a batch writes, column by column (each column one array parameter).
#[derive(Default)]
struct NewPlays {
    ids: Vec<String>,
    users: Vec<i64>,
    devices: Vec<i32>,
    machines: Vec<String>,
    points: Vec<i64>,
    statuses: Vec<&'static str>,
    rejections: Vec<Option<&'static str>>,
    issued: Vec<i64>,
    at: Vec<i64>,
    /// Each accepted play's row (its index in these columns) and its player's balance
    /// after it.
    charged: Vec<(usize, i64)>,
}

/// Decides the batch's plays in order on its players' locked balances, then writes
/// them in three statements.
pub(super) fn play_batch_in(
    tx: &mut Transaction<'_>,
    requests: &[PlayRequest],
) -> WriteResult<Vec<PlayDecision>> {
    let mut players: Vec<i64> = requests.iter().map(|r| r.user_id.0 as i64).collect();
    players.sort_unstable();
    players.dedup();
    let mut balances: HashMap<i64, i64> = tx
        .query(
            "SELECT id, balance FROM users WHERE id = ANY($1) ORDER BY id FOR UPDATE",
            &[&players],
        )?
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    let ids: Vec<String> = requests
        .iter()
        .map(|r| r.transaction_id.to_string())
        .collect();
    let mut presented: HashMap<String, Presented> = tx
        .query(
            "SELECT id, machine_id, user_id, points, rejection FROM transactions
             WHERE id = ANY($1)",
            &[&ids],
        )?
        .iter()
        .map(|row| {
            let rejection: Option<String> = row.get(4);
            let earlier = Presented {
                machine: row.get(1),
                user: unsigned(row.get(2), "a user id")?,
                points: unsigned(row.get(3), "points")?,
                rejection: rejection.as_deref().map(ErrorCode::parse),
            };
            Ok((row.get(0), earlier))
        })
        .collect::<StoreResult<_>>()?;
    let mut new = NewPlays::default();
    let decisions = requests
        .iter()
        .zip(ids)
        .map(|(request, id)| decide(request, id, &mut presented, &mut balances, &mut new))
        .collect();
    if new.ids.is_empty() {
        return Ok(decisions);
    }
    let inserted = tx.query(
        "INSERT INTO transactions (id, user_id, device_id, machine_id, points, status,
             rejection, issued_at, created_at, updated_at)
         SELECT p.*, p.at FROM unnest($1::TEXT[], $2::BIGINT[], $3::INT[], $4::TEXT[],
             $5::BIGINT[], $6::TEXT[], $7::TEXT[], $8::BIGINT[], $9::BIGINT[])
             AS p(id, user_id, device_id, machine_id, points, status, rejection,
                  issued_at, at)
         ON CONFLICT (id) DO NOTHING RETURNING id, seq",
        &[
            &new.ids,
            &new.users,
            &new.devices,
            &new.machines,
            &new.points,
            &new.statuses,
            &new.rejections,
            &new.issued,
            &new.at,
        ],
    )?;
    if inserted.len() != new.ids.len() {
        return Err(WriteError::Raced(
            "another transaction wrote one of the codes while this batch decided",
        ));
    }
    let seqs: HashMap<String, i64> = inserted
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    let charges: Vec<ledger::PlayCharge> = new
        .charged
        .iter()
        .map(|&(row, balance_after)| ledger::PlayCharge {
            user: new.users[row],
            points: new.points[row],
            balance_after,
            transaction_seq: seqs[&new.ids[row]],
            at: new.at[row],
        })
        .collect();
    ledger::charge_plays(tx, &charges)?;
    Ok(decisions)
}

/// Decides one play: answered as before if its code was presented (before or
/// earlier in this batch), else checked and, if its player's balance holds it,
/// charged. Every code that reaches the checks gets a row.
fn decide(
    request: &PlayRequest,
    id: String,
    presented: &mut HashMap<String, Presented>,
    balances: &mut HashMap<i64, i64>,
    new: &mut NewPlays,
) -> PlayDecision {
    if let Some(earlier) = presented.get(&id) {
        return earlier.answer(request);
    }
    let bounds = code_bounds(request.issued_at, request.now);
    if bounds == Bounds::Future {
        // From the future whatever it is: no row, so the code works in its time.
        let code = request.rejection.unwrap_or(ErrorCode::CodeFromFuture);
        return PlayDecision::Rejected(code);
    }
    let user = request.user_id.0 as i64;
    let points = request.points.0 as i64;
    let balance = balances.entry(user).or_default();
    let rejection = match request.rejection {
        Some(code) => Some(code),
        None if bounds == Bounds::Past => Some(ErrorCode::CodeExpired),
        None if *balance < points => Some(ErrorCode::InsufficientPoints),
        None => None,
    };
    if rejection.is_none() {
        *balance -= points;
        new.charged.push((new.ids.len(), *balance));
    }
    presented.insert(
        id.clone(),
        Presented {
            machine: request.machine_id.0.clone(),
            user: request.user_id.0,
            points: request.points.0,
            rejection,
        },
    );
    new.ids.push(id);
    new.users.push(user);
    new.devices.push(request.device_id.0 as i32);
    new.machines.push(request.machine_id.0.clone());
    new.points.push(points);
    new.statuses.push(match rejection {
        Some(_) => "rejected",
        None => "pending",
    });
    new.rejections.push(rejection.map(|code| code.as_str()));
    new.issued.push(request.issued_at as i64);
    new.at.push(request.now);
    match rejection {
        Some(code) => PlayDecision::Rejected(code),
        None => PlayDecision::Accepted,
    }
}

fn status_of(text: &str) -> StoreResult<TransactionStatus> {
    TransactionStatus::parse(text).ok_or_else(|| StoreError::Corrupt(format!("status {text}")))
}

impl TransactionStore for PostgresStore {
    fn report_outcome(&self, report: &OutcomeReport) -> StoreResult<OutcomeDecision> {
        self.write(|tx| report_in(tx, report))
    }

    fn refund_stale(&self, cutoff: UnixMillis, now: UnixMillis) -> StoreResult<Vec<TransactionId>> {
        self.write(|tx| {
            let stale = tx.query(
                "SELECT seq, id, user_id, points FROM transactions
                 WHERE status = 'pending' AND created_at <= $1 ORDER BY seq",
                &[&cutoff],
            )?;
            refund_unanswered(tx, &stale, now)
        })
    }

    fn transaction(
        &self,
        id: TransactionId,
        _asked_by: UserId,
    ) -> StoreResult<Option<TransactionRecord>> {
        let row = self.read(|client| {
            client.query_opt(
                "SELECT t.user_id, t.machine_id, m.name, t.points, t.status, t.rejection,
                     t.refund_reason, t.updated_at, m.kind
                 FROM transactions t JOIN machines m ON m.id = t.machine_id
                 WHERE t.id = $1",
                &[&id.to_string()],
            )
        })?;
        row.map(|row| {
            let kind: String = row.get(8);
            let rejection: Option<String> = row.get(5);
            let reason: Option<String> = row.get(6);
            Ok(TransactionRecord {
                id,
                user_id: UserId(unsigned(row.get(0), "a user id")?),
                machine_id: MachineId(row.get(1)),
                machine_name: row.get(2),
                machine_kind: MachineKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("machine kind {kind}")))?,
                points: Points(unsigned(row.get(3), "points")?),
                status: status_of(row.get(4))?,
                rejection: rejection.as_deref().map(ErrorCode::parse),
                refund_reason: reason.as_deref().and_then(RefundReason::parse),
                updated_at: row.get(7),
            })
        })
        .transpose()
    }
}

fn report_in(tx: &mut Transaction<'_>, report: &OutcomeReport) -> WriteResult<OutcomeDecision> {
    let txn_id = report.transaction_id.to_string();
    if let Some(earlier) = tx.query_opt(
        "SELECT transaction_id, outcome, decision FROM webhook_events
         WHERE machine_id = $1 AND event_id = $2",
        &[&report.machine_id.0, &report.event_id],
    )? {
        // The event id is the idempotency key: the first answer belongs to the first
        // report, so it is only ever given to that same report.
        let (earlier_txn, earlier_outcome): (String, String) = (earlier.get(0), earlier.get(1));
        if earlier_txn != txn_id || earlier_outcome != report.outcome.as_str() {
            return Ok(OutcomeDecision::EventIdReused);
        }
        return Ok(OutcomeDecision::from_stored(earlier.get(2))?);
    }
    let Some(row) = tx.query_opt(
        "SELECT seq, machine_id, user_id, points, status FROM transactions WHERE id = $1",
        &[&txn_id],
    )?
    else {
        return Ok(OutcomeDecision::NotFound);
    };
    let (seq, machine, user, points): (i64, String, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    if machine != report.machine_id.0 {
        return Ok(OutcomeDecision::NotYours);
    }
    let decision = match settlement(status_of(row.get(4))?, report.outcome) {
        Settlement::Complete => {
            tx.execute(
                "UPDATE transactions SET status = 'completed', detail = $1, updated_at = $2
                 WHERE seq = $3",
                &[&report.detail, &report.now, &seq],
            )?;
            OutcomeDecision::Settled(TransactionStatus::Completed)
        }
        Settlement::Refund(reason) => {
            let user = UserId(unsigned(user, "a user id")?);
            ledger::refund(
                tx,
                seq,
                report.transaction_id,
                user,
                points,
                reason,
                report.now,
            )?;
            tx.execute(
                "UPDATE transactions SET detail = $1 WHERE seq = $2",
                &[&report.detail, &seq],
            )?;
            OutcomeDecision::Settled(TransactionStatus::Refunded)
        }
        Settlement::Answer(decision) => decision,
    };
    tx.execute(
        "INSERT INTO webhook_events (machine_id, event_id, transaction_id, outcome, decision,
             received_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &report.machine_id.0,
            &report.event_id,
            &txn_id,
            &report.outcome.as_str(),
            &decision.stored_text(),
            &report.now,
        ],
    )?;
    Ok(decision)
}

/// Refunds each pending play of `stale` (rows of seq, id, user, points) that no
/// machine answered in time, inside the open transaction; returns their ids.
pub(super) fn refund_unanswered(
    tx: &mut Transaction<'_>,
    stale: &[Row],
    now: UnixMillis,
) -> WriteResult<Vec<TransactionId>> {
    let mut refunded = Vec::with_capacity(stale.len());
    for row in stale {
        let (seq, id, user, points): (i64, String, i64, i64) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        let id: TransactionId = id
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("transaction id {id}")))?;
        let user = UserId(unsigned(user, "a user id")?);
        ledger::refund(tx, seq, id, user, points, RefundReason::NoOutcome, now)?;
        refunded.push(id);
    }
    Ok(refunded)
}
