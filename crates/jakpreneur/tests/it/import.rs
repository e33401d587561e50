//! `jakpreneur import members|events`: a spreadsheet as an office writes it, checked row by
//! row with the API's rules, a dry run that writes nothing, an import that adds each row
//! once however often it runs, and the refused rows with their reasons.

use jakpreneur_testkit::{TestApp, member_in};

use crate::support::{command, jakpreneur};

on_both_backends!(
    members_import_checks_reports_and_never_doubles,
    a_killed_import_completes_when_run_again,
    services_import_keeps_history_once_and_the_counts_true,
    the_upload_page_checks_then_imports_with_progress
);

/// The command's standard output, once it is known to have exited with `code` (its
/// output and errors are shown if not).
fn exited(out: &std::process::Output, code: i32) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// One CSV line in the office's column order (below) for a valid registration.
fn office_line(i: u32, village: &str) -> String {
    let m = member_in(i, village);
    let s = |k: &str| m[k].as_str().unwrap_or_default().to_owned();
    let iso = |d: String| {
        let p: Vec<&str> = d.split('-').collect();
        format!("{}/{}/{}", p[2], p[1], p[0])
    };
    format!(
        "{};{};{};{};{};\"{}\";{};{};{};{};ya;dipakai",
        s("full_name"),
        s("nik"),
        iso(s("birth_date")),
        if s("sex") == "F" { "P" } else { "L" },
        s("phone"),
        s("address"),
        s("village_code"),
        s("business_name"),
        s("sector"),
        iso(s("registered_on")),
    )
}

