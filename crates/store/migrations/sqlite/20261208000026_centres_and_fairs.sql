-- Job training's places and job fairs. A training centre (Pusat Pelatihan Kerja, or a
-- Sudin office such as Kepulauan Seribu's) has a capacity: the trainees it can hold in
-- training at once (active enrolments there that have not reached K2), counted when a
-- trainee is enrolled there, under a lock on the centre's row. A job fair in a
-- city brings employers' vacancies, trainees' applications and hires; a hire is a
-- placement, written with it.
CREATE TABLE training_centres (
    code          TEXT PRIMARY KEY CHECK (length(code) BETWEEN 2 AND 20 AND code NOT GLOB '*[^A-Z0-9-]*'),
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('centre', 'office')),
    district_code TEXT NOT NULL REFERENCES regions (code),
    city_code     TEXT NOT NULL,
    address       TEXT NOT NULL,
    capacity      INTEGER NOT NULL CHECK (capacity > 0),
    created_at    TEXT NOT NULL
);

ALTER TABLE programme_enrolments ADD COLUMN centre_code TEXT REFERENCES training_centres (code);

CREATE TABLE job_fairs (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    city_code  TEXT NOT NULL REFERENCES regions (code),
    held_on    TEXT NOT NULL,
    place      TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX job_fairs_city ON job_fairs (city_code, held_on);

CREATE TABLE job_fair_vacancies (
    id       INTEGER PRIMARY KEY,
    fair_id  INTEGER NOT NULL REFERENCES job_fairs (id),
    employer TEXT NOT NULL,
    position TEXT NOT NULL,
    openings INTEGER NOT NULL CHECK (openings > 0),
    hired    INTEGER NOT NULL DEFAULT 0 CHECK (hired >= 0 AND hired <= openings)
);
CREATE INDEX job_fair_vacancies_fair ON job_fair_vacancies (fair_id);

CREATE TABLE job_fair_applications (
    id           INTEGER PRIMARY KEY,
    vacancy_id   INTEGER NOT NULL REFERENCES job_fair_vacancies (id),
    enrolment_id INTEGER NOT NULL REFERENCES programme_enrolments (id),
    status       TEXT NOT NULL DEFAULT 'applied' CHECK (status IN ('applied', 'hired', 'rejected')),
    applied_on   TEXT NOT NULL,
    decided_on   TEXT,
    placement_id INTEGER REFERENCES placements (id),
    created_at   TEXT NOT NULL,
    UNIQUE (vacancy_id, enrolment_id)
);
CREATE INDEX job_fair_applications_enrolment ON job_fair_applications (enrolment_id);
