//! Bad input of any kind gets a 4xx with the JSON error shape, never a 500, and nothing
//! is written.

use axum::http::{Method, StatusCode};
use jakpreneur_testkit::{TestApp, member};

on_both_backends!(
    malformed_requests_get_4xx_json_and_write_nothing,
    hostile_inputs_found_by_fuzzing
);

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
            "invalid_characters",
            Some("full_name"),
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

/// Cases a schemathesis and hand-made fuzzing run turned up; each must stay a clean 4xx.
async fn hostile_inputs_found_by_fuzzing(app: TestApp) {
    let json = ("content-type", "application/json");
    // A member number that is not UTF-8: JSON 400, not plain text.
    for (method, path) in [
        (Method::GET, "/api/v1/members/%FF"),
        (Method::PATCH, "/api/v1/members/%C3%28"),
        (Method::POST, "/api/v1/members/%FF/withdraw"),
    ] {
        let res = app
            .request(method, path, &[json, ("if-match", "1")], b"{}".to_vec())
            .await;
        assert_eq!(
            (res.status, res.error().0.as_str()),
            (StatusCode::BAD_REQUEST, "invalid_path"),
            "{path}"
        );
    }
    // A NUL character (schemathesis found it on PostgreSQL, which refuses NUL in text: a
    // 500): in a JSON string, a query parameter or the path, refused naming where it is.
    let market = app
        .post_json(
            "/api/v1/market-events",
            &serde_json::json!({"kind": "bazaar", "name": "Bazar Fuzz", "place_code": "31.71.01",
                                "starts_on": "2024-05-01", "ends_on": "2024-05-03"}),
        )
        .await;
    let market_id = market.json()["id"].as_i64();
    let path = format!(
        "/api/v1/market-events/{}/participants",
        market_id.unwrap_or(1)
    );
    let res = app
        .request(
            Method::POST,
            &path,
            &[json],
            br#"{"member_no": "3\u0084\u0000\ud83e\udf13"}"#.to_vec(),
        )
        .await;
    assert_eq!(
        (res.status, res.error()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            ("invalid_characters".into(), Some("member_no".into()))
        ),
        "{}",
        market.text()
    );
    let res = app.get("/api/v1/members?limit=1%00").await;
    assert_eq!(
        res.error(),
        ("invalid_characters".into(), Some("limit".into()))
    );
    let res = app.get("/api/v1/members/JP-3171%000000001").await;
    assert_eq!(
        (res.status, res.error().0.as_str()),
        (StatusCode::BAD_REQUEST, "nul_character")
    );
    // A syntax error after a type error is still malformed JSON.
    let res = app
        .request(
            Method::POST,
            "/api/v1/members",
            &[json],
            br#"{"nik": 1, "#.to_vec(),
        )
        .await;
    assert_eq!(
        (res.status, res.error().0.as_str()),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );
    // A key given twice is named.
    let res = app
        .request(
            Method::POST,
            "/api/v1/members",
            &[json],
            br#"{"nik": "1", "nik": "2"}"#.to_vec(),
        )
        .await;
    assert_eq!(res.error(), ("duplicate_field".into(), Some("nik".into())));
    // A declared length over the limit is refused before any of the body is read.
    let res = app
        .request(
            Method::POST,
            "/api/v1/members",
            &[json, ("content-length", "10000000000")],
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(
        (res.status, res.error().0.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    );
    // Compressed or non-UTF-8 bodies are not silently misread.
    let body = member(3).to_string().into_bytes();
    for headers in [
        vec![("content-type", "application/json; charset=utf-16")],
        vec![json, ("content-encoding", "gzip")],
    ] {
        let res = app
            .request(Method::POST, "/api/v1/members", &headers, body.clone())
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{headers:?}"
        );
    }
    let res = app
        .request(
            Method::POST,
            "/api/v1/members",
            &[("content-type", "application/json; charset=UTF-8")],
            body,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    // A NUL in the search text would end the match early in SQLite.
    let res = app.get("/api/v1/members?q=Siti%00ZZZ").await;
    assert_eq!(res.error(), ("invalid_characters".into(), Some("q".into())));
    // Year 30 is a typing slip, not a registration date.
    let mut m = member(4);
    m["registered_on"] = serde_json::json!("0030-01-01");
    assert_eq!(
        app.post_json("/api/v1/members", &m).await.error().0,
        "date_too_early"
    );
    // Unknown parameters are refused on every list.
    assert_eq!(
        app.get("/api/v1/sectors?foo=1").await.error(),
        ("invalid_parameter".into(), Some("foo".into()))
    );
    assert_eq!(app.count().await, 1);
}
