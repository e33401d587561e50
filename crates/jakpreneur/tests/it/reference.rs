//! Reference data and the API's self-description.

use axum::http::StatusCode;
use jakpreneur_testkit::TestApp;

on_both_backends!(
    regions_serve_the_real_hierarchy,
    openapi_lists_every_route_and_docs_work_offline,
    programmes_list_their_stages_kinds_and_rules,
);

/// `GET /api/v1/programmes` gives each programme as its definition files do: the public
/// may read it (it is reference data).
async fn programmes_list_their_stages_kinds_and_rules(app: TestApp) {
    let res = app.anonymous().get("/api/v1/programmes").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body = res.json();
    let jp = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "jakpreneur")
        .expect("Jakpreneur is listed");
    assert_eq!(jp["name_id"], "Jakpreneur (OK OCE)");
    let stages: Vec<&str> = jp["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["P1", "P2", "P3", "P4", "P5", "P6", "P7"]);
    let p2 = &jp["stages"][1];
    assert_eq!(p2["name_en"], "Training");
    let kinds = p2["kinds"].as_array().unwrap();
    assert!(
        kinds
            .iter()
            .any(|k| k["kind"] == "training_completed" && k["qualifying"] == true)
    );
    assert!(
        kinds
            .iter()
            .any(|k| k["kind"] == "training_enrolled" && k["qualifying"] == false)
    );
    assert_eq!(
        jp["order_rules"],
        serde_json::json!([
            {"effective_from": "2000-01-01", "rule": "sequential"},
            {"effective_from": "2020-01-01", "rule": "free"},
        ])
    );
    let res = app.anonymous().get("/api/v1/programmes?programme=x").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn regions_serve_the_real_hierarchy(app: TestApp) {
    for (level, n) in [
        ("province", 1),
        ("city", 6),
        ("district", 44),
        ("village", 267),
    ] {
        let v = app
            .get(&format!("/api/v1/regions?level={level}"))
            .await
            .json();
        assert_eq!(v["items"].as_array().unwrap().len(), n, "{level}");
    }
    let all = app.get("/api/v1/regions").await.json();
    assert_eq!(all["items"].as_array().unwrap().len(), 318);
    assert_eq!(all["next"], serde_json::Value::Null);
    let pusat = app
        .get("/api/v1/regions?level=district&parent=31.71")
        .await
        .json();
    let names: Vec<&str> = pusat["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Gambir") && names.contains(&"Menteng"),
        "{names:?}"
    );
    assert!(
        pusat["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["parent_code"] == "31.71")
    );
    let res = app.get("/api/v1/regions?level=planet").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error(), ("level_invalid".into(), Some("level".into())));
    let res = app.get("/api/v1/regions?parent=32").await;
    assert_eq!(
        res.error(),
        ("region_unknown".into(), Some("parent".into()))
    );
    let sectors = app.get("/api/v1/sectors").await.json();
    assert_eq!(sectors["items"].as_array().unwrap().len(), 21);
    // The reference tables in the database hold the same rows (members point at them).
    assert_eq!(app.get("/healthz").await.text(), "ok");
    let ready = app.anonymous().get("/readyz").await;
    assert_eq!(ready.status, axum::http::StatusCode::OK);
    assert_eq!(ready.text(), "ready");
}

on_both_backends!(metrics_count_requests_by_route_for_administrators);

