//! The P2, P6 and P7 pages as a user works them: forms, their errors in Indonesian with
//! what was typed kept, and the partner's own view.

use axum::http::StatusCode;
use jakpreneur_testkit::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_class_run_from_the_training_pages() {
    let app = TestApp::sqlite().await;
    let no = app.register_on(1, "31.71.01.1001", "2021-01-04").await;
    let page = app.get("/training").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Belum ada kursus"), "empty state");
    let course_form = |hours| {
        [
            ("title", "Kemasan produk"),
            ("topic", "packaging"),
            ("hours", hours),
        ]
    };
    let res = app
        .post_form("/training/courses", &course_form("dua"))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = res.text();
    assert!(
        text.contains("tanpa titik atau koma") && text.contains("Kemasan produk"),
        "error and kept title"
    );
    let res = app.post_form("/training/courses", &course_form("16")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let course = app.get("/api/v1/courses").await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let course = course.to_string();
    let class_form = |place_code| {
        [
            ("course_id", course.as_str()),
            ("starts_on", "2026-11-02"),
            ("ends_on", "2026-11-03"),
            ("sessions", "2"),
            ("capacity", "10"),
            ("place_code", place_code),
        ]
    };
    let res = app
        .post_form("/training/classes", &class_form("31.71"))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("31.71"), "the place typed is kept");
    let res = app
        .post_form("/training/classes", &class_form("31.71.01"))
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let class_url = res.header("location").unwrap();
    let res = app
        .post_form(&format!("{class_url}/enrolments"), &[("member_no", &no)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let res = app
        .post_form(&format!("{class_url}/enrolments"), &[("member_no", &no)])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("sudah terdaftar"));
    // Attendance without anyone ticked is refused; then both sessions.
    let res = app
        .post_form(
            &format!("{class_url}/attendance"),
            &[("session", "1"), ("held_on", "2026-11-02")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    for (s, d) in [("1", "2026-11-02"), ("2", "2026-11-03")] {
        let res = app
            .post_form(
                &format!("{class_url}/attendance"),
                &[("session", s), ("held_on", d), ("present", &no)],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    }
    let res = app.post_form(&format!("{class_url}/complete"), &[]).await;
    assert_eq!(res.status, StatusCode::OK);
    let text = res.text();
    assert!(
        text.contains("lulus") && text.contains("P2-2026-"),
        "completion shown"
    );
    let member_page = app.get(&format!("/members/{no}")).await.text();
    assert!(member_page.contains("Kemasan produk") && member_page.contains("P2-2026-"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_referrals_and_corrections_on_the_member_page() {
    let app = TestApp::sqlite().await;
    let no = app.register_on(1, "31.71.01.1001", "2021-01-04").await;
    let url = format!("/members/{no}/financial-reports");
    let res = app
        .post_form(
            &url,
            &[
                ("month", "2026-10"),
                ("sales", "45.000.000"),
                ("costs", "30000000"),
                ("employees", "3"),
                ("assets", "80000000"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = res.text();
    assert!(
        text.contains("tanpa titik atau koma") && text.contains("80000000"),
        "error, typed values kept"
    );
    let res = app
        .post_form(
            &url,
            &[
                ("month", "2026-10"),
                ("sales", "45000000"),
                ("costs", "30000000"),
                ("employees", "3"),
                ("assets", "80000000"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = app.get(&format!("/members/{no}")).await.text();
    assert!(
        page.contains("Rp 45.000.000") && page.contains("Mikro"),
        "rupiah and size class shown"
    );

    let partner = app.user("petugas-bank", "partner", None).await; // its partner: BANKUJI
    let refer = format!("/members/{no}/referrals");
    let form = [
        ("partner", "BANKUJI"),
        ("purpose", "Modal kerja bahan baku"),
        ("amount_requested", "25000000"),
    ];
    let res = app.post_form(&refer, &form).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text().contains("Anggota harus setuju"),
        "consent required"
    );
    let mut with_consent = form.to_vec();
    with_consent.push(("consent", "yes"));
    let res = app.post_form(&refer, &with_consent).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());

    // The partner sees its referral and decides it on its page.
    let list = app.as_(&partner).get("/financing").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains(&no));
    let id = app.get("/api/v1/referrals").await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let show = app
        .as_(&partner)
        .get(&format!("/financing/referrals/{id}"))
        .await;
    assert!(show.text().contains("Rp 25.000.000"));
    let res = app
        .as_(&partner)
        .post_form(
            &format!("/financing/referrals/{id}/decision"),
            &[("decision", "approved")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .as_(&partner)
        .post_form(
            &format!("/financing/referrals/{id}/decision"),
            &[("decision", "approved"), ("amount_approved", "20000000")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    // An officer cannot decide.
    let gambir = app
        .user("gambir", "district_officer", Some("31.71.01"))
        .await;
    let res = app
        .as_(&gambir)
        .post_form(
            &format!("/financing/referrals/{id}/disbursement"),
            &[("amount", "1"), ("loan_reference", "X")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // The referral is voided from the member page, with a reason.
    let res = app
        .post_form(
            &format!("/members/{no}/records/referral-{id}/void"),
            &[("reason", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post_form(
            &format!("/members/{no}/records/referral-{id}/void"),
            &[("reason", "mitra salah")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        res.header("location").unwrap(),
        format!("/members/{no}#financing")
    );
    let page = app.get(&format!("/members/{no}")).await.text();
    assert!(page.contains("mitra salah"), "the void's reason shown");
}
