//! Request extractors that turn every malformed input into the API's JSON error shape:
//! bad JSON → 400, wrong type / unknown field → 422 naming the field, too large → 413,
//! wrong content type → 415. Nothing reaches a handler unless it parsed.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body, deserialized with the path of the failing field kept.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            });
        let charset_ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|v| {
                v.split(';').skip(1).all(|p| {
                    let p = p.trim().to_ascii_lowercase();
                    !p.starts_with("charset=")
                        || matches!(
                            p.trim_start_matches("charset=").trim_matches('"'),
                            "utf-8" | "utf8"
                        )
                })
            });
        let encoded = req
            .headers()
            .get(header::CONTENT_ENCODING)
            .is_some_and(|v| !v.as_bytes().eq_ignore_ascii_case(b"identity"));
        if encoded || !charset_ok {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as uncompressed UTF-8 JSON",
            ));
        }
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "the request body is too large",
                )
            } else {
                ApiError::bad_request(
                    "unreadable_body",
                    "the request body could not be read (incomplete, or sent too slowly)",
                )
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses JSON bytes into `T`, mapping each kind of failure to its error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "malformed_json",
            "the request body is empty; send a JSON object",
        ));
    }
    // Serde would also read a struct from an array, by position; the API takes objects only.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(match serde_json::from_slice::<serde_json::Value>(bytes) {
            Ok(_) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_type",
                "the request body must be a JSON object",
            ),
            Err(e) => json_error(".", &e, bytes),
        });
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        json_error(&path, &inner, bytes)
    })?;
    de.end().map_err(|e| json_error(".", &e, bytes))?;
    refuse_nul_in_json(bytes)?;
    Ok(value)
}

/// A NUL character (`\u0000`) in a JSON string: no field takes one, and a database would
/// refuse it. Only a body whose text has the escape is walked, to name the field.
fn refuse_nul_in_json(bytes: &[u8]) -> Result<(), ApiError> {
    if !bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        return Ok(());
    }
    fn find(v: &serde_json::Value, path: &str) -> Option<String> {
        match v {
            serde_json::Value::String(s) if s.contains('\0') => Some(path.to_owned()),
            serde_json::Value::Object(o) => o.iter().find_map(|(k, x)| {
                find(
                    x,
                    &if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    },
                )
            }),
            serde_json::Value::Array(a) => a
                .iter()
                .enumerate()
                .find_map(|(i, x)| find(x, &format!("{path}[{i}]"))),
            _ => None,
        }
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_default();
    match find(&value, "") {
        Some(field) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_characters",
            format!("{field} contains a NUL character (\\u0000)"),
        )
        .with_field(field)),
        None => Ok(()),
    }
}

fn json_error(path: &str, e: &serde_json::Error, bytes: &[u8]) -> ApiError {
    use serde_json::error::Category;
    let msg = e.to_string();
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::bad_request(
            "malformed_json",
            format!(
                "the request body is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ),
        ),
        Category::Data => {
            // A data error may come before a syntax error further on; malformed is malformed.
            if let Err(syntax) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
                return json_error(path, &syntax, bytes);
            }
            if let Some(name) = backticked_after(&msg, "duplicate field `") {
                let name = clip(name);
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "duplicate_field",
                    format!("field {name:?} is given twice"),
                )
                .with_field(name)
            } else if let Some(name) = backticked_after(&msg, "unknown field `") {
                let name = clip(name);
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unknown_field",
                    format!("unknown field {name:?}"),
                )
                .with_field(name)
            } else if let Some(name) = backticked_after(&msg, "missing field `") {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "required",
                    format!("{name} is required"),
                )
                .with_field(name)
            } else {
                let field = if path == "." {
                    None
                } else {
                    Some(path.to_owned())
                };
                let text = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
                let mut err = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    if msg.starts_with("invalid type") {
                        "invalid_type"
                    } else {
                        "invalid_value"
                    },
                    match &field {
                        Some(f) => format!("{f}: {text}"),
                        None => text,
                    },
                );
                err.body.field = field;
                err
            }
        }
    }
}

/// A name from the request, cut short for echoing in a message.
fn clip(name: &str) -> &str {
    match name.char_indices().nth(64) {
        Some((i, _)) => &name[..i],
        None => name,
    }
}

fn backticked_after<'a>(msg: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = &msg[msg.find(prefix)? + prefix.len()..];
    Some(&rest[..rest.find('`')?])
}

