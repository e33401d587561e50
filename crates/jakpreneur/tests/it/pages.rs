//! The HTML pages, used as a browser without JavaScript would: forms post, links get.

use axum::http::StatusCode;
use jakpreneur_testkit::{TestApp, member};

on_both_backends!(
    registration_form_keeps_values_and_shows_errors,
    member_list_and_page,
    language_switch,
    home_lists_what_waits_for_each_role_in_its_scope,
    search_finds_a_member_by_number_and_phone_in_scope,
    the_header_search_takes_numbers_names_and_niks,
    lists_count_sort_and_export_what_the_reader_may_see,
    an_officer_corrects_and_withdraws_a_member_without_overwriting_a_colleague,
    the_administrator_manages_staff_accounts_in_the_pages,
    pickers_offer_names_within_the_readers_region,
    a_member_creates_its_own_account_with_a_code_sent_by_e_mail,
    the_privacy_notice_the_consent_cites_exists,
);

fn pairs(v: &serde_json::Value) -> Vec<(String, String)> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| match v.as_bool() {
            // The consent checkbox sends "yes" when ticked.
            Some(b) => (k.clone(), if b { "yes".into() } else { String::new() }),
            None => (k.clone(), v.as_str().unwrap_or_default().to_owned()),
        })
        .collect()
}

async fn registration_form_keeps_values_and_shows_errors(app: TestApp) {
    let form = app.get("/members/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let html = form.text();
    assert!(
        html.contains("<form") && html.contains("name=\"nik\"") && html.contains("31.71.01.1001")
    );
    assert!(!html.contains("<script"), "works without JavaScript");

    let mut m = member(1);
    m["phone"] = serde_json::json!("12345");
    m["business_name"] = serde_json::json!("Warung <Sate> & Co");
    let p = pairs(&m);
    let refs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = app.post_form("/members", &refs).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text();
    assert!(
        html.contains("Bukan nomor telepon Indonesia"),
        "inline error in Indonesian"
    );
    assert!(
        html.contains("Warung &#60;Sate&#62; &#38; Co")
            || html.contains("Warung &lt;Sate&gt; &amp; Co"),
        "values kept, escaped"
    );
    assert!(
        html.contains(m["nik"].as_str().unwrap()),
        "the NIK typed is kept in the form"
    );
    assert_eq!(app.count().await, 0);

    m["phone"] = serde_json::json!("0812 1111 2222");
    let p = pairs(&m);
    let refs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = app.post_form("/members", &refs).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let location = res.header("location").unwrap();
    assert!(location.starts_with("/members/JP-"), "{location}");
    let page = app.get(&location).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Anggota berhasil didaftarkan"));

    // The same NIK again: refused on the form, with a link to the member on file.
    let res = app.post_form("/members", &refs).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(
        res.text().contains(
            location
                .trim_start_matches("/members/")
                .split('?')
                .next()
                .unwrap()
        )
    );
    assert_eq!(app.count().await, 1);
}

async fn member_list_and_page(app: TestApp) {
    let empty = app.get("/members").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.text().contains("Tidak ada anggota"), "empty state");
    let m = app.register(2).await;
    let sent = member(2);
    let nik = sent["nik"].as_str().unwrap();
    let list = app.get("/members?region=31").await.text();
    assert!(list.contains(m["member_no"].as_str().unwrap()));
    assert!(!list.contains(nik));
    let page = app
        .get(&format!("/members/{}", m["member_no"].as_str().unwrap()))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains(&format!("{}**********{}", &nik[..4], &nik[14..])),
        "NIK masked on the page"
    );
    assert!(!html.contains(nik));
    let bad = app.get("/members?limit=9999").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("1–500"));
    let missing = app.get("/members/JP-0000-0000000").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text().contains("Anggota tidak ditemukan"));
    for i in 3..8 {
        app.register(i).await;
    }
    let first = app.get("/members?limit=2").await.text();
    assert!(first.contains("rel=\"next\""), "a next-page link");
}

async fn language_switch(app: TestApp) {
    let id = app.get("/members/new").await;
    assert!(id.text().contains("Pendaftaran anggota"));
    assert!(id.text().contains("lang=\"id\""));
    let en = app.get("/members/new?lang=en").await;
    assert!(en.text().contains("Member registration"));
    assert!(en.header("set-cookie").unwrap().starts_with("lang=en"));
    let remembered = app
        .request(
            axum::http::Method::GET,
            "/members",
            &[("cookie", "lang=en")],
            vec![],
        )
        .await;
    assert!(remembered.text().contains("No member matches"));
    assert_eq!(app.get("/").await.status, StatusCode::OK);
    let css = app.get("/static/app.css").await;
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
}

