-- Accounts, sessions, API tokens, the audit log, and personal data out of the clear.
--
-- The NIK moves into `nik_cipher` (XChaCha20-Poly1305) and `nik_hash` (HMAC-SHA-256,
-- unique). SQL cannot encrypt without the key, so rows of an older database keep their
-- NIK in `nik_legacy` until `Store::attach_key` converts them (then VACUUMs the file).
-- Personal fields become nullable: erasure sets them to NULL.

CREATE TABLE members_v2 (
    id                INTEGER PRIMARY KEY,
    member_no         TEXT NOT NULL UNIQUE,
    nik_hash          BLOB UNIQUE,
    nik_cipher        BLOB,
    nik_legacy        TEXT,
    full_name         TEXT,
    birth_date        TEXT,
    sex               TEXT NOT NULL CHECK (sex IN ('F', 'M')),
    phone             TEXT,
    email             TEXT,
    address           TEXT,
    province_code     TEXT NOT NULL,
    city_code         TEXT NOT NULL,
    district_code     TEXT NOT NULL,
    village_code      TEXT NOT NULL REFERENCES regions (code),
    business_name     TEXT NOT NULL,
    sector            TEXT NOT NULL REFERENCES sectors (code),
    channel           TEXT NOT NULL CHECK (channel IN ('centre', 'online')),
    registered_on     TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    withdrawn_on      TEXT,
    withdrawal_reason TEXT,
    consent_version   TEXT,
    consent_at        TEXT,
    erased_at         TEXT,
    version           INTEGER NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    CHECK (erased_at IS NOT NULL OR (full_name IS NOT NULL AND birth_date IS NOT NULL
        AND phone IS NOT NULL AND address IS NOT NULL
        AND (nik_legacy IS NOT NULL OR (nik_hash IS NOT NULL AND nik_cipher IS NOT NULL))))
);

INSERT INTO members_v2 (id, member_no, nik_legacy, full_name, birth_date, sex, phone, email,
    address, province_code, city_code, district_code, village_code, business_name, sector,
    channel, registered_on, status, withdrawn_on, withdrawal_reason, version, created_at,
    updated_at)
SELECT id, member_no, nik, full_name, birth_date, sex, phone, email, address, province_code,
    city_code, district_code, village_code, business_name, sector, channel, registered_on,
    status, withdrawn_on, withdrawal_reason, version, created_at, updated_at
FROM members;

DROP TABLE members;
ALTER TABLE members_v2 RENAME TO members;

CREATE INDEX members_city ON members (city_code, id);
CREATE INDEX members_district ON members (district_code, id);
CREATE INDEX members_village ON members (village_code, id);
CREATE INDEX members_registered ON members (registered_on, id);
CREATE INDEX members_sector ON members (sector, id);
CREATE INDEX members_legacy ON members (id) WHERE nik_legacy IS NOT NULL;

-- One row per setting the database must remember (the data key's fingerprint).
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'province_officer', 'city_officer',
                        'district_officer', 'trainer', 'mentor', 'curator', 'buyer', 'partner',
                        'member')),
    region_code     TEXT REFERENCES regions (code),
    member_no       TEXT UNIQUE REFERENCES members (member_no),
    disabled_at     TEXT,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    password_changed_at TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Append-only; `hash` = SHA-256 over the entry and the previous entry's hash.
-- `audit_head` holds the last sequence number and hash: taking it is the chain's lock.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    user_id     INTEGER,
    actor       TEXT NOT NULL,
    address     TEXT,
    action      TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    before      TEXT,
    after       TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_record ON audit_log (record_type, record_id, seq);
CREATE INDEX audit_actor ON audit_log (actor, seq);
CREATE INDEX audit_at ON audit_log (at);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
