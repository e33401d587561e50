//! The open-data statistics pages as the public sees them: `/statistik` (headline,
//! funnel, facility chart and table, district map and table), `/statistik/periode`,
//! `/statistik/definisi` and the CSV downloads; small district counts hidden as "<5",
//! no personal data, bad parameters answered 422 with the message beside the field.

use axum::http::StatusCode;
use jakpreneur_core::indicators::INDICATORS;
use jakpreneur_testkit::{Creds, TestApp, member_in};
use serde_json::{Value, json};

on_both_backends!(
    public_statistics_pages_show_the_counts,
    statistics_pages_render_without_members
);

const GAMBIR: &str = "31.71.01.1001";
const SAWAH_BESAR: &str = "31.71.02.1001";

/// Six members in Gambir, two in Sawah Besar, all registered in 2024; two of the Gambir
/// members completed a training (P2). Returns the registrations as sent.
async fn population(app: &TestApp) -> Vec<Value> {
    let mut sent = Vec::new();
    for i in 0..8u32 {
        let village = if i < 6 { GAMBIR } else { SAWAH_BESAR };
        let mut m = member_in(700 + i, village);
        m["registered_on"] = json!(format!("2024-03-{:02}", i + 1));
        let res = app.post_json("/api/v1/members", &m).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        let no = res.json()["member_no"].as_str().unwrap().to_owned();
        if i < 2 {
            let res = app
                .post_json(
                    &format!("/api/v1/members/{no}/events"),
                    &json!({"kind": "training_completed", "occurred_on": "2024-05-02"}),
                )
                .await;
            assert!(res.status.is_success(), "{}", res.text());
        }
        sent.push(m);
    }
    sent
}

/// Whether `html` shows the "<5" of a hidden count, escaped (askama writes `&#60;`, the
/// charts `&lt;`).
fn shows_hidden(html: &str) -> bool {
    html.contains("&lt;5") || html.contains("&#60;5")
}

