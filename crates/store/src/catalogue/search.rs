//! The public e-catalogue: listed products whose certificate is in force, from members
//! still in the programme. Words are searched in the product's name, description and the
//! business's name (FTS5 on SQLite, a `tsvector` on PostgreSQL, both without stemming
//! and without regard to case; each word also matches as the start of a longer word, so
//! `kerip` finds `keripik`). No personal data leaves here: no NIK, phone, address or
//! owner's name.

use chrono::NaiveDate;
use serde::Serialize;

use super::Photo;
use crate::query::{Query, query_text};
use crate::{Backend, Result, Store, StoreError};

/// How the catalogue is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CatalogueSort {
    /// Best match first (newest when no words are given).
    #[default]
    Relevance,
    PriceAsc,
    PriceDesc,
    Newest,
}

impl CatalogueSort {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "" | "relevance" => Some(Self::Relevance),
            "price_asc" => Some(Self::PriceAsc),
            "price_desc" => Some(Self::PriceDesc),
            "newest" => Some(Self::Newest),
            _ => None,
        }
    }
}

/// A catalogue search, checked.
#[derive(Debug, Clone, Default)]
pub struct CatalogueQuery {
    /// The words, lowercased, letters and digits only.
    pub words: Vec<String>,
    pub category: Option<String>,
    /// A district code (`31.71.01`).
    pub district: Option<String>,
    pub halal: bool,
    pub tkdn_min: Option<i64>,
    pub grade: Option<String>,
    /// One supplier's products (its member number): a buyer's cart is one supplier's.
    pub supplier: Option<String>,
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    pub sort: CatalogueSort,
    pub limit: i64,
    pub offset: i64,
}

impl CatalogueQuery {
    /// Splits free text into search words (at most 8).
    pub fn words_of(q: &str) -> Vec<String> {
        crate::words::words_of(q)
    }
}

/// A product as the public sees it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CatalogueItem {
    pub id: i64,
    pub name: String,
    pub category: String,
    pub description: String,
    pub unit: String,
    pub price: i64,
    pub min_order: i64,
    pub stock: Option<i64>,
    pub lead_days: i64,
    pub tkdn_percent: Option<i64>,
    /// The product relies on a halal certificate or PIRT permit.
    pub halal: bool,
    pub grade: String,
    pub certificate_no: Option<String>,
    pub certificate_valid_until: NaiveDate,
    pub business_name: String,
    /// The supplier's member number.
    pub member_no: String,
    pub district_code: String,
    pub listed_on: Option<NaiveDate>,
    /// How many e-order buyers rated orders of this product, and the mean of their stars
    /// (`null` without ratings).
    pub ratings: i64,
    #[serde(skip)]
    pub rating_sum: Option<i64>,
    #[sqlx(skip)]
    pub rating: Option<f64>,
    /// The first photo's thumbnail, `/media/…`.
    pub thumb: Option<String>,
    /// The photos' addresses (one product only; lists carry the thumbnail alone).
    #[sqlx(skip)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
    /// How many products the search matched (the same on every row of a page).
    #[sqlx(default)]
    #[serde(skip)]
    pub total: i64,
}

impl CatalogueItem {
    fn rate(&mut self) {
        self.rating =
            (self.ratings > 0).then(|| self.rating_sum.unwrap_or(0) as f64 / self.ratings as f64);
    }
}

/// One page of the catalogue and how many products match in all.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CataloguePage {
    pub total: i64,
    pub items: Vec<CatalogueItem>,
}

const ITEM_COLS: &str = "p.id, p.name, p.category, p.description, p.unit, p.price, p.min_order, \
     p.stock, p.lead_days, p.tkdn_percent, (p.halal_permit_id IS NOT NULL) AS halal, p.grade, \
     s.certificate_no, p.certificate_valid_until, m.business_name, m.member_no, m.district_code, \
     p.listed_on, (SELECT COUNT(*) FROM order_ratings r JOIN order_lines l ON l.order_id = \
     r.order_id WHERE l.product_id = p.id) AS ratings, (SELECT \
     CAST(SUM(r.stars) AS BIGINT) FROM order_ratings r JOIN order_lines l ON l.order_id = \
     r.order_id WHERE l.product_id = p.id) AS rating_sum, (SELECT '/media/' || f.sha256 || '.thumb.' || f.format FROM product_photos f WHERE \
     f.product_id = p.id ORDER BY f.position LIMIT 1) AS thumb";

/// The conditions every public product meets, after `WHERE`.
fn public_where(q: &mut Query, today: NaiveDate) {
    let t = q.arg(true);
    let d = q.arg(today);
    q.push(&format!(
        " p.listed = {t} AND p.grade IS NOT NULL AND p.certificate_valid_until >= {d} AND \
         m.withdrawn_on IS NULL AND m.erased_at IS NULL"
    ));
}

