//! The programme's indicators: each figure Jakpreneur publishes has exactly one entry
//! here, with its code, its names, its definition and the records it counts. The API
//! serves this list (`GET /api/v1/indicators`) and `docs/indicators.md` repeats every
//! definition word for word (a test compares them), so the published text and the code
//! cannot drift apart.

use serde::Serialize;

/// Whether an indicator is a stock on a date or a flow over a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Counted as of a date D (inclusive).
    AsOf,
    /// Counted over a period [from, to] (both dates inclusive).
    Period,
    /// Counted for the members registered in one month, as recorded today.
    Cohort,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Indicator {
    pub code: &'static str,
    pub name_id: &'static str,
    pub name_en: &'static str,
    pub measure: Measure,
    /// `true` when the indicator exists once per facility (P1–P7), coded `{code}_p1` …
    pub per_facility: bool,
    pub definition: &'static str,
    pub unit: &'static str,
    /// The tables it is counted from.
    pub counts: &'static str,
}

/// Every indicator. Regions: a member belongs to the region of its business village;
/// a filter at any level includes everything below it. That rule is common to all and
/// stated once in docs/indicators.md.
pub const INDICATORS: [Indicator; 22] = [
    Indicator {
        code: "registered_members",
        name_id: "Anggota terdaftar",
        name_en: "Registered members",
        measure: Measure::AsOf,
        per_facility: false,
        definition: "Members whose registration date is on or before D. Withdrawn and erased members still count: they were registered, and erasure removes personal data, not the record.",
        unit: "members",
        counts: "members (registered_on); equal to reached_p1",
    },
    Indicator {
        code: "active_members",
        name_id: "Anggota aktif",
        name_en: "Active members",
        measure: Measure::AsOf,
        per_facility: false,
        definition: "Members registered on or before D with at least one non-voided service of any facility (registration included) dated in the twelve months up to D: after the same day one year earlier, and on or before D.",
        unit: "members",
        counts: "member_events (non-voided, kind other than void), kept with stat_counts (measure active)",
    },
    Indicator {
        code: "reached",
        name_id: "Anggota yang mencapai fasilitas",
        name_en: "Members who reached a facility",
        measure: Measure::AsOf,
        per_facility: true,
        definition: "Members whose first non-voided qualifying event of the facility (member_facility.first_reached_on) is on or before D. Withdrawn and erased members still count: they were served; members registered after D do not.",
        unit: "members",
        counts: "member_facility, kept with stat_counts.reached",
    },
    Indicator {
        code: "reached_by_agency",
        name_id: "Anggota yang dilayani pengampu",
        name_en: "Members served by an agency",
        measure: Measure::AsOf,
        per_facility: true,
        definition: "For one agency: members whose first non-voided qualifying event of the facility credited to that agency is on or before D. A member served by two agencies counts once in the total and once for each agency, so agencies add up to more than the total.",
        unit: "members",
        counts: "member_events (agency_code), kept with stat_counts (dim agency)",
    },
    Indicator {
        code: "reached_at_least",
        name_id: "Anggota yang mencapai sedikitnya k fasilitas",
        name_en: "Members who reached at least k facilities",
        measure: Measure::AsOf,
        per_facility: false,
        definition: "For k = 2 to 7: members with at least k facilities whose first reach is on or before D. k = 7 is all seven facilities.",
        unit: "members",
        counts: "member_facility, kept with stat_counts (measures k2 to k7)",
    },
    Indicator {
        code: "new_registrants",
        name_id: "Pendaftar baru",
        name_en: "New registrants",
        measure: Measure::Period,
        per_facility: false,
        definition: "Members whose registration date lies in the period.",
        unit: "members",
        counts: "members (registered_on)",
    },
    Indicator {
        code: "first_reached",
        name_id: "Anggota yang pertama kali mencapai fasilitas",
        name_en: "Members first reaching a facility",
        measure: Measure::Period,
        per_facility: true,
        definition: "Members whose first reach of the facility (member_facility.first_reached_on) lies in the period.",
        unit: "members",
        counts: "member_facility, kept with stat_counts.reached",
    },
    Indicator {
        code: "events",
        name_id: "Layanan yang mencapai fasilitas",
        name_en: "Qualifying services",
        measure: Measure::Period,
        per_facility: true,
        definition: "Non-voided qualifying events of the facility dated in the period, however many a member had (e.g. every permit granted, every bazaar taken part in).",
        unit: "services",
        counts: "member_events (qualifying, non-voided), kept with stat_counts.events",
    },
    Indicator {
        code: "permits_issued",
        name_id: "Izin terbit",
        name_en: "Permits issued",
        measure: Measure::Period,
        per_facility: false,
        definition: "Non-voided permit_issued events dated in the period: events_p4, since permit_issued is the only qualifying kind of P4.",
        unit: "permits",
        counts: "member_events (kind permit_issued), kept with stat_counts (dim kind)",
    },
    Indicator {
        code: "exhibition_participations",
        name_id: "Keikutsertaan pameran",
        name_en: "Exhibition participations",
        measure: Measure::Period,
        per_facility: false,
        definition: "Non-voided exhibition events dated in the period: one per member and exhibition. Products shown come with the product catalogue.",
        unit: "participations",
        counts: "member_events (kind exhibition), kept with stat_counts (dim kind)",
    },
    Indicator {
        code: "moved_up_class",
        name_id: "Anggota naik kelas",
        name_en: "Members who moved up a size class",
        measure: Measure::AsOf,
        per_facility: false,
        definition: "Members whose financial reports first show a size class above the class of their first report in a month ending on or before D (member_size.moved_up_on ≤ D), classes per PP 7/2021 (UU 20/2008 before 2 February 2021).",
        unit: "members",
        counts: "financial_reports, kept with member_size and stat_counts (measure naik_kelas)",
    },
    Indicator {
        code: "mentored_members",
        name_id: "Anggota yang didampingi pendamping",
        name_en: "Members mentored by a mentor",
        measure: Measure::Period,
        per_facility: false,
        definition: "For one mentor: distinct members with whom that mentor held a non-voided mentoring session dated in the period. Used for mentors' targets (e.g. 60 members per mentor per year); never published per person in the open statistics.",
        unit: "members",
        counts: "mentoring_sessions (mentor_user_id, held_on), member_events (voids)",
    },
    Indicator {
        code: "cohort_reached_within",
        name_id: "Kohort yang mencapai fasilitas dalam k bulan",
        name_en: "Cohort reaching a facility within k months",
        measure: Measure::Cohort,
        per_facility: true,
        definition: "For the members registered in one month and k = 3, 6, 12 or 24: the share whose first reach of the facility came before the registration date plus k calendar months (31 January plus one month is 28 or 29 February), of all members registered that month. Shown only once every member of the month has been registered k months.",
        unit: "share of registrants",
        counts: "member_facility and members (registered_on), kept with stat_cohorts",
    },
    Indicator {
        code: "cohort_median_days",
        name_id: "Median hari sampai fasilitas",
        name_en: "Median days to reach a facility",
        measure: Measure::Cohort,
        per_facility: true,
        definition: "For the members registered in one month who reached the facility: the median of the days from registration to the first reach (the mean of the two middle values when their number is even).",
        unit: "days",
        counts: "member_facility and members (registered_on), kept with stat_cohort_days",
    },
    Indicator {
        code: "eorder_spend",
        name_id: "Belanja e-order",
        name_en: "e-order spend",
        measure: Measure::Period,
        per_facility: false,
        definition: "Rupiah paid for e-order orders whose payment date lies in the period: the amount due of each paid order (the units received at the prices frozen when ordering), before taxes are withheld. Orders declined, cancelled or not yet paid do not count.",
        unit: "rupiah",
        counts: "orders (state paid, paid_on, amount_due)",
    },
    Indicator {
        code: "eorder_orders",
        name_id: "Pesanan e-order terbayar",
        name_en: "Paid e-order orders",
        measure: Measure::Period,
        per_facility: false,
        definition: "Orders whose payment date lies in the period.",
        unit: "orders",
        counts: "orders (state paid, paid_on)",
    },
    Indicator {
        code: "eorder_suppliers",
        name_id: "Anggota yang menjual lewat e-order",
        name_en: "Members who sold through e-order",
        measure: Measure::Period,
        per_facility: false,
        definition: "Distinct members paid for at least one order whose payment date lies in the period; every supplier is a member.",
        unit: "members",
        counts: "orders (member_id)",
    },
    Indicator {
        code: "eorder_small_business_share",
        name_id: "Porsi belanja ke usaha mikro dan kecil",
        name_en: "Share of spend to micro and small businesses",
        measure: Measure::Period,
        per_facility: false,
        definition: "eorder_spend on orders whose supplier is micro or small, divided by eorder_spend. A supplier counts as micro or small unless the size class its reports and sales imply (member_size) is medium or large; the programme admits small businesses, and one without reports has no class on file. Compared with the target in force on the period's last day: 40% from 2 February 2021 (Perpres 12/2021 art. 65).",
        unit: "share of spend",
        counts: "orders, member_size",
    },
    Indicator {
        code: "eorder_tkdn_spend",
        name_id: "Belanja produk ber-TKDN (P3DN)",
        name_en: "Spend on TKDN-certified products (P3DN)",
        measure: Measure::Period,
        per_facility: false,
        definition: "The part of eorder_spend on order lines whose product had a TKDN percentage when ordered: the units received at their frozen price.",
        unit: "rupiah",
        counts: "order_lines (tkdn_percent, frozen at ordering), kept with orders.tkdn_amount",
    },
    Indicator {
        code: "eorder_days_to_payment",
        name_id: "Rata-rata hari sampai dibayar",
        name_en: "Average days from order to payment",
        measure: Measure::Period,
        per_facility: false,
        definition: "For the orders paid in the period: the mean of the days from the order date to the payment date.",
        unit: "days",
        counts: "orders (ordered_on, paid_on), kept with orders.days_to_pay",
    },
    Indicator {
        code: "programme_reached",
        name_id: "Peserta yang mencapai tahap",
        name_en: "People who reached a stage",
        measure: Measure::AsOf,
        per_facility: false,
        definition: "For a programme other than Jakpreneur (programme=CODE) and each of its stages: enrolments whose first non-voided qualifying event of the stage is on or before D. A person is counted once in each programme they are enrolled in; withdrawn enrolments still count. An enrolment belongs to the region of its residence village.",
        unit: "people",
        counts: "programme_reaches and programme_enrolments (village_code)",
    },
    Indicator {
        code: "placement_rate",
        name_id: "Tingkat penempatan kerja",
        name_en: "Placement rate",
        measure: Measure::AsOf,
        per_facility: false,
        definition: "Job training (pelatihan_kerja): of the trainees, the enrolments whose skills training was completed (first non-voided qualifying K2 event, assessed_competent) on or before D (and on or after from, when given), the share placed in work: whose first non-voided placement as hired or self-employed (K4) is on or before D and at most six calendar months after completing. Percent with two decimals, rounded half up from the whole counts; trainees and placed are published beside it.",
        unit: "percent",
        counts: "programme_reaches (K2, K4), programme_events (kind of the K4 reach) and programme_enrolments (village_code)",
    },
];

