//! Facility P4, permits: the permit types the programme helps with, an application's
//! states, and the numbers that can be checked (NIB: 13 digits; NPWP: 15 digits, or 16 in
//! the NIK form used for individuals since 2024).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::text::{parse_date, parse_reference};
use crate::{FieldError, Nik, ValidationErrors};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermitType {
    Nib,
    Npwp,
    Halal,
    Pirt,
    Hki,
    Bpom,
    Sni,
    Tkdn,
    Other,
}

impl PermitType {
    pub const ALL: [PermitType; 9] = [
        PermitType::Nib,
        PermitType::Npwp,
        PermitType::Halal,
        PermitType::Pirt,
        PermitType::Hki,
        PermitType::Bpom,
        PermitType::Sni,
        PermitType::Tkdn,
        PermitType::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PermitType::Nib => "nib",
            PermitType::Npwp => "npwp",
            PermitType::Halal => "halal",
            PermitType::Pirt => "pirt",
            PermitType::Hki => "hki",
            PermitType::Bpom => "bpom",
            PermitType::Sni => "sni",
            PermitType::Tkdn => "tkdn",
            PermitType::Other => "other",
        }
    }

    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == raw)
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    "permit_type_invalid",
                    "type must be one of nib, npwp, halal, pirt, hki, bpom, sni, tkdn, other",
                )
            })
    }

    /// Checks and normalises a permit number of this type.
    pub fn parse_number(self, field: &'static str, raw: &str) -> Result<String, FieldError> {
        let digits = || -> String {
            raw.chars()
                .filter(|c| !matches!(c, '.' | '-' | ' '))
                .collect()
        };
        match self {
            PermitType::Nib => {
                let d = digits();
                if d.len() == 13 && d.bytes().all(|b| b.is_ascii_digit()) {
                    Ok(d)
                } else {
                    Err(FieldError::new(
                        field,
                        "nib_format",
                        "an NIB (Nomor Induk Berusaha) is 13 digits",
                    ))
                }
            }
            PermitType::Npwp => {
                let d = digits();
                let all_digits = d.bytes().all(|b| b.is_ascii_digit());
                match d.len() {
                    15 if all_digits => Ok(d),
                    16 if all_digits => Nik::parse(&d).map(|_| d).map_err(|_| {
                        FieldError::new(
                            field,
                            "npwp_format",
                            "a 16-digit NPWP is the holder's NIK, and this is not a valid NIK",
                        )
                    }),
                    _ => Err(FieldError::new(
                        field,
                        "npwp_format",
                        "an NPWP is 15 digits (e.g. 01.234.567.8-901.000), or 16 in the NIK form",
                    )),
                }
            }
            _ => parse_reference(field, raw, 60),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermitStatus {
    Applied,
    InProcess,
    Issued,
    Rejected,
}

impl PermitStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PermitStatus::Applied => "applied",
            PermitStatus::InProcess => "in_process",
            PermitStatus::Issued => "issued",
            PermitStatus::Rejected => "rejected",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            PermitStatus::Applied,
            PermitStatus::InProcess,
            PermitStatus::Issued,
            PermitStatus::Rejected,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }

    /// Still waiting for a decision.
    pub fn is_open(self) -> bool {
        matches!(self, PermitStatus::Applied | PermitStatus::InProcess)
    }
}

/// The decision that issues a permit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermitIssue {
    pub number: String,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
}

