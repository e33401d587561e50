//! Products, curation, bank accounts, the public catalogue and fair allocation.

use jakpreneur_core::catalogue::ProductDraft;
use jakpreneur_store::{CatalogueItem, Product, Submission};
use serde::{Deserialize, Deserializer, Serialize};

use utoipa::{IntoParams, ToSchema};

/// A value sent as a JSON number or string; `null` is kept apart from absence (outer
/// `None`: not sent; `Some(None)`: sent as null, i.e. clear it).
fn loose<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    super::scalar(d).map(Some)
}

/// A product to add, or (with PATCH) the fields to change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductBody {
    #[schema(example = "Keripik Tempe Pedas")]
    pub name: Option<String>,
    /// food_drink, snacks, catering, crafts, fashion_batik, beauty, household,
    /// agriculture, printing, laundry or other_services.
    #[schema(example = "snacks")]
    pub category: Option<String>,
    pub description: Option<String>,
    #[schema(example = "bungkus 200 g")]
    pub unit: Option<String>,
    /// Whole rupiah per unit.
    #[serde(default, deserialize_with = "loose")]
    #[schema(value_type = Option<i64>, example = 15000)]
    pub price: Option<Option<String>>,
    #[serde(default, deserialize_with = "loose")]
    #[schema(value_type = Option<i64>)]
    pub min_order: Option<Option<String>>,
    /// `null`: made to order.
    #[serde(default, deserialize_with = "loose")]
    #[schema(value_type = Option<i64>)]
    pub stock: Option<Option<String>>,
    #[serde(default, deserialize_with = "loose")]
    #[schema(value_type = Option<i64>)]
    pub lead_days: Option<Option<String>>,
    #[serde(default, deserialize_with = "loose")]
    #[schema(value_type = Option<i64>)]
    pub tkdn_percent: Option<Option<String>>,
    /// The member's issued halal certificate or PIRT permit (its permit id).
    #[serde(default, deserialize_with = "loose")]
    #[schema(value_type = Option<i64>)]
    pub halal_permit_id: Option<Option<String>>,
}

impl ProductBody {
    /// As a draft: absent stays absent, `null` becomes an empty value (cleared).
    pub fn draft(&self) -> ProductDraft {
        let n = |v: &Option<Option<String>>| v.as_ref().map(|x| x.clone().unwrap_or_default());
        ProductDraft {
            name: self.name.clone(),
            category: self.category.clone(),
            description: self.description.clone(),
            unit: self.unit.clone(),
            price: n(&self.price),
            min_order: n(&self.min_order),
            stock: n(&self.stock),
            lead_days: n(&self.lead_days),
            tkdn_percent: n(&self.tkdn_percent),
            halal_permit_id: n(&self.halal_permit_id),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.draft() == ProductDraft::default()
    }
}

/// A product with where its listing stands and its photos' addresses.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductView {
    #[serde(flatten)]
    pub product: Product,
    /// `unlisted`, `listed`, or `suspended` (listed, but without a certificate in force).
    pub listing_state: &'static str,
    pub photo_urls: Vec<String>,
}

