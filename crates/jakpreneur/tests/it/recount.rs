//! The ledger's derived tables recounted from raw events: every member's first reach per
//! facility, and every daily counter (village × facility × day), as the API shows them.

use std::collections::{BTreeMap, HashMap};

use jakpreneur_testkit::TestApp;

pub type Counters = BTreeMap<(String, String, String), (i64, i64)>;

/// The stored daily counters: (village, facility, day) → (members first reaching, events).
pub async fn counters(app: &TestApp) -> Counters {
    app.store
        .facility_counters(&jakpreneur_core::Actor::system("test"))
        .await
        .unwrap()
        .into_iter()
        .map(|(v, s, d, r, e)| ((v, s, d.to_string()), (r, e)))
        .collect()
}

/// Recounts every member's first reaches and the daily counters from the raw, non-voided
/// qualifying events, and asserts the stored ones equal them. `members` must be every
/// member with events.
pub async fn assert_ledger_matches_recount(app: &TestApp, members: &[String]) {
    let qualifying: HashMap<String, bool> = jakpreneur_core::programme::programmes()
        .kinds
        .iter()
        .filter(|k| k.programme == "jakpreneur")
        .map(|k| (k.kind.clone(), k.qualifying))
        .collect();
    let mut expected: Counters = BTreeMap::new();
    for no in members {
        let m = app.get(&format!("/api/v1/members/{no}")).await.json();
        let village = m["village_code"].as_str().unwrap().to_owned();
        let events = app
            .get(&format!("/api/v1/members/{no}/events"))
            .await
            .json();
        let mut first: BTreeMap<String, String> = BTreeMap::new();
        for e in events["items"].as_array().unwrap() {
            let kind = e["kind"].as_str().unwrap();
            if !qualifying.get(kind).copied().unwrap_or(false) || e["voided"].is_object() {
                continue;
            }
            let stage = e["facility"].as_str().unwrap().to_owned();
            let day = e["occurred_on"].as_str().unwrap().to_owned();
            expected
                .entry((village.clone(), stage.clone(), day.clone()))
                .or_default()
                .1 += 1;
            let f = first.entry(stage).or_insert(day.clone());
            if day < *f {
                *f = day;
            }
        }
        for (stage, day) in &first {
            expected
                .entry((village.clone(), stage.clone(), day.clone()))
                .or_default()
                .0 += 1;
        }
        assert_eq!(app.reached(no).await, first, "member_facility of {no}");
    }
    assert_eq!(counters(app).await, expected, "daily counters = recount");
}
