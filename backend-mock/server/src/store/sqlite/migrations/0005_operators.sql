-- Operators: the hash of the one operator credential, the trail of what operators
-- changed, and where each machine stands.
CREATE TABLE operator_keys (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    key_hash BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE operator_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL
);
ALTER TABLE machines ADD COLUMN location TEXT NOT NULL DEFAULT '';
