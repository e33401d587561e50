-- Targets as records: an indicator (docs/indicators.md), whose figure it is (the whole
-- programme, a region, an agency or a mentor), the value, the period or deadline, and the
-- source of the promise. A target is withdrawn, not deleted (`withdrawn_at`).
CREATE TABLE targets (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    indicator      TEXT NOT NULL,
    region_code    TEXT REFERENCES regions (code),
    agency_code    TEXT REFERENCES agencies (code),
    mentor_user_id bigint REFERENCES users (id),
    value          bigint NOT NULL CHECK (value > 0),
    from_on        date,
    deadline       date NOT NULL,
    source         TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     timestamptz NOT NULL,
    withdrawn_at   timestamptz
);
