-- Clients, their API keys (SHA-256 hashes only), and webhooks. Timestamps are timestamptz (UTC, microseconds); ids
-- are uuid; text is text (the JSON columns too: kept exactly as written, jsonb would reorder and reformat them).
CREATE TABLE clients (
    id          uuid NOT NULL PRIMARY KEY,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE api_keys (
    id          uuid NOT NULL PRIMARY KEY,
    client_id   uuid NOT NULL REFERENCES clients (id),
    key_hash    bytea NOT NULL,
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz NULL
);

CREATE UNIQUE INDEX ux_api_keys_key_hash ON api_keys (key_hash);
CREATE INDEX ix_api_keys_client_id ON api_keys (client_id);

CREATE TABLE webhooks (
    id                                  uuid NOT NULL PRIMARY KEY,
    client_id                           uuid NOT NULL REFERENCES clients (id),
    name                                text NOT NULL,
    type                                integer NOT NULL,
    method                              text NOT NULL,
    headers                             text NOT NULL,
    header_auth                         text NULL,
    url                                 text NOT NULL,
    authorization_cipher                text NULL,
    authorization_redacted              text NULL,
    authorization_url                   text NULL,
    authorization_method                text NULL,
    authorization_headers               text NULL,
    authorization_body_cipher           text NULL,
    authorization_response_token_attr   text NULL,
    signing_secret_cipher               text NOT NULL,
    previous_signing_secret_cipher      text NULL,
    previous_signing_secret_expires_at  timestamptz NULL,
    created_at                          timestamptz NOT NULL,
    updated_at                          timestamptz NOT NULL,
    deleted_at                          timestamptz NULL
);

-- One active webhook per client and type; deleted ones stay for their delivery history.
CREATE UNIQUE INDEX ux_webhooks_client_type_active ON webhooks (client_id, type) WHERE deleted_at IS NULL;

-- Finished documents reported by the platform, and the deliveries they cause (the transactional outbox).
CREATE TABLE events (
    id           uuid NOT NULL PRIMARY KEY,
    client_id    uuid NOT NULL REFERENCES clients (id),
    document_id  text NOT NULL,
    type         integer NOT NULL,
    data         text NULL,
    occurred_at  timestamptz NOT NULL
);

-- Idempotency across nodes rests on this key: two nodes inserting the same key, one of them gets 23505.
-- text compares exactly under the database's deterministic collation ('a' and 'A' are different keys).
CREATE TABLE idempotency_keys (
    client_id    uuid NOT NULL,
    caller       text NOT NULL,
    "key"        text NOT NULL,
    event_id     uuid NOT NULL,
    delivery_id  uuid NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (client_id, caller, "key")
);

CREATE TABLE deliveries (
    id               uuid NOT NULL PRIMARY KEY,
    webhook_id       uuid NOT NULL REFERENCES webhooks (id),
    event_id         uuid NOT NULL REFERENCES events (id),
    status           text NOT NULL,
    attempt_count    integer NOT NULL,
    next_attempt_at  timestamptz NULL,
    last_attempt_at  timestamptz NULL,
    last_status_code integer NULL,
    locked_by        text NULL,
    lease_until      timestamptz NULL,
    created_at       timestamptz NOT NULL
);

-- The dispatcher's claim reads only due, pending rows.
CREATE INDEX ix_deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX ix_deliveries_webhook ON deliveries (webhook_id, created_at, id);
-- The delivery list filtered by status pages by seeking this one.
CREATE INDEX ix_deliveries_webhook_status ON deliveries (webhook_id, status, created_at, id);

CREATE TABLE delivery_attempts (
    delivery_id       uuid NOT NULL REFERENCES deliveries (id),
    number            integer NOT NULL,
    started_at        timestamptz NOT NULL,
    duration_ms       integer NOT NULL,
    status_code       integer NULL,
    error             text NULL,
    response_excerpt  text NULL,
    PRIMARY KEY (delivery_id, number)
);
