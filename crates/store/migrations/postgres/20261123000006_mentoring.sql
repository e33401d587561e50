-- Facility P3: mentoring. A member has at most one active mentor (an account with the
-- mentor role); mentoring sessions carry their topics, notes and follow-ups with due
-- dates. Assignment writes `mentoring_assigned`, a session `mentoring_session` (which
-- reaches P3) to the ledger, in the same transaction.

CREATE TABLE mentor_assignments (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id      bigint NOT NULL REFERENCES members (id),
    mentor_user_id bigint NOT NULL REFERENCES users (id),
    assigned_on    date NOT NULL,
    ended_on       date,
    event_id       bigint NOT NULL REFERENCES member_events (id),
    created_at     timestamptz NOT NULL
);
CREATE UNIQUE INDEX mentor_assignments_active ON mentor_assignments (member_id) WHERE ended_on IS NULL;
CREATE INDEX mentor_assignments_mentor ON mentor_assignments (mentor_user_id);

CREATE TABLE mentoring_sessions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id      bigint NOT NULL REFERENCES members (id),
    mentor_user_id bigint REFERENCES users (id),
    held_on        date NOT NULL,
    topics         TEXT NOT NULL,
    notes          TEXT,
    event_id       bigint NOT NULL REFERENCES member_events (id),
    created_at     timestamptz NOT NULL
);
CREATE INDEX mentoring_sessions_member ON mentoring_sessions (member_id, held_on);

CREATE TABLE follow_ups (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id     bigint NOT NULL REFERENCES mentoring_sessions (id),
    member_id      bigint NOT NULL REFERENCES members (id),
    mentor_user_id bigint REFERENCES users (id),
    action         TEXT NOT NULL,
    due_on         date NOT NULL,
    done_on        date,
    created_at     timestamptz NOT NULL
);
CREATE INDEX follow_ups_open ON follow_ups (mentor_user_id, due_on) WHERE done_on IS NULL;
