//! The statistics reports, built once for the API, the pages and the CLI: their
//! parameters (parsed, with the field named on error), their figures (from the store's
//! aggregates) and their rows as a table (for CSV, XLSX and the terminal). Every figure is
//! defined in docs/indicators.md.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use jakpreneur_core::access::region_contains;
use jakpreneur_core::programme::programmes;
use jakpreneur_core::reference::reference;
use jakpreneur_core::stats::measure;
use jakpreneur_core::text::{given, parse_date};
use jakpreneur_core::{Actor, FieldError, RegionCode, RegionLevel, ValidationErrors};
use jakpreneur_store::{Breakdown, COHORT_WINDOWS, Store, facilities_of, period_of};
use serde::Serialize;

use crate::charts::format_count;
use utoipa::ToSchema;

type Counts = BTreeMap<String, i64>;

/// Who a report is for: staff (their permission is checked) or the public (open data:
/// aggregates only, small areas suppressed by the caller).
#[derive(Debug, Clone, Copy)]
pub enum Audience<'a> {
    Staff(&'a Actor),
    Public,
}

async fn stocks(
    store: &Store,
    who: Audience<'_>,
    region: Option<&RegionCode>,
    as_of: NaiveDate,
    by: Option<Breakdown>,
) -> jakpreneur_store::Result<jakpreneur_store::Grouped<jakpreneur_store::Stocks>> {
    match who {
        Audience::Staff(a) => store.stocks(a, region, as_of, by).await,
        Audience::Public => store.open_stocks(region, as_of, by).await,
    }
}

/// A report as rows: a header and string cells, numbers left unformatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// `region`: a known region code at any level.
pub fn parse_region(errs: &mut ValidationErrors, raw: Option<&str>) -> Option<RegionCode> {
    given(raw).and_then(|r| errs.take(RegionCode::parse("region", r)))
}

/// A date field, or `default` when absent (required without one).
pub fn parse_day(
    errs: &mut ValidationErrors,
    field: &'static str,
    raw: Option<&str>,
    default: Option<NaiveDate>,
) -> Option<NaiveDate> {
    match given(raw) {
        Some(d) => errs.take(parse_date(field, d)),
        None if default.is_some() => default,
        None => {
            errs.push(FieldError::required(field));
            None
        }
    }
}

/// `group_by`: `city`, `district`, `village` (a level below the region's own), `agency`,
/// `sector` or `year`.
pub fn parse_group_by(
    errs: &mut ValidationErrors,
    raw: Option<&str>,
    region: Option<&RegionCode>,
) -> Option<Breakdown> {
    let raw = given(raw)?;
    let Some(by) = Breakdown::parse(raw) else {
        errs.push(FieldError::new(
            "group_by",
            "group_by_invalid",
            "group_by must be city, district, village, agency, sector or year",
        ));
        return None;
    };
    if !matches!(by, Breakdown::Region(_))
        && region.is_some_and(|r| r.level() == RegionLevel::Village)
    {
        errs.push(FieldError::new(
            "group_by",
            "group_by_too_fine",
            "breakdowns by agency, sector or year go down to districts, not villages",
        ));
        return None;
    }
    if let Breakdown::Region(level) = by {
        let own = region.map_or(RegionLevel::Province, RegionCode::level);
        if level <= own {
            errs.push(FieldError::new(
                "group_by",
                "group_by_level",
                format!(
                    "group_by must be a level below the region's ({})",
                    own.as_str()
                ),
            ));
            return None;
        }
    }
    Some(by)
}

/// A period's bounds, `to` not before `from`.
pub fn parse_period(
    errs: &mut ValidationErrors,
    from: Option<&str>,
    to: Option<&str>,
) -> Option<(NaiveDate, NaiveDate)> {
    let from = parse_day(errs, "from", from, None);
    let to = parse_day(errs, "to", to, None);
    let (from, to) = (from?, to?);
    if to < from {
        errs.push(FieldError::new(
            "to",
            "date_range",
            "to must not be before from",
        ));
        return None;
    }
    Some((from, to))
}

