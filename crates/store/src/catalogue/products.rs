//! A member's products: adding and changing them (with the price kept for every day it
//! held), photos, and reading them within scope. A change of what curation judged (name,
//! category, unit, photos) raises the product's judged version and withdraws its
//! certificate, which suspends its listing until it is curated again.

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::catalogue::{MAX_PHOTOS, NewProduct, ProductDraft};
use jakpreneur_core::{Actor, Permission};
use serde::Serialize;
use serde_json::json;

use super::{PRODUCT_COLS, Photo, Product, index_words, owner_for_write};
use crate::access::{require, scope_filter_on};
use crate::audit::{self, Change, Who};
use crate::ledger::member_for_write;
use crate::media::CheckedPhoto;
use crate::query::{Query, Tx, query, query_text};
use crate::{Result, Store, StoreError};

/// The price a product had from a moment on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PricePoint {
    pub price: i64,
    pub valid_from: DateTime<Utc>,
    pub changed_by: String,
}

/// Which products a list shows.
#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    pub member_no: Option<String>,
    pub listed: Option<bool>,
    pub limit: i64,
}

/// The halal or PIRT permit a product relies on must be the same member's, and issued.
async fn check_permit(tx: &mut Tx, member_id: i64, permit_id: Option<i64>) -> Result<()> {
    let Some(id) = permit_id else {
        return Ok(());
    };
    let found: Option<(String, String)> =
        query("SELECT permit_type, status FROM permits WHERE id = $1 AND member_id = $2")
            .bind(id)
            .bind(member_id)
            .fetch_optional(&mut *tx)
            .await?;
    match found {
        Some((t, s)) if (t == "halal" || t == "pirt") && s == "issued" => Ok(()),
        Some(_) => Err(StoreError::invalid(
            "halal_permit_id",
            "permit_not_halal_or_pirt",
            "the permit must be the member's issued halal certificate or PIRT food permit",
        )),
        None => Err(StoreError::invalid(
            "halal_permit_id",
            "permit_unknown",
            "the member has no permit with this id",
        )),
    }
}

