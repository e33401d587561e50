//! What one member contributes to the statistics, computed from its raw records: the
//! member's facts (village, sector, registration date, naik-kelas date) and its non-voided
//! services. Every counter the store keeps is the sum of these contributions over all
//! members, so a write keeps the counters true by applying the difference between the
//! member's contribution before and after it ([`Contribution::diff`]), and a rebuild from
//! raw records sums them afresh. The definitions are those of `indicators.rs` and
//! docs/indicators.md.
//!
//! Stocks as of a date D (reached, active, at least k, naik kelas) are kept as changes on
//! the day they happen (`reached`: +1 on the first reach, and for `active` −1 on the day a
//! member stops being active), so a stock as of D is the sum of the changes dated ≤ D.
//! Flows over a period are the sums of `reached` (first reaches) and `events` in it.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};

/// Breakdown dimensions of the counters.
pub mod dim {
    /// No breakdown (value `""`).
    pub const ALL: &str = "all";
    /// The member's KBLI section.
    pub const SECTOR: &str = "sector";
    /// The member's registration year.
    pub const YEAR: &str = "year";
    /// The agency credited with the service: a member counts once for each agency.
    pub const AGENCY: &str = "agency";
}

/// Measures other than the facilities (whose measure is the stage code, `P1` …).
pub mod measure {
    /// Active members: +1 when a member becomes active, −1 when it stops.
    pub const ACTIVE: &str = "active";
    /// Members whose financial reports show a move up a size class.
    pub const NAIK_KELAS: &str = "naik_kelas";

    /// Services of a kind counted on their own (`kind.exhibition`), events only.
    pub fn of_kind(kind: &str) -> String {
        format!("kind.{kind}")
    }

    /// Members that reached at least `k` facilities.
    pub fn at_least(k: usize) -> String {
        format!("k{k}")
    }
}

/// The member facts the statistics need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFacts<'a> {
    pub village: &'a str,
    pub sector: &'a str,
    pub registered_on: NaiveDate,
    /// `member_size.moved_up_on`: the end of the month whose report first showed a class
    /// above the first one.
    pub moved_up_on: Option<NaiveDate>,
}

/// The kinds of service counted on their own, beside their facility: exhibitions
/// (indicator `exhibition_participations`). Permits issued need no measure of their own:
/// `permit_issued` is the only qualifying kind of P4.
pub const COUNTED_KINDS: [&str; 1] = ["exhibition"];

/// A non-voided service of the member (void events themselves are not entries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub stage: String,
    pub kind: String,
    pub qualifying: bool,
    pub occurred_on: NaiveDate,
    pub agency: String,
}

/// One counter cell at a village and a day.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    pub village: String,
    pub dim: &'static str,
    pub value: String,
    pub measure: String,
    pub day: NaiveDate,
}

/// A change to one cell: members reaching (or, for stocks, entering and leaving), and
/// qualifying services.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delta {
    pub reached: i64,
    pub events: i64,
}

impl Delta {
    /// A member entering a count: a first reach, or the start of a stock such as `active`.
    pub const ENTER: Delta = Delta {
        reached: 1,
        events: 0,
    };
    /// A member leaving a stock (`active` ends).
    pub const LEAVE: Delta = Delta {
        reached: -1,
        events: 0,
    };
    /// One service counted.
    pub const EVENT: Delta = Delta {
        reached: 0,
        events: 1,
    };

    pub fn is_zero(self) -> bool {
        self.reached == 0 && self.events == 0
    }
}

/// A member's first reach of a stage, for the cohort tables: the registration month, and
/// how long after registering it came.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CohortCell {
    pub village: String,
    /// The first day of the registration month.
    pub cohort: NaiveDate,
    pub stage: String,
    /// Whole calendar months from registration to the first reach ([`whole_months`]).
    pub months: i32,
    pub days: i32,
}

/// Counter changes, keyed so that a batch of them can be merged and written in one order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contribution {
    pub cells: BTreeMap<Cell, Delta>,
    pub cohorts: BTreeMap<CohortCell, i64>,
}

