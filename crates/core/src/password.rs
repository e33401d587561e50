//! The password policy: long enough, and not guessable. Strength is judged by zxcvbn
//! (dictionaries of common and breached passwords, names, keyboard patterns, dates), with
//! the username and the programme's own words counted as known to an attacker.

use crate::FieldError;

/// Shortest password accepted, in characters.
pub const MIN_LENGTH: usize = 12;
/// Longest password accepted: hashing a megabyte would be a cheap denial of service.
pub const MAX_LENGTH: usize = 256;

/// Words an attacker would try first against this service.
const SERVICE_WORDS: [&str; 6] = ["jakpreneur", "jakarta", "okoce", "oke oce", "pkt", "ppkukm"];

/// Checks a new password for `username`; the error names `field` and says why.
pub fn check_password(
    field: &'static str,
    password: &str,
    username: &str,
) -> Result<(), FieldError> {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        return Err(FieldError::new(
            field,
            "password_too_short",
            format!("{field} must have at least {MIN_LENGTH} characters"),
        ));
    }
    if chars > MAX_LENGTH {
        return Err(FieldError::new(
            field,
            "password_too_long",
            format!("{field} may have at most {MAX_LENGTH} characters"),
        ));
    }
    let mut known: Vec<&str> = SERVICE_WORDS.to_vec();
    known.push(username);
    let estimate = zxcvbn::zxcvbn(password, &known);
    if estimate.score() < zxcvbn::Score::Three {
        return Err(FieldError::new(
            field,
            "password_weak",
            format!(
                "{field} is too easy to guess (common words, names, dates or patterns); \
                 use a longer phrase of unrelated words"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_common_and_username_passwords_are_refused() {
        let code = |p: &str| {
            check_password("password", p, "budi.santoso")
                .err()
                .map(|e| e.code)
        };
        assert_eq!(code("password123"), Some("password_too_short"));
        assert_eq!(code("password1234"), Some("password_weak"));
        assert_eq!(code("qwertyuiop123"), Some("password_weak"));
        assert_eq!(code("budi.santoso1"), Some("password_weak"));
        assert_eq!(code("jakpreneur2024"), Some("password_weak"));
        assert_eq!(code(&"x".repeat(300)), Some("password_too_long"));
        assert_eq!(code("kopi-tubruk-pagi-hujan-Cempaka"), None);
    }
}
