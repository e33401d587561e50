//! Every stock indicator as of a date: registered and active members, each facility
//! reached, members that reached at least k facilities, naik kelas.

use chrono::NaiveDate;
use jakpreneur_core::RegionCode;
use jakpreneur_core::stats::measure;
use jakpreneur_store::{Store, facilities_of};
use serde::Serialize;
use utoipa::ToSchema;

use crate::release::stocks;
use crate::table::Table;
use crate::{Audience, Counts};

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
