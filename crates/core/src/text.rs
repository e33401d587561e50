//! Free-text fields (names, addresses): trimmed, inner whitespace collapsed, bounded length,
//! no control characters.

use crate::FieldError;

pub fn parse_text(
    field: &'static str,
    raw: &str,
    min_chars: usize,
    max_chars: usize,
) -> Result<String, FieldError> {
    let value = collapse(field, raw, max_chars)?;
    if value.chars().count() < min_chars {
        return Err(FieldError::new(
            field,
            "too_short",
            format!("{field} must be at least {min_chars} characters"),
        ));
    }
    if !value.chars().any(char::is_alphabetic) {
        return Err(FieldError::new(
            field,
            "invalid_characters",
            format!("{field} must contain letters"),
        ));
    }
    Ok(value)
}

/// A reference or number (certificate, permit, loan): trimmed, inner whitespace collapsed,
/// no control characters, bounded length. Unlike [`parse_text`], digits alone are fine.
pub fn parse_reference(
    field: &'static str,
    raw: &str,
    max_chars: usize,
) -> Result<String, FieldError> {
    collapse(field, raw, max_chars)
}

/// Trimmed, inner whitespace collapsed to one space; present, free of control characters
/// and at most `max_chars` long.
fn collapse(field: &'static str, raw: &str, max_chars: usize) -> Result<String, FieldError> {
    let value = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if value.is_empty() {
        return Err(FieldError::required(field));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "invalid_characters",
            format!("{field} contains control characters"),
        ));
    }
    if value.chars().count() > max_chars {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("{field} must be at most {max_chars} characters"),
        ));
    }
    Ok(value)
}

/// Strict `YYYY-MM-DD` calendar date (chrono alone would accept `2020-2-3`).
pub fn parse_date(field: &'static str, raw: &str) -> Result<chrono::NaiveDate, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::required(field));
    }
    let shaped = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return Err(FieldError::new(
            field,
            "date_format",
            format!("{field} must be a date written YYYY-MM-DD"),
        ));
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        FieldError::new(
            field,
            "date_invalid",
            format!("{field} is not a real calendar date: {s}"),
        )
    })
}

/// A whole number written in decimal digits (an optional leading `-` only when `min` < 0),
/// within `min..=max`. Rupiah amounts, capacities and counts are read with this: no
/// thousands separators, no decimals.
pub fn parse_int(field: &'static str, raw: &str, min: i64, max: i64) -> Result<i64, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::required(field));
    }
    let n: i64 = s.parse().map_err(|_| {
        FieldError::new(
            field,
            "not_a_number",
            format!("{field} must be a whole number written in digits, without separators"),
        )
    })?;
    if n < min || n > max {
        return Err(FieldError::new(
            field,
            "out_of_range",
            format!("{field} must be between {min} and {max}"),
        ));
    }
    Ok(n)
}

/// A form value: `None` when absent or blank, else trimmed.
pub fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

/// A required date that may not lie after `today`.
pub fn not_future(
    field: &'static str,
    raw: Option<&str>,
    today: chrono::NaiveDate,
) -> Result<chrono::NaiveDate, FieldError> {
    let raw = given(raw).ok_or_else(|| FieldError::required(field))?;
    let d = parse_date(field, raw)?;
    if d > today {
        return Err(FieldError::new(
            field,
            "date_in_future",
            format!("{field} is in the future"),
        ));
    }
    Ok(d)
}

/// A date that defaults to `today` and may not lie after it.
pub fn date_or_today(
    field: &'static str,
    raw: Option<&str>,
    today: chrono::NaiveDate,
) -> Result<chrono::NaiveDate, FieldError> {
    match given(raw) {
        None => Ok(today),
        Some(d) => not_future(field, Some(d), today),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_whitespace_and_bounds_length() {
        assert_eq!(
            parse_text("full_name", "  Siti   Aminah ", 2, 100).unwrap(),
            "Siti Aminah"
        );
        assert_eq!(
            parse_text("full_name", "   ", 2, 100).unwrap_err().code,
            "required"
        );
        assert_eq!(
            parse_text("full_name", "A", 2, 100).unwrap_err().code,
            "too_short"
        );
        assert_eq!(
            parse_text("full_name", &"a".repeat(101), 2, 100)
                .unwrap_err()
                .code,
            "too_long"
        );
        assert_eq!(
            parse_text("full_name", "12345", 2, 100).unwrap_err().code,
            "invalid_characters"
        );
        assert_eq!(
            parse_text("full_name", "ab\u{7}c", 2, 100)
                .unwrap_err()
                .code,
            "invalid_characters"
        );
    }

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("d", "2000-02-29").is_ok());
        assert_eq!(
            parse_date("d", "1900-02-29").unwrap_err().code,
            "date_invalid"
        );
        assert_eq!(
            parse_date("d", "2021-02-30").unwrap_err().code,
            "date_invalid"
        );
        assert_eq!(parse_date("d", "2021-2-3").unwrap_err().code, "date_format");
        assert_eq!(
            parse_date("d", "03-02-2021").unwrap_err().code,
            "date_format"
        );
        assert_eq!(parse_date("d", "").unwrap_err().code, "required");
    }
}
