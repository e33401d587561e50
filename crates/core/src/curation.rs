//! Product curation: calls for curation, the chain a submission goes through (the
//! member's mentor verifies → a district officer validates → the department forwards → a
//! curator grades), grades and scores, and certificates. The chain is one table
//! ([`step`]): for each state and action, the state it leads to and the roles that may
//! take it. The store adds what needs records (the member's mentor, region scope, the
//! call's conflict-of-interest rule).

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::catalogue::Category;
use crate::settings::{CERTIFICATE_VALIDITY_MONTHS, setting_on};
use crate::text::{given, parse_date, parse_int, parse_text};
use crate::{FieldError, RegionCode, Role, ValidationErrors};

crate::member::string_enum!(
    /// Where a submission stands.
    SubmissionState, "state", "state_invalid" {
        Submitted => "submitted",
        Verified => "verified",
        Validated => "validated",
        Forwarded => "forwarded",
        Graded => "graded",
        Returned => "returned",
    }
);

crate::member::string_enum!(
    /// What an actor does to a submission.
    Action, "action", "action_invalid" {
        Verify => "verify",
        Validate => "validate",
        Forward => "forward",
        Grade => "grade",
        Return => "return",
        Resubmit => "resubmit",
    }
);

crate::member::string_enum!(
    /// A curator's verdict. `A`, `B` and `C` pass; `fail` does not.
    Grade, "grade", "grade_invalid" {
        A => "A",
        B => "B",
        C => "C",
        Fail => "fail",
    }
);

impl Grade {
    pub fn passed(self) -> bool {
        self != Grade::Fail
    }

    /// Order for fair allocation: A first.
    pub fn rank(self) -> u8 {
        match self {
            Grade::A => 0,
            Grade::B => 1,
            Grade::C => 2,
            Grade::Fail => 3,
        }
    }
}

/// Staff who act for the department at city or province level.
const DEPARTMENT: &[Role] = &[Role::CityOfficer, Role::ProvinceOfficer];
/// Who submits, and resubmits after a return: the member itself, or staff of its region.
pub const SUBMITTERS: &[Role] = &[
    Role::Member,
    Role::DistrictOfficer,
    Role::CityOfficer,
    Role::ProvinceOfficer,
    Role::Admin,
];

/// The chain: from `state`, `action` leads to the returned state and may be taken by the
/// returned roles. `None`: the action is not possible from that state. A mentor verifies
/// only the members assigned to them; a member without a mentor is verified by a
/// district officer of its district (the store checks both).
pub fn step(state: SubmissionState, action: Action) -> Option<(SubmissionState, &'static [Role])> {
    use Action as A;
    use SubmissionState as S;
    const VERIFIERS: &[Role] = &[Role::Mentor, Role::DistrictOfficer];
    const VALIDATORS: &[Role] = &[Role::DistrictOfficer];
    const GRADERS: &[Role] = &[Role::Curator];
    match (state, action) {
        (S::Submitted, A::Verify) => Some((S::Verified, VERIFIERS)),
        (S::Submitted, A::Return) => Some((S::Returned, VERIFIERS)),
        (S::Verified, A::Validate) => Some((S::Validated, VALIDATORS)),
        (S::Verified, A::Return) => Some((S::Returned, VALIDATORS)),
        (S::Validated, A::Forward) => Some((S::Forwarded, DEPARTMENT)),
        (S::Validated, A::Return) => Some((S::Returned, DEPARTMENT)),
        (S::Forwarded, A::Grade) => Some((S::Graded, GRADERS)),
        (S::Forwarded, A::Return) => Some((S::Returned, GRADERS)),
        (S::Returned, A::Resubmit) => Some((S::Submitted, SUBMITTERS)),
        _ => None,
    }
}

/// The action that moves a submission on from `state` (what a queue waits for).
pub fn next_action(state: SubmissionState) -> Option<Action> {
    match state {
        SubmissionState::Submitted => Some(Action::Verify),
        SubmissionState::Verified => Some(Action::Validate),
        SubmissionState::Validated => Some(Action::Forward),
        SubmissionState::Forwarded => Some(Action::Grade),
        SubmissionState::Returned => Some(Action::Resubmit),
        SubmissionState::Graded => None,
    }
}

/// The criteria a curator scores, each 1–5.
pub const CRITERIA: [&str; 5] = ["taste", "packaging", "hygiene", "halal", "photos"];

/// A curator's scores, 1–5 each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scores {
    pub taste: i64,
    pub packaging: i64,
    pub hygiene: i64,
    pub halal: i64,
    pub photos: i64,
}

/// A grading as sent: grade, five scores, a note.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GradeDraft {
    pub grade: Option<String>,
    pub taste: Option<String>,
    pub packaging: Option<String>,
    pub hygiene: Option<String>,
    pub halal: Option<String>,
    pub photos: Option<String>,
    pub note: Option<String>,
}

