//! The open-data statistics pages as the public sees them: `/statistik` (headline,
//! funnel, facility chart and table, district map and table), `/statistik/periode`,
//! `/statistik/kohort`, `/statistik/target`, `/statistik/definisi` and the CSV downloads;
//! small district counts hidden as "<7" (threshold 5 plus the noise bound),
//! no personal data, bad parameters answered 422 with the message beside the field.

use axum::http::StatusCode;
use jakpreneur_core::indicators::INDICATORS;
use jakpreneur_testkit::{Creds, TestApp, member_in};
use serde_json::{Value, json};

on_both_backends!(
    public_statistics_pages_show_the_counts,
    statistics_pages_render_without_members,
    cohort_page_shows_shares_and_hides_small_cohorts,
    target_page_shows_open_targets
);

const GAMBIR: &str = "31.71.01.1001";
const SAWAH_BESAR: &str = "31.71.02.1001";

/// Twelve members in Gambir, two in Sawah Besar, all registered in 2024; two of the
/// Gambir members completed a training (P2). Returns the registrations as sent.
async fn population(app: &TestApp) -> Vec<Value> {
    let mut sent = Vec::new();
    for i in 0..14u32 {
        let village = if i < 12 { GAMBIR } else { SAWAH_BESAR };
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

/// Whether `html` shows the "<7" of a hidden count, escaped (askama writes `&#60;`, the
/// charts `&lt;`).
fn shows_hidden(html: &str) -> bool {
    html.contains("&lt;7") || html.contains("&#60;7")
}

/// The number right after `before` in `text`, if there is one.
fn number_after(text: &str, before: &str) -> Option<i64> {
    let rest = &text[text.find(before)? + before.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Gambir's 12 members as the open pages show them: within the noise bound.
fn gambir_shown(n: Option<i64>) -> bool {
    n.is_some_and(|n| (10..=14).contains(&n))
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
        html.contains(r#"<span class="stat-value">14</span>"#),
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
    assert!(p1.contains(r#"<td class="num">14</td>"#), "{p1}");
    assert!(p1.contains("100,0%"), "{p1}");
    let p2 = row(&html, "P2 Pelatihan");
    assert!(p2.contains(r#"<td class="num">2</td>"#), "{p2}");
    assert!(p2.contains("14,3%"), "share of registrants and of P1: {p2}");
    let p3 = row(&html, "P3 Pendampingan");
    assert!(p3.contains(r#"<td class="num">0</td>"#), "{p3}");
    // The map: every district drawn, small ones hatched.
    assert_eq!(html.matches("data-code=\"").count(), 44, "44 districts");
    let gambir = row(&html, "Gambir");
    assert!(
        gambir_shown(number_after(gambir, r#"<td class="num">"#)),
        "{gambir}"
    );
    let sawah = row(&html, "Sawah Besar");
    assert!(shows_hidden(sawah), "{sawah}");
    assert!(!sawah.contains(">2<"), "{sawah}");
    assert!(html.contains("Sawah Besar: &lt;7</title>"), "map tooltip");
    assert!(gambir_shown(number_after(&html, "Gambir: ")), "map tooltip");
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
    assert!(html.contains("Gambir: &lt;7</title>"));

    // A district: its own small counts are hidden, and left out of the funnel.
    let res = public.get("/statistik?region=31.71.01").await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    assert!(gambir_shown(number_after(
        &html,
        r#"<span class="stat-value">"#
    )));
    let p2 = row(&html, "P2 Pelatihan");
    assert!(shows_hidden(p2) && !p2.contains(">2<"), "{p2}");
    assert!(html.contains("chart-funnel"), "P1 is drawn");
    assert!(html.contains("Tidak digambar karena di bawah 7: P2 Pelatihan, P3"));
    let funnel = &html[html.find("chart-funnel").unwrap()..html.find("</svg>").unwrap()];
    assert!(
        !funnel.contains("P2 Pelatihan"),
        "no bar for a hidden count"
    );
    // A district with fewer than 5 members: nothing to draw, nothing revealed.
    let html = public.get("/statistik?region=31.71.02").await.text();
    assert!(html.contains(r#"<span class="stat-value">&#60;7</span>"#));
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
    assert_eq!(lines[1], "total,DKI Jakarta,14,2,0,0,0,0,0");
    assert_eq!(lines.len(), 2 + 44);
    let gambir = lines
        .iter()
        .find(|l| l.starts_with("31.71.01,Gambir,"))
        .expect("Gambir's line");
    assert!(gambir.ends_with(",,,,,,"), "{csv}");
    assert!(gambir_shown(number_after(gambir, "Gambir,")), "{csv}");
    assert!(lines.contains(&"31.71.02,Sawah Besar,,,,,,,"), "{csv}");
    // The same table as a workbook: its title above, region codes as text, counts as
    // numbers, hidden counts empty.
    let res = public
        .get("/statistik/facilities.xlsx?as_of=2026-11-23&group_by=district")
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.header("content-type")
            .unwrap()
            .contains("spreadsheetml")
    );
    assert!(
        res.header("content-disposition")
            .unwrap()
            .contains(".xlsx\"")
    );
    let book = jakpreneur_core::import::read_table("f.xlsx", &res.body).unwrap();
    assert!(book.headers[0].contains("2026-11-23"), "{:?}", book.headers);
    let text = |r: &jakpreneur_core::import::Row| -> Vec<String> {
        r.cells
            .iter()
            .map(jakpreneur_core::import::Cell::text)
            .collect()
    };
    assert!(
        book.rows
            .iter()
            .any(|r| text(r)[..3] == ["group", "name", "P1"])
    );
    let gambir = book
        .rows
        .iter()
        .find(|r| text(r)[0] == "31.71.01")
        .expect("Gambir's row");
    assert_eq!(gambir.cells[1].text(), "Gambir");
    assert!(
        matches!(gambir.cells[2], jakpreneur_core::import::Cell::Number(n) if (10.0..=14.0).contains(&n)),
        "{:?}",
        gambir.cells[2]
    );
    assert!(
        gambir.cells.get(3).is_none_or(|c| c.is_empty()),
        "P2 hidden"
    );
    for file in ["/statistik/periode.xlsx", "/statistik/kohort.xlsx"] {
        let res = public.get(file).await;
        assert_eq!(res.status, StatusCode::OK, "{file}");
        assert!(res.body.starts_with(b"PK"), "{file}: an XLSX is a zip");
    }
    let csv = public
        .get("/statistik/facilities.csv?region=31.71.01")
        .await
        .text();
    let total = csv.lines().nth(1).unwrap();
    assert!(total.ends_with(",,,,,,"), "{csv}");
    assert!(gambir_shown(number_after(total, "(31.71.01),")), "{csv}");
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
    assert!(new.starts_with(r#"<code>new_registrants</code></th><td class="num">14</td>"#));
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
    assert!(lines.contains(&"new_registrants,,14"));
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
    assert!(html.contains(r#"id="suppression""#) && html.contains("di bawah 7"));
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
        "/statistik/kohort",
        "/statistik/kohort?region=31.71.01",
        "/statistik/kohort.csv",
        "/statistik/target",
    ] {
        let res = public.get(path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text());
    }
    // No member: the cohorts say so, and there is no target yet.
    let html = public.get("/statistik/kohort").await.text();
    assert!(html.contains("Tidak ada anggota yang terdaftar pada bulan-bulan ini"));
    assert!(html.contains("Belum ada kohort yang teramati selama 12 bulan"));
    let html = public.get("/statistik/target").await.text();
    assert!(
        html.contains("Belum ada target yang dicatat."),
        "empty state"
    );
    assert!(!html.contains("progress-bar"));
    let html = public.get("/statistik/target?lang=en").await.text();
    assert!(html.contains("No target has been recorded yet."));
}

/// Registers `n` members in `village` on the given days, and for each `(i, day)` of
/// `trained` a completed training of the i-th member on that day. Returns the member
/// numbers.
async fn register_with_training(
    app: &TestApp,
    first: u32,
    village: &str,
    days: &[&str],
    trained: &[(usize, &str)],
) -> Vec<String> {
    let mut numbers = Vec::new();
    for (i, day) in days.iter().enumerate() {
        let mut m = member_in(first + i as u32, village);
        m["registered_on"] = json!(day);
        let res = app.post_json("/api/v1/members", &m).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        numbers.push(res.json()["member_no"].as_str().unwrap().to_owned());
    }
    for (i, day) in trained {
        let res = app
            .post_json(
                &format!("/api/v1/members/{}/events", numbers[*i]),
                &json!({"kind": "training_completed", "occurred_on": day}),
            )
            .await;
        assert!(res.status.is_success(), "{}", res.text());
    }
    numbers
}

/// The table of one facility on the cohort page.
fn cohort_table<'a>(html: &'a str, facility: &str) -> &'a str {
    let start = html
        .find(&format!(r#"id="cohort-{facility}""#))
        .unwrap_or_else(|| panic!("no table for {facility}"));
    let rest = &html[start..];
    &rest[..rest.find("</table>").unwrap_or(rest.len())]
}

/// The cells of a table row after its header cell, as text.
fn cells(row: &str) -> Vec<String> {
    row.split("<td")
        .skip(1)
        .map(|c| {
            let c = &c[c.find('>').unwrap() + 1..];
            c[..c.find("</td>").unwrap()].to_owned()
        })
        .collect()
}

async fn cohort_page_shows_shares_and_hides_small_cohorts(app: TestApp) {
    // March 2024: six members in Gambir, two in Sawah Besar. Four Gambir members trained
    // within two months (59 to 62 days), a fifth after seven months (210 days).
    let gambir: Vec<String> = (1..=6).map(|d| format!("2024-03-{d:02}")).collect();
    let days: Vec<&str> = gambir.iter().map(String::as_str).collect();
    let trained = [
        (0, "2024-05-02"),
        (1, "2024-05-02"),
        (2, "2024-05-02"),
        (3, "2024-05-02"),
        (4, "2024-10-01"),
    ];
    register_with_training(&app, 800, GAMBIR, &days, &trained).await;
    register_with_training(&app, 810, SAWAH_BESAR, &["2024-03-07", "2024-03-08"], &[]).await;
    // October 2026: too recent for any window.
    register_with_training(&app, 820, GAMBIR, &["2026-10-05"], &[]).await;
    let public = app.as_(&Creds::default());

    // The province: everything shown as it is.
    let res = public
        .get("/statistik/kohort?from=2024-01&to=2026-11")
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let html = res.text();
    assert!(
        html.contains(r#"aria-current="page">Kohort</a>"#),
        "the tab"
    );
    assert!(html.contains(r#"value="2024-01""#) && html.contains(r#"value="2026-11""#));
    let p2 = cohort_table(&html, "P2");
    // 8 registrants; within 3 and 6 months 4 of 8, within 12 and 24 months 5 of 8; the
    // median of 59, 60, 61, 62 and 210 days.
    assert_eq!(
        cells(row(p2, "Maret 2024")),
        ["8", "50,0%", "50,0%", "62,5%", "62,5%", "61"],
        "{p2}"
    );
    // A month without registrants, and one not yet observable.
    assert_eq!(
        cells(row(p2, "Januari 2024")),
        ["0", "–", "–", "–", "–", "–"]
    );
    let october = row(p2, "Oktober 2026");
    assert_eq!(cells(october), ["1", "", "", "", "", "–"], "{october}");
    assert!(october.contains(r#"title="belum teramati""#), "{october}");
    assert!(html.contains("Sel kosong berarti belum teramati"));
    let p3 = cohort_table(&html, "P3");
    assert_eq!(
        cells(row(p3, "Maret 2024")),
        ["8", "0,0%", "0,0%", "0,0%", "0,0%", "–"]
    );
    assert!(html.contains("chart-line"), "the 12-month chart");
    assert!(html.contains(r##"href="/statistik/definisi#cohort_reached_within""##));
    assert!(html.contains(r##"href="/statistik/definisi#cohort_median_days""##));
    assert!(!shows_hidden(p2), "nothing hidden for the province");
    assert!(!html.contains("style=") && !html.contains("<script"), "CSP");
    // The city: as it is too.
    let html = public
        .get("/statistik/kohort?from=2024-03&to=2024-03&region=31.71")
        .await
        .text();
    assert_eq!(cells(row(cohort_table(&html, "P2"), "Maret 2024"))[0], "8");

    // A district: its counts carry the fixed noise (±2) and are shown only from 7, so
    // Gambir's true 6 registrants show as 7 or 8, or not at all; P3, reached by none,
    // stays hidden (zero stays zero, and is below 7).
    let res = public
        .get("/statistik/kohort?from=2024-03&to=2024-03&region=31.71.01")
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    assert!(
        html.contains("kohort dengan pendaftar di bawah 7") && html.contains("derau tetap")
            || html.contains("memiliki kurang dari 7 pendaftar"),
        "the note, or the whole district hidden"
    );
    if html.contains(r#"id="cohort-P2""#) {
        let p2 = cells(row(cohort_table(&html, "P2"), "Maret 2024"));
        assert!(
            matches!(p2[0].as_str(), "7" | "8"),
            "6 ± 2, shown from 7: {p2:?}"
        );
        let p3 = cells(row(cohort_table(&html, "P3"), "Maret 2024"));
        assert!(p3[1..].iter().all(|c| c == "&#60;7"), "{p3:?}");
        // A month with no registrant there: nothing but "<7".
        let html = public
            .get("/statistik/kohort?from=2024-03&to=2024-04&region=31.71.01")
            .await
            .text();
        assert_eq!(
            cells(row(cohort_table(&html, "P2"), "April 2024")),
            ["&#60;7", "&#60;7", "&#60;7", "&#60;7", "&#60;7", "&#60;7"]
        );
    } else {
        assert!(!html.contains(">6<"), "the true count is nowhere");
    }
    // A district with two registrants: every cohort is hidden, said once.
    let html = public
        .get("/statistik/kohort?from=2024-03&to=2024-03&region=31.71.02")
        .await
        .text();
    assert!(html.contains("memiliki kurang dari 7 pendaftar"));
    assert!(!html.contains("cohort-P2") && !html.contains("chart-line"));
    assert!(!html.contains(">2<"));
    assert!(
        !html.contains("Tidak ada anggota yang terdaftar"),
        "nothing said"
    );
    // In English.
    let html = public
        .get("/statistik/kohort?from=2024-03&to=2024-03&lang=en")
        .await
        .text();
    assert!(html.contains("Within 12 months") && html.contains("P2 Training"));
    assert_eq!(
        cells(row(cohort_table(&html, "P2"), "March 2024"))[3],
        "62,5%"
    );

    // The CSV, with the same suppression.
    let res = public
        .get("/statistik/kohort.csv?from=2024-03&to=2024-03&region=31.71.01")
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        res.header("content-disposition")
            .unwrap()
            .contains("jakpreneur-cohorts-2024-03-2024-03-317101.csv")
    );
    let csv = res.text();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "cohort,registrants,facility,reached,within_3_months,within_6_months,within_12_months,within_24_months,median_days"
    );
    assert_eq!(lines.len(), 1 + 6, "{csv}");
    // The same cell, the same published value as on the page.
    let registrants = lines[2].split(',').nth(1).unwrap();
    assert!(matches!(registrants, "" | "7" | "8"), "{csv}");
    assert_eq!(lines[2], format!("2024-03,{registrants},P3,,,,,,"));
    let csv = public
        .get("/statistik/kohort.csv?from=2024-03&to=2024-03")
        .await
        .text();
    assert!(
        csv.lines()
            .any(|l| l == "2024-03,8,P2,5,0.5000,0.5000,0.6250,0.6250,61.0"),
        "{csv}"
    );
    let csv = public
        .get("/statistik/kohort.csv?from=2024-03&to=2024-03&region=31.71.02")
        .await
        .text();
    assert_eq!(csv.lines().nth(1), Some("2024-03,,P2,,,,,,"));

    // Bad parameters: the page again, 422, each message beside its field.
    let res = public.get("/statistik/kohort?from=2024-13").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text();
    let field = html.find(r#"id="from""#).expect("the field");
    let error = html.find(r#"id="from-error""#).expect("the message");
    assert!(error > field && error - field < 500, "beside the field");
    assert!(
        html[error..].starts_with(r#"id="from-error">Tulis bulan sebagai TTTT-BB. (2024-13)<"#),
        "{}",
        &html[error..error + 100]
    );
    assert!(!html.contains("chart-line") && !html.contains("cohort-P2"));
    for (bad, field) in [
        ("from=2024-05&to=2024-04", "to"),
        ("from=2010-01&to=2024-01", "from"),
        ("to=maret", "to"),
        ("region=99.99", "region"),
    ] {
        let res = public.get(&format!("/statistik/kohort?{bad}")).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(
            res.text().contains(&format!(r#"id="{field}-error""#)),
            "{bad}"
        );
    }
    let html = public
        .get("/statistik/kohort?from=2010-01&to=2024-01")
        .await
        .text();
    assert!(html.contains("paling banyak 120 bulan"));
    let res = public.get("/statistik/kohort.csv?from=2024-13").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error(), ("month_invalid".into(), Some("from".into())));
}

async fn target_page_shows_open_targets(app: TestApp) {
    // Three members registered in 2022, before the RPJMD deadline.
    register_with_training(
        &app,
        900,
        GAMBIR,
        &["2022-02-01", "2022-06-01", "2022-09-01"],
        &[],
    )
    .await;
    let res = app
        .post_json(
            "/api/v1/targets",
            &json!({"indicator": "registered_members", "value": 200000, "deadline": "2022-12-31",
                    "source": "RPJMD 2017–2022"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let rpjmd = res.json()["id"].as_i64().unwrap();
    // A district's target this year: its figure (none yet) is below the threshold.
    let res = app
        .post_json(
            "/api/v1/targets",
            &json!({"indicator": "first_reached_p2", "region": "31.71.01", "value": 10,
                    "from": "2026-01-01", "deadline": "2026-12-31", "source": "Renja Gambir (uji)"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let district = res.json()["id"].as_i64().unwrap();
    // The province's target, reached; an agency's, counted as one group of the
    // breakdown by agency (none yet: below the threshold).
    for body in [
        json!({"indicator": "registered_members", "value": 2, "deadline": "2027-06-30",
               "source": "Renja (uji)"}),
        json!({"indicator": "reached_p2", "agency": "kpkp", "value": 50, "deadline": "2027-06-30",
               "source": "Renja KPKP (uji)"}),
    ] {
        let res = app.post_json("/api/v1/targets", &body).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    // A mentor's target describes one person's work: not on the open page.
    app.user("mentor1", "mentor", Some("31.71.01")).await;
    let res = app
        .post_json(
            "/api/v1/targets",
            &json!({"indicator": "mentored_members", "mentor": "mentor1", "value": 60,
                    "from": "2026-01-01", "deadline": "2026-12-31", "source": "Target pendamping (uji)"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());

    let public = app.as_(&Creds::default());
    let res = public.get("/statistik/target").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let html = res.text();
    assert!(
        html.contains(r#"aria-current="page">Target</a>"#),
        "the tab"
    );
    let card = |id: i64| {
        let start = html
            .find(&format!(r#"id="target-{id}""#))
            .unwrap_or_else(|| panic!("no target {id}"));
        let rest = &html[start..];
        rest[..rest.find("</article>").unwrap()].to_owned()
    };
    let t = card(rpjmd);
    assert!(
        t.contains(r##"<a href="/statistik/definisi#registered_members">Anggota terdaftar</a>"##),
        "{t}"
    );
    assert!(t.contains("<dd>DKI Jakarta</dd>"), "{t}");
    assert!(t.contains("<dd>200.000</dd>"), "{t}");
    assert!(t.contains("sampai 31 Desember 2022"), "{t}");
    assert!(t.contains("<dd>RPJMD 2017–2022</dd>"), "{t}");
    assert!(
        t.contains(r#"<strong class="target-current">3</strong>"#),
        "the current figure: {t}"
    );
    assert!(t.contains("dihitung sampai 31 Desember 2022; tenggat sudah lewat"));
    assert!(t.contains("progress-bar") && t.contains("0,0%"), "{t}");
    assert!(t.contains("tidak tercapai pada laju ini"), "{t}");
    assert!(t.contains(">Tidak</span>"), "not on track: {t}");
    // The district's: hidden below the threshold, no bar.
    let t = card(district);
    assert!(t.contains("Anggota yang pertama kali mencapai fasilitas: P2 Pelatihan"));
    assert!(t.contains(r##"href="/statistik/definisi#first_reached""##));
    assert!(t.contains("<dd>Gambir</dd>"), "{t}");
    assert!(t.contains("1 Januari 2026 – 31 Desember 2026"), "{t}");
    assert!(shows_hidden(&t) && !t.contains("progress-bar"), "{t}");
    assert!(
        html.contains("angka berderau di bawah 7"),
        "the suppression note"
    );
    // The reached one, and the agency's.
    assert!(html.contains("<dd>tercapai</dd>") && html.contains(">Ya</span>"));
    assert!(html.contains("<dd>Dinas Ketahanan Pangan Kelautan dan Pertanian</dd>"));
    assert!(html.contains("Anggota yang mencapai fasilitas: P2 Pelatihan"));
    assert!(html.contains("Renja KPKP (uji)"));
    assert!(
        !html.contains("Target pendamping (uji)"),
        "no mentor's target"
    );
    assert!(!html.contains("style=") && !html.contains("<script"), "CSP");
    let html = public.get("/statistik/target?lang=en").await.text();
    assert!(html.contains("Registered members") && html.contains("not at this pace"));
}
