//! `/statistik`: the open-data statistics pages, for everyone and without login, one
//! module a page — [`overview`] (`/statistik` and `facilities.csv`), [`period`]
//! (`/statistik/periode` and `periode.csv`), [`cohorts`] (`/statistik/kohort` and
//! `kohort.csv`), [`targets`] (`/statistik/target`) and [`definitions`]
//! (`/statistik/definisi`) — and here what they share: the query and its form, links,
//! the region and facility names, dates, and writing CSV.
//!
//! The figures come from `jakpreneur_reports` for [`Audience::Public`](jakpreneur_reports::Audience),
//! and small counts are hidden by the rule of the public API (`api/stats.rs`): for a
//! district or village, and for groups other than cities, a count below
//! `security.public_stats_min_count` is not shown ("<5" on the page, an empty cell in
//! CSV), nor are the shares that would reveal it; province and city totals are shown as
//! they are. Charts are server-rendered SVG (`crate::charts`); the pages need no script
//! and print cleanly.

mod cohorts;
mod definitions;
mod eorder;
mod overview;
mod period;
mod placement;
mod targets;

pub use cohorts::{cohort_file, cohorts};
pub use definitions::definitions;
pub use eorder::eorder;
pub use overview::{facilities_file, overview};
pub use period::{period, period_file};
pub use placement::placement;
pub use targets::targets;

use std::collections::{BTreeMap, HashMap};

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use jakpreneur_core::programme::{JAKPRENEUR, programmes};
use jakpreneur_core::reference::reference;
use jakpreneur_core::{RegionCode, RegionLevel, ValidationErrors};
use jakpreneur_reports::Table;
use jakpreneur_reports::sheet::{SheetFormat, write_table};
use jakpreneur_store::StoreError;

use super::ctx::PageCtx;
use super::field_errors;
use crate::error::ApiError;
use crate::i18n::{Lang, Tr};

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

impl PageCtx {
    /// Below this a district's or a village's (noised) count is hidden.
    fn min(&self) -> i64 {
        self.app.security.shown_from()
    }
}

/// The Indonesian or the English of a pair, as the page is read.
fn in_lang<T>(tr: Tr<'_>, id: T, en: T) -> T {
    if tr.lang == Lang::En { en } else { id }
}

/// `tr.t(key)` with `{min}` replaced by the threshold.
fn with_min(tr: Tr<'_>, key: &str, min: i64) -> String {
    tr.t(key).replace("{min}", &min.to_string())
}

/// The name of `d`'s month; `None` when the catalogue does not name all twelve.
fn month_of<'a>(tr: Tr<'a>, d: NaiveDate) -> Option<&'a str> {
    let months: Vec<&str> = tr.t("statistik.months").split(',').map(str::trim).collect();
    months
        .get(d.month0() as usize)
        .copied()
        .filter(|_| months.len() == 12)
}

/// A date as people write it: `23 November 2026`.
fn long_date(tr: Tr<'_>, d: NaiveDate) -> String {
    tr.date(&d)
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
        .map(|s| (s.stage.clone(), in_lang(tr, &s.name_id, &s.name_en).clone()))
        .collect()
}

/// The facilities' names by code, for tables and the labels of charts.
struct FacilityNames(BTreeMap<String, String>);

impl FacilityNames {
    fn new(tr: Tr<'_>) -> Self {
        Self(facilities(tr).into_iter().collect())
    }

    fn get(&self, code: &str) -> Option<&str> {
        self.0.get(code).map(String::as_str)
    }

    /// The name alone; empty for a code that is no facility.
    fn name(&self, code: &str) -> String {
        self.get(code).unwrap_or_default().to_owned()
    }

    /// The code and the name, as a chart labels a facility: `P2 Pelatihan`.
    fn label(&self, code: &str) -> String {
        format!("{code} {}", self.get(code).unwrap_or_default())
    }
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

impl Download {
    fn new(
        tr: Tr<'_>,
        label: &str,
        format: &'static str,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> Self {
        Self {
            label: tr.t(label).to_owned(),
            format,
            href: href(path, pairs),
        }
    }
}

/// The form of the pages that take parameters: the fields as typed (the query string,
/// with what the page fills in) and the message of each field refused. The templates
/// read it as `form`.
struct FormState {
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
}

impl FormState {
    fn of(uri: &Uri) -> Self {
        Self {
            values: query_of(uri),
            errors: HashMap::new(),
        }
    }

    /// The field as typed; empty when it was not sent.
    fn v(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    fn has_err(&self, name: &str) -> bool {
        self.errors.contains_key(name)
    }

    fn err(&self, name: &str) -> &str {
        self.errors.get(name).map_or("", String::as_str)
    }

    /// Some field was refused: the page says so above where the figures would be.
    fn refused(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The field shows what was counted (a default, a code as written) rather than what
    /// was typed.
    fn set(&mut self, name: &str, value: String) {
        self.values.insert(name.to_owned(), value);
    }

    /// The page's parameters as `parse` reads them from the fields (it may fill in the
    /// defaults the form should show); `None` when it refuses them, each message then
    /// kept by its field with the value sent after it: a date input cannot show a date
    /// that does not exist, so the message says what was sent. Control characters are
    /// dropped and a long value is cut.
    fn read<T>(
        &mut self,
        tr: Tr<'_>,
        parse: impl FnOnce(&mut HashMap<String, String>) -> Result<T, ValidationErrors>,
    ) -> Option<T> {
        let errs = match parse(&mut self.values) {
            Ok(v) => return Some(v),
            Err(errs) => errs,
        };
        self.errors = field_errors(tr, &errs);
        for (field, msg) in &mut self.errors {
            let v: String = self
                .values
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
        None
    }

    /// A page whose parameters were refused is answered 422, with the form.
    fn status(&self) -> StatusCode {
        if self.refused() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        }
    }
}

/// The part of a download's file name that says its region: `-317101`, or nothing for
/// the province.
fn file_region(region: Option<&RegionCode>) -> String {
    region.map_or_else(String::new, |r| format!("-{}", r.as_str().replace('.', "")))
}

/// A report's table downloaded as `{stem}.csv` or `{stem}.xlsx` (a workbook with the
/// title above the table, counts as numbers).
fn sheet_download(
    stem: &str,
    format: SheetFormat,
    title: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
) -> Result<Response, ApiError> {
    let table = Table {
        title,
        header,
        rows,
    };
    let bytes = write_table(&table, format, Vec::new()).map_err(|e| {
        tracing::error!(error = %e, "a report file could not be written");
        ApiError::from(StoreError::Corrupt("report file".into()))
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}.{}\"", format.extension()),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use jakpreneur_reports::Suppression;
    use jakpreneur_store::Breakdown;

    use super::*;
    use crate::i18n::Catalogues;

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
    }
}
