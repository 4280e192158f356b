-- The machine shows the code (PROTOCOL §10): printed codes, pay-first sessions with
-- their purchases, and buy-first orders (each paid order is a play in transactions,
-- so outcomes, refunds and status work as for plays). The ledger gains three kinds
-- and a session reference; a CHECK cannot be altered in place, so it is rebuilt as
-- in version 4.
CREATE TABLE machine_codes (
    id TEXT PRIMARY KEY,
    machine_id TEXT NOT NULL REFERENCES machines(id),
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE machine_sessions (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    machine_id TEXT NOT NULL REFERENCES machines(id),
    code_id TEXT NOT NULL REFERENCES machine_codes(id),
    loaded INTEGER NOT NULL CHECK (loaded > 0),
    spent INTEGER NOT NULL DEFAULT 0 CHECK (spent >= 0 AND spent <= loaded),
    status TEXT NOT NULL CHECK (status = 'open' OR status = 'ended'),
    ended_by TEXT,
    refunded INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    last_activity_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    ended_at INTEGER
) WITHOUT ROWID;
-- One open session per machine: a second customer is refused by the database itself.
CREATE UNIQUE INDEX one_open_session_per_machine ON machine_sessions(machine_id)
    WHERE status = 'open';
CREATE INDEX sessions_by_machine ON machine_sessions(machine_id, created_at);
CREATE TABLE session_purchases (
    machine_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    session_id TEXT NOT NULL REFERENCES machine_sessions(id),
    item TEXT NOT NULL,
    points INTEGER NOT NULL CHECK (points > 0),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (machine_id, event_id)
) WITHOUT ROWID;
CREATE INDEX purchases_by_session ON session_purchases(session_id, created_at);
CREATE TABLE orders (
    machine_id TEXT NOT NULL REFERENCES machines(id),
    order_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL UNIQUE REFERENCES transactions(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    item TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    expires INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (machine_id, order_id)
) WITHOUT ROWID;
CREATE INDEX orders_by_machine ON orders(machine_id, created_at);
CREATE TABLE ledger_v7 (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind = 'top_up' OR kind = 'play' OR kind = 'refund'
        OR kind = 'machine_credit' OR kind = 'machine_refund' OR kind = 'purchase'),
    delta INTEGER NOT NULL,
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    label TEXT,
    transaction_id TEXT REFERENCES transactions(id),
    top_up_id TEXT,
    session_id TEXT REFERENCES machine_sessions(id),
    created_at INTEGER NOT NULL
);
INSERT INTO ledger_v7 (id, user_id, kind, delta, balance_after, label, transaction_id,
    top_up_id, created_at)
SELECT id, user_id, kind, delta, balance_after, label, transaction_id, top_up_id, created_at
FROM ledger;
DROP TABLE ledger;
ALTER TABLE ledger_v7 RENAME TO ledger;
CREATE INDEX ledger_by_user ON ledger(user_id, id);
CREATE UNIQUE INDEX ledger_top_up ON ledger(top_up_id) WHERE top_up_id IS NOT NULL;
-- A session's two entries (its credit, its refund) are each written once.
CREATE UNIQUE INDEX ledger_session ON ledger(session_id, kind) WHERE session_id IS NOT NULL;
