//! Job training's places and job fairs: training centres with their capacity, job fairs
//! in a city with employers' vacancies, and the decision on a trainee's application.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::enrolment::WageBand;
use crate::region::RegionCode;
use crate::text::{date_or_today, given, parse_date, parse_text};
use crate::{FieldError, RegionLevel, ValidationErrors};

/// A training centre as typed or sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CentreDraft {
    pub code: Option<String>,
    pub name: Option<String>,
    /// `centre` (Pusat Pelatihan Kerja) or `office` (a Sudin office that trains).
    pub kind: Option<String>,
    pub district_code: Option<String>,
    pub address: Option<String>,
    pub capacity: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCentre {
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub district: RegionCode,
    pub address: String,
    pub capacity: i64,
}

fn required<'a>(field: &'static str, v: &'a Option<String>) -> Result<&'a str, FieldError> {
    given(v.as_deref()).ok_or_else(|| FieldError::required(field))
}

fn district(field: &'static str, raw: &str) -> Result<RegionCode, FieldError> {
    let r = RegionCode::parse(field, raw)?;
    if r.level() == RegionLevel::District {
        Ok(r)
    } else {
        Err(FieldError::new(
            field,
            "region_level",
            format!("{field} must be a district (kecamatan) code such as 31.71.01"),
        ))
    }
}

/// A whole number from `min` to `max`.
pub fn parse_count(field: &'static str, raw: &str, min: i64, max: i64) -> Result<i64, FieldError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| {
            FieldError::new(
                field,
                "invalid_number",
                format!("{field} must be a whole number from {min} to {max}"),
            )
        })
}

impl NewCentre {
    pub fn parse(d: &CentreDraft) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let code = errs.take(required("code", &d.code).and_then(|c| {
            let c = c.to_uppercase();
            if (2..=20).contains(&c.len())
                && c.chars()
                    .all(|x| x.is_ascii_uppercase() || x.is_ascii_digit() || x == '-')
            {
                Ok(c)
            } else {
                Err(FieldError::new(
                    "code",
                    "code_invalid",
                    "code must be 2-20 letters, digits or dashes, e.g. PPKD-JT",
                ))
            }
        }));
        let name = errs.take(required("name", &d.name).and_then(|s| parse_text("name", s, 3, 120)));
        let kind = match given(d.kind.as_deref()).map(str::to_lowercase).as_deref() {
            None | Some("centre") => Some("centre"),
            Some("office") => Some("office"),
            Some(_) => {
                errs.push(FieldError::new(
                    "kind",
                    "kind_invalid",
                    "kind must be centre or office",
                ));
                None
            }
        };
        let district = errs.take(
            required("district_code", &d.district_code).and_then(|s| district("district_code", s)),
        );
        let address = errs
            .take(required("address", &d.address).and_then(|s| parse_text("address", s, 5, 300)));
        let capacity = errs.take(
            required("capacity", &d.capacity).and_then(|s| parse_count("capacity", s, 1, 10_000)),
        );
        match (code, name, kind, district, address, capacity) {
            (Some(code), Some(name), Some(kind), Some(district), Some(address), Some(capacity))
                if errs.is_empty() =>
            {
                Ok(Self {
                    code,
                    name,
                    kind,
                    district,
                    address,
                    capacity,
                })
            }
            _ => Err(errs),
        }
    }
}

/// A job fair as typed or sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FairDraft {
    pub title: Option<String>,
    pub city_code: Option<String>,
    pub held_on: Option<String>,
    pub place: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFair {
    pub title: String,
    pub city: RegionCode,
    pub held_on: NaiveDate,
    pub place: String,
}

impl NewFair {
    pub fn parse(d: &FairDraft) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let title =
            errs.take(required("title", &d.title).and_then(|s| parse_text("title", s, 3, 150)));
        let city = errs.take(required("city_code", &d.city_code).and_then(|s| {
            let r = RegionCode::parse("city_code", s)?;
            if r.level() == RegionLevel::City {
                Ok(r)
            } else {
                Err(FieldError::new(
                    "city_code",
                    "region_level",
                    "city_code must be a city code such as 31.71",
                ))
            }
        }));
        let held_on =
            errs.take(required("held_on", &d.held_on).and_then(|s| parse_date("held_on", s)));
        let place =
            errs.take(required("place", &d.place).and_then(|s| parse_text("place", s, 3, 200)));
        match (title, city, held_on, place) {
            (Some(title), Some(city), Some(held_on), Some(place)) if errs.is_empty() => Ok(Self {
                title,
                city,
                held_on,
                place,
            }),
            _ => Err(errs),
        }
    }
}

/// An employer's vacancy at a fair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVacancy {
    pub employer: String,
    pub position: String,
    pub openings: i64,
}

