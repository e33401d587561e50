//! Free text as search words, and the word indexes' query languages: SQLite's FTS5 and
//! PostgreSQL's `tsquery`. Words are letters and digits only, lowercased, so no query
//! syntax can come through from a user; each word of two characters or more also matches
//! as the start of a longer word (`sant` finds `Santoso`), a single letter only itself
//! (an initial: the `H` of `H. Ahmad`).

use jakpreneur_core::{RegionCode, RegionLevel};

/// The most words a search uses; the rest are ignored.
pub const MAX_WORDS: usize = 8;

/// Splits free text into search words.
pub fn words_of(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .take(MAX_WORDS)
        .collect()
}

/// An FTS5 phrase for one word: quoted, with `*` for a prefix of two characters or more.
fn fts5_word(w: &str) -> String {
    if w.chars().count() >= 2 {
        format!("\"{w}\"*")
    } else {
        format!("\"{w}\"")
    }
}

/// Every word, in any of `columns` (FTS5 column names), all of them required.
pub fn fts5_all(columns: &[&str], words: &[String]) -> String {
    let spec = match columns {
        [one] => (*one).to_owned(),
        many => format!("{{{}}}", many.join(" ")),
    };
    words
        .iter()
        .map(|w| format!("{spec} : {}", fts5_word(w)))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Every word, all of them required, as a `tsquery` in the `simple` configuration.
pub fn tsquery_all(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if w.chars().count() >= 2 {
                format!("{w}:*")
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// The token the member word index (`members_words.place`) holds for a region: its level's
/// letter and its digits, `d317101` for the district 31.71.01. The same tokens are written
/// by the index's triggers (migration 19).
pub fn place_token(r: &RegionCode) -> String {
    let letter = match r.level() {
        RegionLevel::Province => 'p',
        RegionLevel::City => 'c',
        RegionLevel::District => 'd',
        RegionLevel::Village => 'v',
    };
    let digits: String = r.as_str().chars().filter(char::is_ascii_digit).collect();
    format!("{letter}{digits}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_letters_and_digits_lowercased() {
        assert_eq!(
            words_of("  Warung  Bu-Siti \"*) OR x"),
            ["warung", "bu", "siti", "or", "x"]
        );
        assert!(words_of("%%  ' \"").is_empty());
        assert_eq!(words_of("a b c d e f g h i j").len(), MAX_WORDS);
    }

    #[test]
    fn fts5_and_tsquery_prefix_only_words_of_two_letters_or_more() {
        let w = words_of("H Santo");
        assert_eq!(
            fts5_all(&["person", "business"], &w),
            "{person business} : \"h\" AND {person business} : \"santo\"*"
        );
        assert_eq!(fts5_all(&["business"], &w[1..]), "business : \"santo\"*");
        assert_eq!(tsquery_all(&w), "h & santo:*");
    }

    #[test]
    fn place_tokens_name_the_level() {
        let t = |c: &str| place_token(&RegionCode::parse("region", c).unwrap());
        assert_eq!(t("31"), "p31");
        assert_eq!(t("31.71"), "c3171");
        assert_eq!(t("31.71.01"), "d317101");
        assert_eq!(t("31.71.01.1001"), "v3171011001");
    }
}