impl PermitIssue {
    /// `number` checked for the type; dates not in the future, expiry after issue.
    pub fn parse(
        t: PermitType,
        number: Option<&str>,
        issued_on: Option<&str>,
        expires_on: Option<&str>,
        today: NaiveDate,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let given = |v: Option<&str>| {
            v.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let number = match given(number) {
            None => {
                errs.push(FieldError::required("number"));
                None
            }
            Some(n) => errs.take(t.parse_number("number", &n)),
        };
        let issued_on = match given(issued_on) {
            None => {
                errs.push(FieldError::required("issued_on"));
                None
            }
            Some(d) => errs.take(parse_date("issued_on", &d).and_then(|d| {
                if d > today {
                    Err(FieldError::new(
                        "issued_on",
                        "date_in_future",
                        "issued_on is in the future",
                    ))
                } else {
                    Ok(d)
                }
            })),
        };
        let expires_on = given(expires_on).and_then(|d| errs.take(parse_date("expires_on", &d)));
        if let (Some(i), Some(e)) = (issued_on, expires_on)
            && e <= i
        {
            errs.push(FieldError::new(
                "expires_on",
                "date_range",
                "expires_on must be after issued_on",
            ));
        }
        match (number, issued_on, errs.is_empty()) {
            (Some(number), Some(issued_on), true) => Ok(Self {
                number,
                issued_on,
                expires_on,
            }),
            _ => Err(errs),
        }
    }
}

/// Parses a permit application (the API's and the page's): type, date (not in the
/// future), optional note.
pub fn parse_application(
    kind: Option<&str>,
    applied_on: Option<&str>,
    note: Option<&str>,
    today: NaiveDate,
) -> Result<(PermitType, NaiveDate, Option<String>), ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let given = |v: Option<&str>| {
        v.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let t = match given(kind) {
        None => {
            errs.push(FieldError::required("type"));
            None
        }
        Some(t) => errs.take(PermitType::parse("type", &t)),
    };
    let applied_on = match given(applied_on) {
        None => {
            errs.push(FieldError::required("applied_on"));
            None
        }
        Some(d) => errs.take(parse_date("applied_on", &d).and_then(|d| {
            if d > today {
                Err(FieldError::new(
                    "applied_on",
                    "date_in_future",
                    "applied_on is in the future",
                ))
            } else {
                Ok(d)
            }
        })),
    };
    let note = given(note).and_then(|n| errs.take(parse_reference("note", &n, 1000)));
    match (t, applied_on, errs.is_empty()) {
        (Some(t), Some(d), true) => Ok((t, d, note)),
        _ => Err(errs),
    }
}

/// The window of the expiring permits (the API's and the page's): `from` (default today)
/// to `to` (default 90 days later).
pub fn expiry_window(
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let given = |v: Option<&str>| {
        v.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let from = given(from).map_or(Some(today), |d| errs.take(parse_date("from", &d)));
    let to = given(to).map_or(today.checked_add_days(chrono::Days::new(90)), |d| {
        errs.take(parse_date("to", &d))
    });
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        errs.push(FieldError::new(
            "to",
            "date_range",
            "to must not be before from",
        ));
    }
    match (from, to, errs.is_empty()) {
        (Some(f), Some(t), true) => Ok((f, t)),
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nib_and_npwp_numbers() {
        let nib = PermitType::Nib;
        assert_eq!(
            nib.parse_number("n", "1234567890123").unwrap(),
            "1234567890123"
        );
        assert_eq!(
            nib.parse_number("n", "123456789012").unwrap_err().code,
            "nib_format"
        );
        let npwp = PermitType::Npwp;
        assert_eq!(
            npwp.parse_number("n", "01.234.567.8-901.000").unwrap(),
            "012345678901000"
        );
        assert!(
            npwp.parse_number("n", "3171015503900001").is_ok(),
            "NIK form"
        );
        assert_eq!(
            npwp.parse_number("n", "9971015503900001").unwrap_err().code,
            "npwp_format",
            "16 digits that are no NIK"
        );
        assert!(PermitType::Halal.parse_number("n", "ID31110000123").is_ok());
        assert_eq!(PermitType::parse("type", "PIRT").unwrap(), PermitType::Pirt);
        assert!(PermitType::parse("type", "sim").is_err());
    }

    #[test]
    fn issue_dates() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let ok = PermitIssue::parse(
            PermitType::Pirt,
            Some("P-IRT 123"),
            Some("2025-01-02"),
            Some("2030-01-02"),
            today,
        );
        assert!(ok.is_ok());
        let bad = PermitIssue::parse(
            PermitType::Nib,
            Some("12"),
            Some("2026-12-01"),
            Some("2020-01-01"),
            today,
        )
        .unwrap_err();
        let codes: Vec<&str> = bad.0.iter().map(|e| e.code).collect();
        assert_eq!(codes, ["nib_format", "date_in_future"]);
    }
}