async fn members_import_checks_reports_and_never_doubles(app: TestApp) {
    let before = app.count().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("anggota.csv");
    let header = "Nama Lengkap;NIK;Tanggal Lahir;Jenis Kelamin;No. HP;Alamat;Kode Kelurahan;\
                  Nama Usaha;KBLI;Tanggal Daftar;Persetujuan;Catatan";
    let good: Vec<String> = (0..4).map(|i| office_line(i, "31.71.01.1001")).collect();
    let duplicate = good[1].clone();
    let excel = good[2]
        .replacen(
            &member_in(2, "31.71.01.1001")["nik"]
                .as_str()
                .unwrap()
                .to_owned(),
            "3.17101E+15",
            1,
        )
        .replacen(
            member_in(2, "31.71.01.1001")["full_name"].as_str().unwrap(),
            "Orang Lain",
            1,
        );
    // The first `/` of a line is in its birth date.
    let bad_date = office_line(7, "31.71.01.1001").replacen("/", "-x-", 1);
    let csv = format!(
        "{header}\n{}\n{}\n{duplicate}\n{excel}\n{bad_date}\n{}\n{}\n",
        good[0], good[1], good[2], good[3]
    );
    std::fs::write(&file, &csv).unwrap();
    let report = dir.path().join("laporan.csv");
    let args = |dry: bool| {
        let mut v = vec![
            "import".to_owned(),
            "members".to_owned(),
            file.display().to_string(),
            "--report".to_owned(),
            report.display().to_string(),
        ];
        if dry {
            v.push("--dry-run".to_owned());
        }
        v
    };
    let run = |dry: bool| {
        let a = args(dry);
        jakpreneur(&app, &a.iter().map(String::as_str).collect::<Vec<_>>())
    };

    // The dry run: every refusal named, nothing written.
    let out = run(true);
    let stdout = exited(&out, 3);
    assert!(
        stdout.contains("7 rows read: would add 4, 0 already on file"),
        "{stdout}"
    );
    assert!(stdout.contains("3 refused"), "{stdout}");
    assert_eq!(app.count().await, before, "a dry run writes nothing");
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.starts_with("row,column,code,message\n"), "{text}");
    assert!(
        text.contains("4,NIK,nik_duplicate_in_file,the same NIK as row 3 of this file"),
        "{text}"
    );
    assert!(text.contains("5,NIK,nik_mangled_by_spreadsheet,"), "{text}");
    assert!(text.contains("6,Tanggal Lahir,"), "{text}");

    // The import: the four good rows, once.
    let out = run(false);
    let stdout = exited(&out, 3);
    assert!(
        stdout.contains("7 rows read: added 4, 0 already on file"),
        "{stdout}"
    );
    assert_eq!(app.count().await, before + 4);
    // Dates written day-first and sex as L/P came through as the API's.
    let m = member_in(0, "31.71.01.1001");
    let found = app
        .get(&format!(
            "/api/v1/members?q={}",
            m["full_name"].as_str().unwrap().replace(' ', "%20")
        ))
        .await
        .json();
    let item = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["business_name"] == m["business_name"])
        .expect("the imported member is listed")
        .clone();
    assert_eq!(item["registered_on"], m["registered_on"]);

    // Again: nothing changes; the statistics count each member once.
    let out = run(false);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("added 0, 4 already on file"), "{stdout}");
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(
        text.contains("2,NIK,already_on_file,this NIK is registered as JP-3171-"),
        "{text}"
    );
    assert_eq!(app.count().await, before + 4);
    let stats = app.get("/api/v1/stats/summary").await.json();
    assert_eq!(stats["registered_members"], before + 4, "{stats}");

    // One audit entry per run, with the file's hash and counts.
    let audit = app.get("/api/v1/audit?action=import.run").await;
    let entries = audit.json();
    let n = entries["items"].as_array().map_or(0, Vec::len);
    assert_eq!(n, 3, "{entries}");

    // The same registry as an Excel workbook: dates as date cells, one NIK stored as a
    // number (refused), one new member added.
    {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let book_path = dir.path().join("anggota.xlsx");
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let date = Format::new().set_num_format("dd/mm/yyyy");
        let head = [
            "NIK",
            "Nama Lengkap",
            "Tanggal Lahir",
            "Jenis Kelamin",
            "No. HP",
            "Alamat",
            "Kode Kelurahan",
            "Nama Usaha",
            "KBLI",
            "Tanggal Daftar",
            "Persetujuan",
        ];
        for (c, h) in head.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        for (r, i) in [(1u32, 0u32), (2, 8), (3, 9)] {
            let m = member_in(i, "31.71.01.1001");
            let s = |k: &str| m[k].as_str().unwrap_or_default().to_owned();
            let day = |k: &str| {
                let v: Vec<u16> = s(k).split('-').map(|p| p.parse().unwrap()).collect();
                ExcelDateTime::from_ymd(v[0], v[1] as u8, v[2] as u8).unwrap()
            };
            if i == 9 {
                sheet
                    .write_number(r, 0, s("nik").parse::<f64>().unwrap())
                    .unwrap();
            } else {
                sheet.write_string(r, 0, s("nik")).unwrap();
            }
            sheet.write_string(r, 1, s("full_name")).unwrap();
            sheet
                .write_datetime_with_format(r, 2, day("birth_date"), &date)
                .unwrap();
            sheet
                .write_string(r, 3, if s("sex") == "F" { "P" } else { "L" })
                .unwrap();
            sheet.write_string(r, 4, s("phone")).unwrap();
            sheet.write_string(r, 5, s("address")).unwrap();
            sheet.write_string(r, 6, s("village_code")).unwrap();
            sheet.write_string(r, 7, s("business_name")).unwrap();
            sheet.write_string(r, 8, s("sector")).unwrap();
            sheet
                .write_datetime_with_format(r, 9, day("registered_on"), &date)
                .unwrap();
            sheet.write_string(r, 10, "ya").unwrap();
        }
        book.save(&book_path).unwrap();
        let out = jakpreneur(
            &app,
            &[
                "import",
                "members",
                &book_path.display().to_string(),
                "--report",
                &report.display().to_string(),
            ],
        );
        let stdout = exited(&out, 3);
        assert!(
            stdout.contains("3 rows read: added 1, 1 already on file"),
            "{stdout}"
        );
        let text = std::fs::read_to_string(&report).unwrap();
        assert!(text.contains("4,NIK,nik_mangled_by_spreadsheet,"), "{text}");
        assert_eq!(app.count().await, before + 5);
    }

    // A file without a needed column is refused whole, naming it.
    std::fs::write(&file, "nik,full_name,village_code\n1,2,3\n").unwrap();
    let out = run(true);
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no column named business_name"), "{err}");
}

