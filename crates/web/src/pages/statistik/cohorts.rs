//! `/statistik/kohort`: the registration cohorts (per month: registrants, and per
//! facility P2–P7 the share reached within 3, 6, 12 and 24 months and the median days),
//! a table per facility and a line chart of the 12-month shares; and
//! `/statistik/kohort.csv` and `.xlsx`, the same figures as files. Both apply the public rule for
//! cohorts ([`public_cohort`]).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use jakpreneur_core::{RegionCode, ValidationErrors};
use jakpreneur_reports::sheet::SheetFormat;
use jakpreneur_reports::{self as reports, CohortReport, CohortView, Suppression};
use jakpreneur_store::{COHORT_WINDOWS, Store};

use super::{
    Choice, Download, FormState, PageCtx, facilities, file_region, long_date, month_of, query_of,
    region_choices, region_name, sheet_download, with_min,
};
use crate::AppState;
use crate::charts::{Series, format_count, format_share, line_chart};
use crate::error::ApiError;
use crate::i18n::Tr;
use crate::pages::{Chrome, render, store_failure};
use crate::views::CohortQuery;

/// A cohort share or median after the public rule.
#[derive(Debug, Clone, Copy, PartialEq)]
enum CohortValue {
    Shown(f64),
    /// Below the threshold in a district or village, or would reveal such a count.
    Hidden,
    /// Not every member of the cohort has been registered that long yet.
    Unseen,
    /// Nothing to divide or take the median of (no registrant, nobody reached it).
    Nothing,
}

/// One facility of one cohort, as the public sees it.
struct PublicStage {
    reached: Option<i64>,
    /// In the order of `COHORT_WINDOWS`.
    within: Vec<CohortValue>,
    median: CohortValue,
}

/// One registration month, as the public sees it.
struct PublicCohort {
    month: NaiveDate,
    /// `YYYY-MM`.
    code: String,
    /// `None` when hidden.
    registrants: Option<i64>,
    raw_registrants: i64,
    /// P2–P7, in order.
    stages: Vec<(String, PublicStage)>,
}

/// Whether every member registered in the month starting `month` has been registered
/// `k` whole months by `as_of` (the report's own rule, `reports::cohort_report`).
fn observable(month: NaiveDate, k: u32, as_of: NaiveDate) -> bool {
    month
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .and_then(|last| last.checked_add_months(chrono::Months::new(k)))
        .is_some_and(|d| d <= as_of)
}

/// The public rule for cohorts: for a district or village, a cohort with fewer
/// registrants than the threshold shows none of its figures; a facility reached by fewer
/// members of the cohort than the threshold shows neither its shares nor its median; and
/// a share whose count (members reached within k months) is below the threshold is
/// hidden too, since the share times the registrants shown would reveal it. Province and
/// city figures are shown as they are. Whether a window is observable yet depends on the
/// dates alone, so it is said even where the figures are hidden.
fn public_cohort(rule: Suppression, c: &CohortView, as_of: NaiveDate) -> PublicCohort {
    let month = NaiveDate::parse_from_str(&format!("{}-01", c.cohort), "%Y-%m-%d").unwrap_or(as_of);
    let registrants = rule.total(c.registrants);
    let stages = c
        .stages
        .iter()
        .map(|(code, st)| {
            let hidden = registrants.is_none() || rule.total(st.reached).is_none();
            let within = COHORT_WINDOWS
                .iter()
                .map(|k| {
                    let v = st.within.get(&k.to_string()).copied().flatten();
                    if !observable(month, *k, as_of) {
                        CohortValue::Unseen
                    } else if hidden {
                        CohortValue::Hidden
                    } else {
                        match v {
                            None => CohortValue::Nothing,
                            Some(f) => {
                                let n = (f * c.registrants as f64).round() as i64;
                                if rule.total(n).is_none() {
                                    CohortValue::Hidden
                                } else {
                                    CohortValue::Shown(f)
                                }
                            }
                        }
                    }
                })
                .collect();
            let median = if hidden {
                CohortValue::Hidden
            } else {
                st.median_days
                    .map_or(CohortValue::Nothing, CohortValue::Shown)
            };
            (
                code.clone(),
                PublicStage {
                    reached: (!hidden).then_some(st.reached),
                    within,
                    median,
                },
            )
        })
        .collect();
    PublicCohort {
        month,
        code: c.cohort.clone(),
        registrants,
        raw_registrants: c.registrants,
        stages,
    }
}

/// The cohort report for the open pages: below city level each count is perturbed in
/// the store (`Store::open_cohorts`), as every published count there is; the pages then
/// apply the public rule ([`public_cohort`]) before anything is shown or downloaded.
async fn public_cohort_report(
    store: &Store,
    range: (NaiveDate, NaiveDate),
    region: Option<&RegionCode>,
    today: NaiveDate,
) -> jakpreneur_store::Result<CohortReport> {
    reports::open_cohort_report(store, range, region, today).await
}