impl ProductView {
    pub fn new(product: Product, today: chrono::NaiveDate) -> Self {
        Self {
            listing_state: product.listing_state(today),
            photo_urls: product.photos.iter().map(|p| p.url()).collect(),
            product,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductList {
    pub items: Vec<ProductView>,
}

/// A photo upload: `multipart/form-data` with one file in the field `photo`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // reason: describes the multipart body in the OpenAPI document
pub struct PhotoUpload {
    #[schema(value_type = String, format = Binary)]
    pub photo: Vec<u8>,
}

/// A call for curation to open.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCall {
    #[schema(example = "Kurasi produk makanan Jakarta Pusat 2026")]
    pub title: Option<String>,
    #[schema(format = Date)]
    pub opens_on: Option<String>,
    #[schema(format = Date)]
    pub closes_on: Option<String>,
    /// Category codes; none: every category.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Province (default), city or district code.
    pub region: Option<String>,
    #[serde(default, deserialize_with = "loose")]
    #[schema(value_type = i64, example = 50)]
    pub places: Option<Option<String>>,
    /// Default true: curators do not grade submissions from their own region.
    pub exclude_own_region_curators: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallList {
    pub items: Vec<jakpreneur_store::Call>,
}

/// A product to submit to a call.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitProduct {
    pub product_id: Option<i64>,
}

/// A step of the chain: a note (the reason, for `return`), and for `grade` the grade and
/// the five scores (1–5).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CurationStepBody {
    pub note: Option<String>,
    /// A, B, C or fail (grade only).
    pub grade: Option<String>,
    #[serde(default, deserialize_with = "loose")]
    #[schema(value_type = Option<i64>)]
    pub taste: Option<Option<String>>,
    #[serde(default, deserialize_with = "loose")]
    #[schema(value_type = Option<i64>)]
    pub packaging: Option<Option<String>>,
    #[serde(default, deserialize_with = "loose")]
    #[schema(value_type = Option<i64>)]
    pub hygiene: Option<Option<String>>,
    #[serde(default, deserialize_with = "loose")]
    #[schema(value_type = Option<i64>)]
    pub halal: Option<Option<String>>,
    #[serde(default, deserialize_with = "loose")]
    #[schema(value_type = Option<i64>)]
    pub photos: Option<Option<String>>,
}

impl CurationStepBody {
    pub fn grade_draft(&self) -> jakpreneur_core::curation::GradeDraft {
        let n = |v: &Option<Option<String>>| v.clone().flatten();
        jakpreneur_core::curation::GradeDraft {
            grade: self.grade.clone(),
            taste: n(&self.taste),
            packaging: n(&self.packaging),
            hygiene: n(&self.hygiene),
            halal: n(&self.halal),
            photos: n(&self.photos),
            note: self.note.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionList {
    pub items: Vec<Submission>,
}

/// Where a member is paid.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankAccountBody {
    #[schema(example = "Bank DKI")]
    pub bank: Option<String>,
    pub account_name: Option<String>,
    /// Digits; stored encrypted, shown masked.
    #[schema(example = "1234567890")]
    pub account_no: Option<String>,
    /// Registered for VAT (PKP). Default `false`.
    pub vat_registered: Option<bool>,
    /// Holds the certificate for the small-business final income tax. Default `false`.
    pub umkm_final: Option<bool>,
}

/// The public catalogue's filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CatalogueParams {
    /// Words, found in the name, the description and the business's name.
    pub q: Option<String>,
    pub category: Option<String>,
    /// A district code, e.g. 31.71.01.
    pub district: Option<String>,
    /// `true`: only products relying on a halal certificate or PIRT permit.
    pub halal: Option<String>,
    /// Minimum TKDN percentage.
    pub tkdn_min: Option<String>,
    /// A, B or C.
    pub grade: Option<String>,
    /// One supplier's products, by its member number.
    pub supplier: Option<String>,
    pub price_min: Option<String>,
    pub price_max: Option<String>,
    /// relevance (default), price_asc, price_desc or newest.
    pub sort: Option<String>,
    /// 1–100, default 24.
    pub limit: Option<String>,
    /// 1-based page.
    pub page: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CataloguePageView {
    pub total: i64,
    pub page: i64,
    pub limit: i64,
    pub items: Vec<CatalogueItem>,
}

/// A member applying for a booth.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyForBooth {
    pub member_no: Option<String>,
}

/// Allocate the booths with a published seed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocateBooths {
    #[schema(example = 20)]
    pub booths: Option<i64>,
    /// Any text published beforehand (a date, a lottery number).
    #[schema(example = "bazar-balai-kota-2026-12")]
    pub seed: Option<String>,
}