impl Contribution {
    /// What `m` with services `entries` contributes. `entries` may be in any order.
    pub fn of(m: &MemberFacts<'_>, entries: &[Entry]) -> Self {
        let mut c = Contribution::default();
        let year = m.registered_on.year().to_string();
        let breakdowns = [
            (dim::ALL, ""),
            (dim::SECTOR, m.sector),
            (dim::YEAR, year.as_str()),
        ];
        // First reach per stage, and per agency and stage: the earliest (date, id).
        let mut first: BTreeMap<&str, (NaiveDate, i64)> = BTreeMap::new();
        let mut first_by_agency: BTreeMap<(&str, &str), (NaiveDate, i64)> = BTreeMap::new();
        for e in entries {
            if COUNTED_KINDS.contains(&e.kind.as_str()) {
                c.add_cell(
                    m.village,
                    dim::ALL,
                    "",
                    &measure::of_kind(&e.kind),
                    e.occurred_on,
                    Delta::EVENT,
                );
            }
            if !e.qualifying {
                continue;
            }
            let at = (e.occurred_on, e.id);
            first
                .entry(&e.stage)
                .and_modify(|f| *f = (*f).min(at))
                .or_insert(at);
            first_by_agency
                .entry((&e.agency, &e.stage))
                .and_modify(|f| *f = (*f).min(at))
                .or_insert(at);
            for (d, v) in breakdowns {
                c.add_cell(m.village, d, v, &e.stage, e.occurred_on, Delta::EVENT);
            }
            c.add_cell(
                m.village,
                dim::AGENCY,
                &e.agency,
                &e.stage,
                e.occurred_on,
                Delta::EVENT,
            );
        }
        for (stage, (on, _)) in &first {
            for (d, v) in breakdowns {
                c.add_cell(m.village, d, v, stage, *on, Delta::ENTER);
            }
        }
        for ((agency, stage), (on, _)) in &first_by_agency {
            c.add_cell(m.village, dim::AGENCY, agency, stage, *on, Delta::ENTER);
        }
        // At least k facilities: from the day of the k-th first reach.
        let mut reach_days: Vec<NaiveDate> = first.values().map(|(d, _)| *d).collect();
        reach_days.sort_unstable();
        for (i, on) in reach_days.iter().enumerate().skip(1) {
            c.add_cell(
                m.village,
                dim::ALL,
                "",
                &measure::at_least(i + 1),
                *on,
                Delta::ENTER,
            );
        }
        // Active: each service keeps the member active for twelve months; overlapping
        // spans are merged so the member enters and leaves once per span.
        let mut days: Vec<NaiveDate> = entries.iter().map(|e| e.occurred_on).collect();
        days.sort_unstable();
        let mut span: Option<(NaiveDate, NaiveDate)> = None;
        for d in days {
            let until = active_until(d);
            span = match span {
                Some((s, u)) if d <= u => Some((s, u.max(until))),
                Some((s, u)) => {
                    c.add_cell(m.village, dim::ALL, "", measure::ACTIVE, s, Delta::ENTER);
                    c.add_cell(m.village, dim::ALL, "", measure::ACTIVE, u, Delta::LEAVE);
                    Some((d, until))
                }
                None => Some((d, until)),
            };
        }
        if let Some((s, u)) = span {
            c.add_cell(m.village, dim::ALL, "", measure::ACTIVE, s, Delta::ENTER);
            c.add_cell(m.village, dim::ALL, "", measure::ACTIVE, u, Delta::LEAVE);
        }
        if let Some(on) = m.moved_up_on {
            c.add_cell(
                m.village,
                dim::ALL,
                "",
                measure::NAIK_KELAS,
                on,
                Delta::ENTER,
            );
        }
        let cohort = first_of_month(m.registered_on);
        for (stage, (on, _)) in &first {
            if *stage == "P1" {
                continue; // registration is the cohort's start, not a stage reached
            }
            let key = CohortCell {
                village: m.village.to_owned(),
                cohort,
                stage: (*stage).to_owned(),
                months: whole_months(m.registered_on, *on),
                days: i32::try_from((*on - m.registered_on).num_days()).unwrap_or(i32::MAX),
            };
            *c.cohorts.entry(key).or_default() += 1;
        }
        c
    }

    fn add_cell(
        &mut self,
        village: &str,
        dim: &'static str,
        value: &str,
        measure: &str,
        day: NaiveDate,
        change: Delta,
    ) {
        let cell = Cell {
            village: village.to_owned(),
            dim,
            value: value.to_owned(),
            measure: measure.to_owned(),
            day,
        };
        let d = self.cells.entry(cell).or_default();
        d.reached += change.reached;
        d.events += change.events;
    }

