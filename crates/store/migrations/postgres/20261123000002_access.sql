-- Accounts, sessions, API tokens, the audit log, and personal data out of the clear.
--
-- The NIK moves into `nik_cipher` (XChaCha20-Poly1305) and `nik_hash` (HMAC-SHA-256,
-- unique). SQL cannot encrypt without the key, so rows of an older database keep their
-- NIK in `nik_legacy` until `Store::attach_key` converts them. Personal fields become
-- nullable: erasure sets them to NULL.

ALTER TABLE members RENAME COLUMN nik TO nik_legacy;
ALTER TABLE members ALTER COLUMN nik_legacy DROP NOT NULL;
ALTER TABLE members DROP CONSTRAINT members_nik_key;
ALTER TABLE members ALTER COLUMN full_name DROP NOT NULL;
ALTER TABLE members ALTER COLUMN birth_date DROP NOT NULL;
ALTER TABLE members ALTER COLUMN phone DROP NOT NULL;
ALTER TABLE members ALTER COLUMN address DROP NOT NULL;
ALTER TABLE members ADD COLUMN nik_hash bytea UNIQUE;
ALTER TABLE members ADD COLUMN nik_cipher bytea;
ALTER TABLE members ADD COLUMN consent_version text;
ALTER TABLE members ADD COLUMN consent_at timestamptz;
ALTER TABLE members ADD COLUMN erased_at timestamptz;
ALTER TABLE members ADD CONSTRAINT members_personal_present CHECK (
    erased_at IS NOT NULL OR (full_name IS NOT NULL AND birth_date IS NOT NULL
        AND phone IS NOT NULL AND address IS NOT NULL
        AND (nik_legacy IS NOT NULL OR (nik_hash IS NOT NULL AND nik_cipher IS NOT NULL))));
CREATE INDEX members_legacy ON members (id) WHERE nik_legacy IS NOT NULL;

CREATE TABLE settings (
    name  text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username        text NOT NULL UNIQUE,
    password_hash   text NOT NULL,
    role            text NOT NULL CHECK (role IN ('admin', 'province_officer', 'city_officer',
                        'district_officer', 'trainer', 'mentor', 'curator', 'buyer', 'partner',
                        'member')),
    region_code     text REFERENCES regions (code),
    member_no       text UNIQUE REFERENCES members (member_no),
    disabled_at     timestamptz,
    failed_logins   integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    password_changed_at timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    version         bigint NOT NULL DEFAULT 1
);

CREATE TABLE sessions (
    token_hash   text PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id),
    name         text NOT NULL,
    token_hash   text NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Append-only; `hash` = SHA-256 over the entry and the previous entry's hash. `at` is
-- text in one fixed format so the hashed bytes are exactly what is stored.
CREATE TABLE audit_log (
    seq         bigint PRIMARY KEY,
    at          text NOT NULL,
    user_id     bigint,
    actor       text NOT NULL,
    address     text,
    action      text NOT NULL,
    record_type text NOT NULL,
    record_id   text NOT NULL,
    before      text,
    after       text,
    prev_hash   text NOT NULL,
    hash        text NOT NULL
);
CREATE INDEX audit_record ON audit_log (record_type, record_id, seq);
CREATE INDEX audit_actor ON audit_log (actor, seq);
CREATE INDEX audit_at ON audit_log (at);

CREATE TABLE audit_head (
    id   integer PRIMARY KEY CHECK (id = 1),
    seq  bigint NOT NULL,
    hash text NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
