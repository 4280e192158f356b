-- Fewer B-trees on the play path, whose cost per play is group commit's throughput
-- (docs/BENCHMARKS.md). Each play inserted into nine B-trees; now five:
-- * transactions is keyed by its id alone (WITHOUT ROWID): no separate index for the
--   primary key beside the table;
-- * the ledger drops AUTOINCREMENT (its bookkeeping row was a write per entry; rows
--   are never deleted, so ids are never reused anyway);
-- * UNIQUE (transaction_id, kind) goes: a play's debit is written only by the insert
--   that claims its id (the transactions primary key), and a refund only by the
--   update that moves it out of pending; the audit checks both;
-- * top_up_id stays unique, but only top-ups have one, so the index holds only them.
CREATE TABLE transactions_v3 (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    device_id INTEGER NOT NULL REFERENCES devices(id),
    machine_id TEXT NOT NULL REFERENCES machines(id),
    points INTEGER NOT NULL CHECK (points > 0),
    status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'refunded', 'rejected')),
    rejection TEXT,
    refund_reason TEXT,
    detail TEXT,
    issued_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO transactions_v3 (id, user_id, device_id, machine_id, points, status,
    rejection, refund_reason, detail, issued_at, created_at, updated_at)
SELECT id, user_id, device_id, machine_id, points, status,
    rejection, refund_reason, detail, issued_at, created_at, updated_at
FROM transactions;
CREATE TABLE ledger_v3 (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('top_up', 'play', 'refund')),
    delta INTEGER NOT NULL,
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    label TEXT,
    transaction_id TEXT REFERENCES transactions(id),
    top_up_id TEXT,
    created_at INTEGER NOT NULL
);
INSERT INTO ledger_v3 (id, user_id, kind, delta, balance_after, label, transaction_id,
    top_up_id, created_at)
SELECT id, user_id, kind, delta, balance_after, label, transaction_id, top_up_id, created_at
FROM ledger;
DROP TABLE ledger;
DROP TABLE transactions;
ALTER TABLE transactions_v3 RENAME TO transactions;
ALTER TABLE ledger_v3 RENAME TO ledger;
CREATE INDEX transactions_pending ON transactions(created_at) WHERE status = 'pending';
CREATE INDEX ledger_by_user ON ledger(user_id, id);
CREATE UNIQUE INDEX ledger_top_up ON ledger(top_up_id) WHERE top_up_id IS NOT NULL;
