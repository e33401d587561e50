//! The manpower department's centres, classes and job fairs on pages, as its staff use
//! them: every step through a form, with wrong values on purpose (the page again, 422,
//! the message beside its field and what was typed kept), and the records the forms
//! write checked through the API.

use axum::http::StatusCode;
use jakpreneur_testkit::{TestApp, TestResponse, member_in};
use serde_json::json;

on_both_backends!(centres_classes_and_fairs_work_on_pages);

const GAMBIR: &str = "31.71.01.1001";

async fn enrol(app: &TestApp, i: u32) -> String {
    let m = member_in(i, GAMBIR);
    let res = app
        .post_json(
            "/api/v1/programmes/pelatihan_kerja/enrolments",
            &json!({
                "nik": m["nik"], "full_name": m["full_name"], "birth_date": m["birth_date"],
                "sex": m["sex"], "address": m["address"], "village_code": GAMBIR,
                "registered_on": "2026-01-05", "consent": true,
            }),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()["enrolment_no"].as_str().unwrap().to_owned()
}

/// A refusal: 422, the error beside `field` of `form`, and `kept` still in the form.
fn refused(res: &TestResponse, form: &str, field: &str, kept: &str) {
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );
    let html = res.text();
    assert!(
        html.contains(&format!("id=\"{form}-{field}-error\"")),
        "the error is beside {form}.{field}: {html}"
    );
    assert!(html.contains(kept), "{kept:?} is kept");
}

/// A form that worked: 303 to `to`.
fn went(res: &TestResponse, to: &str) {
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(res.header("location").as_deref(), Some(to));
}

