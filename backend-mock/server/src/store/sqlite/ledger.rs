//! Balances and the append-only ledger: grants, top-ups (with their stored answers),
//! refunds, and the history read back from it.

use super::*;
use gashapay_core::api::HistoryKind;
use rusqlite::{params, OptionalExtension};

/// Adds `delta` to the balance and appends the matching ledger entry; the CHECK
/// constraints refuse a negative balance, rolling the whole transaction back.
#[allow(clippy::too_many_arguments)]
pub(super) fn post_ledger(
    tx: &rusqlite::Transaction<'_>,
    user: UserId,
    kind: HistoryKind,
    delta: i64,
    label: Option<&str>,
    transaction_seq: Option<i64>,
    top_up_id: Option<&str>,
    now: UnixMillis,
) -> StoreResult<Points> {
    let balance_after = update_balance(tx, user, delta)?;
    let entry = LedgerEntry {
        user,
        kind,
        delta,
        balance_after,
        label,
        transaction_seq,
        top_up_id,
        session_id: None,
        payout_id: None,
        now,
    };
    append_ledger(tx, &entry)?;
    Ok(Points(balance_after as u64))
}

/// [`post_ledger`] for a pay-first session's credit or refund: the entry names the
/// session, and carries the machine's name as its label.
pub(super) fn post_session_ledger(
    tx: &rusqlite::Transaction<'_>,
    user: UserId,
    kind: HistoryKind,
    delta: i64,
    machine_name: &str,
    session_id: &str,
    now: UnixMillis,
) -> StoreResult<Points> {
    let balance_after = update_balance(tx, user, delta)?;
    append_ledger(
        tx,
        &LedgerEntry {
            user,
            kind,
            delta,
            balance_after,
            label: Some(machine_name),
            transaction_seq: None,
            top_up_id: None,
            session_id: Some(session_id),
            payout_id: None,
            now,
        },
    )?;
    Ok(Points(balance_after as u64))
}

/// A reward payout's credit: the entry names the payout, and carries the partner's
/// name as its label.
pub(super) fn post_payout_ledger(
    tx: &rusqlite::Transaction<'_>,
    user: UserId,
    points: Points,
    partner_name: &str,
    payout_id: i64,
    now: UnixMillis,
) -> StoreResult<Points> {
    let delta = points.0 as i64;
    let balance_after = update_balance(tx, user, delta)?;
    append_ledger(
        tx,
        &LedgerEntry {
            user,
            kind: HistoryKind::Reward,
            delta,
            balance_after,
            label: Some(partner_name),
            transaction_seq: None,
            top_up_id: None,
            session_id: None,
            payout_id: Some(payout_id),
            now,
        },
    )?;
    Ok(Points(balance_after as u64))
}

/// The user's balance, read inside a write transaction (so it still holds when the
/// caller deducts).
pub(super) fn balance_in(tx: &rusqlite::Transaction<'_>, user: UserId) -> StoreResult<Points> {
    let balance: i64 = tx
        .query_row(
            "SELECT balance FROM users WHERE id = ?1",
            [user.0 as i64],
            |row| row.get(0),
        )
        .map_err(db)?;
    Ok(Points(balance as u64))
}

fn update_balance(tx: &rusqlite::Transaction<'_>, user: UserId, delta: i64) -> StoreResult<i64> {
    tx.prepare_cached("UPDATE users SET balance = balance + ?1 WHERE id = ?2 RETURNING balance")
        .map_err(db)?
        .query_row(params![delta, user.0 as i64], |row| row.get(0))
        .map_err(db)
}

/// One ledger row, written after its balance change.
struct LedgerEntry<'a> {
    user: UserId,
    kind: HistoryKind,
    delta: i64,
    balance_after: i64,
    label: Option<&'a str>,
    transaction_seq: Option<i64>,
    top_up_id: Option<&'a str>,
    session_id: Option<&'a str>,
    payout_id: Option<i64>,
    now: UnixMillis,
}

