//! `/statistik`: the open-data statistics pages, for everyone and without login.
//!
//! - `/statistik`: registered members as of a date (the headline) with the funnel of the
//!   seven facilities P1–P7 and both shares (of registrants, of the previous facility:
//!   the gap), the facility bar chart and table, and the choropleth of the 44 districts
//!   for one facility with its table.
//! - `/statistik/periode`: the period report (new registrants, first reached per
//!   facility, qualifying services, permits issued, exhibition participations).
//! - `/statistik/kohort`: the registration cohorts (per month: registrants, and per
//!   facility P2–P7 the share reached within 3, 6, 12 and 24 months and the median days),
//!   a table per facility and a line chart of the 12-month shares.
//! - `/statistik/target`: every open target (not mentors') with its figure now, a
//!   progress bar, the last twelve months' gain and the date it is reached at that pace.
//! - `/statistik/definisi`: every indicator of `jakpreneur_core::indicators`, the region
//!   rule and the suppression rule; the figures above link to their anchors.
//! - `/statistik/facilities.csv`, `/statistik/periode.csv` and `/statistik/kohort.csv`:
//!   the same figures as CSV.
//!
//! The figures come from `reports.rs` for [`Audience::Public`], and small counts are
//! hidden by the rule of the public API (`api/stats.rs`): for a district or village, and
//! for groups other than cities, a count below `security.public_stats_min_count` is not
//! shown ("<5" on the page, an empty cell in CSV), nor are the shares that would reveal
//! it; province and city totals are shown as they are. Charts are server-rendered SVG
//! (`crate::charts`); the pages need no script and print cleanly.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use jakpreneur_core::indicators::{INDICATORS, Measure, indicator};
use jakpreneur_core::programme::{JAKPRENEUR, programmes};
use jakpreneur_core::reference::reference;
use jakpreneur_core::text::given;
use jakpreneur_core::{Actor, FieldError, RegionCode, RegionLevel, ValidationErrors};
use jakpreneur_store::{Breakdown, COHORT_WINDOWS};

use super::{Chrome, field_errors, render, store_failure};
use crate::AppState;
use crate::charts::{
    Bar, FunnelRow, Series, bar_chart, district_map, escape, format_count, format_share,
    funnel_chart, line_chart,
};
use crate::error::ApiError;
use crate::i18n::{Lang, PageLang, Tr};
use crate::reports::{
    self, Audience, CohortReport, CohortView, FacilityRelease, Funnel, PeriodReport, Suppression,
    Table, TargetView, parse_day, parse_group_by, parse_period, parse_region,
};
use crate::security::Caller;
use crate::views::CohortQuery;

/// The query string by name (the last value wins for a repeated name).
fn query_of(uri: &Uri) -> HashMap<String, String> {
    uri.query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

/// A URL with its query pairs encoded; empty values are left out.
fn href(path: &str, pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    let q = s.finish();
    if q.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{q}")
    }
}

/// `tr.t(key)` with `{min}` replaced by the threshold.
fn with_min(tr: Tr<'_>, key: &str, min: i64) -> String {
    tr.t(key).replace("{min}", &min.to_string())
}

/// A date as people write it: `23 November 2026`.
fn long_date(tr: Tr<'_>, d: NaiveDate) -> String {
    let months: Vec<&str> = tr.t("statistik.months").split(',').map(str::trim).collect();
    match months.get(d.month0() as usize) {
        Some(m) if months.len() == 12 => format!("{} {m} {}", d.day(), d.year()),
        _ => d.to_string(),
    }
}

fn region_name(code: Option<&str>) -> String {
    let r = reference();
    match code {
        None => r
            .regions_at(RegionLevel::Province)
            .next()
            .map_or_else(|| "DKI Jakarta".to_owned(), |p| p.name.clone()),
        Some(c) => r.region(c).map_or_else(|| c.to_owned(), |x| x.name.clone()),
    }
}

/// The facilities P1–P7 in order, with their names in the page language.
fn facilities(tr: Tr<'_>) -> Vec<(String, String)> {
    programmes()
        .stages_of(JAKPRENEUR)
        .map(|s| {
            let name = if tr.lang == Lang::En {
                &s.name_en
            } else {
                &s.name_id
            };
            (s.stage.clone(), name.clone())
        })
        .collect()
}

/// One `<option>`.
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// The province (value empty), its cities and their districts, indented.
fn region_choices(tr: Tr<'_>) -> Vec<Choice> {
    let r = reference();
    let mut out = Vec::new();
    for reg in &r.regions {
        let (value, label) = match reg.level {
            RegionLevel::Province => (String::new(), tr.t("statistik.whole_province").to_owned()),
            RegionLevel::City => (reg.code.clone(), format!("\u{a0}\u{a0}{}", reg.name)),
            RegionLevel::District => (
                reg.code.clone(),
                format!("\u{a0}\u{a0}\u{a0}\u{a0}{}", reg.name),
            ),
            RegionLevel::Village => continue,
        };
        out.push(Choice { value, label });
    }
    out
}

/// A download link.
pub struct Download {
    pub label: String,
    pub format: &'static str,
    pub href: String,
}

