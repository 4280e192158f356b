//! Buy-first orders: a paid order becomes a play (a `transactions` row, pending until
//! the machine reports), so outcomes, refunds and status work as for plays; and the
//! sales report of a machine's day. An order is paid once: its key is the orders
//! table's primary key.

use super::ledger::{self, Entry};
use super::plays::refund_unanswered;
use super::*;
use ::postgres::GenericClient;
use gashapay_core::api::HistoryKind;

fn order_in(
    client: &mut impl GenericClient,
    machine: &MachineId,
    order_id: &str,
) -> WriteResult<Option<OrderRecord>> {
    let row = client.query_opt(
        "SELECT o.item, o.amount, o.expires, o.user_id, t.id, t.status
         FROM orders o JOIN transactions t ON t.seq = o.transaction_seq
         WHERE o.machine_id = $1 AND o.order_id = $2",
        &[&machine.0, &order_id],
    )?;
    let Some(row) = row else {
        return Ok(None);
    };
    let transaction: String = row.get(4);
    let status: String = row.get(5);
    Ok(Some(OrderRecord {
        machine_id: machine.clone(),
        order_id: order_id.to_owned(),
        item: row.get(0),
        amount: Points(unsigned(row.get(1), "an order's amount")?),
        expires: unsigned(row.get(2), "an order's expiry")?,
        user_id: UserId(unsigned(row.get(3), "a user id")?),
        transaction_id: transaction
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("transaction id {transaction}")))?,
        status: TransactionStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?,
    }))
}

impl OrderStore for PostgresStore {
    fn get(&self, machine: &MachineId, order_id: &str) -> StoreResult<Option<OrderRecord>> {
        self.read_checked(|client| order_in(client, machine, order_id))
    }

    fn pay(&self, request: &PayOrderRequest) -> StoreResult<PayOrderDecision> {
        let order = &request.order;
        self.write(|tx| {
            if let Some(paid) = order_in(tx, &order.machine_id, &order.order_id)? {
                return Ok(if paid.user_id == request.user_id {
                    PayOrderDecision::Paid(paid)
                } else {
                    PayOrderDecision::TakenByOther
                });
            }
            let machine_live: Option<bool> = tx
                .query_opt(
                    "SELECT NOT revoked FROM machines WHERE id = $1",
                    &[&order.machine_id.0],
                )?
                .map(|row| row.get(0));
            if machine_live != Some(true) {
                return Ok(PayOrderDecision::UnknownMachine);
            }
            if ledger::balance_in(tx, request.user_id)? < order.amount {
                return Ok(PayOrderDecision::InsufficientPoints);
            }
            // The id is ours, fresh and random: a clash is the primary key's refusal,
            // never a second row.
            let seq: i64 = tx
                .query_one(
                    "INSERT INTO transactions (id, user_id, device_id, machine_id, points, status,
                         issued_at, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $7) RETURNING seq",
                    &[
                        &request.transaction_id.to_string(),
                        &(request.user_id.0 as i64),
                        &(request.device_id.0 as i32),
                        &order.machine_id.0,
                        &(order.amount.0 as i64),
                        &(request.now / 1000),
                        &request.now,
                    ],
                )?
                .get(0);
            tx.execute(
                "INSERT INTO orders (machine_id, order_id, transaction_seq, user_id, item, amount,
                     expires, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    &order.machine_id.0,
                    &order.order_id,
                    &seq,
                    &(request.user_id.0 as i64),
                    &order.item,
                    &(order.amount.0 as i64),
                    &(order.expires as i64),
                    &request.now,
                ],
            )?;
            let entry = Entry {
                label: Some(&order.item),
                transaction_seq: Some(seq),
                ..Entry::default()
            };
            let amount = order.amount.0 as i64;
            ledger::post(
                tx,
                request.user_id,
                HistoryKind::Purchase,
                -amount,
                &entry,
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
            let stale = tx.query(
                "SELECT t.seq, t.id, t.user_id, t.points FROM orders o
                 JOIN transactions t ON t.seq = o.transaction_seq
                 WHERE o.created_at > $1 AND o.created_at <= $2 AND t.status = 'pending'
                 ORDER BY t.seq",
                &[&after, &cutoff],
            )?;
            refund_unanswered(tx, &stale, now)
        })
    }

    fn sales(
        &self,
        machine: &MachineId,
        from: UnixMillis,
        to: UnixMillis,
    ) -> StoreResult<SalesRecord> {
        self.read_checked(|client| {
            let sessions = client.query_one(
                "SELECT COUNT(*), COALESCE(SUM(loaded), 0)::BIGINT,
                     COALESCE(SUM(refunded), 0)::BIGINT
                 FROM machine_sessions
                 WHERE machine_id = $1 AND created_at >= $2 AND created_at < $3",
                &[&machine.0, &from, &to],
            )?;
            let orders = client.query_one(
                "SELECT COUNT(*), COALESCE(SUM(o.amount), 0)::BIGINT,
                     COALESCE(SUM(CASE WHEN t.status = 'refunded' THEN o.amount ELSE 0 END),
                         0)::BIGINT
                 FROM orders o JOIN transactions t ON t.seq = o.transaction_seq
                 WHERE o.machine_id = $1 AND o.created_at >= $2 AND o.created_at < $3",
                &[&machine.0, &from, &to],
            )?;
            // What was sold: purchases in sessions of the day, and orders not refunded.
            let items = client.query(
                "SELECT item, COUNT(*) AS n, SUM(points)::BIGINT FROM (
                     SELECT p.item, p.points FROM session_purchases p
                     JOIN machine_sessions s ON s.id = p.session_id
                     WHERE s.machine_id = $1 AND s.created_at >= $2 AND s.created_at < $3
                     UNION ALL
                     SELECT o.item, o.amount FROM orders o
                     JOIN transactions t ON t.seq = o.transaction_seq
                     WHERE o.machine_id = $1 AND o.created_at >= $2 AND o.created_at < $3
                       AND t.status != 'refunded') AS sold (item, points)
                 GROUP BY item ORDER BY n DESC, SUM(points) DESC, item LIMIT 5",
                &[&machine.0, &from, &to],
            )?;
            let top_items = items
                .iter()
                .map(|row| {
                    Ok((
                        row.get::<_, String>(0),
                        unsigned(row.get(1), "a count")?,
                        Points(unsigned(row.get(2), "points sold")?),
                    ))
                })
                .collect::<StoreResult<Vec<_>>>()?;
            let total = |a: i64, b: i64, what: &str| unsigned(a + b, what).map(Points);
            Ok(SalesRecord {
                sessions: unsigned(sessions.get(0), "a count")?,
                orders: unsigned(orders.get(0), "a count")?,
                points_taken: total(sessions.get(1), orders.get(1), "points taken")?,
                points_refunded: total(sessions.get(2), orders.get(2), "points refunded")?,
                top_items,
            })
        })
    }
}
