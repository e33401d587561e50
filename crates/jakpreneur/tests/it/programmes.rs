//! A second programme on the platform: job training and placement (`pelatihan_kerja`).
//! One person across programmes, enrolments with their own numbers, services checked
//! against the programme's stored definition, placements, the referral to Jakpreneur,
//! scope, `placement_rate` recomputed from the raw records, the seed's population, and a
//! third programme added from data files alone.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use chrono::{Months, NaiveDate};
use jakpreneur_core::programme::{DefinitionFiles, Programmes};
use jakpreneur_testkit::{TestApp, member_in};
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

on_both_backends!(
    a_person_in_both_programmes_is_one_identity,
    trainees_are_scoped_by_region_and_programme,
    services_follow_the_stages_and_placements_the_rules,
    placement_rate_matches_a_recount_of_the_raw_records,
    the_seed_population_gives_its_counts_and_their_true_rate,
    a_third_programme_needs_only_its_data_files,
    the_department_works_on_pages,
    centres_hold_their_capacity_and_fairs_hire_into_placements,
    two_officers_enrolling_one_person_at_once_make_one_enrolment,
    a_mobile_class_moves_and_competence_needs_attendance,
    the_department_works_from_the_command_line,
);

const GAMBIR: &str = "31.71.01.1001";
const SETIABUDI: &str = "31.74.02.1001";

/// An enrolment body for person `i` living in `village` (valid NIK, name, birth date).
fn trainee(i: u32, village: &str) -> Value {
    let m = member_in(i, village);
    json!({
        "nik": m["nik"], "full_name": m["full_name"], "birth_date": m["birth_date"],
        "sex": m["sex"], "phone": m["phone"], "address": m["address"],
        "village_code": village, "registered_on": "2025-01-06", "consent": true,
    })
}

