//! `/statistik`: registered members as of a date (the headline) with the funnel of the
//! seven facilities P1–P7 and both shares (of registrants, of the previous facility:
//! the gap), the facility bar chart and table, and the choropleth of the 44 districts
//! for one facility with its table; and `/statistik/facilities.csv`, the facility
//! release as CSV.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::response::Response;
use chrono::NaiveDate;
use jakpreneur_core::programme::{JAKPRENEUR, programmes};
use jakpreneur_core::reference::reference;
use jakpreneur_core::text::given;
use jakpreneur_core::{FieldError, RegionCode, RegionLevel, ValidationErrors};
use jakpreneur_reports::sheet::SheetFormat;
use jakpreneur_reports::{
    self as reports, Audience, FacilityRelease, Funnel, Suppression, Table, parse_day,
    parse_group_by, parse_region, protect,
};
use jakpreneur_store::{Breakdown, Store};

use super::{
    Choice, Download, FacilityNames, FormState, PageCtx, facilities, file_region, long_date,
    query_of, region_choices, region_name, sheet_download, with_min,
};
use crate::AppState;
use crate::charts::{Bar, FunnelRow, bar_chart, district_map, format_share, funnel_chart};
use crate::error::ApiError;
use crate::i18n::Tr;
use crate::pages::{Chrome, render, store_failure};

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
    /// Said where a count is hidden.
    pub suppression_note: String,
    pub downloads: Vec<Download>,
}

#[derive(Template)]
#[template(path = "statistik/index.html")]
struct OverviewPage<'a> {
    c: Chrome<'a>,
    form: FormState,
    regions: Vec<Choice>,
    facilities: Vec<(String, String)>,
    figures: Option<Overview>,
}

impl OverviewPage<'_> {
    /// The facility the map shows: the one asked for, else P1.
    fn map_choice(&self) -> &str {
        given(Some(self.form.v("facility"))).unwrap_or("P1")
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

/// The releases as of `as_of`: of the region asked for, and of the whole province by
/// district (for the map, which always shows every district).
async fn releases(
    store: &Store,
    as_of: NaiveDate,
    region: Option<&RegionCode>,
) -> jakpreneur_store::Result<(FacilityRelease, FacilityRelease)> {
    let by_district = Some(Breakdown::Region(RegionLevel::District));
    let province =
        reports::facility_release(store, Audience::Public, as_of, None, by_district).await?;
    let release = match region {
        None => province.clone(),
        Some(r) => reports::facility_release(store, Audience::Public, as_of, Some(r), None).await?,
    };
    Ok((release, province))
}

/// `GET /statistik`.
pub async fn overview(req: PageCtx) -> Response {
    let (c, min) = (req.chrome(), req.min());
    let tr = c.tr;
    let mut form = FormState::of(&req.uri);
    let mut figures = None;
    let today = req.app.clock.today();
    if let Some((as_of, region, facility)) = form.read(tr, |q| overview_args(today, q)) {
        // The form shows the date counted, today when none was given.
        form.set("as_of", as_of.to_string());
        form.set("facility", facility.clone());
        let region = region.as_ref();
        let (release, province) = match releases(&req.app.store, as_of, region).await {
            Ok(r) => r,
            Err(e) => return store_failure(req.lang, c, e),
        };
        let f = overview_figures(tr, min, region, &release, &province, &facility);
        figures = Some(f);
    }
    let page = OverviewPage {
        c,
        form,
        regions: region_choices(tr),
        facilities: facilities(tr),
        figures,
    };
    render(page.form.status(), req.lang, &page)
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
    let names = FacilityNames::new(tr);
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
        let share = |v: Option<f64>| {
            if hidden {
                rule.label()
            } else {
                v.map_or_else(|| "–".to_owned(), format_share)
            }
        };
        rows.push(FacilityRow {
            code: s.facility.clone(),
            name: names.name(&s.facility),
            count: rule.text(count),
            share_of_registrants: share(of_registrants),
            share_of_previous: share(of_previous),
            hidden,
        });
        // A hidden stage is left out of the picture (its bar would show its size) and
        // named under it instead.
        if hidden {
            omitted.push(names.label(&s.facility));
        } else {
            chart_rows.push(FunnelRow {
                label: names.label(&s.facility),
                count: s.count,
                share_of_registrants: of_registrants,
                share_of_previous: of_previous,
            });
        }
    }
    let any_hidden = rows.iter().any(|r| r.hidden);
    let registered = release.counts.get("P1").copied().unwrap_or(0);
    let empty = registered == 0;
    let title = |key: &str| format!("{} — {region_label}, {as_of}", tr.t(key));
    let funnel_svg = (!chart_rows.is_empty()).then(|| {
        funnel_chart(
            &title("statistik.funnel_title"),
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
                label: names.label(code),
                value: rule.total(n),
                note: None,
            })
            .collect()
    };
    let facility_svg = bar_chart(
        &title("statistik.facility_chart_title"),
        &bars,
        &rule.label(),
        tr.t("statistik.no_data"),
    );
    let map_title = format!(
        "{} {} — {}, {as_of}",
        tr.t("statistik.map_title"),
        names.label(map_facility),
        region_name(None)
    );
    let map = DistrictMap::new(tr, min, province, map_facility, &map_title);
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
        map_facility: names.label(map_facility),
        map_svg: map.svg,
        districts_hidden: map.hidden,
        districts: map.cities,
        suppression_note: with_min(tr, "statistik.suppression_note", min),
        downloads: downloads(tr, release.as_of, region),
    }
}

