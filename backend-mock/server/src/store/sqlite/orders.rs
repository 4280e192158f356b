//! Buy-first orders: a paid order becomes a play (a `transactions` row, pending until
//! the machine reports), so outcomes, refunds and status work as for plays; and the
//! sales report of a machine's day.

use super::ledger::{balance_in, post_ledger};
use super::outcomes::{refund_unanswered, Stale};
use super::plays::next_row_number;
use super::recent::Written;
use super::*;
use crate::store::machine_pay::{OrderRecord, PayOrderDecision, PayOrderRequest, SalesRecord};
use gashapay_core::api::HistoryKind;
use rusqlite::{params, Connection, OptionalExtension};

fn order_in(
    conn: &Connection,
    machine: &MachineId,
    order_id: &str,
) -> StoreResult<Option<OrderRecord>> {
    conn.query_row(
        "SELECT o.item, o.amount, o.expires, o.user_id, t.id, t.status
         FROM orders o JOIN transactions t ON t.seq = o.transaction_seq
         WHERE o.machine_id = ?1 AND o.order_id = ?2",
        [&machine.0, order_id],
        |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
            ))
        },
    )
    .optional()
    .map_err(db)?
    .map(|(item, amount, expires, user, transaction, status)| {
        Ok(OrderRecord {
            machine_id: machine.clone(),
            order_id: order_id.to_owned(),
            item,
            amount: Points(amount as u64),
            expires: expires as u64,
            user_id: UserId(user as u64),
            transaction_id: transaction
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("transaction id {transaction}")))?,
            status: TransactionStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?,
        })
    })
    .transpose()
}

impl OrderStore for SqliteStore {
    fn get(&self, machine: &MachineId, order_id: &str) -> StoreResult<Option<OrderRecord>> {
        self.read(|conn| Ok(order_in(conn, machine, order_id)))?
    }

