//! Permission and scope checks, where data is read and written. Every member query goes
//! through [`scope_filter`], so a list, a read, an export or a write can only reach rows
//! the actor's scope covers; there is no unscoped member read outside admin-only code.

use jakpreneur_core::{Actor, Permission, RegionLevel, Scope};

use crate::query::Query;
use crate::{Result, StoreError};

/// Refuses an actor without `p`.
pub(crate) fn require(actor: &Actor, p: Permission) -> Result<()> {
    if actor.can(p) {
        Ok(())
    } else {
        Err(StoreError::Forbidden(format!(
            "the role {} may not {}",
            actor.role.as_str(),
            p.as_str()
        )))
    }
}

/// Adds the actor's scope to a member query's WHERE clause.
/// The members column holding a region code of `level`.
pub(crate) fn region_column(level: RegionLevel) -> &'static str {
    match level {
        RegionLevel::Province => "province_code",
        RegionLevel::City => "city_code",
        RegionLevel::District => "district_code",
        RegionLevel::Village => "village_code",
    }
}

pub(crate) fn scope_filter(actor: &Actor, sql: &mut Query) {
    scope_filter_on(actor, sql, "");
}

/// [`scope_filter`] on a joined members table: `prefix` is its alias and a dot, `m.`.
pub(crate) fn scope_filter_on(actor: &Actor, sql: &mut Query, prefix: &str) {
    match &actor.scope {
        Scope::All => {}
        Scope::Region(r) => {
            let column = region_column(r.level());
            let p = sql.arg(r.as_str().to_owned());
            sql.push(&format!(" AND {prefix}{column} = {p}"));
        }
        Scope::Member(no) => {
            let p = sql.arg(no.clone());
            sql.push(&format!(" AND {prefix}member_no = {p}"));
        }
        Scope::Nothing => {
            sql.push(" AND 1 = 0");
        }
    }
}

/// A write to a member outside the actor's scope is refused (403, as the issue asks);
/// reads outside scope simply find nothing (404).
pub(crate) fn require_covers(actor: &Actor, village_code: &str, member_no: &str) -> Result<()> {
    if actor.scope.covers(village_code, member_no) {
        Ok(())
    } else {
        Err(StoreError::Forbidden(
            "the member lies outside your region".into(),
        ))
    }
}
