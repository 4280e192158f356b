//! Balances and the append-only ledger: grants, top-ups (with their stored answers),
//! refunds, and the history read back from it.

use super::*;
use gashapay_core::api::HistoryKind;

/// One ledger row, written with its balance change. Exactly one of the references
/// (play, top-up, machine session, payout) names what it belongs to, or none (a grant).
#[derive(Default)]
pub(super) struct Entry<'a> {
    pub label: Option<&'a str>,
    pub transaction_seq: Option<i64>,
    pub top_up_id: Option<&'a str>,
    pub session_id: Option<&'a str>,
    pub payout_id: Option<i64>,
}

/// Adds `delta` to the balance and appends the matching ledger entry; the CHECK
/// constraints refuse a negative balance, rolling the whole transaction back.
pub(super) fn post(
    tx: &mut Transaction<'_>,
    user: UserId,
    kind: HistoryKind,
    delta: i64,
    entry: &Entry<'_>,
    now: UnixMillis,
) -> WriteResult<Points> {
    let balance_after: i64 = tx
        .query_one(
            "UPDATE users SET balance = balance + $1 WHERE id = $2 RETURNING balance",
            &[&delta, &(user.0 as i64)],
        )?
        .get(0);
    tx.execute(
        "INSERT INTO ledger (user_id, kind, delta, balance_after, label, transaction_seq,
             top_up_id, session_id, payout_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &(user.0 as i64),
            &kind.as_str(),
            &delta,
            &balance_after,
            &entry.label,
            &entry.transaction_seq,
            &entry.top_up_id,
            &entry.session_id,
            &entry.payout_id,
            &now,
        ],
    )?;
    Ok(Points(unsigned(balance_after, "a balance")?))
}

/// An accepted play of a batch, to be taken from its player's balance.
pub(super) struct PlayCharge {
    pub user: i64,
    pub points: i64,
    pub balance_after: i64,
    pub transaction_seq: i64,
    pub at: UnixMillis,
}

/// Takes a batch's accepted plays from their players' balances (one UPDATE) and
/// appends their ledger entries (one INSERT). The caller holds the players' rows and
/// decided on them, so each `balance_after` is what the UPDATE leaves; the CHECK still
/// refuses a balance below zero.
pub(super) fn charge_plays(tx: &mut Transaction<'_>, charges: &[PlayCharge]) -> WriteResult<()> {
    if charges.is_empty() {
        return Ok(());
    }
    let mut taken: std::collections::BTreeMap<i64, i64> = Default::default();
    for charge in charges {
        *taken.entry(charge.user).or_default() += charge.points;
    }
    let (users, points): (Vec<i64>, Vec<i64>) = taken.into_iter().unzip();
    tx.execute(
        "UPDATE users u SET balance = u.balance - t.points
         FROM unnest($1::BIGINT[], $2::BIGINT[]) AS t(id, points) WHERE u.id = t.id",
        &[&users, &points],
    )?;
    let column = |f: fn(&PlayCharge) -> i64| charges.iter().map(f).collect::<Vec<i64>>();
    tx.execute(
        "INSERT INTO ledger (user_id, kind, delta, balance_after, transaction_seq, created_at)
         SELECT e.user_id, $6, -e.points, e.balance_after, e.seq, e.at
         FROM unnest($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[])
             AS e(user_id, points, balance_after, seq, at)",
        &[
            &column(|c| c.user),
            &column(|c| c.points),
            &column(|c| c.balance_after),
            &column(|c| c.transaction_seq),
            &column(|c| c.at),
            &HistoryKind::Play.as_str(),
        ],
    )?;
    Ok(())
}

/// The user's balance, read inside a write transaction.
pub(super) fn balance_in(tx: &mut Transaction<'_>, user: UserId) -> WriteResult<Points> {
    let balance: i64 = tx
        .query_one(
            "SELECT balance FROM users WHERE id = $1",
            &[&(user.0 as i64)],
        )?
        .get(0);
    Ok(Points(unsigned(balance, "a balance")?))
}