    fn pay(&self, request: &PayOrderRequest) -> StoreResult<PayOrderDecision> {
        let order = &request.order;
        self.write_transactions(|tx, recent, written| {
            if let Some(paid) = order_in(tx, &order.machine_id, &order.order_id)? {
                return Ok(if paid.user_id == request.user_id {
                    PayOrderDecision::Paid(paid)
                } else {
                    PayOrderDecision::TakenByOther
                });
            }
            let machine_live: Option<bool> = tx
                .query_row(
                    "SELECT revoked = 0 FROM machines WHERE id = ?1",
                    [&order.machine_id.0],
                    |row| row.get(0),
                )
                .optional()
                .map_err(db)?;
            if machine_live != Some(true) {
                return Ok(PayOrderDecision::UnknownMachine);
            }
            if balance_in(tx, request.user_id)? < order.amount {
                return Ok(PayOrderDecision::InsufficientPoints);
            }
            // The id is ours, fresh and random: a clash with a remembered one would have to
            // be a bug, and is refused rather than written twice.
            if recent.seq(&request.transaction_id).is_some() {
                return Err(StoreError::Corrupt(format!(
                    "transaction id {} is taken",
                    request.transaction_id
                )));
            }
            let seq = next_row_number(tx, "transactions", "seq")?;
            tx.execute(
                "INSERT INTO transactions (seq, id, user_id, device_id, machine_id, points, status,
                 issued_at, created_at, updated_at, user_previous)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8, ?8,
                 (SELECT last_transaction FROM users WHERE id = ?3))",
                params![
                    seq,
                    request.transaction_id.to_string(),
                    request.user_id.0 as i64,
                    request.device_id.0,
                    order.machine_id.0,
                    order.amount.0 as i64,
                    request.now / 1000,
                    request.now
                ],
            )
            .map_err(db)?;
            tx.execute(
                "UPDATE users SET last_transaction = ?1 WHERE id = ?2",
                params![seq, request.user_id.0 as i64],
            )
            .map_err(db)?;
            written.push(Written {
                id: request.transaction_id,
                seq,
                at: request.now,
            });
            tx.execute(
                "INSERT INTO orders (machine_id, order_id, transaction_seq, user_id, item, amount,
                 expires, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    order.machine_id.0,
                    order.order_id,
                    seq,
                    request.user_id.0 as i64,
                    order.item,
                    order.amount.0 as i64,
                    order.expires as i64,
                    request.now
                ],
            )
            .map_err(db)?;
            post_ledger(
                tx,
                request.user_id,
                HistoryKind::Purchase,
                -(order.amount.0 as i64),
                Some(&order.item),
                Some(seq),
                None,
                request.now,
            )?;
            let paid = order_in(tx, &order.machine_id, &order.order_id)?
                .ok_or_else(|| StoreError::Corrupt(format!("order {}", order.order_id)))?;
            Ok(PayOrderDecision::Paid(paid))
        })
    }

    fn refund_stale(
        &self,
        after: UnixMillis,
        cutoff: UnixMillis,
        now: UnixMillis,
    ) -> StoreResult<Vec<TransactionId>> {
        self.write(|tx| {
            // The orders of the window, by time, each with its transaction. Not the other
            // way round: pending plays are many (each awaits its machine's report for
            // seconds to minutes), and a walk over them would hold the writer's
            // connection every sweep.
            let stale: Vec<Stale> = {
                let mut statement = tx
                    .prepare_cached(
                        "SELECT t.seq, t.id, t.user_id, t.points FROM orders o
                     CROSS JOIN transactions t ON t.seq = o.transaction_seq
                     WHERE o.created_at > ?1 AND o.created_at <= ?2 AND t.status = 'pending'",
                    )
                    .map_err(db)?;
                let rows = statement
                    .query_map([after, cutoff], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
                    })
                    .map_err(db)?;
                rows.collect::<rusqlite::Result<_>>().map_err(db)?
            };
            refund_unanswered(tx, stale, now)
        })
    }

    fn sales(
        &self,
        machine: &MachineId,
        from: UnixMillis,
        to: UnixMillis,
    ) -> StoreResult<SalesRecord> {
        self.read(|conn| {
            let (sessions, session_taken, session_refunded): (i64, i64, i64) = conn.query_row(
                "SELECT COUNT(*), COALESCE(SUM(loaded), 0), COALESCE(SUM(refunded), 0)
             FROM machine_sessions
             WHERE machine_id = ?1 AND created_at >= ?2 AND created_at < ?3",
                params![machine.0, from, to],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )?;
            let (orders, order_taken, order_refunded): (i64, i64, i64) = conn.query_row(
                "SELECT COUNT(*), COALESCE(SUM(o.amount), 0),
                    COALESCE(SUM(CASE WHEN t.status = 'refunded' THEN o.amount ELSE 0 END), 0)
             FROM orders o JOIN transactions t ON t.seq = o.transaction_seq
             WHERE o.machine_id = ?1 AND o.created_at >= ?2 AND o.created_at < ?3",
                params![machine.0, from, to],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )?;
            // What was sold: purchases in sessions of the day, and orders not refunded.
            let mut statement = conn.prepare(
                "SELECT item, COUNT(*) AS n, SUM(points) FROM (
                 SELECT p.item, p.points FROM session_purchases p
                 JOIN machine_sessions s ON s.id = p.session_id
                 WHERE s.machine_id = ?1 AND s.created_at >= ?2 AND s.created_at < ?3
                 UNION ALL
                 SELECT o.item, o.amount FROM orders o
                 JOIN transactions t ON t.seq = o.transaction_seq
                 WHERE o.machine_id = ?1 AND o.created_at >= ?2 AND o.created_at < ?3
                   AND t.status != 'refunded')
             GROUP BY item ORDER BY n DESC, SUM(points) DESC, item LIMIT 5",
            )?;
            let top_items = statement
                .query_map(params![machine.0, from, to], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, i64>(1)? as u64,
                        Points(row.get::<_, i64>(2)? as u64),
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(SalesRecord {
                sessions: sessions as u64,
                orders: orders as u64,
                points_taken: Points((session_taken + order_taken) as u64),
                points_refunded: Points((session_refunded + order_refunded) as u64),
                top_items,
            })
        })
    }
}
