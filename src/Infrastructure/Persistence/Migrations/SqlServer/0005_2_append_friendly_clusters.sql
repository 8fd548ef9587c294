-- Inserts append to the last page: the rows are clustered on seq, and the primary keys stay, nonclustered (a random
-- uuid then splits only a narrow index page). The foreign keys that name the old keys are dropped and made again.
ALTER TABLE dbo.deliveries DROP CONSTRAINT fk_deliveries_events;
ALTER TABLE dbo.delivery_attempts DROP CONSTRAINT fk_delivery_attempts_deliveries;
ALTER TABLE dbo.events DROP CONSTRAINT pk_events;
ALTER TABLE dbo.deliveries DROP CONSTRAINT pk_deliveries;
ALTER TABLE dbo.delivery_attempts DROP CONSTRAINT pk_delivery_attempts;

CREATE UNIQUE CLUSTERED INDEX cx_events_seq ON dbo.events (seq);
CREATE UNIQUE CLUSTERED INDEX cx_deliveries_seq ON dbo.deliveries (seq);
CREATE UNIQUE CLUSTERED INDEX cx_delivery_attempts_seq ON dbo.delivery_attempts (seq);

ALTER TABLE dbo.events ADD CONSTRAINT pk_events PRIMARY KEY NONCLUSTERED (id);
ALTER TABLE dbo.deliveries ADD CONSTRAINT pk_deliveries PRIMARY KEY NONCLUSTERED (id);
ALTER TABLE dbo.delivery_attempts ADD CONSTRAINT pk_delivery_attempts PRIMARY KEY NONCLUSTERED (delivery_id, number);

ALTER TABLE dbo.deliveries ADD CONSTRAINT fk_deliveries_events FOREIGN KEY (event_id) REFERENCES dbo.events (id);
ALTER TABLE dbo.delivery_attempts ADD CONSTRAINT fk_delivery_attempts_deliveries FOREIGN KEY (delivery_id) REFERENCES dbo.deliveries (id);
