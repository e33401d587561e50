//! Snapshot tests: the JSON of each API resource and the HTML of a few pages, recorded in
//! `snapshots/` beside this file, so that any change to an output shows up in review.
//!
//! Each snapshot has one name shared by both backends: SQLite and PostgreSQL must answer
//! byte for byte the same. What changes from run to run (ids, wall-clock timestamps,
//! hashes, keyed fingerprints, session and CSRF tokens) is redacted; dates are pinned by
//! the test kit's "today". To accept a deliberate change, run the tests with
//! `INSTA_UPDATE=always` (or `cargo insta review`) and review the `.snap` files.

use axum::http::StatusCode;
use insta::internals::{Content, ContentPath};
use jakpreneur_testkit::{TestApp, TestResponse, member_in};
use serde_json::{Value, json};

on_both_backends!(
    members_json,
    ledger_json,
    training_json,
    mentoring_json,
    permits_json,
    market_json,
    finance_json,
    financing_json,
    targets_json,
    reference_json,
    stats_json,
    public_json,
    audit_json,
    errors_json,
    pages_html,
);

/// Replaces a value with `label` unless it is null (a missing timestamp stays visible).
fn unless_null(label: &'static str) -> insta::internals::Redaction {
    insta::dynamic_redaction(move |value: Content, _: ContentPath<'_>| {
        if value.is_nil() {
            value
        } else {
            Content::from(label)
        }
    })
}

/// Replaces keyed fingerprints (`hmac:…`) inside a string with `hmac:[fingerprint]`.
fn fingerprints() -> insta::internals::Redaction {
    insta::dynamic_redaction(|value: Content, _: ContentPath<'_>| match value.as_str() {
        Some(text) => {
            let re = regex::Regex::new("hmac:[0-9a-f]+").expect("a valid pattern");
            Content::from(re.replace_all(text, "hmac:[fingerprint]").into_owned())
        }
        None => value,
    })
}

/// Asserts `value` against the snapshot `name`, with what varies between runs redacted.
fn snap(name: &str, value: &Value) {
    let mut settings = insta::Settings::clone_current();
    settings.set_omit_expression(true);
    for key in [
        "id",
        "course_id",
        "class_id",
        "event_id",
        "record_id",
        "seq",
    ] {
        settings.add_redaction(&format!(".**.{key}"), unless_null("[id]"));
    }
    for key in [
        "created_at",
        "updated_at",
        "consent_at",
        "erased_at",
        "voided_at",
        "at",
    ] {
        settings.add_redaction(&format!(".**.{key}"), unless_null("[timestamp]"));
    }
    for key in ["hash", "prev_hash"] {
        settings.add_redaction(&format!(".**.{key}"), unless_null("[hash]"));
    }
    // Audit before/after: personal values are keyed fingerprints, and the key is random.
    for key in ["before", "after"] {
        settings.add_redaction(&format!(".**.{key}"), fingerprints());
    }
    settings.bind(|| insta::assert_json_snapshot!(name, value));
}

/// Asserts a response's status and JSON body, the body against the snapshot `name`.
fn snap_res(name: &str, res: &TestResponse, status: StatusCode) -> Value {
    assert_eq!(res.status, status, "{name}: {}", res.text());
    let v = res.json();
    snap(name, &v);
    v
}

/// Asserts an HTML page against the snapshot `name`, normalised by [`normalise_html`].
fn snap_html(name: &str, res: &TestResponse) {
    assert_eq!(res.status, StatusCode::OK, "{name}: {}", res.text());
    let mut settings = insta::Settings::clone_current();
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name, normalise_html(&res.text())));
}

/// Hides what depends on the session or the run: CSRF tokens and form keys, database
/// ids in URLs, and wall-clock timestamps.
fn normalise_html(html: &str) -> String {
    let rules = [
        (
            r#"name="(csrf|form_key)" value="[^"]*""#,
            r#"name="$1" value="[token]""#,
        ),
        (
            r"(/(?:events|records|follow-ups|referrals|classes|market-events|tokens|permits)/)\d+",
            "${1}[id]",
        ),
        (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})? UTC", "[timestamp]"),
        // A moment as the pages write it in Jakarta's time: `3 Desember 2026 22.36 WIB`.
        (
            r"\d{1,2} [A-Z][a-z]+ \d{4} \d{2}[.:]\d{2} WIB",
            "[timestamp]",
        ),
    ];
    let mut out = html.to_owned();
    for (pattern, replacement) in rules {
        let re = regex::Regex::new(pattern).expect("a valid pattern");
        out = re.replace_all(&out, replacement).into_owned();
    }
    out
}