/// `kill -9` while an import writes, then the same command again: every row once.
async fn a_killed_import_completes_when_run_again(app: TestApp) {
    const ROWS: u32 = 6_000;
    let before = app.count().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("anggota.csv");
    let header = "Nama Lengkap;NIK;Tanggal Lahir;Jenis Kelamin;No. HP;Alamat;Kode Kelurahan;\
                  Nama Usaha;KBLI;Tanggal Daftar;Persetujuan;Catatan";
    let mut csv = format!("{header}\n");
    for i in 0..ROWS {
        csv.push_str(&office_line(i, "31.71.01.1001"));
        csv.push('\n');
    }
    std::fs::write(&file, csv).unwrap();
    let path = file.display().to_string();

    let mut child = command(&app)
        .args(["import", "members", &path])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed as soon as a first batch is in, or whenever it ends.
    let mut killed_midway = false;
    for _ in 0..6_000 {
        let n = app.count().await - before;
        if n > 0 && n < i64::from(ROWS) {
            child.kill().unwrap();
            killed_midway = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    child.wait().unwrap();
    let partial = app.count().await - before;
    assert_eq!(
        partial % 500,
        0,
        "whole batches only, never a half-written one: {partial}"
    );
    eprintln!("killed mid-way: {killed_midway}, {partial} of {ROWS} rows in");

    let out = jakpreneur(&app, &["import", "members", &path]);
    let stdout = exited(&out, 0);
    assert!(
        stdout.contains(&format!(
            "added {}, {partial} already on file",
            i64::from(ROWS) - partial
        )),
        "{stdout}"
    );
    assert_eq!(
        app.count().await - before,
        i64::from(ROWS),
        "every row exactly once"
    );
    let stats = app.get("/api/v1/stats/summary").await.json();
    assert_eq!(
        stats["registered_members"],
        before + i64::from(ROWS),
        "{stats}"
    );
}

/// A member's services as the API lists them: (kind, day, agency, reference).
async fn services_of(app: &TestApp, no: &str) -> Vec<(String, String, String, String)> {
    let list = app
        .get(&format!("/api/v1/members/{no}/events"))
        .await
        .json();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            (s("kind"), s("occurred_on"), s("agency"), s("reference"))
        })
        .collect()
}