/// One facility of the funnel: its count, its share of registrants (P1) and of the
/// previous facility, as fractions; `None` where the base is zero.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelStep {
    pub facility: String,
    pub count: i64,
    pub share_of_registrants: Option<f64>,
    pub share_of_previous: Option<f64>,
}

/// The funnel of counts by facility, in facility order (P1 first).
pub fn funnel(counts: &std::collections::BTreeMap<String, i64>) -> Vec<FunnelStep> {
    let share = |n: i64, base: i64| (base > 0).then(|| n as f64 / base as f64);
    let registrants = counts.get("P1").copied().unwrap_or(0);
    let mut previous: Option<i64> = None;
    counts
        .iter()
        .map(|(facility, &count)| {
            let step = FunnelStep {
                facility: facility.clone(),
                count,
                share_of_registrants: share(count, registrants),
                share_of_previous: previous.and_then(|p| share(count, p)),
            };
            previous = Some(count);
            step
        })
        .collect()
}

pub fn indicator(code: &str) -> Option<&'static Indicator> {
    INDICATORS.iter().find(|i| i.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for i in INDICATORS {
            assert!(seen.insert(i.code), "{} twice", i.code);
            assert!(
                i.code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                i.code
            );
            assert!(!i.definition.is_empty() && !i.name_id.is_empty() && !i.name_en.is_empty());
        }
        assert_eq!(indicator("reached").map(|i| i.per_facility), Some(true));
    }

    #[test]
    fn the_funnel_divides_by_registrants_and_the_previous_step() {
        let counts = [("P1", 200), ("P2", 50), ("P3", 0), ("P4", 10)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let f = funnel(&counts);
        assert_eq!(f[1].share_of_registrants, Some(0.25));
        assert_eq!(f[1].share_of_previous, Some(0.25));
        assert_eq!(f[0].share_of_previous, None);
        assert_eq!(f[3].share_of_previous, None, "after a zero step");
        assert_eq!(f[3].share_of_registrants, Some(0.05));
        let none = funnel(&[("P1".to_owned(), 0)].into_iter().collect());
        assert_eq!(none[0].share_of_registrants, None);
    }
}