type CohortArgs = ((NaiveDate, NaiveDate), Option<RegionCode>);

/// `from`, `to` (YYYY-MM; default the last 24 months) and `region`, as `cohort_args`.
fn cohort_page_args(
    today: NaiveDate,
    q: &HashMap<String, String>,
) -> Result<CohortArgs, ValidationErrors> {
    let get = |k: &str| q.get(k).cloned();
    reports::cohort_args(
        today,
        &CohortQuery {
            from: get("from"),
            to: get("to"),
            region: get("region"),
            programme: None,
        },
    )
}

fn year_month(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// A month as people write it: `Maret 2024`.
fn month_name(tr: Tr<'_>, d: NaiveDate) -> String {
    month_of(tr, d).map_or_else(|| year_month(d), |m| format!("{m} {}", d.year()))
}

/// Days with a decimal comma when there is a half: `45`, `12,5`.
fn format_days(d: f64) -> String {
    let tenths = (d * 10.0).round() as i64;
    if tenths % 10 == 0 {
        format_count(tenths / 10)
    } else {
        format!("{},{}", format_count(tenths / 10), (tenths % 10).abs())
    }
}

/// One cell of a cohort table.
pub struct CohortCell {
    pub text: String,
    /// Set on an empty cell that is not observable yet.
    pub unseen: bool,
    pub hidden: bool,
}

/// One registration month of a facility's table.
pub struct CohortRow {
    pub month: String,
    pub registrants: String,
    pub hidden: bool,
    /// 3, 6, 12 and 24 months.
    pub within: Vec<CohortCell>,
    pub median: CohortCell,
}

/// A facility's table: one row per registration month.
pub struct CohortTable {
    pub code: String,
    pub name: String,
    pub rows: Vec<CohortRow>,
}

/// What `/statistik/kohort` shows once its parameters are valid.
pub struct CohortFigures {
    pub region_name: String,
    pub from: String,
    pub to: String,
    pub as_of: String,
    /// The column heads of the windows: `3 bulan`, ….
    pub windows: Vec<String>,
    pub empty: bool,
    pub any_hidden: bool,
    /// Every cohort of the range is hidden: said once, instead of tables of "<5".
    pub all_hidden: Option<String>,
    pub any_unseen: bool,
    pub chart_svg: String,
    pub tables: Vec<CohortTable>,
    /// Said where a figure is hidden.
    pub suppression_note: String,
    pub downloads: Vec<Download>,
}

#[derive(Template)]
#[template(path = "statistik/kohort.html")]
struct CohortPage<'a> {
    c: Chrome<'a>,
    form: FormState,
    regions: Vec<Choice>,
    figures: Option<CohortFigures>,
}

/// `GET /statistik/kohort`.
pub async fn cohorts(req: PageCtx) -> Response {
    let (c, min) = (req.chrome(), req.min());
    let tr = c.tr;
    let mut form = FormState::of(&req.uri);
    let mut figures = None;
    let today = req.app.clock.today();
    if let Some((range, region)) = form.read(tr, |q| cohort_page_args(today, q)) {
        // The form shows the months counted, the defaults filled in.
        form.set("from", year_month(range.0));
        form.set("to", year_month(range.1));
        let region = region.as_ref();
        match public_cohort_report(&req.app.store, range, region, today).await {
            Ok(r) => figures = Some(cohort_figures(tr, min, region, &r, range)),
            Err(e) => return store_failure(req.lang, c, e),
        }
    }
    let page = CohortPage {
        c,
        form,
        regions: region_choices(tr),
        figures,
    };
    render(page.form.status(), req.lang, &page)
}

