-- An operator can ban a user: no sign-in, no session.
ALTER TABLE users ADD COLUMN banned INTEGER NOT NULL DEFAULT 0;