async fn record_price(
    tx: &mut Tx,
    id: i64,
    price: i64,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<()> {
    query(
        "INSERT INTO product_prices (product_id, price, valid_from, changed_by) VALUES ($1, $2, \
         $3, $4)",
    )
    .bind(id)
    .bind(price)
    .bind(now)
    .bind(&who.name)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl Store {
    /// Adds a product to a member (the member itself, or staff of its region).
    #[tracing::instrument(skip_all)]
    pub async fn create_product(
        &self,
        actor: &Actor,
        member_no: &str,
        p: &NewProduct,
    ) -> Result<Product> {
        require(actor, Permission::ProductManage)?;
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = member_for_write(&mut tx, actor, member_no, false).await?;
        if f.status == "withdrawn" {
            return Err(StoreError::AlreadyWithdrawn);
        }
        check_permit(&mut tx, f.id, p.halal_permit_id).await?;
        let id: i64 = query(
            "INSERT INTO products (member_id, name, category, description, unit, price, \
             min_order, stock, lead_days, tkdn_percent, halal_permit_id, created_by, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
             RETURNING id",
        )
        .bind(f.id)
        .bind(&p.name)
        .bind(p.category.as_str())
        .bind(&p.description)
        .bind(&p.unit)
        .bind(p.price)
        .bind(p.min_order)
        .bind(p.stock)
        .bind(p.lead_days)
        .bind(p.tkdn_percent)
        .bind(p.halal_permit_id)
        .bind(&who.name)
        .bind(now)
        .scalar(&mut tx)
        .await?;
        record_price(&mut tx, id, p.price, &who, now).await?;
        index_words(&mut tx, id).await?;
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "product.create",
                record_type: "product",
                record_id: id.to_string(),
                before: None,
                after: Some(json!({ "member_no": member_no, "product": p })),
            }],
        )
        .await?;
        tx.commit().await?;
        self.product_unscoped(id).await
    }

    /// Changes a product: the fields given in `change` replace the stored ones (an empty
    /// value clears stock, TKDN or the permit), and the result is checked whole.
    /// `expected_version` (from `If-Match`) refuses a stale change (409). Changing name,
    /// category or unit withdraws the certificate (the listing is suspended until the
    /// product is curated again); price, stock, lead time, minimum order and description do
    /// not. A new price is kept in the price history.
    #[tracing::instrument(skip_all)]
    pub async fn update_product(
        &self,
        actor: &Actor,
        id: i64,
        change: &ProductDraft,
        expected_version: Option<i64>,
    ) -> Result<Product> {
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let o = owner_for_write(&mut tx, actor, id).await?;
        if let Some(v) = expected_version
            && v != o.version
        {
            return Err(StoreError::StaleVersion { current: o.version });
        }
        let before: Product = product_by_id(id).fetch_one(&mut tx).await?;
        let current = NewProduct::parse(&before.draft()).map_err(StoreError::Invalid)?;
        let next =
            NewProduct::parse(&before.draft().merged(change)).map_err(StoreError::Invalid)?;
        check_permit(&mut tx, o.member_id, next.halal_permit_id).await?;
        let judged = current.judged_change(&next);
        query(
            "UPDATE products SET name = $1, category = $2, description = $3, unit = $4, price = \
             $5, min_order = $6, stock = $7, lead_days = $8, tkdn_percent = $9, halal_permit_id = \
             $10, version = version + 1, updated_at = $11 WHERE id = $12",
        )
        .bind(&next.name)
        .bind(next.category.as_str())
        .bind(&next.description)
        .bind(&next.unit)
        .bind(next.price)
        .bind(next.min_order)
        .bind(next.stock)
        .bind(next.lead_days)
        .bind(next.tkdn_percent)
        .bind(next.halal_permit_id)
        .bind(now)
        .bind(id)
        .execute(&mut tx)
        .await?;
        if judged {
            withdraw_certificate(&mut tx, id).await?;
        }
        if next.price != current.price {
            record_price(&mut tx, id, next.price, &who, now).await?;
        }
        if next.name != current.name || next.description != current.description {
            index_words(&mut tx, id).await?;
        }
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "product.update",
                record_type: "product",
                record_id: id.to_string(),
                before: Some(json!(current)),
                after: Some(json!({ "product": &next, "curation_withdrawn": judged })),
            }],
        )
        .await?;
        tx.commit().await?;
        self.product_unscoped(id).await
    }

    /// Refuses (403/404) an actor who may not change this product, before a body is read.
    pub async fn check_product_write(&self, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        owner_for_write(&mut tx, actor, id).await?;
        Ok(())
    }

    /// Adds a checked photo (at most six). Its files are stored first, then the row:
    /// a crash in between leaves an unreferenced file, never a row without its file.
    /// A new photo changes what curation judged.
    #[tracing::instrument(skip_all)]
    pub async fn add_photo(&self, actor: &Actor, id: i64, photo: &CheckedPhoto) -> Result<Product> {
        // Scope first, before anything is written.
        self.check_product_write(actor, id).await?;
        self.media()?.put(photo).await?;
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        owner_for_write(&mut tx, actor, id).await?;
        let used: Vec<i64> = query("SELECT position FROM product_photos WHERE product_id = $1")
            .bind(id)
            .scalars(&mut tx)
            .await?;
        let Some(position) = (1..=MAX_PHOTOS as i64).find(|p| !used.contains(p)) else {
            return Err(StoreError::invalid(
                "photo",
                "too_many_photos",
                "a product has at most 6 photos; remove one first",
            ));
        };
        query(
            "INSERT INTO product_photos (product_id, position, sha256, format, width, height, \
             bytes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(position)
        .bind(&photo.sha256)
        .bind(photo.format)
        .bind(i64::from(photo.width))
        .bind(i64::from(photo.height))
        .bind(photo.full.len() as i64)
        .bind(now)
        .execute(&mut tx)
        .await?;
        withdraw_certificate(&mut tx, id).await?;
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "product.photo_add",
                record_type: "product",
                record_id: id.to_string(),
                before: None,
                after: Some(json!({ "position": position, "sha256": photo.sha256 })),
            }],
        )
        .await?;
        tx.commit().await?;
        self.product_unscoped(id).await
    }

    /// Removes the photo at `position`. The file stays (another product may share it).
    pub async fn remove_photo(&self, actor: &Actor, id: i64, position: i64) -> Result<Product> {
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        owner_for_write(&mut tx, actor, id).await?;
        let n = query("DELETE FROM product_photos WHERE product_id = $1 AND position = $2")
            .bind(id)
            .bind(position)
            .execute(&mut tx)
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        withdraw_certificate(&mut tx, id).await?;
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "product.photo_remove",
                record_type: "product",
                record_id: id.to_string(),
                before: Some(json!({ "position": position })),
                after: None,
            }],
        )
        .await?;
        tx.commit().await?;
        self.product_unscoped(id).await
    }

    /// One product, if the actor may read its member.
    pub async fn product(&self, actor: &Actor, id: i64) -> Result<Product> {
        require(actor, Permission::MemberRead)?;
        let mut q = product_by_id(id);
        scope_filter_on(actor, &mut q, "m.");
        let mut p: Product = q
            .fetch_optional(self.read())
            .await?
            .ok_or(StoreError::NotFound)?;
        p.photos = self.photos(id).await?;
        Ok(p)
    }

    /// Products the actor may read, newest first.
    pub async fn list_products(&self, actor: &Actor, f: &ProductFilter) -> Result<Vec<Product>> {
        require(actor, Permission::MemberRead)?;
        let mut q = query_text(format!(
            "SELECT {PRODUCT_COLS} FROM products p JOIN members m ON m.id = p.member_id WHERE 1 = 1"
        ));
        scope_filter_on(actor, &mut q, "m.");
        if let Some(no) = &f.member_no {
            let a = q.arg(no.clone());
            q.push(&format!(" AND m.member_no = {a}"));
        }
        if let Some(l) = f.listed {
            let a = q.arg(l);
            q.push(&format!(" AND p.listed = {a}"));
        }
        let a = q.arg(f.limit.clamp(1, 1000));
        q.push(&format!(" ORDER BY p.id DESC LIMIT {a}"));
        let mut items: Vec<Product> = q.fetch_all(self.read()).await?;
        if items.is_empty() {
            return Ok(items);
        }
        // The photos of the whole list in one read.
        let mut q = query_text(
            "SELECT product_id, position, sha256, format, width, height FROM product_photos \
             WHERE product_id IN (",
        );
        for (k, p) in items.iter().enumerate() {
            let a = q.arg(p.id);
            q.push(if k == 0 { "" } else { ", " }).push(&a);
        }
        q.push(") ORDER BY product_id, position");
        let photos: Vec<(i64, Photo)> = q
            .fetch_all(self.read())
            .await?
            .into_iter()
            .map(|(id, position, sha256, format, width, height)| {
                (
                    id,
                    Photo {
                        position,
                        sha256,
                        format,
                        width,
                        height,
                    },
                )
            })
            .collect();
        for (id, photo) in photos {
            if let Some(p) = items.iter_mut().find(|p| p.id == id) {
                p.photos.push(photo);
            }
        }
        Ok(items)
    }

    /// The product's prices, oldest first; the price on a day is the last one that
    /// started on or before it.
    pub async fn price_history(&self, actor: &Actor, id: i64) -> Result<Vec<PricePoint>> {
        self.product(actor, id).await?;
        query(
            "SELECT price, valid_from, changed_by FROM product_prices WHERE product_id = $1 \
             ORDER BY valid_from, id",
        )
        .bind(id)
        .fetch_all(self.read())
        .await
    }

    /// The price a product had at the end of `on` (what a buyer paid on that day).
    pub async fn price_on(&self, id: i64, on: NaiveDate) -> Result<Option<i64>> {
        let end = on
            .succ_opt()
            .unwrap_or(on)
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc();
        query(
            "SELECT price FROM product_prices WHERE product_id = $1 AND valid_from < $2 ORDER BY \
             valid_from DESC, id DESC LIMIT 1",
        )
        .bind(id)
        .bind(end)
        .scalar_optional(self.read())
        .await
    }

    pub(crate) async fn photos(&self, id: i64) -> Result<Vec<Photo>> {
        query(
            "SELECT position, sha256, format, width, height FROM product_photos WHERE product_id = \
             $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(self.read())
        .await
    }

    pub(crate) async fn product_unscoped(&self, id: i64) -> Result<Product> {
        let mut p: Product = product_by_id(id)
            .fetch_optional(self.read())
            .await?
            .ok_or(StoreError::NotFound)?;
        p.photos = self.photos(id).await?;
        Ok(p)
    }
}

/// The product row with its member's public facts (scope filters may be added).
fn product_by_id(id: i64) -> Query {
    query_text(format!(
        "SELECT {PRODUCT_COLS} FROM products p JOIN members m ON m.id = p.member_id WHERE p.id = \
         $1"
    ))
    .bind(id)
}

/// What curation judged has changed: a new judged version, and no certificate in force.
async fn withdraw_certificate(tx: &mut Tx, id: i64) -> Result<()> {
    query(
        "UPDATE products SET judged_version = judged_version + 1, grade = NULL, certificate_id = \
         NULL, certificate_valid_until = NULL WHERE id = $1",
    )
    .bind(id)
    .execute(tx)
    .await?;
    Ok(())
}
