//! A member's record (facility P1, registration) and the rules it must satisfy.
//!
//! Pages, the API and the CLI all hand a [`MemberDraft`] of raw strings to
//! [`NewMember::parse`], which reports every invalid field at once.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::email::parse_email;
use crate::reference::reference;
use crate::region::RegionCode;
use crate::text::{parse_date, parse_text};
use crate::{FieldError, Nik, Phone, ValidationErrors};

/// Youngest and oldest age, in whole years on the registration date.
pub const MIN_AGE: i32 = 15;
pub const MAX_AGE: i32 = 100;

/// The earliest registration date accepted: it catches mistyped years (`0021-…`) while
/// leaving room for records older than OK OCE (December 2017) from earlier programmes.
pub const EARLIEST_REGISTRATION: (i32, u32, u32) = (2000, 1, 1);

/// The order in which fields appear on the form; errors are reported in this order.
pub const FIELDS: [&str; 12] = [
    "nik",
    "full_name",
    "birth_date",
    "sex",
    "phone",
    "email",
    "address",
    "village_code",
    "business_name",
    "sector",
    "channel",
    "registered_on",
];

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident, $field:literal, $code:literal { $($variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $s)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }

            pub fn parse(raw: &str) -> Result<Self, FieldError> {
                match raw.trim() {
                    "" => Err(FieldError::required($field)),
                    $(s if s.eq_ignore_ascii_case($s) => Ok($name::$variant),)+
                    other => Err(FieldError::new(
                        $field,
                        $code,
                        format!("{} must be one of {}, not {other:?}", $field, [$($s),+].join(", ")),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// A stored value: rows decode into the enum (a value outside it is a corrupt row).
        impl TryFrom<String> for $name {
            type Error = FieldError;

            fn try_from(raw: String) -> Result<Self, FieldError> {
                Self::parse(&raw)
            }
        }
    };
}
pub(crate) use string_enum;

string_enum!(
    /// Sex as recorded on the identity card; it is encoded in the NIK.
    Sex, "sex", "sex_invalid" { F => "F", M => "M" }
);
string_enum!(
    /// Where the member registered: at a district centre or online.
    Channel, "channel", "channel_invalid" { Centre => "centre", Online => "online" }
);
string_enum!(
    /// A withdrawn member's record stays; only its status changes.
    Status, "status", "status_invalid" { Active => "active", Withdrawn => "withdrawn" }
);

/// Raw input for a member, as typed into a form or sent as JSON. Serializes to the API's
/// registration body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MemberDraft {
    pub nik: Option<String>,
    pub full_name: Option<String>,
    pub birth_date: Option<String>,
    pub sex: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub village_code: Option<String>,
    pub business_name: Option<String>,
    pub sector: Option<String>,
    pub channel: Option<String>,
    pub registered_on: Option<String>,
    /// The applicant agreed to the processing of their data ([`CONSENT_VERSION`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<bool>,
}

/// The version of the consent text shown at registration (the text is in the message
/// catalogues, key `consent.text`); recorded with each member.
pub const CONSENT_VERSION: &str = "2026-11-v1";

/// A member record known to satisfy every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMember {
    pub nik: Nik,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub phone: Phone,
    pub email: Option<String>,
    pub address: String,
    pub village: RegionCode,
    pub business_name: String,
    pub sector: String,
    pub channel: Channel,
    pub registered_on: NaiveDate,
}

/// Whole years from `birth` to `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

fn required<'a>(field: &'static str, v: &'a Option<String>) -> Result<&'a str, FieldError> {
    match v.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(FieldError::required(field)),
    }
}

