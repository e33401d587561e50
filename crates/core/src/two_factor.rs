//! Two-factor sign-in: which roles must use it, and what a person may type as the second
//! factor — a six-digit code from an authenticator app (TOTP, RFC 6238) or one of the
//! account's one-time recovery codes.

use crate::FieldError;
use crate::access::Role;

/// The roles that must sign in with a second factor unless the configuration says
/// otherwise: the administrators and the officers, who see personal data across a region.
pub const REQUIRED_BY_DEFAULT: [Role; 5] = [
    Role::Admin,
    Role::ProvinceOfficer,
    Role::CityOfficer,
    Role::DistrictOfficer,
    Role::ManpowerOfficer,
];

/// Digits of an authenticator code.
pub const CODE_DIGITS: usize = 6;

/// The letters of a recovery code: lower-case letters and digits without the ones easily
/// misread (0/o, 1/l/i).
pub const RECOVERY_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
/// Characters of a recovery code (shown as two groups of five: `k7m2p-x9wq4`), about
/// 49.5 bits.
pub const RECOVERY_LEN: usize = 10;
/// Recovery codes an account is given at a time.
pub const RECOVERY_CODES: usize = 10;

/// A second factor as typed, in canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactor {
    /// Six digits from the authenticator app.
    Code(String),
    /// A recovery code, lower case, without its dash.
    Recovery(String),
}

/// Reads what was typed into the second-factor box: spaces and dashes are ignored (apps
/// show `123 456`, recovery codes are printed `k7m2p-x9wq4`), letters in any case.
pub fn parse_second_factor(field: &'static str, text: &str) -> Result<SecondFactor, FieldError> {
    if text.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "invalid_characters",
            "the code holds a control character",
        ));
    }
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    if compact.is_empty() {
        return Err(FieldError::required(field));
    }
    if compact.len() == CODE_DIGITS && compact.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(SecondFactor::Code(compact));
    }
    if compact.len() == RECOVERY_LEN && compact.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)) {
        return Ok(SecondFactor::Recovery(compact));
    }
    Err(FieldError::new(
        field,
        "code_malformed",
        format!(
            "type the {CODE_DIGITS} digits your authenticator app shows, or one of your \
             recovery codes ({RECOVERY_LEN} letters and digits)"
        ),
    ))
}

/// Only the six digits of an authenticator app (enrolment and confirmation take no
/// recovery code).
pub fn parse_app_code(field: &'static str, text: &str) -> Result<String, FieldError> {
    match parse_second_factor(field, text)? {
        SecondFactor::Code(c) => Ok(c),
        SecondFactor::Recovery(_) => Err(FieldError::new(
            field,
            "code_malformed",
            format!("type the {CODE_DIGITS} digits your authenticator app shows"),
        )),
    }
}

/// A recovery code as shown to its owner: two groups of five.
pub fn format_recovery(code: &str) -> String {
    if code.len() == RECOVERY_LEN {
        format!("{}-{}", &code[..5], &code[5..])
    } else {
        code.to_owned()
    }
}

/// Makes a recovery code from random bytes (one byte per character, mapped without bias
/// by rejection: the caller supplies enough bytes; `None` when they ran out).
pub fn recovery_from_bytes(bytes: &[u8]) -> Option<String> {
    let n = RECOVERY_ALPHABET.len();
    // The largest multiple of the alphabet's size below 256: bytes above it are skipped.
    let limit = 256 - (256 % n);
    let code: String = bytes
        .iter()
        .filter(|&&b| usize::from(b) < limit)
        .take(RECOVERY_LEN)
        .map(|&b| char::from(RECOVERY_ALPHABET[usize::from(b) % n]))
        .collect();
    (code.len() == RECOVERY_LEN).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_as_people_type_them() {
        assert_eq!(
            parse_second_factor("code", " 123 456 "),
            Ok(SecondFactor::Code("123456".into()))
        );
        assert_eq!(
            parse_second_factor("code", "K7M2P-X9WQ4"),
            Ok(SecondFactor::Recovery("k7m2px9wq4".into()))
        );
        assert_eq!(
            parse_second_factor("code", "").unwrap_err().code,
            "required"
        );
        for bad in [
            "12345",
            "1234567",
            "k7m2p-x9wq",
            "k7m2p-x9wq0",
            "12\u{0}3456",
        ] {
            let e = parse_second_factor("code", bad).unwrap_err();
            assert_eq!(e.field, "code", "{bad:?}");
        }
        assert!(parse_app_code("code", "k7m2p-x9wq4").is_err());
    }

    #[test]
    fn recovery_codes_use_the_whole_alphabet_and_read_back() {
        let bytes: Vec<u8> = (0..=255).collect();
        let code = recovery_from_bytes(&bytes).unwrap();
        assert_eq!(code.len(), RECOVERY_LEN);
        assert_eq!(
            parse_second_factor("code", &format_recovery(&code)),
            Ok(SecondFactor::Recovery(code))
        );
        assert_eq!(recovery_from_bytes(&[255; 40]), None);
    }
}
