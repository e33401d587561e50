//! Packages: planned procurements (SiRUP-style) with a budget code, a ceiling and a fiscal
//! year. The unit's PA/KPA creates a package and assigns it to a PPK; that PPK assigns it
//! to a procurement officer, who orders under it. Orders take their amount from
//! `committed`, which never exceeds the ceiling.

use chrono::Utc;
use jakpreneur_core::eorder::{BuyerRole, NewPackage};
use jakpreneur_core::{Actor, Role};
use serde::Serialize;
use serde_json::json;

use super::{require_seat, seat_of};
use crate::audit::{self, Change, Who};
use crate::query::{query, query_text};
use crate::{Result, Store, StoreError};

/// A package and what remains of its ceiling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Package {
    pub id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub name: String,
    pub budget_code: String,
    pub ceiling: i64,
    pub fiscal_year: i64,
    /// Held by orders that are neither declined nor cancelled, in rupiah.
    pub committed: i64,
    pub remaining: i64,
    /// The PPK it is assigned to (username), if any.
    pub ppk: Option<String>,
    /// The procurement officer it is assigned to, if any.
    pub officer: Option<String>,
    pub version: i64,
    #[serde(skip)]
    pub unit_path: String,
    #[serde(skip)]
    pub ppk_user_id: Option<i64>,
    #[serde(skip)]
    pub officer_user_id: Option<i64>,
}

pub(crate) const PACKAGE_SELECT: &str = "SELECT k.id, k.unit_code, b.name AS unit_name, k.name, \
     k.budget_code, k.ceiling, k.fiscal_year, k.committed, k.ceiling - k.committed AS \
     remaining, p.username AS ppk, o.username AS officer, k.version, b.path AS unit_path, \
     k.ppk_user_id, k.officer_user_id FROM packages k JOIN buyer_units b ON b.code = \
     k.unit_code LEFT JOIN users p ON p.id = k.ppk_user_id LEFT JOIN users o ON o.id = \
     k.officer_user_id WHERE 1 = 1";

