//! Statistics of the programmes beside Jakpreneur, computed from the raw enrolments and
//! their first reaches (docs/indicators.md, "Other programmes"): the stage release any
//! programme gets, and job training's `placement_rate`. Callers decide exactness and
//! disclosure control (the web layer), as for Jakpreneur's reports.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use jakpreneur_core::enrolment::{
    PELATIHAN_KERJA, PLACEMENT_WINDOW_MONTHS, STAGE_PLACEMENT, STAGE_TRAINING, placement_deadline,
};
use jakpreneur_core::reference::reference;
use jakpreneur_core::{RegionCode, RegionLevel};
use serde::Serialize;

use crate::access::region_column;
use crate::query::query_text;
use crate::{Result, Store, StoreError};

/// People who reached a stage by the as-of date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageCount {
    pub stage: String,
    pub name_id: String,
    pub name_en: String,
    pub reached: Option<i64>,
}

/// Every stage of a programme as of a date, for the province or a region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageRelease {
    pub programme: String,
    pub as_of: NaiveDate,
    pub region: Option<String>,
    pub stages: Vec<StageCount>,
}

/// Placement for one region of a breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlacementGroup {
    pub region_code: String,
    pub name: String,
    pub trainees: Option<i64>,
    pub placed: Option<i64>,
    pub placement_rate: Option<f64>,
}

/// `placement_rate`: of the trainees who completed skills training (reached K2) by the
/// as-of date (and, when given, from `from`), the share placed in work — hired or
/// self-employed, the first placement within six months of completing and by the as-of
/// date. Percent, two decimals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlacementReport {
    pub programme: String,
    pub indicator: &'static str,
    pub as_of: NaiveDate,
    pub from: Option<NaiveDate>,
    pub region: Option<String>,
    pub agency: Option<String>,
    pub window_months: u32,
    pub trainees: Option<i64>,
    pub placed: Option<i64>,
    pub hired: Option<i64>,
    pub self_employed: Option<i64>,
    pub placement_rate: Option<f64>,
    pub groups: Vec<PlacementGroup>,
}

/// Percent with two decimals, half away from zero, from integers (no float drift).
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    if whole <= 0 {
        return None;
    }
    let basis_points = (part * 20_000 + whole) / (2 * whole);
    Some(basis_points as f64 / 100.0)
}

fn region_filter(q: &mut crate::query::Query, region: Option<&RegionCode>) {
    if let Some(r) = region {
        let p = q.arg(r.as_str().to_owned());
        q.push(&format!(" AND e.{} = {p}", region_column(r.level())));
    }
}

/// The level a report for `region` breaks down by: cities for the province, districts
/// for a city; none below.
fn breakdown_level(region: Option<&RegionCode>) -> Option<RegionLevel> {
    match region.map(|r| r.level()) {
        None | Some(RegionLevel::Province) => Some(RegionLevel::City),
        Some(RegionLevel::City) => Some(RegionLevel::District),
        _ => None,
    }
}

impl Store {
    /// People in each stage of `programme` as of `as_of` (exact counts).
    pub async fn stage_release(
        &self,
        programme: &str,
        as_of: NaiveDate,
        region: Option<&RegionCode>,
    ) -> Result<StageRelease> {
        let defs = self.programme_definitions().await?;
        if !defs.programmes.iter().any(|p| p.code == programme) {
            return Err(StoreError::NotFound);
        }
        let mut q = query_text(
            "SELECT s.stage, COUNT(*) FROM programme_reaches s \
             JOIN programme_enrolments e ON e.id = s.enrolment_id WHERE s.programme = ",
        );
        let p = q.arg(programme.to_owned());
        q.push(&p);
        let d = q.arg(as_of);
        q.push(&format!(" AND s.first_reached_on <= {d}"));
        region_filter(&mut q, region);
        q.push(" GROUP BY s.stage");
        let counts: BTreeMap<String, i64> = q
            .fetch_all::<(String, i64)>(self.read())
            .await?
            .into_iter()
            .collect();
        Ok(StageRelease {
            programme: programme.to_owned(),
            as_of,
            region: region.map(|r| r.as_str().to_owned()),
            stages: defs
                .stages_of(programme)
                .map(|s| StageCount {
                    stage: s.stage.clone(),
                    name_id: s.name_id.clone(),
                    name_en: s.name_en.clone(),
                    reached: Some(counts.get(&s.stage).copied().unwrap_or(0)),
                })
                .collect(),
        })
    }

