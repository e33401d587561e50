//! Targets with where they stand: the figure counted so far, the pace of the last twelve
//! months and the date the value is reached at that pace.

use chrono::NaiveDate;
use jakpreneur_store::Store;
use serde::Serialize;
use utoipa::ToSchema;

use crate::Audience;
use crate::table::{Table, region_label, share};

/// A target with where it stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetView {
    pub id: i64,
    /// An indicator code of docs/indicators.md (`registered_members`, `reached_p7`,
    /// `first_reached_p2`, `mentored_members`, …).
    pub indicator: String,
    pub region: Option<String>,
    pub agency: Option<String>,
    pub mentor: Option<String>,
    pub value: i64,
    /// The first day counted, for a target over a period.
    pub from: Option<NaiveDate>,
    pub deadline: NaiveDate,
    pub source: String,
    /// The figure counted up to `counted_to` (today, or the deadline once it has passed).
    pub current: i64,
    pub counted_to: NaiveDate,
    /// current ÷ value.
    pub share: f64,
    /// Gained over the twelve months up to `counted_to`.
    pub last_12_months: i64,
    /// The date the value is reached at the pace of the last twelve months (for a stock
    /// whose deadline has passed: from today's figure at today's pace); `null` once
    /// reached, when there was no progress, or when a period's target has ended.
    pub projected_on: Option<NaiveDate>,
    pub reached: bool,
    /// Reached, or projected on or before the deadline.
    pub on_track: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetReport {
    pub as_of: NaiveDate,
    pub items: Vec<TargetView>,
}

pub async fn target_report(
    store: &Store,
    who: Audience<'_>,
    today: NaiveDate,
) -> jakpreneur_store::Result<TargetReport> {
    let targets = match who {
        Audience::Staff(actor) => store.list_targets(actor, today).await?,
        Audience::Public => store.open_targets(today).await?,
    };
    let items = targets
        .into_iter()
        .map(|(t, p)| target_view(t, p, today))
        .collect();
    Ok(TargetReport {
        as_of: today,
        items,
    })
}

pub fn target_view(
    t: jakpreneur_store::Target,
    p: jakpreneur_core::targets::Progress,
    today: NaiveDate,
) -> TargetView {
    TargetView {
        counted_to: today.min(t.deadline),
        id: t.id,
        indicator: t.indicator,
        region: t.region_code,
        agency: t.agency_code,
        mentor: t.mentor,
        value: t.value,
        from: t.from_on,
        deadline: t.deadline,
        source: t.source,
        current: p.current,
        share: p.share,
        last_12_months: p.last_12_months,
        projected_on: p.projected_on,
        reached: p.reached,
        on_track: p.on_track,
    }
}

impl TargetReport {
    pub fn table(&self) -> Table {
        let header = [
            "id",
            "indicator",
            "for",
            "value",
            "from",
            "deadline",
            "source",
            "current",
            "share",
            "last_12_months",
            "projected_on",
            "on_track",
        ]
        .map(str::to_owned)
        .to_vec();
        let rows = self
            .items
            .iter()
            .map(|t| {
                let owner = t
                    .mentor
                    .as_ref()
                    .map(|m| format!("mentor {m}"))
                    .or_else(|| t.agency.clone())
                    .unwrap_or_else(|| region_label(t.region.as_deref()));
                vec![
                    t.id.to_string(),
                    t.indicator.clone(),
                    owner,
                    t.value.to_string(),
                    t.from.map_or_else(String::new, |d| d.to_string()),
                    t.deadline.to_string(),
                    t.source.clone(),
                    t.current.to_string(),
                    share(Some(t.share)),
                    t.last_12_months.to_string(),
                    if t.reached {
                        "reached".to_owned()
                    } else {
                        t.projected_on
                            .map_or_else(|| "never at this pace".to_owned(), |d| d.to_string())
                    },
                    if t.on_track { "yes" } else { "no" }.to_owned(),
                ]
            })
            .collect();
        Table {
            title: format!("Targets as of {}", self.as_of),
            header,
            rows,
        }
    }
}