/// Appends the entry at the end of the ledger and of its player's chain (the entry
/// names the player's previous one; the player's row names this one).
fn append_ledger(tx: &rusqlite::Transaction<'_>, entry: &LedgerEntry<'_>) -> StoreResult<()> {
    tx.prepare_cached(
        "INSERT INTO ledger (user_id, kind, delta, balance_after, label, transaction_seq,
             top_up_id, session_id, payout_id, created_at, previous_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
             (SELECT last_ledger_id FROM users WHERE id = ?1))",
    )
    .map_err(db)?
    .execute(params![
        entry.user.0 as i64,
        entry.kind.as_str(),
        entry.delta,
        entry.balance_after,
        entry.label,
        entry.transaction_seq,
        entry.top_up_id,
        entry.session_id,
        entry.payout_id,
        entry.now
    ])
    .map_err(db)?;
    tx.prepare_cached("UPDATE users SET last_ledger_id = last_insert_rowid() WHERE id = ?1")
        .map_err(db)?
        .execute([entry.user.0 as i64])
        .map_err(db)?;
    Ok(())
}

pub(super) fn refund(
    tx: &rusqlite::Transaction<'_>,
    seq: i64,
    id: TransactionId,
    user: UserId,
    points: i64,
    reason: RefundReason,
    now: UnixMillis,
) -> StoreResult<()> {
    let changed = tx
        .prepare_cached(
            "UPDATE transactions SET status = 'refunded', refund_reason = ?1, updated_at = ?2
             WHERE seq = ?3 AND status = 'pending'",
        )
        .map_err(db)?
        .execute(params![reason.as_str(), now, seq])
        .map_err(db)?;
    if changed != 1 {
        return Err(StoreError::Corrupt(format!("{id} was not pending")));
    }
    post_ledger(
        tx,
        user,
        HistoryKind::Refund,
        points,
        None,
        Some(seq),
        None,
        now,
    )?;
    Ok(())
}

impl LedgerStore for SqliteStore {
    fn balance(&self, user: UserId) -> StoreResult<Points> {
        let balance: Option<i64> = self.read(|conn| {
            conn.query_row(
                "SELECT balance FROM users WHERE id = ?1",
                [user.0 as i64],
                |row| row.get(0),
            )
            .optional()
        })?;
        Ok(Points(balance.unwrap_or(0) as u64))
    }

