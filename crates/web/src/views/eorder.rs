//! e-order's JSON: buying units, packages, orders and their steps, payments, ratings and
//! complaints. Amounts are whole rupiah; numbers may be sent as JSON numbers or strings.

use jakpreneur_core::eorder::{
    LineDraft, OrderDraft, PackageDraft, ReceiptDraft, ReceivedLineDraft, UnitDraft,
};
use jakpreneur_store::{BuyerUnit, Complaint, Order, Package};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::scalar;

/// A buying unit to add.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUnit {
    #[schema(example = "DPPKUKM")]
    pub code: Option<String>,
    #[schema(example = "Dinas PPKUKM Provinsi DKI Jakarta")]
    pub name: Option<String>,
    /// `opd` (a government unit) or `bumd` (a provincial company).
    #[schema(example = "opd")]
    pub kind: Option<String>,
    /// The unit above it, if any.
    pub parent: Option<String>,
    /// Its region code (province, city, district or village).
    #[schema(example = "31")]
    pub region: Option<String>,
    pub address: Option<String>,
    /// The bank of the account autodebit draws on.
    pub bank: Option<String>,
    pub account_no: Option<String>,
}

impl CreateUnit {
    pub fn draft(self) -> UnitDraft {
        UnitDraft {
            code: self.code,
            name: self.name,
            kind: self.kind,
            parent: self.parent,
            region: self.region,
            address: self.address,
            bank: self.bank,
            account_no: self.account_no,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitList {
    pub items: Vec<BuyerUnit>,
}

/// A package (planned procurement) to create.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePackage {
    /// The buying unit; a PA/KPA may leave it out (its own unit).
    pub unit: Option<String>,
    #[schema(example = "Makan minum rapat koordinasi")]
    pub name: Option<String>,
    #[schema(example = "5.1.02.01.01.0052")]
    pub budget_code: Option<String>,
    /// Whole rupiah.
    #[serde(default, deserialize_with = "scalar")]
    #[schema(value_type = Option<i64>, example = 120000000)]
    pub ceiling: Option<String>,
    #[serde(default, deserialize_with = "scalar")]
    #[schema(value_type = Option<i64>, example = 2026)]
    pub fiscal_year: Option<String>,
}

impl CreatePackage {
    pub fn draft(self) -> PackageDraft {
        PackageDraft {
            unit: self.unit,
            name: self.name,
            budget_code: self.budget_code,
            ceiling: self.ceiling,
            fiscal_year: self.fiscal_year,
        }
    }
}

/// Who a package is assigned to: a PPK (by the PA/KPA) or a procurement officer (by the
/// package's PPK), by username.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignPackage {
    pub user: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PackageList {
    pub items: Vec<Package>,
}

/// One line of an order, or (on receipt) the units received of a product.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineBody {
    #[serde(default, deserialize_with = "scalar")]
    #[schema(value_type = Option<i64>)]
    pub product_id: Option<String>,
    #[serde(default, deserialize_with = "scalar")]
    #[schema(value_type = Option<i64>)]
    pub quantity: Option<String>,
}

/// An order to one supplier under a package.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrder {
    #[serde(default, deserialize_with = "scalar")]
    #[schema(value_type = Option<i64>)]
    pub package_id: Option<String>,
    #[serde(default)]
    pub lines: Vec<LineBody>,
    pub delivery_address: Option<String>,
    /// YYYY-MM-DD, not sooner than the products' lead time.
    pub needed_on: Option<String>,
    pub note: Option<String>,
}

impl CreateOrder {
    pub fn draft(self) -> OrderDraft {
        OrderDraft {
            package_id: self.package_id,
            lines: self
                .lines
                .into_iter()
                .map(|l| LineDraft {
                    product_id: l.product_id,
                    quantity: l.quantity,
                })
                .collect(),
            delivery_address: self.delivery_address,
            needed_on: self.needed_on,
            note: self.note,
        }
    }
}

