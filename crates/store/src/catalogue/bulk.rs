//! The bulk path for a catalogue that was curated elsewhere (a province arriving with its
//! listed products, or a benchmark's fixture): products loaded as listed, each with its
//! grade and certificate dates, its first price and its search words, many rows a
//! statement. No chain is replayed and no ledger event written: the members' services
//! come with their own history (`import_events`).

use chrono::{NaiveDate, Utc};
use jakpreneur_core::Actor;
use jakpreneur_core::catalogue::NewProduct;
use jakpreneur_core::curation::Grade;
use serde_json::json;

use crate::audit::{self, Change, Who};
use crate::query::{query, query_text};
use crate::{Backend, Result, Store, StoreError};

/// One listed product to load.
#[derive(Debug, Clone)]
pub struct ListedProduct {
    pub member_id: i64,
    pub product: NewProduct,
    pub grade: Grade,
    pub listed_on: NaiveDate,
    pub valid_until: NaiveDate,
}

/// Rows per INSERT (binding on SQLite costs the square of the parameters).
const ROWS: usize = 50;

impl Store {
    /// Loads listed products in one transaction; returns how many. Refused unless the
    /// actor may load in bulk (the whole province in scope) and every grade passed.
    pub async fn load_listed_products(&self, actor: &Actor, rows: &[ListedProduct]) -> Result<u64> {
        Self::require_bulk(actor)?;
        if rows.iter().any(|r| !r.grade.passed()) {
            return Err(StoreError::invalid(
                "grade",
                "grade_invalid",
                "a listed product has a passing grade",
            ));
        }
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let mut first: Option<i64> = None;
        let mut last = 0;
        for chunk in rows.chunks(ROWS) {
            let mut q = query_text(
                "INSERT INTO products (member_id, name, category, description, unit, price, \
                 min_order, stock, lead_days, tkdn_percent, grade, certificate_valid_until, \
                 listed, listed_on, created_by, created_at, updated_at) VALUES ",
            );
            for (k, r) in chunk.iter().enumerate() {
                let p = &r.product;
                let args = [
                    q.arg(r.member_id),
                    q.arg(p.name.clone()),
                    q.arg(p.category.as_str()),
                    q.arg(p.description.clone()),
                    q.arg(p.unit.clone()),
                    q.arg(p.price),
                    q.arg(p.min_order),
                    q.arg(p.stock),
                    q.arg(p.lead_days),
                    q.arg(p.tkdn_percent),
                    q.arg(r.grade.as_str()),
                    q.arg(r.valid_until),
                    q.arg(true),
                    q.arg(r.listed_on),
                    q.arg(who.name.clone()),
                    q.arg(now),
                ];
                let sep = if k == 0 { "(" } else { ", (" };
                q.push(sep).push(&args.join(", "));
                q.push(&format!(", {})", args[15]));
            }
            q.push(" RETURNING id");
            let ids: Vec<i64> = q.scalars(&mut tx).await?;
            first = first.or(ids.iter().copied().min());
            last = last.max(ids.iter().copied().max().unwrap_or(last));
        }
        let Some(first) = first else {
            return Ok(0);
        };
        query(
            "INSERT INTO product_prices (product_id, price, valid_from, changed_by) SELECT id, \
             price, created_at, created_by FROM products WHERE id BETWEEN $1 AND $2",
        )
        .bind(first)
        .bind(last)
        .execute(&mut tx)
        .await?;
        let words = match self.backend() {
            Backend::Sqlite => {
                "INSERT INTO products_fts (rowid, name, description, business) SELECT p.id, \
                 p.name, p.description, m.business_name FROM products p JOIN members m ON m.id \
                 = p.member_id WHERE p.id BETWEEN $1 AND $2"
            }
            Backend::Postgres => {
                "UPDATE products p SET search = to_tsvector('simple', p.name || ' ' || \
                 p.description || ' ' || m.business_name) FROM members m WHERE m.id = \
                 p.member_id AND p.id BETWEEN $1 AND $2"
            }
        };
        query(words).bind(first).bind(last).execute(&mut tx).await?;
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "product.load_listed",
                record_type: "product",
                record_id: format!("{first}-{last}"),
                before: None,
                after: Some(json!({ "products": rows.len() })),
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(rows.len() as u64)
    }
}
