//! Targets as records: an indicator, whose figure it is (the province, a region, an
//! agency or a mentor), the value to reach, by when, and where the promise comes from
//! ("RPJMD 2017–2022", "60 members per mentor per year"). Parsing checks every field at
//! once; the projection (when the target is reached at the pace of the last twelve months)
//! is arithmetic on two figures and lives here too.

use chrono::{Days, NaiveDate};
use serde::Deserialize;

use crate::programme::programmes;
use crate::region::RegionCode;
use crate::stats::measure;
use crate::text::{given, parse_date};
use crate::{FieldError, ValidationErrors};

/// What a target counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Goal {
    /// A stock as of the deadline: a counter measure (`P1`…`P7`, `active`, `k3`,
    /// `naik_kelas`).
    Stock(String),
    /// Members first reaching a facility in [from, deadline].
    FirstReached(String),
    /// Qualifying services (or, for `kind.…`, services of a kind) in [from, deadline].
    Events(String),
    /// Distinct members a mentor held a (non-voided) session with in [from, deadline].
    MentoredMembers,
}

impl Goal {
    /// The indicator code a target names (docs/indicators.md), as a goal.
    pub fn parse(code: &str) -> Option<Self> {
        let stage = |s: &str| {
            let up = s.to_ascii_uppercase();
            programmes()
                .stage(crate::programme::JAKPRENEUR, &up)
                .map(|_| up)
        };
        Some(match code {
            "registered_members" => Goal::Stock("P1".into()),
            "active_members" => Goal::Stock(measure::ACTIVE.into()),
            "moved_up_class" => Goal::Stock(measure::NAIK_KELAS.into()),
            "new_registrants" => Goal::FirstReached("P1".into()),
            "permits_issued" => Goal::Events("P4".into()),
            "exhibition_participations" => Goal::Events(measure::of_kind("exhibition")),
            "mentored_members" => Goal::MentoredMembers,
            c => {
                if let Some(s) = c.strip_prefix("reached_at_least_") {
                    let k: usize = s.parse().ok().filter(|k| (2..=7).contains(k))?;
                    Goal::Stock(measure::at_least(k))
                } else if let Some(s) = c.strip_prefix("reached_") {
                    Goal::Stock(stage(s)?)
                } else if let Some(s) = c.strip_prefix("first_reached_") {
                    Goal::FirstReached(stage(s)?)
                } else if let Some(s) = c.strip_prefix("events_") {
                    Goal::Events(stage(s)?)
                } else {
                    return None;
                }
            }
        })
    }

    /// Counted over a period (needs a start), not as of a date.
    pub fn is_flow(&self) -> bool {
        !matches!(self, Goal::Stock(_))
    }

    /// The facility measure, when the goal is one that agencies are credited with.
    fn facility(&self) -> Option<&str> {
        match self {
            Goal::Stock(m) | Goal::FirstReached(m) | Goal::Events(m)
                if m.len() == 2 && m.starts_with('P') =>
            {
                Some(m)
            }
            _ => None,
        }
    }
}

/// A target as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TargetDraft {
    pub indicator: Option<String>,
    pub value: Option<i64>,
    pub region: Option<String>,
    pub agency: Option<String>,
    pub mentor: Option<String>,
    pub from: Option<String>,
    pub deadline: Option<String>,
    pub source: Option<String>,
}

/// A valid target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTarget {
    pub indicator: String,
    pub goal: Goal,
    pub value: i64,
    pub region: Option<RegionCode>,
    pub agency: Option<String>,
    /// A mentor's username (checked against the accounts by the store).
    pub mentor: Option<String>,
    pub from: Option<NaiveDate>,
    pub deadline: NaiveDate,
    pub source: String,
}

/// The largest target value accepted: more than every business in Indonesia.
pub const MAX_TARGET: i64 = 1_000_000_000;

