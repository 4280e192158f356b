-- The same rules for status and kind, spelled with OR. SQLite checks `x IN (list of
-- three or more)` by building a temporary B-tree of the list for every row it checks:
-- about 3 µs per insert or update, twice per play, a third of the play writer's
-- own work (docs/BENCHMARKS.md). A CHECK cannot be altered in place, so both tables
-- are rebuilt as in version 3.
CREATE TABLE transactions_v4 (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    device_id INTEGER NOT NULL REFERENCES devices(id),
    machine_id TEXT NOT NULL REFERENCES machines(id),
    points INTEGER NOT NULL CHECK (points > 0),
    status TEXT NOT NULL CHECK (status = 'pending' OR status = 'completed'
        OR status = 'refunded' OR status = 'rejected'),
    rejection TEXT,
    refund_reason TEXT,
    detail TEXT,
    issued_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO transactions_v4 (id, user_id, device_id, machine_id, points, status,
    rejection, refund_reason, detail, issued_at, created_at, updated_at)
SELECT id, user_id, device_id, machine_id, points, status,
    rejection, refund_reason, detail, issued_at, created_at, updated_at
FROM transactions;
CREATE TABLE ledger_v4 (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind = 'top_up' OR kind = 'play' OR kind = 'refund'),
    delta INTEGER NOT NULL,
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    label TEXT,
    transaction_id TEXT REFERENCES transactions(id),
    top_up_id TEXT,
    created_at INTEGER NOT NULL
);
INSERT INTO ledger_v4 (id, user_id, kind, delta, balance_after, label, transaction_id,
    top_up_id, created_at)
SELECT id, user_id, kind, delta, balance_after, label, transaction_id, top_up_id, created_at
FROM ledger;
DROP TABLE ledger;
DROP TABLE transactions;
ALTER TABLE transactions_v4 RENAME TO transactions;
ALTER TABLE ledger_v4 RENAME TO ledger;
CREATE INDEX transactions_pending ON transactions(created_at) WHERE status = 'pending';
CREATE INDEX ledger_by_user ON ledger(user_id, id);
CREATE UNIQUE INDEX ledger_top_up ON ledger(top_up_id) WHERE top_up_id IS NOT NULL;
