-- The public keys of Ed25519 signing keys (whpk_...), kept in the clear beside the encrypted private keys, so that
-- the published keys (GET .../public_keys) are read without decrypting anything. Null for an HMAC secret.
ALTER TABLE webhooks ADD COLUMN signing_public_key text NULL;
ALTER TABLE webhooks ADD COLUMN previous_signing_public_key text NULL;
