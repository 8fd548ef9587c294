-- Support tools (contract section 11, and section 8's "a link works once").

-- A test event (POST .../{id}/test): its body says "event": "webhook.test" instead of its type's event.
-- smallint 0/1 as on SQLite and SQL Server: the statements write it with the literals 0 and 1.
ALTER TABLE events ADD COLUMN is_test smallint NOT NULL DEFAULT 0;

-- Finding a document's deliveries seeks the client's events of that document, then their deliveries (ix_deliveries_event_id).
CREATE INDEX ix_events_client_document ON events (client_id, document_id);

-- Ending a client's portal sessions moves its generation on: a session or link of an earlier generation opens nothing.
ALTER TABLE clients ADD COLUMN portal_generation integer NOT NULL DEFAULT 0;

-- Portal links already used, until they expire: a second use of the same link opens nothing, on any node.
CREATE TABLE portal_links (
    client_id   uuid NOT NULL REFERENCES clients (id),
    id          uuid NOT NULL,
    used_at     timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (client_id, id)
);