async fn services_import_keeps_history_once_and_the_counts_true(app: TestApp) {
    let a = app.register_on(0, "31.71.01.1001", "2021-03-01").await;
    let b = app.register_on(1, "31.71.01.1002", "2021-03-01").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("layanan.csv");
    let report = dir.path().join("laporan.csv");
    // Out of date order on purpose (the permit's row comes first); one row twice; one
    // before the member registered; one for nobody; one of a kind that does not exist.
    let csv = format!(
        "Nomor Anggota;Jenis Layanan;Tanggal Kegiatan;Instansi;Nomor Izin;Kolom Lain\n\
         {a};permit_issued;01/08/2021;;P-IRT 2063171010123-26;x\n\
         {};training_completed;26/06/2021;PPKUKM;;\n\
         {a};training_completed;26/06/2021;PPKUKM;;\n\
         {b};mentoring_session;15/02/2021;;;\n\
         JP-9999-0000001;training_completed;01/07/2021;;;\n\
         {b};dancing;01/07/2021;;;\n",
        a.to_lowercase()
    );
    std::fs::write(&file, csv).unwrap();
    let run = |dry: bool| {
        let (f, r) = (file.display().to_string(), report.display().to_string());
        let mut v = vec!["import", "events", f.as_str(), "--report", r.as_str()];
        if dry {
            v.push("--dry-run");
        }
        jakpreneur(&app, &v)
    };
    let registered = services_of(&app, &a).await.len();

    let stdout = exited(&run(true), 3);
    assert!(
        stdout.contains("6 rows read: would add 2, 0 already on file"),
        "{stdout}"
    );
    assert!(stdout.contains("4 refused"), "{stdout}");
    assert_eq!(
        services_of(&app, &a).await.len(),
        registered,
        "a dry run writes nothing"
    );
    let text = std::fs::read_to_string(&report).unwrap();
    for line in [
        "4,Jenis Layanan,event_duplicate_in_file,the same service as row 3 of this file",
        "5,Tanggal Kegiatan,before_registration,",
        "6,Nomor Anggota,member_not_found,no member numbered JP-9999-0000001 in your region",
        "7,Jenis Layanan,kind_unknown,",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }

    let stdout = exited(&run(false), 3);
    assert!(
        stdout.contains("6 rows read: added 2, 0 already on file"),
        "{stdout}"
    );
    // The history as the file gave it: original days, agencies and references.
    let services = services_of(&app, &a).await;
    assert!(
        services.contains(&(
            "training_completed".into(),
            "2021-06-26".into(),
            "PPKUKM".into(),
            String::new()
        )),
        "{services:?}"
    );
    assert!(
        services.iter().any(|s| s.0 == "permit_issued"
            && s.1 == "2021-08-01"
            && s.3 == "P-IRT 2063171010123-26"),
        "{services:?}"
    );
    let facilities = app
        .get(&format!("/api/v1/members/{a}/facilities"))
        .await
        .json();
    assert!(
        facilities.to_string().contains("2021-06-26"),
        "{facilities}"
    );

    // Again: nothing new, each row on file named.
    let stdout = exited(&run(false), 3);
    assert!(stdout.contains("added 0, 2 already on file"), "{stdout}");
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(
        text.contains(&format!(
            "2,Jenis Layanan,already_on_file,this service is on file for {a} as event "
        )),
        "{text}"
    );
    assert_eq!(services_of(&app, &a).await.len(), registered + 2);

    // By NIK, in the API's own header names.
    let nik = member_in(1, "31.71.01.1002")["nik"]
        .as_str()
        .unwrap()
        .to_owned();
    std::fs::write(
        &file,
        format!("nik,kind,occurred_on,agency,place_code,reference\n{nik},bazaar,2021-09-09,,,\n"),
    )
    .unwrap();
    let stdout = exited(&run(false), 0);
    assert!(
        stdout.contains("1 rows read: added 1, 0 already on file"),
        "{stdout}"
    );
    assert!(services_of(&app, &b).await.iter().any(|s| s.0 == "bazaar"));

    // Exported (CSV and XLSX) and imported back: every service is already on file.
    for name in ["semua.csv", "semua.xlsx"] {
        let out = dir.path().join(name).display().to_string();
        let r = report.display().to_string();
        let export = jakpreneur(&app, &["export", "events", &out, "--region", "31.71.01"]);
        exited(&export, 0);
        assert!(
            String::from_utf8_lossy(&export.stderr).contains("wrote 3 services of 2 members"),
            "{export:?}"
        );
        let stdout = exited(
            &jakpreneur(&app, &["import", "events", &out, "--report", &r]),
            0,
        );
        assert!(
            stdout.contains("3 rows read: added 0, 3 already on file"),
            "{name}: {stdout}"
        );
    }
    let out = dir.path().join("anggota.csv").display().to_string();
    exited(&jakpreneur(&app, &["export", "members", &out]), 0);
    let members = std::fs::read_to_string(&out).unwrap();
    assert!(
        members.starts_with("member_no,business_name,full_name,"),
        "{members}"
    );
    assert_eq!(members.lines().count(), 3, "{members}");
    let refused = jakpreneur(&app, &["export", "members", "anggota.pdf"]);
    assert_ne!(refused.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("format"),
        "{refused:?}"
    );
    let refused = jakpreneur(&app, &["export", "members", &out, "--region", "99"]);
    assert_ne!(refused.status.code(), Some(0));

    // Every counter equals the recount from the raw records.
    let check = app.store.verify_stats().await.unwrap();
    assert!(check.differences.is_empty(), "{:?}", check.differences);
    let audit = app.get("/api/v1/audit?action=import.run").await.json();
    let runs = audit["items"].as_array().map_or(0, Vec::len);
    assert_eq!(runs, 6, "{audit}");
    let exports = app.get("/api/v1/audit?action=ledger.export").await.json();
    assert_eq!(
        exports["items"].as_array().map_or(0, Vec::len),
        2,
        "{exports}"
    );
}