/// Field → message, with the rejected value after it: a date input cannot show a date
/// that does not exist, so the message says what was sent. Control characters are
/// dropped and a long value is cut.
fn page_errors(
    tr: Tr<'_>,
    errs: &ValidationErrors,
    raw: &HashMap<String, String>,
) -> HashMap<String, String> {
    let mut out = field_errors(tr, errs);
    for (field, msg) in &mut out {
        let v: String = raw
            .get(field)
            .map(|v| v.trim())
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(40)
            .collect();
        if !v.is_empty() {
            msg.push_str(&format!(" ({v})"));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// `/statistik`
// ---------------------------------------------------------------------------------------

/// One facility of the table under the charts.
pub struct FacilityRow {
    pub code: String,
    pub name: String,
    pub count: String,
    pub share_of_registrants: String,
    pub share_of_previous: String,
    pub hidden: bool,
}

/// One district of the map's table.
pub struct DistrictRow {
    pub code: String,
    pub name: String,
    pub count: String,
    pub hidden: bool,
}

/// The districts of one city, for a small table each.
pub struct CityDistricts {
    pub code: String,
    pub name: String,
    pub rows: Vec<DistrictRow>,
}

/// A city's name without its administrative title: "Jakarta Pusat", "Kepulauan Seribu".
fn short_city(name: &str) -> &str {
    ["Kota Administrasi ", "Kabupaten Administrasi "]
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .unwrap_or(name)
}

/// What `/statistik` shows once its parameters are valid.
pub struct Overview {
    pub as_of: String,
    pub region_name: String,
    pub headline: String,
    /// No member registered yet (as of the date, in the region).
    pub empty: bool,
    /// `None` when every stage is hidden.
    pub funnel_svg: Option<String>,
    /// The stages left out of the funnel because their counts are hidden.
    pub funnel_omitted: Option<String>,
    pub facility_svg: String,
    pub rows: Vec<FacilityRow>,
    pub any_hidden: bool,
    pub map_facility: String,
    pub map_svg: String,
    pub districts: Vec<CityDistricts>,
    pub districts_hidden: bool,
    pub downloads: Vec<Download>,
}

#[derive(Template)]
#[template(path = "statistik/index.html")]
struct OverviewPage<'a> {
    c: Chrome<'a>,
    /// The form's fields as typed.
    form: HashMap<String, String>,
    errors: HashMap<String, String>,
    regions: Vec<Choice>,
    facilities: Vec<(String, String)>,
    suppression_note: String,
    figures: Option<Overview>,
}

impl OverviewPage<'_> {
    fn v(&self, name: &str) -> &str {
        self.form.get(name).map_or("", String::as_str)
    }

    fn has_err(&self, name: &str) -> bool {
        self.errors.contains_key(name)
    }

    fn err(&self, name: &str) -> &str {
        self.errors.get(name).map_or("", String::as_str)
    }

    /// The facility the map shows: the one asked for, else P1.
    fn map_choice(&self) -> &str {
        given(self.form.get("facility").map(String::as_str)).unwrap_or("P1")
    }
}

/// `facility`: P1 to P7 (`p2` is read as P2), default P1.
fn parse_facility(errs: &mut ValidationErrors, raw: Option<&str>) -> Option<String> {
    let f = given(raw).unwrap_or("P1").to_ascii_uppercase();
    if programmes().stage(JAKPRENEUR, &f).is_some() {
        Some(f)
    } else {
        errs.push(FieldError::new(
            "facility",
            "facility_unknown",
            "facility must be P1 to P7",
        ));
        None
    }
}

type OverviewArgs = (NaiveDate, Option<RegionCode>, String);

fn overview_args(
    today: NaiveDate,
    q: &HashMap<String, String>,
) -> Result<OverviewArgs, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let get = |k: &str| q.get(k).map(String::as_str);
    let as_of = parse_day(&mut errs, "as_of", get("as_of"), Some(today));
    let region = parse_region(&mut errs, get("region"));
    let facility = parse_facility(&mut errs, get("facility"));
    match (as_of, facility, errs.is_empty()) {
        (Some(d), Some(f), true) => Ok((d, region, f)),
        _ => Err(errs),
    }
}

/// `GET /statistik`.
pub async fn overview(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
) -> Response {
    let tr = app.i18n.tr(lang.lang);
    let c = Chrome::new(tr, uri.path(), uri.query()).for_caller(&caller);
    let q = query_of(&uri);
    let min = app.security.public_stats_min_count;
    let mut page = OverviewPage {
        c,
        errors: HashMap::new(),
        regions: region_choices(tr),
        facilities: facilities(tr),
        suppression_note: with_min(tr, "statistik.suppression_note", min),
        figures: None,
        form: q,
    };
    let (as_of, region, facility) = match overview_args(app.clock.today(), &page.form) {
        Ok(v) => v,
        Err(errs) => {
            page.errors = page_errors(tr, &errs, &page.form);
            return render(StatusCode::UNPROCESSABLE_ENTITY, lang, &page);
        }
    };
    // The form shows the date counted, today when none was given.
    page.form.insert("as_of".to_owned(), as_of.to_string());
    page.form.insert("facility".to_owned(), facility.clone());
    let by_district = Some(Breakdown::Region(RegionLevel::District));
    let province =
        match reports::facility_release(&app.store, Audience::Public, as_of, None, by_district)
            .await
        {
            Ok(r) => r,
            Err(e) => return store_failure(lang, page.c, e),
        };
    let release = match &region {
        None => province.clone(),
        Some(r) => {
            match reports::facility_release(&app.store, Audience::Public, as_of, Some(r), None)
                .await
            {
                Ok(r) => r,
                Err(e) => return store_failure(lang, page.c, e),
            }
        }
    };
    page.figures = Some(overview_figures(
        tr,
        min,
        region.as_ref(),
        &release,
        &province,
        &facility,
    ));
    render(StatusCode::OK, lang, &page)
}

