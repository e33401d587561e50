-- One person, several programmes. `people` holds the identity of everyone in a programme
-- other than Jakpreneur (Jakpreneur's members keep theirs in `members`, as before): the
-- NIK encrypted and keyed-hashed exactly like a member's, name, birth date and sex. The
-- keyed hash is the identity: a person and a member with the same `nik_hash` are one
-- person, so a Jakpreneur member who joins job training is found, not copied twice.
CREATE TABLE people (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    nik_hash    bytea UNIQUE,
    nik_cipher  bytea,
    full_name   text,
    birth_date  date,
    sex         text NOT NULL CHECK (sex IN ('F', 'M')),
    erased_at   timestamptz,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CHECK (erased_at IS NOT NULL OR (nik_hash IS NOT NULL AND nik_cipher IS NOT NULL
        AND full_name IS NOT NULL AND birth_date IS NOT NULL))
);

-- Programmes name the prefix of their membership numbers and the agency credited by default.
ALTER TABLE programmes ADD COLUMN number_prefix text;
ALTER TABLE programmes ADD COLUMN lead_agency text;

-- A person's membership of a programme other than Jakpreneur: its own number, consent,
-- status, contact and region. Every programme defined in data uses this table; none needs
-- one of its own.
CREATE TABLE programme_enrolments (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme         text NOT NULL REFERENCES programmes (code),
    person_id         bigint NOT NULL REFERENCES people (id),
    enrolment_no      text NOT NULL UNIQUE,
    phone             text,
    address           text,
    province_code     text NOT NULL,
    city_code         text NOT NULL,
    district_code     text NOT NULL,
    village_code      text NOT NULL REFERENCES regions (code),
    registered_on     date NOT NULL,
    status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    withdrawn_on      date,
    withdrawal_reason text,
    consent_version   text NOT NULL,
    consent_at        timestamptz NOT NULL,
    -- The Jakpreneur member this enrolment was referred to, if any.
    referred_member_no text,
    version           bigint NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    UNIQUE (programme, person_id)
);
CREATE INDEX programme_enrolments_programme_city ON programme_enrolments (programme, city_code, id);
CREATE INDEX programme_enrolments_programme_district ON programme_enrolments (programme, district_code, id);
CREATE INDEX programme_enrolments_person ON programme_enrolments (person_id);

-- Enrolment numbers are <PREFIX>-<city digits>-<sequence>; one sequence per programme and city.
CREATE TABLE programme_number_counters (
    programme text NOT NULL,
    city_code text NOT NULL,
    last_seq  bigint NOT NULL CHECK (last_seq > 0),
    PRIMARY KEY (programme, city_code)
);

-- The ledger of an enrolment: append-only like `member_events`, voids included.
CREATE TABLE programme_events (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enrolment_id     bigint NOT NULL REFERENCES programme_enrolments (id),
    programme        text NOT NULL,
    stage            text NOT NULL,
    kind             text NOT NULL,
    qualifying       boolean NOT NULL,
    occurred_on      date NOT NULL,
    place_code       text REFERENCES regions (code),
    agency_code      text NOT NULL,
    recorded_by      text NOT NULL,
    reference        text,
    note             text,
    idempotency_key  text,
    voids_event_id   bigint REFERENCES programme_events (id),
    created_at       timestamptz NOT NULL,
    CHECK ((kind = 'void') = (voids_event_id IS NOT NULL))
);
CREATE INDEX programme_events_enrolment ON programme_events (enrolment_id, stage, occurred_on);
CREATE UNIQUE INDEX programme_events_voids ON programme_events (voids_event_id)
    WHERE voids_event_id IS NOT NULL;
CREATE UNIQUE INDEX programme_events_idempotency ON programme_events (recorded_by, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- Each enrolment's first non-voided qualifying event per stage, kept with the event.
CREATE TABLE programme_reaches (
    enrolment_id     bigint NOT NULL REFERENCES programme_enrolments (id),
    programme        text NOT NULL,
    stage            text NOT NULL,
    first_reached_on date NOT NULL,
    event_id         bigint NOT NULL REFERENCES programme_events (id),
    agency_code      text NOT NULL,
    PRIMARY KEY (enrolment_id, stage)
);
CREATE INDEX programme_reaches_reached ON programme_reaches (programme, stage, first_reached_on);

-- Job training's placement outcomes (programme `pelatihan_kerja`, stage K4): each writes
-- its ledger event; a voided one keeps its row, marked.
CREATE TABLE placements (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enrolment_id bigint NOT NULL REFERENCES programme_enrolments (id),
    outcome      text NOT NULL CHECK (outcome IN ('hired', 'self_employed', 'not_placed')),
    employer     text,
    placed_on    date NOT NULL,
    wage_band    text CHECK (wage_band IN ('below_min', 'min_to_1_5', 'above_1_5')),
    event_id     bigint NOT NULL REFERENCES programme_events (id),
    voided_at    timestamptz,
    void_reason  text,
    recorded_by  text NOT NULL,
    created_at   timestamptz NOT NULL,
    CHECK ((outcome = 'hired') = (employer IS NOT NULL))
);
CREATE INDEX placements_enrolment ON placements (enrolment_id);
