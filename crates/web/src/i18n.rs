//! Message catalogues for the pages: Indonesian (default) and English, embedded from
//! `crates/web/locales/*.toml`. Error codes are translated as `error.<code>`.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Id,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct Catalogues {
    id: HashMap<String, String>,
    en: HashMap<String, String>,
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

fn load(name: &str, text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    match text.parse::<toml::Table>() {
        Ok(t) => flatten("", &t, &mut out),
        // Embedded at build time and checked by a test; never user input.
        Err(e) => tracing::error!(catalogue = name, error = %e, "message catalogue is malformed"),
    }
    out
}

impl Catalogues {
    pub fn embedded() -> Self {
        Self {
            id: load("id.toml", include_str!("../locales/id.toml")),
            en: load("en.toml", include_str!("../locales/en.toml")),
        }
    }

    pub fn tr(&self, lang: Lang) -> Tr<'_> {
        Tr {
            lang,
            map: if lang == Lang::En { &self.en } else { &self.id },
            fallback: &self.id,
        }
    }

    /// Keys present in one catalogue but not the other (a test keeps them in step).
    pub fn missing_keys(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .id
            .keys()
            .filter(|k| !self.en.contains_key(*k))
            .chain(self.en.keys().filter(|k| !self.id.contains_key(*k)))
            .cloned()
            .collect();
        v.sort();
        v
    }
}

/// Translator for one request.
#[derive(Clone, Copy)]
pub struct Tr<'a> {
    pub lang: Lang,
    map: &'a HashMap<String, String>,
    fallback: &'a HashMap<String, String>,
}

impl<'a> Tr<'a> {
    pub fn t(&self, key: &str) -> &'a str {
        self.map
            .get(key)
            .or_else(|| self.fallback.get(key))
            .map_or("", String::as_str)
    }

    /// The label of an enumerated value, e.g. `tv("value.sex_", "F")`.
    pub fn tv(&self, prefix: &str, value: &str) -> &'a str {
        self.t(&format!("{prefix}{value}"))
    }

    /// A date as people write it in this language: `26 Juni 2021`, `26 June 2021`.
    pub fn date(&self, d: &chrono::NaiveDate) -> String {
        use chrono::Datelike;
        let months = self.t("statistik.months");
        match months.split(',').map(str::trim).nth(d.month0() as usize) {
            Some(m) if months.split(',').count() == 12 => {
                format!("{} {m} {}", d.day(), d.year())
            }
            _ => d.to_string(),
        }
    }

    /// A date that may be absent; absent is shown as a dash.
    pub fn date_opt(&self, d: &Option<chrono::NaiveDate>) -> String {
        d.as_ref().map_or_else(|| "–".to_owned(), |d| self.date(d))
    }

    /// An ISO date held as text (`2021-06-26`) written out; other text as it is.
    pub fn date_text(&self, s: &str) -> String {
        s.parse::<chrono::NaiveDate>()
            .map_or_else(|_| s.to_owned(), |d| self.date(&d))
    }

    /// A moment in Jakarta's time: `26 Juni 2021 14.05` (Indonesian writes the time with a
    /// dot), `26 June 2021 14:05`.
    pub fn datetime(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        let local = t.with_timezone(&jakpreneur_core::clock::wib());
        let sep = if self.lang == Lang::Id { '.' } else { ':' };
        format!(
            "{} {}",
            self.date(&local.date_naive()),
            local.format(&format!("%H{sep}%M"))
        )
    }

    /// A count with the language's thousands separator: `1.234` / `1,234`.
    pub fn count(&self, n: &i64) -> String {
        let s = jakpreneur_core::format::format_count(*n);
        if self.lang == Lang::En {
            s.replace('.', ",")
        } else {
            s
        }
    }

    /// A translated error message for `code`, or the English message given.
    pub fn error(&self, code: &str, message: &str) -> String {
        match self.map.get(&format!("error.{code}")) {
            Some(s) => s.clone(),
            None => message.to_owned(),
        }
    }
}

/// The page language: `?lang=` (remembered in a cookie), else the cookie, else Indonesian.
#[derive(Debug, Clone, Copy)]
pub struct PageLang {
    pub lang: Lang,
    /// Set when `?lang=` chose a language, so the response remembers it.
    pub remember: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let from_query = parts.uri.query().and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "lang")
                .and_then(|(_, v)| Lang::parse(&v))
        });
        if let Some(lang) = from_query {
            return Ok(PageLang {
                lang,
                remember: true,
            });
        }
        let from_cookie = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().strip_prefix("lang="))
            .find_map(Lang::parse);
        Ok(PageLang {
            lang: from_cookie.unwrap_or(Lang::Id),
            remember: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogues_parse_and_agree() {
        let c = Catalogues::embedded();
        assert!(c.id.len() > 50, "id catalogue loaded: {}", c.id.len());
        assert_eq!(c.missing_keys(), Vec::<String>::new());
        assert_eq!(c.tr(Lang::En).t("nav.members"), "Members");
        assert_eq!(c.tr(Lang::Id).t("nav.members"), "Anggota");
    }
}