fn overview_figures(
    tr: Tr<'_>,
    min: i64,
    region: Option<&RegionCode>,
    release: &FacilityRelease,
    province: &FacilityRelease,
    map_facility: &str,
) -> Overview {
    let rule = Suppression::new(min, region, None);
    let names: BTreeMap<String, String> = facilities(tr).into_iter().collect();
    let label = |code: &str| format!("{code} {}", names.get(code).map_or("", String::as_str));
    let as_of = long_date(tr, release.as_of);
    let region_label = region_name(region.map(RegionCode::as_str));

    // The funnel, with the shares that would reveal a hidden count hidden too.
    let funnel: Funnel = release.clone().into();
    let mut rows = Vec::new();
    let mut chart_rows = Vec::new();
    let mut omitted = Vec::new();
    let mut previous_hidden = false;
    for s in &funnel.stages {
        let count = rule.total(s.count);
        let hidden = count.is_none();
        let of_registrants = (!hidden).then_some(s.share_of_registrants).flatten();
        let of_previous = (!hidden && !previous_hidden)
            .then_some(s.share_of_previous)
            .flatten();
        previous_hidden = hidden;
        let share = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), format_share);
        rows.push(FacilityRow {
            code: s.facility.clone(),
            name: names.get(&s.facility).cloned().unwrap_or_default(),
            count: rule.text(count),
            share_of_registrants: if hidden {
                rule.label()
            } else {
                share(of_registrants)
            },
            share_of_previous: if hidden {
                rule.label()
            } else {
                share(of_previous)
            },
            hidden,
        });
        // A hidden stage is left out of the picture (its bar would show its size) and
        // named under it instead.
        if hidden {
            omitted.push(label(&s.facility));
        } else {
            chart_rows.push(FunnelRow {
                label: label(&s.facility),
                count: s.count,
                share_of_registrants: of_registrants,
                share_of_previous: of_previous,
            });
        }
    }
    let any_hidden = rows.iter().any(|r| r.hidden);
    let registered = release.counts.get("P1").copied().unwrap_or(0);
    let empty = registered == 0;
    let title_suffix = format!("{region_label}, {as_of}");
    let funnel_title = format!("{} — {title_suffix}", tr.t("statistik.funnel_title"));
    let funnel_svg = (!chart_rows.is_empty()).then(|| {
        funnel_chart(
            &funnel_title,
            if empty { &[] } else { &chart_rows },
            (
                tr.t("statistik.share_of_registrants"),
                tr.t("statistik.share_of_previous"),
            ),
        )
    });
    let bars: Vec<Bar> = if empty && !any_hidden {
        Vec::new()
    } else {
        release
            .counts
            .iter()
            .map(|(code, &n)| Bar {
                label: label(code),
                value: rule.total(n),
                note: None,
            })
            .collect()
    };
    let facility_svg = bar_chart(
        &format!(
            "{} — {title_suffix}",
            tr.t("statistik.facility_chart_title")
        ),
        &bars,
        &rule.label(),
        tr.t("statistik.no_data"),
    );

    // The map: every district of the province, for one facility.
    let district_rule = Suppression::new(min, None, Some(Breakdown::Region(RegionLevel::District)));
    let mut values = BTreeMap::new();
    let mut districts: Vec<CityDistricts> = Vec::new();
    let mut districts_hidden = false;
    // Hidden counts, then their complements within each city (as the open API does).
    let mut cells: Vec<(String, Option<i64>)> = province
        .groups
        .iter()
        .flatten()
        .map(|g| {
            let city = g.key.rsplit_once('.').map_or("", |(c, _)| c).to_owned();
            (
                city,
                district_rule.group(g.counts.get(map_facility).copied().unwrap_or(0)),
            )
        })
        .collect();
    crate::reports::protect(&mut cells);
    for (g, (_, v)) in province.groups.iter().flatten().zip(cells) {
        values.insert(g.key.clone(), v);
        districts_hidden |= v.is_none();
        let city = reference()
            .region(&g.key)
            .and_then(|d| d.parent_code.clone())
            .unwrap_or_default();
        if districts.last().is_none_or(|c| c.code != city) {
            districts.push(CityDistricts {
                name: short_city(&region_name(Some(&city))).to_owned(),
                code: city,
                rows: Vec::new(),
            });
        }
        if let Some(c) = districts.last_mut() {
            c.rows.push(DistrictRow {
                code: g.key.clone(),
                name: g.name.clone(),
                count: district_rule.text(v),
                hidden: v.is_none(),
            });
        }
    }
    let map_svg = district_map(
        &format!(
            "{} {} — {}, {as_of}",
            tr.t("statistik.map_title"),
            label(map_facility),
            region_name(None)
        ),
        &values,
        tr.t("statistik.map_legend"),
        &district_rule.label(),
    );

    let d = release.as_of.to_string();
    let r = region.map_or("", RegionCode::as_str);
    let downloads = vec![
        Download {
            label: tr.t("statistik.dl_totals").to_owned(),
            format: "CSV",
            href: href("/statistik/facilities.csv", &[("as_of", &d), ("region", r)]),
        },
        Download {
            label: tr.t("statistik.dl_districts").to_owned(),
            format: "CSV",
            href: href(
                "/statistik/facilities.csv",
                &[("as_of", &d), ("group_by", "district")],
            ),
        },
        Download {
            label: tr.t("statistik.dl_totals").to_owned(),
            format: "JSON",
            href: href(
                "/api/v1/public/stats/facilities",
                &[("as_of", &d), ("region", r)],
            ),
        },
        Download {
            label: tr.t("statistik.dl_funnel").to_owned(),
            format: "JSON",
            href: href(
                "/api/v1/public/stats/funnel",
                &[("as_of", &d), ("region", r)],
            ),
        },
        Download {
            label: tr.t("statistik.dl_districts").to_owned(),
            format: "JSON",
            href: href(
                "/api/v1/public/stats/facilities",
                &[("as_of", &d), ("group_by", "district")],
            ),
        },
    ];
    Overview {
        headline: rule.text(rule.total(registered)),
        as_of,
        region_name: region_label,
        empty,
        funnel_svg,
        funnel_omitted: (!omitted.is_empty()).then(|| {
            format!(
                "{} {}.",
                with_min(tr, "statistik.funnel_omitted", min),
                omitted.join(", ")
            )
        }),
        facility_svg,
        any_hidden,
        rows,
        map_facility: label(map_facility),
        map_svg,
        districts_hidden,
        districts,
        downloads,
    }
}

