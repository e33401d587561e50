//! A request id on every request: taken from the caller's `x-request-id` when it is a
//! plain token (1–64 letters, digits, `-`, `_`, `.`), otherwise made here; sent back in
//! the response's `x-request-id`, and the field `request_id` of a span around the
//! request, so that every log line written while serving it carries the id.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub const HEADER: &str = "x-request-id";

/// Requests served by this process so far; with its start time, an id unique to it.
static SERVED: AtomicU64 = AtomicU64::new(0);

fn made_here() -> String {
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let start = *START.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    format!("{start:x}-{:x}", SERVED.fetch_add(1, Ordering::Relaxed))
}

/// The caller's id if it is a plain token.
fn given(req: &Request) -> Option<String> {
    let v = req.headers().get(HEADER)?.to_str().ok()?;
    let plain = (1..=64).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    plain.then(|| v.to_owned())
}

pub async fn request_id(req: Request, next: Next) -> Response {
    let id = given(&req).unwrap_or_else(made_here);
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.uri().path()
    );
    let mut res = next.run(req).instrument(span).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HEADER, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_made_here_differ() {
        assert_ne!(made_here(), made_here());
    }
}