/// A group's key and display name.
fn group_name(by: Breakdown, key: &str) -> String {
    match by {
        Breakdown::Region(_) => reference()
            .region(key)
            .map_or_else(|| key.to_owned(), |r| r.name.clone()),
        Breakdown::Agency => programmes()
            .agency(key)
            .map_or_else(|| key.to_owned(), |a| a.name_id.clone()),
        Breakdown::Sector => reference()
            .sector(key)
            .map_or_else(|| key.to_owned(), |s| s.name_id.clone()),
        Breakdown::Year => key.to_owned(),
    }
}

/// Every group a breakdown lists, zeros included: each region at the level within the
/// report's region, each agency, each sector; years as found.
fn group_keys<T>(
    by: Breakdown,
    region: Option<&RegionCode>,
    found: &BTreeMap<String, T>,
) -> Vec<String> {
    match by {
        Breakdown::Region(level) => reference()
            .regions_at(level)
            .filter(|r| region.is_none_or(|p| region_contains(p.as_str(), &r.code)))
            .map(|r| r.code.clone())
            .collect(),
        Breakdown::Agency => {
            let mut keys: Vec<String> = programmes()
                .agencies
                .iter()
                .map(|a| a.code.clone())
                .collect();
            keys.extend(
                found
                    .keys()
                    .filter(|k| !keys.contains(k))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            keys
        }
        Breakdown::Sector => reference().sectors.iter().map(|s| s.code.clone()).collect(),
        Breakdown::Year => found.keys().cloned().collect(),
    }
}

fn group_by_name(by: Breakdown) -> &'static str {
    match by {
        Breakdown::Region(l) => l.as_str(),
        Breakdown::Agency => "agency",
        Breakdown::Sector => "sector",
        Breakdown::Year => "year",
    }
}

/// The suppression rule of the open data: counts below the threshold are hidden wherever
/// they describe a district, a village, or a group of a breakdown other than cities;
/// province and city totals are shown as they are. The API and the pages both apply it.
#[derive(Debug, Clone, Copy)]
pub struct Suppression {
    pub min: i64,
    /// A district or village: its own totals are hidden below the threshold.
    pub small_area: bool,
    /// Groups other than cities (or any group of a small area) are hidden below it.
    pub small_groups: bool,
}

impl Suppression {
    pub fn new(min: i64, region: Option<&RegionCode>, by: Option<Breakdown>) -> Self {
        let small_area = region
            .is_some_and(|r| matches!(r.level(), RegionLevel::District | RegionLevel::Village));
        Self {
            min,
            small_area,
            small_groups: small_area
                || !matches!(by, Some(Breakdown::Region(RegionLevel::City)) | None),
        }
    }

    /// A total of the report's region, or `None` when it is hidden.
    pub fn total(self, n: i64) -> Option<i64> {
        (!self.small_area || n >= self.min).then_some(n)
    }

    /// A count of one group, or `None` when it is hidden.
    pub fn group(self, n: i64) -> Option<i64> {
        (!self.small_groups || n >= self.min).then_some(n)
    }

    /// What a hidden count shows instead: `<5`.
    pub fn label(self) -> String {
        format!("<{}", self.min)
    }

    pub fn text(self, v: Option<i64>) -> String {
        v.map_or_else(|| self.label(), format_count)
    }
}

/// Complementary suppression: among counts that add up to a total that is shown (the
/// districts of a city, the sectors of a report), one hidden count could be worked out by
/// subtraction. Wherever a family of siblings has exactly one hidden count, the smallest
/// shown sibling is hidden too. `cells`: (family, count or `None` when hidden); returns
/// whether anything more was hidden.
pub fn protect(cells: &mut [(String, Option<i64>)]) -> bool {
    let mut changed = false;
    let mut families: Vec<&str> = Vec::new();
    for (f, _) in cells.iter() {
        if !families.contains(&f.as_str()) {
            families.push(f);
        }
    }
    let families: Vec<String> = families.into_iter().map(str::to_owned).collect();
    for family in families {
        let members: Vec<usize> = (0..cells.len()).filter(|&i| cells[i].0 == family).collect();
        let hidden = members.iter().filter(|&&i| cells[i].1.is_none()).count();
        if hidden != 1 || members.len() < 2 {
            continue;
        }
        if let Some(&smallest) = members
            .iter()
            .filter(|&&i| cells[i].1.is_some())
            .min_by_key(|&&i| cells[i].1)
        {
            cells[smallest].1 = None;
            changed = true;
        }
    }
    changed
}

