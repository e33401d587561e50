//! A person's enrolment in a programme other than Jakpreneur (job training first), and
//! job training's placement outcomes. The person's identity (NIK, name, birth date, sex)
//! is one across programmes; the enrolment carries what belongs to the programme: its own
//! number, contact, region, date and consent.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::member::{check_age, parse_registered_on};
use crate::region::RegionCode;
use crate::text::{given, parse_date, parse_text};
use crate::{FieldError, Nik, Phone, Sex, ValidationErrors};

fn req<'a>(field: &'static str, v: &'a Option<String>) -> Result<&'a str, FieldError> {
    given(v.as_deref()).ok_or_else(|| FieldError::required(field))
}

/// The programme of job training and placement (seed 003).
pub const PELATIHAN_KERJA: &str = "pelatihan_kerja";
/// Its stages: registration, skills training, certification, placement.
pub const STAGE_TRAINING: &str = "K2";
pub const STAGE_PLACEMENT: &str = "K4";
/// A placement counts for `placement_rate` when it comes at most this many months after
/// the trainee completed training.
pub const PLACEMENT_WINDOW_MONTHS: u32 = 6;

/// The version of the job-training privacy notice (`/privasi/pelatihan-kerja`) an
/// enrolment's consent names. Enrolments before it named Jakpreneur's notice
/// (`2026-11-v1`), and keep the version they consented to.
pub const ENROLMENT_CONSENT_VERSION: &str = "2026-12-pk-v1";

/// An enrolment as typed or sent: every value a string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct EnrolmentDraft {
    pub nik: Option<String>,
    pub full_name: Option<String>,
    pub birth_date: Option<String>,
    pub sex: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub village_code: Option<String>,
    pub registered_on: Option<String>,
    pub consent: Option<bool>,
    /// The training centre the trainee is enrolled at (its code), if any.
    #[serde(default)]
    pub centre_code: Option<String>,
}

/// An enrolment known to satisfy every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEnrolment {
    pub nik: Nik,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub phone: Option<Phone>,
    pub address: String,
    pub village: RegionCode,
    pub registered_on: NaiveDate,
    /// A centre's code, upper-cased; the store checks it exists and has a seat.
    pub centre: Option<String>,
}

impl NewEnrolment {
    /// Checks every field and reports each one wrong, then consent (last, as on the form).
    pub fn parse(d: &EnrolmentDraft, today: NaiveDate) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let nik = errs.take(req("nik", &d.nik).and_then(Nik::parse));
        let full_name = errs
            .take(req("full_name", &d.full_name).and_then(|s| parse_text("full_name", s, 2, 100)));
        let birth_date =
            errs.take(req("birth_date", &d.birth_date).and_then(|s| parse_date("birth_date", s)));
        let sex = errs.take(req("sex", &d.sex).and_then(Sex::parse));
        let phone = match given(d.phone.as_deref()) {
            None => Some(None),
            Some(s) => errs.take(Phone::parse("phone", s).map(Some)),
        };
        let address =
            errs.take(req("address", &d.address).and_then(|s| parse_text("address", s, 5, 300)));
        let village = errs.take(
            req("village_code", &d.village_code)
                .and_then(|s| RegionCode::parse_village("village_code", s)),
        );
        let registered_on = errs.take(parse_registered_on(d.registered_on.as_deref(), today));
        if let (Some(b), Some(r)) = (birth_date, registered_on)
            && let Err(e) = check_age("trainee", b, r)
        {
            errs.push(e);
        }
        if let (Some(n), Some(b), Some(s)) = (&nik, birth_date, sex)
            && let Err(e) = n.check_against(b, s)
        {
            errs.push(e);
        }
        if d.consent != Some(true) {
            errs.push(FieldError::new(
                "consent",
                "consent_required",
                "consent must be given: the applicant agrees to the processing of their personal data",
            ));
        }
        match (
            nik,
            full_name,
            birth_date,
            sex,
            phone,
            address,
            village,
            registered_on,
        ) {
            (
                Some(nik),
                Some(full_name),
                Some(birth_date),
                Some(sex),
                Some(phone),
                Some(address),
                Some(village),
                Some(registered_on),
            ) if errs.is_empty() => Ok(Self {
                nik,
                full_name,
                birth_date,
                sex,
                phone,
                address,
                village,
                registered_on,
                centre: given(d.centre_code.as_deref()).map(str::to_uppercase),
            }),
            _ => Err(errs),
        }
    }
}

/// Where a trainee went after training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Employed by an employer (named).
    Hired,
    /// Working on their own account.
    SelfEmployed,
    /// Looked for work and found none (yet).
    NotPlaced,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Hired, Outcome::SelfEmployed, Outcome::NotPlaced];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Hired => "hired",
            Outcome::SelfEmployed => "self_employed",
            Outcome::NotPlaced => "not_placed",
        }
    }

    /// The ledger kind an outcome writes (stage K4).
    pub fn kind(self) -> &'static str {
        match self {
            Outcome::Hired => "placed_hired",
            Outcome::SelfEmployed => "placed_self_employed",
            Outcome::NotPlaced => "not_placed",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == raw)
            .ok_or_else(|| {
                FieldError::new(
                    "outcome",
                    "outcome_invalid",
                    "outcome must be hired, self_employed or not_placed",
                )
            })
    }
}

/// The monthly wage against the provincial minimum wage (UMP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WageBand {
    /// Below the minimum wage.
    BelowMin,
    /// From the minimum wage to 1.5 times it.
    MinTo1_5,
    /// Above 1.5 times the minimum wage.
    Above1_5,
}