/// Follows an import's page until it has finished; its text.
async fn finished_page(app: &TestApp, job: &str) -> String {
    for _ in 0..200 {
        let page = app.get(job).await;
        assert_eq!(page.status, axum::http::StatusCode::OK, "{}", page.text());
        let text = page.text();
        if !text.contains("<progress") {
            return text;
        }
        assert!(
            text.contains("http-equiv=\"refresh\""),
            "a running import's page refreshes"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import at {job} did not finish");
}

async fn the_upload_page_checks_then_imports_with_progress(app: TestApp) {
    use axum::http::StatusCode;
    let a = app.register_on(0, "31.71.01.1001", "2021-03-01").await;
    let csrf = app.admin.session.as_ref().unwrap().1.clone();
    let form = app.get("/import").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains("enctype=\"multipart/form-data\""));
    assert!(
        form.text().contains("Belum ada impor"),
        "the empty list says so"
    );

    // Wrong on purpose: no file; then a file of another type (refused whole, named).
    let none = app
        .multipart(&format!("/import?csrf={csrf}"), &[("kind", "events")], &[])
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        none.text().contains("Pilih berkas CSV atau Excel"),
        "{}",
        none.text()
    );
    let ods = app
        .multipart(
            &format!("/import?csrf={csrf}"),
            &[("kind", "events"), ("dry_run", "1")],
            &[("file", "layanan.ods", "application/octet-stream", b"x")],
        )
        .await;
    assert_eq!(ods.status, StatusCode::SEE_OTHER);
    let job = ods.header("location").unwrap().to_owned();
    let text = finished_page(&app, &job).await;
    assert!(text.contains("ditolak seluruhnya"), "{text}");
    assert!(text.contains("cannot be imported"), "{text}");

    // A dry run first: the report names the refused row; nothing is written.
    let csv = format!(
        "Nomor Anggota;Jenis Layanan;Tanggal Kegiatan;Instansi\n\
         {a};training_completed;26/06/2021;PPKUKM\n\
         {a};bazaar;01/02/2021;\n"
    );
    let before = services_of(&app, &a).await.len();
    let dry = app
        .multipart(
            &format!("/import?csrf={csrf}"),
            &[("kind", "events"), ("dry_run", "1")],
            &[("file", "layanan.csv", "text/csv", csv.as_bytes())],
        )
        .await;
    assert_eq!(dry.status, StatusCode::SEE_OTHER, "{}", dry.text());
    let job = dry.header("location").unwrap().to_owned();
    let text = finished_page(&app, &job).await;
    assert!(
        text.contains("2 baris dibaca: 1 akan ditambahkan, 0 sudah tercatat, 1 ditolak"),
        "{text}"
    );
    assert!(text.contains("before_registration"), "{text}");
    assert_eq!(
        services_of(&app, &a).await.len(),
        before,
        "a dry run writes nothing"
    );
    let report = app.get(&format!("{job}/report.csv")).await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(
        report
            .text()
            .starts_with("row,column,code,message\n3,Tanggal Kegiatan,before_registration,"),
        "{}",
        report.text()
    );

    // Then the same file for real, with one button.
    let applied = app.post_form(&format!("{job}/apply"), &[]).await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.text());
    let job2 = applied.header("location").unwrap().to_owned();
    assert_ne!(job2, job);
    let text = finished_page(&app, &job2).await;
    assert!(text.contains("Impor selesai."), "{text}");
    assert!(
        text.contains("1 ditambahkan, 0 sudah tercatat (dibiarkan), 1 ditolak"),
        "{text}"
    );
    assert_eq!(services_of(&app, &a).await.len(), before + 1);
    // An import is applied once: its page offers no second import, and neither it nor
    // the dry run (whose file was dropped when applied) can be applied again.
    assert!(!text.contains("/apply"), "{text}");
    for again in [&job2, &job] {
        assert_eq!(
            app.post_form(&format!("{again}/apply"), &[]).await.status,
            StatusCode::NOT_FOUND,
            "{again} applied twice"
        );
    }
    // The list shows both runs; another account does not see them.
    let list = app.get("/import").await.text();
    assert!(list.contains(&job2) && list.contains(&job), "{list}");
    let officer = app.user("pusat", "city_officer", Some("31.71")).await;
    assert_eq!(
        app.as_(&officer).get(&job2).await.status,
        StatusCode::NOT_FOUND
    );
}