// ---------------------------------------------------------------------------------------
// `/statistik/periode`
// ---------------------------------------------------------------------------------------

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
    pub downloads: Vec<Download>,
}

#[derive(Template)]
#[template(path = "statistik/periode.html")]
struct PeriodPage<'a> {
    c: Chrome<'a>,
    form: HashMap<String, String>,
    errors: HashMap<String, String>,
    regions: Vec<Choice>,
    suppression_note: String,
    figures: Option<PeriodFigures>,
}

impl PeriodPage<'_> {
    fn v(&self, name: &str) -> &str {
        self.form.get(name).map_or("", String::as_str)
    }

    fn has_err(&self, name: &str) -> bool {
        self.errors.contains_key(name)
    }

    fn err(&self, name: &str) -> &str {
        self.errors.get(name).map_or("", String::as_str)
    }
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
pub async fn period(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
) -> Response {
    let tr = app.i18n.tr(lang.lang);
    let c = Chrome::new(tr, uri.path(), uri.query()).for_caller(&caller);
    let mut q = query_of(&uri);
    let min = app.security.public_stats_min_count;
    let parsed = period_args(app.clock.today(), &mut q);
    let mut page = PeriodPage {
        c,
        errors: HashMap::new(),
        regions: region_choices(tr),
        suppression_note: with_min(tr, "statistik.suppression_note", min),
        figures: None,
        form: q,
    };
    let (p, region) = match parsed {
        Ok(v) => v,
        Err(errs) => {
            page.errors = page_errors(tr, &errs, &page.form);
            return render(StatusCode::UNPROCESSABLE_ENTITY, lang, &page);
        }
    };
    match reports::period_report(&app.store, Audience::Public, p, region.as_ref(), None).await {
        Ok(r) => {
            page.figures = Some(period_figures(tr, min, region.as_ref(), &r));
            render(StatusCode::OK, lang, &page)
        }
        Err(e) => store_failure(lang, page.c, e),
    }
}

fn period_figures(
    tr: Tr<'_>,
    min: i64,
    region: Option<&RegionCode>,
    r: &PeriodReport,
) -> PeriodFigures {
    let rule = Suppression::new(min, region, None);
    let names: BTreeMap<String, String> = facilities(tr).into_iter().collect();
    let label = |code: &str| format!("{code} {}", names.get(code).map_or("", String::as_str));
    let shown = |n: i64| rule.text(rule.total(n));
    let (from, to) = (long_date(tr, r.from), long_date(tr, r.to));
    let region_label = region_name(region.map(RegionCode::as_str));
    let title = |key: &str| format!("{} — {region_label}, {from} – {to}", tr.t(key));
    let rows: Vec<PeriodRow> = r
        .first_reached
        .iter()
        .map(|(code, &n)| PeriodRow {
            code: code.clone(),
            name: names.get(code).cloned().unwrap_or_default(),
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
    let mut first_bars = vec![Bar {
        label: label("P1"),
        value: rule.total(r.new_registrants),
        note: Some(tr.t("statistik.new_registrants").to_owned()),
    }];
    first_bars.extend(r.first_reached.iter().map(|(code, &n)| Bar {
        label: label(code),
        value: rule.total(n),
        note: None,
    }));
    let event_bars: Vec<Bar> = r
        .events
        .iter()
        .map(|(code, &n)| Bar {
            label: label(code),
            value: rule.total(n),
            note: None,
        })
        .collect();
    let none: &[Bar] = &[];
    let first_svg = bar_chart(
        &title("statistik.period_first_title"),
        if nothing { none } else { &first_bars },
        &rule.label(),
        tr.t("statistik.no_data"),
    );
    let events_svg = bar_chart(
        &title("statistik.period_events_title"),
        if nothing { none } else { &event_bars },
        &rule.label(),
        tr.t("statistik.no_data"),
    );
    let (f, t) = (r.from.to_string(), r.to.to_string());
    let code = region.map_or("", RegionCode::as_str);
    let pairs = [("from", f.as_str()), ("to", t.as_str()), ("region", code)];
    PeriodFigures {
        new_registrants: shown(r.new_registrants),
        permits_issued: shown(r.permits_issued),
        exhibition_participations: shown(r.exhibition_participations),
        from,
        to,
        region_name: region_label,
        rows,
        any_hidden,
        first_svg,
        events_svg,
        downloads: vec![
            Download {
                label: tr.t("statistik.dl_period").to_owned(),
                format: "CSV",
                href: href("/statistik/periode.csv", &pairs),
            },
            Download {
                label: tr.t("statistik.dl_period").to_owned(),
                format: "JSON",
                href: href("/api/v1/public/stats/period", &pairs),
            },
        ],
    }
}

// ---------------------------------------------------------------------------------------
// `/statistik/kohort`
// ---------------------------------------------------------------------------------------

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

/// The cohort report for the open pages. `Store::cohorts` asks for an actor who may read
/// members, because the staff API serves the same figures unsuppressed. What it returns
/// is aggregates only (registrants per month, members reached, medians), never a
/// member's record, so the open pages read it as the system and apply the public rule
/// ([`public_cohort`]) themselves before anything is shown or downloaded.
async fn public_cohort_report(
    store: &jakpreneur_store::Store,
    range: (NaiveDate, NaiveDate),
    region: Option<&RegionCode>,
    today: NaiveDate,
) -> jakpreneur_store::Result<CohortReport> {
    reports::cohort_report(store, &Actor::system("statistik"), range, region, today).await
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
        },
    )
}

