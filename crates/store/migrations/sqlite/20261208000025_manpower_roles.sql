-- no-transaction
-- The manpower department's roles: its officers and job-training instructors. SQLite
-- cannot change a CHECK in place, so `users` is rebuilt the documented way (foreign keys
-- off outside a transaction, copy, drop, rename, check), with every column it has.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE users_rebuilt (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'province_officer', 'city_officer',
                        'district_officer', 'trainer', 'mentor', 'curator', 'buyer', 'partner',
                        'member', 'manpower_officer', 'instructor')),
    region_code     TEXT REFERENCES regions (code),
    member_no       TEXT UNIQUE REFERENCES members (member_no),
    disabled_at     TEXT,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    password_changed_at TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    agency_code     TEXT,
    partner_code    TEXT REFERENCES financing_partners (code),
    buyer_unit_code TEXT REFERENCES buyer_units (code),
    buyer_role      TEXT CHECK (buyer_role IN ('pa_kpa', 'ppk', 'procurement_officer', 'treasurer')),
    email           TEXT,
    totp_secret     BLOB,
    totp_pending    BLOB,
    totp_enabled_at TEXT,
    totp_last_step  INTEGER
);
INSERT INTO users_rebuilt (id, username, password_hash, role, region_code, member_no,
    disabled_at, failed_logins, locked_until, password_changed_at, created_at, version,
    agency_code, partner_code, buyer_unit_code, buyer_role, email, totp_secret, totp_pending,
    totp_enabled_at, totp_last_step)
SELECT id, username, password_hash, role, region_code, member_no, disabled_at, failed_logins,
    locked_until, password_changed_at, created_at, version, agency_code, partner_code,
    buyer_unit_code, buyer_role, email, totp_secret, totp_pending, totp_enabled_at,
    totp_last_step
FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
COMMIT;
PRAGMA foreign_keys = ON;
