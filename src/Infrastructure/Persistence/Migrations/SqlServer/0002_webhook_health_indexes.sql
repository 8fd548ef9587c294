-- A batch of its own: on SQL Server, the columns added by 0002_webhook_health must exist before an index names them.
-- The claim takes each webhook's oldest due deliveries, and the ones its integrator retried.
CREATE INDEX ix_deliveries_webhook_due ON dbo.deliveries (webhook_id, next_attempt_at) INCLUDE (lease_until, retry_requested) WHERE status = 'pending';
CREATE INDEX ix_deliveries_retry_requested ON dbo.deliveries (webhook_id) INCLUDE (status, lease_until) WHERE retry_requested = 1;
