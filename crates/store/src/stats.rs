//! Statistics from the incremental aggregates, never from scanning members: the daily
//! counters (`facility_daily`, village × facility × day) that every ledger write keeps in
//! its own transaction. Definitions: `jakpreneur_core::indicators` and docs/indicators.md.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use jakpreneur_core::programme::{JAKPRENEUR, programmes};
use jakpreneur_core::{Actor, Permission, RegionCode, RegionLevel};

use crate::Result;
use crate::access::require;
use crate::sql::{Arg, Sql};

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

/// Adds "the village lies in `region`" to a query on `facility_daily`.
fn in_region(sql: &mut Sql, region: Option<&RegionCode>) {
    let Some(r) = region else { return };
    let code = r.as_str();
    let exact = sql.arg(Arg::Text(code.to_owned()));
    // Region codes are digits and dots: nothing to escape in the pattern.
    let below = sql.arg(Arg::Text(format!("{code}.%")));
    sql.push(&format!(
        " AND (village_code = {exact} OR village_code LIKE {below})"
    ));
}

impl crate::Store {
    /// Members who reached each facility as of `as_of` in `region` (the facility release),
    /// for staff.
    pub async fn facility_counts(
        &self,
        actor: &Actor,
        region: Option<&RegionCode>,
        as_of: NaiveDate,
    ) -> Result<ByFacility> {
        require(actor, Permission::MemberRead)?;
        self.public_facility_counts(region, as_of).await
    }

    /// [`Self::facility_counts`] for the open statistics: aggregates only, no actor. The
    /// web layer suppresses small counts below city level before showing them.
    pub async fn public_facility_counts(
        &self,
        region: Option<&RegionCode>,
        as_of: NaiveDate,
    ) -> Result<ByFacility> {
        let mut sql = Sql::new(
            "SELECT stage, CAST(SUM(reached) AS BIGINT) FROM facility_daily WHERE programme = $1 AND day <= $2",
        );
        sql.args.push(Arg::Text(JAKPRENEUR.to_owned()));
        sql.args.push(Arg::Date(as_of));
        in_region(&mut sql, region);
        sql.push(" GROUP BY stage");
        let rows: Vec<(String, Option<i64>)> = dispatch!(&self.db, read, pool => {
            bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql.text.clone())), &sql.args).fetch_all(pool).await?
        });
        let mut out = zeroes();
        for (stage, n) in rows {
            out.insert(stage, n.unwrap_or(0));
        }
        Ok(out)
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
        require(actor, Permission::MemberRead)?;
        // Codes are fixed-width: 31.71 (city), 31.71.01 (district), 31.71.01.1001 (village).
        let key = match level {
            RegionLevel::Province => "substr(village_code, 1, 2)",
            RegionLevel::City => "substr(village_code, 1, 5)",
            RegionLevel::District => "substr(village_code, 1, 8)",
            RegionLevel::Village => "village_code",
        };
        let mut sql = Sql::new(&format!(
            "SELECT {key} AS area, stage, CAST(SUM(reached) AS BIGINT) FROM facility_daily WHERE programme = $1 AND day <= $2"
        ));
        sql.args.push(Arg::Text(JAKPRENEUR.to_owned()));
        sql.args.push(Arg::Date(as_of));
        in_region(&mut sql, region);
        sql.push(&format!(" GROUP BY {key}, stage"));
        let rows: Vec<(String, String, Option<i64>)> = dispatch!(&self.db, read, pool => {
            bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql.text.clone())), &sql.args).fetch_all(pool).await?
        });
        let mut out: BTreeMap<String, ByFacility> = BTreeMap::new();
        for (area, stage, n) in rows {
            out.entry(area)
                .or_insert_with(zeroes)
                .insert(stage, n.unwrap_or(0));
        }
        Ok(out)
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
        require(actor, Permission::MemberRead)?;
        let mut sql = Sql::new(
            "SELECT stage, CAST(SUM(reached) AS BIGINT), CAST(SUM(events) AS BIGINT) FROM facility_daily \
             WHERE programme = $1 AND day >= $2 AND day <= $3",
        );
        sql.args.push(Arg::Text(JAKPRENEUR.to_owned()));
        sql.args.push(Arg::Date(from));
        sql.args.push(Arg::Date(to));
        in_region(&mut sql, region);
        sql.push(" GROUP BY stage");
        let rows: Vec<(String, Option<i64>, Option<i64>)> = dispatch!(&self.db, read, pool => {
            bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql.text.clone())), &sql.args).fetch_all(pool).await?
        });
        let (mut first_reached, mut events) = (zeroes(), zeroes());
        for (stage, r, e) in rows {
            first_reached.insert(stage.clone(), r.unwrap_or(0));
            events.insert(stage, e.unwrap_or(0));
        }
        Ok(PeriodCounts {
            first_reached,
            events,
        })
    }
}