/// Registers `member_in(i, village)` on a fixed date; returns the response.
async fn register(app: &TestApp, i: u32, village: &str, on: &str) -> TestResponse {
    let mut m = member_in(i, village);
    m["registered_on"] = json!(on);
    let res = app.post_json("/api/v1/members", &m).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res
}

/// Three members: two in Gambir (31.71.01), one in Setiabudi (31.74.02).
async fn three_members(app: &TestApp) -> [String; 3] {
    let mut out = Vec::new();
    for (i, village, on) in [
        (1, "31.71.01.1001", "2021-01-04"),
        (2, "31.71.01.1002", "2022-06-15"),
        (3, "31.74.02.1001", "2023-03-01"),
    ] {
        let res = register(app, i, village, on).await;
        out.push(res.json()["member_no"].as_str().unwrap().to_owned());
    }
    [out[0].clone(), out[1].clone(), out[2].clone()]
}

async fn post_ok(app: &TestApp, url: &str, body: Value) -> Value {
    let res = app.post_json(url, &body).await;
    assert!(res.status.is_success(), "{url}: {}", res.text());
    if res.body.is_empty() {
        Value::Null
    } else {
        res.json()
    }
}

async fn members_json(app: TestApp) {
    let res = register(&app, 1, "31.71.01.1001", "2021-01-04").await;
    let created = snap_res("member_register", &res, StatusCode::CREATED);
    let no = created["member_no"].as_str().unwrap().to_owned();
    register(&app, 2, "31.71.01.1002", "2022-06-15").await;
    register(&app, 3, "31.74.02.1001", "2023-03-01").await;
    let res = app.get(&format!("/api/v1/members/{no}")).await;
    snap_res("member_get", &res, StatusCode::OK);
    let res = app.get("/api/v1/members?limit=2").await;
    snap_res("member_list_page", &res, StatusCode::OK);
}

async fn ledger_json(app: TestApp) {
    let [a, _, _] = three_members(&app).await;
    let url = format!("/api/v1/members/{a}/events");
    let res = app
        .post_json(
            &url,
            &json!({"kind": "training_completed", "occurred_on": "2021-03-01", "agency": "KPKP"}),
        )
        .await;
    snap_res("event_record", &res, StatusCode::CREATED);
    post_ok(
        &app,
        &url,
        json!({"kind": "exhibition", "occurred_on": "2022-10-19", "agency": "PPKUKM"}),
    )
    .await;
    snap_res("event_list", &app.get(&url).await, StatusCode::OK);
    let res = app.get(&format!("/api/v1/members/{a}/facilities")).await;
    snap_res("facility_status", &res, StatusCode::OK);
}

async fn training_json(app: TestApp) {
    let [a, b, _] = three_members(&app).await;
    let res = app
        .post_json(
            "/api/v1/courses",
            &json!({"title": "Pengemasan produk pangan", "topic": "packaging", "hours": 16, "facility": "P2"}),
        )
        .await;
    let course = snap_res("training_course_create", &res, StatusCode::CREATED)["id"]
        .as_i64()
        .unwrap();
    snap_res(
        "training_course_list",
        &app.get("/api/v1/courses").await,
        StatusCode::OK,
    );
    let res = app
        .post_json(
            &format!("/api/v1/courses/{course}/classes"),
            &json!({"starts_on": "2026-03-02", "ends_on": "2026-03-06", "sessions": 5, "capacity": 10, "place_code": "31.71.01"}),
        )
        .await;
    let class = snap_res("training_class_create", &res, StatusCode::CREATED)["id"]
        .as_i64()
        .unwrap();
    let enrol = format!("/api/v1/classes/{class}/enrolments");
    let res = app
        .post_json(
            &enrol,
            &json!({"member_no": a, "enrolled_on": "2026-02-20"}),
        )
        .await;
    snap_res("training_enrolment", &res, StatusCode::CREATED);
    post_ok(
        &app,
        &enrol,
        json!({"member_no": b, "enrolled_on": "2026-02-21"}),
    )
    .await;
    for session in 1..=5 {
        let held_on = format!("2026-03-0{}", session + 1);
        let members = if session == 5 { vec![&a] } else { vec![&a, &b] };
        post_ok(
            &app,
            &format!("/api/v1/classes/{class}/attendance"),
            json!({"session": session, "held_on": held_on, "members": members}),
        )
        .await;
    }
    let res = app
        .post_json(&format!("/api/v1/classes/{class}/complete"), &json!({}))
        .await;
    snap_res("training_class_complete", &res, StatusCode::OK);
    snap_res(
        "training_class_list",
        &app.get("/api/v1/classes").await,
        StatusCode::OK,
    );
    snap_res(
        "training_class_show",
        &app.get(&format!("/api/v1/classes/{class}")).await,
        StatusCode::OK,
    );
    snap_res(
        "training_member_classes",
        &app.get(&format!("/api/v1/members/{a}/classes")).await,
        StatusCode::OK,
    );
}

