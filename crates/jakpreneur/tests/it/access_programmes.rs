//! The access matrix of the programmes beside Jakpreneur: every route × the roles that
//! matter here (administrator, the manpower department's province and city officers, a
//! job-training instructor, a Jakpreneur city officer, a member, the public) × an
//! enrolment inside or outside the regional roles' region. Written by hand from the
//! issue's rules; `access::every_route_has_an_entry` counts these routes as covered.

use axum::http::StatusCode;
use jakpreneur_testkit::{Creds, TestApp, member_in};
use serde_json::{Value, json};

on_both_backends!(programme_route_role_matrix);

const IN_VILLAGE: &str = "31.71.01.1001"; // Gambir, Central Jakarta
const OUT_VILLAGE: &str = "31.74.02.1001"; // Setiabudi, South Jakarta

/// The routes this matrix covers.
pub const PROGRAMME_ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/v1/programmes/{code}/enrolments"),
    ("GET", "/api/v1/programmes/{code}/enrolments"),
    ("GET", "/api/v1/enrolments/{enrolment_no}"),
    ("POST", "/api/v1/enrolments/{enrolment_no}/events"),
    ("POST", "/api/v1/enrolments/{enrolment_no}/events/{id}/void"),
    ("POST", "/api/v1/enrolments/{enrolment_no}/placements"),
    (
        "POST",
        "/api/v1/enrolments/{enrolment_no}/placements/{id}/void",
    ),
    ("POST", "/api/v1/enrolments/{enrolment_no}/withdraw"),
    ("POST", "/api/v1/enrolments/{enrolment_no}/referral"),
    ("GET", "/api/v1/stats/placement"),
    ("GET", "/api/v1/public/stats/placement"),
    ("POST", "/api/v1/training-centres"),
    ("GET", "/api/v1/training-centres"),
    ("POST", "/api/v1/job-fairs"),
    ("GET", "/api/v1/job-fairs"),
    ("GET", "/api/v1/job-fairs/{id}"),
    ("POST", "/api/v1/job-fairs/{id}/vacancies"),
    ("POST", "/api/v1/job-fairs/{id}/applications"),
    ("POST", "/api/v1/job-fair-applications/{id}/decision"),
    ("POST", "/api/v1/job-classes"),
    ("GET", "/api/v1/job-classes"),
    ("GET", "/api/v1/job-classes/{id}"),
    ("POST", "/api/v1/job-classes/{id}/sessions"),
    ("POST", "/api/v1/job-classes/{id}/trainees"),
    ("POST", "/api/v1/job-classes/{id}/attendance"),
    ("POST", "/api/v1/job-classes/{id}/assessments"),
    ("GET", "/statistik/pelatihan-kerja"),
    ("GET", "/pelatihan-kerja"),
    ("POST", "/pelatihan-kerja"),
    ("GET", "/pelatihan-kerja/{enrolment_no}"),
    ("POST", "/pelatihan-kerja/{enrolment_no}/events"),
    ("POST", "/pelatihan-kerja/{enrolment_no}/placements"),
    ("POST", "/pelatihan-kerja/{enrolment_no}/referral"),
    ("POST", "/pelatihan-kerja/{enrolment_no}/withdraw"),
    ("GET", "/pelatihan-kerja/pusat"),
    ("POST", "/pelatihan-kerja/pusat"),
    ("GET", "/pelatihan-kerja/kelas"),
    ("POST", "/pelatihan-kerja/kelas"),
    ("GET", "/pelatihan-kerja/kelas/{id}"),
    ("POST", "/pelatihan-kerja/kelas/{id}/sesi"),
    ("POST", "/pelatihan-kerja/kelas/{id}/peserta"),
    ("POST", "/pelatihan-kerja/kelas/{id}/kehadiran"),
    ("POST", "/pelatihan-kerja/kelas/{id}/penilaian"),
    ("GET", "/pelatihan-kerja/bursa"),
    ("POST", "/pelatihan-kerja/bursa"),
    ("GET", "/pelatihan-kerja/bursa/{id}"),
    ("POST", "/pelatihan-kerja/bursa/{id}/lowongan"),
    ("POST", "/pelatihan-kerja/bursa/{id}/lamaran"),
    (
        "POST",
        "/pelatihan-kerja/bursa/{id}/lamaran/{application}/keputusan",
    ),
    // Last: an erasure withdraws the target.
    ("POST", "/api/v1/enrolments/{enrolment_no}/erase"),
    ("POST", "/pelatihan-kerja/{enrolment_no}/erase"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum R {
    Admin,
    ManpowerProvince,
    ManpowerCity,
    Instructor,
    CityOfficer,
    Member,
    Anonymous,
}

const ROLES: [R; 7] = [
    R::Admin,
    R::ManpowerProvince,
    R::ManpowerCity,
    R::Instructor,
    R::CityOfficer,
    R::Member,
    R::Anonymous,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// Passed authorisation: 2xx, or a 409/422 on content.
    Ok,
    NotFound,
    Forbidden,
    SignIn,
}

use R::*;
use Want::*;

fn reads(r: R) -> bool {
    matches!(r, Admin | ManpowerProvince | ManpowerCity | Instructor)
}
fn registers(r: R) -> bool {
    matches!(r, Admin | ManpowerProvince | ManpowerCity)
}
/// Scoped to Central Jakarta or Gambir: the outside enrolment is not theirs.
fn regional(r: R) -> bool {
    matches!(r, ManpowerCity | Instructor)
}

fn want(method: &str, path: &str, r: R, inside: bool) -> Want {
    if path == "/api/v1/public/stats/placement" || path == "/statistik/pelatihan-kerja" {
        return Ok;
    }
    let page = !path.starts_with("/api/");
    if r == Anonymous {
        // A page sends the public to sign in; a form without a session's CSRF token is 403.
        return if page && method == "POST" {
            Forbidden
        } else {
            SignIn
        };
    }
    let scoped = |allowed: bool, outside: Want| match (allowed, inside || !regional(r)) {
        (false, _) => Forbidden,
        (true, true) => Ok,
        (true, false) => outside,
    };
    match (method, path) {
        ("GET", "/api/v1/stats/placement") => Ok,
        ("GET", "/api/v1/programmes/{code}/enrolments")
        | ("GET", "/pelatihan-kerja")
        | ("GET", "/api/v1/training-centres")
        | ("GET", "/api/v1/job-fairs")
        | ("GET", "/api/v1/job-fairs/{id}")
        | ("GET", "/api/v1/job-classes")
        | ("GET", "/api/v1/job-classes/{id}")
        | ("GET", "/pelatihan-kerja/pusat")
        | ("GET", "/pelatihan-kerja/kelas")
        | ("GET", "/pelatihan-kerja/kelas/{id}")
        | ("GET", "/pelatihan-kerja/bursa")
        | ("GET", "/pelatihan-kerja/bursa/{id}") => scoped(reads(r), Ok),
        // A page names a trainee outside the reader's region as a refused field (422),
        // on the class or fair the reader may see.
        ("POST", "/pelatihan-kerja/kelas/{id}/peserta")
        | ("POST", "/pelatihan-kerja/kelas/{id}/kehadiran")
        | ("POST", "/pelatihan-kerja/kelas/{id}/penilaian")
        | ("POST", "/pelatihan-kerja/bursa/{id}/lamaran") => scoped(reads(r), Ok),
        ("POST", "/pelatihan-kerja/kelas/{id}/sesi") => scoped(reads(r), Forbidden),
        ("POST", "/pelatihan-kerja/bursa/{id}/lamaran/{application}/keputusan") => {
            scoped(reads(r), NotFound)
        }
        ("POST", "/pelatihan-kerja/pusat")
        | ("POST", "/pelatihan-kerja/kelas")
        | ("POST", "/pelatihan-kerja/bursa")
        | ("POST", "/pelatihan-kerja/bursa/{id}/lowongan") => scoped(registers(r), Forbidden),
        ("POST", "/api/v1/job-classes") => scoped(registers(r), Forbidden),
        ("POST", "/api/v1/job-classes/{id}/sessions") => scoped(reads(r), Forbidden),
        ("POST", "/api/v1/job-classes/{id}/trainees")
        | ("POST", "/api/v1/job-classes/{id}/attendance")
        | ("POST", "/api/v1/job-classes/{id}/assessments") => scoped(reads(r), NotFound),
        // Places and fairs inside or outside the regional roles' city.
        ("POST", "/api/v1/training-centres")
        | ("POST", "/api/v1/job-fairs")
        | ("POST", "/api/v1/job-fairs/{id}/vacancies") => scoped(registers(r), Forbidden),
        ("POST", "/api/v1/job-fairs/{id}/applications")
        | ("POST", "/api/v1/job-fair-applications/{id}/decision") => scoped(reads(r), NotFound),
        ("POST", "/api/v1/programmes/{code}/enrolments") | ("POST", "/pelatihan-kerja") => {
            scoped(registers(r), Forbidden)
        }
        ("GET", "/pelatihan-kerja/{enrolment_no}")
        | ("POST", "/pelatihan-kerja/{enrolment_no}/events")
        | ("POST", "/pelatihan-kerja/{enrolment_no}/placements")
        | ("GET", "/api/v1/enrolments/{enrolment_no}")
        | ("POST", "/api/v1/enrolments/{enrolment_no}/events")
        | ("POST", "/api/v1/enrolments/{enrolment_no}/events/{id}/void")
        | ("POST", "/api/v1/enrolments/{enrolment_no}/placements")
        | ("POST", "/api/v1/enrolments/{enrolment_no}/placements/{id}/void") => {
            scoped(reads(r), NotFound)
        }
        ("POST", "/api/v1/enrolments/{enrolment_no}/withdraw")
        | ("POST", "/api/v1/enrolments/{enrolment_no}/referral")
        | ("POST", "/pelatihan-kerja/{enrolment_no}/withdraw")
        | ("POST", "/pelatihan-kerja/{enrolment_no}/referral") => scoped(registers(r), NotFound),
        // Only an administrator erases (a 422 the second time is past authorisation).
        ("POST", "/api/v1/enrolments/{enrolment_no}/erase")
        | ("POST", "/pelatihan-kerja/{enrolment_no}/erase") => {
            if r == Admin {
                Ok
            } else {
                Forbidden
            }
        }
        _ => panic!("no rule for {method} {path}"),
    }
}

fn classify(status: StatusCode, location: Option<&str>) -> Want {
    match status.as_u16() {
        401 => SignIn,
        303 if location.is_some_and(|l| l.starts_with("/login")) => SignIn,
        303 => Ok,
        403 => Forbidden,
        404 => NotFound,
        s if (200..300).contains(&s) || s == 409 || s == 422 => Ok,
        _ => panic!("unexpected status {status}"),
    }
}

struct Target {
    no: String,
    event_id: i64,
    placement_id: i64,
    /// A fair in the target's city, one of its vacancies, and the target's application.
    fair_id: i64,
    vacancy_id: i64,
    application_id: i64,
    /// A centre in the target's district, a class there (session 1 scheduled, the target
    /// in it).
    centre: String,
    class_id: i64,
}

/// An enrolment trained, certified and placed, in `village`.
async fn target(app: &TestApp, i: u32, village: &str) -> Target {
    let m = member_in(i, village);
    let body = json!({
        "nik": m["nik"], "full_name": m["full_name"], "birth_date": m["birth_date"],
        "sex": m["sex"], "phone": m["phone"], "address": m["address"],
        "village_code": village, "registered_on": "2025-01-06", "consent": true,
    });
    let res = app
        .post_json("/api/v1/programmes/pelatihan_kerja/enrolments", &body)
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let no = res.json()["enrolment_no"].as_str().unwrap().to_owned();
    let mut event_id = 0;
    for kind in ["class_enrolled", "assessed_competent", "certified"] {
        let res = app
            .post_json(
                &format!("/api/v1/enrolments/{no}/events"),
                &json!({"kind": kind, "occurred_on": "2025-03-01"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        event_id = res.json()["id"].as_i64().unwrap();
    }
    let res = app
        .post_json(
            &format!("/api/v1/enrolments/{no}/placements"),
            &json!({"outcome": "self_employed", "placed_on": "2025-04-01"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let placement_id = res.json()["id"].as_i64().unwrap();
    let city = &village[..5];
    let fair = app
        .post_json(
            "/api/v1/job-fairs",
            &json!({"title": "Bursa kerja matriks", "city_code": city, "held_on": "2025-05-01", "place": "Balai kota"}),
        )
        .await;
    assert_eq!(fair.status, StatusCode::CREATED, "{}", fair.text());
    let fair_id = fair.json()["id"].as_i64().unwrap();
    let vacancy = app
        .post_json(
            &format!("/api/v1/job-fairs/{fair_id}/vacancies"),
            &json!({"employer": "PT Matriks", "position": "Operator", "openings": "50"}),
        )
        .await;
    let vacancy_id = vacancy.json()["id"].as_i64().unwrap();
    let applied = app
        .post_json(
            &format!("/api/v1/job-fairs/{fair_id}/applications"),
            &json!({"vacancy_id": vacancy_id, "enrolment_no": no}),
        )
        .await;
    assert_eq!(applied.status, StatusCode::CREATED, "{}", applied.text());
    let centre = format!("C-{i}");
    let res = app
        .post_json(
            "/api/v1/training-centres",
            &json!({"code": centre, "name": "Pusat matriks", "district_code": &village[..8],
                    "address": "Jl. Matriks 2", "capacity": "100"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let res = app
        .post_json(
            "/api/v1/job-classes",
            &json!({"centre_code": centre, "title": "Kelas matriks", "starts_on": "2025-02-01",
                    "ends_on": "2025-02-10", "sessions": "2", "capacity": "30"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let class_id = res.json()["id"].as_i64().unwrap();
    let res = app
        .post_json(
            &format!("/api/v1/job-classes/{class_id}/sessions"),
            &json!({"session_no": 1, "held_on": "2025-02-01"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let res = app
        .post_json(
            &format!("/api/v1/job-classes/{class_id}/trainees"),
            &json!({"enrolment_no": no}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    Target {
        no,
        event_id,
        placement_id,
        fair_id,
        vacancy_id,
        application_id: applied.json()["id"].as_i64().unwrap(),
        centre,
        class_id,
    }
}

fn body(path: &str, serial: u32, village: &str, t: &Target) -> Value {
    // A page's form sends what its API call sends.
    let path = match path {
        "/pelatihan-kerja/pusat" => "/training-centres",
        "/pelatihan-kerja/kelas" => "/job-classes",
        "/pelatihan-kerja/kelas/{id}/sesi" => "/job-classes/{id}/sessions",
        "/pelatihan-kerja/kelas/{id}/peserta" => "/job-classes/{id}/trainees",
        "/pelatihan-kerja/kelas/{id}/kehadiran" => {
            return json!({"session_no": "1", "present": t.no});
        }
        "/pelatihan-kerja/kelas/{id}/penilaian" => {
            return json!({"enrolment_no": t.no, "competent": "0"});
        }
        "/pelatihan-kerja/bursa" => "/job-fairs",
        "/pelatihan-kerja/bursa/{id}/lowongan" => "/job-fairs/{id}/vacancies",
        "/pelatihan-kerja/bursa/{id}/lamaran" => "/job-fairs/{id}/applications",
        "/pelatihan-kerja/bursa/{id}/lamaran/{application}/keputusan" => {
            "/job-fair-applications/{id}/decision"
        }
        other => other,
    };
    match path.trim_start_matches("/api/v1") {
        "/training-centres" => json!({
            "code": format!("C{serial}"), "name": "Pusat matriks", "district_code": &village[..8],
            "address": "Jl. Matriks 1", "capacity": "10",
        }),
        "/job-fairs" => json!({
            "title": "Bursa matriks", "city_code": &village[..5], "held_on": "2025-06-01", "place": "Aula",
        }),
        "/job-fairs/{id}/vacancies" => {
            json!({"employer": "PT Lain", "position": "Juru masak", "openings": "2"})
        }
        "/job-fairs/{id}/applications" => json!({"vacancy_id": t.vacancy_id, "enrolment_no": t.no}),
        "/job-fair-applications/{id}/decision" => json!({"decision": "rejected"}),
        "/job-classes" => json!({
            "centre_code": t.centre, "title": "Kelas baru", "starts_on": "2025-03-01",
            "ends_on": "2025-03-05", "sessions": "3", "capacity": "10",
        }),
        "/job-classes/{id}/sessions" => json!({"session_no": 2, "held_on": "2025-02-05"}),
        "/job-classes/{id}/trainees" => json!({"enrolment_no": t.no}),
        "/job-classes/{id}/attendance" => json!({"session_no": 1, "enrolment_nos": [t.no]}),
        "/job-classes/{id}/assessments" => json!({"enrolment_no": t.no, "competent": false}),
        "/programmes/{code}/enrolments" | "/pelatihan-kerja" => {
            let m = member_in(serial, village);
            json!({
                "nik": m["nik"], "full_name": m["full_name"], "birth_date": m["birth_date"],
                "sex": m["sex"], "address": m["address"], "village_code": village,
                "registered_on": "2025-01-06", "consent": true,
            })
        }
        "/enrolments/{enrolment_no}/events" | "/pelatihan-kerja/{enrolment_no}/events" => {
            json!({"kind": "class_attended", "occurred_on": "2025-02-01"})
        }
        "/enrolments/{enrolment_no}/placements" | "/pelatihan-kerja/{enrolment_no}/placements" => {
            json!({"outcome": "hired", "employer": "PT Matriks", "placed_on": "2025-05-01"})
        }
        "/enrolments/{enrolment_no}/referral" | "/pelatihan-kerja/{enrolment_no}/referral" => {
            json!({"business_name": "Usaha Matriks", "sector": "C"})
        }
        _ => json!({"reason": "uji matriks akses"}),
    }
}

async fn programme_route_role_matrix(app: TestApp) {
    let mut creds: Vec<(R, Creds)> =
        vec![(Admin, app.admin.clone()), (Anonymous, Creds::default())];
    for (r, name, role, region) in [
        (ManpowerProvince, "disnaker", "manpower_officer", "31"),
        (ManpowerCity, "sudin.jakpus", "manpower_officer", "31.71"),
        (Instructor, "instruktur", "instructor", "31.71.01"),
        (CityOfficer, "jakpus", "city_officer", "31.71"),
    ] {
        creds.push((r, app.user(name, role, Some(region)).await));
    }
    let own = member_in(1, IN_VILLAGE);
    let res = app.post_json("/api/v1/members", &own).await;
    let own_no = res.json()["member_no"].as_str().unwrap().to_owned();
    creds.push((
        Member,
        app.user_linked(
            "anggota",
            "member",
            None,
            Some((&own_no, own["nik"].as_str().unwrap())),
        )
        .await,
    ));
    let inside = target(&app, 2, IN_VILLAGE).await;
    let outside = target(&app, 3, OUT_VILLAGE).await;
    let mut serial = 100;
    let mut failures = Vec::new();
    for &(method, route) in PROGRAMME_ROUTES {
        for &r in &ROLES {
            for is_in in [true, false] {
                let t = if is_in { &inside } else { &outside };
                let village = if is_in { IN_VILLAGE } else { OUT_VILLAGE };
                let id = if route.contains("placements/{id}") {
                    t.placement_id
                } else if route.contains("job-fairs/{id}") || route.contains("bursa/{id}") {
                    t.fair_id
                } else if route.contains("job-fair-applications/{id}") {
                    t.application_id
                } else if route.contains("job-classes/{id}") || route.contains("kelas/{id}") {
                    t.class_id
                } else {
                    t.event_id
                };
                let path = route
                    .replace("{code}", "pelatihan_kerja")
                    .replace("{enrolment_no}", &t.no)
                    .replace("{id}", &id.to_string())
                    .replace("{application}", &t.application_id.to_string());
                let path = if route.contains("stats/placement") {
                    format!("{path}?region={}", if is_in { "31.71" } else { "31.74" })
                } else {
                    path
                };
                serial += 1;
                let client = app.as_(&creds.iter().find(|(x, _)| *x == r).unwrap().1);
                let b = body(route, serial, village, t);
                let res = if method == "GET" {
                    client.get(&path).await
                } else if route.starts_with("/api/") {
                    client.post_json(&path, &b).await
                } else {
                    let mut pairs: Vec<(String, String)> = b
                        .as_object()
                        .unwrap()
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                            )
                        })
                        .collect();
                    if b.get("consent").is_some() {
                        pairs.retain(|(k, _)| k != "consent");
                        pairs.push(("consent".into(), "1".into()));
                    }
                    let refs: Vec<(&str, &str)> = pairs
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    client.post_form(&path, &refs).await
                };
                if res.status.is_server_error() {
                    failures.push(format!(
                        "{r:?} {method} {path}: {} {}",
                        res.status,
                        res.text()
                    ));
                    continue;
                }
                let got = classify(res.status, res.header("location").as_deref());
                let expected = want(method, route, r, is_in);
                if got != expected {
                    failures.push(format!(
                        "{r:?} {method} {path} inside={is_in}: wanted {expected:?}, got {} {}",
                        res.status,
                        res.text()
                    ));
                }
            }
        }
    }
    // The new roles reach nothing of Jakpreneur's members.
    for r in [ManpowerProvince, ManpowerCity, Instructor] {
        let client = app.as_(&creds.iter().find(|(x, _)| *x == r).unwrap().1);
        for path in [
            "/api/v1/members".to_owned(),
            format!("/api/v1/members/{own_no}"),
        ] {
            let s = client.get(&path).await.status;
            if s != StatusCode::FORBIDDEN {
                failures.push(format!("{r:?} GET {path}: wanted 403, got {s}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