fn year_month(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// A month as people write it: `Maret 2024`.
fn month_name(tr: Tr<'_>, d: NaiveDate) -> String {
    let months: Vec<&str> = tr.t("statistik.months").split(',').map(str::trim).collect();
    match months.get(d.month0() as usize) {
        Some(m) if months.len() == 12 => format!("{m} {}", d.year()),
        _ => year_month(d),
    }
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
    pub downloads: Vec<Download>,
}

#[derive(Template)]
#[template(path = "statistik/kohort.html")]
struct CohortPage<'a> {
    c: Chrome<'a>,
    form: HashMap<String, String>,
    errors: HashMap<String, String>,
    regions: Vec<Choice>,
    suppression_note: String,
    figures: Option<CohortFigures>,
}

impl CohortPage<'_> {
    fn v(&self, name: &str) -> &str {
        self.form.get(name).map_or("", String::as_str)
    }

    fn has_err(&self, name: &str) -> bool {
        self.errors.contains_key(name)
    }

    fn err(&self, name: &str) -> &str {
        self.errors.get(name).map_or("", String::as_str)
    }
}

/// `GET /statistik/kohort`.
pub async fn cohorts(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
) -> Response {
    let tr = app.i18n.tr(lang.lang);
    let c = Chrome::new(tr, uri.path(), uri.query()).for_caller(&caller);
    let min = app.security.public_stats_min_count;
    let today = app.clock.today();
    let mut page = CohortPage {
        c,
        errors: HashMap::new(),
        regions: region_choices(tr),
        suppression_note: with_min(tr, "statistik.cohort_suppression_note", min),
        figures: None,
        form: query_of(&uri),
    };
    let ((from, to), region) = match cohort_page_args(today, &page.form) {
        Ok(v) => v,
        Err(errs) => {
            page.errors = page_errors(tr, &errs, &page.form);
            return render(StatusCode::UNPROCESSABLE_ENTITY, lang, &page);
        }
    };
    // The form shows the months counted, the defaults filled in.
    page.form.insert("from".to_owned(), year_month(from));
    page.form.insert("to".to_owned(), year_month(to));
    match public_cohort_report(&app.store, (from, to), region.as_ref(), today).await {
        Ok(r) => {
            page.figures = Some(cohort_figures(tr, min, region.as_ref(), &r, (from, to)));
            render(StatusCode::OK, lang, &page)
        }
        Err(e) => store_failure(lang, page.c, e),
    }
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
        downloads: vec![Download {
            label: tr.t("statistik.dl_cohorts").to_owned(),
            format: "CSV",
            href: href(
                "/statistik/kohort.csv",
                &[("from", &f), ("to", &t), ("region", code)],
            ),
        }],
    }
}

// ---------------------------------------------------------------------------------------
// `/statistik/target`
// ---------------------------------------------------------------------------------------

/// One open target as the page shows it.
pub struct TargetCard {
    pub id: i64,
    /// The definition's anchor on `/statistik/definisi`.
    pub anchor: String,
    pub indicator: String,
    /// The code the target names (`first_reached_p7`).
    pub code: String,
    pub owner: String,
    pub value: String,
    pub period: String,
    pub source: String,
    pub current: String,
    pub counted_to: String,
    /// The deadline has passed: the figure is counted up to it.
    pub closed: bool,
    pub share: String,
    /// `None` when the figure is hidden.
    pub bar_svg: Option<String>,
    pub gain: String,
    pub projection: String,
    /// `None` when the figure is hidden.
    pub on_track: Option<bool>,
    pub hidden: bool,
}

#[derive(Template)]
#[template(path = "statistik/target.html")]
struct TargetsPage<'a> {
    c: Chrome<'a>,
    as_of: String,
    suppression_note: String,
    any_hidden: bool,
    targets: Vec<TargetCard>,
}

