//! Bad input of any kind gets a 4xx with the JSON error shape, never a 500, and nothing
//! is written.

use axum::http::{Method, StatusCode};
use jakpreneur_testkit::{TestApp, member};

on_both_backends!(malformed_requests_get_4xx_json_and_write_nothing);

/// What is sent (description, headers, body) and what must come back (status, code, field).
type Case<'a> = (
    &'a str,
    Vec<(&'a str, &'a str)>,
    Vec<u8>,
    StatusCode,
    &'a str,
    Option<&'a str>,
);

async fn malformed_requests_get_4xx_json_and_write_nothing(app: TestApp) {
    let json = [("content-type", "application/json")];
    let valid = member(1).to_string();
    let cases: Vec<Case> = vec![
        (
            "empty body",
            json.to_vec(),
            b"".to_vec(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
            None,
        ),
        (
            "truncated",
            json.to_vec(),
            valid.as_bytes()[..valid.len() / 2].to_vec(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
            None,
        ),
        (
            "trailing garbage",
            json.to_vec(),
            format!("{valid} x").into_bytes(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
            None,
        ),
        (
            "not utf-8",
            json.to_vec(),
            vec![0xff, 0xfe, b'{'],
            StatusCode::BAD_REQUEST,
            "malformed_json",
            None,
        ),
        (
            "array",
            json.to_vec(),
            b"[]".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_type",
            None,
        ),
        (
            "number for nik",
            json.to_vec(),
            br#"{"nik": 3171015503900001}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_type",
            Some("nik"),
        ),
        (
            "object for phone",
            json.to_vec(),
            br#"{"phone": {"a": 1}}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_type",
            Some("phone"),
        ),
        (
            "unknown field",
            json.to_vec(),
            br#"{"nik": "1", "is_admin": true}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_field",
            Some("is_admin"),
        ),
        (
            "form body",
            vec![("content-type", "application/x-www-form-urlencoded")],
            b"nik=1".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            None,
        ),
        (
            "no content type",
            vec![],
            valid.clone().into_bytes(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            None,
        ),
        (
            "oversized",
            json.to_vec(),
            format!("{{\"address\": \"{}\"}}", "a".repeat(200_000)).into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            None,
        ),
        (
            "nul in name",
            json.to_vec(),
            br#"{"full_name": "Siti\u0000"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "required",
            Some("nik"),
        ),
    ];
    for (what, headers, body, status, code, field) in cases {
        let res = app
            .request(Method::POST, "/api/v1/members", &headers, body)
            .await;
        assert_eq!(res.status, status, "{what}: {}", res.text());
        let (got_code, got_field) = res.error();
        assert_eq!(got_code, code, "{what}");
        if field.is_some() {
            assert_eq!(got_field.as_deref(), field, "{what}");
        }
    }
    // Unknown routes and methods answer in JSON too.
    let res = app.get("/api/v1/nothing-here").await;
    assert_eq!(
        (res.status, res.error().0.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let res = app
        .request(Method::DELETE, "/api/v1/members", &[], vec![])
        .await;
    assert_eq!(
        (res.status, res.error().0.as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
    // Unknown or repeated query parameters are named.
    let res = app.get("/api/v1/members?colour=red").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.error(),
        ("invalid_parameter".into(), Some("colour".into()))
    );
    assert_eq!(app.count().await, 0);
}
