-- Facility P7, capital: financing partners (banks, fintechs, cooperatives, government
-- funds), partner accounts tied to one partner, and referrals of members who agreed to
-- have their data sent. A referral writes `financing_referred`; the partner's decision
-- `financing_approved` or `financing_rejected` (with its reason); the disbursement
-- `financing_disbursed`, which reaches P7.

CREATE TABLE financing_partners (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('bank', 'fintech', 'cooperative', 'government_fund')),
    created_at timestamptz NOT NULL
);

ALTER TABLE users ADD COLUMN partner_code TEXT REFERENCES financing_partners (code);

CREATE TABLE referrals (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id          bigint NOT NULL REFERENCES members (id),
    partner_code       TEXT NOT NULL REFERENCES financing_partners (code),
    purpose            TEXT NOT NULL,
    amount_requested   bigint NOT NULL CHECK (amount_requested > 0),
    consent_at         timestamptz NOT NULL,
    referred_on        date NOT NULL,
    referred_event_id  bigint NOT NULL REFERENCES member_events (id),
    status             TEXT NOT NULL CHECK (status IN ('referred', 'approved', 'rejected', 'disbursed')),
    decided_on         date,
    decided_by         TEXT,
    decision_reason    TEXT,
    amount_approved    bigint CHECK (amount_approved > 0),
    decision_event_id  bigint REFERENCES member_events (id),
    disbursed_on       date,
    amount_disbursed   bigint CHECK (amount_disbursed > 0),
    loan_reference     TEXT,
    disbursed_event_id bigint REFERENCES member_events (id),
    agency_code        TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    created_at         timestamptz NOT NULL
);
CREATE INDEX referrals_partner ON referrals (partner_code, status, id);
CREATE INDEX referrals_member ON referrals (member_id);
