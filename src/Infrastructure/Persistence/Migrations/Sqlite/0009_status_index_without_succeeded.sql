-- SQLite's WAL writes whole pages. This index's entries sit at one place per webhook and status, so each write turn
-- rewrote a page of it per webhook it touched: the intake (a 'pending' entry), then the outcome (that entry out and a
-- 'succeeded' one in, elsewhere), a third of the WAL per delivery (bench README, "Lighter SQLite writes"). Succeeded
-- deliveries, nearly all of them, leave it: the list filtered on 'succeeded' walks ix_deliveries_webhook newest first,
-- where almost every row is one. The pending ones it keeps stay few, on a few pages. A statement that seeks it names
-- its condition (status <> 'succeeded'), since SQLite does not infer it from status = 'failed'.
DROP INDEX ix_deliveries_webhook_status;
CREATE INDEX ix_deliveries_webhook_status ON deliveries (webhook_id, status, created_at, id) WHERE status <> 'succeeded';
