-- Endpoint health (contract section 5): the circuit breaker and auto-disable live on the webhook, so every node sees them.
-- consecutive_failures: failed attempts since the last success; failing_since: the first of them.
-- breaker_trips: how often the breaker opened in a row (the pause doubles each time); paused_until: while it holds.
ALTER TABLE webhooks
    ADD COLUMN consecutive_failures  integer NOT NULL DEFAULT 0,
    ADD COLUMN failing_since         timestamptz NULL,
    ADD COLUMN breaker_trips         integer NOT NULL DEFAULT 0,
    ADD COLUMN paused_until          timestamptz NULL,
    ADD COLUMN disabled_at           timestamptz NULL,
    ADD COLUMN disabled_reason       text NULL;

-- A manual retry is attempted at once, even while the breaker holds its webhook (it is the probe).
-- smallint 0/1 as on SQLite and SQL Server: the statements write and compare it with the literals 0 and 1.
ALTER TABLE deliveries ADD COLUMN retry_requested smallint NOT NULL DEFAULT 0;

-- The fair-share claim counts each webhook's attempts in flight: only leased rows, a handful at any time.
CREATE INDEX ix_deliveries_leased ON deliveries (webhook_id) WHERE lease_until IS NOT NULL;
