-- Transactions are numbered in the order they are written (`seq`), and nothing on
-- disk is keyed by the code's id any more. Keyed by the id, each play with a random
-- (v4) id wrote a leaf of its own somewhere in a tree that grows forever: half the
-- WAL pages of a fleet's commit (docs/BENCHMARKS.md). Numbered, a batch of plays
-- appends to the end of one tree.
--
-- The id is then found another way (`recent.rs`): the writer remembers the ids of the
-- transactions of the last minutes (as long as a code can be presented, and longer
-- than a machine has to report), rebuilt from this table's end when the store opens;
-- an older play is found along its player's chain of transactions: each row names
-- the same player's previous one, the player's row names the newest.
--
-- The ledger and the orders refer to a transaction by its number. Their foreign keys
-- are part of the table, so both are rebuilt.
CREATE TABLE transactions_v10 (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
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
    updated_at INTEGER NOT NULL,
    user_previous INTEGER
);
INSERT INTO transactions_v10 (id, user_id, device_id, machine_id, points, status,
    rejection, refund_reason, detail, issued_at, created_at, updated_at)
SELECT id, user_id, device_id, machine_id, points, status,
    rejection, refund_reason, detail, issued_at, created_at, updated_at
FROM transactions ORDER BY created_at, id;
UPDATE transactions_v10 SET user_previous = chain.previous
FROM (SELECT seq, LAG(seq) OVER (PARTITION BY user_id ORDER BY seq) AS previous
      FROM transactions_v10) AS chain
WHERE chain.seq = transactions_v10.seq;
ALTER TABLE users ADD COLUMN last_transaction INTEGER;
UPDATE users SET last_transaction = newest.seq
FROM (SELECT user_id, MAX(seq) AS seq FROM transactions_v10 GROUP BY user_id) AS newest
WHERE newest.user_id = users.id;

-- For this migration only: the ledger and the orders find their rows' numbers.
CREATE INDEX transactions_v10_by_id ON transactions_v10(id);

CREATE TABLE ledger_v10 (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind = 'top_up' OR kind = 'play' OR kind = 'refund'
        OR kind = 'machine_credit' OR kind = 'machine_refund' OR kind = 'purchase'
        OR kind = 'reward'),
    delta INTEGER NOT NULL,
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    label TEXT,
    transaction_seq INTEGER REFERENCES transactions(seq),
    top_up_id TEXT,
    session_id TEXT REFERENCES machine_sessions(id),
    payout_id INTEGER REFERENCES reward_payouts(id),
    created_at INTEGER NOT NULL,
    previous_id INTEGER
);
INSERT INTO ledger_v10 (id, user_id, kind, delta, balance_after, label, transaction_seq,
    top_up_id, session_id, payout_id, created_at, previous_id)
SELECT l.id, l.user_id, l.kind, l.delta, l.balance_after, l.label, t.seq,
    l.top_up_id, l.session_id, l.payout_id, l.created_at, l.previous_id
FROM ledger l LEFT JOIN transactions_v10 t ON t.id = l.transaction_id;

CREATE TABLE orders_v10 (
    machine_id TEXT NOT NULL REFERENCES machines(id),
    order_id TEXT NOT NULL,
    transaction_seq INTEGER NOT NULL UNIQUE REFERENCES transactions(seq),
    user_id INTEGER NOT NULL REFERENCES users(id),
    item TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    expires INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (machine_id, order_id)
) WITHOUT ROWID;
INSERT INTO orders_v10 (machine_id, order_id, transaction_seq, user_id, item, amount,
    expires, created_at)
SELECT o.machine_id, o.order_id, t.seq, o.user_id, o.item, o.amount, o.expires, o.created_at
FROM orders o JOIN transactions_v10 t ON t.id = o.transaction_id;

DROP INDEX transactions_v10_by_id;
DROP TABLE orders;
DROP TABLE ledger;
DROP TABLE transactions;
ALTER TABLE transactions_v10 RENAME TO transactions;
ALTER TABLE ledger_v10 RENAME TO ledger;
ALTER TABLE orders_v10 RENAME TO orders;
CREATE INDEX transactions_pending ON transactions(created_at) WHERE status = 'pending';
CREATE UNIQUE INDEX ledger_top_up ON ledger(top_up_id) WHERE top_up_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_session ON ledger(session_id, kind) WHERE session_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_payout ON ledger(payout_id) WHERE payout_id IS NOT NULL;
CREATE INDEX orders_by_machine ON orders(machine_id, created_at);
-- The sweep refunds orders not dispensed in time by walking the orders of a window.
CREATE INDEX orders_by_time ON orders(created_at);
