//! Facility P2 (and the finance classes of P6): courses, classes and the completion rule.
//!
//! **Completion rule**: a member completes a class when they attended at least
//! [`COMPLETION_PERCENT`]% of its sessions (`attended × 100 ≥ sessions × 80`). A class of
//! 5 sessions needs 4; of 10, 8; of 3, 3 (2 is 66%).

use chrono::NaiveDate;

use crate::text::{given, parse_date, parse_int, parse_text};
use crate::{FieldError, RegionCode, ValidationErrors};

pub const COMPLETION_PERCENT: i64 = 80;

/// Course topics.
pub const COURSE_TOPICS: [&str; 8] = [
    "business",
    "production",
    "marketing",
    "digital",
    "finance",
    "halal",
    "packaging",
    "other",
];

/// Has a member who attended `attended` of `sessions` sessions completed the class?
pub fn completes(attended: i64, sessions: i64) -> bool {
    sessions > 0 && attended * 100 >= sessions * COMPLETION_PERCENT
}

/// The ledger kinds a class writes, by the facility its course serves.
pub struct ClassKinds {
    pub enrolled: &'static str,
    pub attended: &'static str,
    pub completed: &'static str,
}

pub fn class_kinds(stage: &str) -> ClassKinds {
    if stage == "P6" {
        ClassKinds {
            enrolled: "finance_training_enrolled",
            attended: "finance_training_attended",
            completed: "finance_training_completed",
        }
    } else {
        ClassKinds {
            enrolled: "training_enrolled",
            attended: "training_attended",
            completed: "training_completed",
        }
    }
}

/// A course to create, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCourse {
    pub title: String,
    pub topic: String,
    pub hours: i64,
    /// `P2` (training) or `P6` (a finance class).
    pub stage: String,
}

impl NewCourse {
    pub fn parse(
        title: Option<&str>,
        topic: Option<&str>,
        hours: Option<&str>,
        stage: Option<&str>,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let title = match given(title) {
            Some(t) => errs.take(parse_text("title", t, 3, 150)),
            None => {
                errs.push(FieldError::required("title"));
                None
            }
        };
        let topic = match given(topic).map(str::to_lowercase) {
            Some(t) if COURSE_TOPICS.contains(&t.as_str()) => Some(t),
            Some(_) => {
                errs.push(FieldError::new(
                    "topic",
                    "topic_unknown",
                    format!("topic must be one of {}", COURSE_TOPICS.join(", ")),
                ));
                None
            }
            None => {
                errs.push(FieldError::required("topic"));
                None
            }
        };
        let hours = match given(hours) {
            Some(h) => errs.take(parse_int("hours", h, 1, 1000)),
            None => {
                errs.push(FieldError::required("hours"));
                None
            }
        };
        let stage = match given(stage).map(str::to_uppercase).as_deref() {
            None | Some("P2") => Some("P2".to_owned()),
            Some("P6") => Some("P6".to_owned()),
            Some(_) => {
                errs.push(FieldError::new(
                    "facility",
                    "facility_invalid",
                    "facility must be P2 (training) or P6 (a finance class)",
                ));
                None
            }
        };
        match (title, topic, hours, stage, errs.is_empty()) {
            (Some(title), Some(topic), Some(hours), Some(stage), true) => Ok(Self {
                title,
                topic,
                hours,
                stage,
            }),
            _ => Err(errs),
        }
    }
}

/// A class to schedule, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClass {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub sessions: i64,
    pub place_code: Option<String>,
    pub capacity: i64,
    /// The trainer's username (an account with the trainer role).
    pub trainer: Option<String>,
}

impl NewClass {
    pub fn parse(
        starts_on: Option<&str>,
        ends_on: Option<&str>,
        sessions: Option<&str>,
        place_code: Option<&str>,
        capacity: Option<&str>,
        trainer: Option<&str>,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let starts_on = match given(starts_on) {
            Some(d) => errs.take(parse_date("starts_on", d)),
            None => {
                errs.push(FieldError::required("starts_on"));
                None
            }
        };
        let ends_on = match given(ends_on) {
            Some(d) => errs.take(parse_date("ends_on", d)),
            None => starts_on,
        };
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && e < s
        {
            errs.push(FieldError::new(
                "ends_on",
                "date_range",
                "ends_on must not be before starts_on",
            ));
        }
        let sessions = match given(sessions) {
            Some(n) => errs.take(parse_int("sessions", n, 1, 100)),
            None => Some(1),
        };
        let place_code = given(place_code).and_then(|c| {
            errs.take(RegionCode::parse_district("place_code", c).map(|r| r.as_str().to_owned()))
        });
        let capacity = match given(capacity) {
            Some(n) => errs.take(parse_int("capacity", n, 1, 10_000)),
            None => {
                errs.push(FieldError::required("capacity"));
                None
            }
        };
        let trainer = given(trainer).map(str::to_lowercase);
        match (starts_on, ends_on, sessions, capacity, errs.is_empty()) {
            (Some(starts_on), Some(ends_on), Some(sessions), Some(capacity), true) => Ok(Self {
                starts_on,
                ends_on,
                sessions,
                place_code,
                capacity,
                trainer,
            }),
            _ => Err(errs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_needs_eighty_percent() {
        assert!(completes(4, 5));
        assert!(!completes(3, 5));
        assert!(completes(8, 10));
        assert!(!completes(7, 10));
        assert!(!completes(2, 3));
        assert!(completes(3, 3));
        assert!(completes(1, 1));
        assert!(!completes(0, 1));
        assert!(!completes(0, 0));
    }

    #[test]
    fn a_class_names_every_wrong_field() {
        let e = NewClass::parse(
            Some("2026-02-30"),
            None,
            Some("0"),
            Some("31.71"),
            Some("lots"),
            None,
        )
        .unwrap_err();
        let codes: Vec<(&str, &str)> = e.0.iter().map(|f| (f.field, f.code)).collect();
        assert_eq!(
            codes,
            [
                ("starts_on", "date_invalid"),
                ("sessions", "out_of_range"),
                ("place_code", "region_level"),
                ("capacity", "not_a_number"),
            ]
        );
        let e = NewClass::parse(
            Some("2026-03-05"),
            Some("2026-03-04"),
            None,
            None,
            Some("20"),
            None,
        )
        .unwrap_err();
        assert_eq!(e.0[0].field, "ends_on");
    }

    #[test]
    fn a_course_is_training_unless_it_is_a_finance_class() {
        let c =
            NewCourse::parse(Some("Kemasan produk"), Some("Packaging"), Some("16"), None).unwrap();
        assert_eq!((c.topic.as_str(), c.stage.as_str()), ("packaging", "P2"));
        let c = NewCourse::parse(
            Some("Laporan keuangan"),
            Some("finance"),
            Some("8"),
            Some("p6"),
        )
        .unwrap();
        assert_eq!(c.stage, "P6");
        let e = NewCourse::parse(Some("x"), Some("cooking"), Some("8.5"), Some("P3")).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field).collect();
        assert_eq!(fields, ["title", "topic", "hours", "facility"]);
    }
}