/// One group of a broken-down facility release.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupCounts {
    /// A region code, agency code, KBLI section or year.
    pub key: String,
    pub name: String,
    /// `{"P1": n, …, "P7": n}`.
    pub counts: Counts,
}

/// Members who reached each facility as of a date (indicator `reached`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FacilityRelease {
    pub as_of: NaiveDate,
    pub region: Option<String>,
    /// `{"P1": n, …, "P7": n}`.
    pub counts: Counts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_by: Option<String>,
    /// With `group_by`: every group, in order. By agency, a member counts once for each
    /// agency that served it, so groups may add up to more than the total.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<GroupCounts>>,
}

pub async fn facility_release(
    store: &Store,
    who: Audience<'_>,
    as_of: NaiveDate,
    region: Option<&RegionCode>,
    by: Option<Breakdown>,
) -> jakpreneur_store::Result<FacilityRelease> {
    let s = stocks(store, who, region, as_of, by).await?;
    Ok(FacilityRelease {
        as_of,
        region: region.map(|r| r.as_str().to_owned()),
        counts: facilities_of(&s.total),
        group_by: by.map(|b| group_by_name(b).to_owned()),
        groups: by.map(|by| {
            group_keys(by, region, &s.groups)
                .into_iter()
                .map(|key| GroupCounts {
                    name: group_name(by, &key),
                    counts: facilities_of(s.groups.get(&key).unwrap_or(&BTreeMap::new())),
                    key,
                })
                .collect()
        }),
    })
}

impl FacilityRelease {
    pub fn table(&self) -> Table {
        let facilities: Vec<String> = self.counts.keys().cloned().collect();
        let mut header = vec!["group".to_owned(), "name".to_owned()];
        header.extend(facilities.iter().cloned());
        let row = |key: &str, name: &str, c: &Counts| {
            let mut r = vec![key.to_owned(), name.to_owned()];
            r.extend(
                facilities
                    .iter()
                    .map(|f| c.get(f).copied().unwrap_or(0).to_string()),
            );
            r
        };
        let mut rows = vec![row(
            "total",
            &region_label(self.region.as_deref()),
            &self.counts,
        )];
        for g in self.groups.iter().flatten() {
            rows.push(row(&g.key, &g.name, &g.counts));
        }
        Table {
            title: format!("Facility release as of {}", self.as_of),
            header,
            rows,
        }
    }
}

fn region_label(code: Option<&str>) -> String {
    match code {
        None => "DKI Jakarta".to_owned(),
        Some(c) => reference()
            .region(c)
            .map_or_else(|| c.to_owned(), |r| format!("{} ({c})", r.name)),
    }
}

/// One group of a broken-down period report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupPeriod {
    pub key: String,
    pub name: String,
    pub new_registrants: i64,
    pub first_reached: Counts,
    pub events: Counts,
}

/// A period's figures (indicators `new_registrants`, `first_reached`, `events`,
/// `permits_issued`, `exhibition_participations`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub region: Option<String>,
    pub new_registrants: i64,
    /// Members first reaching each facility P2–P7 in the period.
    pub first_reached: Counts,
    /// Non-voided qualifying events of each facility P2–P7 in the period.
    pub events: Counts,
    /// Non-voided `permit_issued` events in the period.
    pub permits_issued: i64,
    /// Non-voided `exhibition` events in the period.
    pub exhibition_participations: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<GroupPeriod>>,
}

fn split_period(flows: &jakpreneur_store::Flows) -> (i64, Counts, Counts) {
    let mut p = period_of(flows);
    let new = p.first_reached.remove("P1").unwrap_or(0);
    p.events.remove("P1");
    (new, p.first_reached, p.events)
}