impl NewVacancy {
    pub fn parse(
        employer: Option<&str>,
        position: Option<&str>,
        openings: Option<&str>,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let employer = errs.take(
            given(employer)
                .ok_or_else(|| FieldError::required("employer"))
                .and_then(|s| parse_text("employer", s, 2, 150)),
        );
        let position = errs.take(
            given(position)
                .ok_or_else(|| FieldError::required("position"))
                .and_then(|s| parse_text("position", s, 2, 150)),
        );
        let openings = errs.take(
            given(openings)
                .ok_or_else(|| FieldError::required("openings"))
                .and_then(|s| parse_count("openings", s, 1, 10_000)),
        );
        match (employer, position, openings) {
            (Some(employer), Some(position), Some(openings)) if errs.is_empty() => Ok(Self {
                employer,
                position,
                openings,
            }),
            _ => Err(errs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_centre_names_each_wrong_field() {
        let d = CentreDraft {
            code: Some("ppkd jt".into()),
            name: Some("PPKD Jakarta Timur".into()),
            kind: Some("school".into()),
            district_code: Some("31.75".into()),
            address: Some("Jl. Raya".into()),
            capacity: Some("0".into()),
        };
        let fields: Vec<&str> = NewCentre::parse(&d)
            .unwrap_err()
            .0
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["code", "kind", "district_code", "capacity"]);
        let ok = CentreDraft {
            code: Some("ppkd-jt".into()),
            kind: None,
            district_code: Some("31.75.01".into()),
            capacity: Some(" 320 ".into()),
            ..d
        };
        let c = NewCentre::parse(&ok).unwrap();
        assert_eq!(
            (c.code.as_str(), c.kind, c.capacity),
            ("PPKD-JT", "centre", 320)
        );
    }
}

/// A job-training class as typed or sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JobClassDraft {
    pub centre_code: Option<String>,
    pub title: Option<String>,
    /// `regular` (at the centre, the default) or `mobile` (a mobile training unit).
    pub mode: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub sessions: Option<String>,
    pub capacity: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJobClass {
    pub centre_code: String,
    pub title: String,
    pub mobile: bool,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub sessions: i64,
    pub capacity: i64,
}

impl NewJobClass {
    pub fn parse(d: &JobClassDraft) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let centre_code = errs.take(required("centre_code", &d.centre_code).map(str::to_uppercase));
        let title =
            errs.take(required("title", &d.title).and_then(|s| parse_text("title", s, 3, 150)));
        let mobile = match given(d.mode.as_deref()).map(str::to_lowercase).as_deref() {
            None | Some("regular") => Some(false),
            Some("mobile") => Some(true),
            Some(_) => {
                errs.push(FieldError::new(
                    "mode",
                    "mode_invalid",
                    "mode must be regular or mobile",
                ));
                None
            }
        };
        let starts_on =
            errs.take(required("starts_on", &d.starts_on).and_then(|s| parse_date("starts_on", s)));
        let ends_on =
            errs.take(required("ends_on", &d.ends_on).and_then(|s| parse_date("ends_on", s)));
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && e < s
        {
            errs.push(FieldError::new(
                "ends_on",
                "date_range",
                "ends_on must not be before starts_on",
            ));
        }
        let sessions = errs.take(
            required("sessions", &d.sessions).and_then(|s| parse_count("sessions", s, 1, 200)),
        );
        let capacity = errs.take(
            required("capacity", &d.capacity).and_then(|s| parse_count("capacity", s, 1, 500)),
        );
        match (
            centre_code,
            title,
            mobile,
            starts_on,
            ends_on,
            sessions,
            capacity,
        ) {
            (
                Some(centre_code),
                Some(title),
                Some(mobile),
                Some(starts_on),
                Some(ends_on),
                Some(sessions),
                Some(capacity),
            ) if errs.is_empty() => Ok(Self {
                centre_code,
                title,
                mobile,
                starts_on,
                ends_on,
                sessions,
                capacity,
            }),
            _ => Err(errs),
        }
    }
}

/// A session's place: a district (kecamatan) code.
pub fn parse_place(field: &'static str, raw: &str) -> Result<RegionCode, FieldError> {
    district(field, raw)
}

/// The share of a class's sessions (percent) a trainee attends to be assessed competent.
pub const COMPETENT_ATTENDANCE_PERCENT: i64 = 80;

/// The sessions of `sessions` a competent trainee attended at least (the percentage,
/// rounded up).
pub fn sessions_for_competence(sessions: i64) -> i64 {
    (sessions * COMPETENT_ATTENDANCE_PERCENT + 99) / 100
}

/// A class session to schedule: its number, its day and, for a mobile training unit,
/// the district where it is held (a regular class meets at its centre).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionPlan {
    pub session_no: i64,
    pub held_on: NaiveDate,
    pub place: Option<RegionCode>,
}

impl SessionPlan {
    pub fn parse(
        session_no: Option<&str>,
        held_on: Option<&str>,
        place_code: Option<&str>,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let no = errs.take(
            given(session_no)
                .ok_or_else(|| FieldError::required("session_no"))
                .and_then(|s| parse_count("session_no", s, 1, 500)),
        );
        let held_on = errs.take(
            given(held_on)
                .ok_or_else(|| FieldError::required("held_on"))
                .and_then(|s| parse_date("held_on", s)),
        );
        let place = match given(place_code) {
            None => Some(None),
            Some(p) => errs.take(parse_place("place_code", p).map(Some)),
        };
        match (no, held_on, place) {
            (Some(session_no), Some(held_on), Some(place)) if errs.is_empty() => Ok(Self {
                session_no,
                held_on,
                place,
            }),
            _ => Err(errs),
        }
    }
}