async fn mentoring_json(app: TestApp) {
    let [a, _, _] = three_members(&app).await;
    let mentor = app.user("pendamping", "mentor", Some("31.71")).await;
    post_ok(
        &app,
        &format!("/api/v1/members/{a}/mentor"),
        json!({"mentor": "pendamping", "assigned_on": "2021-02-01"}),
    )
    .await;
    let url = format!("/api/v1/members/{a}/mentoring-sessions");
    let res = app
        .as_(&mentor)
        .post_json(&url, &crate::support::session_with_follow_ups())
        .await;
    snap_res("mentoring_session_record", &res, StatusCode::CREATED);
    snap_res(
        "mentoring_session_list",
        &app.get(&url).await,
        StatusCode::OK,
    );
    let res = app.as_(&mentor).get("/api/v1/follow-ups/overdue").await;
    let overdue = snap_res("mentoring_overdue", &res, StatusCode::OK);
    let id = overdue["items"][0]["id"].as_i64().unwrap();
    let res =
        crate::support::follow_up_done(&app.as_(&mentor), id, json!({"done_on": "2021-03-05"}))
            .await;
    snap_res("mentoring_follow_up_done", &res, StatusCode::OK);
}

async fn permits_json(app: TestApp) {
    let [a, _, c] = three_members(&app).await;
    let url = format!("/api/v1/members/{a}/permits");
    let res = app
        .post_json(&url, &json!({"type": "nib", "applied_on": "2021-03-01"}))
        .await;
    let id = snap_res("permit_apply", &res, StatusCode::CREATED)["id"]
        .as_i64()
        .unwrap();
    let res = app
        .post_json(
            &format!("{url}/{id}/decision"),
            &json!({"decision": "issue", "number": "1234567890123", "issued_on": "2021-03-10"}),
        )
        .await;
    snap_res("permit_decide", &res, StatusCode::OK);
    for (no, expires) in [(&a, "2027-01-15"), (&c, "2027-02-01")] {
        let url = format!("/api/v1/members/{no}/permits");
        let p = post_ok(
            &app,
            &url,
            json!({"type": "pirt", "applied_on": "2023-04-01"}),
        )
        .await;
        post_ok(
            &app,
            &format!("{url}/{}/decision", p["id"]),
            json!({"decision": "issue", "number": format!("PIRT-{no}"), "issued_on": "2023-04-05", "expires_on": expires}),
        )
        .await;
    }
    snap_res("permit_list", &app.get(&url).await, StatusCode::OK);
    snap_res(
        "permit_expiring",
        &app.get("/api/v1/permits/expiring").await,
        StatusCode::OK,
    );
}

async fn market_json(app: TestApp) {
    let [a, _, _] = three_members(&app).await;
    let res = app
        .post_json(
            "/api/v1/market-events",
            &json!({"kind": "bazaar", "name": "Bazar Jakpreneur Balai Kota", "place_code": "31.71.01",
                    "starts_on": "2026-11-24", "ends_on": "2026-11-26", "repeat_monthly": 1}),
        )
        .await;
    snap_res("market_event_create", &res, StatusCode::CREATED);
    let past = post_ok(
        &app,
        "/api/v1/market-events",
        json!({"kind": "exhibition", "level": "international", "name": "Trade Expo Indonesia",
               "starts_on": "2022-10-19", "ends_on": "2022-10-23"}),
    )
    .await;
    let id = past["items"][0]["id"].as_i64().unwrap();
    let url = format!("/api/v1/market-events/{id}/participants");
    let res = app.post_json(&url, &json!({"member_no": a})).await;
    snap_res("market_participant_add", &res, StatusCode::OK);
    snap_res("market_participants", &app.get(&url).await, StatusCode::OK);
    snap_res(
        "market_event_list",
        &app.get("/api/v1/market-events").await,
        StatusCode::OK,
    );
}