    /// Adds `other` times `sign` (+1 or −1) to `self`, dropping cells that become zero.
    pub fn add(&mut self, other: &Contribution, sign: i64) {
        for (k, v) in &other.cells {
            let d = self.cells.entry(k.clone()).or_default();
            d.reached += sign * v.reached;
            d.events += sign * v.events;
            if d.is_zero() {
                self.cells.remove(k);
            }
        }
        for (k, v) in &other.cohorts {
            let n = self.cohorts.entry(k.clone()).or_default();
            *n += sign * v;
            if *n == 0 {
                self.cohorts.remove(k);
            }
        }
    }

    /// The change from `before` to `after`: what a write must add to the counters.
    /// Adds `other` to this sum, taking its keys rather than copying them (a recount sums a
    /// village's members this way); cells that cancel out stay, at zero.
    pub fn absorb(&mut self, other: Contribution) {
        for (k, v) in other.cells {
            let d = self.cells.entry(k).or_default();
            d.reached += v.reached;
            d.events += v.events;
        }
        for (k, v) in other.cohorts {
            *self.cohorts.entry(k).or_default() += v;
        }
    }

    pub fn diff(before: &Contribution, after: &Contribution) -> Contribution {
        let mut d = after.clone();
        d.add(before, -1);
        d
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty() && self.cohorts.is_empty()
    }
}

/// The first day of `d`'s month.
pub fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The first day of `d`'s year.
pub fn first_of_year(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d)
}

/// Twelve months before `d` (29 February goes to 28 February).
pub fn a_year_before(d: NaiveDate) -> NaiveDate {
    d.checked_sub_months(Months::new(12))
        .unwrap_or(NaiveDate::MIN)
}

/// The definition of "active": a service on `service` keeps the member active on `d`
/// when it is dated on or before `d` and after the same day one year earlier.
pub fn is_active_on(service: NaiveDate, d: NaiveDate) -> bool {
    service <= d && service > a_year_before(d)
}

/// The first day on which a service on `service` no longer makes the member active:
/// active exactly on the days in [`service`, `active_until(service)`).
pub fn active_until(service: NaiveDate) -> NaiveDate {
    let mut d = service
        .checked_add_months(Months::new(12))
        .unwrap_or(NaiveDate::MAX);
    while a_year_before(d) < service && d < NaiveDate::MAX {
        d = d.succ_opt().unwrap_or(NaiveDate::MAX);
    }
    d
}

/// Whole calendar months from `from` to `to` (`to` ≥ `from`): the largest m with
/// `from` + m months ≤ `to` (a month added to 31 January is 28 or 29 February). "Reached
/// within k months" is `whole_months < k`.
pub fn whole_months(from: NaiveDate, to: NaiveDate) -> i32 {
    let mut m = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    while m > 0
        && from
            .checked_add_months(Months::new(m.unsigned_abs()))
            .is_none_or(|d| d > to)
    {
        m -= 1;
    }
    m.max(0)
}

/// The grains the counters are kept at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grain {
    Day,
    Month,
    Year,
}

impl Grain {
    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Month => "month",
            Grain::Year => "year",
        }
    }
}

/// The earliest date a report starts from when it has no start ("as of" D).
pub fn beginning() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN)
}

fn last_of_month(d: NaiveDate) -> NaiveDate {
    first_of_month(d)
        .checked_add_months(Months::new(1))
        .and_then(|n| n.pred_opt())
        .unwrap_or(d)
}

fn last_of_year(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year(), 12, 31).unwrap_or(d)
}

