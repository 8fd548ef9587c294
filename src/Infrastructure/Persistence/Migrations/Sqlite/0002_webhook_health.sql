-- Endpoint health (contract section 5): the circuit breaker and auto-disable live on the webhook, so every node sees them.
-- consecutive_failures: failed attempts since the last success; failing_since: the first of them.
-- breaker_trips: how often the breaker opened in a row (the pause doubles each time); paused_until: while it holds.
ALTER TABLE webhooks ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhooks ADD COLUMN failing_since TEXT NULL;
ALTER TABLE webhooks ADD COLUMN breaker_trips INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhooks ADD COLUMN paused_until TEXT NULL;
ALTER TABLE webhooks ADD COLUMN disabled_at TEXT NULL;
ALTER TABLE webhooks ADD COLUMN disabled_reason TEXT NULL;

-- A manual retry is attempted at once, even while the breaker holds its webhook (it is the probe).
ALTER TABLE deliveries ADD COLUMN retry_requested INTEGER NOT NULL DEFAULT 0;

-- The fair-share claim counts each webhook's attempts in flight: only leased rows, a handful at any time.
CREATE INDEX ix_deliveries_leased ON deliveries (webhook_id) WHERE lease_until IS NOT NULL;