impl Store {
    /// Creates a package in the caller's unit (its PA/KPA), or in any unit for an
    /// administrator, who must name it.
    pub async fn create_package(&self, actor: &Actor, p: &NewPackage) -> Result<Package> {
        let unit = if actor.role == Role::Admin {
            p.unit.clone().ok_or_else(|| {
                StoreError::invalid("unit", "required", "name the buying unit of the package")
            })?
        } else {
            let seat = require_seat(self.read(), actor).await?;
            if seat.role != BuyerRole::PaKpa {
                return Err(StoreError::Forbidden(
                    "only the unit's budget holder (PA/KPA) creates packages".into(),
                ));
            }
            if p.unit.as_ref().is_some_and(|u| *u != seat.unit_code) {
                return Err(StoreError::Forbidden(
                    "a PA/KPA creates packages for its own unit only".into(),
                ));
            }
            seat.unit_code
        };
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let known: Option<String> = query("SELECT code FROM buyer_units WHERE code = $1")
            .bind(&unit)
            .scalar_optional(&mut tx)
            .await?;
        if known.is_none() {
            return Err(StoreError::invalid(
                "unit",
                "unit_unknown",
                format!("no buying unit has the code {unit}"),
            ));
        }
        let id: i64 = query(
            "INSERT INTO packages (unit_code, name, budget_code, ceiling, fiscal_year, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&unit)
        .bind(&p.name)
        .bind(&p.budget_code)
        .bind(p.ceiling)
        .bind(i64::from(p.fiscal_year))
        .bind(&who.name)
        .bind(now)
        .scalar(&mut tx)
        .await?;
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "eorder.package_create",
                record_type: "package",
                record_id: id.to_string(),
                before: None,
                after: Some(json!({ "unit": unit, "name": p.name,
                    "budget_code": p.budget_code, "ceiling": p.ceiling,
                    "fiscal_year": p.fiscal_year })),
            }],
        )
        .await?;
        tx.commit().await?;
        self.package_unscoped(id).await
    }

    /// Assigns a package down the chain: its unit's PA/KPA to a PPK of the unit, then that
    /// PPK to a procurement officer of the unit. Assigning again replaces the assignee.
    pub async fn assign_package(&self, actor: &Actor, id: i64, username: &str) -> Result<Package> {
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let seat = require_seat(&mut tx, actor).await?;
        let k: Package = query_text(format!("{PACKAGE_SELECT} AND k.id = $1"))
            .bind(id)
            .fetch_optional(&mut tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !k.unit_path.starts_with(&seat.unit_path) {
            return Err(StoreError::NotFound);
        }
        let (wanted, column) = match seat.role {
            BuyerRole::PaKpa if seat.unit_code == k.unit_code => (BuyerRole::Ppk, "ppk_user_id"),
            BuyerRole::Ppk if k.ppk_user_id == Some(seat.user_id) => {
                (BuyerRole::ProcurementOfficer, "officer_user_id")
            }
            BuyerRole::Ppk => {
                return Err(StoreError::Forbidden(
                    "the package is not assigned to you: its PA/KPA assigns it to a PPK first"
                        .into(),
                ));
            }
            _ => {
                return Err(StoreError::Forbidden(
                    "only the unit's PA/KPA or the package's PPK assigns a package".into(),
                ));
            }
        };
        let target: Option<(i64, Option<String>, Option<String>)> = query(
            "SELECT id, buyer_unit_code, buyer_role FROM users WHERE username = $1 AND \
             disabled_at IS NULL",
        )
        .bind(username.trim().to_lowercase())
        .fetch_optional(&mut tx)
        .await?;
        let target_id = match target {
            Some((uid, Some(u), Some(r))) if u == k.unit_code && r == wanted.as_str() => uid,
            _ => {
                return Err(StoreError::invalid(
                    "user",
                    "assignee_invalid",
                    format!(
                        "{username:?} is not an active {} account of the unit {}",
                        wanted.as_str(),
                        k.unit_code
                    ),
                ));
            }
        };
        query_text(format!(
            "UPDATE packages SET {column} = $1, version = version + 1 WHERE id = $2"
        ))
        .bind(target_id)
        .bind(id)
        .execute(&mut tx)
        .await?;
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "eorder.package_assign",
                record_type: "package",
                record_id: id.to_string(),
                before: None,
                after: Some(json!({ "role": wanted.as_str(), "user": username.trim() })),
            }],
        )
        .await?;
        tx.commit().await?;
        self.package_unscoped(id).await
    }

    /// The packages an account may see: a buyer those of its unit and the units below;
    /// an administrator all. Newest fiscal year first.
    pub async fn list_packages(&self, actor: &Actor) -> Result<Vec<Package>> {
        let mut q = query_text(PACKAGE_SELECT);
        match (actor.role, seat_of(self.read(), actor).await?) {
            (Role::Admin, _) => {}
            (_, Some(seat)) => {
                let p = q.arg(format!("{}%", seat.unit_path));
                q.push(&format!(" AND b.path LIKE {p}"));
            }
            _ => {
                return Err(StoreError::Forbidden(
                    "only buyer accounts see packages".into(),
                ));
            }
        }
        q.push(" ORDER BY k.fiscal_year DESC, k.id DESC LIMIT 1000");
        q.fetch_all(self.read()).await
    }

    pub async fn package(&self, actor: &Actor, id: i64) -> Result<Package> {
        let k = self.package_unscoped(id).await?;
        match (actor.role, seat_of(self.read(), actor).await?) {
            (Role::Admin, _) => Ok(k),
            (_, Some(seat)) if k.unit_path.starts_with(&seat.unit_path) => Ok(k),
            _ => Err(StoreError::NotFound),
        }
    }

    async fn package_unscoped(&self, id: i64) -> Result<Package> {
        query_text(format!("{PACKAGE_SELECT} AND k.id = $1"))
            .bind(id)
            .fetch_optional(self.read())
            .await?
            .ok_or(StoreError::NotFound)
    }
}
