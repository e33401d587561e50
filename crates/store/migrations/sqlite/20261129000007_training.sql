-- Facilities P2 (training) and the finance classes of P6: courses, their classes (dates,
-- place, capacity, trainer, number of sessions), enrolments and attendance per session.
-- Enrolment writes `training_enrolled` (or `finance_training_enrolled`), each attended
-- session `…_attended`, and completion (attended at least 80% of the sessions)
-- `training_completed` / `finance_training_completed` with a certificate number, all in
-- the same transaction as the record.

CREATE TABLE courses (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    topic       TEXT NOT NULL,
    hours       INTEGER NOT NULL CHECK (hours BETWEEN 1 AND 1000),
    stage       TEXT NOT NULL CHECK (stage IN ('P2', 'P6')),
    agency_code TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE classes (
    id              INTEGER PRIMARY KEY,
    course_id       INTEGER NOT NULL REFERENCES courses (id),
    starts_on       TEXT NOT NULL,
    ends_on         TEXT NOT NULL,
    sessions        INTEGER NOT NULL CHECK (sessions BETWEEN 1 AND 100),
    place_code      TEXT REFERENCES regions (code),
    capacity        INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
    enrolled        INTEGER NOT NULL DEFAULT 0,
    -- Certificates numbered so far; numbers are never reused.
    certificates_issued INTEGER NOT NULL DEFAULT 0,
    trainer_user_id INTEGER REFERENCES users (id),
    agency_code     TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    CHECK (ends_on >= starts_on),
    CHECK (enrolled BETWEEN 0 AND capacity)
);
CREATE INDEX classes_starts ON classes (starts_on, id);
CREATE INDEX classes_course ON classes (course_id);

CREATE TABLE enrolments (
    class_id           INTEGER NOT NULL REFERENCES classes (id),
    member_id          INTEGER NOT NULL REFERENCES members (id),
    enrolled_on        TEXT NOT NULL,
    event_id           INTEGER NOT NULL REFERENCES member_events (id),
    completed_event_id INTEGER REFERENCES member_events (id),
    certificate_no     TEXT UNIQUE,
    created_at         TEXT NOT NULL,
    PRIMARY KEY (class_id, member_id)
);
CREATE INDEX enrolments_member ON enrolments (member_id);

CREATE TABLE attendance (
    class_id    INTEGER NOT NULL,
    member_id   INTEGER NOT NULL,
    session_no  INTEGER NOT NULL CHECK (session_no >= 1),
    attended_on TEXT NOT NULL,
    event_id    INTEGER NOT NULL REFERENCES member_events (id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (class_id, member_id, session_no),
    FOREIGN KEY (class_id, member_id) REFERENCES enrolments (class_id, member_id)
);
