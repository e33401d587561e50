//! Targets the statistics are measured against.

use serde::Deserialize;
use utoipa::ToSchema;

/// A target to record.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTarget {
    /// An indicator code of docs/indicators.md: `registered_members`, `active_members`,
    /// `moved_up_class`, `reached_p1`…`reached_p7`, `reached_at_least_2`…`_7` (as of the
    /// deadline); `new_registrants`, `first_reached_p2`…, `events_p2`…, `permits_issued`,
    /// `exhibition_participations`, `mentored_members` (from `from` to the deadline).
    #[schema(required = true, nullable = false, example = "registered_members")]
    pub indicator: Option<String>,
    #[schema(required = true, nullable = false, example = 200000)]
    pub value: Option<i64>,
    /// A region code (default the whole programme).
    pub region: Option<String>,
    /// An agency credited with the facility (e.g. `KPKP`).
    pub agency: Option<String>,
    /// A mentor's username, for `mentored_members`.
    pub mentor: Option<String>,
    /// First day counted, for a target over a period.
    #[schema(format = Date)]
    pub from: Option<String>,
    #[schema(required = true, nullable = false, format = Date, example = "2022-12-31")]
    pub deadline: Option<String>,
    #[schema(required = true, nullable = false, example = "RPJMD 2017–2022")]
    pub source: Option<String>,
}

impl From<CreateTarget> for jakpreneur_core::targets::TargetDraft {
    fn from(b: CreateTarget) -> Self {
        Self {
            indicator: b.indicator,
            value: b.value,
            region: b.region,
            agency: b.agency,
            mentor: b.mentor,
            from: b.from,
            deadline: b.deadline,
            source: b.source,
        }
    }
}