/// A checked grading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grading {
    pub grade: Grade,
    pub scores: Scores,
    pub note: String,
}

impl Grading {
    pub fn parse(d: &GradeDraft) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let grade = errs.take(Grade::parse(d.grade.as_deref().unwrap_or("")).map_err(|e| {
            if e.code == "required" {
                e
            } else {
                FieldError::new("grade", "grade_invalid", "grade must be A, B, C or fail")
            }
        }));
        let mut score = |field: &'static str, v: &Option<String>| {
            errs.take(parse_int(field, v.as_deref().unwrap_or(""), 1, 5))
        };
        let taste = score("taste", &d.taste);
        let packaging = score("packaging", &d.packaging);
        let hygiene = score("hygiene", &d.hygiene);
        let halal = score("halal", &d.halal);
        let photos = score("photos", &d.photos);
        let note = errs.take(parse_note(d.note.as_deref(), true));
        match (grade, taste, packaging, hygiene, halal, photos, note) {
            (
                Some(grade),
                Some(taste),
                Some(packaging),
                Some(hygiene),
                Some(halal),
                Some(photos),
                Some(note),
            ) if errs.is_empty() => Ok(Self {
                grade,
                scores: Scores {
                    taste,
                    packaging,
                    hygiene,
                    halal,
                    photos,
                },
                note,
            }),
            _ => Err(errs),
        }
    }
}

/// A step's note: required when returning (the reason) and grading, optional otherwise.
pub fn parse_note(raw: Option<&str>, required: bool) -> Result<String, FieldError> {
    match given(raw) {
        None if required => Err(FieldError::required("note")),
        None => Ok(String::new()),
        Some(n) => parse_text("note", n, 3, 1000),
    }
}

/// A call for curation as sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CallDraft {
    pub title: Option<String>,
    pub opens_on: Option<String>,
    pub closes_on: Option<String>,
    /// Category codes; none given means every category.
    pub categories: Vec<String>,
    pub region: Option<String>,
    pub places: Option<String>,
    /// Whether a curator may not grade submissions from the curator's own region
    /// (default true).
    pub exclude_own_region_curators: Option<bool>,
}

/// A checked call for curation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCall {
    pub title: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub categories: Vec<Category>,
    pub region: RegionCode,
    pub places: i64,
    pub exclude_own_region_curators: bool,
}

impl NewCall {
    pub fn parse(d: &CallDraft) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let title = errs.take(parse_text(
            "title",
            d.title.as_deref().unwrap_or(""),
            5,
            150,
        ));
        let opens_on = errs.take(parse_date("opens_on", d.opens_on.as_deref().unwrap_or("")));
        let closes_on = errs.take(parse_date(
            "closes_on",
            d.closes_on.as_deref().unwrap_or(""),
        ));
        if let (Some(o), Some(c)) = (opens_on, closes_on)
            && c < o
        {
            errs.push(FieldError::new(
                "closes_on",
                "date_range",
                "closes_on must not be before opens_on",
            ));
        }
        let mut categories = Vec::new();
        for raw in d.categories.iter().filter(|c| !c.trim().is_empty()) {
            match Category::parse(raw) {
                Ok(c) if !categories.contains(&c) => categories.push(c),
                Ok(_) => {}
                Err(e) => errs.push(e.for_field("categories")),
            }
        }
        let region = match given(d.region.as_deref()) {
            None => Some(RegionCode::parse("region", "31").expect("31 is the province")),
            Some(r) => errs.take(RegionCode::parse("region", r).and_then(|c| {
                if c.level() == crate::RegionLevel::Village {
                    Err(FieldError::new(
                        "region",
                        "region_level",
                        "region must be the province, a city or a district",
                    ))
                } else {
                    Ok(c)
                }
            })),
        };
        let places = errs.take(parse_int(
            "places",
            d.places.as_deref().unwrap_or(""),
            1,
            100_000,
        ));
        match (title, opens_on, closes_on, region, places) {
            (Some(title), Some(opens_on), Some(closes_on), Some(region), Some(places))
                if errs.is_empty() =>
            {
                Ok(Self {
                    title,
                    opens_on,
                    closes_on,
                    categories,
                    region,
                    places,
                    exclude_own_region_curators: d.exclude_own_region_curators.unwrap_or(true),
                })
            }
            _ => Err(errs),
        }
    }
}

/// A call's state on `today`, from its window.
pub fn call_state(opens_on: NaiveDate, closes_on: NaiveDate, today: NaiveDate) -> &'static str {
    if today < opens_on {
        "upcoming"
    } else if today > closes_on {
        "closed"
    } else {
        "open"
    }
}

