//! `/statistik/periode`: the period report (new registrants, first reached per
//! facility, qualifying services, permits issued, exhibition participations), and
//! `/statistik/periode.csv`, the same figures as CSV.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use jakpreneur_core::text::given;
use jakpreneur_core::{RegionCode, ValidationErrors};
use jakpreneur_reports::sheet::SheetFormat;
use jakpreneur_reports::{
    self as reports, Audience, PeriodReport, Suppression, parse_period, parse_region,
};

use super::{
    Choice, Download, FacilityNames, FormState, PageCtx, file_region, long_date, query_of,
    region_choices, region_name, sheet_download, with_min,
};
use crate::AppState;
use crate::charts::{Bar, bar_chart};
use crate::error::ApiError;
use crate::i18n::Tr;
use crate::pages::{Chrome, render, store_failure};

/// One facility of the period table.
pub struct PeriodRow {
    pub code: String,
    pub name: String,
    pub first_reached: String,
    pub events: String,
}

/// What `/statistik/periode` shows once its parameters are valid.
pub struct PeriodFigures {
    pub from: String,
    pub to: String,
    pub region_name: String,
    pub new_registrants: String,
    pub permits_issued: String,
    pub exhibition_participations: String,
    pub rows: Vec<PeriodRow>,
    pub any_hidden: bool,
    pub first_svg: String,
    pub events_svg: String,
    /// Said where a count is hidden.
    pub suppression_note: String,
    pub downloads: Vec<Download>,
}

#[derive(Template)]
#[template(path = "statistik/periode.html")]
struct PeriodPage<'a> {
    c: Chrome<'a>,
    form: FormState,
    regions: Vec<Choice>,
    figures: Option<PeriodFigures>,
}

type PeriodArgs = ((NaiveDate, NaiveDate), Option<RegionCode>);

/// `from` (default 1 January of this year), `to` (default today), `region`. The form
/// shows the defaults filled in.
fn period_args(
    today: NaiveDate,
    q: &mut HashMap<String, String>,
) -> Result<PeriodArgs, ValidationErrors> {
    let jan1 = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    for (k, d) in [("from", jan1), ("to", today)] {
        if given(q.get(k).map(String::as_str)).is_none() {
            q.insert(k.to_owned(), d.to_string());
        }
    }
    let mut errs = ValidationErrors::default();
    let get = |k: &str| q.get(k).map(String::as_str);
    let period = parse_period(&mut errs, get("from"), get("to"));
    let region = parse_region(&mut errs, get("region"));
    match (period, errs.is_empty()) {
        (Some(p), true) => Ok((p, region)),
        _ => Err(errs),
    }
}

/// `GET /statistik/periode`.
pub async fn period(req: PageCtx) -> Response {
    let (c, min) = (req.chrome(), req.min());
    let tr = c.tr;
    let mut form = FormState::of(&req.uri);
    let mut figures = None;
    if let Some((p, region)) = form.read(tr, |q| period_args(req.app.clock.today(), q)) {
        let region = region.as_ref();
        match reports::period_report(&req.app.store, Audience::Public, p, region, None).await {
            Ok(r) => figures = Some(period_figures(tr, min, region, &r)),
            Err(e) => return store_failure(req.lang, c, e),
        }
    }
    let page = PeriodPage {
        c,
        form,
        regions: region_choices(tr),
        figures,
    };
    render(page.form.status(), req.lang, &page)
}

