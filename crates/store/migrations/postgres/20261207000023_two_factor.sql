-- Two-factor sign-in (TOTP, RFC 6238). The authenticator secret is encrypted with the
-- data key (nonce ‖ ciphertext ‖ tag, like a NIK); `totp_pending` holds a secret being
-- enrolled until a code from it is confirmed. `totp_last_step` is the last 30-second step
-- whose code was accepted: a code is accepted once.
ALTER TABLE users ADD COLUMN totp_secret bytea;
ALTER TABLE users ADD COLUMN totp_pending bytea;
ALTER TABLE users ADD COLUMN totp_enabled_at timestamptz;
ALTER TABLE users ADD COLUMN totp_last_step bigint;

-- One-time recovery codes: only a keyed hash of each is kept.
CREATE TABLE recovery_codes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  text NOT NULL,
    created_at timestamptz NOT NULL,
    used_at    timestamptz,
    UNIQUE (user_id, code_hash)
);

-- A sign-in whose password was right and whose second factor is awaited. The browser
-- holds the token (only its hash is here) for a few minutes.
CREATE TABLE login_challenges (
    token_hash text PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    failures   integer NOT NULL DEFAULT 0
);
CREATE INDEX login_challenges_user ON login_challenges (user_id);
