-- SQLite and PostgreSQL leave succeeded deliveries out of ix_deliveries_webhook_status here (see their 0009), each
-- measured. Not SQL Server: no server can run where this was built, so the change would be unmeasured; the statements
-- already name the condition (status <> 'succeeded') that a filtered index would need. Nothing changes.
SELECT 1;