async fn centres_classes_and_fairs_work_on_pages(app: TestApp) {
    let list = app.get("/pelatihan-kerja/pusat").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains("Belum ada pusat pelatihan."));

    // A training centre: a wrong capacity first.
    let centre = [
        ("code", "ppkd-jp"),
        ("name", "PPKD Jakarta Pusat (uji)"),
        ("kind", "centre"),
        ("district_code", "31.71.01"),
        ("address", "Jl. Uji Coba 1"),
    ];
    let bad = app
        .post_form(
            "/pelatihan-kerja/pusat",
            &[centre.as_slice(), &[("capacity", "nol")]].concat(),
        )
        .await;
    refused(&bad, "centre", "capacity", "PPKD Jakarta Pusat (uji)");
    let ok = app
        .post_form(
            "/pelatihan-kerja/pusat",
            &[centre.as_slice(), &[("capacity", "2")]].concat(),
        )
        .await;
    went(&ok, "/pelatihan-kerja/pusat#centre-PPKD-JP");
    let again = app
        .post_form(
            "/pelatihan-kerja/pusat",
            &[centre.as_slice(), &[("capacity", "2")]].concat(),
        )
        .await;
    refused(&again, "centre", "code", "PPKD-JP");
    assert!(
        app.get("/pelatihan-kerja/pusat")
            .await
            .text()
            .contains("0 / 2")
    );

    // A class: the end before the start is refused beside the end.
    let class = [
        ("centre_code", "PPKD-JP"),
        ("title", "Menjahit dasar"),
        ("mode", "regular"),
        ("starts_on", "2026-02-02"),
        ("sessions", "4"),
        ("capacity", "2"),
    ];
    let bad = app
        .post_form(
            "/pelatihan-kerja/kelas",
            &[class.as_slice(), &[("ends_on", "2026-02-01")]].concat(),
        )
        .await;
    refused(&bad, "class", "ends_on", "Menjahit dasar");
    let ok = app
        .post_form(
            "/pelatihan-kerja/kelas",
            &[class.as_slice(), &[("ends_on", "2026-02-13")]].concat(),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    let class_page = ok.header("location").unwrap();
    assert!(
        class_page.starts_with("/pelatihan-kerja/kelas/"),
        "{class_page}"
    );
    let id = class_page.rsplit('/').next().unwrap().to_owned();
    let page = app.get(&class_page).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Belum dijadwalkan"));

    // Sessions: a place for a regular class is refused; days outside the class too.
    let sesi = format!("{class_page}/sesi");
    let bad = app
        .post_form(
            &sesi,
            &[
                ("session_no", "1"),
                ("held_on", "2026-02-02"),
                ("place_code", "31.74.02"),
            ],
        )
        .await;
    // A regular class's page has no place field: the refusal stands above the form.
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text()
            .contains("Kelas reguler bertemu di pusatnya; kosongkan tempat."),
        "{}",
        bad.text()
    );
    let bad = app
        .post_form(&sesi, &[("session_no", "1"), ("held_on", "2026-03-02")])
        .await;
    refused(&bad, "session", "held_on", "2026-03-02");
    for (n, day) in [
        ("1", "2026-02-02"),
        ("2", "2026-02-05"),
        ("3", "2026-02-09"),
    ] {
        let ok = app
            .post_form(&sesi, &[("session_no", n), ("held_on", day)])
            .await;
        went(&ok, &format!("{class_page}#session"));
    }

    // Trainees: a number nobody has is refused beside the field; a third is one too many.
    let a = enrol(&app, 1).await;
    let b = enrol(&app, 2).await;
    let c = enrol(&app, 3).await;
    let peserta = format!("{class_page}/peserta");
    let bad = app
        .post_form(&peserta, &[("enrolment_no", "PK-3171-999999")])
        .await;
    refused(&bad, "trainee", "enrolment_no", "PK-3171-999999");
    for no in [&a, &b] {
        let ok = app
            .post_form(&peserta, &[("enrolment_no", &no.to_lowercase())])
            .await;
        went(&ok, &format!("{class_page}#trainee"));
    }
    let full = app.post_form(&peserta, &[("enrolment_no", &c)]).await;
    assert_eq!(full.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        full.text().contains("Kelas sudah penuh."),
        "{}",
        full.text()
    );

    // Attendance: a session not yet scheduled; nobody ticked; then the real thing.
    let hadir = format!("{class_page}/kehadiran");
    let bad = app
        .post_form(&hadir, &[("session_no", "4"), ("present", &a)])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("Jadwalkan sesi ini"), "{}", bad.text());
    let bad = app.post_form(&hadir, &[("session_no", "1")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for n in ["1", "2", "3"] {
        let ok = app
            .post_form(&hadir, &[("session_no", n), ("present", &a)])
            .await;
        went(&ok, &format!("{class_page}#attendance"));
    }
    let ok = app
        .post_form(&hadir, &[("session_no", "1"), ("present", &b)])
        .await;
    went(&ok, &format!("{class_page}#attendance"));
    let page = app.get(&class_page).await.text();
    assert!(page.contains("3 / 4") && page.contains("1 / 4"), "{page}");

    // Assessment: competent needs 80% (3 of 4 is 75%): refused for both; not yet
    // competent is recorded; the API agrees.
    let nilai = format!("{class_page}/penilaian");
    let short = app
        .post_form(
            &nilai,
            &[
                ("enrolment_no", &a),
                ("competent", "1"),
                ("assessed_on", "2026-02-13"),
            ],
        )
        .await;
    refused(&short, "assessment", "competent", "2026-02-13");
    let ok = app
        .post_form(&nilai, &[("enrolment_no", &b), ("competent", "0")])
        .await;
    went(&ok, &format!("{class_page}#assessment"));
    let detail = app.get(&format!("/api/v1/job-classes/{id}")).await.json();
    let trainees = detail["trainees"].as_array().unwrap();
    let of = |no: &str| {
        trainees
            .iter()
            .find(|t| t["enrolment_no"] == no)
            .cloned()
            .unwrap()
    };
    assert_eq!(of(&a)["attended"], 3);
    assert_eq!(of(&b)["assessment"], "not_yet_competent");

    // A job fair in Central Jakarta, a vacancy with one opening, two applications.
    let bad = app
        .post_form(
            "/pelatihan-kerja/bursa",
            &[
                ("title", "Bursa kerja uji"),
                ("city_code", "31.71.01"),
                ("held_on", "2026-03-01"),
                ("place", "Aula"),
            ],
        )
        .await;
    refused(&bad, "fair", "city_code", "Bursa kerja uji");
    let ok = app
        .post_form(
            "/pelatihan-kerja/bursa",
            &[
                ("title", "Bursa kerja uji"),
                ("city_code", "31.71"),
                ("held_on", "2026-03-01"),
                ("place", "Aula kantor wali kota"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    let fair_page = ok.header("location").unwrap();
    let fair_id = fair_page.rsplit('/').next().unwrap().to_owned();
    let page = app.get(&fair_page).await.text();
    assert!(page.contains("Tambahkan lowongan dulu"), "{page}");
    let bad = app
        .post_form(
            &format!("{fair_page}/lowongan"),
            &[
                ("employer", "PT Uji"),
                ("position", "Penjahit"),
                ("openings", ""),
            ],
        )
        .await;
    refused(&bad, "vacancy", "openings", "PT Uji");
    let ok = app
        .post_form(
            &format!("{fair_page}/lowongan"),
            &[
                ("employer", "PT Uji"),
                ("position", "Penjahit"),
                ("openings", "1"),
            ],
        )
        .await;
    went(&ok, &format!("{fair_page}#vacancy"));
    let vacancy = app
        .get(&format!("/api/v1/job-fairs/{fair_id}"))
        .await
        .json()["vacancies"][0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let lamaran = format!("{fair_page}/lamaran");
    let bad = app
        .post_form(
            &lamaran,
            &[("vacancy_id", &vacancy), ("enrolment_no", "PK-X")],
        )
        .await;
    refused(&bad, "apply", "enrolment_no", "PK-X");
    // Certified trainees can be hired: a and c through the API (their own path to K3).
    for no in [&a, &c] {
        for kind in ["class_enrolled", "assessed_competent", "certified"] {
            let res = app
                .post_json(
                    &format!("/api/v1/enrolments/{no}/events"),
                    &json!({"kind": kind, "occurred_on": "2026-02-20"}),
                )
                .await;
            // a is in a class already: its class_enrolled may stand twice (a service).
            assert_eq!(res.status, StatusCode::CREATED, "{kind}: {}", res.text());
        }
        let ok = app
            .post_form(&lamaran, &[("vacancy_id", &vacancy), ("enrolment_no", no)])
            .await;
        went(&ok, &format!("{fair_page}#apply"));
    }
    let twice = app
        .post_form(&lamaran, &[("vacancy_id", &vacancy), ("enrolment_no", &a)])
        .await;
    refused(&twice, "apply", "enrolment_no", &a);
    let apps = app
        .get(&format!("/api/v1/job-fairs/{fair_id}"))
        .await
        .json()["applications"]
        .as_array()
        .unwrap()
        .clone();
    let app_of = |no: &str| {
        apps.iter().find(|x| x["enrolment_no"] == no).unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let decide = |id: i64| format!("{fair_page}/lamaran/{id}/keputusan");
    // A rejection with a wage is refused beside the wage; an application of another fair
    // (or none) is no page.
    let bad = app
        .post_form(
            &decide(app_of(&a)),
            &[("decision", "rejected"), ("wage_band", "below_min")],
        )
        .await;
    refused(
        &bad,
        &format!("decide-{}", app_of(&a)),
        "wage_band",
        "below_min",
    );
    let none = app
        .post_form(&decide(999_999), &[("decision", "hired")])
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    let ok = app
        .post_form(
            &decide(app_of(&a)),
            &[
                ("decision", "hired"),
                ("wage_band", "min_to_1_5"),
                ("decided_on", "2026-03-01"),
            ],
        )
        .await;
    went(&ok, &format!("{fair_page}#decide-{}", app_of(&a)));
    let filled = app
        .post_form(&decide(app_of(&c)), &[("decision", "hired")])
        .await;
    assert_eq!(filled.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        filled
            .text()
            .contains("Semua formasi lowongan ini sudah terisi."),
        "{}",
        filled.text()
    );
    // The hire is the trainee's placement, with the vacancy's employer.
    let detail = app.get(&format!("/api/v1/enrolments/{a}")).await.json();
    let p = &detail["placements"][0];
    assert_eq!(
        (&p["outcome"], &p["employer"], &p["wage_band"]),
        (&json!("hired"), &json!("PT Uji"), &json!("min_to_1_5"))
    );
    // The trainee's page lists the class (attendance, no assessment yet) and the hire.
    let own = app.get(&format!("/pelatihan-kerja/{a}")).await.text();
    for text in [
        "Menjahit dasar",
        "3 / 4",
        "Bursa kerja uji",
        "PT Uji — Penjahit",
        "Diterima",
    ] {
        assert!(own.contains(text), "{text}: {own}");
    }
    let fairs = app.get("/pelatihan-kerja/bursa").await.text();
    assert!(fairs.contains("Bursa kerja uji"), "{fairs}");
    // Paths that are no record are 404 pages, not errors.
    for path in ["/pelatihan-kerja/kelas/abc", "/pelatihan-kerja/bursa/0"] {
        assert_eq!(app.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}