/// Refunds a pending play: its status moves once, and its refund's ledger row is
/// unique per play (`ledger_transaction`), so no play is refunded twice.
pub(super) fn refund(
    tx: &mut Transaction<'_>,
    seq: i64,
    id: TransactionId,
    user: UserId,
    points: i64,
    reason: RefundReason,
    now: UnixMillis,
) -> WriteResult<()> {
    let changed = tx.execute(
        "UPDATE transactions SET status = 'refunded', refund_reason = $1, updated_at = $2
         WHERE seq = $3 AND status = 'pending'",
        &[&reason.as_str(), &now, &seq],
    )?;
    if changed != 1 {
        return Err(StoreError::Corrupt(format!("{id} was not pending")).into());
    }
    let entry = Entry {
        transaction_seq: Some(seq),
        ..Entry::default()
    };
    post(tx, user, HistoryKind::Refund, points, &entry, now)?;
    Ok(())
}

const TOP_UP_ANSWER: &str =
    "SELECT request_hash, answer FROM top_ups WHERE user_id = $1 AND idempotency_key = $2";

impl LedgerStore for PostgresStore {
    fn balance(&self, user: UserId) -> StoreResult<Points> {
        let row = self.read(|client| {
            client.query_opt(
                "SELECT balance FROM users WHERE id = $1",
                &[&(user.0 as i64)],
            )
        })?;
        match row {
            Some(row) => Ok(Points(unsigned(row.get(0), "a balance")?)),
            None => Ok(Points(0)),
        }
    }

    fn history(
        &self,
        user: UserId,
        limit: u32,
        before: Option<i64>,
    ) -> StoreResult<Vec<HistoryRecord>> {
        let rows = self.read(|client| {
            client.query(
                "SELECT l.id, l.kind, l.delta, l.balance_after, l.label, t.id,
                        l.created_at, m.id, m.name, t.status, t.refund_reason, m.kind
                 FROM ledger l
                 LEFT JOIN transactions t ON t.seq = l.transaction_seq
                 LEFT JOIN machine_sessions s ON s.id = l.session_id
                 LEFT JOIN machines m ON m.id = COALESCE(t.machine_id, s.machine_id)
                 WHERE l.user_id = $1 AND ($2::BIGINT IS NULL OR l.id < $2)
                 ORDER BY l.id DESC LIMIT $3",
                &[&(user.0 as i64), &before, &i64::from(limit)],
            )
        })?;
        rows.iter()
            .map(|row| {
                let kind: String = row.get(1);
                let kind = HistoryKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("ledger kind {kind}")))?;
                let txn: Option<String> = row.get(5);
                let status: Option<String> = row.get(9);
                let reason: Option<String> = row.get(10);
                let machine_kind: Option<String> = row.get(11);
                Ok(HistoryRecord {
                    id: row.get(0),
                    kind,
                    label: row.get(4),
                    delta: row.get(2),
                    balance_after: Points(unsigned(row.get(3), "a balance")?),
                    at: row.get(6),
                    transaction_id: txn.as_deref().and_then(|t| t.parse().ok()),
                    machine_id: row.get::<_, Option<String>>(7).map(MachineId),
                    machine_name: row.get(8),
                    machine_kind: machine_kind.as_deref().and_then(MachineKind::parse),
                    outcome: status.as_deref().and_then(TransactionStatus::parse),
                    refund_reason: reason.as_deref().and_then(RefundReason::parse),
                })
            })
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
            let entry = Entry {
                label: Some(label),
                ..Entry::default()
            };
            post(tx, user, HistoryKind::TopUp, amount.0 as i64, &entry, now)
        })
    }

    fn top_up_answer(&self, user: UserId, key: &str) -> StoreResult<Option<StoredTopUp>> {
        let row = self.read(|client| client.query_opt(TOP_UP_ANSWER, &[&(user.0 as i64), &key]))?;
        row.map(|row| StoredTopUp::from_stored(row.get(0), row.get(1)))
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
            if let Some(earlier) = tx.query_opt(TOP_UP_ANSWER, &[&(user.0 as i64), &key])? {
                return Ok(StoredTopUp::from_stored(earlier.get(0), earlier.get(1))?);
            }
            let answer = match answer.clone() {
                Ok((top_up_id, amount)) => {
                    let entry = Entry {
                        label: Some("Top-up by card"),
                        top_up_id: Some(&top_up_id),
                        ..Entry::default()
                    };
                    let balance = post(tx, user, HistoryKind::TopUp, amount.0 as i64, &entry, now)?;
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
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &(user.0 as i64),
                    &key,
                    &request_hash.as_slice(),
                    &StoredTopUp::answer_text(&answer),
                    &now,
                ],
            )?;
            Ok(StoredTopUp {
                request_hash: *request_hash,
                answer,
            })
        })
    }
}
