//! `/statistik`: the open-data statistics pages, for everyone and without login.
//!
//! - `/statistik`: registered members as of a date (the headline) with the funnel of the
//!   seven facilities P1–P7 and both shares (of registrants, of the previous facility:
//!   the gap), the facility bar chart and table, and the choropleth of the 44 districts
//!   for one facility with its table.
//! - `/statistik/periode`: the period report (new registrants, first reached per
//!   facility, qualifying services, permits issued, exhibition participations).
//! - `/statistik/definisi`: every indicator of `jakpreneur_core::indicators`, the region
//!   rule and the suppression rule; the figures above link to their anchors.
//! - `/statistik/facilities.csv` and `/statistik/periode.csv`: the same figures as CSV.
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
use jakpreneur_core::indicators::{INDICATORS, Measure};
use jakpreneur_core::programme::{JAKPRENEUR, programmes};
use jakpreneur_core::reference::reference;
use jakpreneur_core::text::given;
use jakpreneur_core::{FieldError, RegionCode, RegionLevel, ValidationErrors};
use jakpreneur_store::Breakdown;

use super::{Chrome, field_errors, render, store_failure};
use crate::AppState;
use crate::charts::{Bar, FunnelRow, bar_chart, district_map, format_share, funnel_chart};
use crate::error::ApiError;
use crate::i18n::{Lang, PageLang, Tr};
use crate::reports::{
    self, Audience, FacilityRelease, Funnel, PeriodReport, Suppression, Table, parse_day,
    parse_group_by, parse_period, parse_region,
};
use crate::security::Caller;

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
    for g in province.groups.iter().flatten() {
        let v = district_rule.group(g.counts.get(map_facility).copied().unwrap_or(0));
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
    t.rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, cell)| {
                    if j < 2 {
                        return cell.clone();
                    }
                    let n = cell.parse::<i64>().unwrap_or(0);
                    let v = if i == 0 { rule.total(n) } else { rule.group(n) };
                    v.map_or_else(String::new, |n| n.to_string())
                })
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