/// The definition a target's indicator code points to, and its name: `reached_p7` →
/// (`reached`, "Anggota yang mencapai fasilitas: P7 …").
fn target_indicator(tr: Tr<'_>, code: &str) -> (String, String) {
    let name = |i: &jakpreneur_core::indicators::Indicator| {
        if tr.lang == Lang::En {
            i.name_en
        } else {
            i.name_id
        }
    };
    if let Some(i) = indicator(code) {
        return (i.code.to_owned(), name(i).to_owned());
    }
    if let Some(k) = code.strip_prefix("reached_at_least_")
        && let Some(i) = indicator("reached_at_least")
    {
        return (i.code.to_owned(), format!("{} (k = {k})", name(i)));
    }
    let stages: BTreeMap<String, String> = facilities(tr).into_iter().collect();
    for base in ["first_reached", "reached", "events"] {
        if let Some(stage) = code
            .strip_prefix(base)
            .and_then(|s| s.strip_prefix("_p"))
            .map(|s| format!("P{s}"))
            && let (Some(i), Some(stage_name)) = (indicator(base), stages.get(&stage))
        {
            return (
                i.code.to_owned(),
                format!("{}: {stage} {stage_name}", name(i)),
            );
        }
    }
    (code.to_owned(), code.to_owned())
}

/// Whom a target is for: an agency, a region, or the whole province.
fn target_owner(tr: Tr<'_>, t: &TargetView) -> String {
    if let Some(a) = &t.agency {
        return programmes().agency(a).map_or_else(
            || a.clone(),
            |a| {
                if tr.lang == Lang::En {
                    a.name_en.clone()
                } else {
                    a.name_id.clone()
                }
            },
        );
    }
    match t.region.as_deref() {
        None | Some("31") => "DKI Jakarta".to_owned(),
        Some(r) => region_name(Some(r)),
    }
}

/// A progress bar as an SVG: the share of the value reached (full at 100% or more),
/// green when on track, red when not.
fn progress_bar(share: f64, on_track: bool, label: &str) -> String {
    const W: f64 = 320.0;
    const H: f64 = 14.0;
    let filled = if share.is_finite() {
        (share.clamp(0.0, 1.0) * W * 10.0).round() / 10.0
    } else {
        0.0
    };
    let colour = if on_track { "#1f7a3f" } else { "#b42318" };
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{}" class="progress-bar"><title>{}</title><rect class="progress-track" width="{W}" height="{H}" rx="3" fill="#e4e7eb"/><rect class="progress-done" width="{filled}" height="{H}" rx="3" fill="{colour}"/></svg>"##,
        escape(label),
        escape(label),
    )
}

fn target_card(tr: Tr<'_>, min: i64, t: &TargetView, today: NaiveDate) -> TargetCard {
    let region = t
        .region
        .as_deref()
        .and_then(|r| RegionCode::parse("region", r).ok());
    // An agency's figure is one group of the breakdown by agency.
    let by = t.agency.as_ref().map(|_| Breakdown::Agency);
    let rule = Suppression::new(min, region.as_ref(), by);
    let shown = |n: i64| {
        if by.is_some() {
            rule.group(n)
        } else {
            rule.total(n)
        }
    };
    let (current, gain) = (shown(t.current), shown(t.last_12_months));
    let hidden = current.is_none() || gain.is_none();
    let (anchor, indicator) = target_indicator(tr, &t.indicator);
    let deadline = long_date(tr, t.deadline);
    let period = match t.from {
        Some(f) => format!("{} – {deadline}", long_date(tr, f)),
        None => format!("{} {deadline}", tr.t("statistik.target_by")),
    };
    let share = format_share(t.share);
    let projection = if hidden {
        rule.label()
    } else if t.reached {
        tr.t("statistik.target_reached").to_owned()
    } else {
        t.projected_on.map_or_else(
            || tr.t("statistik.target_never").to_owned(),
            |d| long_date(tr, d),
        )
    };
    TargetCard {
        id: t.id,
        anchor,
        indicator,
        code: t.indicator.clone(),
        owner: target_owner(tr, t),
        value: format_count(t.value),
        period,
        source: t.source.clone(),
        current: rule.text(current),
        counted_to: long_date(tr, t.counted_to),
        closed: t.deadline < today,
        bar_svg: (!hidden).then(|| {
            progress_bar(
                t.share,
                t.on_track,
                &tr.t("statistik.target_bar_label")
                    .replace("{share}", &share)
                    .replace("{value}", &format_count(t.value)),
            )
        }),
        share: if hidden { rule.label() } else { share },
        gain: rule.text(gain),
        projection,
        on_track: (!hidden).then_some(t.on_track),
        hidden,
    }
}

/// `GET /statistik/target`.
pub async fn targets(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
) -> Response {
    let tr = app.i18n.tr(lang.lang);
    let c = Chrome::new(tr, uri.path(), uri.query()).for_caller(&caller);
    let min = app.security.public_stats_min_count;
    let today = app.clock.today();
    let report = match reports::target_report(&app.store, Audience::Public, today).await {
        Ok(r) => r,
        Err(e) => return store_failure(lang, c, e),
    };
    let targets: Vec<TargetCard> = report
        .items
        .iter()
        .map(|t| target_card(tr, min, t, today))
        .collect();
    let page = TargetsPage {
        c,
        as_of: long_date(tr, report.as_of),
        suppression_note: with_min(tr, "statistik.suppression_note", min),
        any_hidden: targets.iter().any(|t| t.hidden),
        targets,
    };
    render(StatusCode::OK, lang, &page)
}

// ---------------------------------------------------------------------------------------
// `/statistik/definisi`
// ---------------------------------------------------------------------------------------

