-- Endpoint health (contract section 5): the circuit breaker and auto-disable live on the webhook, so every node sees them.
-- consecutive_failures: failed attempts since the last success; failing_since: the first of them.
-- breaker_trips: how often the breaker opened in a row (the pause doubles each time); paused_until: while it holds.
ALTER TABLE dbo.webhooks ADD
    consecutive_failures  INT NOT NULL CONSTRAINT df_webhooks_consecutive_failures DEFAULT 0,
    failing_since         DATETIMEOFFSET(6) NULL,
    breaker_trips         INT NOT NULL CONSTRAINT df_webhooks_breaker_trips DEFAULT 0,
    paused_until          DATETIMEOFFSET(6) NULL,
    disabled_at           DATETIMEOFFSET(6) NULL,
    disabled_reason       NVARCHAR(400) NULL;

-- A manual retry is attempted at once, even while the breaker holds its webhook (it is the probe).
ALTER TABLE dbo.deliveries ADD retry_requested BIT NOT NULL CONSTRAINT df_deliveries_retry_requested DEFAULT 0;

-- The fair-share claim counts each webhook's attempts in flight: only leased rows, a handful at any time.
CREATE INDEX ix_deliveries_leased ON dbo.deliveries (webhook_id) INCLUDE (lease_until, status) WHERE lease_until IS NOT NULL;

