//! e-order: buying units and their accounts (`units.rs`), packages passed PA/KPA → PPK →
//! procurement officer (`packages.rs`), orders and their chain (`orders.rs`), payments
//! with the taxes computed (`payments.rs`), ratings and complaints (`feedback.rs`), and
//! the notifications each step owes the next actor (`outbox.rs`). The order's states and
//! who may move them are core's table (`jakpreneur_core::eorder::step`); this module adds
//! what needs records: which unit and role a buyer account holds, the package assigned to
//! the officer, stock, the package's ceiling and the per-transaction limit.
//!
//! Who reads an order: an account of its buying unit or of a unit above it, the supplier
//! (the member's own account), programme officers whose region holds the supplier, and
//! administrators. Anyone else finds nothing (404).

mod bulk;
mod feedback;
mod orders;
pub(crate) mod outbox;
mod packages;
mod payments;
mod rollup;
mod stats;
mod units;

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::eorder::{BuyerRole, OrderState, Party};
use jakpreneur_core::{Actor, Permission, Role, Scope};
use serde::Serialize;

pub use bulk::{PaidLine, PaidOrder};
pub use feedback::{Complaint, OrderRating};
pub use orders::{OrderFilter, PlacedOrder};
pub use outbox::Notification;
pub use packages::Package;
pub use payments::{Payment, PaymentDocument, PaymentUpload};
pub use stats::{EorderFigures, EorderStats};
pub use units::BuyerUnit;

use crate::access::scope_filter_on;
use crate::query::{Exec, Query, query};
use crate::{Result, Store, StoreError};

/// A buyer account's place: its unit (with the unit's path, for the units below it) and
/// its role there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    pub user_id: i64,
    pub unit_code: String,
    pub unit_path: String,
    pub role: BuyerRole,
}

/// An order with its lines, timeline, payment, rating and complaints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Order {
    pub id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub package_id: i64,
    pub package_name: String,
    pub budget_code: String,
    pub member_no: String,
    pub business_name: String,
    pub district_code: String,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub state: OrderState,
    pub ordered_on: NaiveDate,
    pub needed_on: NaiveDate,
    pub delivery_address: String,
    pub note: String,
    /// The ordered lines at their frozen prices, in rupiah.
    pub total: i64,
    /// What is owed: the units received at their frozen prices (the total until receipt).
    pub amount_due: i64,
    pub accepted_on: Option<NaiveDate>,
    pub shipped_on: Option<NaiveDate>,
    pub received_on: Option<NaiveDate>,
    pub bast_no: Option<String>,
    pub receipt_note: Option<String>,
    pub paid_on: Option<NaiveDate>,
    /// Why it was declined or cancelled.
    pub reason: Option<String>,
    pub placed_by: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    #[serde(skip)]
    pub village_code: String,
    #[serde(skip)]
    pub unit_path: String,
    #[serde(skip)]
    pub member_id: i64,
    #[sqlx(skip)]
    pub lines: Vec<OrderLine>,
    #[sqlx(skip)]
    pub steps: Vec<OrderStep>,
    #[sqlx(skip)]
    pub payment: Option<Payment>,
    #[sqlx(skip)]
    pub rating: Option<OrderRating>,
    #[sqlx(skip)]
    pub complaints: Vec<Complaint>,
}

/// One line, with the product's name, unit, price and TKDN as they were when ordered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OrderLine {
    pub line_no: i64,
    pub product_id: i64,
    pub name: String,
    pub category: String,
    pub unit: String,
    pub price: i64,
    pub quantity: i64,
    pub received_quantity: Option<i64>,
    pub tkdn_percent: Option<i64>,
}

/// One step of the order's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OrderStep {
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor: String,
    pub actor_role: String,
    pub note: String,
    pub taken_on: NaiveDate,
    pub at: DateTime<Utc>,
}

pub(crate) const ORDER_SELECT: &str = "SELECT o.id, o.unit_code, u.name AS unit_name, \
     o.package_id, k.name AS package_name, k.budget_code, m.member_no, m.business_name, \
     m.district_code, o.state, o.ordered_on, o.needed_on, o.delivery_address, o.note, o.total, \
     o.amount_due, o.accepted_on, o.shipped_on, o.received_on, o.bast_no, o.receipt_note, \
     o.paid_on, o.reason, o.placed_by, o.version, o.created_at, m.village_code, u.path AS \
     unit_path, o.member_id FROM orders o JOIN buyer_units u ON u.code = o.unit_code JOIN \
     packages k ON k.id = o.package_id JOIN members m ON m.id = o.member_id WHERE 1 = 1";