/// One indicator as the definitions page shows it.
pub struct IndicatorView {
    pub code: &'static str,
    pub name: &'static str,
    /// The other language's name, so either can be searched for.
    pub other_name: &'static str,
    pub measure: String,
    /// `reached_p1 … reached_p7` for an indicator per facility.
    pub codes: Option<String>,
    pub definition: String,
    pub unit: String,
    pub counts: &'static str,
}

#[derive(Template)]
#[template(path = "statistik/definisi.html")]
struct DefinitionsPage<'a> {
    c: Chrome<'a>,
    indicators: Vec<IndicatorView>,
    suppression_rule: String,
}

fn indicator_views(tr: Tr<'_>) -> Vec<IndicatorView> {
    INDICATORS
        .iter()
        .map(|i| {
            let (name, other_name) = if tr.lang == Lang::En {
                (i.name_en, i.name_id)
            } else {
                (i.name_id, i.name_en)
            };
            let text = |field: &str| {
                let t = tr.t(&format!("indicator.{}.{field}", i.code));
                (!t.is_empty()).then(|| t.to_owned())
            };
            IndicatorView {
                code: i.code,
                name,
                other_name,
                measure: tr
                    .t(match i.measure {
                        Measure::AsOf => "statistik.measure_as_of",
                        Measure::Period => "statistik.measure_period",
                        Measure::Cohort => "statistik.measure_cohort",
                    })
                    .to_owned(),
                codes: i.per_facility.then(|| format!("{0}_p1 … {0}_p7", i.code)),
                definition: text("definition").unwrap_or_else(|| i.definition.to_owned()),
                unit: text("unit").unwrap_or_else(|| i.unit.to_owned()),
                counts: i.counts,
            }
        })
        .collect()
}

/// `GET /statistik/definisi`.
pub async fn definitions(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
) -> Response {
    let tr = app.i18n.tr(lang.lang);
    let c = Chrome::new(tr, uri.path(), uri.query()).for_caller(&caller);
    let page = DefinitionsPage {
        c,
        indicators: indicator_views(tr),
        suppression_rule: with_min(
            tr,
            "statistik.suppression_rule",
            app.security.public_stats_min_count,
        ),
    };
    render(StatusCode::OK, lang, &page)
}

// ---------------------------------------------------------------------------------------
// CSV downloads
// ---------------------------------------------------------------------------------------

