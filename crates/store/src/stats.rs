//! Statistics from the incremental aggregates, never from scanning members: the counters
//! of `counters.rs` (days per village; months and years per region at every level). A
//! figure for a period reads whole years, then whole months, then the days left over
//! (`jakpreneur_core::stats::pieces`). Definitions: `jakpreneur_core::indicators` and
//! docs/indicators.md.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use jakpreneur_core::access::region_contains;
use jakpreneur_core::programme::{JAKPRENEUR, programmes};
use jakpreneur_core::reference::reference;
use jakpreneur_core::stats::{Grain, beginning, dim, first_of_month, pieces};
use jakpreneur_core::{Actor, Permission, RegionCode, RegionLevel};

use crate::access::require;
use crate::query::{Query, query, query_text};
use crate::{Result, StoreError};

/// Counts by facility, every facility of the programme present (0 when none).
pub type ByFacility = BTreeMap<String, i64>;

/// A period's figures: members first reaching each facility, and qualifying events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodCounts {
    pub first_reached: ByFacility,
    pub events: ByFacility,
}

/// Every facility of the programme at 0.
pub fn zeroes() -> ByFacility {
    programmes()
        .stages_of(JAKPRENEUR)
        .map(|s| (s.stage.clone(), 0))
        .collect()
}

/// What a report is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    /// Each region at this level within the report's region.
    Region(RegionLevel),
    /// Each agency that served members: a member counts once for each.
    Agency,
    /// Each KBLI section.
    Sector,
    /// Each registration year.
    Year,
}

impl Breakdown {
    /// `city`, `district`, `village`, `agency`, `sector` or `year`.
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "agency" => Self::Agency,
            "sector" => Self::Sector,
            "year" => Self::Year,
            other => Self::Region(RegionLevel::parse("group_by", other).ok()?),
        })
    }

    pub(crate) fn dim(self) -> &'static str {
        match self {
            Self::Region(_) => dim::ALL,
            Self::Agency => dim::AGENCY,
            Self::Sector => dim::SECTOR,
            Self::Year => dim::YEAR,
        }
    }
}

/// A total and, with a breakdown, the same figures per group (keyed by region code,
/// agency code, sector letter or year).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grouped<T> {
    pub total: T,
    pub groups: BTreeMap<String, T>,
}

/// Stocks as of a date: every measure (facility codes, `active`, `k2`…`k7`, `naik_kelas`).
pub type Stocks = BTreeMap<String, i64>;

/// Flows over a period per measure: (members first reaching, qualifying events).
pub type Flows = BTreeMap<String, (i64, i64)>;

/// One summed row: (group, dim value, measure, reached, events).
type SumRow = (String, String, String, i64, i64);

fn level_len(level: RegionLevel) -> usize {
    match level {
        RegionLevel::Province => 1,
        RegionLevel::City => 2,
        RegionLevel::District => 3,
        RegionLevel::Village => 4,
    }
}

/// The region at `level` that contains `code` (codes are dotted: 31.71.01.1001).
fn ancestor(code: &str, level: RegionLevel) -> &str {
    let n = level_len(level);
    match code.match_indices('.').nth(n - 1) {
        Some((i, _)) => &code[..i],
        None => code,
    }
}

/// The reference regions at `level` inside `region` (all of them without one).
fn codes_at(level: RegionLevel, region: Option<&RegionCode>) -> Vec<String> {
    reference()
        .regions_at(level)
        .filter(|r| region.is_none_or(|p| region_contains(p.as_str(), &r.code)))
        .map(|r| r.code.clone())
        .collect()
}

fn in_list(sql: &mut Query, codes: &[String]) -> String {
    let ps: Vec<String> = codes.iter().map(|c| sql.arg(c.clone())).collect();
    ps.join(", ")
}