/// The number before a task's label on the home page, if the task is listed.
fn task_count(html: &str, label: &str) -> Option<String> {
    let at = html.find(&format!(r#"<span class="task-label">{label}</span>"#))?;
    let before = &html[..at];
    let start =
        before.rfind(r#"<span class="task-count">"#)? + r#"<span class="task-count">"#.len();
    let end = start + before[start..].find("</span>")?;
    Some(before[start..end].to_owned())
}

/// Each signed-in role's home page lists what waits for it, counted within its scope:
/// the Gambir officer counts Gambir's new members only, a Menteng officer Menteng's; a
/// trainer sees no registrations; the public sees no list.
async fn home_lists_what_waits_for_each_role_in_its_scope(app: TestApp) {
    app.register_on(1, "31.71.01.1001", "2026-11-20").await;
    app.register_on(2, "31.71.01.1002", "2026-11-22").await;
    app.register_on(3, "31.71.01.1001", "2026-10-01").await;
    let menteng = app.register_on(4, "31.71.06.1001", "2026-11-21").await;
    let label = "pendaftar baru dalam 7 hari terakhir";
    let gambir = app
        .user("gambir", "district_officer", Some("31.71.01"))
        .await;
    let home = app.as_(&gambir).get("/").await.text();
    assert_eq!(task_count(&home, label).as_deref(), Some("2"), "{home}");
    assert!(
        home.contains(r#"href="/members?registered_from=2026-11-17""#),
        "{home}"
    );
    assert!(task_count(&home, "tindak lanjut pendampingan lewat tenggat").is_some());
    // Its own district's figures: three members registered there.
    assert!(
        home.contains("Anggota yang mencapai setiap fasilitas di Gambir")
            && home.contains("<dt>P1 Pendaftaran</dt><dd>3</dd>"),
        "{home}"
    );
    let other = app
        .user("menteng", "district_officer", Some("31.71.06"))
        .await;
    let home = app.as_(&other).get("/").await.text();
    assert_eq!(
        task_count(&home, label).as_deref(),
        Some("1"),
        "{menteng}: {home}"
    );
    assert!(home.contains("<dt>P1 Pendaftaran</dt><dd>1</dd>"), "{home}");
    let trainer = app.user("pelatih", "trainer", Some("31.74")).await;
    let home = app.as_(&trainer).get("/").await.text();
    assert_eq!(task_count(&home, label), None, "a trainer registers no one");
    assert!(task_count(&home, "kelas dimulai dalam 7 hari").is_some());
    let public = app.anonymous().get("/").await.text();
    assert!(!public.contains("task-count") && !public.contains("region-figures"));
}

/// The members search finds a member by its number and by its phone as people write it,
/// only within the reader's scope; any other text searches names.
async fn search_finds_a_member_by_number_and_phone_in_scope(app: TestApp) {
    let no = app.register_on(1, "31.71.01.1001", "2026-11-20").await;
    let elsewhere = app.register_on(2, "31.71.06.1001", "2026-11-20").await;
    let m = app.get(&format!("/api/v1/members/{no}")).await.json();
    let phone = m["phone"].as_str().unwrap().to_owned();
    assert!(phone.starts_with("+62"), "{phone}");
    let local = format!("0{}", &phone[3..]);
    let spaced = format!("{} {} {}", &local[..4], &local[4..8], &local[8..]);
    let gambir = app
        .user("gambir", "district_officer", Some("31.71.01"))
        .await;
    let found = |q: String| {
        let app = &app;
        let gambir = &gambir;
        async move {
            let url = format!(
                "/api/v1/members?q={}",
                form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
            );
            let v = app.as_(gambir).get(&url).await.json();
            v["items"]
                .as_array()
                .unwrap_or_else(|| panic!("{q}: {v}"))
                .iter()
                .map(|m| m["member_no"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found(no.clone()).await, vec![no.clone()]);
    assert_eq!(found(no.to_lowercase()).await, vec![no.clone()]);
    assert_eq!(found(phone.clone()).await, vec![no.clone()]);
    assert_eq!(found(spaced.clone()).await, vec![no.clone()]);
    assert!(
        found(elsewhere.clone()).await.is_empty(),
        "outside the district"
    );
    assert!(found("ñño".into()).await.is_empty());
    let page = app
        .as_(&gambir)
        .get(&format!(
            "/members?q={}",
            form_urlencoded::byte_serialize(spaced.as_bytes()).collect::<String>()
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains(&no), "{}", page.text());
    // By NIK: in a form, never in the address; found in scope, not outside; audited.
    let nik_of = |i: u32, village: &str| {
        jakpreneur_testkit::member_in(i, village)["nik"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (inside, outside) = (nik_of(1, "31.71.01.1001"), nik_of(2, "31.71.06.1001"));
    let res = app
        .as_(&gambir)
        .post_form("/members/find", &[("nik", inside.as_str())])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(
        res.headers.get("location").unwrap(),
        &format!("/members/{no}")
    );
    let res = app
        .as_(&gambir)
        .post_form("/members/find", &[("nik", outside.as_str())])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(
        res.text()
            .contains("Tidak ada anggota dengan NIK itu di wilayah Anda.")
    );
    let res = app
        .as_(&gambir)
        .post_form("/members/find", &[("nik", "3.17101E+15")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text().contains("NIK harus tepat 16 angka."),
        "{}",
        res.text()
    );
    let trainer = app.user("pelatih", "trainer", Some("31.71")).await;
    let res = app
        .as_(&trainer)
        .post_form("/members/find", &[("nik", inside.as_str())])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let audit = app
        .get("/api/v1/audit?action=member.find_by_nik&limit=50")
        .await
        .json();
    let found: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["record_id"].as_str().unwrap())
        .collect();
    assert!(
        found.contains(&no.as_str()) && found.contains(&"-"),
        "{audit}"
    );
    assert!(!audit.to_string().contains(&inside));
}

/// The header's search box posts: a member number or a name goes on to the list's search
/// (in the address), a NIK is looked up at once and never reaches an address.
async fn the_header_search_takes_numbers_names_and_niks(app: TestApp) {
    let no = app.register_on(1, "31.71.01.1001", "2026-11-20").await;
    let nik = jakpreneur_testkit::member_in(1, "31.71.01.1001")["nik"]
        .as_str()
        .unwrap()
        .to_owned();
    let gambir = app
        .user("gambir", "district_officer", Some("31.71.01"))
        .await;
    let home = app.as_(&gambir).get("/").await.text();
    assert!(
        home.contains("role=\"search\""),
        "the header has the search box"
    );
    let res = app
        .as_(&gambir)
        .post_form("/members/find", &[("q", no.as_str())])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.header("location").unwrap(), format!("/members?q={no}"));
    let res = app
        .as_(&gambir)
        .post_form("/members/find", &[("q", "Warung Bu")])
        .await;
    assert_eq!(res.header("location").unwrap(), "/members?q=Warung+Bu");
    let spaced = format!("{} {} {}", &nik[..6], &nik[6..12], &nik[12..]);
    let res = app
        .as_(&gambir)
        .post_form("/members/find", &[("q", spaced.as_str())])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(res.header("location").unwrap(), format!("/members/{no}"));
    // An Excel-mangled NIK is refused with the reason, not searched as a name.
    let res = app
        .as_(&gambir)
        .post_form("/members/find", &[("q", "3.17101E+15")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A trainer may search members by name but not by NIK.
    let trainer = app.user("pelatih", "trainer", Some("31.71")).await;
    let res = app
        .as_(&trainer)
        .post_form("/members/find", &[("q", nik.as_str())])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .as_(&trainer)
        .post_form("/members/find", &[("q", "")])
        .await;
    assert_eq!(res.header("location").unwrap(), "/members");
}

/// The members list says how many members its filter finds, sorts by business name, and
/// downloads the filtered list as CSV or XLSX: phones masked for a trainer, the download
/// audited, a cell that Excel would run as a formula defused.
async fn lists_count_sort_and_export_what_the_reader_may_see(app: TestApp) {
    let mut nos = Vec::new();
    for (i, business) in [
        (1, "Zebra Batik"),
        (2, "=HYPERLINK(\"x\")"),
        (3, "Apik Jahit"),
    ] {
        let mut m = jakpreneur_testkit::member_in(i, "31.71.01.1001");
        m["business_name"] = serde_json::json!(business);
        let res = app.post_json("/api/v1/members", &m).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        nos.push(res.json()["member_no"].as_str().unwrap().to_owned());
    }
    app.register_on(4, "31.74.01.1001", "2026-11-20").await;
    let gambir = app
        .user("gambir", "district_officer", Some("31.71.01"))
        .await;
    let page = app.as_(&gambir).get("/members?sort=business").await.text();
    assert!(
        page.contains("<strong>3</strong> anggota ditemukan"),
        "{page}"
    );
    let (apik, zebra) = (
        page.find("Apik Jahit").unwrap(),
        page.find("Zebra Batik").unwrap(),
    );
    assert!(apik < zebra, "A to Z");
    let two = app
        .as_(&gambir)
        .get("/members?sort=business&limit=2")
        .await
        .text();
    let next = regex::Regex::new(r#"href="(/members\?[^"]*after=\d+[^"]*)""#)
        .unwrap()
        .captures(&two)
        .map(|c| c[1].replace("&#38;", "&"))
        .expect("a next page");
    let rest = app.as_(&gambir).get(&next).await.text();
    assert!(
        rest.contains("Zebra Batik") && !rest.contains("Apik Jahit"),
        "{rest}"
    );
    // A count stops one past its cap: the header then says "more than".
    let everyone = jakpreneur_core::Actor::system("test");
    let all = jakpreneur_store::MemberFilter::default();
    assert_eq!(
        app.store
            .count_members_matching(&everyone, &all, 100)
            .await
            .unwrap(),
        4
    );
    assert_eq!(
        app.store
            .count_members_matching(&everyone, &all, 2)
            .await
            .unwrap(),
        3
    );
    let bad = app.as_(&gambir).get("/members?sort=price").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let csv_of = |res: &jakpreneur_testkit::TestResponse| {
        let mut r = csv::Reader::from_reader(res.body.as_slice());
        let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
        let rows: Vec<Vec<String>> = r
            .records()
            .map(|x| x.unwrap().iter().map(str::to_owned).collect())
            .collect();
        (header, rows)
    };
    let res = app
        .as_(&gambir)
        .post_form(
            "/members/export",
            &[("format", "csv"), ("sort", "business")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(res.header("content-disposition").unwrap().contains(".csv"));
    let (header, rows) = csv_of(&res);
    assert_eq!(rows.len(), 3, "only Gambir's members");
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    assert_eq!(rows[0][col("business_name")], "'=HYPERLINK(\"x\")");
    assert!(rows[0][col("phone")].starts_with("+62") && !rows[0][col("phone")].contains('*'));
    assert!(
        !header
            .iter()
            .any(|h| h == "nik" || h == "address" || h == "birth_date")
    );
    assert_eq!(rows[1][col("village")].split(' ').next(), Some("Kelurahan"));

    let trainer = app.user("pelatih", "trainer", Some("31.71")).await;
    let res = app
        .as_(&trainer)
        .post_form("/members/export", &[("format", "csv"), ("q", "Zebra")])
        .await;
    let (_, rows) = csv_of(&res);
    assert_eq!(rows.len(), 1);
    assert!(rows[0][col("phone")].contains("*****"), "{:?}", rows[0]);

    let res = app
        .as_(&gambir)
        .post_form("/members/export", &[("format", "xlsx")])
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.starts_with(b"PK"), "an XLSX is a zip");
    let res = app
        .as_(&gambir)
        .post_form("/members/export", &[("format", "pdf")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The services of the listed members, in the columns the import reads back: not the
    // registrations, not a voided service, nothing outside the officer's district.
    let mut ids = Vec::new();
    for (no, kind) in [
        (&nos[0], "bazaar"),
        (&nos[0], "exhibition"),
        (&nos[2], "outlet"),
    ] {
        let day = app.get(&format!("/api/v1/members/{no}")).await.json()["registered_on"]
            .as_str()
            .unwrap()
            .to_owned();
        let res = app
            .post_json(
                &format!("/api/v1/members/{no}/events"),
                &serde_json::json!({"kind": kind, "occurred_on": day, "agency": "PPKUKM"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        ids.push(res.json()["id"].as_i64().unwrap());
    }
    let res = app
        .post_json(
            &format!("/api/v1/members/{}/events/{}/void", nos[0], ids[1]),
            &serde_json::json!({"reason": "entered twice"}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text());
    let res = app
        .as_(&gambir)
        .post_form(
            "/members/export",
            &[("format", "csv"), ("what", "services")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(
        res.header("content-disposition")
            .unwrap()
            .contains("layanan-")
    );
    let (header, rows) = csv_of(&res);
    assert_eq!(
        header[..4],
        ["member_no", "facility", "kind", "occurred_on"]
    );
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[0].as_str(), r[2].as_str()))
        .collect();
    assert_eq!(
        got,
        [(nos[0].as_str(), "bazaar"), (nos[2].as_str(), "outlet")]
    );
    assert_eq!(rows[0][4], "PPKUKM");
    let res = app
        .as_(&gambir)
        .post_form(
            "/members/export",
            &[("format", "xlsx"), ("what", "services")],
        )
        .await;
    let book = jakpreneur_core::import::read_table("l.xlsx", &res.body).unwrap();
    assert_eq!(book.rows.len(), 2, "the same two services in the workbook");
    let res = app
        .as_(&gambir)
        .post_form(
            "/members/export",
            &[("format", "csv"), ("what", "everything")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .as_(&gambir)
        .post_form(
            "/members/export",
            &[("format", "csv"), ("registered_from", "kemarin")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);

    let audit = app
        .get("/api/v1/audit?action=member.export_list&limit=50")
        .await
        .json();
    let rows: Vec<i64> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let after: serde_json::Value =
                serde_json::from_str(e["after"].as_str().unwrap()).unwrap();
            after["rows"].as_i64().unwrap()
        })
        .collect();
    assert_eq!(rows.len(), 3, "{audit}");
    assert!(rows.contains(&3) && rows.contains(&1));
    let services = app
        .get("/api/v1/audit?action=ledger.export&limit=50")
        .await
        .json();
    assert_eq!(services["items"].as_array().unwrap().len(), 2, "{services}");
}

/// Two officers open the same member's correction form; the second save is stopped with
/// what it typed kept and the version now on file, and goes through when saved again.
/// Withdrawal asks for a reason and a ticked confirmation. The village picker offers only
/// the officer's own villages.
async fn an_officer_corrects_and_withdraws_a_member_without_overwriting_a_colleague(app: TestApp) {
    let no = app.register_on(1, "31.71.01.1001", "2026-11-20").await;
    let gambir = app
        .user("gambir", "district_officer", Some("31.71.01"))
        .await;
    let officer = app.as_(&gambir);
    let form = officer.get(&format!("/members/{no}/edit")).await;
    assert_eq!(form.status, StatusCode::OK);
    let html = form.text();
    assert!(html.contains("name=\"version\" value=\"1\""), "{html}");
    assert!(html.contains("value=\"31.71.01.1001\"") && !html.contains("31.74.01.1001"));
    assert!(
        !html.contains("name=\"consent\""),
        "no consent when correcting"
    );
    let mut fields: Vec<(String, String)> = regex::Regex::new(
        r#"<input id="([a-z_]+)" name="[a-z_]+"(?: type="[a-z]+")? value="([^"]*)""#,
    )
    .unwrap()
    .captures_iter(&html)
    .map(|c| (c[1].to_owned(), c[2].to_owned()))
    .collect();
    fields.extend([
        ("sex".to_owned(), "F".to_owned()),
        ("village_code".to_owned(), "31.71.01.1001".to_owned()),
        ("sector".to_owned(), "I".to_owned()),
        ("channel".to_owned(), "centre".to_owned()),
        ("address".to_owned(), "Jl. Kebon Kelapa 5".to_owned()),
        ("version".to_owned(), "1".to_owned()),
    ]);
    let with = |extra: &[(&str, &str)]| {
        let mut v = fields.clone();
        for (k, x) in extra {
            v.retain(|(f, _)| f != k);
            v.push(((*k).to_owned(), (*x).to_owned()));
        }
        v
    };
    let post = |v: Vec<(String, String)>| {
        let officer = &officer;
        let path = format!("/members/{no}/edit");
        async move {
            let pairs: Vec<(&str, &str)> =
                v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            officer.post_form(&path, &pairs).await
        }
    };
    let res = post(with(&[("phone", "0812-1111-2222")])).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let m = app.get(&format!("/api/v1/members/{no}")).await.json();
    assert_eq!(m["phone"], "+6281211112222");
    assert_eq!(m["version"], 2);
    // The audit page says it in a sentence, naming the field that changed.
    let audit = app
        .get(&format!("/admin/audit?record_type=member&record_id={no}"))
        .await
        .text();
    assert!(
        audit.contains(&format!("<strong>gambir</strong> mengubah data <a href=\"/members/{no}\">anggota {no}</a> <span class=\"changed\">(diubah: alamat, nomor telepon)</span>")),
        "{audit}"
    );
    // The colleague's form was read at version 1.
    let res = post(with(&[("business_name", "Batik Gambir Jaya")])).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let html = res.text();
    assert!(
        html.contains("diubah orang lain") && html.contains("versi 2"),
        "{html}"
    );
    assert!(
        html.contains("value=\"Batik Gambir Jaya\""),
        "what was typed is kept"
    );
    assert!(html.contains("name=\"version\" value=\"2\""));
    let res = post(with(&[
        ("business_name", "Batik Gambir Jaya"),
        ("version", "2"),
    ]))
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = post(with(&[("phone", "12"), ("version", "3")])).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("field-error"));
    let trainer = app.user("pelatih", "trainer", Some("31.71")).await;
    let res = app.as_(&trainer).get(&format!("/members/{no}/edit")).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    let page = officer.get(&format!("/members/{no}")).await.text();
    assert!(page.contains(&format!("action=\"/members/{no}/withdraw\"")));
    let res = officer
        .post_form(
            &format!("/members/{no}/withdraw"),
            &[("reason", "Pindah ke luar kota"), ("version", "3")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("Centang konfirmasi"), "{}", res.text());
    let res = officer
        .post_form(
            &format!("/members/{no}/withdraw"),
            &[
                ("reason", "Pindah ke luar kota"),
                ("version", "3"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let m = app.get(&format!("/api/v1/members/{no}")).await.json();
    assert_eq!(m["status"], "withdrawn");
    let page = officer
        .get(&format!("/members/{no}?withdrawn=1"))
        .await
        .text();
    assert!(page.contains("Mengundurkan diri"));
    assert!(!page.contains(&format!("action=\"/members/{no}/withdraw\"")));
}

/// The administrator creates a district officer, is told what is wrong with a bad form,
/// resets the password (the old one stops working), moves the account to another
/// district, disables and enables it; each change is audited. Nobody else may.
async fn the_administrator_manages_staff_accounts_in_the_pages(app: TestApp) {
    let page = app.get("/admin/users").await;
    assert_eq!(page.status, StatusCode::OK);
    let res = app
        .post_form(
            "/admin/users",
            &[
                ("username", "Kec Tebet!"),
                ("role", "district_officer"),
                ("region", "31.74"),
                ("password", "pendek"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text();
    // The username and the region (the password is checked against a valid username).
    assert_eq!(html.matches("class=\"field-error\"").count(), 2, "{html}");
    assert!(html.contains("Nama pengguna 3–40 karakter"));
    assert!(
        html.contains("value=\"Kec Tebet!\""),
        "what was typed is kept"
    );
    let res = app
        .post_form(
            "/admin/users",
            &[
                ("username", "kec.tebet"),
                ("role", "district_officer"),
                ("region", "31.74.01"),
                ("password", "kerak-telor-betawi-asli"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let list = app.get(&res.header("location").unwrap()).await.text();
    assert!(
        list.contains("Akun kec.tebet dibuat.") && list.contains("Kecamatan Tebet"),
        "{list}"
    );
    let login = |password: &'static str| {
        let app = &app;
        async move { crate::auth::login(app, "kec.tebet", password).await.status }
    };
    assert_eq!(
        login("kerak-telor-betawi-asli").await,
        StatusCode::SEE_OTHER
    );
    let res = app
        .post_form(
            "/admin/users/kec.tebet/password",
            &[("password", "soto-betawi-pakai-santan")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_ne!(
        login("kerak-telor-betawi-asli").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        login("soto-betawi-pakai-santan").await,
        StatusCode::SEE_OTHER
    );
    let res = app
        .post_form(
            "/admin/users/kec.tebet/role",
            &[("role", "district_officer"), ("region", "31.74")],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a city is not a district"
    );
    let res = app
        .post_form(
            "/admin/users/kec.tebet/role",
            &[("role", "city_officer"), ("region", "31.74")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = app.post_form("/admin/users/kec.tebet/disable", &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_ne!(
        login("soto-betawi-pakai-santan").await,
        StatusCode::SEE_OTHER
    );
    let res = app.post_form("/admin/users/kec.tebet/enable", &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        login("soto-betawi-pakai-santan").await,
        StatusCode::SEE_OTHER
    );
    let audit = app
        .get("/api/v1/audit?record_type=user&record_id=kec.tebet&limit=50")
        .await
        .json();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "user.reset_password",
        "user.role",
        "user.disable",
        "user.enable",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    let gambir = app
        .user("gambir", "district_officer", Some("31.71.01"))
        .await;
    assert_eq!(
        app.as_(&gambir).get("/admin/users").await.status,
        StatusCode::FORBIDDEN
    );
    let res = app
        .as_(&gambir)
        .post_form("/admin/users/kec.tebet/disable", &[])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

/// Places, trainers and mentors are chosen by name from what the reader's region holds,
/// not typed as codes or usernames.
async fn pickers_offer_names_within_the_readers_region(app: TestApp) {
    let no = app.register_on(1, "31.71.01.1001", "2026-11-20").await;
    app.user("pelatih.pusat", "trainer", Some("31.71")).await;
    app.user("pelatih.selatan", "trainer", Some("31.74")).await;
    app.user("pendamping.pusat", "mentor", Some("31.71")).await;
    app.user("pendamping.timur", "mentor", Some("31.75")).await;
    let gambir = app
        .user("gambir", "district_officer", Some("31.71.01"))
        .await;
    let res = app
        .post_json(
            "/api/v1/courses",
            &serde_json::json!({"title": "Pemasaran digital", "topic": "digital", "hours": 8, "facility": "P2"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let training = app.as_(&gambir).get("/training").await.text();
    assert!(
        training.contains(
            "<option value=\"31.71.01\">Kecamatan Gambir — Kota Administrasi Jakarta Pusat</option>"
        ),
        "{training}"
    );
    assert!(
        !training.contains("value=\"31.74.01\""),
        "only the officer's district"
    );
    assert!(training.contains("value=\"pelatih.pusat\"") && !training.contains("pelatih.selatan"));
    let member = app.as_(&gambir).get(&format!("/members/{no}")).await.text();
    assert!(member.contains("<option value=\"pendamping.pusat\">pendamping.pusat — Kota Administrasi Jakarta Pusat</option>"), "{member}");
    assert!(!member.contains("pendamping.timur"));
}

/// A member proves who it is with its number and NIK, gets a six-digit code at the e-mail
/// on its record (through the outbox), and creates its account with it; then it signs in
/// and sees its own record. Wrong numbers get the same answer as right ones; a wrong code
/// counts against its tries; a used code cannot be used again.
async fn a_member_creates_its_own_account_with_a_code_sent_by_e_mail(app: TestApp) {
    use crate::auth::public_form;
    let mut m = jakpreneur_testkit::member_in(1, "31.71.01.1001");
    m["email"] = serde_json::json!("siti@example.id");
    let res = app.post_json("/api/v1/members", &m).await;
    assert_eq!(res.status, StatusCode::CREATED);
    let no = res.json()["member_no"].as_str().unwrap().to_owned();
    let nik = m["nik"].as_str().unwrap().to_owned();
    assert!(
        app.anonymous()
            .get("/login")
            .await
            .text()
            .contains("/akun/daftar")
    );
    assert_eq!(
        app.anonymous().get("/akun/daftar").await.status,
        StatusCode::OK
    );

    // A NIK that does not go with the number: the same answer, and nothing sent.
    let other = jakpreneur_testkit::member_in(2, "31.71.01.1001")["nik"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = public_form(
        &app,
        "/akun/daftar",
        &[("member_no", no.as_str()), ("nik", other.as_str())],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let same_answer = res.header("location").unwrap();
    assert!(
        app.store
            .pending_notifications(10)
            .await
            .unwrap()
            .is_empty()
    );
    let res = public_form(
        &app,
        "/akun/daftar",
        &[("member_no", no.as_str()), ("nik", "12")],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !res.text().contains("value=\"12\""),
        "the NIK is never shown back"
    );

    let res = public_form(
        &app,
        "/akun/daftar",
        &[("member_no", &no.to_lowercase()), ("nik", nik.as_str())],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.header("location").unwrap(), same_answer);
    let sent = app.store.pending_notifications(10).await.unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].recipient, format!("member:{no}"));
    assert_eq!(
        app.store
            .notification_addresses(&sent[0].recipient)
            .await
            .unwrap(),
        vec!["siti@example.id".to_owned()]
    );
    let code = regex::Regex::new(r"\b(\d{6})\b")
        .unwrap()
        .captures(&sent[0].body)
        .map(|c| c[1].to_owned())
        .expect("the code is in the message");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let finish = |code: &str, username: &str| {
        let (app, no) = (&app, no.clone());
        let (code, username) = (code.to_owned(), username.to_owned());
        async move {
            public_form(
                app,
                "/akun/daftar/kode",
                &[
                    ("member_no", no.as_str()),
                    ("code", code.as_str()),
                    ("username", username.as_str()),
                    ("password", "nasi-uduk-kebon-kacang"),
                ],
            )
            .await
        }
    };
    let res = finish(wrong, "siti.batik").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("Kode tidak cocok."));
    let res = finish(&code, "siti.batik").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(
        res.header("location").unwrap(),
        "/login?signed_up=siti.batik"
    );
    let res = finish(&code, "siti.lain").await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a code is used once"
    );
    // Asking again gets the same answer as any other request, and sends nothing.
    let before = app.store.pending_notifications(10).await.unwrap().len();
    let res = public_form(
        &app,
        "/akun/daftar",
        &[("member_no", no.as_str()), ("nik", nik.as_str())],
    )
    .await;
    assert_eq!(res.header("location").unwrap(), same_answer);
    assert_eq!(
        app.store.pending_notifications(10).await.unwrap().len(),
        before
    );

    // A fourth request within the hour for another member is refused silently: the same
    // answer, no fourth code.
    let mut m2 = jakpreneur_testkit::member_in(5, "31.71.01.1001");
    m2["email"] = serde_json::json!("budi@example.id");
    let no2 = app.post_json("/api/v1/members", &m2).await.json()["member_no"]
        .as_str()
        .unwrap()
        .to_owned();
    let nik2 = m2["nik"].as_str().unwrap().to_owned();
    let before = app.store.pending_notifications(50).await.unwrap().len();
    for _ in 0..4 {
        let res = public_form(
            &app,
            "/akun/daftar",
            &[("member_no", no2.as_str()), ("nik", nik2.as_str())],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(
        app.store.pending_notifications(50).await.unwrap().len(),
        before + 3
    );

    let login = crate::auth::login(&app, "siti.batik", "nasi-uduk-kebon-kacang").await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    // A member's home page leads to its own pages; its record is there, others' are not.
    let mine = app.register_on(3, "31.71.01.1001", "2026-11-20").await;
    let my_nik = jakpreneur_testkit::member_in(3, "31.71.01.1001")["nik"]
        .as_str()
        .unwrap()
        .to_owned();
    let own = app
        .user_linked(
            "budi",
            "member",
            None,
            Some((mine.as_str(), my_nik.as_str())),
        )
        .await;
    let home = app.as_(&own).get("/").await.text();
    assert!(
        home.contains(&format!("href=\"/members/{mine}#profil\"")),
        "{home}"
    );
    assert_eq!(
        app.as_(&own).get(&format!("/members/{mine}")).await.status,
        StatusCode::OK
    );
    let stranger = app.register_on(4, "31.71.01.1001", "2026-11-20").await;
    assert_eq!(
        app.as_(&own)
            .get(&format!("/members/{stranger}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let audit = app
        .get("/api/v1/audit?record_type=user&record_id=siti.batik")
        .await
        .json();
    assert_eq!(audit["items"][0]["action"], "user.signup");
}

/// The consent on the registration form cites the privacy notice of its version; the
/// notice is open to anyone, in both languages, and every page's footer links to it.
async fn the_privacy_notice_the_consent_cites_exists(app: TestApp) {
    let form = app.get("/members/new").await.text();
    let version = jakpreneur_core::member::CONSENT_VERSION;
    assert!(form.contains(&format!("versi {version}")) && form.contains(r#"href="/privasi""#));
    let id = app.anonymous().get("/privasi").await;
    assert_eq!(id.status, StatusCode::OK);
    let id = id.text();
    assert!(id.contains(&format!("Versi {version}")), "{id}");
    for heading in [
        "Siapa yang mengelola data",
        "Data yang dicatat",
        "Siapa yang dapat melihat",
        "Hak anggota",
    ] {
        assert!(id.contains(heading), "{heading}");
    }
    let en = app.anonymous().get("/privasi?lang=en").await.text();
    assert!(en.contains("Members&#39; rights"), "{en}");
    // Job trainees consent to their own notice, of its own version.
    let version = jakpreneur_core::enrolment::ENROLMENT_CONSENT_VERSION;
    assert_ne!(version, jakpreneur_core::member::CONSENT_VERSION);
    let form = app.get("/pelatihan-kerja").await.text();
    assert!(
        form.contains(&format!("versi {version}"))
            && form.contains(r#"href="/privasi/pelatihan-kerja""#),
        "{form}"
    );
    let notice = app.anonymous().get("/privasi/pelatihan-kerja").await;
    assert_eq!(notice.status, StatusCode::OK);
    let notice = notice.text();
    for text in [
        format!("Versi {version}"),
        "Hak peserta".to_owned(),
        "Dinas Tenaga Kerja, Transmigrasi dan Energi".to_owned(),
        r#"href="/privasi""#.to_owned(),
    ] {
        assert!(notice.contains(&text), "{text}: {notice}");
    }
    let en = app
        .anonymous()
        .get("/privasi/pelatihan-kerja?lang=en")
        .await
        .text();
    assert!(en.contains("Trainees&#39; rights"), "{en}");
    assert!(
        app.anonymous()
            .get("/cek")
            .await
            .text()
            .contains(r#"<a href="/privasi">"#)
    );
}