/// `/metrics` in the Prometheus text format: requests by route pattern (never a member
/// number) and status, latency buckets, pools and queues; administrators only.
async fn metrics_count_requests_by_route_for_administrators(app: TestApp) {
    let no = app.register(1).await["member_no"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.get(&format!("/api/v1/members/{no}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/members/JP-3171-9999999").await.status,
        StatusCode::NOT_FOUND
    );
    let res = app.get("/metrics").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(
        res.header("content-type")
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = res.text();
    for line in [
        r#"jakpreneur_http_requests_total{method="GET",route="/api/v1/members/{member_no}",status="200"} 1"#,
        r#"jakpreneur_http_requests_total{method="GET",route="/api/v1/members/{member_no}",status="404"} 1"#,
        r#"jakpreneur_http_requests_total{method="POST",route="/api/v1/members",status="201"} 1"#,
        "# TYPE jakpreneur_http_request_duration_seconds histogram",
        r#"jakpreneur_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/api/v1/members/{member_no}"} 2"#,
        "jakpreneur_outbox_backlog 0",
        "# TYPE jakpreneur_write_queue_counter_rows gauge",
        "# TYPE jakpreneur_write_queue_registrations gauge",
        "# EOF",
    ] {
        assert!(text.contains(line), "{line} missing from:\n{text}");
    }
    assert!(
        text.contains(r#"jakpreneur_db_connections{pool="#),
        "{text}"
    );
    assert!(!text.contains(&no), "no member number in a label");
    // A monitoring system scrapes it with an administrator's API token.
    let token = app.admin.token.clone().expect("the admin's API token");
    let bearer = format!("Bearer {token}");
    let scraped = app
        .anonymous()
        .request(
            axum::http::Method::GET,
            "/metrics",
            &[("authorization", bearer.as_str())],
            Vec::new(),
        )
        .await;
    assert_eq!(scraped.status, StatusCode::OK, "{}", scraped.text());
    // An unknown path is counted as unmatched, not by its text.
    app.get("/no/such/JP-3171-0000001").await;
    let text = app.get("/metrics").await.text();
    assert!(
        text.contains(r#"route="unmatched",status="404"} 1"#),
        "{text}"
    );
    assert!(!text.contains("JP-3171-0000001"));
    // Not for the public, nor for other staff.
    assert_eq!(
        app.anonymous().get("/metrics").await.status,
        StatusCode::UNAUTHORIZED
    );
    let officer = app
        .user("camat", "district_officer", Some("31.71.01"))
        .await;
    assert_eq!(
        app.as_(&officer).get("/metrics").await.status,
        StatusCode::FORBIDDEN
    );
}

async fn openapi_lists_every_route_and_docs_work_offline(app: TestApp) {
    let doc = app.get("/api/v1/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    let doc = doc.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let expected = [
        ("/api/v1/members", "post"),
        ("/api/v1/members", "get"),
        ("/api/v1/members/{member_no}", "get"),
        ("/api/v1/members/{member_no}", "patch"),
        ("/api/v1/members/{member_no}/withdraw", "post"),
        ("/api/v1/members/{member_no}/export", "get"),
        ("/api/v1/members/{member_no}/erase", "post"),
        ("/api/v1/members/{member_no}/events", "post"),
        ("/api/v1/members/{member_no}/events", "get"),
        ("/api/v1/members/{member_no}/events/{id}/void", "post"),
        ("/api/v1/members/{member_no}/facilities", "get"),
        ("/api/v1/members/{member_no}/permits", "post"),
        ("/api/v1/members/{member_no}/permits", "get"),
        ("/api/v1/members/{member_no}/permits/{id}/decision", "post"),
        ("/api/v1/permits/expiring", "get"),
        ("/api/v1/market-events", "post"),
        ("/api/v1/market-events", "get"),
        ("/api/v1/market-events/{id}/participants", "post"),
        ("/api/v1/market-events/{id}/participants", "get"),
        ("/api/v1/members/{member_no}/mentor", "post"),
        ("/api/v1/members/{member_no}/mentoring-sessions", "post"),
        ("/api/v1/members/{member_no}/mentoring-sessions", "get"),
        ("/api/v1/follow-ups/{id}/done", "post"),
        ("/api/v1/follow-ups/overdue", "get"),
        ("/api/v1/members/{member_no}/records/{record}/void", "post"),
        ("/api/v1/courses", "get"),
        ("/api/v1/courses", "post"),
        ("/api/v1/courses/{id}/classes", "post"),
        ("/api/v1/classes", "get"),
        ("/api/v1/classes/{id}", "get"),
        ("/api/v1/classes/{id}/enrolments", "post"),
        ("/api/v1/classes/{id}/attendance", "post"),
        ("/api/v1/classes/{id}/complete", "post"),
        ("/api/v1/members/{member_no}/classes", "get"),
        ("/api/v1/members/{member_no}/financial-reports", "get"),
        ("/api/v1/members/{member_no}/financial-reports", "post"),
        ("/api/v1/financing-partners", "get"),
        ("/api/v1/financing-partners", "post"),
        ("/api/v1/members/{member_no}/referrals", "get"),
        ("/api/v1/members/{member_no}/referrals", "post"),
        ("/api/v1/referrals", "get"),
        ("/api/v1/referrals/{id}", "get"),
        ("/api/v1/referrals/{id}/decision", "post"),
        ("/api/v1/referrals/{id}/disbursement", "post"),
        ("/api/v1/audit", "get"),
        ("/api/v1/me", "get"),
        ("/api/v1/public/membership", "get"),
        ("/api/v1/regions", "get"),
        ("/api/v1/sectors", "get"),
        ("/api/v1/indicators", "get"),
        ("/api/v1/programmes", "get"),
        ("/api/v1/stats/facilities", "get"),
        ("/api/v1/stats/period", "get"),
        ("/api/v1/stats/funnel", "get"),
        ("/api/v1/stats/summary", "get"),
        ("/api/v1/stats/cohorts", "get"),
        ("/api/v1/targets", "get"),
        ("/api/v1/targets", "post"),
        ("/api/v1/targets/{id}/withdraw", "post"),
        ("/api/v1/public/stats/facilities", "get"),
        ("/api/v1/public/stats/funnel", "get"),
        ("/api/v1/public/stats/period", "get"),
        ("/api/v1/public/stats/summary", "get"),
        ("/api/v1/members/{member_no}/products", "post"),
        ("/api/v1/members/{member_no}/products", "get"),
        ("/api/v1/members/{member_no}/bank-account", "put"),
        ("/api/v1/members/{member_no}/bank-account", "get"),
        ("/api/v1/products/{id}", "get"),
        ("/api/v1/products/{id}", "patch"),
        ("/api/v1/products/{id}/photos", "post"),
        ("/api/v1/products/{id}/photos/{position}", "delete"),
        ("/api/v1/products/{id}/prices", "get"),
        ("/api/v1/products/{id}/listing", "post"),
        ("/api/v1/products/{id}/listing", "delete"),
        ("/api/v1/catalogue", "get"),
        ("/api/v1/catalogue/{id}", "get"),
        ("/api/v1/curation-calls", "post"),
        ("/api/v1/curation-calls", "get"),
        ("/api/v1/curation-calls/{id}/submissions", "post"),
        ("/api/v1/curation-submissions/{id}", "get"),
        ("/api/v1/curation-submissions/{id}/{action}", "post"),
        ("/api/v1/curation-queue", "get"),
        ("/api/v1/market-events/{id}/applications", "post"),
        ("/api/v1/market-events/{id}/allocation", "post"),
        ("/api/v1/market-events/{id}/allocation", "get"),
        ("/api/v1/buyer-units", "post"),
        ("/api/v1/buyer-units", "get"),
        ("/api/v1/packages", "post"),
        ("/api/v1/packages", "get"),
        ("/api/v1/packages/{id}", "get"),
        ("/api/v1/packages/{id}/assign", "post"),
        ("/api/v1/orders", "post"),
        ("/api/v1/orders", "get"),
        ("/api/v1/orders/{id}", "get"),
        ("/api/v1/orders/{id}/{action}", "post"),
        ("/api/v1/orders/{id}/payments", "post"),
        ("/api/v1/orders/{id}/rating", "post"),
        ("/api/v1/orders/{id}/complaints", "post"),
        ("/api/v1/payments/{id}/approve", "post"),
        ("/api/v1/payments/{id}/{document}", "get"),
        ("/api/v1/complaints", "get"),
        ("/api/v1/complaints/{id}/close", "post"),
        ("/api/v1/stats/e-order", "get"),
        ("/api/v1/ocds/releases", "get"),
        ("/api/v1/ocds/records/{ocid}", "get"),
        ("/api/v1/programmes/{code}/enrolments", "post"),
        ("/api/v1/programmes/{code}/enrolments", "get"),
        ("/api/v1/enrolments/{enrolment_no}", "get"),
        ("/api/v1/enrolments/{enrolment_no}/events", "post"),
        ("/api/v1/enrolments/{enrolment_no}/events/{id}/void", "post"),
        ("/api/v1/enrolments/{enrolment_no}/placements", "post"),
        (
            "/api/v1/enrolments/{enrolment_no}/placements/{id}/void",
            "post",
        ),
        ("/api/v1/enrolments/{enrolment_no}/withdraw", "post"),
        ("/api/v1/enrolments/{enrolment_no}/erase", "post"),
        ("/api/v1/enrolments/{enrolment_no}/referral", "post"),
        ("/api/v1/stats/placement", "get"),
        ("/api/v1/public/stats/placement", "get"),
        ("/api/v1/training-centres", "post"),
        ("/api/v1/training-centres", "get"),
        ("/api/v1/job-fairs", "post"),
        ("/api/v1/job-fairs", "get"),
        ("/api/v1/job-fairs/{id}", "get"),
        ("/api/v1/job-fairs/{id}/vacancies", "post"),
        ("/api/v1/job-fairs/{id}/applications", "post"),
        ("/api/v1/job-fair-applications/{id}/decision", "post"),
        ("/api/v1/job-classes", "post"),
        ("/api/v1/job-classes", "get"),
        ("/api/v1/job-classes/{id}", "get"),
        ("/api/v1/job-classes/{id}/sessions", "post"),
        ("/api/v1/job-classes/{id}/trainees", "post"),
        ("/api/v1/job-classes/{id}/attendance", "post"),
        ("/api/v1/job-classes/{id}/assessments", "post"),
    ];
    let paths = doc["paths"].as_object().unwrap();
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    for (path, method) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing from OpenAPI"
        );
    }
    assert_eq!(
        documented,
        expected.len(),
        "every documented operation is listed here"
    );
    let page = app.get("/api/docs/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains("swagger-ui"),
        "the docs page is Swagger UI"
    );
    assert!(
        !page.text().contains("https://"),
        "no asset is loaded from outside"
    );
    let css = app.get("/api/docs/swagger-ui.css").await;
    assert_eq!(css.status, StatusCode::OK, "Swagger UI assets are embedded");
}
