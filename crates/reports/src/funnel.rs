//! The funnel: how many members reached each facility, as a share of the registrants and
//! of the stage before, derived from a facility release.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::Counts;
use crate::release::FacilityRelease;
use crate::table::{Table, region_label, share};

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
