-- One-time codes a member asks for to create its own account: sent through the outbox to
-- the e-mail on its record, kept here only as a hash, valid for minutes, a few tries each.
CREATE TABLE member_signups (
    id          BIGSERIAL PRIMARY KEY,
    member_id   BIGINT NOT NULL REFERENCES members (id),
    code_hash   TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    used_at     TIMESTAMPTZ
);
CREATE INDEX member_signups_member ON member_signups (member_id, created_at);