pub async fn period_report(
    store: &Store,
    who: Audience<'_>,
    (from, to): (NaiveDate, NaiveDate),
    region: Option<&RegionCode>,
    by: Option<Breakdown>,
) -> jakpreneur_store::Result<PeriodReport> {
    let f = match who {
        Audience::Staff(a) => store.flows(a, region, from, to, by).await?,
        Audience::Public => store.open_flows(region, from, to, by).await?,
    };
    let kinds = jakpreneur_store::kinds_of(&f.total);
    let (new_registrants, first_reached, events) = split_period(&f.total);
    // permit_issued is the only qualifying kind of P4 (docs/indicators.md).
    let permits_issued = events.get("P4").copied().unwrap_or(0);
    Ok(PeriodReport {
        from,
        to,
        region: region.map(|r| r.as_str().to_owned()),
        new_registrants,
        first_reached,
        events,
        permits_issued,
        exhibition_participations: kinds.get("exhibition").copied().unwrap_or(0),
        group_by: by.map(|b| group_by_name(b).to_owned()),
        groups: by.map(|by| {
            group_keys(by, region, &f.groups)
                .into_iter()
                .map(|key| {
                    let (n, first, ev) =
                        split_period(f.groups.get(&key).unwrap_or(&BTreeMap::new()));
                    GroupPeriod {
                        name: group_name(by, &key),
                        key,
                        new_registrants: n,
                        first_reached: first,
                        events: ev,
                    }
                })
                .collect()
        }),
    })
}

impl PeriodReport {
    pub fn table(&self) -> Table {
        let facilities: Vec<String> = self.first_reached.keys().cloned().collect();
        let mut header = vec![
            "group".to_owned(),
            "name".to_owned(),
            "new_registrants".to_owned(),
        ];
        header.extend(facilities.iter().map(|f| format!("first_reached_{f}")));
        header.extend(facilities.iter().map(|f| format!("events_{f}")));
        let row = |key: &str, name: &str, n: i64, first: &Counts, ev: &Counts| {
            let mut r = vec![key.to_owned(), name.to_owned(), n.to_string()];
            r.extend(
                facilities
                    .iter()
                    .map(|f| first.get(f).copied().unwrap_or(0).to_string()),
            );
            r.extend(
                facilities
                    .iter()
                    .map(|f| ev.get(f).copied().unwrap_or(0).to_string()),
            );
            r
        };
        let mut rows = vec![row(
            "total",
            &region_label(self.region.as_deref()),
            self.new_registrants,
            &self.first_reached,
            &self.events,
        )];
        for g in self.groups.iter().flatten() {
            rows.push(row(
                &g.key,
                &g.name,
                g.new_registrants,
                &g.first_reached,
                &g.events,
            ));
        }
        Table {
            title: format!(
                "Period report {} – {} (permits issued {}, exhibition participations {})",
                self.from, self.to, self.permits_issued, self.exhibition_participations
            ),
            header,
            rows,
        }
    }
}

/// One stage of the funnel.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FunnelStage {
    #[schema(example = "P7")]
    pub facility: String,
    pub count: i64,
    /// count ÷ registered members (P1); `null` when there are none.
    pub share_of_registrants: Option<f64>,
    /// count ÷ the previous stage's count; `null` for P1 or when the previous is zero.
    pub share_of_previous: Option<f64>,
}

/// One group's funnel.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupFunnel {
    pub key: String,
    pub name: String,
    pub stages: Vec<FunnelStage>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Funnel {
    pub as_of: NaiveDate,
    pub region: Option<String>,
    pub stages: Vec<FunnelStage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<GroupFunnel>>,
}

fn stages_of(counts: &Counts) -> Vec<FunnelStage> {
    jakpreneur_core::indicators::funnel(counts)
        .into_iter()
        .map(|s| FunnelStage {
            facility: s.facility,
            count: s.count,
            share_of_registrants: s.share_of_registrants,
            share_of_previous: s.share_of_previous,
        })
        .collect()
}

impl From<FacilityRelease> for Funnel {
    fn from(r: FacilityRelease) -> Self {
        Funnel {
            stages: stages_of(&r.counts),
            as_of: r.as_of,
            region: r.region,
            group_by: r.group_by,
            groups: r.groups.map(|gs| {
                gs.into_iter()
                    .map(|g| GroupFunnel {
                        stages: stages_of(&g.counts),
                        key: g.key,
                        name: g.name,
                    })
                    .collect()
            }),
        }
    }
}

fn share(v: Option<f64>) -> String {
    v.map_or_else(String::new, |f| format!("{f:.4}"))
}

