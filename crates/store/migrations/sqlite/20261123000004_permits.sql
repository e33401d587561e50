-- Facility P4: permit applications and their outcome. Each step also writes its event to
-- the ledger (permit_applied, permit_issued, permit_rejected); issuing is what makes the
-- member reach P4.

CREATE TABLE permits (
    id                INTEGER PRIMARY KEY,
    member_id         INTEGER NOT NULL REFERENCES members (id),
    permit_type       TEXT NOT NULL CHECK (permit_type IN ('nib', 'npwp', 'halal', 'pirt', 'hki',
                          'bpom', 'sni', 'tkdn', 'other')),
    status            TEXT NOT NULL CHECK (status IN ('applied', 'in_process', 'issued', 'rejected')),
    applied_on        TEXT NOT NULL,
    number            TEXT,
    issued_on         TEXT,
    expires_on        TEXT,
    rejected_on       TEXT,
    rejection_reason  TEXT,
    agency_code       TEXT NOT NULL,
    applied_event_id  INTEGER NOT NULL REFERENCES member_events (id),
    decision_event_id INTEGER REFERENCES member_events (id),
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    CHECK ((status = 'issued') = (number IS NOT NULL AND issued_on IS NOT NULL)),
    CHECK ((status = 'rejected') = (rejected_on IS NOT NULL AND rejection_reason IS NOT NULL))
);
CREATE INDEX permits_member ON permits (member_id, id);
CREATE INDEX permits_expiring ON permits (expires_on) WHERE status = 'issued' AND expires_on IS NOT NULL;
