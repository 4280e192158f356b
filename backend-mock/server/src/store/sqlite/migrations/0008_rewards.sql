-- Rewards (PROTOCOL §12): partners (stores and services, provisioned by the operator,
-- whose secret is kept in clear as machines' webhook secrets are, since the backend
-- recomputes each request's signature), the codes they request, the timed sessions
-- players run on them, and every payout. The ledger gains the `reward` kind and a
-- reference to its payout; a CHECK cannot be altered in place, so it is rebuilt as in
-- version 7.
CREATE TABLE partners (
    app_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_valid_until INTEGER,
    daily_budget INTEGER NOT NULL CHECK (daily_budget >= 0),
    player_daily_cap INTEGER NOT NULL CHECK (player_daily_cap >= 0),
    revoked INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE reward_codes (
    quickid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    app_id TEXT NOT NULL REFERENCES partners(app_id),
    kind INTEGER NOT NULL CHECK (kind = 1 OR kind = 2 OR kind = 3),
    role TEXT NOT NULL CHECK (role = 'visit' OR role = 'start' OR role = 'end'),
    point INTEGER NOT NULL CHECK (point >= 0),
    interval_minutes INTEGER NOT NULL CHECK (interval_minutes > 0),
    -- A visit code's interval (its first second); one payout per player per interval.
    window_start INTEGER,
    -- Unix seconds after which the code opens nothing.
    expires_at INTEGER NOT NULL,
    token TEXT,
    request_time INTEGER NOT NULL,
    -- A kind-3 start code the partner ended before anyone scanned it.
    voided INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
-- A request is made once: the same kind, time and token again is a replay.
CREATE UNIQUE INDEX reward_requests_once
    ON reward_codes(app_id, kind, request_time, COALESCE(token, ''))
    WHERE role != 'end';
-- A kind-3 token names one session, for ever.
CREATE UNIQUE INDEX reward_tokens_once ON reward_codes(app_id, token) WHERE token IS NOT NULL;
CREATE TABLE reward_sessions (
    id INTEGER PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES partners(app_id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind INTEGER NOT NULL CHECK (kind = 2 OR kind = 3),
    start_code INTEGER NOT NULL REFERENCES reward_codes(quickid),
    point INTEGER NOT NULL,
    interval_minutes INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status = 'open' OR status = 'ended'),
    earned INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    started_at INTEGER NOT NULL,
    ended_at INTEGER
);
-- One running session per player and partner.
CREATE UNIQUE INDEX one_open_reward_session ON reward_sessions(app_id, user_id)
    WHERE status = 'open';
-- A kind-3 start code starts one session (its token ends it).
CREATE UNIQUE INDEX one_session_per_token_code ON reward_sessions(start_code) WHERE kind = 3;
CREATE INDEX reward_sessions_by_user ON reward_sessions(user_id, id);
CREATE TABLE reward_payouts (
    id INTEGER PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES partners(app_id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    window_start INTEGER,
    session_id INTEGER UNIQUE REFERENCES reward_sessions(id),
    points INTEGER NOT NULL CHECK (points > 0),
    -- The UTC day (Unix seconds / 86400) the budget and the cap count it in.
    day INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX one_visit_per_interval ON reward_payouts(app_id, user_id, window_start)
    WHERE window_start IS NOT NULL;
CREATE INDEX payouts_by_partner_day ON reward_payouts(app_id, day);
CREATE INDEX payouts_by_player_day ON reward_payouts(user_id, app_id, day);
CREATE TABLE ledger_v8 (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind = 'top_up' OR kind = 'play' OR kind = 'refund'
        OR kind = 'machine_credit' OR kind = 'machine_refund' OR kind = 'purchase'
        OR kind = 'reward'),
    delta INTEGER NOT NULL,
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    label TEXT,
    transaction_id TEXT REFERENCES transactions(id),
    top_up_id TEXT,
    session_id TEXT REFERENCES machine_sessions(id),
    payout_id INTEGER REFERENCES reward_payouts(id),
    created_at INTEGER NOT NULL
);
INSERT INTO ledger_v8 (id, user_id, kind, delta, balance_after, label, transaction_id,
    top_up_id, session_id, created_at)
SELECT id, user_id, kind, delta, balance_after, label, transaction_id, top_up_id,
    session_id, created_at
FROM ledger;
DROP TABLE ledger;
ALTER TABLE ledger_v8 RENAME TO ledger;
CREATE INDEX ledger_by_user ON ledger(user_id, id);
CREATE UNIQUE INDEX ledger_top_up ON ledger(top_up_id) WHERE top_up_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_session ON ledger(session_id, kind) WHERE session_id IS NOT NULL;
-- A payout is credited once.
CREATE UNIQUE INDEX ledger_payout ON ledger(payout_id) WHERE payout_id IS NOT NULL;