impl Funnel {
    pub fn table(&self) -> Table {
        let header = [
            "group",
            "name",
            "facility",
            "members",
            "share_of_registrants",
            "share_of_previous",
        ]
        .map(str::to_owned)
        .to_vec();
        let mut rows = Vec::new();
        let mut push = |key: &str, name: &str, stages: &[FunnelStage]| {
            for s in stages {
                rows.push(vec![
                    key.to_owned(),
                    name.to_owned(),
                    s.facility.clone(),
                    s.count.to_string(),
                    share(s.share_of_registrants),
                    share(s.share_of_previous),
                ]);
            }
        };
        push("total", &region_label(self.region.as_deref()), &self.stages);
        for g in self.groups.iter().flatten() {
            push(&g.key, &g.name, &g.stages);
        }
        Table {
            title: format!("Funnel as of {}", self.as_of),
            header,
            rows,
        }
    }
}

/// Every stock indicator as of a date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Summary {
    pub as_of: NaiveDate,
    pub region: Option<String>,
    pub registered_members: i64,
    pub active_members: i64,
    /// `{"P1": n, …}`.
    pub reached: Counts,
    /// `{"2": n, …, "7": n}`: members that reached at least k facilities.
    pub reached_at_least: Counts,
    pub moved_up_class: i64,
}

pub async fn summary(
    store: &Store,
    who: Audience<'_>,
    as_of: NaiveDate,
    region: Option<&RegionCode>,
) -> jakpreneur_store::Result<Summary> {
    let s = stocks(store, who, region, as_of, None).await?;
    let reached = facilities_of(&s.total);
    let get = |m: &str| s.total.get(m).copied().unwrap_or(0);
    Ok(Summary {
        as_of,
        region: region.map(|r| r.as_str().to_owned()),
        registered_members: reached.get("P1").copied().unwrap_or(0),
        active_members: get(measure::ACTIVE),
        reached_at_least: (2..=reached.len())
            .map(|k| (k.to_string(), get(&measure::at_least(k))))
            .collect(),
        moved_up_class: get(measure::NAIK_KELAS),
        reached,
    })
}

impl Summary {
    pub fn table(&self) -> Table {
        let mut rows = vec![
            vec![
                "registered_members".to_owned(),
                self.registered_members.to_string(),
            ],
            vec!["active_members".to_owned(), self.active_members.to_string()],
        ];
        rows.extend(
            self.reached
                .iter()
                .map(|(f, n)| vec![format!("reached_{}", f.to_lowercase()), n.to_string()]),
        );
        rows.extend(
            self.reached_at_least
                .iter()
                .map(|(k, n)| vec![format!("reached_at_least_{k}"), n.to_string()]),
        );
        rows.push(vec![
            "moved_up_class".to_owned(),
            self.moved_up_class.to_string(),
        ]);
        Table {
            title: format!("Indicators as of {}", self.as_of),
            header: vec!["indicator".to_owned(), "value".to_owned()],
            rows,
        }
    }
}

/// One facility of one cohort.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CohortStageView {
    pub reached: i64,
    /// `{"3": share, "6": …, "12": …, "24": …}`: the share of the cohort's registrants
    /// who reached the facility within that many whole months; `null` until every member
    /// of the cohort has been registered that long, or when the cohort is empty.
    pub within: BTreeMap<String, Option<f64>>,
    /// Median days from registration to the first reach, over those who reached it.
    pub median_days: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CohortView {
    /// `YYYY-MM`.
    pub cohort: String,
    pub registrants: i64,
    /// `{"P2": …, …, "P7": …}`.
    pub stages: BTreeMap<String, CohortStageView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CohortReport {
    pub region: Option<String>,
    /// The date the shares are observed on (today).
    pub as_of: NaiveDate,
    pub cohorts: Vec<CohortView>,
}

/// `YYYY-MM` → the month's first day.
pub fn parse_month(
    errs: &mut ValidationErrors,
    field: &'static str,
    raw: Option<&str>,
    default: NaiveDate,
) -> Option<NaiveDate> {
    let Some(raw) = given(raw) else {
        return Some(default);
    };
    match NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d") {
        Ok(d) if raw.len() == 7 => Some(d),
        _ => {
            errs.push(FieldError::new(
                field,
                "month_invalid",
                format!("{field} must be a month written YYYY-MM"),
            ));
            None
        }
    }
}

