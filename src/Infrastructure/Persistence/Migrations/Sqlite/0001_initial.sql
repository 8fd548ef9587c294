-- Clients, their API keys (SHA-256 hashes only), and webhooks. Timestamps are UTC ISO 8601 text.
CREATE TABLE clients (
    id          TEXT NOT NULL PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE api_keys (
    id          TEXT NOT NULL PRIMARY KEY,
    client_id   TEXT NOT NULL REFERENCES clients (id),
    key_hash    BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT NULL
);

CREATE UNIQUE INDEX ux_api_keys_key_hash ON api_keys (key_hash);
CREATE INDEX ix_api_keys_client_id ON api_keys (client_id);

CREATE TABLE webhooks (
    id                                  TEXT NOT NULL PRIMARY KEY,
    client_id                           TEXT NOT NULL REFERENCES clients (id),
    name                                TEXT NOT NULL,
    type                                INTEGER NOT NULL,
    method                              TEXT NOT NULL,
    headers                             TEXT NOT NULL,
    header_auth                         TEXT NULL,
    url                                 TEXT NOT NULL,
    authorization_cipher                TEXT NULL,
    authorization_redacted              TEXT NULL,
    authorization_url                   TEXT NULL,
    authorization_method                TEXT NULL,
    authorization_headers               TEXT NULL,
    authorization_body_cipher           TEXT NULL,
    authorization_response_token_attr   TEXT NULL,
    signing_secret_cipher               TEXT NOT NULL,
    previous_signing_secret_cipher      TEXT NULL,
    previous_signing_secret_expires_at  TEXT NULL,
    created_at                          TEXT NOT NULL,
    updated_at                          TEXT NOT NULL,
    deleted_at                          TEXT NULL
);

-- One active webhook per client and type; deleted ones stay for their delivery history.
CREATE UNIQUE INDEX ux_webhooks_client_type_active ON webhooks (client_id, type) WHERE deleted_at IS NULL;

-- Finished documents reported by the platform, and the deliveries they cause (the transactional outbox).
CREATE TABLE events (
    id           TEXT NOT NULL PRIMARY KEY,
    client_id    TEXT NOT NULL REFERENCES clients (id),
    document_id  TEXT NOT NULL,
    type         INTEGER NOT NULL,
    data         TEXT NULL,
    occurred_at  TEXT NOT NULL
);

CREATE TABLE idempotency_keys (
    client_id    TEXT NOT NULL,
    caller       TEXT NOT NULL,
    key          TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    delivery_id  TEXT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (client_id, caller, key)
);

CREATE TABLE deliveries (
    id               TEXT NOT NULL PRIMARY KEY,
    webhook_id       TEXT NOT NULL REFERENCES webhooks (id),
    event_id         TEXT NOT NULL REFERENCES events (id),
    status           TEXT NOT NULL,
    attempt_count    INTEGER NOT NULL,
    next_attempt_at  TEXT NULL,
    last_attempt_at  TEXT NULL,
    last_status_code INTEGER NULL,
    locked_by        TEXT NULL,
    lease_until      TEXT NULL,
    created_at       TEXT NOT NULL
);

-- The dispatcher's claim reads only due, pending rows.
CREATE INDEX ix_deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX ix_deliveries_webhook ON deliveries (webhook_id, created_at, id);

CREATE TABLE delivery_attempts (
    delivery_id       TEXT NOT NULL REFERENCES deliveries (id),
    number            INTEGER NOT NULL,
    started_at        TEXT NOT NULL,
    duration_ms       INTEGER NOT NULL,
    status_code       INTEGER NULL,
    error             TEXT NULL,
    response_excerpt  TEXT NULL,
    PRIMARY KEY (delivery_id, number)
);