impl Store {
    /// One page of the public catalogue.
    pub async fn catalogue(&self, c: &CatalogueQuery, today: NaiveDate) -> Result<CataloguePage> {
        let backend = self.backend();
        // `count`: the number of matches alone. Otherwise the page: the matching rows'
        // ids in order (with the number of matches), then their columns for those 24 only.
        let build = |count: bool| {
            let mut q = query_text(String::new());
            let text = !c.words.is_empty();
            if !count {
                q.push(&format!("SELECT {ITEM_COLS}, page.total FROM ("));
            }
            let order = match (c.sort, text, backend) {
                (CatalogueSort::PriceAsc, _, _) => "p.price, p.id DESC",
                (CatalogueSort::PriceDesc, _, _) => "p.price DESC, p.id DESC",
                (CatalogueSort::Newest, _, _) | (CatalogueSort::Relevance, false, _) => {
                    "p.listed_on DESC, p.id DESC"
                }
                (CatalogueSort::Relevance, true, Backend::Sqlite) => "hits.rank, p.id DESC",
                (CatalogueSort::Relevance, true, Backend::Postgres) => {
                    "ts_rank(p.search, tq) DESC, p.id DESC"
                }
            };
            let select = if count {
                "COUNT(*)".to_owned()
            } else {
                format!(
                    "p.id AS pid, COUNT(*) OVER () AS total, ROW_NUMBER() OVER (ORDER BY {order}) \
                     AS n"
                )
            };
            match (backend, text) {
                (Backend::Sqlite, true) => {
                    let m = q.arg(
                        c.words
                            .iter()
                            .map(|w| format!("\"{w}\"*"))
                            .collect::<Vec<_>>()
                            .join(" "),
                    );
                    // The full-text match runs once, first: joined directly, SQLite may
                    // probe the index once per product row instead. The rank (bm25) costs
                    // a read per match: computed only to sort by it.
                    let rank = if c.sort == CatalogueSort::Relevance && !count {
                        ", rank"
                    } else {
                        ""
                    };
                    q.push(&format!(
                        "WITH hits AS MATERIALIZED (SELECT rowid AS id{rank} FROM products_fts \
                         WHERE products_fts MATCH {m}) SELECT {select} FROM hits JOIN products \
                         p ON p.id = hits.id JOIN members m ON m.id = p.member_id WHERE"
                    ));
                }
                (Backend::Postgres, true) => {
                    let m = q.arg(
                        c.words
                            .iter()
                            .map(|w| format!("{w}:*"))
                            .collect::<Vec<_>>()
                            .join(" & "),
                    );
                    q.push(&format!(
                        "SELECT {select} FROM products p JOIN members m ON m.id = p.member_id, \
                         to_tsquery('simple', {m}) AS tq WHERE p.search @@ tq AND"
                    ));
                }
                _ => {
                    q.push(&format!(
                        "SELECT {select} FROM products p JOIN members m ON m.id = p.member_id WHERE"
                    ));
                }
            }
            public_where(&mut q, today);
            if let Some(v) = &c.category {
                let a = q.arg(v.clone());
                q.push(&format!(" AND p.category = {a}"));
            }
            if let Some(v) = &c.district {
                let a = q.arg(v.clone());
                q.push(&format!(" AND m.district_code = {a}"));
            }
            if let Some(v) = &c.supplier {
                let a = q.arg(v.clone());
                q.push(&format!(" AND m.member_no = {a}"));
            }
            if c.halal {
                q.push(" AND p.halal_permit_id IS NOT NULL");
            }
            if let Some(v) = c.tkdn_min {
                let a = q.arg(v);
                q.push(&format!(" AND p.tkdn_percent >= {a}"));
            }
            if let Some(v) = &c.grade {
                let a = q.arg(v.clone());
                q.push(&format!(" AND p.grade = {a}"));
            }
            if let Some(v) = c.price_min {
                let a = q.arg(v);
                q.push(&format!(" AND p.price >= {a}"));
            }
            if let Some(v) = c.price_max {
                let a = q.arg(v);
                q.push(&format!(" AND p.price <= {a}"));
            }
            if !count {
                let l = q.arg(c.limit.clamp(1, 100));
                let o = q.arg(c.offset.clamp(0, 100_000));
                q.push(&format!(
                    " ORDER BY n LIMIT {l} OFFSET {o}) page JOIN products p ON p.id = page.pid \
                     JOIN members m ON m.id = p.member_id LEFT JOIN curation_submissions s ON \
                     s.id = p.certificate_id ORDER BY page.n"
                ));
            }
            q
        };
        // The page carries the number of matches (a window over the same rows), so the
        // matching is done once; only a page past the end needs the count on its own.
        let mut items: Vec<CatalogueItem> = build(false).fetch_all(self.read()).await?;
        items.iter_mut().for_each(CatalogueItem::rate);
        let total = match items.first() {
            Some(i) => i.total,
            None if c.offset == 0 => 0,
            None => build(true).scalar(self.read()).await?,
        };
        Ok(CataloguePage { total, items })
    }

    /// One public product with its photos; 404 unless it is in the catalogue today.
    pub async fn catalogue_item(&self, id: i64, today: NaiveDate) -> Result<CatalogueItem> {
        let mut q = query_text(format!(
            "SELECT {ITEM_COLS} FROM products p JOIN members m ON m.id = p.member_id LEFT JOIN \
             curation_submissions s ON s.id = p.certificate_id WHERE"
        ));
        public_where(&mut q, today);
        let a = q.arg(id);
        q.push(&format!(" AND p.id = {a}"));
        let mut item: CatalogueItem = q
            .fetch_optional(self.read())
            .await?
            .ok_or(StoreError::NotFound)?;
        let photos = self.photos(id).await?;
        item.photos = photos.iter().map(Photo::url).collect();
        item.rate();
        Ok(item)
    }
}