/// The cohort report's months: `from` and `to` (YYYY-MM), at most 120 months.
pub fn cohort_args(
    today: NaiveDate,
    q: &crate::views::CohortQuery,
) -> Result<((NaiveDate, NaiveDate), Option<RegionCode>), ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let this_month = jakpreneur_core::stats::first_of_month(today);
    let to = parse_month(&mut errs, "to", q.to.as_deref(), this_month);
    let from = parse_month(
        &mut errs,
        "from",
        q.from.as_deref(),
        this_month
            .checked_sub_months(chrono::Months::new(23))
            .unwrap_or(this_month),
    );
    let region = parse_region(&mut errs, q.region.as_deref());
    if let (Some(f), Some(t)) = (from, to) {
        let months = (t.year() - f.year()) * 12 + t.month() as i32 - f.month() as i32;
        if months < 0 {
            errs.push(FieldError::new(
                "to",
                "date_range",
                "to must not be before from",
            ));
        } else if months >= 120 {
            errs.push(FieldError::new(
                "from",
                "period_too_long",
                "a cohort report covers at most 120 months",
            ));
        }
    }
    match (from, to, errs.is_empty()) {
        (Some(f), Some(t), true) => Ok(((f, t), region)),
        _ => Err(errs),
    }
}

pub async fn cohort_report(
    store: &Store,
    actor: &Actor,
    (from, to): (NaiveDate, NaiveDate),
    region: Option<&RegionCode>,
    today: NaiveDate,
) -> jakpreneur_store::Result<CohortReport> {
    let cohorts = store.cohorts(actor, region, from, to).await?;
    let stages: Vec<String> = programmes()
        .stages_of(jakpreneur_core::programme::JAKPRENEUR)
        .skip(1)
        .map(|s| s.stage.clone())
        .collect();
    Ok(CohortReport {
        region: region.map(|r| r.as_str().to_owned()),
        as_of: today,
        cohorts: cohorts
            .into_iter()
            .map(|c| {
                let last_day = c
                    .month
                    .checked_add_months(chrono::Months::new(1))
                    .and_then(|d| d.pred_opt())
                    .unwrap_or(c.month);
                CohortView {
                    cohort: format!("{:04}-{:02}", c.month.year(), c.month.month()),
                    registrants: c.registrants,
                    stages: stages
                        .iter()
                        .map(|s| {
                            let st = c.stages.get(s);
                            let within = COHORT_WINDOWS
                                .iter()
                                .map(|k| {
                                    let seen = last_day
                                        .checked_add_months(chrono::Months::new(*k))
                                        .is_some_and(|d| d <= today);
                                    let n =
                                        st.and_then(|st| st.within.get(k)).copied().unwrap_or(0);
                                    let v = (seen && c.registrants > 0)
                                        .then(|| n as f64 / c.registrants as f64);
                                    (k.to_string(), v)
                                })
                                .collect();
                            (
                                s.clone(),
                                CohortStageView {
                                    reached: st.map_or(0, |st| st.reached),
                                    within,
                                    median_days: st.and_then(|st| st.median_days),
                                },
                            )
                        })
                        .collect(),
                }
            })
            .collect(),
    })
}

impl CohortReport {
    pub fn table(&self) -> Table {
        let mut header = vec![
            "cohort".to_owned(),
            "registrants".to_owned(),
            "facility".to_owned(),
            "reached".to_owned(),
        ];
        header.extend(COHORT_WINDOWS.iter().map(|k| format!("within_{k}_months")));
        header.push("median_days".to_owned());
        let mut rows = Vec::new();
        for c in &self.cohorts {
            for (s, st) in &c.stages {
                let mut r = vec![
                    c.cohort.clone(),
                    c.registrants.to_string(),
                    s.clone(),
                    st.reached.to_string(),
                ];
                r.extend(
                    COHORT_WINDOWS
                        .iter()
                        .map(|k| share(st.within.get(&k.to_string()).copied().flatten())),
                );
                r.push(
                    st.median_days
                        .map_or_else(String::new, |m| format!("{m:.1}")),
                );
                rows.push(r);
            }
        }
        Table {
            title: "Cohorts by registration month".to_owned(),
            header,
            rows,
        }
    }
}

