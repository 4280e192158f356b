-- What a machine gives for a play: 'dispenser' (capsule-toy and vending machines, as
-- every machine was before) or 'arcade' (a game's reader), so the app speaks of a
-- prize or of a game.
ALTER TABLE machines ADD COLUMN kind TEXT NOT NULL DEFAULT 'dispenser'
    CHECK (kind = 'dispenser' OR kind = 'arcade');
