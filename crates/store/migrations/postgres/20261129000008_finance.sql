-- Facility P6, financial reporting: a member's monthly reports (sales, costs, employees,
-- business capital, in whole rupiah). Filing writes `financial_report_filed`. A second
-- filing for the same month supersedes the first (both are kept). `member_size` holds
-- what the reports imply: the current size class (PP 7/2021 thresholds in force at the
-- month's end, data in crates/core/data/programmes/size_classes.csv), the class of the
-- first report, and the month the member first reported a higher class (naik kelas).

CREATE TABLE financial_reports (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id   bigint NOT NULL REFERENCES members (id),
    month       TEXT NOT NULL,
    sales       bigint NOT NULL CHECK (sales >= 0),
    costs       bigint NOT NULL CHECK (costs >= 0),
    employees   bigint NOT NULL CHECK (employees >= 0),
    assets      bigint NOT NULL CHECK (assets >= 0),
    filed_on    date NOT NULL,
    event_id    bigint NOT NULL REFERENCES member_events (id),
    filed_by    TEXT NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX financial_reports_member ON financial_reports (member_id, month, id);

CREATE TABLE member_size (
    member_id      bigint PRIMARY KEY REFERENCES members (id),
    size_class     TEXT NOT NULL,
    class_month    TEXT NOT NULL,
    first_class    TEXT NOT NULL,
    first_month    TEXT NOT NULL,
    moved_up_month TEXT,
    moved_up_on    date
);
CREATE INDEX member_size_moved_up ON member_size (moved_up_on) WHERE moved_up_on IS NOT NULL;