/// A registration date: today when not given; not in the future, not before 2000.
pub fn parse_registered_on(raw: Option<&str>, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    let Some(s) = crate::text::given(raw) else {
        return Ok(today);
    };
    let r = parse_date("registered_on", s)?;
    let (y, m, d) = EARLIEST_REGISTRATION;
    if r > today {
        Err(FieldError::new(
            "registered_on",
            "date_in_future",
            format!("registered_on {r} is in the future"),
        ))
    } else if NaiveDate::from_ymd_opt(y, m, d).is_some_and(|e| r < e) {
        Err(FieldError::new(
            "registered_on",
            "date_too_early",
            format!("registered_on {r} is before 2000-01-01"),
        ))
    } else {
        Ok(r)
    }
}

/// The age rule on the registration date; `who` names the person in the message
/// (`member`, `trainee`).
pub fn check_age(who: &str, birth: NaiveDate, registered: NaiveDate) -> Result<(), FieldError> {
    let age = age_on(birth, registered);
    if (MIN_AGE..=MAX_AGE).contains(&age) {
        return Ok(());
    }
    Err(FieldError::new(
        "birth_date",
        "age_out_of_range",
        format!(
            "a {who} must be {MIN_AGE}-{MAX_AGE} years old on the registration date; this birth_date gives {age}"
        ),
    ))
}

pub fn parse_sector(raw: &str) -> Result<String, FieldError> {
    let code = raw.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Err(FieldError::required("sector"));
    }
    reference()
        .sector(&code)
        .map(|s| s.code.clone())
        .ok_or_else(|| {
            FieldError::new(
                "sector",
                "sector_unknown",
                format!("sector must be a KBLI 2020 section letter A-U, not {raw:?}"),
            )
        })
}

impl NewMember {
    /// Validates a registration: the whole draft, then the applicant's consent (last, as on
    /// the form).
    pub fn parse_registration(d: &MemberDraft, today: NaiveDate) -> Result<Self, ValidationErrors> {
        let consent = if d.consent == Some(true) {
            None
        } else {
            Some(FieldError::new(
                "consent",
                "consent_required",
                "consent must be given: the applicant agrees to the processing of their personal data",
            ))
        };
        match (Self::parse(d, today), consent) {
            (Ok(m), None) => Ok(m),
            (Ok(_), Some(c)) => {
                let mut errs = ValidationErrors::default();
                errs.push(c);
                Err(errs)
            }
            (Err(mut errs), c) => {
                if let Some(c) = c {
                    errs.push(c);
                }
                Err(errs)
            }
        }
    }

    /// Validates a whole draft; `today` is the programme's current date (Asia/Jakarta).
    pub fn parse(d: &MemberDraft, today: NaiveDate) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let nik = errs.take(required("nik", &d.nik).and_then(Nik::parse));
        let full_name = errs.take(
            required("full_name", &d.full_name).and_then(|s| parse_text("full_name", s, 2, 100)),
        );
        let birth_date = errs
            .take(required("birth_date", &d.birth_date).and_then(|s| parse_date("birth_date", s)));
        let sex = errs.take(required("sex", &d.sex).and_then(Sex::parse));
        let phone = errs.take(required("phone", &d.phone).and_then(|s| Phone::parse("phone", s)));
        let email = match d.email.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(s) => errs.take(parse_email("email", s).map(Some)),
        };
        let address = errs
            .take(required("address", &d.address).and_then(|s| parse_text("address", s, 5, 300)));
        let village = errs.take(
            required("village_code", &d.village_code)
                .and_then(|s| RegionCode::parse_village("village_code", s)),
        );
        let business_name = errs.take(
            required("business_name", &d.business_name)
                .and_then(|s| parse_text("business_name", s, 2, 120)),
        );
        let sector = errs.take(required("sector", &d.sector).and_then(parse_sector));
        let channel = match d.channel.as_deref().map(str::trim) {
            None | Some("") => Some(Channel::Centre),
            Some(s) => errs.take(Channel::parse(s)),
        };
        let registered_on = errs.take(parse_registered_on(d.registered_on.as_deref(), today));
        if let (Some(b), Some(r)) = (birth_date, registered_on)
            && let Err(e) = check_age("member", b, r)
        {
            errs.push(e);
        }
        if let (Some(n), Some(b), Some(s)) = (&nik, birth_date, sex)
            && let Err(e) = n.check_against(b, s)
        {
            errs.push(e);
        }
        match (
            nik,
            full_name,
            birth_date,
            sex,
            phone,
            email,
            address,
            village,
            business_name,
            sector,
            channel,
            registered_on,
        ) {
            (
                Some(nik),
                Some(full_name),
                Some(birth_date),
                Some(sex),
                Some(phone),
                Some(email),
                Some(address),
                Some(village),
                Some(business_name),
                Some(sector),
                Some(channel),
                Some(registered_on),
            ) if errs.is_empty() => Ok(Self {
                nik,
                full_name,
                birth_date,
                sex,
                phone,
                email,
                address,
                village,
                business_name,
                sector,
                channel,
                registered_on,
            }),
            _ => {
                errs.0.sort_by_key(|e| {
                    FIELDS
                        .iter()
                        .position(|f| *f == e.field)
                        .unwrap_or(FIELDS.len())
                });
                Err(errs)
            }
        }
    }
}

