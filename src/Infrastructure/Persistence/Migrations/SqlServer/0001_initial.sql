-- Clients, their API keys (SHA-256 hashes only), and webhooks. Timestamps are UTC.
CREATE TABLE dbo.clients (
    id          UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_clients PRIMARY KEY,
    name        NVARCHAR(200) NOT NULL,
    created_at  DATETIMEOFFSET(6) NOT NULL
);

CREATE TABLE dbo.api_keys (
    id          UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_api_keys PRIMARY KEY,
    client_id   UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_api_keys_clients REFERENCES dbo.clients (id),
    key_hash    VARBINARY(32) NOT NULL,
    created_at  DATETIMEOFFSET(6) NOT NULL,
    revoked_at  DATETIMEOFFSET(6) NULL
);

CREATE UNIQUE INDEX ux_api_keys_key_hash ON dbo.api_keys (key_hash);
CREATE INDEX ix_api_keys_client_id ON dbo.api_keys (client_id);

CREATE TABLE dbo.webhooks (
    id                                  UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_webhooks PRIMARY KEY,
    client_id                           UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_webhooks_clients REFERENCES dbo.clients (id),
    name                                NVARCHAR(200) NOT NULL,
    type                                INT NOT NULL,
    method                              VARCHAR(10) NOT NULL,
    headers                             NVARCHAR(MAX) NOT NULL,
    header_auth                         NVARCHAR(50) NULL,
    url                                 NVARCHAR(2048) NOT NULL,
    authorization_cipher                NVARCHAR(MAX) NULL,
    authorization_redacted              NVARCHAR(100) NULL,
    authorization_url                   NVARCHAR(2048) NULL,
    authorization_method                VARCHAR(10) NULL,
    authorization_headers               NVARCHAR(MAX) NULL,
    authorization_body_cipher           NVARCHAR(MAX) NULL,
    authorization_response_token_attr   NVARCHAR(200) NULL,
    signing_secret_cipher               NVARCHAR(MAX) NOT NULL,
    previous_signing_secret_cipher      NVARCHAR(MAX) NULL,
    previous_signing_secret_expires_at  DATETIMEOFFSET(6) NULL,
    created_at                          DATETIMEOFFSET(6) NOT NULL,
    updated_at                          DATETIMEOFFSET(6) NOT NULL,
    deleted_at                          DATETIMEOFFSET(6) NULL
);

-- One active webhook per client and type; deleted ones stay for their delivery history.
CREATE UNIQUE INDEX ux_webhooks_client_type_active ON dbo.webhooks (client_id, type) WHERE deleted_at IS NULL;

-- Finished documents reported by the platform, and the deliveries they cause (the transactional outbox).
CREATE TABLE dbo.events (
    id           UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_events PRIMARY KEY,
    client_id    UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_events_clients REFERENCES dbo.clients (id),
    document_id  NVARCHAR(200) NOT NULL,
    type         INT NOT NULL,
    data         NVARCHAR(MAX) NULL,
    occurred_at  DATETIMEOFFSET(6) NOT NULL
);

CREATE TABLE dbo.idempotency_keys (
    client_id    UNIQUEIDENTIFIER NOT NULL,
    caller       VARCHAR(64) NOT NULL,
    -- Binary collation: keys are compared exactly, as on SQLite (a case-insensitive default would merge 'a' and 'A').
    [key]        NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    event_id     UNIQUEIDENTIFIER NOT NULL,
    delivery_id  UNIQUEIDENTIFIER NULL,
    created_at   DATETIMEOFFSET(6) NOT NULL,
    CONSTRAINT pk_idempotency_keys PRIMARY KEY (client_id, caller, [key])
);

CREATE TABLE dbo.deliveries (
    id               UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_deliveries PRIMARY KEY,
    webhook_id       UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_deliveries_webhooks REFERENCES dbo.webhooks (id),
    event_id         UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_deliveries_events REFERENCES dbo.events (id),
    status           VARCHAR(16) NOT NULL,
    attempt_count    INT NOT NULL,
    next_attempt_at  DATETIMEOFFSET(6) NULL,
    last_attempt_at  DATETIMEOFFSET(6) NULL,
    last_status_code INT NULL,
    locked_by        VARCHAR(100) NULL,
    lease_until      DATETIMEOFFSET(6) NULL,
    created_at       DATETIMEOFFSET(6) NOT NULL
);

-- The dispatcher's claim reads only due, pending rows.
CREATE INDEX ix_deliveries_due ON dbo.deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX ix_deliveries_webhook ON dbo.deliveries (webhook_id, created_at, id);

CREATE TABLE dbo.delivery_attempts (
    delivery_id       UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_delivery_attempts_deliveries REFERENCES dbo.deliveries (id),
    number            INT NOT NULL,
    started_at        DATETIMEOFFSET(6) NOT NULL,
    duration_ms       INT NOT NULL,
    status_code       INT NULL,
    error             NVARCHAR(100) NULL,
    response_excerpt  NVARCHAR(1024) NULL,
    CONSTRAINT pk_delivery_attempts PRIMARY KEY (delivery_id, number)
);
