-- Support tools (contract section 11, and section 8's "a link works once"). No statement here names a column this
-- batch adds: SQL Server compiles the whole batch before it runs.

-- A test event (POST .../{id}/test): its body says "event": "webhook.test" instead of its type's event.
ALTER TABLE dbo.events ADD is_test BIT NOT NULL CONSTRAINT df_events_is_test DEFAULT 0;

-- Finding a document's deliveries seeks the client's events of that document, then their deliveries
-- (ix_deliveries_event_id). The rows are clustered on seq (migration 0005), so the event's id travels in the index.
CREATE INDEX ix_events_client_document ON dbo.events (client_id, document_id) INCLUDE (id, type);

-- Ending a client's portal sessions moves its generation on: a session or link of an earlier generation opens nothing.
ALTER TABLE dbo.clients ADD portal_generation INT NOT NULL CONSTRAINT df_clients_portal_generation DEFAULT 0;

-- Portal links already used, until they expire: a second use of the same link opens nothing, on any node.
CREATE TABLE dbo.portal_links (
    client_id   UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_portal_links_clients REFERENCES dbo.clients (id),
    id          UNIQUEIDENTIFIER NOT NULL,
    used_at     DATETIMEOFFSET(6) NOT NULL,
    expires_at  DATETIMEOFFSET(6) NOT NULL,
    CONSTRAINT pk_portal_links PRIMARY KEY (client_id, id)
);
