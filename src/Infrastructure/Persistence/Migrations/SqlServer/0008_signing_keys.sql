-- The public keys of Ed25519 signing keys (whpk_...), kept in the clear beside the encrypted private keys, so that
-- the published keys (GET .../public_keys) are read without decrypting anything. Null for an HMAC secret.
ALTER TABLE dbo.webhooks ADD signing_public_key NVARCHAR(64) NULL, previous_signing_public_key NVARCHAR(64) NULL;
