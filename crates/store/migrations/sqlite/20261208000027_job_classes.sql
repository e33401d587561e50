-- Job-training classes: a class at a centre with its seats, dates and sessions. A regular
-- class meets at its centre; a mobile training unit's class meets where each session
-- says. Enrolling a trainee, their attendance at a session and their competency
-- assessment each write the trainee's service (K2) in the same transaction.
CREATE TABLE job_classes (
    id          INTEGER PRIMARY KEY,
    centre_code TEXT NOT NULL REFERENCES training_centres (code),
    title       TEXT NOT NULL,
    mode        TEXT NOT NULL CHECK (mode IN ('regular', 'mobile')),
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL,
    sessions    INTEGER NOT NULL CHECK (sessions > 0),
    capacity    INTEGER NOT NULL CHECK (capacity > 0),
    enrolled    INTEGER NOT NULL DEFAULT 0 CHECK (enrolled >= 0 AND enrolled <= capacity),
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CHECK (ends_on >= starts_on)
);

CREATE TABLE job_class_sessions (
    class_id   INTEGER NOT NULL REFERENCES job_classes (id),
    session_no INTEGER NOT NULL CHECK (session_no > 0),
    held_on    TEXT NOT NULL,
    place_code TEXT NOT NULL REFERENCES regions (code),
    PRIMARY KEY (class_id, session_no)
);

CREATE TABLE job_class_trainees (
    class_id     INTEGER NOT NULL REFERENCES job_classes (id),
    enrolment_id INTEGER NOT NULL REFERENCES programme_enrolments (id),
    attended     INTEGER NOT NULL DEFAULT 0 CHECK (attended >= 0),
    assessment   TEXT CHECK (assessment IN ('competent', 'not_yet_competent')),
    PRIMARY KEY (class_id, enrolment_id)
);

CREATE TABLE job_class_attendance (
    class_id     INTEGER NOT NULL,
    session_no   INTEGER NOT NULL,
    enrolment_id INTEGER NOT NULL,
    event_id     INTEGER NOT NULL REFERENCES programme_events (id),
    PRIMARY KEY (class_id, session_no, enrolment_id),
    FOREIGN KEY (class_id, session_no) REFERENCES job_class_sessions (class_id, session_no)
);