    /// `placement_rate` of job training (exact counts), with the cities (or a city's
    /// districts) beside the total.
    pub async fn placement_report(
        &self,
        as_of: NaiveDate,
        from: Option<NaiveDate>,
        region: Option<&RegionCode>,
        agency: Option<&str>,
    ) -> Result<PlacementReport> {
        let level = breakdown_level(region);
        let group_col = level.map_or("e.village_code", |l| match l {
            RegionLevel::City => "e.city_code",
            _ => "e.district_code",
        });
        let mut q = query_text(format!(
            "SELECT {group_col}, k2.first_reached_on, k4.first_reached_on, ev.kind \
             FROM programme_enrolments e \
             JOIN programme_reaches k2 ON k2.enrolment_id = e.id AND k2.stage = '{STAGE_TRAINING}' \
             LEFT JOIN programme_reaches k4 ON k4.enrolment_id = e.id AND k4.stage = '{STAGE_PLACEMENT}' \
             LEFT JOIN programme_events ev ON ev.id = k4.event_id \
             WHERE e.programme = '{PELATIHAN_KERJA}'"
        ));
        let d = q.arg(as_of);
        q.push(&format!(" AND k2.first_reached_on <= {d}"));
        if let Some(from) = from {
            let p = q.arg(from);
            q.push(&format!(" AND k2.first_reached_on >= {p}"));
        }
        if let Some(a) = agency {
            let p = q.arg(a.to_owned());
            q.push(&format!(" AND k2.agency_code = {p}"));
        }
        region_filter(&mut q, region);
        type Row = (String, NaiveDate, Option<NaiveDate>, Option<String>);
        let rows: Vec<Row> = q.fetch_all(self.read()).await?;
        #[derive(Default)]
        struct Tally {
            trainees: i64,
            placed: i64,
            hired: i64,
            self_employed: i64,
        }
        let mut total = Tally::default();
        let mut by: BTreeMap<String, Tally> = BTreeMap::new();
        for (group, completed, placed_on, kind) in rows {
            let placed =
                placed_on.is_some_and(|p| p <= as_of && p <= placement_deadline(completed));
            for t in [&mut total, by.entry(group).or_default()] {
                t.trainees += 1;
                if placed {
                    t.placed += 1;
                    match kind.as_deref() {
                        Some("placed_hired") => t.hired += 1,
                        _ => t.self_employed += 1,
                    }
                }
            }
        }
        let r = reference();
        let groups = match level {
            None => Vec::new(),
            Some(l) => r
                .regions
                .iter()
                .filter(|x| {
                    x.level == l
                        && region.is_none_or(|reg| {
                            RegionCode::parse("region", &x.code)
                                .ok()
                                .and_then(|c| c.at_level(reg.level()).map(str::to_owned))
                                .as_deref()
                                == Some(reg.as_str())
                        })
                })
                .map(|x| {
                    let t = by.get(&x.code);
                    let (n, p) = t.map_or((0, 0), |t| (t.trainees, t.placed));
                    PlacementGroup {
                        region_code: x.code.clone(),
                        name: x.name.clone(),
                        trainees: Some(n),
                        placed: Some(p),
                        placement_rate: percent(p, n),
                    }
                })
                .collect(),
        };
        Ok(PlacementReport {
            programme: PELATIHAN_KERJA.to_owned(),
            indicator: "placement_rate",
            as_of,
            from,
            region: region.map(|r| r.as_str().to_owned()),
            agency: agency.map(str::to_owned),
            window_months: PLACEMENT_WINDOW_MONTHS,
            trainees: Some(total.trainees),
            placed: Some(total.placed),
            hired: Some(total.hired),
            self_employed: Some(total.self_employed),
            placement_rate: percent(total.placed, total.trainees),
            groups,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn percent_rounds_half_away_from_zero_in_integers() {
        assert_eq!(super::percent(5871, 7626), Some(76.99));
        assert_eq!(super::percent(1, 8), Some(12.5));
        assert_eq!(super::percent(1, 3), Some(33.33));
        assert_eq!(super::percent(2, 3), Some(66.67));
        assert_eq!(super::percent(0, 0), None);
    }
}
