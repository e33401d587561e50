-- The ledger: every service a member receives is an append-only event. A correction is a
-- new event that voids an old one (`voids_event_id`); nothing is updated or deleted.
-- `member_facility` holds each member's first non-voided qualifying event per stage, and
-- `facility_daily` counts, per village, stage and day, the members first reaching the
-- stage and the qualifying events; both are kept in the transaction that writes the event.
--
-- Programmes (stages, kinds, order rules) and agencies are data: the embedded files in
-- crates/core/data/programmes/ are copied into their tables by `Store::migrate`.

CREATE TABLE agencies (
    code    TEXT PRIMARY KEY,
    name_id TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE programmes (
    code    TEXT PRIMARY KEY,
    name_id TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE programme_stages (
    programme TEXT NOT NULL REFERENCES programmes (code),
    stage     TEXT NOT NULL,
    position  INTEGER NOT NULL,
    name_id   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    PRIMARY KEY (programme, stage)
);

CREATE TABLE event_kinds (
    programme  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    stage      TEXT NOT NULL,
    qualifying INTEGER NOT NULL,
    PRIMARY KEY (programme, kind),
    FOREIGN KEY (programme, stage) REFERENCES programme_stages (programme, stage)
);

CREATE TABLE programme_rules (
    programme      TEXT NOT NULL REFERENCES programmes (code),
    effective_from TEXT NOT NULL,
    rule           TEXT NOT NULL CHECK (rule IN ('sequential', 'free')),
    PRIMARY KEY (programme, effective_from)
);

-- Staff belong to an agency; their events are credited to it unless they name another.
ALTER TABLE users ADD COLUMN agency_code TEXT;

CREATE TABLE member_events (
    id               INTEGER PRIMARY KEY,
    member_id        INTEGER NOT NULL REFERENCES members (id),
    programme        TEXT NOT NULL,
    stage            TEXT NOT NULL,
    -- A voiding event has kind 'void' and names the event it voids.
    kind             TEXT NOT NULL,
    qualifying       INTEGER NOT NULL,
    occurred_on      TEXT NOT NULL,
    place_code       TEXT REFERENCES regions (code),
    agency_code      TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    recorded_by_user INTEGER,
    reference        TEXT,
    note             TEXT,
    -- The client's Idempotency-Key: a retried request finds its event instead of adding one.
    idempotency_key  TEXT,
    voids_event_id   INTEGER REFERENCES member_events (id),
    created_at       TEXT NOT NULL,
    CHECK ((kind = 'void') = (voids_event_id IS NOT NULL))
);
CREATE INDEX member_events_member ON member_events (member_id, programme, stage, occurred_on);
-- Partial indexes: nearly every row has neither a void nor a key, and an index full of
-- NULLs looks useless to the planner (it scanned the table instead; see BENCHMARKS.md).
CREATE UNIQUE INDEX member_events_voids ON member_events (voids_event_id)
    WHERE voids_event_id IS NOT NULL;
CREATE UNIQUE INDEX member_events_idempotency ON member_events (recorded_by, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

CREATE TABLE member_facility (
    member_id        INTEGER NOT NULL REFERENCES members (id),
    programme        TEXT NOT NULL,
    stage            TEXT NOT NULL,
    first_reached_on TEXT NOT NULL,
    event_id         INTEGER NOT NULL REFERENCES member_events (id),
    PRIMARY KEY (member_id, programme, stage)
);
CREATE INDEX member_facility_reached ON member_facility (programme, stage, first_reached_on);

CREATE TABLE facility_daily (
    village_code TEXT NOT NULL,
    programme    TEXT NOT NULL,
    stage        TEXT NOT NULL,
    day          TEXT NOT NULL,
    -- Members whose first qualifying event for the stage is on this day.
    reached      INTEGER NOT NULL DEFAULT 0 CHECK (reached >= 0),
    -- Non-voided qualifying events dated this day.
    events       INTEGER NOT NULL DEFAULT 0 CHECK (events >= 0),
    PRIMARY KEY (village_code, programme, stage, day)
);

-- Members registered before the ledger existed get their registration event (P1), at
-- their registration date, credited to the SME department.
INSERT INTO member_events (member_id, programme, stage, kind, qualifying, occurred_on,
    place_code, agency_code, recorded_by, created_at)
SELECT id, 'jakpreneur', 'P1', 'registered', TRUE, registered_on,
    CASE WHEN channel = 'centre' THEN district_code END, 'PPKUKM', 'migration', created_at
FROM members ORDER BY id;

INSERT INTO member_facility (member_id, programme, stage, first_reached_on, event_id)
SELECT member_id, programme, stage, occurred_on, id FROM member_events WHERE kind = 'registered';

INSERT INTO facility_daily (village_code, programme, stage, day, reached, events)
SELECT village_code, 'jakpreneur', 'P1', registered_on, COUNT(*), COUNT(*)
FROM members GROUP BY village_code, registered_on;