impl crate::Store {
    /// Sums of the counters of `dim` over [`from`, `to`] in `region` (everything without
    /// one), per region at `group` (one group `""` without).
    async fn sums(
        &self,
        dim: &str,
        region: Option<&RegionCode>,
        group: Option<RegionLevel>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<SumRow>> {
        let upper = match (group, region) {
            (Some(level), r) => codes_at(level, r),
            (None, Some(r)) => vec![r.as_str().to_owned()],
            (None, None) => codes_at(RegionLevel::Province, None),
        };
        // Days are kept per village without a breakdown, per district with one.
        let day_codes = if dim == dim::ALL {
            match region {
                Some(r) if r.level() == RegionLevel::Village => vec![r.as_str().to_owned()],
                r => codes_at(RegionLevel::Village, r),
            }
        } else {
            match region {
                Some(r) if r.level() == RegionLevel::Village => {
                    return Err(crate::StoreError::Invalid(
                        jakpreneur_core::FieldError::new(
                            "group_by",
                            "group_by_too_fine",
                            "breakdowns by agency, sector or year go down to districts, not \
                                villages",
                        )
                        .into(),
                    ));
                }
                Some(r) if r.level() == RegionLevel::District => vec![r.as_str().to_owned()],
                r => codes_at(RegionLevel::District, r),
            }
        };
        let mut sql = query_text("");
        let programme = sql.arg(JAKPRENEUR.to_owned());
        let dim_p = sql.arg(dim.to_owned());
        let mut parts = Vec::new();
        for (grain, first, last) in pieces(from, to) {
            let codes = if grain == Grain::Day {
                &day_codes
            } else {
                &upper
            };
            if codes.is_empty() {
                continue;
            }
            let g = sql.arg(grain.as_str().to_owned());
            let a = sql.arg(first);
            let b = sql.arg(last);
            let list = in_list(&mut sql, codes);
            parts.push(format!(
                "SELECT region_code, dim_value, measure, CAST(SUM(reached) AS BIGINT) AS r, \
                    CAST(SUM(events) AS BIGINT) AS e \
                 FROM stat_counts WHERE programme = {programme} AND dim = {dim_p} AND grain = {g} \
                 AND region_code IN ({list}) AND period >= {a} AND period <= {b} \
                 GROUP BY region_code, dim_value, measure"
            ));
        }
        // The changes not yet rolled up, in the same statement (so one snapshot: a fold
        // in between moves rows from one part to the other, never counts them twice).
        parts.push(crate::counters::pending_part(
            &mut sql,
            &dim_p,
            region.map(RegionCode::as_str),
            from,
            to,
        ));
        sql.push(&parts.join(" UNION ALL "));
        type Raw = (String, String, String, Option<i64>, Option<i64>);
        let rows: Vec<Raw> = sql.fetch_all(self.read()).await?;
        Ok(rows
            .into_iter()
            .map(|(code, value, measure, r, e)| {
                let key = group.map_or(String::new(), |l| ancestor(&code, l).to_owned());
                (key, value, measure, r.unwrap_or(0), e.unwrap_or(0))
            })
            .collect())
    }

    /// Every stock as of `as_of` in `region`: the total, and per group of `by`.
    pub async fn stocks(
        &self,
        actor: &Actor,
        region: Option<&RegionCode>,
        as_of: NaiveDate,
        by: Option<Breakdown>,
    ) -> Result<Grouped<Stocks>> {
        require(actor, Permission::MemberRead)?;
        require_exact(actor, region)?;
        self.exact_stocks(region, as_of, by).await
    }

    /// [`Self::stocks`] for the open statistics: aggregates only, no actor, every count
    /// below city level perturbed (`disclosure`). The web layer then hides small ones.
    pub async fn open_stocks(
        &self,
        region: Option<&RegionCode>,
        as_of: NaiveDate,
        by: Option<Breakdown>,
    ) -> Result<Grouped<Stocks>> {
        let mut s = self.exact_stocks(region, as_of, by).await?;
        let noise = self.noise()?;
        noise.stocks(region, by, &mut s);
        Ok(s)
    }

    pub(crate) async fn exact_stocks(
        &self,
        region: Option<&RegionCode>,
        as_of: NaiveDate,
        by: Option<Breakdown>,
    ) -> Result<Grouped<Stocks>> {
        let mut out = Grouped::<Stocks>::default();
        for (_, _, measure, r, _) in self
            .sums(dim::ALL, region, None, beginning(), as_of)
            .await?
        {
            *out.total.entry(measure).or_default() += r;
        }
        if let Some(by) = by {
            let level = match by {
                Breakdown::Region(l) => Some(l),
                _ => None,
            };
            let rows = self
                .sums(by.dim(), region, level, beginning(), as_of)
                .await?;
            for (group, value, measure, r, _) in rows {
                let key = if level.is_some() { group } else { value };
                *out.groups
                    .entry(key)
                    .or_default()
                    .entry(measure)
                    .or_default() += r;
            }
        }
        Ok(out)
    }

    /// Every flow over [`from`, `to`] in `region`: the total, and per group of `by`.
    pub async fn flows(
        &self,
        actor: &Actor,
        region: Option<&RegionCode>,
        from: NaiveDate,
        to: NaiveDate,
        by: Option<Breakdown>,
    ) -> Result<Grouped<Flows>> {
        require(actor, Permission::MemberRead)?;
        require_exact(actor, region)?;
        self.exact_flows(region, from, to, by).await
    }

    /// [`Self::flows`] for the open statistics: aggregates only, no actor, every count
    /// below city level perturbed (`disclosure`).
    pub async fn open_flows(
        &self,
        region: Option<&RegionCode>,
        from: NaiveDate,
        to: NaiveDate,
        by: Option<Breakdown>,
    ) -> Result<Grouped<Flows>> {
        let mut f = self.exact_flows(region, from, to, by).await?;
        let noise = self.noise()?;
        noise.flows(region, by, &mut f);
        Ok(f)
    }

    pub(crate) async fn exact_flows(
        &self,
        region: Option<&RegionCode>,
        from: NaiveDate,
        to: NaiveDate,
        by: Option<Breakdown>,
    ) -> Result<Grouped<Flows>> {
        let mut out = Grouped::<Flows>::default();
        let add = |m: &mut Flows, measure: String, r: i64, e: i64| {
            let x = m.entry(measure).or_default();
            x.0 += r;
            x.1 += e;
        };
        for (_, _, measure, r, e) in self.sums(dim::ALL, region, None, from, to).await? {
            add(&mut out.total, measure, r, e);
        }
        if let Some(by) = by {
            let level = match by {
                Breakdown::Region(l) => Some(l),
                _ => None,
            };
            for (group, value, measure, r, e) in
                self.sums(by.dim(), region, level, from, to).await?
            {
                let key = if level.is_some() { group } else { value };
                add(out.groups.entry(key).or_default(), measure, r, e);
            }
        }
        Ok(out)
    }

    /// Members who reached each facility as of `as_of` in `region` (the facility release),
    /// for staff.
    pub async fn facility_counts(
        &self,
        actor: &Actor,
        region: Option<&RegionCode>,
        as_of: NaiveDate,
    ) -> Result<ByFacility> {
        require(actor, Permission::MemberRead)?;
        require_exact(actor, region)?;
        let s = self.exact_stocks(region, as_of, None).await?;
        Ok(facilities_of(&s.total))
    }

    /// [`Self::facility_counts`] without an actor, for the open statistics.
    pub async fn public_facility_counts(
        &self,
        region: Option<&RegionCode>,
        as_of: NaiveDate,
    ) -> Result<ByFacility> {
        let s = self.open_stocks(region, as_of, None).await?;
        Ok(facilities_of(&s.total))
    }

    /// [`Self::facility_counts`] for each region at `level` within `region` (those with
    /// no member reached are absent).
    pub async fn facility_counts_by(
        &self,
        actor: &Actor,
        region: Option<&RegionCode>,
        level: RegionLevel,
        as_of: NaiveDate,
    ) -> Result<BTreeMap<String, ByFacility>> {
        let s = self
            .stocks(actor, region, as_of, Some(Breakdown::Region(level)))
            .await?;
        Ok(s.groups
            .iter()
            .map(|(k, v)| (k.clone(), facilities_of(v)))
            .collect())
    }

    /// Members first reaching each facility, and qualifying events, dated in
    /// [`from`, `to`] in `region` (P1's first reaches are the new registrants).
    pub async fn period_counts(
        &self,
        actor: &Actor,
        region: Option<&RegionCode>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<PeriodCounts> {
        let f = self.flows(actor, region, from, to, None).await?;
        Ok(period_of(&f.total))
    }

    /// Every counter row at the day grain, for checks against a recount: (village, stage,
    /// day, members first reaching, qualifying events). Administrators only.
    pub async fn facility_counters(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(String, String, NaiveDate, i64, i64)>> {
        require(actor, Permission::AuditRead)?;
        let stages: Vec<String> = zeroes().into_keys().collect();
        // The day rows and the changes not yet rolled up, in one statement.
        let rows: Vec<(String, String, NaiveDate, i64, i64)> = query(
            "SELECT region_code, measure, period, reached, events FROM stat_counts \
             WHERE programme = $1 AND dim = 'all' AND grain = 'day' \
             UNION ALL SELECT village_code, measure, day, reached, events FROM stat_pending \
             WHERE programme = $1 AND dim = 'all'",
        )
        .bind(JAKPRENEUR)
        .fetch_all(self.read())
        .await?;
        let mut sums: BTreeMap<(String, String, NaiveDate), (i64, i64)> = BTreeMap::new();
        for (village, measure, day, reached, events) in rows {
            if !stages.contains(&measure) {
                continue;
            }
            let e = sums.entry((village, measure, day)).or_default();
            e.0 += reached;
            e.1 += events;
        }
        Ok(sums
            .into_iter()
            .filter(|(_, (r, e))| *r != 0 || *e != 0)
            .map(|((v, m, d), (r, e))| (v, m, d, r, e))
            .collect())
    }
}

/// The facilities of a set of stocks, every facility present.
pub fn facilities_of(stocks: &Stocks) -> ByFacility {
    let mut out = zeroes();
    for (k, v) in out.iter_mut() {
        *v = stocks.get(k).copied().unwrap_or(0);
    }
    out
}

/// Non-voided services of each kind counted on its own
/// (`jakpreneur_core::stats::COUNTED_KINDS`) in a set of flows.
pub fn kinds_of(flows: &Flows) -> BTreeMap<String, i64> {
    flows
        .iter()
        .filter_map(|(m, (_, e))| m.strip_prefix("kind.").map(|k| (k.to_owned(), *e)))
        .collect()
}

/// The facilities of a set of flows.
pub fn period_of(flows: &Flows) -> PeriodCounts {
    let (mut first_reached, mut events) = (zeroes(), zeroes());
    for (k, v) in first_reached.iter_mut() {
        *v = flows.get(k).map_or(0, |f| f.0);
    }
    for (k, v) in events.iter_mut() {
        *v = flows.get(k).map_or(0, |f| f.1);
    }
    PeriodCounts {
        first_reached,
        events,
    }
}

/// Exact figures only for staff inside their region ([`Actor::sees_exact_statistics`]);
/// the others are sent to the published figures, which protect small counts.
fn require_exact(actor: &Actor, region: Option<&RegionCode>) -> Result<()> {
    if actor.sees_exact_statistics(region) {
        Ok(())
    } else {
        Err(StoreError::Forbidden(
            "exact statistics are for staff inside their own region; the published figures \
             (small counts protected) are at /api/v1/public/stats"
                .into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_cut_the_dotted_code() {
        assert_eq!(ancestor("31.71.01.1001", RegionLevel::Province), "31");
        assert_eq!(ancestor("31.71.01.1001", RegionLevel::City), "31.71");
        assert_eq!(ancestor("31.71.01.1001", RegionLevel::District), "31.71.01");
        assert_eq!(
            ancestor("31.71.01.1001", RegionLevel::Village),
            "31.71.01.1001"
        );
        assert_eq!(ancestor("31.71", RegionLevel::District), "31.71");
    }
}

/// A registration month's progress through one facility.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortStage {
    /// Members of the cohort who reached the facility (by the counters' latest record).
    pub reached: i64,
    /// Members who reached it within 3, 6, 12 and 24 whole months of registering.
    pub within: BTreeMap<u32, i64>,
    /// Median days from registration to the first reach, over those who reached it.
    pub median_days: Option<f64>,
}

/// One registration month.
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    /// The first day of the month.
    pub month: NaiveDate,
    pub registrants: i64,
    pub stages: BTreeMap<String, CohortStage>,
}

/// Months after registration a cohort report shows shares for.
pub const COHORT_WINDOWS: [u32; 4] = [3, 6, 12, 24];

impl crate::Store {
    /// The cohorts as the open statistics publish them: exact for the province and a
    /// city, each count perturbed below city level (`disclosure`), like every other
    /// published count there. No actor: the figures are the public's.
    pub async fn open_cohorts(
        &self,
        region: Option<&RegionCode>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Cohort>> {
        let mut cohorts = self
            .cohorts(&Actor::system("open statistics"), region, from, to)
            .await?;
        self.noise()?.cohorts(region, &mut cohorts);
        Ok(cohorts)
    }

    /// Cohorts by registration month from `from` to `to` (first days of months) in
    /// `region`: registrants, and per facility P2–P7 the members reached, within 3, 6, 12
    /// and 24 months, and the median days to reach it.
    pub async fn cohorts(
        &self,
        actor: &Actor,
        region: Option<&RegionCode>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Cohort>> {
        require(actor, Permission::MemberRead)?;
        require_exact(actor, region)?;
        let to_end = to
            .checked_add_months(chrono::Months::new(1))
            .and_then(|d| d.pred_opt())
            .unwrap_or(to);
        // Registrants: P1 first reaches per month.
        let mut registrants: BTreeMap<NaiveDate, i64> = BTreeMap::new();
        let mut sql = query_text("");
        let codes = match region {
            Some(r) => vec![r.as_str().to_owned()],
            None => codes_at(RegionLevel::Province, None),
        };
        let p = sql.arg(JAKPRENEUR.to_owned());
        let a = sql.arg(from);
        let b = sql.arg(to_end);
        let list = in_list(&mut sql, &codes);
        // With the registrations not yet rolled up (by day), in the same statement.
        let pending_region =
            crate::counters::pending_region(&mut sql, region.map(RegionCode::as_str));
        sql.push(&format!(
            "SELECT period, CAST(SUM(reached) AS BIGINT) FROM stat_counts WHERE programme = {p} \
                AND dim = 'all' \
             AND grain = 'month' AND measure = 'P1' AND region_code IN ({list}) AND period >= {a} \
             AND period <= {b} GROUP BY period \
             UNION ALL SELECT day, CAST(SUM(reached) AS BIGINT) FROM stat_pending \
             WHERE programme = {p} AND dim = 'all' AND measure = 'P1' AND day >= {a} \
             AND day <= {b}{pending_region} GROUP BY day"
        ));
        let rows: Vec<(NaiveDate, Option<i64>)> = sql.fetch_all(self.read()).await?;
        for (day, n) in rows {
            *registrants.entry(first_of_month(day)).or_default() += n.unwrap_or(0);
        }
        // First reaches by whole months after registering.
        let mut sql = query_text("");
        let p = sql.arg(JAKPRENEUR.to_owned());
        let a = sql.arg(from);
        let b = sql.arg(to);
        let list = in_list(&mut sql, &codes);
        sql.push(&format!(
            "SELECT cohort, stage, months, CAST(SUM(members) AS BIGINT) FROM stat_cohorts WHERE \
                programme = {p} \
             AND region_code IN ({list}) AND cohort >= {a} AND cohort <= {b} GROUP BY cohort, \
             stage, months"
        ));
        let rows: Vec<(NaiveDate, String, i32, Option<i64>)> = sql.fetch_all(self.read()).await?;
        let mut hist: BTreeMap<(NaiveDate, String), BTreeMap<i32, i64>> = BTreeMap::new();
        for (c, stage, months, n) in rows {
            *hist
                .entry((c, stage))
                .or_default()
                .entry(months)
                .or_default() += n.unwrap_or(0);
        }
        // The median's month bucket(s); then the days inside them.
        let mut wanted: Vec<(NaiveDate, String, i32)> = Vec::new();
        let mut ranks: BTreeMap<(NaiveDate, String), [(i32, i64); 2]> = BTreeMap::new();
        for (key, by_month) in &hist {
            let n: i64 = by_month.values().sum();
            if n <= 0 {
                continue;
            }
            let targets = [(n + 1) / 2, n / 2 + 1];
            let mut found = [(0, 0); 2];
            for (i, t) in targets.iter().enumerate() {
                let mut cum = 0;
                for (m, c) in by_month {
                    if cum + c >= *t {
                        found[i] = (*m, t - cum);
                        break;
                    }
                    cum += c;
                }
            }
            for (m, _) in found {
                let w = (key.0, key.1.clone(), m);
                if !wanted.contains(&w) {
                    wanted.push(w);
                }
            }
            ranks.insert(key.clone(), found);
        }
        let mut days: BTreeMap<(NaiveDate, String, i32), Vec<(i32, i64)>> = BTreeMap::new();
        for chunk in wanted.chunks(200) {
            let mut sql = query_text("");
            let p = sql.arg(JAKPRENEUR.to_owned());
            let list = in_list(&mut sql, &codes);
            let mut ors = Vec::new();
            for (c, stage, m) in chunk {
                let c = sql.arg(*c);
                let s = sql.arg(stage.clone());
                let m = sql.arg(i64::from(*m));
                ors.push(format!("(cohort = {c} AND stage = {s} AND months = {m})"));
            }
            sql.push(&format!(
                "SELECT cohort, stage, months, days, CAST(SUM(members) AS BIGINT) FROM \
                    stat_cohort_days \
                 WHERE programme = {p} AND region_code IN ({list}) AND ({}) GROUP BY cohort, \
                 stage, months, days",
                ors.join(" OR ")
            ));
            let rows: Vec<(NaiveDate, String, i32, i32, Option<i64>)> =
                sql.fetch_all(self.read()).await?;
            for (c, stage, m, d, n) in rows {
                days.entry((c, stage, m))
                    .or_default()
                    .push((d, n.unwrap_or(0)));
            }
        }
        let mut out: BTreeMap<NaiveDate, Cohort> = BTreeMap::new();
        let mut month = from;
        while month <= to {
            out.insert(
                month,
                Cohort {
                    month,
                    registrants: registrants.get(&month).copied().unwrap_or(0),
                    stages: BTreeMap::new(),
                },
            );
            match month.checked_add_months(chrono::Months::new(1)) {
                Some(m) => month = m,
                None => break,
            }
        }
        for ((c, stage), by_month) in &hist {
            let Some(cohort) = out.get_mut(c) else {
                continue;
            };
            let reached: i64 = by_month.values().sum();
            let within = COHORT_WINDOWS
                .iter()
                .map(|k| {
                    let n = by_month
                        .iter()
                        .filter(|(m, _)| i64::from(**m) < i64::from(*k))
                        .map(|(_, n)| n)
                        .sum();
                    (*k, n)
                })
                .collect();
            let median_days = ranks.get(&(*c, stage.clone())).and_then(|found| {
                let mut vals = Vec::new();
                for (m, rank) in found {
                    let mut rows = days.get(&(*c, stage.clone(), *m))?.clone();
                    rows.sort_unstable();
                    let mut cum = 0;
                    let v = rows.iter().find_map(|(d, n)| {
                        cum += n;
                        (cum >= *rank).then_some(*d)
                    })?;
                    vals.push(f64::from(v));
                }
                Some(vals.iter().sum::<f64>() / vals.len() as f64)
            });
            cohort.stages.insert(
                stage.clone(),
                CohortStage {
                    reached,
                    within,
                    median_days,
                },
            );
        }
        Ok(out.into_values().collect())
    }
}
