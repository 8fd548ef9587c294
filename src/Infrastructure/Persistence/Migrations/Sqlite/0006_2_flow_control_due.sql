-- A batch of its own: on SQL Server, the columns added by 0006_1_flow_control must exist before a statement names them.
CREATE INDEX ix_webhooks_due ON webhooks (due_at) WHERE due_at IS NOT NULL;

-- Webhooks with pending deliveries become due at their earliest one, disabled ones when they are enabled.
UPDATE webhooks SET due_at = (SELECT MIN(d.next_attempt_at) FROM deliveries d WHERE d.webhook_id = webhooks.id AND d.status = 'pending')
WHERE disabled_at IS NULL;

-- The claim no longer reads deliveries in due order across webhooks: each webhook's come from ix_deliveries_webhook_due.
-- Every write of a delivery paid for this index; nothing reads it.
DROP INDEX ix_deliveries_due;
