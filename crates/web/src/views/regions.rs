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
