//! What machines report: dispensed or failed (settling or refunding the play once,
//! keyed by webhook event id), the sweeper's refunds, and a transaction's status.

use super::ledger::refund;
use super::recent::along_chain;
use super::*;
use rusqlite::{params, OptionalExtension};

impl TransactionStore for SqliteStore {
    fn report_outcome(&self, report: &OutcomeReport) -> StoreResult<OutcomeDecision> {
        self.write(|tx| {
            let txn_id = report.transaction_id.to_string();
            let earlier: Option<(String, String, String)> = tx
                .query_row(
                    "SELECT transaction_id, outcome, decision FROM webhook_events
                     WHERE machine_id = ?1 AND event_id = ?2",
                    [&report.machine_id.0, &report.event_id],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()
                .map_err(db)?;
            if let Some((earlier_txn, earlier_outcome, decision)) = earlier {
                // The event id is the idempotency key: the first answer belongs to
                // the first report, so it is only ever given to that same report.
                if earlier_txn != txn_id || earlier_outcome != report.outcome.as_str() {
                    return Ok(OutcomeDecision::EventIdReused);
                }
                return OutcomeDecision::from_stored(&decision);
            }
            // Reports come within the outcome timeout, far shorter than the time a
            // transaction is remembered by its id.
            let Some(seq) = self.recent().seq(&report.transaction_id) else {
                return Ok(OutcomeDecision::NotFound);
            };
            let Some((machine, user, points, status)) = tx
                .query_row(
                    "SELECT machine_id, user_id, points, status FROM transactions WHERE seq = ?1",
                    [seq],
                    |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, i64>(1)?,
                            row.get::<_, i64>(2)?,
                            row.get::<_, String>(3)?,
                        ))
                    },
                )
                .optional()
                .map_err(db)?
            else {
                return Ok(OutcomeDecision::NotFound);
            };
            if machine != report.machine_id.0 {
                return Ok(OutcomeDecision::NotYours);
            }
            let status = TransactionStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?;
            let decision = match settlement(status, report.outcome) {
                Settlement::Complete => {
                    tx.execute(
                        "UPDATE transactions SET status = 'completed', detail = ?1, updated_at = ?2
                         WHERE seq = ?3",
                        params![report.detail, report.now, seq],
                    )
                    .map_err(db)?;
                    OutcomeDecision::Settled(TransactionStatus::Completed)
                }
                Settlement::Refund(reason) => {
                    refund(
                        tx,
                        seq,
                        report.transaction_id,
                        UserId(user as u64),
                        points,
                        reason,
                        report.now,
                    )?;
                    tx.execute(
                        "UPDATE transactions SET detail = ?1 WHERE seq = ?2",
                        params![report.detail, seq],
                    )
                    .map_err(db)?;
                    OutcomeDecision::Settled(TransactionStatus::Refunded)
                }
                Settlement::Answer(decision) => decision,
            };
            tx.execute(
                "INSERT INTO webhook_events (machine_id, event_id, transaction_id, outcome, decision, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    report.machine_id.0,
                    report.event_id,
                    txn_id,
                    report.outcome.as_str(),
                    decision.stored_text(),
                    report.now
                ],
            )
            .map_err(db)?;
            Ok(decision)
        })
    }

    fn refund_stale(&self, cutoff: UnixMillis, now: UnixMillis) -> StoreResult<Vec<TransactionId>> {
        self.write(|tx| {
            let stale: Vec<Stale> = {
                let mut statement = tx
                    .prepare_cached(
                        "SELECT seq, id, user_id, points FROM transactions
                         WHERE status = 'pending' AND created_at <= ?1",
                    )
                    .map_err(db)?;
                let rows = statement
                    .query_map([cutoff], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
                    })
                    .map_err(db)?;
                rows.collect::<rusqlite::Result<_>>().map_err(db)?
            };
            refund_unanswered(tx, stale, now)
        })
    }

    fn transaction(
        &self,
        id: TransactionId,
        asked_by: UserId,
    ) -> StoreResult<Option<TransactionRecord>> {
        let recent = self.recent().seq(&id);
        let row = self.read(|conn| {
            let Some(seq) =
                recent.map_or_else(|| along_chain(conn, id, asked_by), |s| Ok(Some(s)))?
            else {
                return Ok(None);
            };
            conn.query_row(
                "SELECT t.user_id, t.machine_id, m.name, t.points, t.status, t.rejection,
                    t.refund_reason, t.updated_at, m.kind
             FROM transactions t JOIN machines m ON m.id = t.machine_id
             WHERE t.seq = ?1",
                [seq],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, i64>(3)?,
                        row.get::<_, String>(4)?,
                        row.get::<_, Option<String>>(5)?,
                        row.get::<_, Option<String>>(6)?,
                        row.get::<_, i64>(7)?,
                        row.get::<_, String>(8)?,
                    ))
                },
            )
            .optional()
        })?;
        row.map(
            |(user, machine, machine_name, points, status, rejection, reason, updated, kind)| {
                Ok(TransactionRecord {
                    id,
                    user_id: UserId(user as u64),
                    machine_id: MachineId(machine),
                    machine_name,
                    machine_kind: MachineKind::parse(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("machine kind {kind}")))?,
                    points: Points(points as u64),
                    status: TransactionStatus::parse(&status)
                        .ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?,
                    rejection: rejection.as_deref().map(ErrorCode::parse),
                    refund_reason: reason.as_deref().and_then(RefundReason::parse),
                    updated_at: updated,
                })
            },
        )
        .transpose()
    }
}

/// A pending play's row number, id, player and points.
pub(super) type Stale = (i64, String, i64, i64);

/// Refunds each pending play of `stale` that no machine answered in time
/// (`no_outcome`), inside the open transaction; returns their ids.
pub(super) fn refund_unanswered(
    tx: &rusqlite::Transaction<'_>,
    stale: Vec<Stale>,
    now: UnixMillis,
) -> StoreResult<Vec<TransactionId>> {
    let mut refunded = Vec::with_capacity(stale.len());
    for (seq, id, user, points) in stale {
        let id: TransactionId = id
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("transaction id {id}")))?;
        refund(
            tx,
            seq,
            id,
            UserId(user as u64),
            points,
            RefundReason::NoOutcome,
            now,
        )?;
        refunded.push(id);
    }
    Ok(refunded)
}
