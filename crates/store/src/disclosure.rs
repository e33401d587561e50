//! The open statistics' cell-key perturbation (method in `jakpreneur_core::disclosure`):
//! the installation's noise key, and the noise applied to every count below city level
//! before a public release leaves the store.
//!
//! A cell is named by what it counts: its region (or, for a group of another breakdown,
//! the report's region, the breakdown and the group), the measure, and for flows which of
//! the two figures. The date is not part of the name, so a district's count of 9 shows the
//! same value on every date it is 9, and in every release that shows that district.

use std::sync::Arc;

use jakpreneur_core::disclosure::perturb;
use jakpreneur_core::{RegionCode, RegionLevel};

use crate::query::query;
use crate::stats::{Breakdown, Cohort, Flows, Grouped, Stocks};
use crate::{Result, Store, StoreError};

const NOISE_KEY: &str = "stats_noise_key";

/// The installation's noise key: 32 random bytes made once and kept in the database's
/// settings. It must stay secret from the public (whoever holds it can undo the noise),
/// not from the database's holders, who can read the exact counts anyway; and it must
/// never change, or every cell would show a second draw of its noise.
#[derive(Clone)]
pub(crate) struct Noise(Arc<[u8; 32]>);

impl std::fmt::Debug for Noise {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Noise(<redacted>)")
    }
}

impl Noise {
    fn cell(&self, name: &str, count: i64) -> i64 {
        let count_text = count.to_string();
        let h = crate::crypto::hmac(
            &self.0[..],
            &[name.as_bytes(), b"\0", count_text.as_bytes()],
        );
        let u = u64::from_be_bytes(h[..8].try_into().expect("8 bytes"));
        perturb(count, u)
    }

    /// Perturbs the cells of a stocks release below city level.
    pub(crate) fn stocks(
        &self,
        region: Option<&RegionCode>,
        by: Option<Breakdown>,
        s: &mut Grouped<Stocks>,
    ) {
        if let Some(name) = below_city(region) {
            for (measure, n) in s.total.iter_mut() {
                *n = self.cell(&format!("stock|{name}|{measure}"), *n);
            }
        }
        for (key, g) in s.groups.iter_mut() {
            if let Some(name) = group_name(region, by, key) {
                for (measure, n) in g.iter_mut() {
                    *n = self.cell(&format!("stock|{name}|{measure}"), *n);
                }
            }
        }
    }

    /// Perturbs a cohort report below city level: each month's registrants, and per
    /// facility the members reached and those reached within each window, each its own
    /// cell named by the region, the cohort's month and what it counts. A perturbed count
    /// is then kept within the one it is part of (reached within its registrants, within k
    /// months within reached): a share above 1 would say nothing true, and the clamp uses
    /// only published values.
    pub(crate) fn cohorts(&self, region: Option<&RegionCode>, cohorts: &mut [Cohort]) {
        let Some(name) = below_city(region) else {
            return;
        };
        for c in cohorts.iter_mut() {
            let month = c.month.format("%Y-%m").to_string();
            let cell = |what: &str, n: i64| self.cell(&format!("cohort|{name}|{month}|{what}"), n);
            c.registrants = cell("registrants", c.registrants);
            for (stage, st) in c.stages.iter_mut() {
                st.reached = cell(&format!("{stage}|reached"), st.reached).min(c.registrants);
                for (k, n) in st.within.iter_mut() {
                    *n = cell(&format!("{stage}|within{k}"), *n).min(st.reached);
                }
            }
        }
    }

    /// Perturbs the cells of a flows release below city level (both figures of each).
    pub(crate) fn flows(
        &self,
        region: Option<&RegionCode>,
        by: Option<Breakdown>,
        f: &mut Grouped<Flows>,
    ) {
        let one = |name: &str, m: &mut Flows| {
            for (measure, (r, e)) in m.iter_mut() {
                *r = self.cell(&format!("reached|{name}|{measure}"), *r);
                *e = self.cell(&format!("events|{name}|{measure}"), *e);
            }
        };
        if let Some(name) = below_city(region) {
            one(&name, &mut f.total);
        }
        for (key, g) in f.groups.iter_mut() {
            if let Some(name) = group_name(region, by, key) {
                one(&name, g);
            }
        }
    }
}

/// A district or village: its code names the cell; above it, totals are exact.
fn below_city(region: Option<&RegionCode>) -> Option<String> {
    region
        .filter(|r| matches!(r.level(), RegionLevel::District | RegionLevel::Village))
        .map(|r| r.as_str().to_owned())
}

/// The name of a group's cells, or `None` for a group shown exactly (a city or the
/// province). A region group is named by its own code, as when asked for directly.
fn group_name(region: Option<&RegionCode>, by: Option<Breakdown>, key: &str) -> Option<String> {
    match by? {
        Breakdown::Region(RegionLevel::District | RegionLevel::Village) => Some(key.to_owned()),
        Breakdown::Region(_) => None,
        other => Some(format!(
            "{}|{}={key}",
            region.map_or("31", RegionCode::as_str),
            other.dim()
        )),
    }
}

impl Store {
    /// The noise key, loaded with the data key by [`Store::attach_key`].
    pub(crate) fn noise(&self) -> Result<&Noise> {
        self.noise
            .as_ref()
            .ok_or_else(|| StoreError::Key("no data key is attached to the store".into()))
    }

    /// Reads the noise key, making it on first use.
    pub(crate) async fn load_noise_key(&self) -> Result<Noise> {
        let made = hex::encode(crate::crypto::random_bytes::<32>());
        query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(NOISE_KEY)
            .bind(&made)
            .execute(self.write())
            .await?;
        let stored: String = query("SELECT value FROM settings WHERE name = $1")
            .bind(NOISE_KEY)
            .scalar(self.write())
            .await?;
        let bytes = hex::decode(stored.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| {
                StoreError::Corrupt("the statistics noise key is not 64 hex digits".into())
            })?;
        Ok(Noise(Arc::new(bytes)))
    }
}