async fn enrol(app: &TestApp, i: u32, village: &str) -> String {
    let res = app
        .post_json(
            "/api/v1/programmes/pelatihan_kerja/enrolments",
            &trainee(i, village),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()["enrolment_no"].as_str().unwrap().to_owned()
}

async fn event(app: &TestApp, no: &str, kind: &str, on: &str) -> jakpreneur_testkit::TestResponse {
    app.post_json(
        &format!("/api/v1/enrolments/{no}/events"),
        &json!({"kind": kind, "occurred_on": on}),
    )
    .await
}

/// Trained (K2) and certified (K3) on the given days.
async fn trained(app: &TestApp, no: &str, completed: &str) {
    for kind in ["class_enrolled", "assessed_competent", "certified"] {
        let res = event(app, no, kind, completed).await;
        assert_eq!(res.status, StatusCode::CREATED, "{kind}: {}", res.text());
    }
}

async fn a_person_in_both_programmes_is_one_identity(app: TestApp) {
    // A Jakpreneur member enrols in job training with the same NIK.
    let m = member_in(1, GAMBIR);
    let res = app.post_json("/api/v1/members", &m).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let member_no = res.json()["member_no"].as_str().unwrap().to_owned();
    let no = enrol(&app, 1, GAMBIR).await;
    assert!(no.starts_with("PK-3171-"), "{no}");
    let detail = app.get(&format!("/api/v1/enrolments/{no}")).await.json();
    assert_eq!(
        detail["enrolment"]["jakpreneur_member_no"],
        json!(member_no)
    );
    assert_eq!(detail["enrolment"]["nik"].as_str().unwrap().len(), 16);
    assert!(detail["enrolment"]["nik"].as_str().unwrap().contains('*'));
    assert_eq!(detail["events"][0]["kind"], "registered");
    assert_eq!(detail["events"][0]["agency"], "NAKERTRANSGI");
    // Enrolling again is refused, naming the enrolment.
    let again = app
        .post_json(
            "/api/v1/programmes/pelatihan_kerja/enrolments",
            &trainee(1, GAMBIR),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
    assert_eq!(again.error_code(), "already_enrolled");
    assert!(again.text().contains(&no));
    // One person: one identity row; counted once in each programme.
    assert_eq!(people(&app).await, 1);
    let release = app
        .get("/api/v1/stats/facilities?programme=pelatihan_kerja")
        .await;
    assert_eq!(release.status, StatusCode::OK, "{}", release.text());
    assert_eq!(release.json()["stages"][0]["reached"], 1);
    let jp = app.get("/api/v1/stats/facilities").await.json();
    assert_eq!(jp["counts"]["P1"], 1, "{jp}");
    // Jakpreneur registration still refuses the NIK once: it is the same person.
    let dup = app.post_json("/api/v1/members", &m).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    // A trainee who is not a member is referred in one step; a member is not.
    let no2 = enrol(&app, 2, GAMBIR).await;
    trained(&app, &no2, "2025-03-01").await;
    let refused = app
        .post_json(
            &format!("/api/v1/enrolments/{no}/referral"),
            &json!({"business_name": "Jahit Bu Ani", "sector": "C"}),
        )
        .await;
    assert_eq!(refused.error_code(), "already_member", "{}", refused.text());
    let bad = app
        .post_json(
            &format!("/api/v1/enrolments/{no2}/referral"),
            &json!({"sector": "Z"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.error_fields(),
        ["business_name", "sector"],
        "{}",
        bad.text()
    );
    let ok = app
        .post_json(
            &format!("/api/v1/enrolments/{no2}/referral"),
            &json!({"business_name": "Las Pak Budi", "sector": "C"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text());
    let new_member = ok.json()["member_no"].as_str().unwrap().to_owned();
    // The referral is a record in both programmes.
    let events = app.events(&new_member).await;
    assert_eq!(events["items"][0]["kind"], "registered");
    assert_eq!(events["items"][0]["reference"], json!(no2));
    let detail = app.get(&format!("/api/v1/enrolments/{no2}")).await.json();
    assert_eq!(detail["enrolment"]["referred_member_no"], json!(new_member));
    let last = detail["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "referred_to_jakpreneur");
    assert_eq!(last["reference"], json!(new_member));
    let twice = app
        .post_json(
            &format!("/api/v1/enrolments/{no2}/referral"),
            &json!({"business_name": "Las Pak Budi", "sector": "C"}),
        )
        .await;
    assert_eq!(twice.error_code(), "already_referred");
    assert_eq!(people(&app).await, 2);
}

async fn trainees_are_scoped_by_region_and_programme(app: TestApp) {
    let inside = enrol(&app, 1, GAMBIR).await;
    let outside = enrol(&app, 2, SETIABUDI).await;
    let sudin = app
        .user("sudin.jakpus", "manpower_officer", Some("31.71"))
        .await;
    let instruktur = app.user("instruktur", "instructor", Some("31.71.01")).await;
    let officer = app.user("jakpus", "city_officer", Some("31.71")).await;
    let s = app.as_(&sudin);
    assert_eq!(
        s.get(&format!("/api/v1/enrolments/{inside}")).await.status,
        StatusCode::OK
    );
    // Another region's trainee does not exist for this reader; its NIK is not told.
    assert_eq!(
        s.get(&format!("/api/v1/enrolments/{outside}")).await.status,
        StatusCode::NOT_FOUND
    );
    let list = s
        .get("/api/v1/programmes/pelatihan_kerja/enrolments")
        .await
        .json();
    assert_eq!(list["total"], 1, "{list}");
    // The same person (the NIK enrolled in Setiabudi), now giving a Gambir address.
    let mut moved = trainee(2, SETIABUDI);
    moved["village_code"] = json!(GAMBIR);
    let dup = s
        .post_json("/api/v1/programmes/pelatihan_kerja/enrolments", &moved)
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert!(!dup.text().contains(&outside), "{}", dup.text());
    let far = s
        .post_json(
            "/api/v1/programmes/pelatihan_kerja/enrolments",
            &trainee(3, SETIABUDI),
        )
        .await;
    assert_eq!(far.status, StatusCode::FORBIDDEN, "{}", far.text());
    // An instructor records services but does not enrol; nor refers.
    let i = app.as_(&instruktur);
    let enrol_try = i
        .post_json(
            "/api/v1/programmes/pelatihan_kerja/enrolments",
            &trainee(4, GAMBIR),
        )
        .await;
    assert_eq!(enrol_try.status, StatusCode::FORBIDDEN);
    let rec = i
        .post_json(
            &format!("/api/v1/enrolments/{inside}/events"),
            &json!({"kind": "class_enrolled", "occurred_on": "2025-02-01"}),
        )
        .await;
    assert_eq!(rec.status, StatusCode::CREATED, "{}", rec.text());
    assert_eq!(
        i.get(&format!("/api/v1/enrolments/{outside}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Jakpreneur's officers do not read trainees; manpower staff do not read members.
    let o = app.as_(&officer);
    assert_eq!(
        o.get(&format!("/api/v1/enrolments/{inside}")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        o.get("/api/v1/programmes/pelatihan_kerja/enrolments")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(s.get("/api/v1/members").await.status, StatusCode::FORBIDDEN);
    // Jakpreneur itself has no enrolments here.
    let jp = app.get("/api/v1/programmes/jakpreneur/enrolments").await;
    assert_eq!(jp.error_code(), "programme_has_members");
    let unknown = app.get("/api/v1/programmes/tidak_ada/enrolments").await;
    assert_eq!(unknown.error_code(), "programme_unknown");
}

async fn services_follow_the_stages_and_placements_the_rules(app: TestApp) {
    let no = enrol(&app, 1, GAMBIR).await;
    // Placement needs certification first (the sequential rule).
    let early = app
        .post_json(
            &format!("/api/v1/enrolments/{no}/placements"),
            &json!({"outcome": "hired", "employer": "PT Maju", "placed_on": "2025-03-01"}),
        )
        .await;
    assert_eq!(early.error_code(), "facility_order", "{}", early.text());
    let wrong_kind = event(&app, &no, "training_completed", "2025-02-01").await;
    assert_eq!(wrong_kind.error_code(), "kind_unknown");
    let before = event(&app, &no, "class_enrolled", "2024-12-31").await;
    assert_eq!(before.error_code(), "before_registration");
    trained(&app, &no, "2025-02-28").await;
    let no_employer = app
        .post_json(
            &format!("/api/v1/enrolments/{no}/placements"),
            &json!({"outcome": "hired", "placed_on": "2025-03-01"}),
        )
        .await;
    assert_eq!(
        no_employer.error().1.as_deref(),
        Some("employer"),
        "{}",
        no_employer.text()
    );
    let p = app
        .post_json(
            &format!("/api/v1/enrolments/{no}/placements"),
            &json!({"outcome": "hired", "employer": "PT Maju Jaya", "placed_on": "2025-04-01", "wage_band": "min_to_1_5"}),
        )
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.text());
    let placement = p.json();
    let report = app
        .get("/api/v1/stats/placement?as_of=2025-12-31")
        .await
        .json();
    assert_eq!(
        (report["trainees"].clone(), report["placed"].clone()),
        (json!(1), json!(1)),
        "{report}"
    );
    // The placement's event is voided only with the placement.
    let event_id = placement["event_id"].as_i64().unwrap();
    let alone = app
        .post_json(
            &format!("/api/v1/enrolments/{no}/events/{event_id}/void"),
            &json!({"reason": "salah catat"}),
        )
        .await;
    assert_eq!(alone.error_code(), "event_owned_by_record");
    let id = placement["id"].as_i64().unwrap();
    let voided = app
        .post_json(
            &format!("/api/v1/enrolments/{no}/placements/{id}/void"),
            &json!({"reason": "salah catat"}),
        )
        .await;
    assert_eq!(voided.status, StatusCode::OK, "{}", voided.text());
    let report = app
        .get("/api/v1/stats/placement?as_of=2025-12-31")
        .await
        .json();
    assert_eq!(report["placed"], 0, "{report}");
    // Withdrawal: not before a recorded service; then no service after it.
    let early_w = app
        .post_json(
            &format!("/api/v1/enrolments/{no}/withdraw"),
            &json!({"reason": "pindah kota", "withdrawn_on": "2025-02-01"}),
        )
        .await;
    assert_eq!(
        early_w.error_code(),
        "events_after_withdrawal",
        "{}",
        early_w.text()
    );
    let w = app
        .post_json(
            &format!("/api/v1/enrolments/{no}/withdraw"),
            &json!({"reason": "pindah kota", "withdrawn_on": "2025-06-01"}),
        )
        .await;
    assert_eq!(w.status, StatusCode::OK, "{}", w.text());
    assert_eq!(w.json()["status"], "withdrawn");
    let after = event(&app, &no, "class_attended", "2025-07-01").await;
    assert_eq!(after.error_code(), "after_withdrawal");
}

/// Random trainees through the API; then every figure of `placement_rate` (total and
/// per city) recomputed here from each enrolment's raw events.
async fn placement_rate_matches_a_recount_of_the_raw_records(app: TestApp) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(17);
    let villages = [GAMBIR, SETIABUDI, "31.75.01.1001"];
    let start = NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
    let mut numbers = Vec::new();
    for i in 0..24 {
        let village = villages[rng.random_range(0..villages.len())];
        let no = enrol(&app, i, village).await;
        if rng.random_bool(0.8) {
            let completed = start + chrono::Days::new(rng.random_range(10..200));
            trained(&app, &no, &completed.to_string()).await;
            if rng.random_bool(0.8) {
                let placed = completed + chrono::Days::new(rng.random_range(0..240));
                let outcome = ["hired", "self_employed", "not_placed"][rng.random_range(0..3)];
                let mut body = json!({"outcome": outcome, "placed_on": placed.to_string()});
                if outcome == "hired" {
                    body["employer"] = json!("PT Sumber Kerja");
                }
                let res = app
                    .post_json(&format!("/api/v1/enrolments/{no}/placements"), &body)
                    .await;
                assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
                if rng.random_bool(0.2) {
                    let id = res.json()["id"].as_i64().unwrap();
                    app.post_json(
                        &format!("/api/v1/enrolments/{no}/placements/{id}/void"),
                        &json!({"reason": "dibatalkan"}),
                    )
                    .await;
                }
            }
        }
        numbers.push(no);
    }
    let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    // The recount: from each enrolment's events alone.
    let mut expected: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let mut total = (0, 0);
    for no in &numbers {
        let d = app.get(&format!("/api/v1/enrolments/{no}")).await.json();
        let live = |e: &&Value| e["voided"].is_null();
        let first = |kinds: &[&str]| {
            d["events"]
                .as_array()
                .unwrap()
                .iter()
                .filter(live)
                .filter(|e| kinds.contains(&e["kind"].as_str().unwrap()))
                .map(|e| {
                    NaiveDate::parse_from_str(e["occurred_on"].as_str().unwrap(), "%Y-%m-%d")
                        .unwrap()
                })
                .min()
        };
        let Some(completed) = first(&["assessed_competent"]).filter(|c| *c <= as_of) else {
            continue;
        };
        let placed = first(&["placed_hired", "placed_self_employed"]).is_some_and(|p| {
            p <= as_of && p <= completed.checked_add_months(Months::new(6)).unwrap()
        });
        let city = d["enrolment"]["city_code"].as_str().unwrap().to_owned();
        let e = expected.entry(city).or_default();
        e.0 += 1;
        total.0 += 1;
        if placed {
            e.1 += 1;
            total.1 += 1;
        }
    }
    let report = app
        .get(&format!("/api/v1/stats/placement?as_of={as_of}"))
        .await
        .json();
    assert_eq!(report["trainees"], total.0, "{report}");
    assert_eq!(report["placed"], total.1, "{report}");
    assert!(
        total.0 > 5 && total.1 > 1,
        "the population exercises the indicator: {total:?}"
    );
    for g in report["groups"].as_array().unwrap() {
        let (n, p) = expected
            .get(g["region_code"].as_str().unwrap())
            .copied()
            .unwrap_or((0, 0));
        assert_eq!(
            (
                g["trainees"].as_i64().unwrap(),
                g["placed"].as_i64().unwrap()
            ),
            (n, p),
            "{g}"
        );
    }
    // The open figures: cities with few trainees are hidden, never exact below 7.
    let open = app
        .anonymous()
        .get(&format!("/api/v1/public/stats/placement?as_of={as_of}"))
        .await
        .json();
    for g in open["groups"].as_array().unwrap() {
        assert!(
            g["trainees"].is_null() || g["trainees"].as_i64().unwrap() >= 7,
            "{g}"
        );
    }
    let district = app
        .anonymous()
        .get("/api/v1/public/stats/placement?region=31.71.01")
        .await;
    assert_eq!(district.error_code(), "region_too_small");
}

/// Seed 003: "77,03 persen (5.871 dari 7.626 orang)". A population whose true values are
/// 7,626 trainees and 5,871 placed reports exactly those counts; their rate is 76.99%,
/// not the published 77.03% (5,871 / 7,626 = 0.76987…; 77.03% would need 5,874 placed).
async fn the_seed_population_gives_its_counts_and_their_true_rate(app: TestApp) {
    let pg = app.db_url.starts_with("postgres");
    let day = |x: &str| {
        if pg {
            format!("(DATE '2024-01-01' + ({x})::int)")
        } else {
            format!("date('2024-01-01', '+' || ({x}) || ' days')")
        }
    };
    let now = "CURRENT_TIMESTAMP";
    let truth = if pg { "TRUE" } else { "1" };
    // 7,626 people (their personal data erased: only the facts statistics need).
    let sql = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 7626) \
         INSERT INTO people (sex, erased_at, created_at, updated_at) \
         SELECT CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END, {now}, {now}, {now} FROM n;
         INSERT INTO programme_enrolments (programme, person_id, enrolment_no, province_code, city_code, \
            district_code, village_code, registered_on, consent_version, consent_at, created_at, updated_at) \
         SELECT 'pelatihan_kerja', id, 'PK-SEED-' || id, '31', \
            CASE WHEN id % 2 = 0 THEN '31.71' ELSE '31.74' END, \
            CASE WHEN id % 2 = 0 THEN '31.71.01' ELSE '31.74.02' END, \
            CASE WHEN id % 2 = 0 THEN '31.71.01.1001' ELSE '31.74.02.1001' END, \
            {reg}, 'seed', {now}, {now}, {now} FROM people;
         INSERT INTO programme_events (enrolment_id, programme, stage, kind, qualifying, occurred_on, \
            agency_code, recorded_by, created_at) \
         SELECT id, 'pelatihan_kerja', 'K2', 'assessed_competent', {truth}, {done}, 'NAKERTRANSGI', 'seed', {now} \
         FROM programme_enrolments;
         INSERT INTO programme_events (enrolment_id, programme, stage, kind, qualifying, occurred_on, \
            agency_code, recorded_by, created_at) \
         SELECT id, 'pelatihan_kerja', 'K4', CASE WHEN id % 3 = 0 THEN 'placed_self_employed' ELSE 'placed_hired' END, \
            {truth}, {placed}, 'NAKERTRANSGI', 'seed', {now} FROM programme_enrolments WHERE id <= 5871;
         INSERT INTO programme_events (enrolment_id, programme, stage, kind, qualifying, occurred_on, \
            agency_code, recorded_by, created_at) \
         SELECT id, 'pelatihan_kerja', 'K4', 'placed_hired', {truth}, {late}, 'NAKERTRANSGI', 'seed', {now} \
         FROM programme_enrolments WHERE id > 5871 AND id <= 6100;
         INSERT INTO programme_reaches (enrolment_id, programme, stage, first_reached_on, event_id, agency_code) \
         SELECT enrolment_id, programme, stage, occurred_on, id, agency_code FROM programme_events;",
        reg = day("id % 50"),
        done = day("id % 50 + 60"),
        placed = day("id % 50 + 60 + id % 150"),
        late = day("id % 50 + 60 + 200"),
    );
    app.raw_sql(&sql).await;
    let r = app.get("/api/v1/stats/placement").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = r.json();
    assert_eq!(r["trainees"], 7626, "{r}");
    // Placed within six months of completing: the 229 placed later do not count.
    assert_eq!(r["placed"], 5871, "{r}");
    assert_eq!(r["placement_rate"], json!(76.99), "{r}");
    assert_eq!(
        r["hired"].as_i64().unwrap() + r["self_employed"].as_i64().unwrap(),
        5871
    );
    let cities: i64 = r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["trainees"].as_i64().unwrap())
        .sum();
    assert_eq!(cities, 7626);
    // The published figure does not follow from its own counts.
    assert_ne!(r["placement_rate"], json!(77.03));
}

async fn a_third_programme_needs_only_its_data_files(app: TestApp) {
    let files = DefinitionFiles {
        programmes: "code,name_id,name_en,number_prefix,lead_agency\n\
            bantuan_modal,Bantuan Modal Usaha,Business grant,BM,SOSIAL\n"
            .into(),
        stages: "programme,stage,position,name_id,name_en\n\
            bantuan_modal,B1,1,Pendaftaran,Registration\n\
            bantuan_modal,B2,2,Verifikasi,Verification\n\
            bantuan_modal,B3,3,Penyaluran,Disbursement\n"
            .into(),
        kinds: "programme,kind,stage,qualifying\n\
            bantuan_modal,registered,B1,true\n\
            bantuan_modal,verified,B2,true\n\
            bantuan_modal,grant_paid,B3,true\n"
            .into(),
        rules: "programme,effective_from,rule\nbantuan_modal,2000-01-01,sequential\n".into(),
    };
    // A broken file is refused, saying which.
    let mut broken = files.clone();
    broken.kinds = "programme,kind,stage,qualifying\nbantuan_modal,registered,B1,true\n".into();
    let e = Programmes::from_files(&broken).unwrap_err();
    assert!(e.contains("B2") && e.contains("qualifying"), "{e}");
    let tables_before = tables(&app).await;
    let defs = Programmes::from_files(&files).unwrap();
    let out = super::auth::cli(
        &app,
        &["programme", "load", "--dir", &write_dir(&files)],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("bantuan_modal"));
    assert_eq!(defs.programmes[0].code, "bantuan_modal");
    let listed = app.anonymous().get("/api/v1/programmes").await.json();
    let codes: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["jakpreneur", "pelatihan_kerja", "bantuan_modal"]);
    let res = app
        .post_json(
            "/api/v1/programmes/bantuan_modal/enrolments",
            &trainee(1, GAMBIR),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let no = res.json()["enrolment_no"].as_str().unwrap().to_owned();
    assert!(no.starts_with("BM-3171-"), "{no}");
    assert_eq!(res.json()["programme"], "bantuan_modal");
    let skip = event(&app, &no, "grant_paid", "2025-02-01").await;
    assert_eq!(skip.error_code(), "facility_order", "{}", skip.text());
    assert_eq!(
        event(&app, &no, "verified", "2025-02-01").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        event(&app, &no, "grant_paid", "2025-03-01").await.status,
        StatusCode::CREATED
    );
    let release = app
        .get("/api/v1/stats/funnel?programme=bantuan_modal")
        .await
        .json();
    let reached: Vec<i64> = release["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reached"].as_i64().unwrap())
        .collect();
    assert_eq!(reached, [1, 1, 1], "{release}");
    // Its period, summary and cohort reports are not kept: refused naming the programme,
    // not taken for an unknown one.
    for path in [
        "/api/v1/stats/period?from=2025-01-01&to=2025-12-31",
        "/api/v1/public/stats/period?from=2025-01-01&to=2025-12-31",
        "/api/v1/stats/summary?as_of=2025-12-31",
        "/api/v1/stats/cohorts?from=2025-01&to=2025-06",
    ] {
        let res = app.get(&format!("{path}&programme=bantuan_modal")).await;
        assert_eq!(
            res.error_code(),
            "programme_report_unavailable",
            "{path}: {}",
            res.text()
        );
    }
    // The same person in job training too: still one identity.
    enrol(&app, 1, GAMBIR).await;
    assert_eq!(people(&app).await, 1);
    assert_eq!(tables(&app).await, tables_before, "no table was added");
}

fn write_dir(f: &DefinitionFiles) -> String {
    let dir = tempfile::tempdir().unwrap().keep();
    for (name, text) in [
        ("programmes.csv", &f.programmes),
        ("stages.csv", &f.stages),
        ("kinds.csv", &f.kinds),
        ("rules.csv", &f.rules),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir.to_string_lossy().into_owned()
}

async fn people(app: &TestApp) -> i64 {
    use sqlx::Connection;
    if app.db_url.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(&app.db_url).await.unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM people")
            .fetch_one(&mut c)
            .await
            .unwrap()
    } else {
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}", app.db_url))
            .await
            .unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM people")
            .fetch_one(&mut c)
            .await
            .unwrap()
    }
}

async fn tables(app: &TestApp) -> Vec<String> {
    use sqlx::Connection;
    if app.db_url.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(&app.db_url).await.unwrap();
        sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() ORDER BY 1",
        )
        .fetch_all(&mut c)
        .await
        .unwrap()
    } else {
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}", app.db_url))
            .await
            .unwrap();
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")
            .fetch_all(&mut c)
            .await
            .unwrap()
    }
}

/// The manpower department's pages: the list with its enrolment form, refusals shown
/// beside their fields with what was typed kept, the trainee's page and its forms.
async fn the_department_works_on_pages(app: TestApp) {
    let list = app.get("/pelatihan-kerja").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains("Daftarkan peserta"), "{}", list.text());
    let t = trainee(5, GAMBIR);
    let s = |k: &str| t[k].as_str().unwrap().to_owned();
    let bad = app
        .post_form(
            "/pelatihan-kerja",
            &[("nik", "123"), ("full_name", &s("full_name")), ("sex", "X")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text();
    assert!(html.contains(&s("full_name")), "what was typed is kept");
    assert!(
        html.contains("id=\"nik-error\""),
        "the NIK's error is beside it"
    );
    let ok = app
        .post_form(
            "/pelatihan-kerja",
            &[
                ("nik", &s("nik")),
                ("full_name", &s("full_name")),
                ("birth_date", &s("birth_date")),
                ("sex", &s("sex")),
                ("address", &s("address")),
                ("village_code", GAMBIR),
                ("registered_on", "2025-01-06"),
                ("consent", "1"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    let to = ok.header("location").unwrap();
    assert!(to.starts_with("/pelatihan-kerja/PK-3171-"), "{to}");
    let again = app
        .post_form(
            "/pelatihan-kerja",
            &[
                ("nik", &s("nik")),
                ("full_name", &s("full_name")),
                ("birth_date", &s("birth_date")),
                ("sex", &s("sex")),
                ("address", &s("address")),
                ("village_code", GAMBIR),
                ("consent", "1"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again
            .text()
            .contains(to.trim_start_matches("/pelatihan-kerja/")),
        "names the enrolment"
    );
    let page = app.get(&to).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains(&s("full_name")) && page.text().contains("K4 Penempatan"));
    let rec = app
        .post_form(
            &format!("{to}/events"),
            &[
                ("kind", "class_enrolled"),
                ("occurred_on", "2025-02-01"),
                ("place_code", "31.71.01"),
            ],
        )
        .await;
    assert_eq!(rec.status, StatusCode::SEE_OTHER, "{}", rec.text());
    let early = app
        .post_form(
            &format!("{to}/placements"),
            &[("outcome", "hired"), ("placed_on", "2025-03-01")],
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = early.text();
    let at = html.find("id=\"employer\"").unwrap();
    assert!(
        html[at..].find("field-error").is_some_and(|i| i < 400),
        "the employer's error is beside it"
    );
    let withdraw = app
        .post_form(
            &format!("{to}/withdraw"),
            &[("reason", "pindah"), ("withdrawn_on", "2025-03-01")],
        )
        .await;
    assert_eq!(
        withdraw.status,
        StatusCode::SEE_OTHER,
        "{}",
        withdraw.text()
    );
    let open = app.anonymous().get("/statistik/pelatihan-kerja").await;
    assert_eq!(open.status, StatusCode::OK);
    assert!(
        open.text().contains("Tingkat penempatan") && open.text().contains("&#60;7"),
        "small cities hidden"
    );
    let bad_day = app
        .anonymous()
        .get("/statistik/pelatihan-kerja?as_of=kemarin")
        .await;
    assert_eq!(bad_day.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = app.get(&to).await.text();
    assert!(page.contains("Keluar"), "withdrawn shows");
    assert!(
        !page.contains("Catat penempatan"),
        "no forms for a withdrawn trainee"
    );
}

/// A centre holds no more trainees in training than its capacity (the next enrolment
/// there is refused, naming the centre; one who completes training frees the seat), and
/// a job fair's hire is a placement that counts in `placement_rate`, no vacancy taking
/// more hires than its openings.
async fn centres_hold_their_capacity_and_fairs_hire_into_placements(app: TestApp) {
    let centre = app
        .post_json(
            "/api/v1/training-centres",
            &json!({"code": "ppkd-jp", "name": "PPKD Jakarta Pusat", "district_code": "31.71.01",
                    "address": "Jl. Pelatihan 1", "capacity": "2"}),
        )
        .await;
    assert_eq!(centre.status, StatusCode::CREATED, "{}", centre.text());
    assert_eq!(centre.json()["code"], "PPKD-JP");
    let again = app
        .post_json(
            "/api/v1/training-centres",
            &json!({"code": "PPKD-JP", "name": "Lagi", "district_code": "31.71", "address": "x", "capacity": "0"}),
        )
        .await;
    assert_eq!(
        again.error_fields(),
        ["district_code", "address", "capacity"],
        "{}",
        again.text()
    );
    let at_centre = |i: u32| {
        let mut t = trainee(i, GAMBIR);
        t["centre_code"] = json!("PPKD-JP");
        t
    };
    let mut numbers = Vec::new();
    for i in 0..2 {
        let res = app
            .post_json(
                "/api/v1/programmes/pelatihan_kerja/enrolments",
                &at_centre(i),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        numbers.push(res.json()["enrolment_no"].as_str().unwrap().to_owned());
    }
    let full = app
        .post_json(
            "/api/v1/programmes/pelatihan_kerja/enrolments",
            &at_centre(2),
        )
        .await;
    assert_eq!(full.error_code(), "centre_full", "{}", full.text());
    let unknown = app
        .post_json("/api/v1/programmes/pelatihan_kerja/enrolments", &{
            let mut t = trainee(3, GAMBIR);
            t["centre_code"] = json!("TIDAK-ADA");
            t
        })
        .await;
    assert_eq!(unknown.error_code(), "centre_unknown");
    trained(&app, &numbers[0], "2025-03-01").await;
    let listed = app.get("/api/v1/training-centres").await.json();
    assert_eq!(listed["items"][0]["in_training"], 1, "{listed}");
    let seat = app
        .post_json(
            "/api/v1/programmes/pelatihan_kerja/enrolments",
            &at_centre(2),
        )
        .await;
    assert_eq!(
        seat.status,
        StatusCode::CREATED,
        "the trained one freed a seat: {}",
        seat.text()
    );

    // A job fair in Central Jakarta: one vacancy with one opening, two applicants.
    let fair = app
        .post_json(
            "/api/v1/job-fairs",
            &json!({"title": "Bursa Kerja Jakarta Pusat", "city_code": "31.71", "held_on": "2025-04-10", "place": "GOR Gambir"}),
        )
        .await;
    assert_eq!(fair.status, StatusCode::CREATED, "{}", fair.text());
    let fair_id = fair.json()["id"].as_i64().unwrap();
    let vacancy = app
        .post_json(
            &format!("/api/v1/job-fairs/{fair_id}/vacancies"),
            &json!({"employer": "PT Maju Bersama", "position": "Teknisi listrik", "openings": "1"}),
        )
        .await;
    let vacancy_id = vacancy.json()["id"].as_i64().unwrap();
    trained(&app, &numbers[1], "2025-03-05").await;
    let mut applications = Vec::new();
    for no in &numbers {
        let res = app
            .post_json(
                &format!("/api/v1/job-fairs/{fair_id}/applications"),
                &json!({"vacancy_id": vacancy_id, "enrolment_no": no}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        applications.push(res.json()["id"].as_i64().unwrap());
    }
    let twice = app
        .post_json(
            &format!("/api/v1/job-fairs/{fair_id}/applications"),
            &json!({"vacancy_id": vacancy_id, "enrolment_no": numbers[0]}),
        )
        .await;
    assert_eq!(twice.error_code(), "already_applied");
    let hired = app
        .post_json(
            &format!("/api/v1/job-fair-applications/{}/decision", applications[0]),
            &json!({"decision": "hired", "decided_on": "2025-04-20", "wage_band": "min_to_1_5"}),
        )
        .await;
    assert_eq!(hired.status, StatusCode::OK, "{}", hired.text());
    assert!(hired.json()["placement_id"].is_i64());
    let filled = app
        .post_json(
            &format!("/api/v1/job-fair-applications/{}/decision", applications[1]),
            &json!({"decision": "hired", "decided_on": "2025-04-20"}),
        )
        .await;
    assert_eq!(filled.error_code(), "vacancy_filled", "{}", filled.text());
    let detail = app
        .get(&format!("/api/v1/enrolments/{}", numbers[0]))
        .await
        .json();
    assert_eq!(detail["placements"][0]["employer"], "PT Maju Bersama");
    let report = app
        .get("/api/v1/stats/placement?as_of=2025-12-31")
        .await
        .json();
    assert_eq!(
        (
            report["trainees"].clone(),
            report["placed"].clone(),
            report["hired"].clone()
        ),
        (json!(2), json!(1), json!(1)),
        "{report}"
    );
    let shown = app
        .get(&format!("/api/v1/job-fairs/{fair_id}"))
        .await
        .json();
    assert_eq!(shown["fair"]["hires"], 1);
    assert_eq!(shown["fair"]["applications"], 2);
    // Another city's manpower office sees the fair, not who applied.
    let jaksel = app
        .user("sudin.jaksel", "manpower_officer", Some("31.74"))
        .await;
    let theirs = app
        .as_(&jaksel)
        .get(&format!("/api/v1/job-fairs/{fair_id}"))
        .await
        .json();
    assert!(
        theirs["applications"][0]["enrolment_no"].is_null(),
        "{theirs}"
    );
    assert!(theirs["applications"][0]["full_name"].is_null());
}

/// The same person enrolled by two requests at once, from two cities' addresses (a
/// Jakpreneur member already, so the person row exists): one enrolment, one 409.
async fn two_officers_enrolling_one_person_at_once_make_one_enrolment(app: TestApp) {
    let res = app
        .post_json("/api/v1/members", &member_in(9, GAMBIR))
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    for round in 0..3 {
        let mut a = trainee(9 + round * 10, GAMBIR);
        if round == 0 {
            a = trainee(9, GAMBIR);
        }
        let mut b = a.clone();
        b["village_code"] = json!(SETIABUDI);
        let (x, y) = tokio::join!(
            app.post_json("/api/v1/programmes/pelatihan_kerja/enrolments", &a),
            app.post_json("/api/v1/programmes/pelatihan_kerja/enrolments", &b),
        );
        let mut codes = [x.status.as_u16(), y.status.as_u16()];
        codes.sort_unstable();
        assert_eq!(codes, [201, 409], "{} / {}", x.text(), y.text());
    }
    assert_eq!(people(&app).await, 3);
}

/// A mobile training unit's class meets in a different district each session; a regular
/// class only at its centre. Seats are counted, attendance is recorded once, and only a
/// trainee who attended 80% of the sessions is assessed competent, which completes
/// skills training (K2) at the class's place.
async fn a_mobile_class_moves_and_competence_needs_attendance(app: TestApp) {
    let res = app
        .post_json(
            "/api/v1/training-centres",
            &json!({"code": "PPKD-JP", "name": "PPKD Jakarta Pusat", "district_code": "31.71.01",
                    "address": "Jl. Pelatihan 1", "capacity": "50"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    let class = |mode: &str, capacity: &str| {
        json!({"centre_code": "ppkd-jp", "title": "Tata boga keliling", "mode": mode,
               "starts_on": "2025-03-01", "ends_on": "2025-03-05", "sessions": "5", "capacity": capacity})
    };
    let bad = app
        .post_json(
            "/api/v1/job-classes",
            &json!({"centre_code": "PPKD-JP", "title": "x", "mode": "kapal", "starts_on": "2025-03-05",
                    "ends_on": "2025-03-01", "sessions": "0", "capacity": "2"}),
        )
        .await;
    assert_eq!(
        bad.error_fields(),
        ["title", "mode", "ends_on", "sessions"],
        "{}",
        bad.text()
    );
    let mobile = app
        .post_json("/api/v1/job-classes", &class("mobile", "2"))
        .await;
    assert_eq!(mobile.status, StatusCode::CREATED, "{}", mobile.text());
    let id = mobile.json()["id"].as_i64().unwrap();
    let regular = app
        .post_json("/api/v1/job-classes", &class("regular", "20"))
        .await;
    let regular_id = regular.json()["id"].as_i64().unwrap();
    let moved = app
        .post_json(
            &format!("/api/v1/job-classes/{regular_id}/sessions"),
            &json!({"session_no": 1, "held_on": "2025-03-01", "place_code": "31.74.02"}),
        )
        .await;
    assert_eq!(moved.error_code(), "place_fixed");
    let unplaced = app
        .post_json(
            &format!("/api/v1/job-classes/{id}/sessions"),
            &json!({"session_no": 1, "held_on": "2025-03-01"}),
        )
        .await;
    assert_eq!(unplaced.error().1.as_deref(), Some("place_code"));
    let places = ["31.71.01", "31.71.02", "31.71.03", "31.71.04", "31.71.05"];
    for (n, place) in places.iter().enumerate() {
        let res = app
            .post_json(
                &format!("/api/v1/job-classes/{id}/sessions"),
                &json!({"session_no": n + 1, "held_on": format!("2025-03-0{}", n + 1), "place_code": place}),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    }
    let late = app
        .post_json(
            &format!("/api/v1/job-classes/{id}/sessions"),
            &json!({"session_no": 2, "held_on": "2025-03-09", "place_code": "31.71.02"}),
        )
        .await;
    assert_eq!(late.error_code(), "outside_class_dates");
    let a = enrol(&app, 1, GAMBIR).await;
    let b = enrol(&app, 2, GAMBIR).await;
    let c = enrol(&app, 3, GAMBIR).await;
    for no in [&a, &b] {
        let res = app
            .post_json(
                &format!("/api/v1/job-classes/{id}/trainees"),
                &json!({"enrolment_no": no}),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    }
    let full = app
        .post_json(
            &format!("/api/v1/job-classes/{id}/trainees"),
            &json!({"enrolment_no": c}),
        )
        .await;
    assert_eq!(full.error_code(), "class_full");
    // a attends all five sessions (sent twice: recorded once); b attends three.
    for session in 1..=5 {
        let who: Vec<&str> = if session <= 3 { vec![&a, &b] } else { vec![&a] };
        for _ in 0..2 {
            let res = app
                .post_json(
                    &format!("/api/v1/job-classes/{id}/attendance"),
                    &json!({"session_no": session, "enrolment_nos": who}),
                )
                .await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        }
    }
    let early = app
        .post_json(
            &format!("/api/v1/job-classes/{id}/assessments"),
            &json!({"enrolment_no": a, "competent": true, "assessed_on": "2025-03-04"}),
        )
        .await;
    assert_eq!(early.error_code(), "class_not_ended");
    let short = app
        .post_json(
            &format!("/api/v1/job-classes/{id}/assessments"),
            &json!({"enrolment_no": b, "competent": true, "assessed_on": "2025-03-05"}),
        )
        .await;
    assert_eq!(short.error_code(), "attendance_short", "{}", short.text());
    let ok = app
        .post_json(
            &format!("/api/v1/job-classes/{id}/assessments"),
            &json!({"enrolment_no": a, "competent": true, "assessed_on": "2025-03-05"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let shown = ok.json();
    let trainee = shown["trainees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["enrolment_no"] == json!(a))
        .unwrap()
        .clone();
    assert_eq!(
        (trainee["attended"].clone(), trainee["assessment"].clone()),
        (json!(5), json!("competent"))
    );
    let detail = app.get(&format!("/api/v1/enrolments/{a}")).await.json();
    let attended: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "class_attended")
        .map(|e| e["place_code"].as_str().unwrap())
        .collect();
    assert_eq!(attended, places, "each session where the unit was");
    assert_eq!(detail["stages"][1]["stage"], "K2");
    let report = app
        .get("/api/v1/stats/placement?as_of=2025-12-31")
        .await
        .json();
    assert_eq!(report["trainees"], 1, "{report}");
}

/// Every step from the command line: enrol, a centre, a class with its session,
/// attendance and assessment, certification, a job fair's vacancy, application and hire,
/// the placement report; a wrong value is one line on standard error and a non-zero exit.
async fn the_department_works_from_the_command_line(app: TestApp) {
    let run = |args: &[&str]| {
        let out = super::auth::cli(&app, args, "");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).trim().to_owned(),
            String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        )
    };
    let t = trainee(4, GAMBIR);
    let s = |k: &str| t[k].as_str().unwrap().to_owned();
    let (ok, no, err) = run(&[
        "programme",
        "enrol",
        "--nik",
        &s("nik"),
        "--full-name",
        &s("full_name"),
        "--birth-date",
        &s("birth_date"),
        "--sex",
        &s("sex"),
        "--address",
        &s("address"),
        "--village-code",
        GAMBIR,
        "--registered-on",
        "2025-01-06",
        "--consent",
    ]);
    assert!(ok, "{err}");
    assert!(no.starts_with("PK-3171-"), "{no}");
    let (ok, _, err) = run(&[
        "programme",
        "centre",
        "add",
        "--code",
        "ppkd-jp",
        "--name",
        "PPKD Jakarta Pusat",
        "--district",
        "31.71",
        "--address",
        "Jl. Pelatihan 1",
        "--capacity",
        "40",
    ]);
    assert!(!ok && err.contains("district_code"), "{err}");
    let (ok, _, err) = run(&[
        "programme",
        "centre",
        "add",
        "--code",
        "ppkd-jp",
        "--name",
        "PPKD Jakarta Pusat",
        "--district",
        "31.71.01",
        "--address",
        "Jl. Pelatihan 1",
        "--capacity",
        "40",
    ]);
    assert!(ok, "{err}");
    let (ok, class, err) = run(&[
        "programme",
        "class",
        "add",
        "--centre",
        "PPKD-JP",
        "--title",
        "Menjahit dasar",
        "--starts-on",
        "2025-02-01",
        "--ends-on",
        "2025-02-01",
        "--sessions",
        "1",
        "--capacity",
        "10",
    ]);
    assert!(ok, "{err}");
    for args in [
        vec![
            "programme",
            "class",
            "session",
            &class,
            "--session",
            "1",
            "--on",
            "2025-02-01",
        ],
        vec!["programme", "class", "enrol", &class, &no],
        vec![
            "programme",
            "class",
            "attend",
            &class,
            "--session",
            "1",
            &no,
        ],
        vec![
            "programme",
            "class",
            "assess",
            &class,
            &no,
            "--competent",
            "--on",
            "2025-02-01",
        ],
        vec![
            "programme",
            "record",
            &no,
            "--kind",
            "certified",
            "--on",
            "2025-02-03",
            "--reference",
            "SERT-1",
        ],
    ] {
        let (ok, _, err) = run(&args);
        assert!(ok, "{args:?}: {err}");
    }
    let (ok, fair, err) = run(&[
        "programme",
        "fair",
        "add",
        "--title",
        "Bursa Kerja Jakarta Pusat",
        "--city",
        "31.71",
        "--held-on",
        "2025-03-01",
        "--place",
        "GOR Gambir",
    ]);
    assert!(ok, "{err}");
    let (ok, vacancy, err) = run(&[
        "programme",
        "fair",
        "vacancy",
        &fair,
        "--employer",
        "PT Jahit Rapi",
        "--position",
        "Penjahit",
        "--openings",
        "3",
    ]);
    assert!(ok, "{err}");
    let (ok, application, err) = run(&[
        "programme",
        "fair",
        "apply",
        &fair,
        "--vacancy",
        &vacancy,
        &no,
    ]);
    assert!(ok, "{err}");
    let (ok, _, err) = run(&[
        "programme",
        "fair",
        "decide",
        &application,
        "--decision",
        "diterima",
    ]);
    assert!(!ok && err.contains("hired or rejected"), "{err}");
    let (ok, out, err) = run(&[
        "programme",
        "fair",
        "decide",
        &application,
        "--decision",
        "hired",
        "--on",
        "2025-03-02",
        "--wage-band",
        "min_to_1_5",
    ]);
    assert!(ok && out.ends_with("hired"), "{out} {err}");
    let (ok, out, _) = run(&["programme", "placement", "--as-of", "2025-12-31"]);
    assert!(ok && out.contains("1 of 1 trainees placed"), "{out}");
    let (ok, out, _) = run(&["programme", "show", &no]);
    assert!(
        ok && out.contains("placed_hired") && out.contains("PT Jahit Rapi"),
        "{out}"
    );
    let (ok, out, _) = run(&["programme", "fair", "list"]);
    assert!(ok && out.contains("1 hired"), "{out}");
    let (ok, out, _) = run(&["programme", "centre", "list"]);
    assert!(ok && out.contains("PPKD-JP"), "{out}");
}
