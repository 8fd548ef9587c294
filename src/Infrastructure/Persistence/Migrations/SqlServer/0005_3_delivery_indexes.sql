-- The delivery list filtered by status seeks this one, cursor and all (the newest first).
CREATE INDEX ix_deliveries_webhook_status ON dbo.deliveries (webhook_id, status, created_at, id);