/// The competency assessment of one trainee at the end of a class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub enrolment_no: String,
    pub competent: bool,
    /// Default today; not in the future.
    pub assessed_on: NaiveDate,
}

impl Assessment {
    pub fn parse(
        enrolment_no: Option<&str>,
        competent: Option<bool>,
        assessed_on: Option<&str>,
        today: NaiveDate,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let no = given(enrolment_no).map(str::to_uppercase);
        if no.is_none() {
            errs.push(FieldError::required("enrolment_no"));
        }
        if competent.is_none() {
            errs.push(FieldError::required("competent"));
        }
        let on = errs.take(date_or_today("assessed_on", assessed_on, today));
        match (no, competent, on) {
            (Some(enrolment_no), Some(competent), Some(assessed_on)) if errs.is_empty() => {
                Ok(Self {
                    enrolment_no,
                    competent,
                    assessed_on,
                })
            }
            _ => Err(errs),
        }
    }
}

/// The decision on a job-fair application: hired (with an optional wage band) or
/// rejected, on a day not in the future (default today).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub hired: bool,
    pub decided_on: NaiveDate,
    pub wage_band: Option<WageBand>,
}

impl Decision {
    pub fn parse(
        decision: Option<&str>,
        decided_on: Option<&str>,
        wage_band: Option<&str>,
        today: NaiveDate,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let hired = match given(decision).map(str::to_lowercase).as_deref() {
            Some("hired") => Some(true),
            Some("rejected") => Some(false),
            Some(_) => {
                errs.push(FieldError::new(
                    "decision",
                    "decision_invalid",
                    "decision must be hired or rejected",
                ));
                None
            }
            None => {
                errs.push(FieldError::required("decision"));
                None
            }
        };
        let on = errs.take(date_or_today("decided_on", decided_on, today));
        let wage = match given(wage_band) {
            None => Some(None),
            Some(w) => errs.take(WageBand::parse(w).map(Some)),
        };
        if hired == Some(false) && wage.flatten().is_some() {
            errs.push(FieldError::new(
                "wage_band",
                "wage_band_not_allowed",
                "a rejected application has no wage",
            ));
        }
        match (hired, on, wage) {
            (Some(hired), Some(decided_on), Some(wage_band)) if errs.is_empty() => Ok(Self {
                hired,
                decided_on,
                wage_band,
            }),
            _ => Err(errs),
        }
    }
}

#[cfg(test)]
mod session_and_decision_tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn fields(e: ValidationErrors) -> Vec<(&'static str, &'static str)> {
        e.0.iter().map(|f| (f.field, f.code)).collect()
    }

    #[test]
    fn a_session_names_each_wrong_field() {
        let s = SessionPlan::parse(Some("2"), Some("2025-02-05"), Some("31.71.01")).unwrap();
        assert_eq!((s.session_no, s.held_on), (2, day("2025-02-05")));
        assert_eq!(s.place.unwrap().as_str(), "31.71.01");
        assert!(
            SessionPlan::parse(Some(" 1 "), Some("2025-02-05"), Some(""))
                .unwrap()
                .place
                .is_none()
        );
        let e = SessionPlan::parse(Some("0"), Some("5/2/2025"), Some("31.71")).unwrap_err();
        assert_eq!(
            fields(e),
            [
                ("session_no", "invalid_number"),
                ("held_on", "date_format"),
                ("place_code", "region_level")
            ]
        );
        let e = SessionPlan::parse(None, None, None).unwrap_err();
        assert_eq!(
            fields(e),
            [("session_no", "required"), ("held_on", "required")]
        );
    }

    #[test]
    fn an_assessment_defaults_to_today_and_refuses_the_future() {
        let today = day("2025-03-01");
        let a = Assessment::parse(Some("pk-3171-000001"), Some(true), None, today).unwrap();
        assert_eq!(a.enrolment_no, "PK-3171-000001");
        assert_eq!(a.assessed_on, today);
        let e = Assessment::parse(None, None, Some("2025-03-02"), today).unwrap_err();
        assert_eq!(
            fields(e),
            [
                ("enrolment_no", "required"),
                ("competent", "required"),
                ("assessed_on", "date_in_future")
            ]
        );
    }

    #[test]
    fn a_rejection_has_no_wage() {
        let today = day("2025-03-01");
        let d = Decision::parse(Some("HIRED"), None, Some("min_to_1_5"), today).unwrap();
        assert!(d.hired && d.wage_band == Some(WageBand::MinTo1_5));
        let e = Decision::parse(Some("rejected"), None, Some("below_min"), today).unwrap_err();
        assert_eq!(fields(e), [("wage_band", "wage_band_not_allowed")]);
        let e = Decision::parse(Some("maybe"), Some("2025-03-02"), None, today).unwrap_err();
        assert_eq!(
            fields(e),
            [
                ("decision", "decision_invalid"),
                ("decided_on", "date_in_future")
            ]
        );
    }
}
