-- Counters for the statistics (docs/indicators.md), replacing `facility_daily`. Each row
-- is a sum of member contributions (`jakpreneur_core::stats`), kept in the transaction
-- that changes a member's services or facts. Days are kept per village only; months and
-- years per region at every level (province, city, district, village), so a report for
-- any region reads a few hundred rows: years before, months before, days of the month.
-- `reached` holds changes of stocks (+1 on a first reach; for `active`, −1 on the day a
-- member stops being active), `events` qualifying services (every service, for dim `kind`).
CREATE TABLE stat_counts (
    programme   TEXT NOT NULL,
    dim         TEXT NOT NULL,
    region_code TEXT NOT NULL,
    grain       TEXT NOT NULL CHECK (grain IN ('day', 'month', 'year')),
    measure     TEXT NOT NULL,
    -- The day, or the first day of the month or year.
    period      date NOT NULL,
    dim_value   TEXT NOT NULL,
    reached     bigint NOT NULL,
    events      bigint NOT NULL,
    PRIMARY KEY (programme, dim, region_code, grain, period, measure, dim_value)
);

-- First reaches by registration month (cohort) and whole months after registering, per
-- region at every level; the days table finds a median inside its month.
CREATE TABLE stat_cohorts (
    programme   TEXT NOT NULL,
    region_code TEXT NOT NULL,
    cohort      date NOT NULL,
    stage       TEXT NOT NULL,
    months      integer NOT NULL,
    members     bigint NOT NULL,
    PRIMARY KEY (programme, region_code, cohort, stage, months)
);

CREATE TABLE stat_cohort_days (
    programme   TEXT NOT NULL,
    region_code TEXT NOT NULL,
    cohort      date NOT NULL,
    stage       TEXT NOT NULL,
    months      integer NOT NULL,
    days        integer NOT NULL,
    members     bigint NOT NULL,
    PRIMARY KEY (programme, region_code, cohort, stage, months, days)
);

-- `built`: the counters hold every member's contribution. Absent after this migration,
-- so `Store::migrate` recounts them from the raw records once.
CREATE TABLE stat_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

DROP TABLE facility_daily;
