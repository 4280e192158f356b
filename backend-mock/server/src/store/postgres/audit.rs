//! Every way the money data could be wrong, as sentences: the checks tests and the
//! bench run after they are done, the same as SQLite's where the schemas agree.

use super::*;

/// A query listing what breaks a rule, and the rule's sentence.
const CHECKS: &[(&str, &str)] = &[
    (
        "SELECT u.id FROM users u LEFT JOIN ledger l ON l.user_id = u.id
         GROUP BY u.id HAVING u.balance != COALESCE(SUM(l.delta), 0)",
        "balance differs from the sum of its ledger",
    ),
    (
        "SELECT t.id FROM transactions t
         LEFT JOIN (SELECT transaction_seq, COUNT(*) AS n FROM ledger
                    WHERE kind IN ('play', 'purchase') GROUP BY transaction_seq) d
           ON d.transaction_seq = t.seq
         WHERE t.status != 'rejected' AND COALESCE(d.n, 0) != 1",
        "accepted play not debited exactly once",
    ),
    (
        "SELECT t.id FROM transactions t
         LEFT JOIN (SELECT transaction_seq, COUNT(*) AS n FROM ledger
                    WHERE kind = 'refund' GROUP BY transaction_seq) r
           ON r.transaction_seq = t.seq
         WHERE COALESCE(r.n, 0) != (t.status = 'refunded')::INT",
        "refund entries do not match the status",
    ),
    (
        "SELECT DISTINCT t.id FROM ledger l JOIN transactions t ON t.seq = l.transaction_seq
         WHERE t.status = 'rejected'",
        "rejected play has ledger entries",
    ),
    (
        "SELECT s.id FROM machine_sessions s
         LEFT JOIN (SELECT session_id, COUNT(*) AS n, SUM(delta) AS d FROM ledger
                    WHERE kind = 'machine_credit' GROUP BY session_id) c
           ON c.session_id = s.id
         WHERE COALESCE(c.n, 0) != 1 OR c.d != -s.loaded",
        "session not debited exactly once by its loaded points",
    ),
    (
        "SELECT s.id FROM machine_sessions s
         LEFT JOIN (SELECT session_id, COUNT(*) AS n, SUM(delta) AS d FROM ledger
                    WHERE kind = 'machine_refund' GROUP BY session_id) r
           ON r.session_id = s.id
         WHERE (s.status = 'open' AND (COALESCE(r.n, 0) != 0 OR s.refunded IS NOT NULL))
            OR (s.status = 'ended' AND (s.refunded IS NULL
                OR s.refunded != s.loaded - s.spent
                OR COALESCE(r.d, 0) != s.refunded
                OR COALESCE(r.n, 0) != (s.refunded > 0)::INT))",
        "session refund does not match what was left",
    ),
    (
        "SELECT s.id FROM machine_sessions s
         LEFT JOIN (SELECT session_id, SUM(points) AS p FROM session_purchases
                    GROUP BY session_id) b
           ON b.session_id = s.id
         WHERE s.spent != COALESCE(b.p, 0)",
        "session spent differs from its purchases",
    ),
    (
        "SELECT p.id FROM reward_payouts p
         LEFT JOIN (SELECT payout_id, COUNT(*) AS n, SUM(delta) AS d FROM ledger
                    WHERE kind = 'reward' GROUP BY payout_id) c
           ON c.payout_id = p.id
         WHERE COALESCE(c.n, 0) != 1 OR c.d != p.points",
        "reward payout not credited exactly once",
    ),
    (
        "SELECT s.id FROM reward_sessions s
         LEFT JOIN reward_payouts p ON p.session_id = s.id
         WHERE (s.status = 'open' AND (p.id IS NOT NULL OR s.earned IS NOT NULL))
            OR (s.status = 'ended' AND COALESCE(p.points, 0) != s.earned)",
        "reward session paid otherwise than it earned",
    ),
    (
        "SELECT app_id || ' ' || day FROM reward_payouts p
         GROUP BY app_id, day
         HAVING SUM(points) > (SELECT daily_budget FROM partners WHERE app_id = p.app_id)",
        "partner gave more than its daily budget",
    ),
];

impl PostgresStore {
    /// Every way the money data could be wrong, as sentences; empty when sound: each
    /// balance is the sum of its ledger, each play (or paid order) was debited once
    /// and refunded at most once as its status says, each pay-first session was
    /// debited once and gave back exactly what was left when it ended, each reward
    /// payout was credited once, within its partner's daily budget.
    pub fn audit(&self) -> StoreResult<Vec<String>> {
        self.read(|client| {
            let mut problems = Vec::new();
            for (sql, problem) in CHECKS {
                for row in client.query(&format!("SELECT (q.*)::TEXT FROM ({sql}) q"), &[])? {
                    problems.push(format!("{problem}: {}", row.get::<_, String>(0)));
                }
            }
            Ok(problems)
        })
    }
}