impl NewTarget {
    pub fn parse(d: &TargetDraft) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let indicator = given(d.indicator.as_deref()).map(str::to_owned);
        let goal = match &indicator {
            None => {
                errs.push(FieldError::required("indicator"));
                None
            }
            Some(code) => {
                let g = Goal::parse(code);
                if g.is_none() {
                    errs.push(FieldError::new(
                        "indicator",
                        "indicator_unknown",
                        format!(
                            "{code} is not an indicator a target can name (docs/indicators.md)"
                        ),
                    ));
                }
                g
            }
        };
        let value = match d.value {
            None => {
                errs.push(FieldError::required("value"));
                None
            }
            Some(v) if !(1..=MAX_TARGET).contains(&v) => {
                errs.push(FieldError::new(
                    "value",
                    "value_range",
                    format!("value must be between 1 and {MAX_TARGET}"),
                ));
                None
            }
            Some(v) => Some(v),
        };
        let region =
            given(d.region.as_deref()).and_then(|r| errs.take(RegionCode::parse("region", r)));
        let agency = given(d.agency.as_deref()).map(|a| a.to_ascii_uppercase());
        if let Some(a) = &agency
            && programmes().agency(a).is_none()
        {
            errs.push(FieldError::new(
                "agency",
                "agency_unknown",
                format!("{a} is not an agency"),
            ));
        }
        let mentor = given(d.mentor.as_deref()).map(str::to_owned);
        let from = given(d.from.as_deref()).and_then(|f| errs.take(parse_date("from", f)));
        let deadline = match given(d.deadline.as_deref()) {
            None => {
                errs.push(FieldError::required("deadline"));
                None
            }
            Some(x) => errs.take(parse_date("deadline", x)),
        };
        let source = given(d.source.as_deref()).map(str::to_owned);
        match &source {
            None => errs.push(FieldError::required("source")),
            Some(s) if s.chars().count() > 200 || s.chars().any(char::is_control) => {
                errs.push(FieldError::new(
                    "source",
                    "source_invalid",
                    "source must be at most 200 characters, without control characters",
                ))
            }
            _ => {}
        }
        if let Some(g) = &goal {
            if agency.is_some() && mentor.is_some() {
                errs.push(FieldError::new(
                    "mentor",
                    "target_owner",
                    "a target belongs to an agency or a mentor, not both",
                ));
            }
            if agency.is_some() && g.facility().is_none() {
                errs.push(FieldError::new(
                    "agency",
                    "agency_not_counted",
                    "agencies are credited with facilities: choose reached_pN, first_reached_pN or events_pN",
                ));
            }
            if (*g == Goal::MentoredMembers) != mentor.is_some() {
                errs.push(FieldError::new(
                    "mentor",
                    "mentor_target",
                    "mentored_members needs a mentor, and a mentor's target is mentored_members",
                ));
            }
            if g.is_flow() && from.is_none() {
                errs.push(FieldError::new(
                    "from",
                    "required",
                    "a target counted over a period needs its first day (from)",
                ));
            }
            if !g.is_flow() && from.is_some() {
                errs.push(FieldError::new(
                    "from",
                    "from_not_used",
                    "a target counted as of its deadline has no first day",
                ));
            }
        }
        if let (Some(f), Some(dl)) = (from, deadline)
            && dl < f
        {
            errs.push(FieldError::new(
                "deadline",
                "date_range",
                "deadline must not be before from",
            ));
        }
        match (indicator, goal, value, deadline, source, errs.is_empty()) {
            (Some(indicator), Some(goal), Some(value), Some(deadline), Some(source), true) => {
                Ok(NewTarget {
                    indicator,
                    goal,
                    value,
                    region,
                    agency,
                    mentor,
                    from,
                    deadline,
                    source,
                })
            }
            _ => Err(errs),
        }
    }
}

/// Where a target stands on `today`.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// The figure counted up to min(today, deadline).
    pub current: i64,
    /// current ÷ value.
    pub share: f64,
    /// Gained over the twelve months up to min(today, deadline).
    pub last_12_months: i64,
    /// When the value is reached at the pace of the last twelve months (up to today):
    /// `None` once reached, when the pace is zero or negative, or when a target over a
    /// period has ended.
    pub projected_on: Option<NaiveDate>,
    pub reached: bool,
    /// Reached, or projected on or before the deadline.
    pub on_track: bool,
}

/// A figure on a date and what it gained over the twelve months before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figure {
    pub value: i64,
    pub gained_12_months: i64,
    pub on: NaiveDate,
}

