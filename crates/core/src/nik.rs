//! NIK (Nomor Induk Kependudukan), the 16-digit national ID:
//! `PP CC DD ddmmyy SSSS` — province, city/regency, district, birth date (day + 40 for
//! women), serial 0001–9999. Personal data under UU 27/2022: never log it, mask it in lists.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::FieldError;
use crate::member::Sex;
use crate::reference::reference;

const FIELD: &str = "nik";

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Nik(String);

/// Deliberately not the digits: a NIK must not leak into logs through `{:?}`.
impl fmt::Debug for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nik({})", self.masked())
    }
}

fn err(code: &'static str, message: impl Into<String>) -> FieldError {
    FieldError::new(FIELD, code, message)
}

fn num(s: &str) -> u32 {
    s.parse().unwrap_or(0)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).map_or(0, |d| d.day())
}

impl Nik {
    /// Parses a NIK on its own: shape, province, a possible birth date, serial.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::required(FIELD));
        }
        if s.len() != 16 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err("nik_format", "nik must be exactly 16 digits"));
        }
        if !reference().is_province(&s[0..2]) {
            return Err(err(
                "nik_province",
                format!("nik starts with {}, which is not a province code", &s[0..2]),
            ));
        }
        let (day, month, yy) = (num(&s[6..8]), num(&s[8..10]), num(&s[10..12]));
        let day = if day > 40 { day - 40 } else { day };
        // The century is not in the NIK: the date must exist in 19yy or 20yy (29 Feb 00
        // exists because 2000 was a leap year); the birth date given settles which.
        let exists = (1..=12).contains(&month)
            && day >= 1
            && [1900, 2000]
                .iter()
                .any(|c| day <= days_in_month(c + yy as i32, month));
        if !exists {
            return Err(err(
                "nik_birth_date",
                format!(
                    "nik digits 7-12 ({}) are not a real date DDMMYY (women's day has 40 added)",
                    &s[6..12]
                ),
            ));
        }
        if &s[12..16] == "0000" {
            return Err(err(
                "nik_serial",
                "nik serial (digits 13-16) must be 0001-9999",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// The NIK's birth date digits and sex must agree with the birth date and sex given.
    pub fn check_against(&self, birth_date: NaiveDate, sex: Sex) -> Result<(), FieldError> {
        let expected = (
            birth_date.day(),
            birth_date.month(),
            birth_date.year().rem_euclid(100) as u32,
        );
        if (self.birth_day(), self.birth_month(), self.birth_yy()) != expected {
            return Err(err(
                "nik_birth_date_mismatch",
                format!("nik birth date digits do not match birth_date {birth_date}"),
            ));
        }
        if self.sex() != sex {
            return Err(err(
                "nik_sex_mismatch",
                "nik does not match sex: women's NIKs have 40 added to the birth day",
            ));
        }
        Ok(())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// `3171**********01`: region prefix and the last two digits only.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }

    pub fn sex(&self) -> Sex {
        if num(&self.0[6..8]) > 40 {
            Sex::F
        } else {
            Sex::M
        }
    }

    fn birth_day(&self) -> u32 {
        let d = num(&self.0[6..8]);
        if d > 40 { d - 40 } else { d }
    }

    fn birth_month(&self) -> u32 {
        num(&self.0[8..10])
    }

    fn birth_yy(&self) -> u32 {
        num(&self.0[10..12])
    }
}

/// Masks any stored NIK string the same way as [`Nik::masked`].
pub fn mask(nik: &str) -> String {
    if nik.len() != 16 || !nik.is_ascii() {
        return "*".repeat(16);
    }
    format!("{}{}{}", &nik[..4], "*".repeat(10), &nik[14..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn code(s: &str) -> &'static str {
        Nik::parse(s).unwrap_err().code
    }

    #[test]
    fn accepts_well_formed_niks() {
        let man = Nik::parse("3171011503900001").unwrap();
        assert_eq!(man.sex(), Sex::M);
        man.check_against(d("1990-03-15"), Sex::M).unwrap();
        let woman = Nik::parse(" 3174025503900002 ").unwrap();
        assert_eq!(woman.sex(), Sex::F);
        woman.check_against(d("1990-03-15"), Sex::F).unwrap();
        // Region digits need not be in Jakarta.
        Nik::parse("9601010101010001").unwrap();
    }

    #[test]
    fn shape_province_and_serial() {
        assert_eq!(Nik::parse("").unwrap_err().code, "required");
        assert_eq!(code("317101150390000"), "nik_format");
        assert_eq!(code("31710115039000011"), "nik_format");
        assert_eq!(code("31710115039O0001"), "nik_format");
        assert_eq!(code("1071011503900001"), "nik_province");
        assert_eq!(code("0071011503900001"), "nik_province");
        assert_eq!(code("3171011503900000"), "nik_serial");
        Nik::parse("3171011503909999").unwrap();
    }

    #[test]
    fn birth_date_digits() {
        assert_eq!(code("3171010003900001"), "nik_birth_date"); // day 00
        assert_eq!(code("3171013203900001"), "nik_birth_date"); // day 32
        assert_eq!(code("3171014003900001"), "nik_birth_date"); // woman's day 0
        assert_eq!(code("3171017203900001"), "nik_birth_date"); // woman's day 32
        assert_eq!(code("3171011513900001"), "nik_birth_date"); // month 13
        assert_eq!(code("3171011500900001"), "nik_birth_date"); // month 00
        assert_eq!(code("3171013104900001"), "nik_birth_date"); // 31 April
        assert_eq!(code("3171013102900001"), "nik_birth_date"); // 31 Feb
        assert_eq!(code("3171013002000001"), "nik_birth_date"); // 30 Feb never
        assert_eq!(code("3171012902010001"), "nik_birth_date"); // 29 Feb 1901/2001
        Nik::parse("3171017101000001").unwrap(); // woman, 31 Jan 00
        assert_eq!(code("3171017102000001"), "nik_birth_date"); // woman, 31 Feb
        Nik::parse("3171016902000001").unwrap(); // woman, 29 Feb (2000)
        Nik::parse("3171012902960001").unwrap(); // 29 Feb 1996
    }

    #[test]
    fn leap_years_against_birth_date() {
        let nik = Nik::parse("3171012902000001").unwrap();
        nik.check_against(d("2000-02-29"), Sex::M).unwrap();
        // 29 Feb 1900 does not exist, so no birth date can make this NIK mean 1900.
        assert!(NaiveDate::from_ymd_opt(1900, 2, 29).is_none());
        assert_eq!(
            nik.check_against(d("1900-02-28"), Sex::M).unwrap_err().code,
            "nik_birth_date_mismatch"
        );
    }

    #[test]
    fn must_agree_with_birth_date_and_sex() {
        let nik = Nik::parse("3171011503900001").unwrap();
        assert_eq!(
            nik.check_against(d("1990-03-16"), Sex::M).unwrap_err().code,
            "nik_birth_date_mismatch"
        );
        assert_eq!(
            nik.check_against(d("1991-03-15"), Sex::M).unwrap_err().code,
            "nik_birth_date_mismatch"
        );
        assert_eq!(
            nik.check_against(d("1890-03-15"), Sex::M).map(|_| ()),
            Ok(())
        );
        assert_eq!(
            nik.check_against(d("1990-03-15"), Sex::F).unwrap_err().code,
            "nik_sex_mismatch"
        );
        let woman = Nik::parse("3171015503900001").unwrap();
        assert_eq!(
            woman
                .check_against(d("1990-03-15"), Sex::M)
                .unwrap_err()
                .code,
            "nik_sex_mismatch"
        );
    }

    #[test]
    fn masks_and_never_debugs_digits() {
        let nik = Nik::parse("3171011503900001").unwrap();
        assert_eq!(nik.masked(), "3171**********01");
        assert!(!format!("{nik:?}").contains("1503900"));
    }
}
