//! `jakpreneur export members|events FILE [--format csv|xlsx] [filters]`: members, or the
//! services of members, written page by page as CSV or XLSX (the same columns as the
//! download on the members list), with a progress bar. Memory stays flat whatever the
//! size: one page of rows at a time, the workbook's rows in the XLSX writer's own
//! temporary files. The export is on record in the audit log before the file is written.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use jakpreneur_core::Permission;
use jakpreneur_reports::export::{MEMBER_COLUMNS, Names, SERVICE_COLUMNS, member_row, service_row};
use jakpreneur_reports::sheet::{SheetFormat, SheetWriter};
use jakpreneur_store::{Page, Store};
use jakpreneur_web::i18n::{Catalogues, Lang};
use jakpreneur_web::pages::names;
use jakpreneur_web::params::parse_member_query;

use crate::cli::{ExportCommand, ExportFormat};

/// Members read per page.
const PAGE: u32 = 1000;

pub async fn run(store: &Store, cmd: ExportCommand) -> anyhow::Result<ExitCode> {
    let (services, a) = match cmd {
        ExportCommand::Members(a) => (false, a),
        ExportCommand::Events(a) => (true, a),
    };
    let to_stdout = a.out.as_os_str() == "-";
    let format = match (a.format, extension(&a.out)) {
        (Some(ExportFormat::Csv), _) => SheetFormat::Csv,
        (Some(ExportFormat::Xlsx), _) => SheetFormat::Xlsx,
        (None, _) if to_stdout => SheetFormat::Csv,
        (None, Some(f)) => f,
        (None, None) => bail!(
            "format: give --format csv|xlsx, or a file name ending in .csv or .xlsx ({})",
            a.out.display()
        ),
    };
    if to_stdout && format == SheetFormat::Xlsx {
        bail!("format: an xlsx file is written to a file, not to standard output");
    }
    let query = a.filter.query(None, None, Some("oldest".to_owned()));
    let filter = match parse_member_query(&query) {
        Ok((f, _)) => f,
        Err(errs) => bail!("invalid filter: {errs}"),
    };
    let actor = super::cli_actor();
    let members = store
        .count_members_matching(&actor, &filter, i64::MAX - 1)
        .await?;
    let filter_json = serde_json::json!({
        "region": query.region, "registered_from": query.registered_from,
        "registered_to": query.registered_to, "sector": query.sector,
        "status": query.status, "q": query.q,
    });
    let action = if services {
        "ledger.export"
    } else {
        "member.export_list"
    };
    store
        .record_member_list_export(&actor, action, format.extension(), filter_json, members)
        .await?;

    let sink: Box<dyn Write + Send> = if to_stdout {
        Box::new(std::io::stdout())
    } else {
        let file = super::create_private(&a.out)
            .with_context(|| format!("creating {}", a.out.display()))?;
        Box::new(std::io::BufWriter::with_capacity(256 * 1024, file))
    };
    let columns = if services {
        &SERVICE_COLUMNS[..]
    } else {
        &MEMBER_COLUMNS[..]
    };
    let header: Vec<String> = columns.iter().map(|c| (*c).to_owned()).collect();
    let mut w = SheetWriter::new(format, sink, &header, None)?;

    let bar = if to_stdout {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(members.unsigned_abs())
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} members ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // The names as the members list writes them, in Indonesian.
    let catalogues = Catalogues::embedded();
    let tr = catalogues.tr(Lang::Id);
    let place = |code: &str| names::place(&tr, code);
    let sector = |code: &str| names::sector(&tr, code);
    let names = Names {
        place: &place,
        sector: &sector,
    };
    let full_phone = actor.can(Permission::MemberReadNik);
    let mut after = None;
    let mut rows = 0u64;
    loop {
        let page = Page { limit: PAGE, after };
        let next = if services {
            let p = store.export_services(&actor, &filter, page).await?;
            for e in &p.items {
                w.text_row(&service_row(e))?;
            }
            rows += p.items.len() as u64;
            bar.inc(p.members as u64);
            p.next
        } else {
            let p = store.list_members(&actor, &filter, page).await?;
            for m in &p.items {
                w.text_row(&member_row(m, full_phone, &names))?;
            }
            rows += p.items.len() as u64;
            bar.inc(p.items.len() as u64);
            p.next
        };
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    if format == SheetFormat::Xlsx {
        bar.set_message("zipping the workbook");
    }
    let mut out = w.finish()?;
    out.flush()?;
    bar.finish_and_clear();
    if !to_stdout {
        eprintln!(
            "wrote {rows} {} of {members} members to {}",
            if services { "services" } else { "rows" },
            a.out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn extension(path: &Path) -> Option<SheetFormat> {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(SheetFormat::parse)
}
