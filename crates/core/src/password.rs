//! The password policy: long enough, and not guessable. Strength is judged by zxcvbn
//! (dictionaries of common and breached passwords, names, keyboard patterns, dates), with
//! the username and the programme's own words counted as known to an attacker; a
//! password of nothing but the most common words is refused whatever its length, and
//! every password is compared in Unicode NFC ([`normalize`]).

use crate::FieldError;

/// Shortest password accepted, in characters.
pub const MIN_LENGTH: usize = 12;
/// Longest password accepted: hashing a megabyte would be a cheap denial of service.
pub const MAX_LENGTH: usize = 256;

/// Words an attacker would try first against this service.
const SERVICE_WORDS: [&str; 10] = [
    "jakpreneur",
    "jakarta",
    "okoce",
    "oke oce",
    "pkt",
    "ppkukm",
    "umkm",
    "dki",
    "kewirausahaan",
    "wirausaha",
];

/// The words of the most common passwords, English and Indonesian: a password made of
/// these (and of the service's words, the username, digits and punctuation) alone is
/// refused however long it is, since a guesser tries their combinations first.
const COMMON_WORDS: [&str; 48] = [
    "password",
    "passw0rd",
    "sandi",
    "katasandi",
    "rahasia",
    "admin",
    "administrator",
    "qwerty",
    "asdf",
    "zxcv",
    "welcome",
    "selamat",
    "datang",
    "letmein",
    "login",
    "masuk",
    "iloveyou",
    "sayang",
    "cinta",
    "indonesia",
    "merdeka",
    "bismillah",
    "alhamdulillah",
    "monkey",
    "dragon",
    "sunshine",
    "football",
    "superman",
    "batman",
    "master",
    "secret",
    "abcdef",
    "abcd",
    "abc",
    "user",
    "pengguna",
    "test",
    "tes",
    "coba",
    "default",
    "changeme",
    "ganti",
    "baru",
    "pass",
    "kunci",
    "akun",
    "oke",
    "oce",
];

/// A password as it is checked, hashed and verified: Unicode NFC, so that the same
/// characters typed on two keyboards (precomposed `é` or `e` with a combining accent) are
/// the same password.
pub fn normalize(password: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    password.nfc().collect()
}

/// Letters left once the known words, digits, spaces and punctuation are taken out.
fn own_letters(password: &str, username: &str) -> usize {
    let mut rest = password.to_lowercase();
    let mut words: Vec<&str> = COMMON_WORDS.iter().chain(&SERVICE_WORDS).copied().collect();
    let user = username.to_lowercase();
    words.extend(
        user.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() >= 3),
    );
    // Longest first, so that `administrator` goes whole before `admin` is tried.
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    for w in words {
        rest = rest.replace(w, " ");
    }
    rest.chars().filter(|c| c.is_alphabetic()).count()
}

/// Checks a new password for `username`; the error names `field` and says why.
pub fn check_password(
    field: &'static str,
    password: &str,
    username: &str,
) -> Result<(), FieldError> {
    if password.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "password_control_character",
            format!("{field} may not hold control characters (tabs, line breaks and the like)"),
        ));
    }
    let password = &normalize(password);
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
    if own_letters(password, username) < 4 {
        return Err(FieldError::new(
            field,
            "password_common_words",
            format!(
                "{field} is made only of words every guesser tries first (such as password, \
                 sayang, jakarta, jakpreneur or your username), digits and punctuation; \
                 add words of your own"
            ),
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
        assert_eq!(code("password1234"), Some("password_common_words"));
        assert_eq!(code("qwertyuiop123"), Some("password_weak"));
        assert_eq!(code("budi.santoso1"), Some("password_common_words"));
        assert_eq!(code("jakpreneur2024"), Some("password_common_words"));
        assert_eq!(code(&"x".repeat(300)), Some("password_too_long"));
        assert_eq!(code("kopi-tubruk-pagi-hujan-Cempaka"), None);
    }

    /// Findings 7 of the security review: control characters were accepted, the same
    /// password in NFC and NFD were two passwords, and a long run of common words passed.
    #[test]
    fn control_characters_common_words_and_unicode_forms() {
        let code = |p: &str| {
            check_password("password", p, "budi.santoso")
                .err()
                .map(|e| e.code)
        };
        assert_eq!(
            code("kopi-tubruk\u{7}-pagi-hujan"),
            Some("password_control_character")
        );
        assert_eq!(
            code("kopi-tubruk\n-pagi-hujan"),
            Some("password_control_character")
        );
        for common in [
            "jakpreneur jakarta okoce 2024!",
            "Password Sayang Cinta Indonesia",
            "administrator-passw0rd-2025",
            "budi santoso jakarta 1990",
        ] {
            assert_eq!(code(common), Some("password_common_words"), "{common}");
        }
        let nfc = "kopi-tubruk-café-Cempaka";
        let nfd = "kopi-tubruk-cafe\u{301}-Cempaka";
        assert_ne!(nfc, nfd);
        assert_eq!(normalize(nfc), normalize(nfd));
        assert_eq!(code(nfd), None);
    }
}