/// The last day a certificate issued on `graded_on` is valid, by the setting in force on
/// that day (two years unless changed).
pub fn certificate_valid_until(graded_on: NaiveDate) -> NaiveDate {
    let months = setting_on(CERTIFICATE_VALIDITY_MONTHS, graded_on).unwrap_or(24);
    let months = u32::try_from(months).unwrap_or(24);
    graded_on
        .checked_add_months(Months::new(months))
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// A certificate's number: `KUR/<year>/<submission id, 6 digits>`.
pub fn certificate_no(graded_on: NaiveDate, submission_id: i64) -> String {
    use chrono::Datelike;
    format!("KUR/{}/{submission_id:06}", graded_on.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_chain_in_order() {
        let mut s = SubmissionState::Submitted;
        for (a, role) in [
            (Action::Verify, Role::Mentor),
            (Action::Validate, Role::DistrictOfficer),
            (Action::Forward, Role::CityOfficer),
            (Action::Grade, Role::Curator),
        ] {
            assert_eq!(next_action(s), Some(a));
            let (next, who) = step(s, a).unwrap();
            assert!(who.contains(&role), "{a} by {role:?}");
            s = next;
        }
        assert_eq!(s, SubmissionState::Graded);
        assert_eq!(next_action(s), None);
    }

    #[test]
    fn every_state_and_action() {
        // Exactly the nine moves of the chain exist; no other pair does.
        let mut moves = 0;
        for s in SubmissionState::ALL {
            for a in Action::ALL {
                if let Some((_, who)) = step(*s, *a) {
                    moves += 1;
                    assert!(!who.is_empty());
                    assert!(!who.contains(&Role::Anonymous));
                    assert!(!who.contains(&Role::Buyer));
                }
            }
        }
        assert_eq!(moves, 9);
        assert!(step(SubmissionState::Graded, Action::Return).is_none());
        assert!(step(SubmissionState::Submitted, Action::Grade).is_none());
        // Only a curator grades; a curator does nothing before the department forwards.
        assert_eq!(
            step(SubmissionState::Forwarded, Action::Grade).unwrap().1,
            &[Role::Curator]
        );
        assert!(
            !step(SubmissionState::Submitted, Action::Verify)
                .unwrap()
                .1
                .contains(&Role::Curator)
        );
    }

    #[test]
    fn grading_needs_every_score_and_a_note() {
        let g = Grading::parse(&GradeDraft {
            grade: Some("a".into()),
            taste: Some("5".into()),
            packaging: Some("4".into()),
            hygiene: Some("5".into()),
            halal: Some("5".into()),
            photos: Some("3".into()),
            note: Some("Rasa konsisten, kemasan rapi".into()),
        })
        .unwrap();
        assert_eq!(g.grade, Grade::A);
        let errs = Grading::parse(&GradeDraft {
            grade: Some("D".into()),
            taste: Some("6".into()),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "grade",
                "taste",
                "packaging",
                "hygiene",
                "halal",
                "photos",
                "note"
            ]
        );
    }

    #[test]
    fn calls_checked() {
        let ok = NewCall::parse(&CallDraft {
            title: Some("Kurasi produk makanan 2026".into()),
            opens_on: Some("2026-11-01".into()),
            closes_on: Some("2026-11-30".into()),
            categories: vec!["snacks".into(), "food_drink".into(), "snacks".into()],
            region: Some("31.71".into()),
            places: Some("50".into()),
            exclude_own_region_curators: None,
        })
        .unwrap();
        assert_eq!(ok.categories, [Category::Snacks, Category::FoodDrink]);
        assert!(ok.exclude_own_region_curators);
        let errs = NewCall::parse(&CallDraft {
            title: Some("Ku".into()),
            opens_on: Some("2026-11-30".into()),
            closes_on: Some("2026-11-01".into()),
            categories: vec!["guns".into()],
            region: Some("31.71.01.1001".into()),
            places: Some("0".into()),
            exclude_own_region_curators: None,
        })
        .unwrap_err();
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["title", "closes_on", "categories", "region", "places"]
        );
    }

    #[test]
    fn certificates_last_two_years() {
        assert_eq!(certificate_valid_until(d("2026-03-15")), d("2028-03-14"));
        assert_eq!(certificate_no(d("2026-03-15"), 42), "KUR/2026/000042");
        assert_eq!(
            call_state(d("2026-11-01"), d("2026-11-30"), d("2026-12-01")),
            "closed"
        );
        assert_eq!(
            call_state(d("2026-11-01"), d("2026-11-30"), d("2026-11-30")),
            "open"
        );
        assert_eq!(
            call_state(d("2026-11-01"), d("2026-11-30"), d("2026-10-31")),
            "upcoming"
        );
    }
}