    fn history(
        &self,
        user: UserId,
        limit: u32,
        before: Option<i64>,
    ) -> StoreResult<Vec<HistoryRecord>> {
        type Row = (
            i64,
            String,
            i64,
            i64,
            Option<String>,
            Option<String>,
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = self.read(|conn| {
            let newest = newest_before(conn, user, before)?;
            // The player's chain, newest first, `limit` entries long at most.
            let mut statement = conn.prepare_cached(
                "WITH RECURSIVE chain(id, n) AS (
                 SELECT ?1, 1 WHERE ?1 IS NOT NULL AND ?2 > 0
                 UNION ALL
                 SELECT l.previous_id, chain.n + 1 FROM chain JOIN ledger l ON l.id = chain.id
                 WHERE l.previous_id IS NOT NULL AND chain.n < ?2
             )
             SELECT l.id, l.kind, l.delta, l.balance_after, l.label, t.id,
                    l.created_at, m.id, m.name, t.status, t.refund_reason, m.kind
             FROM chain
             JOIN ledger l ON l.id = chain.id
             LEFT JOIN transactions t ON t.seq = l.transaction_seq
             LEFT JOIN machine_sessions s ON s.id = l.session_id
             LEFT JOIN machines m ON m.id = COALESCE(t.machine_id, s.machine_id)
             ORDER BY chain.n",
            )?;
            let rows = statement.query_map(params![newest, limit], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                    row.get(7)?,
                    row.get(8)?,
                    row.get(9)?,
                    row.get(10)?,
                    row.get(11)?,
                ))
            })?;
            rows.collect()
        })?;
        rows.into_iter()
            .map(
                |(
                    id,
                    kind,
                    delta,
                    after,
                    label,
                    txn,
                    at,
                    machine,
                    machine_name,
                    status,
                    reason,
                    machine_kind,
                )| {
                    let kind = HistoryKind::parse(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("ledger kind {kind}")))?;
                    Ok(HistoryRecord {
                        id,
                        kind,
                        label,
                        delta,
                        balance_after: Points(after as u64),
                        at,
                        transaction_id: txn.as_deref().and_then(|t| t.parse().ok()),
                        machine_id: machine.map(MachineId),
                        machine_name,
                        machine_kind: machine_kind.as_deref().and_then(MachineKind::parse),
                        outcome: status.as_deref().and_then(TransactionStatus::parse),
                        refund_reason: reason.as_deref().and_then(RefundReason::parse),
                    })
                },
            )
            .collect()
    }

    fn grant(
        &self,
        user: UserId,
        amount: Points,
        label: &str,
        now: UnixMillis,
    ) -> StoreResult<Points> {
        self.write(|tx| {
            post_ledger(
                tx,
                user,
                HistoryKind::TopUp,
                amount.0 as i64,
                Some(label),
                None,
                None,
                now,
            )
        })
    }

    fn top_up_answer(&self, user: UserId, key: &str) -> StoreResult<Option<StoredTopUp>> {
        let row = self.read(|conn| {
            conn.query_row(
            "SELECT request_hash, answer FROM top_ups WHERE user_id = ?1 AND idempotency_key = ?2",
            params![user.0 as i64, key],
            |row| Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, String>(1)?)),
        )
        .optional()
        })?;
        row.map(|(hash, answer)| StoredTopUp::from_stored(hash, &answer))
            .transpose()
    }

    fn record_top_up(
        &self,
        user: UserId,
        key: &str,
        request_hash: &[u8; 32],
        answer: Result<(String, Points), Refusal>,
        now: UnixMillis,
    ) -> StoreResult<StoredTopUp> {
        self.write(|tx| {
            let earlier: Option<(Vec<u8>, String)> = tx
                .query_row(
                    "SELECT request_hash, answer FROM top_ups WHERE user_id = ?1 AND idempotency_key = ?2",
                    params![user.0 as i64, key],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()
                .map_err(db)?;
            if let Some((hash, answer)) = earlier {
                return StoredTopUp::from_stored(hash, &answer);
            }
            let answer = match answer {
                Ok((top_up_id, amount)) => {
                    let balance = post_ledger(
                        tx,
                        user,
                        HistoryKind::TopUp,
                        amount.0 as i64,
                        Some("Top-up by card"),
                        None,
                        Some(&top_up_id),
                        now,
                    )?;
                    Ok(TopUpRecord {
                        top_up_id,
                        amount,
                        balance,
                    })
                }
                Err(body) => Err(body),
            };
            tx.execute(
                "INSERT INTO top_ups (user_id, idempotency_key, request_hash, answer, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![user.0 as i64, key, request_hash.as_slice(), StoredTopUp::answer_text(&answer), now],
            )
            .map_err(db)?;
            Ok(StoredTopUp {
                request_hash: *request_hash,
                answer,
        })
    })
    }
}

/// The newest of the player's entries older than `before` (the newest of all without
/// it).
fn newest_before(
    conn: &rusqlite::Connection,
    user: UserId,
    before: Option<i64>,
) -> rusqlite::Result<Option<i64>> {
    let newest: Option<i64> = conn
        .query_row(
            "SELECT last_ledger_id FROM users WHERE id = ?1",
            [user.0 as i64],
            |row| row.get(0),
        )
        .optional()?
        .flatten();
    let Some(before) = before else {
        return Ok(newest);
    };
    let previous = |id: i64| -> rusqlite::Result<Option<Option<i64>>> {
        conn.prepare_cached("SELECT previous_id FROM ledger WHERE id = ?1 AND user_id = ?2")?
            .query_row(params![id, user.0 as i64], |row| row.get(0))
            .optional()
    };
    // A page's cursor is the player's own last entry on the page before: one step.
    if let Some(previous) = previous(before)? {
        return Ok(previous);
    }
    // Any other number: walk back from the newest entry.
    let mut at = newest;
    while let Some(id) = at.filter(|&id| id >= before) {
        at = previous(id)?.flatten();
    }
    Ok(at)
}
