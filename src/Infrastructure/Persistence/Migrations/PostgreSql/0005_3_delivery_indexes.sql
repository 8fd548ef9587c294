-- The delivery list filtered by status already has its index here (ix_deliveries_webhook_status, in 0001); the
-- claim's index needs nothing either: a claim now moves next_attempt_at to the lease's end, so the rows in flight
-- are outside the range it seeks.
SELECT 1;
