-- Each facility record is found from any ledger event it wrote: the timeline asks which
-- events belong to a record (their void goes through the record), and a plain void checks
-- it. One index per event column, so neither scans a table.

CREATE INDEX permits_applied_event ON permits (applied_event_id);
CREATE INDEX permits_decision_event ON permits (decision_event_id) WHERE decision_event_id IS NOT NULL;
CREATE INDEX market_participants_event ON market_participants (event_id);
CREATE INDEX mentoring_sessions_event ON mentoring_sessions (event_id);
CREATE INDEX mentor_assignments_event ON mentor_assignments (event_id);
CREATE INDEX enrolments_event ON enrolments (event_id);
CREATE INDEX enrolments_completed_event ON enrolments (completed_event_id) WHERE completed_event_id IS NOT NULL;
CREATE INDEX attendance_event ON attendance (event_id);
CREATE INDEX financial_reports_event ON financial_reports (event_id);
CREATE INDEX referrals_referred_event ON referrals (referred_event_id);
CREATE INDEX referrals_decision_event ON referrals (decision_event_id) WHERE decision_event_id IS NOT NULL;
CREATE INDEX referrals_disbursed_event ON referrals (disbursed_event_id) WHERE disbursed_event_id IS NOT NULL;
