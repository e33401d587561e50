//! Numbers written for Indonesian readers.

/// Thousands separated the Indonesian way: `264213` → `264.213`.
pub fn format_count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

/// Whole rupiah with thousands separators, as Indonesians write them: `Rp 45.000.000`.
pub fn rupiah(n: i64) -> String {
    let count = format_count(n.checked_abs().unwrap_or(i64::MAX));
    format!("Rp {}{count}", if n < 0 { "-" } else { "" })
}

/// A spreadsheet cell that starts with `=`, `+`, `-` or `@` is a formula to Excel; in a
/// CSV it is written with a leading apostrophe so it stays text. A plain signed number
/// (a phone number `+6281…`) is not a formula and is left as it is.
pub fn csv_safe(s: &str) -> std::borrow::Cow<'_, str> {
    let signed_number =
        s.starts_with(['+', '-']) && s.len() > 1 && s[1..].chars().all(|c| c.is_ascii_digit());
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && !signed_number {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_use_dots_between_thousands() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(7), "7");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1000), "1.000");
        assert_eq!(format_count(264213), "264.213");
        assert_eq!(format_count(1234567), "1.234.567");
        assert_eq!(format_count(-5), "-5");
        assert_eq!(format_count(-1234567), "-1.234.567");
        assert_eq!(format_count(i64::MIN), "-9.223.372.036.854.775.808");
    }

    #[test]
    fn csv_cells_never_run_as_formulas() {
        assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_safe("Warung Bu Siti"), "Warung Bu Siti");
        assert_eq!(csv_safe("+6281234567890"), "+6281234567890");
        assert_eq!(csv_safe("+1+cmd|' /C calc'!A0"), "'+1+cmd|' /C calc'!A0");
        assert_eq!(csv_safe("-"), "'-");
    }
}
