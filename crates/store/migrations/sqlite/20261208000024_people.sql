-- One person, several programmes. `people` holds the identity of everyone in a programme
-- other than Jakpreneur (Jakpreneur's members keep theirs in `members`, as before): the
-- NIK encrypted and keyed-hashed exactly like a member's, name, birth TEXT and sex. The
-- keyed hash is the identity: a person and a member with the same `nik_hash` are one
-- person, so a Jakpreneur member who joins job training is found, not copied twice.
CREATE TABLE people (
    id          INTEGER PRIMARY KEY,
    nik_hash    BLOB UNIQUE,
    nik_cipher  BLOB,
    full_name   TEXT,
    birth_date  TEXT,
    sex         TEXT NOT NULL CHECK (sex IN ('F', 'M')),
    erased_at   TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK (erased_at IS NOT NULL OR (nik_hash IS NOT NULL AND nik_cipher IS NOT NULL
        AND full_name IS NOT NULL AND birth_date IS NOT NULL))
);

-- Programmes name the prefix of their membership numbers and the agency credited by default.
ALTER TABLE programmes ADD COLUMN number_prefix TEXT;
ALTER TABLE programmes ADD COLUMN lead_agency TEXT;

-- A person's membership of a programme other than Jakpreneur: its own number, consent,
-- status, contact and region. Every programme defined in data uses this table; none needs
-- one of its own.
CREATE TABLE programme_enrolments (
    id                INTEGER PRIMARY KEY,
    programme         TEXT NOT NULL REFERENCES programmes (code),
    person_id         INTEGER NOT NULL REFERENCES people (id),
    enrolment_no      TEXT NOT NULL UNIQUE,
    phone             TEXT,
    address           TEXT,
    province_code     TEXT NOT NULL,
    city_code         TEXT NOT NULL,
    district_code     TEXT NOT NULL,
    village_code      TEXT NOT NULL REFERENCES regions (code),
    registered_on     TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    withdrawn_on      TEXT,
    withdrawal_reason TEXT,
    consent_version   TEXT NOT NULL,
    consent_at        TEXT NOT NULL,
    -- The Jakpreneur member this enrolment was referred to, if any.
    referred_member_no TEXT,
    version           INTEGER NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (programme, person_id)
);
CREATE INDEX programme_enrolments_programme_city ON programme_enrolments (programme, city_code, id);
CREATE INDEX programme_enrolments_programme_district ON programme_enrolments (programme, district_code, id);
CREATE INDEX programme_enrolments_person ON programme_enrolments (person_id);

-- Enrolment numbers are <PREFIX>-<city digits>-<sequence>; one sequence per programme and city.
CREATE TABLE programme_number_counters (
    programme TEXT NOT NULL,
    city_code TEXT NOT NULL,
    last_seq  INTEGER NOT NULL CHECK (last_seq > 0),
    PRIMARY KEY (programme, city_code)
);

-- The ledger of an enrolment: append-only like `member_events`, voids included.
CREATE TABLE programme_events (
    id               INTEGER PRIMARY KEY,
    enrolment_id     INTEGER NOT NULL REFERENCES programme_enrolments (id),
    programme        TEXT NOT NULL,
    stage            TEXT NOT NULL,
    kind             TEXT NOT NULL,
    qualifying       INTEGER NOT NULL,
    occurred_on      TEXT NOT NULL,
    place_code       TEXT REFERENCES regions (code),
    agency_code      TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    reference        TEXT,
    note             TEXT,
    idempotency_key  TEXT,
    voids_event_id   INTEGER REFERENCES programme_events (id),
    created_at       TEXT NOT NULL,
    CHECK ((kind = 'void') = (voids_event_id IS NOT NULL))
);
CREATE INDEX programme_events_enrolment ON programme_events (enrolment_id, stage, occurred_on);
CREATE UNIQUE INDEX programme_events_voids ON programme_events (voids_event_id)
    WHERE voids_event_id IS NOT NULL;
CREATE UNIQUE INDEX programme_events_idempotency ON programme_events (recorded_by, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- Each enrolment's first non-voided qualifying event per stage, kept with the event.
CREATE TABLE programme_reaches (
    enrolment_id     INTEGER NOT NULL REFERENCES programme_enrolments (id),
    programme        TEXT NOT NULL,
    stage            TEXT NOT NULL,
    first_reached_on TEXT NOT NULL,
    event_id         INTEGER NOT NULL REFERENCES programme_events (id),
    agency_code      TEXT NOT NULL,
    PRIMARY KEY (enrolment_id, stage)
);
CREATE INDEX programme_reaches_reached ON programme_reaches (programme, stage, first_reached_on);

-- Job training's placement outcomes (programme `pelatihan_kerja`, stage K4): each writes
-- its ledger event; a voided one keeps its row, marked.
CREATE TABLE placements (
    id           INTEGER PRIMARY KEY,
    enrolment_id INTEGER NOT NULL REFERENCES programme_enrolments (id),
    outcome      TEXT NOT NULL CHECK (outcome IN ('hired', 'self_employed', 'not_placed')),
    employer     TEXT,
    placed_on    TEXT NOT NULL,
    wage_band    TEXT CHECK (wage_band IN ('below_min', 'min_to_1_5', 'above_1_5')),
    event_id     INTEGER NOT NULL REFERENCES programme_events (id),
    voided_at    TEXT,
    void_reason  TEXT,
    recorded_by  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    CHECK ((outcome = 'hired') = (employer IS NOT NULL))
);
CREATE INDEX placements_enrolment ON placements (enrolment_id);
