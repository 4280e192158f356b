//! The play path and what becomes of a play: one-time use is the transactions table's
//! primary key, the deduction is the balance's CHECK, a machine's report is keyed by
//! its event id, and the sweeper's refunds move only plays still pending. Each play is
//! its own SERIALIZABLE transaction, so instances presenting one code at once charge
//! it once: the second to commit is aborted, runs again, and finds the first's row.

use super::ledger::{self, Entry};
use super::*;
use ::postgres::Row;
use gashapay_core::api::HistoryKind;

impl PlayStore for PostgresStore {
    fn play(&self, request: &PlayRequest) -> StoreResult<PlayDecision> {
        self.write(|tx| play_in(tx, request))
    }
}

/// Decides and writes one play inside `tx`.
fn play_in(tx: &mut Transaction<'_>, request: &PlayRequest) -> WriteResult<PlayDecision> {
    let id = request.transaction_id.to_string();
    if let Some(earlier) = tx.query_opt(
        "SELECT machine_id, user_id, points, rejection FROM transactions WHERE id = $1",
        &[&id],
    )? {
        return Ok(earlier_answer(&earlier, request));
    }
    let issued = i64::try_from(request.issued_at)
        .ok()
        .and_then(|secs| secs.checked_mul(1000))
        .unwrap_or(i64::MAX);
    if issued > request.now.saturating_add(CODE_FUTURE) {
        // From the future whatever it is: no row, so the code works in its time.
        let code = request.rejection.unwrap_or(ErrorCode::CodeFromFuture);
        return Ok(PlayDecision::Rejected(code));
    }
    let points = request.points.0 as i64;
    let rejection = match request.rejection {
        Some(code) => Some(code),
        None if issued < request.now.saturating_sub(CODE_PAST) => Some(ErrorCode::CodeExpired),
        None if ledger::balance_in(tx, request.user_id)?.0 as i64 >= points => None,
        None => Some(ErrorCode::InsufficientPoints),
    };
    let status = match rejection {
        Some(_) => "rejected",
        None => "pending",
    };
    let seq: i64 = tx
        .query_one(
            "INSERT INTO transactions (id, user_id, device_id, machine_id, points, status,
                 rejection, issued_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING seq",
            &[
                &id,
                &(request.user_id.0 as i64),
                &(request.device_id.0 as i32),
                &request.machine_id.0,
                &points,
                &status,
                &rejection.map(|code| code.as_str()),
                &(request.issued_at as i64),
                &request.now,
            ],
        )?
        .get(0);
    if let Some(code) = rejection {
        return Ok(PlayDecision::Rejected(code));
    }
    let entry = Entry {
        transaction_seq: Some(seq),
        ..Entry::default()
    };
    ledger::post(
        tx,
        request.user_id,
        HistoryKind::Play,
        -points,
        &entry,
        request.now,
    )?;
    Ok(PlayDecision::Accepted)
}

/// The code was presented before: the same machine asking again (it lost our answer)
/// hears the same answer; anyone else hears "already used".
fn earlier_answer(earlier: &Row, request: &PlayRequest) -> PlayDecision {
    let (machine, user, points): (String, i64, i64) =
        (earlier.get(0), earlier.get(1), earlier.get(2));
    let same = machine == request.machine_id.0
        && user == request.user_id.0 as i64
        && points == request.points.0 as i64;
    if !same {
        return PlayDecision::AlreadyUsed;
    }
    match earlier.get::<_, Option<String>>(3) {
        Some(code) => PlayDecision::Rejected(ErrorCode::parse(&code)),
        None => PlayDecision::Accepted,
    }
}

fn decision_text(decision: OutcomeDecision) -> String {
    match decision {
        OutcomeDecision::Settled(status) => format!("settled:{}", status.as_str()),
        OutcomeDecision::Conflict(status) => format!("conflict:{}", status.as_str()),
        OutcomeDecision::NotFound => "not_found".into(),
        OutcomeDecision::NotYours => "not_yours".into(),
        // Never stored: a reused id records nothing.
        OutcomeDecision::EventIdReused => "event_id_reused".into(),
    }
}

fn parse_decision(text: &str) -> StoreResult<OutcomeDecision> {
    let status = |s: &str| {
        TransactionStatus::parse(s)
            .ok_or_else(|| StoreError::Corrupt(format!("bad decision {text}")))
    };
    match text.split_once(':') {
        Some(("settled", s)) => Ok(OutcomeDecision::Settled(status(s)?)),
        Some(("conflict", s)) => Ok(OutcomeDecision::Conflict(status(s)?)),
        _ if text == "not_found" => Ok(OutcomeDecision::NotFound),
        _ if text == "not_yours" => Ok(OutcomeDecision::NotYours),
        _ => Err(StoreError::Corrupt(format!("bad decision {text}"))),
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
        return Ok(parse_decision(earlier.get(2))?);
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
    use DispenseOutcome::*;
    use TransactionStatus::*;
    let decision = match (status_of(row.get(4))?, report.outcome) {
        (Pending, Dispensed) => {
            tx.execute(
                "UPDATE transactions SET status = 'completed', detail = $1, updated_at = $2
                 WHERE seq = $3",
                &[&report.detail, &report.now, &seq],
            )?;
            OutcomeDecision::Settled(Completed)
        }
        (Pending, outcome @ (Failed | Cancelled)) => {
            let reason = match outcome {
                Cancelled => RefundReason::Cancelled,
                _ => RefundReason::DispenseFailed,
            };
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
            OutcomeDecision::Settled(Refunded)
        }
        (Completed, Dispensed) => OutcomeDecision::Settled(Completed),
        (Refunded, Failed | Cancelled) => OutcomeDecision::Settled(Refunded),
        (other, _) => OutcomeDecision::Conflict(other),
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
            &decision_text(decision),
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
