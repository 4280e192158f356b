-- A player's history is a chain through the ledger: each entry names the same
-- player's entry before it, and the player's row names the newest. A play then
-- appends its entry at the ledger's end and changes the player's row, which it
-- changes anyway for the balance. With a per-player index instead, every play by a
-- different player wrote a leaf of that index of its own: with 10,000 players, 22 of
-- the 50 WAL pages a batch of 20 plays wrote (docs/BENCHMARKS.md).
ALTER TABLE ledger ADD COLUMN previous_id INTEGER;
ALTER TABLE users ADD COLUMN last_ledger_id INTEGER;
UPDATE ledger SET previous_id = chain.previous
FROM (SELECT id, LAG(id) OVER (PARTITION BY user_id ORDER BY id) AS previous FROM ledger) AS chain
WHERE chain.id = ledger.id;
UPDATE users SET last_ledger_id = newest.id
FROM (SELECT user_id, MAX(id) AS id FROM ledger GROUP BY user_id) AS newest
WHERE newest.user_id = users.id;
DROP INDEX ledger_by_user;
