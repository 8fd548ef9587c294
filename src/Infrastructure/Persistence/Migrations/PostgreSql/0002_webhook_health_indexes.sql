-- The claim takes each webhook's oldest due deliveries, and the ones its integrator retried.
CREATE INDEX ix_deliveries_webhook_due ON deliveries (webhook_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX ix_deliveries_retry_requested ON deliveries (webhook_id) WHERE retry_requested = 1;
