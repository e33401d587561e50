//! Indonesian phone numbers, mobile (08…) or landline (0 + area code), stored as `+62…`.

use std::fmt;

use crate::FieldError;

#[derive(Clone, PartialEq, Eq)]
pub struct Phone(String);

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Phone(…)")
    }
}

impl Phone {
    /// Accepts `0812-3456-7890`, `+62 812 3456 7890`, `62812…`, `(021) 3822255`.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::required(field));
        }
        let bad = || {
            FieldError::new(
                field,
                "phone_format",
                format!("{field} must be an Indonesian mobile (08…) or landline (021…) number"),
            )
        };
        let compact: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
            .collect();
        let national = compact
            .strip_prefix("+62")
            .or_else(|| compact.strip_prefix("62"))
            .or_else(|| compact.strip_prefix('0'))
            .ok_or_else(bad)?;
        if !national.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        // Mobile: 8 + 8–11 digits. Landline: area code (2–4 digits, not starting 0, 1 or 8)
        // then subscriber number, 7–11 digits in all.
        let ok = match national.as_bytes().first() {
            Some(b'8') => (9..=12).contains(&national.len()),
            Some(b'2'..=b'7' | b'9') => (7..=11).contains(&national.len()),
            _ => false,
        };
        if !ok {
            return Err(bad());
        }
        Ok(Self(format!("+62{national}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<String, &'static str> {
        Phone::parse("phone", s)
            .map(Phone::into_string)
            .map_err(|e| e.code)
    }

    #[test]
    fn normalises_mobile_and_landline() {
        assert_eq!(p("0812-3456-7890"), Ok("+6281234567890".into()));
        assert_eq!(p("+62 812 3456 7890"), Ok("+6281234567890".into()));
        assert_eq!(p("6281234567890"), Ok("+6281234567890".into()));
        assert_eq!(p("0812345678"), Ok("+62812345678".into()));
        assert_eq!(p("(021) 382-2255"), Ok("+62213822255".into()));
        assert_eq!(p("021 38222550"), Ok("+622138222550".into()));
        assert_eq!(p("0911 312345"), Ok("+62911312345".into()));
    }

    #[test]
    fn refuses_what_is_not_a_number_here() {
        assert_eq!(p(""), Err("required"));
        assert_eq!(p("12345"), Err("phone_format"));
        assert_eq!(p("+1 202 555 0101"), Err("phone_format"));
        assert_eq!(p("0812345"), Err("phone_format")); // too short for mobile
        assert_eq!(p("08123456789012"), Err("phone_format")); // too long
        assert_eq!(p("0812abc4567"), Err("phone_format"));
        assert_eq!(p("0012345678"), Err("phone_format"));
        assert_eq!(p("0112345678"), Err("phone_format"));
        assert_eq!(p("+62+812345678"), Err("phone_format"));
    }
}