/// A correction: only the fields given change. `email: Some(None)` clears the e-mail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberPatch {
    pub nik: Option<String>,
    pub full_name: Option<String>,
    pub birth_date: Option<String>,
    pub sex: Option<String>,
    pub phone: Option<String>,
    pub email: Option<Option<String>>,
    pub address: Option<String>,
    pub village_code: Option<String>,
    pub business_name: Option<String>,
    pub sector: Option<String>,
    pub channel: Option<String>,
    pub registered_on: Option<String>,
}

impl MemberPatch {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The draft with this patch laid over it; validate the result with [`NewMember::parse`].
    pub fn apply_to(&self, mut d: MemberDraft) -> MemberDraft {
        macro_rules! over {
            ($($f:ident),*) => { $(if let Some(v) = &self.$f { d.$f = Some(v.clone()); })* };
        }
        over!(
            nik,
            full_name,
            birth_date,
            sex,
            phone,
            address,
            village_code,
            business_name,
            sector,
            channel,
            registered_on
        );
        if let Some(e) = &self.email {
            d.email = e.clone();
        }
        d
    }
}

/// The reason given when a member withdraws.
pub fn parse_withdrawal_reason(raw: Option<&str>) -> Result<String, FieldError> {
    parse_text("reason", raw.unwrap_or(""), 3, 500)
}