/// One CSV field, quoted when it holds a separator, a quote or a line break (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A table as CSV: the header, then the rows, lines ended by CRLF.
fn csv_text(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for line in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let fields: Vec<String> = line.iter().map(|f| csv_field(f)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

fn csv_response(filename: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The facility release as rows, hidden counts as empty cells.
fn release_csv(t: &Table, rule: Suppression) -> Vec<Vec<String>> {
    let mut grid: Vec<Vec<Option<i64>>> = t
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .skip(2)
                .map(|cell| {
                    let n = cell.parse::<i64>().unwrap_or(0);
                    if i == 0 { rule.total(n) } else { rule.group(n) }
                })
                .collect()
        })
        .collect();
    // Complementary suppression per column among the groups, as in the open API: the
    // family of a region is its parent, of any other group the whole breakdown.
    let columns = grid.first().map_or(0, Vec::len);
    for j in 0..columns {
        let mut cells: Vec<(String, Option<i64>)> = t
            .rows
            .iter()
            .zip(&grid)
            .skip(1)
            .map(|(row, g)| {
                let family = row[0].rsplit_once('.').map_or("", |(p, _)| p).to_owned();
                (family, g[j])
            })
            .collect();
        crate::reports::protect(&mut cells);
        for (g, (_, v)) in grid.iter_mut().skip(1).zip(cells) {
            g[j] = v;
        }
    }
    t.rows
        .iter()
        .zip(grid)
        .map(|(row, g)| {
            row.iter()
                .take(2)
                .cloned()
                .chain(
                    g.into_iter()
                        .map(|v| v.map_or_else(String::new, |n| n.to_string())),
                )
                .collect()
        })
        .collect()
}

/// `GET /statistik/facilities.csv?as_of=&region=&group_by=`: the facility release of
/// the public API as CSV (`group,name,P1,…,P7`; the first row is the region's total).
pub async fn facilities_csv(
    State(app): State<AppState>,
    OriginalUri(uri): OriginalUri,
) -> Response {
    let q = query_of(&uri);
    let get = |k: &str| q.get(k).map(String::as_str);
    let mut errs = ValidationErrors::default();
    let as_of = parse_day(&mut errs, "as_of", get("as_of"), Some(app.clock.today()));
    let region = parse_region(&mut errs, get("region"));
    let by = parse_group_by(&mut errs, get("group_by"), region.as_ref());
    let Some(as_of) = as_of.filter(|_| errs.is_empty()) else {
        return ApiError::from(errs).into_response();
    };
    let r =
        match reports::facility_release(&app.store, Audience::Public, as_of, region.as_ref(), by)
            .await
        {
            Ok(r) => r,
            Err(e) => return ApiError::from(e).into_response(),
        };
    let rule = Suppression::new(app.security.public_stats_min_count, region.as_ref(), by);
    let t = r.table();
    let mut name = format!("jakpreneur-facilities-{as_of}");
    if let Some(r) = &region {
        name.push('-');
        name.push_str(&r.as_str().replace('.', ""));
    }
    if let Some(b) = get("group_by").and_then(|b| given(Some(b))) {
        name.push_str("-by-");
        name.push_str(b);
    }
    name.push_str(".csv");
    csv_response(&name, csv_text(&t.header, &release_csv(&t, rule)))
}

/// `GET /statistik/periode.csv?from=&to=&region=`: the period report as CSV, one row per
/// indicator (`indicator,facility,value`), hidden counts as empty cells.
pub async fn period_csv(State(app): State<AppState>, OriginalUri(uri): OriginalUri) -> Response {
    let mut q = query_of(&uri);
    let ((from, to), region) = match period_args(app.clock.today(), &mut q) {
        Ok(v) => v,
        Err(errs) => return ApiError::from(errs).into_response(),
    };
    let r = match reports::period_report(
        &app.store,
        Audience::Public,
        (from, to),
        region.as_ref(),
        None,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let rule = Suppression::new(app.security.public_stats_min_count, region.as_ref(), None);
    let cell = |n: i64| rule.total(n).map_or_else(String::new, |n| n.to_string());
    let row = |indicator: &str, facility: &str, n: i64| {
        vec![indicator.to_owned(), facility.to_owned(), cell(n)]
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
    let mut name = format!("jakpreneur-period-{from}-{to}");
    if let Some(r) = &region {
        name.push('-');
        name.push_str(&r.as_str().replace('.', ""));
    }
    name.push_str(".csv");
    csv_response(&name, csv_text(&header, &rows))
}

/// `GET /statistik/kohort.csv?from=&to=&region=`: the cohort report as CSV, one row per
/// cohort and facility (`cohort,registrants,facility,reached,within_3_months,…,
/// median_days`), with the page's suppression: hidden figures, and shares not
/// observable yet, are empty cells.
pub async fn cohorts_csv(State(app): State<AppState>, OriginalUri(uri): OriginalUri) -> Response {
    let q = query_of(&uri);
    let today = app.clock.today();
    let ((from, to), region) = match cohort_page_args(today, &q) {
        Ok(v) => v,
        Err(errs) => return ApiError::from(errs).into_response(),
    };
    let r = match public_cohort_report(&app.store, (from, to), region.as_ref(), today).await {
        Ok(r) => r,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let rule = Suppression::new(app.security.public_stats_min_count, region.as_ref(), None);
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
    let mut name = format!("jakpreneur-cohorts-{}-{}", year_month(from), year_month(to));
    if let Some(r) = &region {
        name.push('-');
        name.push_str(&r.as_str().replace('.', ""));
    }
    name.push_str(".csv");
    csv_response(&name, csv_text(&header, &rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Catalogues;

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("Gambir"), "Gambir");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        let t = csv_text(&["a".into(), "b".into()], &[vec!["1".into(), "x,y".into()]]);
        assert_eq!(t, "a,b\r\n1,\"x,y\"\r\n");
    }

    #[test]
    fn suppression_follows_the_public_api() {
        let district = RegionCode::parse("region", "31.71.01").unwrap();
        let city = RegionCode::parse("region", "31.71").unwrap();
        let by_district = Some(Breakdown::Region(RegionLevel::District));
        let by_city = Some(Breakdown::Region(RegionLevel::City));
        let province = Suppression::new(5, None, by_district);
        assert_eq!(province.total(3), Some(3));
        assert_eq!(province.group(4), None);
        assert_eq!(province.group(5), Some(5));
        assert_eq!(Suppression::new(5, None, by_city).group(1), Some(1));
        assert_eq!(Suppression::new(5, Some(&city), None).total(2), Some(2));
        let small = Suppression::new(5, Some(&district), None);
        assert_eq!(small.total(4), None);
        assert_eq!(small.total(0), None);
        assert_eq!(small.text(None), "<5");
        assert_eq!(small.text(Some(1234)), "1.234");
    }

    #[test]
    fn every_indicator_is_defined_in_both_languages() {
        let c = Catalogues::embedded();
        for lang in [Lang::Id, Lang::En] {
            let tr = c.tr(lang);
            for i in &INDICATORS {
                for field in ["definition", "unit"] {
                    let key = format!("indicator.{}.{field}", i.code);
                    assert!(!tr.t(&key).is_empty(), "{key} missing in {lang:?}");
                }
            }
        }
        // The English text is the definition itself, word for word.
        let en = c.tr(Lang::En);
        for i in &INDICATORS {
            assert_eq!(
                en.t(&format!("indicator.{}.definition", i.code)),
                i.definition,
                "{}",
                i.code
            );
            assert_eq!(en.t(&format!("indicator.{}.unit", i.code)), i.unit);
        }
    }

    #[test]
    fn dates_are_written_out() {
        let c = Catalogues::embedded();
        let d = NaiveDate::from_ymd_opt(2026, 2, 3).unwrap();
        assert_eq!(long_date(c.tr(Lang::Id), d), "3 Februari 2026");
        assert_eq!(long_date(c.tr(Lang::En), d), "3 February 2026");
    }

    #[test]
    fn the_region_choice_lists_the_province_cities_and_districts() {
        let c = Catalogues::embedded();
        let choices = region_choices(c.tr(Lang::Id));
        assert_eq!(choices.len(), 1 + 6 + 44);
        assert_eq!(choices[0].value, "");
        assert_eq!(
            short_city("Kota Administrasi Jakarta Pusat"),
            "Jakarta Pusat"
        );
        assert_eq!(
            short_city("Kabupaten Administrasi Kepulauan Seribu"),
            "Kepulauan Seribu"
        );
    }
}
