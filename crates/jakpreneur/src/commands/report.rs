//! `jakpreneur report facilities|funnel|period`: the statistics of the API, as a table,
//! CSV or JSON, on standard output or into a file.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use jakpreneur_core::indicators::funnel;
use jakpreneur_core::text::parse_date;
use jakpreneur_core::{RegionCode, ValidationErrors};
use jakpreneur_store::Store;
use serde_json::json;

use crate::cli::{ListFormat, ReportCommand};

/// A report's rows, with its header; the JSON form is given whole.
struct Table {
    header: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    json: serde_json::Value,
}

fn share(v: Option<f64>) -> String {
    v.map_or_else(String::new, |f| format!("{f:.4}"))
}

pub async fn run(store: &Store, cmd: ReportCommand) -> anyhow::Result<ExitCode> {
    let actor = super::cli_actor();
    let today = jakpreneur_web::Clock::System.today();
    let mut errs = ValidationErrors::default();
    let mut date = |field: &'static str, raw: Option<&str>| -> Option<NaiveDate> {
        match raw {
            None => Some(today),
            Some(d) => errs.take(parse_date(field, d)),
        }
    };
    let (table, format, out) = match cmd {
        ReportCommand::Facilities(a) => {
            let as_of = date("as_of", a.as_of.as_deref());
            let region = region(&mut errs, a.region.as_deref());
            let (Some(as_of), true) = (as_of, errs.is_empty()) else {
                bail!("{errs}");
            };
            let counts = store
                .facility_counts(&actor, region.as_ref(), as_of)
                .await?;
            let json = json!({ "as_of": as_of, "region": region.as_ref().map(RegionCode::as_str), "counts": counts });
            let rows = counts
                .iter()
                .map(|(f, n)| vec![f.clone(), n.to_string()])
                .collect();
            (
                Table {
                    header: vec!["facility", "members"],
                    rows,
                    json,
                },
                a.format,
                a.out,
            )
        }
        ReportCommand::Funnel(a) => {
            let as_of = date("as_of", a.as_of.as_deref());
            let region = region(&mut errs, a.region.as_deref());
            let (Some(as_of), true) = (as_of, errs.is_empty()) else {
                bail!("{errs}");
            };
            let counts = store
                .facility_counts(&actor, region.as_ref(), as_of)
                .await?;
            let steps = funnel(&counts);
            let json = json!({ "as_of": as_of, "region": region.as_ref().map(RegionCode::as_str), "stages": steps });
            let rows = steps
                .iter()
                .map(|s| {
                    vec![
                        s.facility.clone(),
                        s.count.to_string(),
                        share(s.share_of_registrants),
                        share(s.share_of_previous),
                    ]
                })
                .collect();
            let header = vec![
                "facility",
                "members",
                "share_of_registrants",
                "share_of_previous",
            ];
            (Table { header, rows, json }, a.format, a.out)
        }
        ReportCommand::Period(a) => {
            let from = date("from", Some(&a.from));
            let to = date("to", Some(&a.to));
            let region = region(&mut errs, a.region.as_deref());
            if let (Some(f), Some(t)) = (from, to)
                && t < f
            {
                errs.push(jakpreneur_core::FieldError::new(
                    "to",
                    "date_range",
                    "to must not be before from",
                ));
            }
            let (Some(from), Some(to), true) = (from, to, errs.is_empty()) else {
                bail!("{errs}");
            };
            let c = store
                .period_counts(&actor, region.as_ref(), from, to)
                .await?;
            let json = json!({
                "from": from, "to": to, "region": region.as_ref().map(RegionCode::as_str),
                "new_registrants": c.first_reached.get("P1").copied().unwrap_or(0),
                "first_reached": c.first_reached.iter().filter(|(f, _)| *f != "P1").collect::<std::collections::BTreeMap<_, _>>(),
                "events": c.events.iter().filter(|(f, _)| *f != "P1").collect::<std::collections::BTreeMap<_, _>>(),
            });
            let rows = c
                .first_reached
                .iter()
                .map(|(f, n)| {
                    let events = if f == "P1" {
                        String::new()
                    } else {
                        c.events.get(f).copied().unwrap_or(0).to_string()
                    };
                    vec![f.clone(), n.to_string(), events]
                })
                .collect();
            let header = vec!["facility", "first_reached", "events"];
            (Table { header, rows, json }, a.format, a.out)
        }
    };
    let mut sink: Box<dyn Write> = match &out {
        Some(path) => Box::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    match format {
        ListFormat::Json => writeln!(sink, "{}", serde_json::to_string_pretty(&table.json)?)?,
        ListFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut sink);
            w.write_record(&table.header)?;
            for r in &table.rows {
                w.write_record(r)?;
            }
            w.flush()?;
        }
        ListFormat::Table => {
            writeln!(
                sink,
                "{}",
                table
                    .header
                    .iter()
                    .map(|h| format!("{h:<22}"))
                    .collect::<String>()
                    .trim_end()
            )?;
            for r in &table.rows {
                writeln!(
                    sink,
                    "{}",
                    r.iter()
                        .map(|c| format!("{c:<22}"))
                        .collect::<String>()
                        .trim_end()
                )?;
            }
        }
    }
    sink.flush()?;
    if let Some(path) = out {
        eprintln!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn region(errs: &mut ValidationErrors, raw: Option<&str>) -> Option<RegionCode> {
    raw.and_then(|r| errs.take(RegionCode::parse("region", r)))
}
