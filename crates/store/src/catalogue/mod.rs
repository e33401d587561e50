//! The curated catalogue: a member's products with their photos and price history
//! (`products.rs`), the curation chain and its certificates (`curation.rs`), the member's
//! bank account and listing in the e-order catalogue (`listing.rs`), and the public
//! catalogue's search (`search.rs`). What a field may hold, the chain's states and who may
//! move them are decided in core (`jakpreneur_core::{catalogue, curation}`).

mod bulk;
mod curation;
mod listing;
mod products;
mod search;

use chrono::NaiveDate;
use jakpreneur_core::catalogue::Category;
use jakpreneur_core::{Actor, Permission};
use serde::Serialize;

pub use bulk::ListedProduct;
pub use curation::{Call, CurationQueue, Step, Submission};
pub use listing::{BankAccount, NewBankAccount};
pub use products::{PricePoint, ProductFilter};
pub use search::{CatalogueItem, CataloguePage, CatalogueQuery, CatalogueSort};

use crate::access::{require, require_covers};
use crate::query::{Conn, Tx, query};
use crate::{Result, StoreError};

/// A photo of a product, as its files are named under `/media/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Photo {
    pub position: i64,
    pub sha256: String,
    pub format: String,
    pub width: i64,
    pub height: i64,
}

impl Photo {
    pub fn url(&self) -> String {
        format!("/media/{}.{}", self.sha256, self.format)
    }

    pub fn thumb_url(&self) -> String {
        format!("/media/{}.thumb.{}", self.sha256, self.format)
    }
}

/// A member's product as staff and the member see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Product {
    pub id: i64,
    pub member_no: String,
    pub business_name: String,
    pub district_code: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub category: Category,
    pub description: String,
    pub unit: String,
    /// Rupiah per unit.
    pub price: i64,
    pub min_order: i64,
    /// `null`: made to order.
    pub stock: Option<i64>,
    pub lead_days: i64,
    pub tkdn_percent: Option<i64>,
    pub halal_permit_id: Option<i64>,
    /// Raised whenever what curation judged (name, category, unit, photos) changes.
    pub judged_version: i64,
    /// The grade of the certificate in force for this version, if any.
    pub grade: Option<String>,
    pub certificate_id: Option<i64>,
    pub certificate_valid_until: Option<NaiveDate>,
    /// The member asked for the product to be in the catalogue.
    pub listed: bool,
    pub listed_on: Option<NaiveDate>,
    pub version: i64,
    #[sqlx(skip)]
    pub photos: Vec<Photo>,
}

impl Product {
    /// Whether the product holds a certificate in force on `today`.
    pub fn curated_on(&self, today: NaiveDate) -> bool {
        self.grade.is_some() && self.certificate_valid_until.is_some_and(|d| d >= today)
    }

    /// `unlisted`, `listed`, or `suspended` (listed, but its certificate expired or what
    /// curation judged has changed since).
    pub fn listing_state(&self, today: NaiveDate) -> &'static str {
        match (self.listed, self.curated_on(today)) {
            (false, _) => "unlisted",
            (true, true) => "listed",
            (true, false) => "suspended",
        }
    }

    pub fn draft(&self) -> jakpreneur_core::catalogue::ProductDraft {
        jakpreneur_core::catalogue::NewProduct {
            name: self.name.clone(),
            category: self.category,
            description: self.description.clone(),
            unit: self.unit.clone(),
            price: self.price,
            min_order: self.min_order,
            stock: self.stock,
            lead_days: self.lead_days,
            tkdn_percent: self.tkdn_percent,
            halal_permit_id: self.halal_permit_id,
        }
        .to_draft()
    }
}

pub(crate) const PRODUCT_COLS: &str = "p.id, m.member_no, m.business_name, m.district_code, \
     p.name, p.category, p.description, p.unit, p.price, p.min_order, p.stock, p.lead_days, \
     p.tkdn_percent, p.halal_permit_id, p.judged_version, p.grade, p.certificate_id, \
     p.certificate_valid_until, p.listed, p.listed_on, p.version";

/// The product a write aims at and its member: 404 when missing, 403 when the actor may
/// not manage products or the member lies outside its scope.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Owner {
    pub member_id: i64,
    pub member_no: String,
    pub village_code: String,
    pub version: i64,
    pub judged_version: i64,
}

pub(crate) async fn owner_for_write(tx: &mut Tx, actor: &Actor, product_id: i64) -> Result<Owner> {
    require(actor, Permission::ProductManage)?;
    let lock = tx.for_update();
    let o: Owner = crate::query::query_text(format!(
        "SELECT p.member_id, m.member_no, m.village_code, p.version, \
         p.judged_version FROM products p JOIN members m ON m.id = p.member_id WHERE p.id = \
         $1{lock}"
    ))
    .bind(product_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    require_covers(actor, &o.village_code, &o.member_no)?;
    Ok(o)
}

/// Keeps the product's words for the catalogue's search, in the caller's transaction.
pub(crate) async fn index_words(tx: &mut (impl Conn + ?Sized), product_id: i64) -> Result<()> {
    match tx.backend() {
        crate::Backend::Sqlite => {
            query("DELETE FROM products_fts WHERE rowid = $1")
                .bind(product_id)
                .execute(&mut *tx)
                .await?;
            query(
                "INSERT INTO products_fts (rowid, name, description, business) SELECT p.id, \
                 p.name, p.description, m.business_name FROM products p JOIN members m ON m.id = \
                 p.member_id WHERE p.id = $1",
            )
            .bind(product_id)
            .execute(&mut *tx)
            .await?;
        }
        crate::Backend::Postgres => {
            query(
                "UPDATE products p SET search = to_tsvector('simple', p.name || ' ' || \
                 p.description || ' ' || m.business_name) FROM members m WHERE m.id = \
                 p.member_id AND p.id = $1",
            )
            .bind(product_id)
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(())
}
