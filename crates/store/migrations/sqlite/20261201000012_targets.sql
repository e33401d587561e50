-- Targets as records: an indicator (docs/indicators.md), whose figure it is (the whole
-- programme, a region, an agency or a mentor), the value, the period or deadline, and the
-- source of the promise. A target is withdrawn, not deleted (`withdrawn_at`).
CREATE TABLE targets (
    id             INTEGER PRIMARY KEY,
    indicator      TEXT NOT NULL,
    region_code    TEXT REFERENCES regions (code),
    agency_code    TEXT REFERENCES agencies (code),
    mentor_user_id INTEGER REFERENCES users (id),
    value          INTEGER NOT NULL CHECK (value > 0),
    from_on        TEXT,
    deadline       TEXT NOT NULL,
    source         TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    withdrawn_at   TEXT
);
