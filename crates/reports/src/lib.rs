//! The statistics reports, built once for the API, the pages and the CLI: their
//! parameters (parsed, with the field named on error), their figures (from the store's
//! aggregates) and their rows as a table (for CSV, XLSX and the terminal). Every figure is
//! defined in docs/indicators.md.
//!
//! One module per report ([`release`], [`period`], [`funnel`], [`summary`], [`cohorts`],
//! [`targets`]); [`params`] parses what they take, [`table`] is their common row form,
//! [`disclosure`] is the open data's small-count protection, [`sheet`] writes rows as CSV
//! or XLSX files and [`export`] the rows of the members and services exports. This crate knows no HTTP:
//! the web crate and the binary both call it.

mod breakdown;
pub mod cohorts;
pub mod disclosure;
pub mod export;
pub mod funnel;
pub mod params;
pub mod period;
pub mod release;
pub mod sheet;
pub mod summary;
pub mod table;
pub mod targets;

use std::collections::BTreeMap;

use jakpreneur_core::Actor;

pub use cohorts::{
    CohortQuery, CohortReport, CohortStageView, CohortView, cohort_args, cohort_report,
    open_cohort_report,
};
pub use disclosure::{Suppression, protect};
pub use funnel::{Funnel, FunnelStage, GroupFunnel};
pub use params::{parse_day, parse_group_by, parse_month, parse_period, parse_region};
pub use period::{GroupPeriod, PeriodReport, period_report};
pub use release::{FacilityRelease, GroupCounts, facility_release};
pub use summary::{Summary, summary};
pub use table::Table;
pub use targets::{TargetReport, TargetView, target_report, target_view};

/// Counts by facility, measure or group key.
type Counts = BTreeMap<String, i64>;

/// Who a report is for: staff (their permission is checked) or the public (open data:
/// aggregates only, small areas suppressed by the caller).
#[derive(Debug, Clone, Copy)]
pub enum Audience<'a> {
    Staff(&'a Actor),
    Public,
}
