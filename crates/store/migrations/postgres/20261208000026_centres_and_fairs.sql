-- Job training's places and job fairs. A training centre (Pusat Pelatihan Kerja, or a
-- Sudin office such as Kepulauan Seribu's) has a capacity: the trainees it can hold in
-- training at once (active enrolments there that have not reached K2), counted when a
-- trainee is enrolled there, under a lock on the centre's row. A job fair in a
-- city brings employers' vacancies, trainees' applications and hires; a hire is a
-- placement, written with it.
CREATE TABLE training_centres (
    code          text PRIMARY KEY CHECK (code ~ '^[A-Z0-9-]{2,20}$'),
    name          text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('centre', 'office')),
    district_code text NOT NULL REFERENCES regions (code),
    city_code     text NOT NULL,
    address       text NOT NULL,
    capacity      integer NOT NULL CHECK (capacity > 0),
    created_at    timestamptz NOT NULL
);

ALTER TABLE programme_enrolments ADD COLUMN centre_code text REFERENCES training_centres (code);

CREATE TABLE job_fairs (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title      text NOT NULL,
    city_code  text NOT NULL REFERENCES regions (code),
    held_on    date NOT NULL,
    place      text NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX job_fairs_city ON job_fairs (city_code, held_on);

CREATE TABLE job_fair_vacancies (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fair_id  bigint NOT NULL REFERENCES job_fairs (id),
    employer text NOT NULL,
    position text NOT NULL,
    openings integer NOT NULL CHECK (openings > 0),
    hired    integer NOT NULL DEFAULT 0 CHECK (hired >= 0 AND hired <= openings)
);
CREATE INDEX job_fair_vacancies_fair ON job_fair_vacancies (fair_id);

CREATE TABLE job_fair_applications (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    vacancy_id   bigint NOT NULL REFERENCES job_fair_vacancies (id),
    enrolment_id bigint NOT NULL REFERENCES programme_enrolments (id),
    status       text NOT NULL DEFAULT 'applied' CHECK (status IN ('applied', 'hired', 'rejected')),
    applied_on   date NOT NULL,
    decided_on   date,
    placement_id bigint REFERENCES placements (id),
    created_at   timestamptz NOT NULL,
    UNIQUE (vacancy_id, enrolment_id)
);
CREATE INDEX job_fair_applications_enrolment ON job_fair_applications (enrolment_id);
