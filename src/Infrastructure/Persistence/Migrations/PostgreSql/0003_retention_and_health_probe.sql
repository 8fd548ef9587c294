-- Retention purges by age in small batches; each of these makes a batch a range scan of one index.
-- Ended deliveries by the time of their last attempt; cancelled ones that were never attempted by their creation.
CREATE INDEX ix_deliveries_ended ON deliveries (last_attempt_at) WHERE status IN ('succeeded', 'failed', 'cancelled');
CREATE INDEX ix_deliveries_cancelled_unattempted ON deliveries (created_at) WHERE status = 'cancelled' AND last_attempt_at IS NULL;

-- "Does an event still have a delivery?", and the foreign key check when an event is deleted.
CREATE INDEX ix_deliveries_event_id ON deliveries (event_id);

CREATE INDEX ix_events_occurred_at ON events (occurred_at);
CREATE INDEX ix_idempotency_keys_created_at ON idempotency_keys (created_at);

-- /health/ready proves the database can be written by upserting its node's row here.
CREATE TABLE health_probe (
    node        text NOT NULL PRIMARY KEY,
    checked_at  timestamptz NOT NULL
);