/// Splits [`from`, `to`] (both included) into runs of whole years, whole months and days,
/// so a sum over the period reads the fewest counter rows: at most five runs, each
/// (grain, first, last) with `first` and `last` the first days of their units.
pub fn pieces(from: NaiveDate, to: NaiveDate) -> Vec<(Grain, NaiveDate, NaiveDate)> {
    let mut out: Vec<(Grain, NaiveDate, NaiveDate, NaiveDate)> = Vec::new();
    let mut cursor = from;
    while cursor <= to {
        let (grain, end) = if cursor.ordinal() == 1 && last_of_year(cursor) <= to {
            (Grain::Year, last_of_year(cursor))
        } else if cursor.day() == 1 && last_of_month(cursor) <= to {
            (Grain::Month, last_of_month(cursor))
        } else {
            (Grain::Day, last_of_month(cursor).min(to))
        };
        match out.last_mut() {
            Some(last) if last.0 == grain && last.3.succ_opt() == Some(cursor) => {
                last.2 = if grain == Grain::Day { end } else { cursor };
                last.3 = end;
            }
            _ => out.push((
                grain,
                cursor,
                if grain == Grain::Day { end } else { cursor },
                end,
            )),
        }
        match end.succ_opt() {
            Some(next) => cursor = next,
            None => break,
        }
    }
    out.into_iter().map(|(g, a, b, _)| (g, a, b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn entry(id: i64, stage: &str, kind: &str, on: &str, agency: &str) -> Entry {
        Entry {
            id,
            stage: stage.into(),
            kind: kind.into(),
            qualifying: kind != "training_attended",
            occurred_on: d(on),
            agency: agency.into(),
        }
    }

    fn member() -> MemberFacts<'static> {
        MemberFacts {
            village: "31.71.01.1001",
            sector: "I",
            registered_on: d("2021-01-31"),
            moved_up_on: None,
        }
    }

    fn reached(c: &Contribution, dim: &str, value: &str, measure: &str) -> Vec<(NaiveDate, i64)> {
        c.cells
            .iter()
            .filter(|(k, v)| {
                k.dim == dim && k.value == value && k.measure == measure && v.reached != 0
            })
            .map(|(k, v)| (k.day, v.reached))
            .collect()
    }

    #[test]
    fn active_spans_follow_the_definition_day_by_day() {
        let mut day = d("2023-01-01");
        while day < d("2025-01-01") {
            let until = active_until(day);
            let mut probe = day.pred_opt().unwrap();
            while probe < d("2026-06-01") {
                assert_eq!(
                    is_active_on(day, probe),
                    probe >= day && probe < until,
                    "service {day}, probe {probe}, until {until}"
                );
                probe = probe.succ_opt().unwrap();
            }
            day = day.checked_add_days(chrono::Days::new(13)).unwrap();
        }
        assert_eq!(active_until(d("2024-02-29")), d("2025-03-01"));
        assert_eq!(active_until(d("2023-02-28")), d("2024-02-28"));
    }

    #[test]
    fn whole_months_count_calendar_months() {
        assert_eq!(whole_months(d("2021-01-31"), d("2021-02-27")), 0);
        assert_eq!(whole_months(d("2021-01-31"), d("2021-02-28")), 1);
        assert_eq!(whole_months(d("2021-01-15"), d("2021-04-14")), 2);
        assert_eq!(whole_months(d("2021-01-15"), d("2021-04-15")), 3);
        assert_eq!(whole_months(d("2021-01-15"), d("2021-01-15")), 0);
        assert_eq!(whole_months(d("2020-12-31"), d("2022-12-30")), 23);
    }

    #[test]
    fn a_member_counts_once_per_stage_and_once_per_agency() {
        let m = member();
        let entries = [
            entry(1, "P1", "registered", "2021-01-31", "PPKUKM"),
            entry(2, "P2", "training_completed", "2021-03-01", "PPKUKM"),
            entry(3, "P2", "training_completed", "2021-02-01", "KPKP"),
            entry(4, "P2", "training_attended", "2021-01-31", "KPKP"),
            entry(5, "P4", "permit_issued", "2022-06-01", "PPKUKM"),
        ];
        let c = Contribution::of(&m, &entries);
        assert_eq!(reached(&c, dim::ALL, "", "P2"), vec![(d("2021-02-01"), 1)]);
        assert_eq!(
            reached(&c, dim::SECTOR, "I", "P2"),
            vec![(d("2021-02-01"), 1)]
        );
        assert_eq!(
            reached(&c, dim::YEAR, "2021", "P4"),
            vec![(d("2022-06-01"), 1)]
        );
        assert_eq!(
            reached(&c, dim::AGENCY, "PPKUKM", "P2"),
            vec![(d("2021-03-01"), 1)]
        );
        assert_eq!(
            reached(&c, dim::AGENCY, "KPKP", "P2"),
            vec![(d("2021-02-01"), 1)]
        );
        let p2_events: i64 = c
            .cells
            .iter()
            .filter(|(k, _)| k.dim == dim::ALL && k.measure == "P2")
            .map(|(_, v)| v.events)
            .sum();
        assert_eq!(p2_events, 2, "attendance is not a qualifying service");
        assert_eq!(reached(&c, dim::ALL, "", "k2"), vec![(d("2021-02-01"), 1)]);
        assert_eq!(reached(&c, dim::ALL, "", "k3"), vec![(d("2022-06-01"), 1)]);
        assert!(reached(&c, dim::ALL, "", "k4").is_empty());
        // Active from registration; the services up to 2021-03-01 overlap, the permit
        // more than a year later opens a second span.
        assert_eq!(
            reached(&c, dim::ALL, "", measure::ACTIVE),
            vec![
                (d("2021-01-31"), 1),
                (d("2022-03-01"), -1),
                (d("2022-06-01"), 1),
                (d("2023-06-01"), -1)
            ]
        );
        assert!(
            c.cells.keys().all(|k| !k.measure.starts_with("kind.")),
            "no exhibition, no exhibition count"
        );
        let cohorts: Vec<_> = c
            .cohorts
            .keys()
            .map(|k| (k.stage.as_str(), k.cohort, k.months, k.days))
            .collect();
        assert_eq!(
            cohorts,
            vec![
                ("P2", d("2021-01-01"), 0, 1),
                ("P4", d("2021-01-01"), 16, 486)
            ]
        );
    }

    #[test]
    fn the_difference_moves_only_what_changed() {
        let m = member();
        let before = vec![
            entry(1, "P1", "registered", "2021-01-31", "PPKUKM"),
            entry(2, "P2", "training_completed", "2021-03-01", "PPKUKM"),
        ];
        let mut after = before.clone();
        after.push(entry(3, "P5", "bazaar", "2021-04-01", "PPKUKM"));
        let b = Contribution::of(&m, &before);
        let a = Contribution::of(&m, &after);
        let diff = Contribution::diff(&b, &a);
        let mut back = b.clone();
        back.add(&diff, 1);
        assert_eq!(back, a);
        assert!(diff.cells.keys().all(|k| k.measure != "P2"), "P2 unchanged");
        assert!(Contribution::diff(&a, &a).is_empty());
        // A move to another village takes everything with it.
        let moved = MemberFacts {
            village: "31.74.02.1001",
            ..m.clone()
        };
        let diff = Contribution::diff(&a, &Contribution::of(&moved, &after));
        let total: i64 = diff.cells.values().map(|v| v.reached + v.events).sum();
        assert_eq!(total, 0, "what leaves one village arrives in the other");
        assert!(diff.cells.keys().any(|k| k.village == "31.74.02.1001"));
    }

    #[test]
    fn naik_kelas_is_counted_on_its_date() {
        let m = MemberFacts {
            moved_up_on: Some(d("2023-05-31")),
            ..member()
        };
        let c = Contribution::of(&m, &[entry(1, "P1", "registered", "2021-01-31", "PPKUKM")]);
        assert_eq!(
            reached(&c, dim::ALL, "", measure::NAIK_KELAS),
            vec![(d("2023-05-31"), 1)]
        );
    }

    #[test]
    fn a_period_splits_into_years_months_and_days() {
        use Grain::*;
        assert_eq!(
            pieces(d("2022-10-17"), d("2023-03-24")),
            vec![
                (Day, d("2022-10-17"), d("2022-10-31")),
                (Month, d("2022-11-01"), d("2023-02-01")),
                (Day, d("2023-03-01"), d("2023-03-24")),
            ]
        );
        assert_eq!(
            pieces(beginning(), d("2021-10-21")),
            vec![
                (Year, d("1970-01-01"), d("2020-01-01")),
                (Month, d("2021-01-01"), d("2021-09-01")),
                (Day, d("2021-10-01"), d("2021-10-21")),
            ]
        );
        assert_eq!(
            pieces(d("2021-12-31"), d("2023-01-01")),
            vec![
                (Day, d("2021-12-31"), d("2021-12-31")),
                (Year, d("2022-01-01"), d("2022-01-01")),
                (Day, d("2023-01-01"), d("2023-01-01")),
            ]
        );
        assert_eq!(
            pieces(d("2021-02-01"), d("2021-02-28")),
            vec![(Month, d("2021-02-01"), d("2021-02-01"))]
        );
        assert!(pieces(d("2021-02-02"), d("2021-02-01")).is_empty());
        // Every day of a range is covered once.
        let (from, to) = (d("2019-11-13"), d("2022-03-02"));
        let mut days = 0;
        for (g, a, b) in pieces(from, to) {
            let mut u = a;
            while u <= b {
                let (len, next) = match g {
                    Day => (1, u.succ_opt().unwrap()),
                    Month => (
                        (last_of_month(u) - u).num_days() + 1,
                        last_of_month(u).succ_opt().unwrap(),
                    ),
                    Year => (
                        (last_of_year(u) - u).num_days() + 1,
                        last_of_year(u).succ_opt().unwrap(),
                    ),
                };
                days += len;
                u = next;
            }
        }
        assert_eq!(days, (to - from).num_days() + 1);
    }
}
