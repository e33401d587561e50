//! Statistics: indicator definitions and the queries of the figures.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One indicator's definition.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorView {
    #[schema(example = "reached")]
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    /// `as_of` (a stock on a date) or `period` (a flow over dates, both ends included).
    pub measure: String,
    /// Exists once per facility, coded `{code}_p1` … `{code}_p7`.
    pub per_facility: bool,
    pub definition: String,
    pub unit: String,
    /// The tables it is counted from.
    pub counts: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorList {
    pub items: Vec<IndicatorView>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FacilityReleaseQuery {
    /// The date counted up to, included (default today).
    pub as_of: Option<String>,
    /// A province, city, district or village code (default: the whole province).
    pub region: Option<String>,
    /// Also count each group: `city`, `district` or `village` (a level below the
    /// region's own), `agency` (a member counts once for each agency that served it),
    /// `sector` or `year` (of registration).
    pub group_by: Option<String>,
    /// The programme (`GET /api/v1/programmes`); default `jakpreneur`.
    pub programme: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day, included.
    pub from: Option<String>,
    /// Last day, included.
    pub to: Option<String>,
    /// A province, city, district or village code (default: the whole province).
    pub region: Option<String>,
    /// As for the facility release: `city`, `district`, `village`, `agency`, `sector`
    /// or `year`.
    pub group_by: Option<String>,
    /// The programme (`GET /api/v1/programmes`); default `jakpreneur`.
    pub programme: Option<String>,
}

pub use jakpreneur_reports::CohortQuery;