impl WageBand {
    pub const ALL: [WageBand; 3] = [WageBand::BelowMin, WageBand::MinTo1_5, WageBand::Above1_5];

    pub fn as_str(self) -> &'static str {
        match self {
            WageBand::BelowMin => "below_min",
            WageBand::MinTo1_5 => "min_to_1_5",
            WageBand::Above1_5 => "above_1_5",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|w| w.as_str() == raw)
            .ok_or_else(|| {
                FieldError::new(
                    "wage_band",
                    "wage_band_invalid",
                    "wage_band must be below_min, min_to_1_5 or above_1_5",
                )
            })
    }
}

/// A placement as typed or sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct PlacementDraft {
    pub outcome: Option<String>,
    pub employer: Option<String>,
    pub placed_on: Option<String>,
    pub wage_band: Option<String>,
    pub note: Option<String>,
}

/// A placement known to be well-formed: a hire names its employer; a wage band only for
/// work (not for `not_placed`); not in the future.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlacement {
    pub outcome: Outcome,
    pub employer: Option<String>,
    pub placed_on: NaiveDate,
    pub wage_band: Option<WageBand>,
    pub note: Option<String>,
}

impl NewPlacement {
    pub fn parse(d: &PlacementDraft, today: NaiveDate) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let outcome = match given(d.outcome.as_deref()) {
            None => {
                errs.push(FieldError::required("outcome"));
                None
            }
            Some(s) => errs.take(Outcome::parse(s)),
        };
        let employer =
            given(d.employer.as_deref()).and_then(|s| errs.take(parse_text("employer", s, 2, 150)));
        let placed_on = match given(d.placed_on.as_deref()) {
            None => {
                errs.push(FieldError::required("placed_on"));
                None
            }
            Some(s) => errs.take(parse_date("placed_on", s).and_then(|p| {
                if p > today {
                    Err(FieldError::new(
                        "placed_on",
                        "date_in_future",
                        format!("placed_on {p} is in the future"),
                    ))
                } else {
                    Ok(p)
                }
            })),
        };
        let wage_band = given(d.wage_band.as_deref()).and_then(|s| errs.take(WageBand::parse(s)));
        let note = given(d.note.as_deref())
            .and_then(|s| errs.take(crate::text::parse_reference("note", s, 1000)));
        match outcome {
            Some(Outcome::Hired)
                if employer.is_none() && given(d.employer.as_deref()).is_none() =>
            {
                errs.push(FieldError::new(
                    "employer",
                    "required",
                    "a hire names its employer",
                ));
            }
            Some(Outcome::SelfEmployed | Outcome::NotPlaced) if employer.is_some() => {
                errs.push(FieldError::new(
                    "employer",
                    "employer_not_allowed",
                    "only a hire has an employer",
                ));
            }
            Some(Outcome::NotPlaced) if wage_band.is_some() => errs.push(FieldError::new(
                "wage_band",
                "wage_band_not_allowed",
                "a trainee not placed has no wage",
            )),
            _ => {}
        }
        match (outcome, placed_on) {
            (Some(outcome), Some(placed_on)) if errs.is_empty() => Ok(Self {
                outcome,
                employer,
                placed_on,
                wage_band,
                note,
            }),
            _ => Err(errs),
        }
    }
}

/// `PK-3171-000012`: the programme's prefix, the city's digits, the sequence of the
/// programme in that city.
pub fn format_enrolment_no(prefix: &str, city_digits: &str, seq: i64) -> String {
    format!("{prefix}-{city_digits}-{seq:06}")
}

/// The last day a placement counts for a trainee who completed training on `completed`.
pub fn placement_deadline(completed: NaiveDate) -> NaiveDate {
    completed
        .checked_add_months(chrono::Months::new(PLACEMENT_WINDOW_MONTHS))
        .unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_hire_names_its_employer_and_not_placed_has_no_wage() {
        let today = d("2026-12-01");
        let hire = PlacementDraft {
            outcome: Some("hired".into()),
            placed_on: Some("2026-11-01".into()),
            ..Default::default()
        };
        let e = NewPlacement::parse(&hire, today).unwrap_err();
        assert_eq!(e.0[0].field, "employer");
        let none = PlacementDraft {
            outcome: Some("not_placed".into()),
            placed_on: Some("2026-12-02".into()),
            wage_band: Some("above_1_5".into()),
            ..Default::default()
        };
        let codes: Vec<&str> = NewPlacement::parse(&none, today)
            .unwrap_err()
            .0
            .iter()
            .map(|e| e.code)
            .collect();
        assert_eq!(codes, ["date_in_future", "wage_band_not_allowed"]);
        let ok = PlacementDraft {
            outcome: Some(" Self_Employed ".into()),
            placed_on: Some("2026-11-01".into()),
            wage_band: Some("min_to_1_5".into()),
            ..Default::default()
        };
        assert_eq!(
            NewPlacement::parse(&ok, today).unwrap().outcome,
            Outcome::SelfEmployed
        );
    }

    #[test]
    fn the_window_is_six_calendar_months() {
        assert_eq!(placement_deadline(d("2026-01-31")), d("2026-07-31"));
        assert_eq!(placement_deadline(d("2026-08-31")), d("2027-02-28"));
        assert_eq!(format_enrolment_no("PK", "3171", 12), "PK-3171-000012");
    }
}
