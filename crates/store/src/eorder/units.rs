//! Buying units: government units (`opd`) and provincial companies (`bumd`) in a
//! hierarchy, each with its region, address and the account autodebit draws on.

use chrono::Utc;
use jakpreneur_core::eorder::NewUnit;
use jakpreneur_core::{Actor, Permission};
use serde::Serialize;
use serde_json::json;

use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::query::{query, query_text};
use crate::{Result, Store, StoreError};

/// A buying unit. The account number is shown masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct BuyerUnit {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_code: Option<String>,
    pub region_code: String,
    pub address: String,
    pub bank: String,
    #[serde(skip)]
    pub account_no: String,
    /// The unit's buyer accounts.
    pub accounts: i64,
    #[sqlx(skip)]
    pub account_masked: String,
}

impl BuyerUnit {
    fn finish(mut self) -> Self {
        let n = self.account_no.len();
        self.account_masked = format!("••••••{}", &self.account_no[n.saturating_sub(4)..]);
        self
    }
}

const UNIT_SELECT: &str = "SELECT b.code, b.name, b.kind, b.parent_code, b.region_code, \
     b.address, b.bank, b.account_no, (SELECT COUNT(*) FROM users s WHERE s.buyer_unit_code = \
     b.code AND s.disabled_at IS NULL) AS accounts FROM buyer_units b";

impl Store {
    /// Adds a buying unit (administrators). The parent must exist; the region must be a
    /// known region code.
    pub async fn create_unit(&self, actor: &Actor, u: &NewUnit) -> Result<BuyerUnit> {
        require(actor, Permission::BuyerUnitManage)?;
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let known: Option<String> = query("SELECT code FROM regions WHERE code = $1")
            .bind(u.region.as_str())
            .scalar_optional(&mut tx)
            .await?;
        if known.is_none() {
            return Err(StoreError::invalid(
                "region",
                "region_unknown",
                format!(
                    "{} is not a region code of this programme",
                    u.region.as_str()
                ),
            ));
        }
        let path = match &u.parent {
            None => format!("/{}/", u.code),
            Some(p) => {
                let parent: Option<String> = query("SELECT path FROM buyer_units WHERE code = $1")
                    .bind(p)
                    .scalar_optional(&mut tx)
                    .await?;
                let parent = parent.ok_or_else(|| {
                    StoreError::invalid(
                        "parent",
                        "unit_unknown",
                        format!("no buying unit has the code {p}"),
                    )
                })?;
                format!("{parent}{}/", u.code)
            }
        };
        let taken: Option<String> = query("SELECT code FROM buyer_units WHERE code = $1")
            .bind(&u.code)
            .scalar_optional(&mut tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::invalid(
                "code",
                "unit_code_taken",
                format!("a buying unit already has the code {}", u.code),
            ));
        }
        query(
            "INSERT INTO buyer_units (code, name, kind, parent_code, path, region_code, address, \
             bank, account_no, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
             $9, $10, $11)",
        )
        .bind(&u.code)
        .bind(&u.name)
        .bind(u.kind.as_str())
        .bind(&u.parent)
        .bind(&path)
        .bind(u.region.as_str())
        .bind(&u.address)
        .bind(&u.bank)
        .bind(&u.account_no)
        .bind(&who.name)
        .bind(now)
        .execute(&mut tx)
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                StoreError::invalid(
                    "code",
                    "unit_code_taken",
                    format!("a buying unit already has the code {}", u.code),
                )
            } else {
                e
            }
        })?;
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "eorder.unit_create",
                record_type: "buyer_unit",
                record_id: u.code.clone(),
                before: None,
                after: Some(json!({ "name": u.name, "kind": u.kind.as_str(),
                    "parent": u.parent, "region": u.region.as_str(), "address": u.address,
                    "bank": u.bank })),
            }],
        )
        .await?;
        tx.commit().await?;
        self.unit(&u.code)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("unit {} vanished", u.code)))
    }

    /// Every buying unit, by path (a parent before its units). Any signed-in staff or
    /// buyer account may list them: they hold no personal data.
    pub async fn list_units(&self, actor: &Actor) -> Result<Vec<BuyerUnit>> {
        if actor.is_anonymous() {
            return Err(StoreError::Forbidden(
                "sign in to see the buying units".into(),
            ));
        }
        let rows: Vec<BuyerUnit> = query_text(format!("{UNIT_SELECT} ORDER BY b.path"))
            .fetch_all(self.read())
            .await?;
        Ok(rows.into_iter().map(BuyerUnit::finish).collect())
    }

    pub async fn unit(&self, code: &str) -> Result<Option<BuyerUnit>> {
        let u: Option<BuyerUnit> = query_text(format!("{UNIT_SELECT} WHERE b.code = $1"))
            .bind(code.trim().to_uppercase())
            .fetch_optional(self.read())
            .await?;
        Ok(u.map(BuyerUnit::finish))
    }
}