fn period_figures(
    tr: Tr<'_>,
    min: i64,
    region: Option<&RegionCode>,
    r: &PeriodReport,
) -> PeriodFigures {
    let rule = Suppression::new(min, region, None);
    let names = FacilityNames::new(tr);
    let shown = |n: i64| rule.text(rule.total(n));
    let (from, to) = (long_date(tr, r.from), long_date(tr, r.to));
    let region_label = region_name(region.map(RegionCode::as_str));
    let title = |key: &str| format!("{} — {region_label}, {from} – {to}", tr.t(key));
    let rows: Vec<PeriodRow> = r
        .first_reached
        .iter()
        .map(|(code, &n)| PeriodRow {
            code: code.clone(),
            name: names.name(code),
            first_reached: shown(n),
            events: shown(r.events.get(code).copied().unwrap_or(0)),
        })
        .collect();
    let all = std::iter::once(r.new_registrants)
        .chain(r.first_reached.values().copied())
        .chain(r.events.values().copied())
        .chain([r.permits_issued, r.exhibition_participations]);
    let any_hidden = all.clone().any(|n| rule.total(n).is_none());
    let nothing = all.clone().all(|n| n == 0) && !any_hidden;
    let bar = |code: &str, n: i64| Bar {
        label: names.label(code),
        value: rule.total(n),
        note: None,
    };
    let first_bars: Vec<Bar> = std::iter::once(Bar {
        note: Some(tr.t("statistik.new_registrants").to_owned()),
        ..bar("P1", r.new_registrants)
    })
    .chain(r.first_reached.iter().map(|(code, &n)| bar(code, n)))
    .collect();
    let event_bars: Vec<Bar> = r.events.iter().map(|(code, &n)| bar(code, n)).collect();
    let chart = |key: &str, bars: &[Bar]| {
        bar_chart(
            &title(key),
            if nothing { &[] } else { bars },
            &rule.label(),
            tr.t("statistik.no_data"),
        )
    };
    let (f, t) = (r.from.to_string(), r.to.to_string());
    let code = region.map_or("", RegionCode::as_str);
    let pairs = [("from", f.as_str()), ("to", t.as_str()), ("region", code)];
    PeriodFigures {
        new_registrants: shown(r.new_registrants),
        permits_issued: shown(r.permits_issued),
        exhibition_participations: shown(r.exhibition_participations),
        first_svg: chart("statistik.period_first_title", &first_bars),
        events_svg: chart("statistik.period_events_title", &event_bars),
        from,
        to,
        region_name: region_label,
        rows,
        any_hidden,
        suppression_note: with_min(tr, "statistik.suppression_note", min),
        downloads: vec![
            Download::new(
                tr,
                "statistik.dl_period",
                "CSV",
                "/statistik/periode.csv",
                &pairs,
            ),
            Download::new(
                tr,
                "statistik.dl_period",
                "XLSX",
                "/statistik/periode.xlsx",
                &pairs,
            ),
            Download::new(
                tr,
                "statistik.dl_period",
                "JSON",
                "/api/v1/public/stats/period",
                &pairs,
            ),
        ],
    }
}

/// `GET /statistik/periode.csv` (and `.xlsx`) `?from=&to=&region=`: the period report, one row per
/// indicator (`indicator,facility,value`), hidden counts as empty cells.
pub async fn period_file(
    State(app): State<AppState>,
    OriginalUri(uri): OriginalUri,
    format: SheetFormat,
) -> Result<Response, ApiError> {
    let mut q = query_of(&uri);
    let ((from, to), region) = period_args(app.clock.today(), &mut q)?;
    let region = region.as_ref();
    let r = reports::period_report(&app.store, Audience::Public, (from, to), region, None).await?;
    let rule = Suppression::new(app.security.shown_from(), region, None);
    let row = |indicator: &str, facility: &str, n: i64| {
        let value = rule.total(n).map_or_else(String::new, |n| n.to_string());
        vec![indicator.to_owned(), facility.to_owned(), value]
    };
    let mut rows = vec![row("new_registrants", "", r.new_registrants)];
    rows.extend(
        r.first_reached
            .iter()
            .map(|(f, &n)| row("first_reached", f, n)),
    );
    rows.extend(r.events.iter().map(|(f, &n)| row("events", f, n)));
    rows.push(row("permits_issued", "", r.permits_issued));
    rows.push(row(
        "exhibition_participations",
        "",
        r.exhibition_participations,
    ));
    let header = ["indicator", "facility", "value"].map(str::to_owned);
    let name = format!("jakpreneur-period-{from}-{to}{}", file_region(region));
    let title = format!(
        "Jakpreneur {from} – {to}, {}",
        region.map_or("DKI Jakarta", RegionCode::as_str)
    );
    sheet_download(&name, format, title, header.to_vec(), rows)
}
