//! Reference data: regions and business sectors.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionView {
    #[schema(example = "31.71.01")]
    pub code: String,
    /// `province`, `city`, `district` or `village`.
    pub level: String,
    pub name: String,
    pub parent_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionList {
    pub items: Vec<RegionView>,
    /// Reference lists are short and come whole: always `null`.
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RegionQuery {
    /// `province`, `city`, `district` or `village`.
    pub level: Option<String>,
    /// Only the children of this region code.
    pub parent: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SectorView {
    pub code: String,
    pub name_id: String,
    pub name_en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SectorList {
    pub items: Vec<SectorView>,
    pub next: Option<String>,
}

/// A kind of event a programme records at one of its stages.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeKindView {
    #[schema(example = "training_completed")]
    pub kind: String,
    /// An event of this kind means the stage is reached (others are steps on the way).
    pub qualifying: bool,
}

/// One stage of a programme, in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeStageView {
    #[schema(example = "P2")]
    pub stage: String,
    pub position: u8,
    pub name_id: String,
    pub name_en: String,
    pub kinds: Vec<ProgrammeKindView>,
}

/// The order rule in force from a date: `sequential` (each stage needs the one before it)
/// or `free` (any stage once registered).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderRuleView {
    pub effective_from: chrono::NaiveDate,
    #[schema(example = "free")]
    pub rule: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeView {
    #[schema(example = "jakpreneur")]
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub stages: Vec<ProgrammeStageView>,
    /// Oldest first; the last one whose date has come is in force.
    pub order_rules: Vec<OrderRuleView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeList {
    pub items: Vec<ProgrammeView>,
    pub next: Option<String>,
}