/// The public membership check's query: a member number, or 3–100 characters of a
/// business name (the API's `q` and the `/cek` form's).
pub fn parse_public_query(q: Option<&str>) -> Result<String, FieldError> {
    let q = q.map(str::trim).unwrap_or_default();
    let n = q.chars().count();
    if !(3..=100).contains(&n) || q.chars().any(char::is_control) {
        return Err(FieldError::new(
            "q",
            "query_invalid",
            "q must be a member number or 3 to 100 characters of a business name",
        ));
    }
    Ok(q.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    pub(crate) fn valid() -> MemberDraft {
        MemberDraft {
            nik: Some("3171015503900001".into()),
            full_name: Some("Siti Aminah".into()),
            birth_date: Some("1990-03-15".into()),
            sex: Some("F".into()),
            phone: Some("0812-3456-7890".into()),
            email: Some("siti@example.co.id".into()),
            address: Some("Jl. Kebon Sirih No. 1".into()),
            village_code: Some("31.71.01.1001".into()),
            business_name: Some("Warung Bu Siti".into()),
            sector: Some("i".into()),
            channel: None,
            registered_on: Some("2021-10-21".into()),
            consent: Some(true),
        }
    }

    /// The draft a record would be typed as.
    fn draft_of(m: &NewMember) -> MemberDraft {
        MemberDraft {
            nik: Some(m.nik.as_str().to_owned()),
            full_name: Some(m.full_name.clone()),
            birth_date: Some(m.birth_date.to_string()),
            sex: Some(m.sex.as_str().to_owned()),
            phone: Some(m.phone.as_str().to_owned()),
            email: m.email.clone(),
            address: Some(m.address.clone()),
            village_code: Some(m.village.as_str().to_owned()),
            business_name: Some(m.business_name.clone()),
            sector: Some(m.sector.clone()),
            channel: Some(m.channel.as_str().to_owned()),
            registered_on: Some(m.registered_on.to_string()),
            consent: Some(true),
        }
    }

    fn codes(d: &MemberDraft) -> Vec<(&'static str, &'static str)> {
        NewMember::parse(d, today())
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn a_valid_draft_parses_and_normalises() {
        let m = NewMember::parse(&valid(), today()).unwrap();
        assert_eq!(m.phone.as_str(), "+6281234567890");
        assert_eq!(m.sector, "I");
        assert_eq!(m.channel, Channel::Centre);
        assert_eq!(m.village.city_digits().as_deref(), Some("3171"));
        assert_eq!(NewMember::parse(&draft_of(&m), today()).unwrap(), m);
    }

    #[test]
    fn every_missing_field_is_named_in_form_order() {
        let got = codes(&MemberDraft::default());
        let fields: Vec<_> = got.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                "nik",
                "full_name",
                "birth_date",
                "sex",
                "phone",
                "address",
                "village_code",
                "business_name",
                "sector"
            ]
        );
        assert!(got.iter().all(|(_, c)| *c == "required"));
    }

    #[test]
    fn age_bounds_on_registration_date() {
        let mut d = valid();
        // 15 exactly on the registration date is allowed, one day short is not.
        d.nik = Some("3171016110060001".into());
        d.birth_date = Some("2006-10-21".into());
        assert!(NewMember::parse(&d, today()).is_ok());
        d.nik = Some("3171016210060001".into());
        d.birth_date = Some("2006-10-22".into());
        assert_eq!(codes(&d), [("birth_date", "age_out_of_range")]);
        // 100 is allowed; 101 is not.
        d.nik = Some("3171016110210001".into());
        d.birth_date = Some("1921-10-21".into());
        assert!(NewMember::parse(&d, today()).is_ok());
        d.nik = Some("3171016010200001".into());
        d.birth_date = Some("1920-10-20".into());
        assert_eq!(codes(&d), [("birth_date", "age_out_of_range")]);
    }

    #[test]
    fn future_registration_and_bad_values() {
        let mut d = valid();
        d.registered_on = Some("2026-11-24".into());
        let mut early = valid();
        early.registered_on = Some("0030-01-01".into());
        early.birth_date = Some("0015-03-15".into());
        assert!(codes(&early).contains(&("registered_on", "date_too_early")));
        d.email = Some("not-an-email".into());
        d.sector = Some("Z".into());
        d.channel = Some("phone".into());
        d.village_code = Some("31.71.01".into());
        assert_eq!(
            codes(&d),
            [
                ("email", "email_format"),
                ("village_code", "village_unknown"),
                ("sector", "sector_unknown"),
                ("channel", "channel_invalid"),
                ("registered_on", "date_in_future"),
            ]
        );
    }

    #[test]
    fn nik_must_match_birth_date_and_sex() {
        let mut d = valid();
        d.sex = Some("M".into());
        assert_eq!(codes(&d), [("nik", "nik_sex_mismatch")]);
        let mut d = valid();
        d.birth_date = Some("1990-03-16".into());
        assert_eq!(codes(&d), [("nik", "nik_birth_date_mismatch")]);
    }

    #[test]
    fn patch_overlays_and_clears_email() {
        let m = NewMember::parse(&valid(), today()).unwrap();
        let p = MemberPatch {
            business_name: Some("Kopi Siti".into()),
            email: Some(None),
            ..Default::default()
        };
        let n = NewMember::parse(&p.apply_to(draft_of(&m)), today()).unwrap();
        assert_eq!(n.business_name, "Kopi Siti");
        assert_eq!(n.email, None);
        assert_eq!(n.nik, m.nik);
        assert!(MemberPatch::default().is_empty());
    }
}
