//! The facility release: members who reached each facility as of a date, for a region,
//! broken down on request (indicator `reached`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use jakpreneur_core::RegionCode;
use jakpreneur_store::{Breakdown, Store, facilities_of};
use serde::Serialize;
use utoipa::ToSchema;

use crate::breakdown::{group_by_name, group_keys, group_name};
use crate::table::{Table, region_label};
use crate::{Audience, Counts};

/// The stocks as of a date, with the staff member's permission or as open data.
pub(crate) async fn stocks(
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