/// What an order action carries: `reason` for `decline` and `cancel`; `bast_no`,
/// `received_on`, optionally `lines` (units received per product) and `note` (why fewer)
/// for `receive`. Nothing for `accept` and `ship`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderActionBody {
    pub reason: Option<String>,
    pub bast_no: Option<String>,
    pub received_on: Option<String>,
    pub lines: Option<Vec<LineBody>>,
    pub note: Option<String>,
}

impl OrderActionBody {
    pub fn receipt(self) -> ReceiptDraft {
        ReceiptDraft {
            bast_no: self.bast_no,
            received_on: self.received_on,
            lines: self.lines.map(|ls| {
                ls.into_iter()
                    .map(|l| ReceivedLineDraft {
                        product_id: l.product_id,
                        quantity: l.quantity,
                    })
                    .collect()
            }),
            note: self.note,
        }
    }
}

/// A payment, sent as `multipart/form-data`: `method` (`transfer` or `autodebit`), and for
/// a transfer the files `proof` and `tax_slip` (PDF or image). An autodebit may also be
/// sent as JSON: `{"method": "autodebit"}`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // reason: documents the multipart body for the OpenAPI schema
pub struct PaymentForm {
    pub method: String,
    #[schema(value_type = Option<String>, format = Binary)]
    pub proof: Option<Vec<u8>>,
    #[schema(value_type = Option<String>, format = Binary)]
    pub tax_slip: Option<Vec<u8>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentJson {
    pub method: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateOrder {
    /// 1–5.
    #[serde(default, deserialize_with = "scalar")]
    #[schema(value_type = Option<i64>)]
    pub stars: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenComplaint {
    pub text: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseComplaint {
    /// `upheld` or `rejected`.
    pub outcome: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintList {
    pub items: Vec<Complaint>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderList {
    pub items: Vec<Order>,
}

/// Filters of the order list.
#[derive(Debug, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OrderParams {
    /// submitted, accepted, shipped, received, paid, declined or cancelled.
    pub state: Option<String>,
    pub unit: Option<String>,
    pub member_no: Option<String>,
    pub package_id: Option<String>,
    /// 1–500, default 100.
    pub limit: Option<String>,
    /// Only orders with a smaller id (the next page: the last id of the previous one).
    pub before: Option<String>,
}

/// The period and breakdown of the e-order figures.
#[derive(Debug, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EorderStatsQuery {
    /// First day of payment, included (default: 1 January of this year).
    pub from: Option<String>,
    /// Last day of payment, included (default: today).
    pub to: Option<String>,
    /// `unit`, `supplier`, `district`, `month` or `category`.
    pub group_by: Option<String>,
}

impl EorderStatsQuery {
    /// The checked period and group.
    pub fn resolve(
        &self,
        today: chrono::NaiveDate,
    ) -> Result<
        (
            chrono::NaiveDate,
            chrono::NaiveDate,
            Option<jakpreneur_core::eorder::EorderGroup>,
        ),
        jakpreneur_core::ValidationErrors,
    > {
        use chrono::Datelike;
        use jakpreneur_core::text::{given, parse_date};
        let mut errs = jakpreneur_core::ValidationErrors::default();
        let from = match given(self.from.as_deref()) {
            None => chrono::NaiveDate::from_ymd_opt(today.year(), 1, 1),
            Some(d) => errs.take(parse_date("from", d)),
        };
        let to = match given(self.to.as_deref()) {
            None => Some(today),
            Some(d) => errs.take(parse_date("to", d)),
        };
        let group = match given(self.group_by.as_deref()) {
            None => None,
            Some(g) => errs
                .take(jakpreneur_core::eorder::EorderGroup::parse(g))
                .map(Some)
                .unwrap_or(None),
        };
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            errs.push(jakpreneur_core::FieldError::new(
                "to",
                "to_before_from",
                "to lies before from",
            ));
        }
        match (from, to) {
            (Some(f), Some(t)) if errs.is_empty() => Ok((f, t, group)),
            _ => Err(errs),
        }
    }
}