/// The buyer account's unit and role, if it is a buyer account with both.
pub(crate) async fn seat_of<'e>(on: impl Into<Exec<'e>>, actor: &Actor) -> Result<Option<Seat>> {
    let (Role::Buyer, Some(user_id)) = (actor.role, actor.user_id) else {
        return Ok(None);
    };
    let row: Option<(String, String, String)> = query(
        "SELECT u.code, u.path, s.buyer_role FROM users s JOIN buyer_units u ON u.code = \
         s.buyer_unit_code WHERE s.id = $1 AND s.buyer_role IS NOT NULL",
    )
    .bind(user_id)
    .fetch_optional(on)
    .await?;
    Ok(row.and_then(|(unit_code, unit_path, role)| {
        BuyerRole::parse(&role).ok().map(|role| Seat {
            user_id,
            unit_code,
            unit_path,
            role,
        })
    }))
}

/// The buyer account's seat, or 403.
pub(crate) async fn require_seat<'e>(on: impl Into<Exec<'e>>, actor: &Actor) -> Result<Seat> {
    seat_of(on, actor)
        .await?
        .ok_or_else(|| StoreError::Forbidden("only an account of a buying unit may do this".into()))
}

/// Which party the actor is on this order.
pub(crate) fn party(actor: &Actor, seat: Option<&Seat>, o: &Order) -> Party {
    match (actor.role, &actor.scope, seat) {
        (Role::Member, Scope::Member(no), _) if *no == o.member_no => Party::Supplier,
        (Role::Buyer, _, Some(s)) if s.unit_code == o.unit_code => Party::Buyer(s.role),
        _ => Party::Other,
    }
}

/// Limits an order query to what the actor may read.
pub(crate) fn order_scope(actor: &Actor, seat: Option<&Seat>, q: &mut Query) {
    match (actor.role, seat) {
        (Role::Admin, _) => {}
        (Role::Buyer, Some(s)) => {
            let p = q.arg(format!("{}%", s.unit_path));
            q.push(&format!(" AND u.path LIKE {p}"));
        }
        (Role::Member, _) => scope_filter_on(actor, q, "m."),
        _ if actor.can(Permission::OrderOversee) => scope_filter_on(actor, q, "m."),
        _ => {
            q.push(" AND 1 = 0");
        }
    }
}

/// Whether the actor may read orders at all (a list is refused, not emptied, otherwise).
pub(crate) fn may_read_orders(actor: &Actor, seat: Option<&Seat>) -> bool {
    actor.role == Role::Admin
        || seat.is_some()
        || actor.role == Role::Member
        || actor.can(Permission::OrderOversee)
}

impl Store {
    /// The buyer account's unit and role (for pages that show what waits for it).
    pub async fn buyer_seat(&self, actor: &Actor) -> Result<Option<Seat>> {
        seat_of(self.read(), actor).await
    }

    /// Which party the actor is on an order it has read (what its page may offer).
    pub async fn order_party(&self, actor: &Actor, o: &Order) -> Result<Party> {
        let seat = seat_of(self.read(), actor).await?;
        Ok(party(actor, seat.as_ref(), o))
    }

    /// The active accounts of the caller's own unit with `role` (usernames), for a PA/KPA
    /// or PPK choosing whom to assign a package to.
    pub async fn unit_accounts(&self, actor: &Actor, role: BuyerRole) -> Result<Vec<String>> {
        let Some(seat) = seat_of(self.read(), actor).await? else {
            return Ok(Vec::new());
        };
        query(
            "SELECT username FROM users WHERE buyer_unit_code = $1 AND buyer_role = $2 AND \
             disabled_at IS NULL ORDER BY username",
        )
        .bind(seat.unit_code)
        .bind(role.as_str())
        .fetch_all(self.read())
        .await
        .map(|rows: Vec<(String,)>| rows.into_iter().map(|(u,)| u).collect())
    }
}