fn cohort_figures(
    tr: Tr<'_>,
    min: i64,
    region: Option<&RegionCode>,
    r: &CohortReport,
    (from, to): (NaiveDate, NaiveDate),
) -> CohortFigures {
    let rule = Suppression::new(min, region, None);
    let cohorts: Vec<PublicCohort> = r
        .cohorts
        .iter()
        .map(|c| public_cohort(rule, c, r.as_of))
        .collect();
    let region_label = region_name(region.map(RegionCode::as_str));
    let (from_s, to_s) = (month_name(tr, from), month_name(tr, to));
    let cell = |v: CohortValue, share: bool| {
        let (text, unseen, hidden) = match v {
            CohortValue::Shown(f) if share => (format_share(f), false, false),
            CohortValue::Shown(d) => (format_days(d), false, false),
            CohortValue::Hidden => (rule.label(), false, true),
            CohortValue::Unseen => (String::new(), true, false),
            CohortValue::Nothing => ("–".to_owned(), false, false),
        };
        CohortCell {
            text,
            unseen,
            hidden,
        }
    };
    let mut any_hidden = false;
    let mut any_unseen = false;
    let mut tables = Vec::new();
    let mut series = Vec::new();
    // The 12-month window of the chart.
    let chart_k = COHORT_WINDOWS.iter().position(|k| *k == 12).unwrap_or(0);
    for (code, name) in facilities(tr).into_iter().skip(1) {
        let mut rows = Vec::new();
        let mut points = Vec::new();
        for c in &cohorts {
            let Some((_, st)) = c.stages.iter().find(|(s, _)| *s == code) else {
                continue;
            };
            let within: Vec<CohortCell> = st.within.iter().map(|v| cell(*v, true)).collect();
            let median = cell(st.median, false);
            any_hidden |=
                c.registrants.is_none() || median.hidden || within.iter().any(|w| w.hidden);
            any_unseen |= within.iter().any(|w| w.unseen);
            if let Some(CohortValue::Shown(f)) = st.within.get(chart_k) {
                points.push((c.month, (f * 100.0).round() as i64));
            }
            rows.push(CohortRow {
                month: month_name(tr, c.month),
                registrants: rule.text(c.registrants),
                hidden: c.registrants.is_none(),
                within,
                median,
            });
        }
        series.push(Series {
            name: format!("{code} {name}"),
            points,
        });
        tables.push(CohortTable { code, name, rows });
    }
    let empty = !rule.small_area && cohorts.iter().all(|c| c.raw_registrants == 0);
    let all_hidden = (!cohorts.is_empty() && cohorts.iter().all(|c| c.registrants.is_none()))
        .then(|| with_min(tr, "statistik.cohort_all_hidden", min));
    let chart_svg = line_chart(
        &format!(
            "{} — {region_label}, {from_s} – {to_s}",
            tr.t("statistik.cohort_chart_title")
        ),
        &series,
        None,
        tr.t("statistik.cohort_chart_empty"),
    );
    let (f, t) = (year_month(from), year_month(to));
    let code = region.map_or("", RegionCode::as_str);
    CohortFigures {
        region_name: region_label,
        from: from_s,
        to: to_s,
        as_of: long_date(tr, r.as_of),
        windows: COHORT_WINDOWS
            .iter()
            .map(|k| {
                tr.t("statistik.cohort_within")
                    .replace("{k}", &k.to_string())
            })
            .collect(),
        empty,
        any_hidden,
        all_hidden,
        any_unseen,
        chart_svg,
        tables,
        suppression_note: with_min(tr, "statistik.cohort_suppression_note", min),
        downloads: ["CSV", "XLSX"]
            .into_iter()
            .map(|kind| {
                Download::new(
                    tr,
                    "statistik.dl_cohorts",
                    kind,
                    if kind == "CSV" {
                        "/statistik/kohort.csv"
                    } else {
                        "/statistik/kohort.xlsx"
                    },
                    &[("from", &f), ("to", &t), ("region", code)],
                )
            })
            .collect(),
    }
}

/// `GET /statistik/kohort.csv` (and `.xlsx`) `?from=&to=&region=`: the cohort report, one row per
/// cohort and facility (`cohort,registrants,facility,reached,within_3_months,…,
/// median_days`), with the page's suppression: hidden figures, and shares not
/// observable yet, are empty cells.
pub async fn cohort_file(
    State(app): State<AppState>,
    OriginalUri(uri): OriginalUri,
    format: SheetFormat,
) -> Result<Response, ApiError> {
    let today = app.clock.today();
    let ((from, to), region) = cohort_page_args(today, &query_of(&uri))?;
    let region = region.as_ref();
    let r = public_cohort_report(&app.store, (from, to), region, today).await?;
    let rule = Suppression::new(app.security.shown_from(), region, None);
    let count = |n: Option<i64>| n.map_or_else(String::new, |n| n.to_string());
    let value = |v: CohortValue, digits: usize| match v {
        CohortValue::Shown(f) => format!("{f:.digits$}"),
        _ => String::new(),
    };
    let mut header = ["cohort", "registrants", "facility", "reached"]
        .map(str::to_owned)
        .to_vec();
    header.extend(COHORT_WINDOWS.iter().map(|k| format!("within_{k}_months")));
    header.push("median_days".to_owned());
    let mut rows = Vec::new();
    for c in r.cohorts.iter().map(|c| public_cohort(rule, c, r.as_of)) {
        for (facility, st) in &c.stages {
            let mut row = vec![
                c.code.clone(),
                count(c.registrants),
                facility.clone(),
                count(st.reached),
            ];
            row.extend(st.within.iter().map(|v| value(*v, 4)));
            row.push(value(st.median, 1));
            rows.push(row);
        }
    }
    let name = format!(
        "jakpreneur-cohorts-{}-{}{}",
        year_month(from),
        year_month(to),
        file_region(region)
    );
    let title = format!(
        "Jakpreneur cohorts {} – {}, {}",
        year_month(from),
        year_month(to),
        region.map_or("DKI Jakarta", RegionCode::as_str)
    );
    sheet_download(&name, format, title, header, rows)
}