/// Query parameters; unknown or repeated parameters are refused, naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        if let Some((name, _)) =
            form_urlencoded::parse(query.as_bytes()).find(|(_, v)| v.contains('\0'))
        {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_characters",
                format!("query parameter {name} contains a NUL character"),
            )
            .with_field(name.into_owned()));
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let msg = e.inner().to_string();
                let name = backticked_after(&msg, "unknown field `")
                    .or_else(|| backticked_after(&msg, "duplicate field `"))
                    .map(str::to_owned)
                    .unwrap_or_else(|| e.path().to_string());
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_parameter",
                    format!("query parameter {name}: {msg}"),
                )
                .with_field(name)
            })
    }
}

/// What a client's `If-Match` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMatch {
    /// `If-Match: *`: any current version (the record must exist).
    Any,
    /// `If-Match: "3"` (or `3`): exactly this version, compared strongly.
    Version(i64),
}

impl IfMatch {
    /// The version to require, if any.
    pub fn version(self) -> Option<i64> {
        match self {
            IfMatch::Any => None,
            IfMatch::Version(v) => Some(v),
        }
    }
}

/// Parses `If-Match`: `*`, `"3"` or `3`. Weak tags (`W/"3"`) never match a strong
/// comparison, so they are refused, as are lists and repeated headers.
pub fn if_match(headers: &HeaderMap) -> Result<Option<IfMatch>, ApiError> {
    let mut values = headers.get_all(header::IF_MATCH).iter();
    let Some(v) = values.next() else {
        return Ok(None);
    };
    let bad = || {
        ApiError::bad_request(
            "invalid_if_match",
            "If-Match must be one version as sent in the ETag, e.g. If-Match: \"3\"",
        )
        .with_field("If-Match")
    };
    if values.next().is_some() {
        return Err(bad());
    }
    let s = v.to_str().map_err(|_| bad())?.trim();
    if s == "*" {
        return Ok(Some(IfMatch::Any));
    }
    let digits = s
        .strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(s);
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    digits
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(|n| Some(IfMatch::Version(n)))
        .ok_or_else(bad)
}

/// A path parameter; a segment that is not UTF-8 gets the API's JSON 400.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e| ApiError::bad_request("invalid_path", e.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "fields exist to be deserialized")]
    struct T {
        a: Option<String>,
        n: Option<i64>,
    }

    fn code(body: &str) -> (StatusCode, String, Option<String>) {
        let e = parse_json::<T>(body.as_bytes()).unwrap_err();
        (e.status, e.body.code, e.body.field)
    }

    #[test]
    fn maps_json_failures() {
        assert_eq!(code("").1, "malformed_json");
        assert_eq!(code("{\"a\": ").1, "malformed_json");
        assert_eq!(code("{} x").1, "malformed_json");
        assert_eq!(
            code("{\"a\": 1, ").1,
            "malformed_json",
            "a syntax error wins over a type error before it"
        );
        assert_eq!(code("{\"zz\": ").1, "malformed_json");
        assert_eq!(
            code("{\"a\": \"x\", \"a\": \"y\"}"),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "duplicate_field".into(),
                Some("a".into())
            )
        );
        assert_eq!(
            code("{\"a\": 1}"),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_type".into(),
                Some("a".into())
            )
        );
        assert_eq!(
            code("{\"zz\": 1}"),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_field".into(),
                Some("zz".into())
            )
        );
        assert_eq!(code("[]").1, "invalid_type");
        assert!(parse_json::<T>(b"{\"a\": \"x\", \"n\": 2}").is_ok());
    }

    #[test]
    fn if_match_forms() {
        let mut h = HeaderMap::new();
        assert_eq!(if_match(&h).unwrap(), None);
        h.insert(header::IF_MATCH, "\"3\"".parse().unwrap());
        assert_eq!(if_match(&h).unwrap(), Some(IfMatch::Version(3)));
        h.insert(header::IF_MATCH, "4".parse().unwrap());
        assert_eq!(if_match(&h).unwrap(), Some(IfMatch::Version(4)));
        h.insert(header::IF_MATCH, "*".parse().unwrap());
        assert_eq!(if_match(&h).unwrap(), Some(IfMatch::Any));
        for bad in [
            "abc",
            "W/\"4\"",
            "\"51",
            "+51",
            "\"1\", \"2\"",
            "0",
            "99999999999999999999",
            "",
        ] {
            h.insert(header::IF_MATCH, bad.parse().unwrap());
            assert_eq!(
                if_match(&h).unwrap_err().body.code,
                "invalid_if_match",
                "{bad}"
            );
        }
        h.insert(header::IF_MATCH, "1".parse().unwrap());
        h.append(header::IF_MATCH, "2".parse().unwrap());
        assert_eq!(
            if_match(&h).unwrap_err().body.code,
            "invalid_if_match",
            "repeated header"
        );
    }
}