/// Where a target stands: `at` is the figure that counts for it (today, or on the
/// deadline once passed). The projection divides what is still missing by the pace of
/// the last twelve months, from `later` when given (a stock whose deadline has passed
/// goes on growing: when does it get there at today's pace?), else from `at`.
pub fn progress(value: i64, at: Figure, later: Option<Figure>, deadline: NaiveDate) -> Progress {
    let reached = at.value >= value;
    let from = later.unwrap_or(at);
    let projected_on = if reached || from.value >= value || from.gained_12_months <= 0 {
        None
    } else {
        let missing = (value - from.value) as f64;
        let days = (missing * 365.0 / from.gained_12_months as f64).ceil();
        // Further than any calendar: never at this pace.
        if days > 36_500.0 {
            None
        } else {
            from.on.checked_add_days(Days::new(days as u64))
        }
    };
    Progress {
        current: at.value,
        share: at.value as f64 / value as f64,
        last_12_months: at.gained_12_months,
        on_track: reached || projected_on.is_some_and(|d| d <= deadline),
        projected_on,
        reached,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(indicator: &str) -> TargetDraft {
        TargetDraft {
            indicator: Some(indicator.into()),
            value: Some(200_000),
            deadline: Some("2022-12-31".into()),
            source: Some("RPJMD 2017–2022".into()),
            ..Default::default()
        }
    }

    #[test]
    fn indicator_codes_name_their_counters() {
        assert_eq!(
            Goal::parse("registered_members"),
            Some(Goal::Stock("P1".into()))
        );
        assert_eq!(Goal::parse("reached_p7"), Some(Goal::Stock("P7".into())));
        assert_eq!(
            Goal::parse("reached_at_least_7"),
            Some(Goal::Stock("k7".into()))
        );
        assert_eq!(
            Goal::parse("first_reached_p2"),
            Some(Goal::FirstReached("P2".into()))
        );
        assert_eq!(
            Goal::parse("exhibition_participations"),
            Some(Goal::Events("kind.exhibition".into()))
        );
        assert_eq!(Goal::parse("reached_p9"), None);
        assert_eq!(Goal::parse("reached_at_least_8"), None);
        assert_eq!(Goal::parse("fun"), None);
    }

    #[test]
    fn every_wrong_field_is_named() {
        let ok = NewTarget::parse(&draft("registered_members")).unwrap();
        assert_eq!(ok.goal, Goal::Stock("P1".into()));
        let bad = NewTarget::parse(&TargetDraft {
            indicator: Some("nothing".into()),
            value: Some(0),
            region: Some("31.99".into()),
            agency: Some("NASA".into()),
            deadline: Some("2022-02-30".into()),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = bad.0.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "indicator",
                "value",
                "region",
                "agency",
                "deadline",
                "source"
            ]
        );
        let flow = NewTarget::parse(&draft("new_registrants")).unwrap_err();
        assert_eq!(flow.0[0].field, "from");
        let mentor = NewTarget::parse(&TargetDraft {
            mentor: Some("budi".into()),
            ..draft("registered_members")
        })
        .unwrap_err();
        assert_eq!(mentor.0[0].code, "mentor_target");
        let agency = NewTarget::parse(&TargetDraft {
            agency: Some("kpkp".into()),
            ..draft("active_members")
        })
        .unwrap_err();
        assert_eq!(agency.0[0].code, "agency_not_counted");
    }

    #[test]
    fn the_projection_divides_what_is_missing_by_the_pace() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let fig = |value, gained, on: &str| Figure {
            value,
            gained_12_months: gained,
            on: d(on),
        };
        let p = progress(200, fig(100, 50, "2022-01-01"), None, d("2025-01-01"));
        assert_eq!(
            p.projected_on,
            Some(d("2024-01-01")),
            "100 missing at 50 a year: two years"
        );
        assert!(p.on_track && !p.reached);
        let late = progress(200, fig(100, 50, "2022-01-01"), None, d("2023-01-01"));
        assert!(!late.on_track);
        let stalled = progress(200, fig(100, 0, "2022-01-01"), None, d("2023-01-01"));
        assert_eq!(stalled.projected_on, None);
        let done = progress(200, fig(250, 0, "2022-01-01"), None, d("2023-01-01"));
        assert!(done.reached && done.on_track && done.projected_on.is_none());
        assert_eq!(done.share, 1.25);
        // Missed at the deadline; at today's pace it gets there later.
        let missed = progress(
            200,
            fig(100, 40, "2022-12-31"),
            Some(fig(180, 20, "2026-12-01")),
            d("2022-12-31"),
        );
        assert_eq!((missed.current, missed.last_12_months), (100, 40));
        assert_eq!(missed.projected_on, Some(d("2027-12-01")));
        assert!(!missed.reached && !missed.on_track);
    }
}