/// The text of the table row whose header cell is `name`, up to its end.
fn row<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html
        .find(&format!(r#"<th scope="row">{name}</th>"#))
        .unwrap_or_else(|| panic!("no row {name}"));
    let rest = &html[start..];
    &rest[..rest.find("</tr>").unwrap_or(rest.len())]
}

async fn public_statistics_pages_show_the_counts(app: TestApp) {
    let sent = population(&app).await;
    let public = app.as_(&Creds::default());

    // The overview, as of today, for the province.
    let res = public.get("/statistik").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let html = res.text();
    assert!(
        html.contains(r#"<span class="stat-value">8</span>"#),
        "headline"
    );
    assert!(html.contains("Anggota terdaftar"));
    assert!(html.contains(r##"href="/statistik/definisi#registered_members""##));
    assert!(html.contains(r##"href="/statistik/definisi#reached""##));
    assert!(html.contains("23 November 2026"), "as-of date");
    // The funnel with both shares, and the table of the seven counts.
    assert!(html.contains("chart-funnel"), "funnel drawn");
    assert!(html.contains("chart-bar"), "facility chart drawn");
    let p1 = row(&html, "P1 Pendaftaran");
    assert!(p1.contains(r#"<td class="num">8</td>"#), "{p1}");
    assert!(p1.contains("100,0%"), "{p1}");
    let p2 = row(&html, "P2 Pelatihan");
    assert!(p2.contains(r#"<td class="num">2</td>"#), "{p2}");
    assert!(p2.contains("25,0%"), "share of registrants and of P1: {p2}");
    let p3 = row(&html, "P3 Pendampingan");
    assert!(p3.contains(r#"<td class="num">0</td>"#), "{p3}");
    // The map: every district drawn, small ones hatched.
    assert_eq!(html.matches("data-code=\"").count(), 44, "44 districts");
    let gambir = row(&html, "Gambir");
    assert!(gambir.contains(r#"<td class="num">6</td>"#), "{gambir}");
    let sawah = row(&html, "Sawah Besar");
    assert!(shows_hidden(sawah), "{sawah}");
    assert!(!sawah.contains(">2<"), "{sawah}");
    assert!(html.contains("Sawah Besar: &lt;5</title>"), "map tooltip");
    assert!(html.contains("Gambir: 6</title>"), "map tooltip");
    // Downloads of the same figures.
    assert!(html.contains("/statistik/facilities.csv?as_of=2026-11-23&#38;group_by=district"));
    assert!(
        html.contains("/api/v1/public/stats/facilities?as_of=2026-11-23&#38;group_by=district")
    );
    assert!(html.contains("/api/v1/public/stats/funnel?as_of=2026-11-23"));
    // No inline style or script, and no personal data.
    assert!(!html.contains("style="), "CSP: no inline style");
    assert!(!html.contains("<script"), "CSP: no script");
    for m in &sent {
        for field in ["full_name", "nik", "phone", "email", "business_name"] {
            if let Some(v) = m[field].as_str().filter(|v| v.len() > 3) {
                assert!(!html.contains(v), "{field} {v} on the public page");
            }
        }
    }
    assert!(html.contains(r#"href="/statistik""#), "navigation link");

    // P2 on the map: Gambir's 2 is below the threshold.
    let html = public.get("/statistik?facility=P2").await.text();
    assert!(shows_hidden(row(&html, "Gambir")));
    assert!(html.contains("Gambir: &lt;5</title>"));

    // A district: its own small counts are hidden, and left out of the funnel.
    let res = public.get("/statistik?region=31.71.01").await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    assert!(html.contains(r#"<span class="stat-value">6</span>"#));
    let p2 = row(&html, "P2 Pelatihan");
    assert!(shows_hidden(p2) && !p2.contains(">2<"), "{p2}");
    assert!(html.contains("chart-funnel"), "P1 is drawn");
    assert!(html.contains("Tidak digambar karena di bawah 5: P2 Pelatihan, P3"));
    let funnel = &html[html.find("chart-funnel").unwrap()..html.find("</svg>").unwrap()];
    assert!(
        !funnel.contains("P2 Pelatihan"),
        "no bar for a hidden count"
    );
    // A district with fewer than 5 members: nothing to draw, nothing revealed.
    let html = public.get("/statistik?region=31.71.02").await.text();
    assert!(html.contains(r#"<span class="stat-value">&#60;5</span>"#));
    assert!(!html.contains("chart-funnel"));
    assert!(html.contains("Corong tidak digambar"));
    assert!(!html.contains(r#"<td class="num">2</td>"#));
    // A city total is shown as it is.
    let html = public.get("/statistik?region=31.71").await.text();
    assert!(row(&html, "P2 Pelatihan").contains(r#"<td class="num">2</td>"#));
    // Before anyone registered.
    let html = public.get("/statistik?as_of=2024-01-01").await.text();
    assert!(html.contains(r#"<span class="stat-value">0</span>"#));
    assert!(html.contains("Belum ada anggota yang terdaftar"));
    // In English.
    let html = public.get("/statistik?lang=en").await.text();
    assert!(html.contains("Registered members") && html.contains("P2 Training"));

    // Bad parameters: the page again, 422, the message beside its field.
    let res = public.get("/statistik?as_of=2023-02-30").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text();
    let field = html.find(r#"id="as_of""#).expect("the field");
    let error = html.find(r#"id="as_of-error""#).expect("the message");
    assert!(
        error > field && error - field < 400,
        "message beside the field"
    );
    assert!(
        html[error..]
            .starts_with(r#"id="as_of-error">Tanggal ini tidak ada di kalender. (2023-02-30)<"#),
        "{}",
        &html[error..error + 120]
    );
    assert!(!html.contains("chart-funnel"));
    for bad in ["region=99.99", "facility=P9", "as_of=kemarin"] {
        let res = public.get(&format!("/statistik?{bad}")).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(res.text().contains("class=\"field-error\""), "{bad}");
    }

    // The CSV of the same figures.
    let res = public
        .get("/statistik/facilities.csv?as_of=2026-11-23&group_by=district")
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.header("content-type").unwrap().starts_with("text/csv"));
    assert!(res.header("content-disposition").unwrap().contains(".csv"));
    let csv = res.text();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "group,name,P1,P2,P3,P4,P5,P6,P7");
    assert_eq!(lines[1], "total,DKI Jakarta,8,2,0,0,0,0,0");
    assert_eq!(lines.len(), 2 + 44);
    assert!(lines.contains(&"31.71.01,Gambir,6,,,,,,"), "{csv}");
    assert!(lines.contains(&"31.71.02,Sawah Besar,,,,,,,"), "{csv}");
    let csv = public
        .get("/statistik/facilities.csv?region=31.71.01")
        .await
        .text();
    assert!(csv.lines().nth(1).unwrap().ends_with(",6,,,,,,"), "{csv}");
    let res = public
        .get("/statistik/facilities.csv?as_of=2023-02-30")
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error(), ("date_invalid".into(), Some("as_of".into())));

    // The period report.
    let res = public
        .get("/statistik/periode?from=2024-01-01&to=2024-12-31")
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let html = res.text();
    assert!(html.contains(r##"href="/statistik/definisi#new_registrants""##));
    let new = &html[html.find("<code>new_registrants</code></th>").unwrap()..];
    assert!(new.starts_with(r#"<code>new_registrants</code></th><td class="num">8</td>"#));
    let p2 = row(&html, "P2 Pelatihan");
    assert!(p2.matches(r#"<td class="num">2</td>"#).count() == 2, "{p2}");
    assert!(html.contains("chart-bar"));
    // Defaults: this year so far, shown in the form.
    let res = public.get("/statistik/periode").await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    assert!(html.contains(r#"value="2026-01-01""#) && html.contains(r#"value="2026-11-23""#));
    let res = public
        .get("/statistik/periode?from=2024-05-01&to=2024-04-01")
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains(r#"id="to-error""#));
    let csv = public
        .get("/statistik/periode.csv?from=2024-01-01&to=2024-12-31")
        .await
        .text();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "indicator,facility,value");
    assert!(lines.contains(&"new_registrants,,8"));
    assert!(lines.contains(&"first_reached,P2,2"));
    assert!(lines.contains(&"events,P2,2"));

    // The definitions: every indicator has its anchor.
    let res = public.get("/statistik/definisi").await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    for i in &INDICATORS {
        assert!(html.contains(&format!(r#"id="{}""#, i.code)), "{}", i.code);
        assert!(html.contains(i.name_id), "{}", i.name_id);
    }
    assert!(html.contains(r#"id="suppression""#) && html.contains("di bawah 5"));
    let html = public.get("/statistik/definisi?lang=en").await.text();
    assert!(html.contains(INDICATORS[0].definition));
}

async fn statistics_pages_render_without_members(app: TestApp) {
    let public = app.as_(&Creds::default());
    let res = public.get("/statistik").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let html = res.text();
    assert!(html.contains(r#"<span class="stat-value">0</span>"#));
    assert!(html.contains("Belum ada anggota yang terdaftar"));
    assert!(
        html.contains("Belum ada data"),
        "the bar chart's empty text"
    );
    assert_eq!(html.matches("data-code=\"").count(), 44);
    for path in [
        "/statistik/periode",
        "/statistik/definisi",
        "/statistik/facilities.csv",
        "/statistik/periode.csv",
        "/statistik?region=31.71.01&facility=P7",
    ] {
        let res = public.get(path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text());
    }
}