/// The map of every district of the province for one facility, and its tables.
struct DistrictMap {
    svg: String,
    cities: Vec<CityDistricts>,
    /// Some district's count is hidden.
    hidden: bool,
}

impl DistrictMap {
    fn new(tr: Tr<'_>, min: i64, province: &FacilityRelease, facility: &str, title: &str) -> Self {
        let rule = Suppression::new(min, None, Some(Breakdown::Region(RegionLevel::District)));
        let mut values = BTreeMap::new();
        let mut cities: Vec<CityDistricts> = Vec::new();
        let mut hidden = false;
        // Hidden counts, then their complements within each city (as the open API does).
        let mut cells: Vec<(String, Option<i64>)> = province
            .groups
            .iter()
            .flatten()
            .map(|g| {
                let city = g.key.rsplit_once('.').map_or("", |(c, _)| c).to_owned();
                (
                    city,
                    rule.group(g.counts.get(facility).copied().unwrap_or(0)),
                )
            })
            .collect();
        protect(&mut cells);
        for (g, (_, v)) in province.groups.iter().flatten().zip(cells) {
            values.insert(g.key.clone(), v);
            hidden |= v.is_none();
            let city = reference()
                .region(&g.key)
                .and_then(|d| d.parent_code.clone())
                .unwrap_or_default();
            if cities.last().is_none_or(|c| c.code != city) {
                cities.push(CityDistricts {
                    name: short_city(&region_name(Some(&city))).to_owned(),
                    code: city,
                    rows: Vec::new(),
                });
            }
            if let Some(c) = cities.last_mut() {
                c.rows.push(DistrictRow {
                    name: g.name.clone(),
                    count: rule.text(v),
                    hidden: v.is_none(),
                });
            }
        }
        let svg = district_map(title, &values, tr.t("statistik.map_legend"), &rule.label());
        Self {
            svg,
            cities,
            hidden,
        }
    }
}

/// The figures of the page as CSV and JSON: the region's totals and funnel, and the
/// province by district.
fn downloads(tr: Tr<'_>, as_of: NaiveDate, region: Option<&RegionCode>) -> Vec<Download> {
    let d = as_of.to_string();
    let totals = [
        ("as_of", d.as_str()),
        ("region", region.map_or("", RegionCode::as_str)),
    ];
    let by_district = [("as_of", d.as_str()), ("group_by", "district")];
    let csv = "/statistik/facilities.csv";
    let xlsx = "/statistik/facilities.xlsx";
    let api = "/api/v1/public/stats/facilities";
    let funnel = "/api/v1/public/stats/funnel";
    vec![
        Download::new(tr, "statistik.dl_totals", "CSV", csv, &totals),
        Download::new(tr, "statistik.dl_totals", "XLSX", xlsx, &totals),
        Download::new(tr, "statistik.dl_districts", "CSV", csv, &by_district),
        Download::new(tr, "statistik.dl_districts", "XLSX", xlsx, &by_district),
        Download::new(tr, "statistik.dl_totals", "JSON", api, &totals),
        Download::new(tr, "statistik.dl_funnel", "JSON", funnel, &totals),
        Download::new(tr, "statistik.dl_districts", "JSON", api, &by_district),
    ]
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
        protect(&mut cells);
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

/// `GET /statistik/facilities.csv` (and `.xlsx`) `?as_of=&region=&group_by=`: the facility release of
/// the public API as CSV (`group,name,P1,…,P7`; the first row is the region's total).
pub async fn facilities_file(
    State(app): State<AppState>,
    OriginalUri(uri): OriginalUri,
    format: SheetFormat,
) -> Result<Response, ApiError> {
    let q = query_of(&uri);
    let get = |k: &str| q.get(k).map(String::as_str);
    let mut errs = ValidationErrors::default();
    let as_of = parse_day(&mut errs, "as_of", get("as_of"), Some(app.clock.today()));
    let region = parse_region(&mut errs, get("region"));
    let by = parse_group_by(&mut errs, get("group_by"), region.as_ref());
    let Some(as_of) = as_of.filter(|_| errs.is_empty()) else {
        return Err(errs.into());
    };
    let r =
        reports::facility_release(&app.store, Audience::Public, as_of, region.as_ref(), by).await?;
    let rule = Suppression::new(app.security.shown_from(), region.as_ref(), by);
    let t = r.table();
    let by_name = given(get("group_by")).map_or_else(String::new, |b| format!("-by-{b}"));
    let name = format!(
        "jakpreneur-facilities-{as_of}{}{by_name}",
        file_region(region.as_ref())
    );
    let rows = release_csv(&t, rule);
    sheet_download(&name, format, t.title, t.header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_city_is_named_without_its_title() {
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
