-- The member registry (facility P1) and the reference tables it points to.
-- Reference rows (regions, sectors) are loaded from the embedded CSV files by
-- `Store::migrate`, never typed into migrations. Identifiers are text with a CHECK, not
-- char(n): comparing char(n) with a text parameter skips the index.

CREATE TABLE regions (
    code        text PRIMARY KEY CHECK (code ~ '^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$'),
    level       text NOT NULL CHECK (level IN ('province', 'city', 'district', 'village')),
    name        text NOT NULL,
    parent_code text REFERENCES regions (code)
);

CREATE TABLE sectors (
    code    text PRIMARY KEY CHECK (code ~ '^[A-Z]$'),
    name_id text NOT NULL,
    name_en text NOT NULL
);

-- Member numbers are JP-<city digits>-<sequence>; one sequence per city.
CREATE TABLE member_no_counters (
    city_code text PRIMARY KEY,
    last_seq  bigint NOT NULL CHECK (last_seq > 0)
);

CREATE TABLE members (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_no         text NOT NULL UNIQUE,
    nik               text NOT NULL UNIQUE CHECK (nik ~ '^\d{16}$'),
    full_name         text NOT NULL,
    birth_date        date NOT NULL,
    sex               text NOT NULL CHECK (sex IN ('F', 'M')),
    phone             text NOT NULL CHECK (phone ~ '^\+62\d{7,12}$'),
    email             text,
    address           text NOT NULL,
    -- The business's region at every level, so a filter at any level is one indexed equality.
    province_code     text NOT NULL,
    city_code         text NOT NULL,
    district_code     text NOT NULL,
    village_code      text NOT NULL REFERENCES regions (code),
    business_name     text NOT NULL,
    sector            text NOT NULL REFERENCES sectors (code),
    channel           text NOT NULL CHECK (channel IN ('centre', 'online')),
    registered_on     date NOT NULL,
    status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    withdrawn_on      date,
    withdrawal_reason text,
    version           bigint NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);

CREATE INDEX members_city ON members (city_code, id);
CREATE INDEX members_district ON members (district_code, id);
CREATE INDEX members_village ON members (village_code, id);
CREATE INDEX members_registered ON members (registered_on, id);
CREATE INDEX members_sector ON members (sector, id);
