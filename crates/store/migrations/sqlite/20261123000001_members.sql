-- The member registry (facility P1) and the reference tables it points to.
-- Reference rows (regions, sectors) are loaded from the embedded CSV files by
-- `Store::migrate`, never typed into migrations.

CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    level       TEXT NOT NULL CHECK (level IN ('province', 'city', 'district', 'village')),
    name        TEXT NOT NULL,
    parent_code TEXT REFERENCES regions (code)
);

CREATE TABLE sectors (
    code    TEXT PRIMARY KEY CHECK (length(code) = 1),
    name_id TEXT NOT NULL,
    name_en TEXT NOT NULL
);

-- Member numbers are JP-<city digits>-<sequence>; one sequence per city.
CREATE TABLE member_no_counters (
    city_code TEXT PRIMARY KEY,
    last_seq  INTEGER NOT NULL CHECK (last_seq > 0)
);

CREATE TABLE members (
    id                INTEGER PRIMARY KEY,
    member_no         TEXT NOT NULL UNIQUE,
    nik               TEXT NOT NULL UNIQUE CHECK (length(nik) = 16),
    full_name         TEXT NOT NULL,
    birth_date        TEXT NOT NULL,
    sex               TEXT NOT NULL CHECK (sex IN ('F', 'M')),
    phone             TEXT NOT NULL,
    email             TEXT,
    address           TEXT NOT NULL,
    -- The business's region at every level, so a filter at any level is one indexed equality.
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
    version           INTEGER NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);

CREATE INDEX members_city ON members (city_code, id);
CREATE INDEX members_district ON members (district_code, id);
CREATE INDEX members_village ON members (village_code, id);
CREATE INDEX members_registered ON members (registered_on, id);
CREATE INDEX members_sector ON members (sector, id);
