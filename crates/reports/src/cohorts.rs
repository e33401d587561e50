//! Cohorts by registration month: for each month's registrants, how many reached each
//! facility, the share within 3, 6, 12 and 24 months and the median days to the first
//! reach. Staff only.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use jakpreneur_core::programme::programmes;
use jakpreneur_core::{Actor, FieldError, RegionCode, ValidationErrors};
use jakpreneur_store::{COHORT_WINDOWS, Store};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::params::{parse_month, parse_region};
use crate::table::{Table, share};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CohortQuery {
    /// First registration month, `YYYY-MM` (default: 23 months before this one).
    pub from: Option<String>,
    /// Last registration month, `YYYY-MM` (default: this month).
    pub to: Option<String>,
    /// A province, city, district or village code (default: the whole province).
    pub region: Option<String>,
    /// The programme (`GET /api/v1/programmes`); default `jakpreneur`.
    pub programme: Option<String>,
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

/// The cohort report's months: `from` and `to` (YYYY-MM), at most 120 months.
pub fn cohort_args(
    today: NaiveDate,
    q: &CohortQuery,
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
    if let Some(p) = errs.take(jakpreneur_core::programme::parse_programme(
        "programme",
        q.programme.as_deref(),
    )) && p != jakpreneur_core::programme::JAKPRENEUR
    {
        errs.push(FieldError::new(
            "programme",
            "programme_report_unavailable",
            format!("cohorts are kept for jakpreneur's members; {p} has the stage release (/api/v1/stats/facilities)"),
        ));
    }
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
    Ok(cohort_view(cohorts, region, today))
}

/// The cohort report as the open statistics publish it: each count perturbed below city
/// level (`Store::open_cohorts`); the pages then hide what is below their threshold.
pub async fn open_cohort_report(
    store: &Store,
    (from, to): (NaiveDate, NaiveDate),
    region: Option<&RegionCode>,
    today: NaiveDate,
) -> jakpreneur_store::Result<CohortReport> {
    let cohorts = store.open_cohorts(region, from, to).await?;
    Ok(cohort_view(cohorts, region, today))
}

fn cohort_view(
    cohorts: Vec<jakpreneur_store::Cohort>,
    region: Option<&RegionCode>,
    today: NaiveDate,
) -> CohortReport {
    let stages: Vec<String> = programmes()
        .stages_of(jakpreneur_core::programme::JAKPRENEUR)
        .skip(1)
        .map(|s| s.stage.clone())
        .collect();
    CohortReport {
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
    }
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