/// A target with where it stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetView {
    pub id: i64,
    /// An indicator code of docs/indicators.md (`registered_members`, `reached_p7`,
    /// `first_reached_p2`, `mentored_members`, …).
    pub indicator: String,
    pub region: Option<String>,
    pub agency: Option<String>,
    pub mentor: Option<String>,
    pub value: i64,
    /// The first day counted, for a target over a period.
    pub from: Option<NaiveDate>,
    pub deadline: NaiveDate,
    pub source: String,
    /// The figure counted up to `counted_to` (today, or the deadline once it has passed).
    pub current: i64,
    pub counted_to: NaiveDate,
    /// current ÷ value.
    pub share: f64,
    /// Gained over the twelve months up to `counted_to`.
    pub last_12_months: i64,
    /// The date the value is reached at the pace of the last twelve months (for a stock
    /// whose deadline has passed: from today's figure at today's pace); `null` once
    /// reached, when there was no progress, or when a period's target has ended.
    pub projected_on: Option<NaiveDate>,
    pub reached: bool,
    /// Reached, or projected on or before the deadline.
    pub on_track: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetReport {
    pub as_of: NaiveDate,
    pub items: Vec<TargetView>,
}

pub async fn target_report(
    store: &Store,
    who: Audience<'_>,
    today: NaiveDate,
) -> jakpreneur_store::Result<TargetReport> {
    let targets = match who {
        Audience::Staff(actor) => store.list_targets(actor, today).await?,
        Audience::Public => store.open_targets(today).await?,
    };
    let items = targets
        .into_iter()
        .map(|(t, p)| target_view(t, p, today))
        .collect();
    Ok(TargetReport {
        as_of: today,
        items,
    })
}

pub fn target_view(
    t: jakpreneur_store::Target,
    p: jakpreneur_core::targets::Progress,
    today: NaiveDate,
) -> TargetView {
    TargetView {
        counted_to: today.min(t.deadline),
        id: t.id,
        indicator: t.indicator,
        region: t.region_code,
        agency: t.agency_code,
        mentor: t.mentor,
        value: t.value,
        from: t.from_on,
        deadline: t.deadline,
        source: t.source,
        current: p.current,
        share: p.share,
        last_12_months: p.last_12_months,
        projected_on: p.projected_on,
        reached: p.reached,
        on_track: p.on_track,
    }
}

impl TargetReport {
    pub fn table(&self) -> Table {
        let header = [
            "id",
            "indicator",
            "for",
            "value",
            "from",
            "deadline",
            "source",
            "current",
            "share",
            "last_12_months",
            "projected_on",
            "on_track",
        ]
        .map(str::to_owned)
        .to_vec();
        let rows = self
            .items
            .iter()
            .map(|t| {
                let owner = t
                    .mentor
                    .as_ref()
                    .map(|m| format!("mentor {m}"))
                    .or_else(|| t.agency.clone())
                    .unwrap_or_else(|| region_label(t.region.as_deref()));
                vec![
                    t.id.to_string(),
                    t.indicator.clone(),
                    owner,
                    t.value.to_string(),
                    t.from.map_or_else(String::new, |d| d.to_string()),
                    t.deadline.to_string(),
                    t.source.clone(),
                    t.current.to_string(),
                    share(Some(t.share)),
                    t.last_12_months.to_string(),
                    if t.reached {
                        "reached".to_owned()
                    } else {
                        t.projected_on
                            .map_or_else(|| "never at this pace".to_owned(), |d| d.to_string())
                    },
                    if t.on_track { "yes" } else { "no" }.to_owned(),
                ]
            })
            .collect();
        Table {
            title: format!("Targets as of {}", self.as_of),
            header,
            rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::protect;

    #[test]
    fn a_lone_hidden_count_takes_its_smallest_sibling_with_it() {
        let mut c = vec![
            ("31.71".to_owned(), Some(10)),
            ("31.71".to_owned(), None),
            ("31.71".to_owned(), Some(7)),
            ("31.72".to_owned(), None),
            ("31.72".to_owned(), None),
            ("31.73".to_owned(), Some(3)),
        ];
        assert!(protect(&mut c));
        assert_eq!(c[2].1, None, "7 hidden beside the hidden one");
        assert_eq!(c[0].1, Some(10));
        assert_eq!(
            c[5].1,
            Some(3),
            "nothing hidden in 31.73: nothing to protect"
        );
        assert!(!protect(&mut c), "stable");
    }
}
