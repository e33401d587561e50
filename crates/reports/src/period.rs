//! The period report: new registrants, first reaches and events between two dates
//! (indicators `new_registrants`, `first_reached`, `events`, `permits_issued`,
//! `exhibition_participations`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use jakpreneur_core::RegionCode;
use jakpreneur_store::{Breakdown, Store, period_of};
use serde::Serialize;
use utoipa::ToSchema;

use crate::breakdown::{group_by_name, group_keys, group_name};
use crate::table::{Table, region_label};
use crate::{Audience, Counts};

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
