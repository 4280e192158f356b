-- Webhook secret rotation: the previous secret stays valid until a deadline.
ALTER TABLE machines ADD COLUMN previous_webhook_secret TEXT;
ALTER TABLE machines ADD COLUMN previous_valid_until INTEGER;
