-- The PostgreSQL schema: the same rows as SQLite's after its migrations, with the
-- rules that keep money right across instances written as constraints. Every time is
-- Unix milliseconds (BIGINT) unless its comment says seconds.

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    balance BIGINT NOT NULL DEFAULT 0 CHECK (balance >= 0),
    banned BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);

CREATE TABLE devices (
    id SERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    secret BYTEA NOT NULL,
    revoked BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);
CREATE INDEX devices_by_user ON devices(user_id);

CREATE TABLE sign_ins (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    device_id INTEGER NOT NULL REFERENCES devices(id),
    access_hash BYTEA NOT NULL,
    access_expires_at BIGINT NOT NULL,
    refresh_hash BYTEA NOT NULL,
    refresh_expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX sign_ins_by_user ON sign_ins(user_id) WHERE revoked_at IS NULL;
CREATE INDEX sign_ins_by_device ON sign_ins(device_id) WHERE revoked_at IS NULL;

CREATE TABLE machines (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    api_key_hash BYTEA NOT NULL,
    webhook_secret TEXT NOT NULL,
    previous_webhook_secret TEXT,
    previous_valid_until BIGINT,
    revoked BOOLEAN NOT NULL DEFAULT FALSE,
    location TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'dispenser' CHECK (kind IN ('dispenser', 'arcade'))
);

-- One row per code presented: the primary key is one-time use.
CREATE TABLE transactions (
    seq BIGSERIAL UNIQUE,
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    device_id INTEGER NOT NULL REFERENCES devices(id),
    machine_id TEXT NOT NULL REFERENCES machines(id),
    points BIGINT NOT NULL CHECK (points > 0),
    status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'refunded', 'rejected')),
    rejection TEXT,
    refund_reason TEXT,
    detail TEXT,
    issued_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX transactions_by_user ON transactions(user_id, seq);
CREATE INDEX transactions_pending ON transactions(created_at) WHERE status = 'pending';

CREATE TABLE webhook_events (
    machine_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    decision TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (machine_id, event_id)
);

CREATE TABLE top_ups (
    user_id BIGINT NOT NULL REFERENCES users(id),
    idempotency_key TEXT NOT NULL,
    request_hash BYTEA NOT NULL,
    answer TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
);

CREATE TABLE operator_keys (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    key_hash BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE operator_audit (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL
);

CREATE TABLE machine_codes (
    id TEXT PRIMARY KEY,
    machine_id TEXT NOT NULL REFERENCES machines(id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE machine_sessions (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    machine_id TEXT NOT NULL REFERENCES machines(id),
    code_id TEXT NOT NULL REFERENCES machine_codes(id),
    loaded BIGINT NOT NULL CHECK (loaded > 0),
    spent BIGINT NOT NULL DEFAULT 0 CHECK (spent >= 0 AND spent <= loaded),
    status TEXT NOT NULL CHECK (status IN ('open', 'ended')),
    ended_by TEXT,
    refunded BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    last_activity_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE UNIQUE INDEX one_open_session_per_machine ON machine_sessions(machine_id)
    WHERE status = 'open';
CREATE INDEX sessions_by_machine ON machine_sessions(machine_id, created_at);
CREATE INDEX open_sessions_by_user ON machine_sessions(user_id) WHERE status = 'open';

CREATE TABLE session_purchases (
    machine_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    session_id TEXT NOT NULL REFERENCES machine_sessions(id),
    item TEXT NOT NULL,
    points BIGINT NOT NULL CHECK (points > 0),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (machine_id, event_id)
);
CREATE INDEX purchases_by_session ON session_purchases(session_id, created_at);

CREATE TABLE orders (
    machine_id TEXT NOT NULL REFERENCES machines(id),
    order_id TEXT NOT NULL,
    transaction_seq BIGINT NOT NULL UNIQUE REFERENCES transactions(seq),
    user_id BIGINT NOT NULL REFERENCES users(id),
    item TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    expires BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (machine_id, order_id)
);
CREATE INDEX orders_by_machine ON orders(machine_id, created_at);
CREATE INDEX orders_by_time ON orders(created_at);

CREATE TABLE partners (
    app_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_valid_until BIGINT,
    daily_budget BIGINT NOT NULL CHECK (daily_budget >= 0),
    player_daily_cap BIGINT NOT NULL CHECK (player_daily_cap >= 0),
    revoked BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);

CREATE TABLE reward_codes (
    quickid BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    app_id TEXT NOT NULL REFERENCES partners(app_id),
    kind INTEGER NOT NULL CHECK (kind IN (1, 2, 3)),
    role TEXT NOT NULL CHECK (role IN ('visit', 'start', 'end')),
    point BIGINT NOT NULL CHECK (point >= 0),
    interval_minutes BIGINT NOT NULL CHECK (interval_minutes > 0),
    -- A visit code's interval (its first second); one payout per player per interval.
    window_start BIGINT,
    -- Unix seconds after which the code opens nothing.
    expires_at BIGINT NOT NULL,
    token TEXT,
    request_time BIGINT NOT NULL,
    -- A kind-3 start code the partner ended before anyone scanned it.
    voided BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX reward_requests_once
    ON reward_codes(app_id, kind, request_time, COALESCE(token, ''))
    WHERE role != 'end';
CREATE UNIQUE INDEX reward_tokens_once ON reward_codes(app_id, token) WHERE token IS NOT NULL;

CREATE TABLE reward_sessions (
    id BIGSERIAL PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES partners(app_id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    kind INTEGER NOT NULL CHECK (kind IN (2, 3)),
    start_code BIGINT NOT NULL REFERENCES reward_codes(quickid),
    point BIGINT NOT NULL,
    interval_minutes BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'ended')),
    earned BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    started_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE UNIQUE INDEX one_open_reward_session ON reward_sessions(app_id, user_id)
    WHERE status = 'open';
CREATE UNIQUE INDEX one_session_per_token_code ON reward_sessions(start_code) WHERE kind = 3;
CREATE INDEX reward_sessions_by_user ON reward_sessions(user_id, id);

CREATE TABLE reward_payouts (
    id BIGSERIAL PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES partners(app_id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    window_start BIGINT,
    session_id BIGINT UNIQUE REFERENCES reward_sessions(id),
    points BIGINT NOT NULL CHECK (points > 0),
    -- The UTC day (Unix seconds / 86400) the budget and the cap count it in.
    day BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX one_visit_per_interval ON reward_payouts(app_id, user_id, window_start)
    WHERE window_start IS NOT NULL;
CREATE INDEX payouts_by_partner_day ON reward_payouts(app_id, day);
CREATE INDEX payouts_by_player_day ON reward_payouts(user_id, app_id, day);

CREATE TABLE ledger (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('top_up', 'play', 'refund', 'machine_credit',
        'machine_refund', 'purchase', 'reward')),
    delta BIGINT NOT NULL,
    balance_after BIGINT NOT NULL CHECK (balance_after >= 0),
    label TEXT,
    transaction_seq BIGINT REFERENCES transactions(seq),
    top_up_id TEXT,
    session_id TEXT REFERENCES machine_sessions(id),
    payout_id BIGINT REFERENCES reward_payouts(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX ledger_by_user ON ledger(user_id, id);
CREATE UNIQUE INDEX ledger_top_up ON ledger(top_up_id) WHERE top_up_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_session ON ledger(session_id, kind) WHERE session_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_payout ON ledger(payout_id) WHERE payout_id IS NOT NULL;
-- A play is debited once and refunded at most once.
CREATE UNIQUE INDEX ledger_transaction ON ledger(transaction_seq, kind)
    WHERE transaction_seq IS NOT NULL;