async fn finance_json(app: TestApp) {
    let [a, _, _] = three_members(&app).await;
    let url = format!("/api/v1/members/{a}/financial-reports");
    let report = |month: &str, assets: i64| {
        json!({"month": month, "sales": 100_000_000, "costs": 50_000_000, "employees": 2,
               "assets": assets, "filed_on": "2026-11-01"})
    };
    let res = app.post_json(&url, &report("2026-01", 200_000_000)).await;
    snap_res("financial_report_file", &res, StatusCode::CREATED);
    post_ok(&app, &url, report("2026-02", 200_000_000)).await;
    post_ok(&app, &url, report("2026-03", 1_500_000_000)).await;
    snap_res(
        "financial_report_list",
        &app.get(&url).await,
        StatusCode::OK,
    );
}

async fn financing_json(app: TestApp) {
    let [a, _, _] = three_members(&app).await;
    let res = app
        .post_json(
            "/api/v1/financing-partners",
            &json!({"code": "BANKDKI", "name": "Bank DKI", "kind": "bank"}),
        )
        .await;
    snap_res("financing_partner_create", &res, StatusCode::CREATED);
    snap_res(
        "financing_partner_list",
        &app.get("/api/v1/financing-partners").await,
        StatusCode::OK,
    );
    let res = app
        .post_json(
            &format!("/api/v1/members/{a}/referrals"),
            &json!({"partner": "BANKDKI", "purpose": "Modal kerja bahan baku", "amount_requested": 25_000_000,
                    "consent": true, "referred_on": "2026-05-04"}),
        )
        .await;
    let id = snap_res("financing_referral_create", &res, StatusCode::CREATED)["id"]
        .as_i64()
        .unwrap();
    let res = app
        .post_json(
            &format!("/api/v1/referrals/{id}/decision"),
            &json!({"decision": "approved", "amount_approved": 20_000_000, "decided_on": "2026-05-20"}),
        )
        .await;
    snap_res("financing_referral_decide", &res, StatusCode::OK);
    let res = app
        .post_json(
            &format!("/api/v1/referrals/{id}/disbursement"),
            &json!({"amount": 20_000_000, "loan_reference": "KUR-2026-000123", "disbursed_on": "2026-06-01"}),
        )
        .await;
    snap_res("financing_referral_disburse", &res, StatusCode::OK);
    snap_res(
        "financing_referral_show",
        &app.get(&format!("/api/v1/referrals/{id}")).await,
        StatusCode::OK,
    );
    snap_res(
        "financing_referral_list",
        &app.get("/api/v1/referrals").await,
        StatusCode::OK,
    );
    snap_res(
        "financing_member_referrals",
        &app.get(&format!("/api/v1/members/{a}/referrals")).await,
        StatusCode::OK,
    );
}

async fn targets_json(app: TestApp) {
    three_members(&app).await;
    let res = app
        .post_json(
            "/api/v1/targets",
            &json!({"indicator": "registered_members", "value": 20, "deadline": "2028-12-31", "source": "RPJMD (uji)"}),
        )
        .await;
    snap_res("target_create", &res, StatusCode::CREATED);
    snap_res(
        "target_list",
        &app.get("/api/v1/targets").await,
        StatusCode::OK,
    );
}

async fn reference_json(app: TestApp) {
    snap_res(
        "regions_cities",
        &app.get("/api/v1/regions?level=city").await,
        StatusCode::OK,
    );
    snap_res(
        "regions_villages_of_gambir",
        &app.get("/api/v1/regions?parent=31.71.01").await,
        StatusCode::OK,
    );
    snap_res("sectors", &app.get("/api/v1/sectors").await, StatusCode::OK);
    snap_res(
        "indicators",
        &app.get("/api/v1/indicators").await,
        StatusCode::OK,
    );
}

