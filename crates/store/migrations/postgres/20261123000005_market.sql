-- Facility P5: market access. Bazaars (including the monthly three-day bazaar at City
-- Hall), exhibitions (local, national, international) and outlets, and the members taking
-- part; each participation writes its qualifying ledger event (kind = the market kind).

CREATE TABLE market_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('bazaar', 'exhibition', 'outlet')),
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('local', 'national', 'international')),
    place_code  TEXT REFERENCES regions (code),
    starts_on   date NOT NULL,
    ends_on     date NOT NULL,
    agency_code TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  timestamptz NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX market_events_starts ON market_events (starts_on, id);

CREATE TABLE market_participants (
    market_event_id bigint NOT NULL REFERENCES market_events (id),
    member_id       bigint NOT NULL REFERENCES members (id),
    event_id        bigint NOT NULL REFERENCES member_events (id),
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (market_event_id, member_id)
);
