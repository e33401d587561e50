-- Facility P5: market access. Bazaars (including the monthly three-day bazaar at City
-- Hall), exhibitions (local, national, international) and outlets, and the members taking
-- part; each participation writes its qualifying ledger event (kind = the market kind).

CREATE TABLE market_events (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('bazaar', 'exhibition', 'outlet')),
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('local', 'national', 'international')),
    place_code  TEXT REFERENCES regions (code),
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL,
    agency_code TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX market_events_starts ON market_events (starts_on, id);

CREATE TABLE market_participants (
    market_event_id INTEGER NOT NULL REFERENCES market_events (id),
    member_id       INTEGER NOT NULL REFERENCES members (id),
    event_id        INTEGER NOT NULL REFERENCES member_events (id),
    created_at      TEXT NOT NULL,
    PRIMARY KEY (market_event_id, member_id)
);
