//! The curated catalogue through the API as its users call it: a member's product and
//! photos, the curation chain with every refusal, the certificate and its P3/P5 events,
//! listing with its requirements, the public catalogue, and fair allocation replayed.

use axum::http::StatusCode;
use jakpreneur_testkit::{TINY_PNG, TestApp, member_in};
use serde_json::json;

on_both_backends!(
    chain_certificate_and_listing,
    photos_checked_by_content,
    fair_allocation_replays,
    exif_is_gone,
    expired_certificate_suspends
);

const GAMBIR: &str = "31.71.01.1001";
const SETIABUDI: &str = "31.74.02.1001";

async fn member(app: &TestApp, serial: u32, village: &str) -> String {
    let res = app
        .post_json("/api/v1/members", &member_in(serial, village))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()["member_no"].as_str().unwrap().to_owned()
}

async fn product(app: &TestApp, no: &str) -> i64 {
    let res = app
        .post_json(
            &format!("/api/v1/members/{no}/products"),
            &json!({"name": "Keripik Tempe Pedas", "category": "snacks", "unit": "bungkus 200 g",
                    "price": "15.000", "description": "Renyah, tanpa pengawet", "tkdn_percent": 80}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()["id"].as_i64().unwrap()
}

async fn issue_permit(app: &TestApp, no: &str, kind: &str, number: &str) {
    let res = app
        .post_json(
            &format!("/api/v1/members/{no}/permits"),
            &json!({"type": kind, "applied_on": "2026-11-01"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let id = res.json()["id"].as_i64().unwrap();
    let res = app
        .post_json(
            &format!("/api/v1/members/{no}/permits/{id}/decision"),
            &json!({"decision": "issue", "number": number, "issued_on": "2026-11-05"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

async fn chain_certificate_and_listing(app: TestApp) {
    let no = member(&app, 1, GAMBIR).await;
    let mentor = app.user("mentor1", "mentor", Some("31.71.01")).await;
    let other_mentor = app.user("mentor2", "mentor", Some("31.71.01")).await;
    let district = app
        .user("gambir", "district_officer", Some("31.71.01"))
        .await;
    let city = app.user("jakpus", "city_officer", Some("31.71")).await;
    let own_curator = app.user("kurator1", "curator", Some("31.71")).await;
    let curator = app.user("kurator2", "curator", Some("31.74")).await;
    let res = app
        .post_json(
            &format!("/api/v1/members/{no}/mentor"),
            &json!({"mentor": "mentor1"}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text());
    let id = product(&app, &no).await;

    // A call that closed, one not yet open, and one open for snacks in Central Jakarta.
    let call = |title: &str, opens: &str, closes: &str, cats: serde_json::Value| json!({"title": title, "opens_on": opens, "closes_on": closes, "categories": cats, "region": "31.71", "places": 2});
    let closed = app
        .as_(&city)
        .post_json(
            "/api/v1/curation-calls",
            &call("Kurasi lama 2026", "2026-10-01", "2026-10-31", json!([])),
        )
        .await;
    let later = app
        .as_(&city)
        .post_json(
            "/api/v1/curation-calls",
            &call("Kurasi Desember", "2026-12-10", "2026-12-20", json!([])),
        )
        .await;
    let crafts = app
        .as_(&city)
        .post_json(
            "/api/v1/curation-calls",
            &call(
                "Kurasi kerajinan",
                "2026-11-01",
                "2026-11-30",
                json!(["crafts"]),
            ),
        )
        .await;
    let open = app
        .as_(&city)
        .post_json(
            "/api/v1/curation-calls",
            &call(
                "Kurasi makanan ringan",
                "2026-11-01",
                "2026-11-30",
                json!(["snacks"]),
            ),
        )
        .await;
    assert_eq!(open.status, StatusCode::CREATED, "{}", open.text());
    let south = app.as_(&city).post_json("/api/v1/curation-calls", &json!({"title": "Kurasi Jakarta Selatan", "opens_on": "2026-11-01", "closes_on": "2026-11-30", "region": "31.74", "places": 5})).await;
    assert_eq!(
        south.status,
        StatusCode::FORBIDDEN,
        "a city officer opens calls only in its city"
    );
    let cid = |r: &jakpreneur_testkit::TestResponse| r.json()["id"].as_i64().unwrap();
    let submit = |call: i64| {
        let url = format!("/api/v1/curation-calls/{call}/submissions");
        let app = &app;
        async move { app.post_json(&url, &json!({"product_id": id})).await }
    };

    // No photo yet: refused; then the window, category and region rules.
    assert_eq!(submit(cid(&open)).await.error_code(), "photo_required");
    let up = app
        .upload(
            &format!("/api/v1/products/{id}/photos"),
            "photo",
            "keripik.jpg",
            "image/jpeg",
            TINY_PNG,
        )
        .await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.text());
    assert_eq!(submit(cid(&closed)).await.error_code(), "call_closed");
    assert_eq!(submit(cid(&later)).await.error_code(), "call_not_open");
    assert_eq!(
        submit(cid(&crafts)).await.error_code(),
        "category_not_in_call"
    );
    let s = submit(cid(&open)).await;
    assert_eq!(s.status, StatusCode::CREATED, "{}", s.text());
    assert_eq!(submit(cid(&open)).await.error_code(), "already_submitted");
    let sid = s.json()["id"].as_i64().unwrap();
    let step = |who: &jakpreneur_testkit::Creds, action: &str, body: serde_json::Value| {
        let url = format!("/api/v1/curation-submissions/{sid}/{action}");
        let c = app.as_(who);
        async move { c.post_json(&url, &body).await }
    };

    // Wrong actors and wrong order.
    assert_eq!(
        step(&other_mentor, "verify", json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        step(&district, "verify", json!({})).await.status,
        StatusCode::FORBIDDEN,
        "the member has a mentor"
    );
    assert_eq!(
        step(&district, "validate", json!({})).await.error_code(),
        "submission_state"
    );
    assert_eq!(
        step(&curator, "grade", json!({})).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Verify, then the district returns it with a reason; the member fixes and resubmits.
    assert!(
        step(&mentor, "verify", json!({"note": "foto jelas"}))
            .await
            .status
            .is_success()
    );
    assert_eq!(
        step(&district, "return", json!({})).await.error_code(),
        "required"
    );
    let r = step(&district, "return", json!({"note": "label PIRT belum ada"})).await;
    assert_eq!(r.json()["state"], "returned", "{}", r.text());
    assert_eq!(
        step(&mentor, "verify", json!({})).await.error_code(),
        "submission_state"
    );
    assert!(
        step(&app.admin, "resubmit", json!({"note": "label ditambah"}))
            .await
            .status
            .is_success()
    );
    assert!(step(&mentor, "verify", json!({})).await.status.is_success());
    assert!(
        step(&district, "validate", json!({}))
            .await
            .status
            .is_success()
    );
    assert_eq!(
        step(&district, "forward", json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(step(&city, "forward", json!({})).await.status.is_success());
    let grade = json!({"grade": "A", "taste": 5, "packaging": 4, "hygiene": 5, "halal": 4, "photos": 4, "note": "Rasa konsisten"});
    let conflict = step(&own_curator, "grade", grade.clone()).await;
    assert_eq!(
        conflict.status,
        StatusCode::FORBIDDEN,
        "conflict of interest: {}",
        conflict.text()
    );
    let bad = step(&curator, "grade", json!({"grade": "D", "taste": 9})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let g = step(&curator, "grade", grade).await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.text());
    let g = g.json();
    assert_eq!(g["grade"], "A");
    assert_eq!(g["certificate_no"], format!("KUR/2026/{sid:06}"));
    assert_eq!(g["valid_until"], "2028-11-22");
    assert_eq!(g["steps"].as_array().unwrap().len(), 8);
    // The pass wrote the member's P3 and P5 events.
    let kinds = jakpreneur_testkit::event_kinds(&app.events(&no).await);
    assert!(
        kinds.contains(&"curation_assisted".to_owned())
            && kinds.contains(&"product_curated".to_owned()),
        "{kinds:?}"
    );

    // Listing needs NIB, NPWP and a bank account: each missing one is named.
    let list = app
        .post_json(&format!("/api/v1/products/{id}/listing"), &json!({}))
        .await;
    assert_eq!(list.status, StatusCode::UNPROCESSABLE_ENTITY);
    let codes: Vec<String> = list.json()["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes, ["no_nib", "no_npwp", "no_bank_account"]);
    issue_permit(&app, &no, "nib", "9120001234567").await;
    issue_permit(&app, &no, "npwp", "012345678901234").await;
    let bank = app.put_json(&format!("/api/v1/members/{no}/bank-account"), &json!({"bank": "Bank DKI", "account_name": "Siti Rahma", "account_no": "1234 5678 90"})).await;
    assert_eq!(
        bank.json()["account_no_masked"],
        "••••••7890",
        "{}",
        bank.text()
    );
    assert!(!bank.text().contains("1234567890"));
    let list = app
        .post_json(&format!("/api/v1/products/{id}/listing"), &json!({}))
        .await;
    assert_eq!(list.json()["listing_state"], "listed", "{}", list.text());
    assert!(
        jakpreneur_testkit::event_kinds(&app.events(&no).await)
            .contains(&"catalogue_listing".to_owned())
    );

    // The public finds it by a word in any case and by the start of a word, with filters,
    // and sees no personal data.
    for q in [
        "/api/v1/catalogue?q=KERIPIK",
        "/api/v1/catalogue?q=kerip&category=snacks&tkdn_min=50",
        "/api/v1/catalogue?q=tempe&district=31.71.01&grade=A",
    ] {
        let found = app.as_(&jakpreneur_testkit::Creds::default()).get(q).await;
        assert_eq!(found.json()["total"], 1, "{q}: {}", found.text());
        let text = found.text();
        assert!(
            !text.contains("Siti") && !text.contains("nik") && !text.contains("phone"),
            "{text}"
        );
    }
    assert_eq!(
        app.get("/api/v1/catalogue?q=batik").await.json()["total"],
        0
    );
    assert_eq!(
        app.get("/api/v1/catalogue?grade=Z").await.error_code(),
        "grade_invalid"
    );

    // Price and stock do not suspend the listing; a new name does, until curated again.
    let res = app
        .patch_json(
            &format!("/api/v1/products/{id}"),
            &json!({"price": 17000, "stock": 40}),
            None,
        )
        .await;
    assert_eq!(res.json()["listing_state"], "listed", "{}", res.text());
    let res = app
        .patch_json(
            &format!("/api/v1/products/{id}"),
            &json!({"name": "Keripik Tempe Balado"}),
            None,
        )
        .await;
    assert_eq!(res.json()["listing_state"], "suspended", "{}", res.text());
    assert_eq!(
        app.get("/api/v1/catalogue?q=keripik").await.json()["total"],
        0
    );
    let prices = app
        .get(&format!("/api/v1/products/{id}/prices"))
        .await
        .json();
    assert_eq!(prices["items"].as_array().unwrap().len(), 2);

    // Outside the region: a South Jakarta officer cannot read or change it.
    let south_officer = app
        .user("setiabudi", "district_officer", Some("31.74.02"))
        .await;
    assert_eq!(
        app.as_(&south_officer)
            .get(&format!("/api/v1/products/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let far = member(&app, 2, SETIABUDI).await;
    let far_product = product(&app, &far).await;
    assert_eq!(
        app.upload(
            &format!("/api/v1/products/{far_product}/photos"),
            "photo",
            "a.png",
            "image/png",
            TINY_PNG
        )
        .await
        .status,
        StatusCode::CREATED
    );
    assert_eq!(
        app.post_json(
            &format!("/api/v1/curation-calls/{}/submissions", cid(&open)),
            &json!({"product_id": far_product})
        )
        .await
        .error_code(),
        "member_outside_call_region"
    );
}

async fn photos_checked_by_content(app: TestApp) {
    let no = member(&app, 3, GAMBIR).await;
    let id = product(&app, &no).await;
    let url = format!("/api/v1/products/{id}/photos");
    // A PNG named .jpg is stored as the PNG it is.
    let up = app
        .upload(&url, "photo", "foto.jpg", "image/jpeg", TINY_PNG)
        .await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.text());
    assert_eq!(up.json()["photos"][0]["format"], "png");
    // A text file named .jpg, and a cut-off image, are refused naming the field.
    let text = app
        .upload(
            &url,
            "photo",
            "foto.jpg",
            "image/jpeg",
            b"bukan gambar, hanya teks",
        )
        .await;
    assert_eq!(
        (text.status, text.error_code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "photo_type".to_owned())
    );
    assert_eq!(text.error().1.as_deref(), Some("photo"));
    let cut = app
        .upload(&url, "photo", "foto.png", "image/png", &TINY_PNG[..40])
        .await;
    assert_eq!(cut.error_code(), "photo_corrupt");
    // Nothing half-stored: still one photo.
    let p = app.get(&format!("/api/v1/products/{id}")).await.json();
    assert_eq!(p["photos"].as_array().unwrap().len(), 1);
    // The stored file is served and carries no metadata chunk (re-encoded from pixels).
    let url = p["photo_urls"][0].as_str().unwrap().to_owned();
    let file = app.get(&url).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.header("content-type").as_deref(), Some("image/png"));
    assert_eq!(
        app.get("/media/../../etc/passwd").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn fair_allocation_replays(app: TestApp) {
    let m = app
        .post_json("/api/v1/market-events", &json!({"kind": "bazaar", "name": "Bazar Balai Kota", "place_code": "31.71.01", "starts_on": "2026-11-20", "ends_on": "2026-11-22"}))
        .await;
    let mid = m.json()["items"][0]["id"].as_i64().unwrap();
    let mut nos = Vec::new();
    for k in 0..5 {
        let no = member(&app, 10 + k, GAMBIR).await;
        let res = app
            .post_json(
                &format!("/api/v1/market-events/{mid}/applications"),
                &json!({"member_no": no}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        nos.push(no);
    }
    let again = app
        .post_json(
            &format!("/api/v1/market-events/{mid}/applications"),
            &json!({"member_no": nos[0]}),
        )
        .await;
    assert_eq!(again.error_code(), "already_applied");
    let a = app
        .post_json(
            &format!("/api/v1/market-events/{mid}/allocation"),
            &json!({"booths": 2, "seed": "bazar-2026-11"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let a = a.json();
    let apps = a["applications"].as_array().unwrap();
    // Replay: nobody has a grade or earlier places, so the order is the published draw.
    let mut expected: Vec<(String, String)> = nos
        .iter()
        .map(|n| (jakpreneur_core::fair::draw("bazar-2026-11", n), n.clone()))
        .collect();
    expected.sort();
    let got: Vec<&str> = apps
        .iter()
        .map(|x| x["member_no"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = expected.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(got, want);
    assert_eq!(apps.iter().filter(|x| x["won"] == true).count(), 2);
    // Winners took part (their P5 event); a second allocation is refused.
    assert!(
        jakpreneur_testkit::event_kinds(&app.events(want[0]).await).contains(&"bazaar".to_owned())
    );
    assert!(
        !jakpreneur_testkit::event_kinds(&app.events(want[4]).await).contains(&"bazaar".to_owned())
    );
    let twice = app
        .post_json(
            &format!("/api/v1/market-events/{mid}/allocation"),
            &json!({"booths": 2, "seed": "lain"}),
        )
        .await;
    assert_eq!(twice.error_code(), "already_allocated");
}

/// A JPEG whose APP1 segment carries EXIF with a GPS position and a visible marker.
fn jpeg_with_gps() -> Vec<u8> {
    use image::{DynamicImage, ImageBuffer, Rgb};
    let img = ImageBuffer::from_fn(24, 16, |x, y| Rgb([(x * 10) as u8, (y * 15) as u8, 90]));
    let mut plain = std::io::Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img)
        .write_to(&mut plain, image::ImageFormat::Jpeg)
        .unwrap();
    let plain = plain.into_inner();
    // TIFF (little-endian): IFD0 with one entry, GPSInfo → a GPS IFD with GPSLatitudeRef.
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(0x8825u16.to_le_bytes());
    tiff.extend(4u16.to_le_bytes());
    tiff.extend(1u32.to_le_bytes());
    tiff.extend(26u32.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(2u32.to_le_bytes());
    tiff.extend(b"S\0\0\0");
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(b"GPS-JAKARTA-6.1754S-106.8272E");
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(&tiff);
    let len = u16::try_from(app1.len() + 2).unwrap();
    let mut out = plain[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(len.to_be_bytes());
    out.extend(app1);
    out.extend(&plain[2..]);
    out
}

async fn exif_is_gone(app: TestApp) {
    let no = member(&app, 4, GAMBIR).await;
    let id = product(&app, &no).await;
    let photo = jpeg_with_gps();
    assert!(photo.windows(4).any(|w| w == b"Exif"));
    let up = app
        .upload(
            &format!("/api/v1/products/{id}/photos"),
            "photo",
            "kamera.jpg",
            "image/jpeg",
            &photo,
        )
        .await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.text());
    let url = up.json()["photo_urls"][0].as_str().unwrap().to_owned();
    let stored = app.get(&url).await.body;
    assert_eq!(&stored[..2], [0xFF, 0xD8], "still a JPEG");
    assert!(
        !stored.windows(4).any(|w| w == b"Exif"),
        "EXIF left in the stored file"
    );
    assert!(
        !stored.windows(11).any(|w| w == b"GPS-JAKARTA"),
        "the position left in the stored file"
    );
    let thumb = app.get(&url.replace(".jpeg", ".thumb.jpeg")).await;
    assert_eq!(thumb.status, StatusCode::OK);
    assert!(!thumb.body.windows(4).any(|w| w == b"Exif"));
}

/// A certificate graded in January 2024 expired in January 2026: the product cannot be
/// listed on its strength, and a listing made while it was valid is suspended.
async fn expired_certificate_suspends(app: TestApp) {
    use chrono::NaiveDate;
    use jakpreneur_core::curation::{Action, CallDraft, GradeDraft, Grading, NewCall};
    use jakpreneur_core::{Actor, Role};
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let no = app.register_on(5, GAMBIR, "2023-06-01").await;
    let id = product(&app, &no).await;
    app.upload(
        &format!("/api/v1/products/{id}/photos"),
        "photo",
        "a.png",
        "image/png",
        TINY_PNG,
    )
    .await;
    issue_permit(&app, &no, "nib", "9120001234567").await;
    issue_permit(&app, &no, "npwp", "012345678901234").await;
    app.put_json(
        &format!("/api/v1/members/{no}/bank-account"),
        &json!({"bank": "Bank DKI", "account_name": "Toko", "account_no": "1234567890"}),
    )
    .await;
    let sys = Actor::system("test");
    let call = NewCall::parse(&CallDraft {
        title: Some("Kurasi Januari 2024".into()),
        opens_on: Some("2024-01-01".into()),
        closes_on: Some("2024-01-31".into()),
        places: Some("10".into()),
        ..Default::default()
    })
    .unwrap();
    let call = app
        .store
        .create_call(&sys, &call, day("2024-01-02"))
        .await
        .unwrap();
    let s = app
        .store
        .submit_to_call(&sys, call.id, id, day("2024-01-05"))
        .await
        .unwrap();
    let as_ = |role, region: &str| Actor::for_account(0, "demo", role, Some(region), None, None);
    let district = as_(Role::DistrictOfficer, "31.71.01");
    for (who, action, on) in [
        (&district, Action::Verify, "2024-01-06"),
        (&district, Action::Validate, "2024-01-07"),
        (
            &as_(Role::CityOfficer, "31.71"),
            Action::Forward,
            "2024-01-08",
        ),
    ] {
        app.store
            .curation_step(who, s.id, action, "", None, day(on))
            .await
            .unwrap();
    }
    let g = Grading::parse(&GradeDraft {
        grade: Some("B".into()),
        taste: Some("4".into()),
        packaging: Some("4".into()),
        hygiene: Some("4".into()),
        halal: Some("4".into()),
        photos: Some("4".into()),
        note: Some("Layak jual".into()),
    })
    .unwrap();
    let graded = app
        .store
        .curation_step(
            &as_(Role::Curator, "31.74"),
            s.id,
            Action::Grade,
            "",
            Some(&g),
            day("2024-01-10"),
        )
        .await
        .unwrap();
    assert_eq!(graded.valid_until, Some(day("2026-01-09")));
    // Listed while valid…
    app.store
        .list_product(&sys, id, day("2024-02-01"))
        .await
        .unwrap();
    // …and today (2026-11-23) suspended, out of the public catalogue, not listable again.
    let p = app.get(&format!("/api/v1/products/{id}")).await.json();
    assert_eq!(p["listing_state"], "suspended");
    assert_eq!(
        app.get("/api/v1/catalogue?q=keripik").await.json()["total"],
        0
    );
    assert_eq!(
        app.get(&format!("/api/v1/catalogue/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    app.delete(&format!("/api/v1/products/{id}/listing")).await;
    let again = app
        .post_json(&format!("/api/v1/products/{id}/listing"), &json!({}))
        .await;
    assert_eq!(again.error_code(), "not_curated", "{}", again.text());
}