/// Members, events and a naik kelas: enough for every statistic to count something.
async fn some_activity(app: &TestApp) -> [String; 3] {
    let members = three_members(app).await;
    let [a, b, c] = &members;
    for (no, kind, on, agency) in [
        (a, "training_completed", "2021-03-01", "KPKP"),
        (a, "mentoring_session", "2021-04-01", "PPKUKM"),
        (a, "permit_issued", "2022-05-01", "PPKUKM"),
        (b, "training_completed", "2022-07-01", "PAREKRAF"),
        (b, "exhibition", "2023-10-19", "PPKUKM"),
        (c, "training_completed", "2025-03-01", "KPKP"),
        (c, "financing_disbursed", "2026-06-01", "PPKUKM"),
    ] {
        post_ok(
            app,
            &format!("/api/v1/members/{no}/events"),
            json!({"kind": kind, "occurred_on": on, "agency": agency}),
        )
        .await;
    }
    let url = format!("/api/v1/members/{a}/financial-reports");
    for (month, assets) in [("2026-01", 200_000_000i64), ("2026-03", 1_500_000_000)] {
        post_ok(
            app,
            &url,
            json!({"month": month, "sales": 100_000_000, "costs": 50_000_000, "employees": 2, "assets": assets, "filed_on": "2026-11-01"}),
        )
        .await;
    }
    members
}

async fn stats_json(app: TestApp) {
    some_activity(&app).await;
    for (name, url) in [
        ("stats_facilities", "/api/v1/stats/facilities"),
        (
            "stats_facilities_by_city",
            "/api/v1/stats/facilities?group_by=city",
        ),
        (
            "stats_period",
            "/api/v1/stats/period?from=2021-01-01&to=2026-11-23&group_by=agency",
        ),
        ("stats_funnel", "/api/v1/stats/funnel"),
        ("stats_summary", "/api/v1/stats/summary"),
        (
            "stats_cohorts",
            "/api/v1/stats/cohorts?from=2020-12&to=2023-03",
        ),
        ("stats_public_facilities", "/api/v1/public/stats/facilities"),
        ("stats_public_funnel", "/api/v1/public/stats/funnel"),
        (
            "stats_public_period",
            "/api/v1/public/stats/period?from=2021-01-01&to=2026-11-23",
        ),
        ("stats_public_summary", "/api/v1/public/stats/summary"),
    ] {
        let res = if url.contains("/public/") {
            app.anonymous().get(url).await
        } else {
            app.get(url).await
        };
        snap_res(name, &res, StatusCode::OK);
    }
}

async fn public_json(app: TestApp) {
    let [a, _, _] = three_members(&app).await;
    let res = app
        .anonymous()
        .get(&format!("/api/v1/public/membership?q={a}"))
        .await;
    snap_res("public_membership", &res, StatusCode::OK);
}

async fn audit_json(app: TestApp) {
    let [a, _, _] = three_members(&app).await;
    post_ok(
        &app,
        &format!("/api/v1/members/{a}/events"),
        json!({"kind": "training_completed", "occurred_on": "2021-03-01", "agency": "KPKP"}),
    )
    .await;
    let res = app.get(&format!("/api/v1/audit?record_id={a}")).await;
    snap_res("audit_list", &res, StatusCode::OK);
}

async fn errors_json(app: TestApp) {
    let mut m = member_in(1, "31.71.01.1001");
    m["registered_on"] = json!("2021-01-04");
    m["phone"] = json!("12345");
    let res = app.post_json("/api/v1/members", &m).await;
    snap_res("error_422_field", &res, StatusCode::UNPROCESSABLE_ENTITY);
    let res = app.get("/api/v1/members/JP-0000-0000000").await;
    snap_res("error_404", &res, StatusCode::NOT_FOUND);
    register(&app, 1, "31.71.01.1001", "2021-01-04").await;
    let res = app.post_json("/api/v1/members", &m).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    m["phone"] = json!("0812 1111 2222");
    let res = app.post_json("/api/v1/members", &m).await;
    snap_res("error_409_duplicate_nik", &res, StatusCode::CONFLICT);
}

async fn pages_html(app: TestApp) {
    let [a, _, _] = some_activity(&app).await;
    snap_html("page_home_signed_out", &app.anonymous().get("/").await);
    snap_html(
        "page_cek_result",
        &app.anonymous().get(&format!("/cek?q={a}")).await,
    );
    snap_html("page_statistik", &app.anonymous().get("/statistik").await);
    let officer = app
        .user("petugas-pusat", "city_officer", Some("31.71"))
        .await;
    snap_html(
        "page_member_as_officer",
        &app.as_(&officer).get(&format!("/members/{a}")).await,
    );
    snap_html(
        "page_members_list",
        &app.as_(&officer).get("/members").await,
    );
}
