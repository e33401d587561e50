-- Job-training classes: a class at a centre with its seats, dates and sessions. A regular
-- class meets at its centre; a mobile training unit's class meets where each session
-- says. Enrolling a trainee, their attendance at a session and their competency
-- assessment each write the trainee's service (K2) in the same transaction.
CREATE TABLE job_classes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    centre_code text NOT NULL REFERENCES training_centres (code),
    title       text NOT NULL,
    mode        text NOT NULL CHECK (mode IN ('regular', 'mobile')),
    starts_on   date NOT NULL,
    ends_on     date NOT NULL,
    sessions    integer NOT NULL CHECK (sessions > 0),
    capacity    integer NOT NULL CHECK (capacity > 0),
    enrolled    integer NOT NULL DEFAULT 0 CHECK (enrolled >= 0 AND enrolled <= capacity),
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL,
    CHECK (ends_on >= starts_on)
);

CREATE TABLE job_class_sessions (
    class_id   bigint NOT NULL REFERENCES job_classes (id),
    session_no integer NOT NULL CHECK (session_no > 0),
    held_on    date NOT NULL,
    place_code text NOT NULL REFERENCES regions (code),
    PRIMARY KEY (class_id, session_no)
);

CREATE TABLE job_class_trainees (
    class_id     bigint NOT NULL REFERENCES job_classes (id),
    enrolment_id bigint NOT NULL REFERENCES programme_enrolments (id),
    attended     integer NOT NULL DEFAULT 0 CHECK (attended >= 0),
    assessment   text CHECK (assessment IN ('competent', 'not_yet_competent')),
    PRIMARY KEY (class_id, enrolment_id)
);

CREATE TABLE job_class_attendance (
    class_id     bigint NOT NULL,
    session_no   integer NOT NULL,
    enrolment_id bigint NOT NULL,
    event_id     bigint NOT NULL REFERENCES programme_events (id),
    PRIMARY KEY (class_id, session_no, enrolment_id),
    FOREIGN KEY (class_id, session_no) REFERENCES job_class_sessions (class_id, session_no)
);
