//! Orders: placed by the procurement officer a package is assigned to, to one supplier,
//! with prices frozen; accepted or declined, shipped, received (the PPK's BAST, possibly
//! of fewer units), cancelled by the buyer before acceptance. The package's money and the
//! products' stock are taken in the placing transaction by statements that check the
//! ceiling and the stock themselves (`… WHERE committed + $1 <= ceiling`,
//! `… WHERE stock >= $1`), so two orders at the same instant cannot both pass; a declined
//! or cancelled order gives both back.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, Utc};
use jakpreneur_core::eorder::{
    BuyerRole, NewOrder, OrderAction, OrderState, Party, Receipt, rupiah, step, transaction_limit,
};
use jakpreneur_core::{Actor, FieldError, Permission, Role, ValidationErrors};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::outbox::notify_next;
use super::{
    ORDER_SELECT, Order, OrderLine, Seat, may_read_orders, order_scope, party, require_seat,
    seat_of,
};
use crate::audit::{self, Change, Who};
use crate::query::{Tx, query, query_text};
use crate::{Result, Store, StoreError};

/// An order as placed, and whether this request created it (`false`: a retry with the
/// same `Idempotency-Key` found the order the first request made).
#[derive(Debug, Clone)]
pub struct PlacedOrder {
    pub order: Order,
    pub created: bool,
}

/// Which orders a list shows.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub state: Option<OrderState>,
    pub unit: Option<String>,
    pub member_no: Option<String>,
    pub package_id: Option<i64>,
    /// At most this many, newest first (capped at 500).
    pub limit: Option<i64>,
    /// Only orders with a smaller id: the page after the one that ended there.
    pub before: Option<i64>,
    /// Only orders whose autodebit waits for the PA/KPA's approval.
    pub awaiting_approval: bool,
}

#[derive(Debug, sqlx::FromRow)]
struct ProductRow {
    id: i64,
    member_id: i64,
    member_no: String,
    status: String,
    name: String,
    category: String,
    unit: String,
    price: i64,
    min_order: i64,
    stock: Option<i64>,
    lead_days: i64,
    tkdn_percent: Option<i64>,
    listed: bool,
    grade: Option<String>,
    certificate_valid_until: Option<NaiveDate>,
}

/// Can the actor read this order at all?
pub(crate) fn readable(actor: &Actor, seat: Option<&Seat>, o: &Order) -> bool {
    match (actor.role, seat) {
        (Role::Admin, _) => true,
        (Role::Buyer, Some(s)) => o.unit_path.starts_with(&s.unit_path),
        (Role::Member, _) => actor.scope.covers(&o.village_code, &o.member_no),
        _ => {
            actor.can(Permission::OrderOversee) && actor.scope.covers(&o.village_code, &o.member_no)
        }
    }
}

/// Loads an order for a change, locked, refusing one the actor cannot read (404) and an
/// action the table does not allow from its state (422) or to this party (403).
pub(crate) async fn order_for_action(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    action: OrderAction,
) -> Result<(Order, Option<Seat>, OrderState)> {
    let seat = seat_of(&mut *tx, actor).await?;
    let lock = match tx {
        Tx::Sqlite(_) => "",
        Tx::Postgres(_) => " FOR UPDATE OF o",
    };
    let o: Order = query_text(format!("{ORDER_SELECT} AND o.id = $1{lock}"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !readable(actor, seat.as_ref(), &o) {
        return Err(StoreError::NotFound);
    }
    let Some((next, parties)) = step(o.state, action) else {
        return Err(StoreError::invalid(
            "action",
            "order_state",
            format!(
                "an order that is {} cannot take the action {action}",
                o.state
            ),
        ));
    };
    let p = party(actor, seat.as_ref(), &o);
    if !parties.contains(&p) {
        let who: Vec<&str> = parties.iter().map(|p| p.as_str()).collect();
        return Err(StoreError::Forbidden(format!(
            "only the order's {} may {action} it",
            who.join(" or ")
        )));
    }
    Ok((o, seat, next))
}

/// Adds a line to the order's timeline.
#[allow(clippy::too_many_arguments)] // reason: one argument per column
pub(crate) async fn add_step(
    tx: &mut Tx,
    order_id: i64,
    action: &str,
    from: Option<OrderState>,
    to: OrderState,
    who: &Who,
    party: Party,
    note: &str,
    today: NaiveDate,
) -> Result<()> {
    query(
        "INSERT INTO order_steps (order_id, action, from_state, to_state, actor, actor_role, \
         note, taken_on, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(order_id)
    .bind(action)
    .bind(from.map(|s| s.as_str()))
    .bind(to.as_str())
    .bind(&who.name)
    .bind(party.as_str())
    .bind(note)
    .bind(today)
    .bind(Utc::now())
    .execute(tx)
    .await?;
    Ok(())
}

fn request_hash(o: &NewOrder) -> String {
    let body = serde_json::to_vec(o).unwrap_or_default();
    hex::encode(Sha256::digest(&body))
}

impl Store {
    /// Places an order. With an `idempotency_key`, a retried request returns the order the
    /// first one made (even when the two race), and a key reused for a different order is
    /// refused.
    #[tracing::instrument(skip_all)]
    pub async fn place_order(
        &self,
        actor: &Actor,
        o: &NewOrder,
        key: Option<&str>,
        today: NaiveDate,
    ) -> Result<PlacedOrder> {
        match self.place_once(actor, o, key, today).await {
            Err(e) if e.is_unique_violation() && key.is_some() => {
                self.place_once(actor, o, key, today).await
            }
            other => other,
        }
    }

    async fn place_once(
        &self,
        actor: &Actor,
        o: &NewOrder,
        key: Option<&str>,
        today: NaiveDate,
    ) -> Result<PlacedOrder> {
        let who = Who::from(actor);
        let now = Utc::now();
        let hash = request_hash(o);
        let mut tx = self.begin().await?;
        let seat = require_seat(&mut tx, actor).await?;
        if seat.role != BuyerRole::ProcurementOfficer {
            return Err(StoreError::Forbidden(
                "only a procurement officer places orders".into(),
            ));
        }
        if let Some(key) = key {
            let earlier: Option<(i64, Option<String>)> = query(
                "SELECT id, request_hash FROM orders WHERE placed_by = $1 AND idempotency_key = $2",
            )
            .bind(&who.name)
            .bind(key)
            .fetch_optional(&mut tx)
            .await?;
            if let Some((id, h)) = earlier {
                drop(tx);
                if h.as_deref() == Some(hash.as_str()) {
                    return Ok(PlacedOrder {
                        order: self.order_unscoped(id).await?,
                        created: false,
                    });
                }
                return Err(StoreError::invalid(
                    "Idempotency-Key",
                    "idempotency_key_reused",
                    "this Idempotency-Key was used for a different order",
                ));
            }
        }
        let package: Option<(String, Option<i64>)> =
            query("SELECT unit_code, officer_user_id FROM packages WHERE id = $1")
                .bind(o.package_id)
                .fetch_optional(&mut tx)
                .await?;
        let Some((unit, officer)) = package.filter(|(u, _)| *u == seat.unit_code) else {
            return Err(StoreError::invalid(
                "package_id",
                "package_unknown",
                format!("your unit has no package {}", o.package_id),
            ));
        };
        if officer != Some(seat.user_id) {
            return Err(StoreError::Forbidden(
                "the package is not assigned to you: its PPK assigns it to a procurement officer"
                    .into(),
            ));
        }
        let products = load_products(&mut tx, o).await?;
        let (member_id, total, lead) = check_lines(o, &products, today)?;
        if o.needed_on < today + Duration::days(lead) {
            return Err(StoreError::invalid(
                "needed_on",
                "before_lead_time",
                format!(
                    "the supplier needs {lead} days: the earliest delivery date is {}",
                    today + Duration::days(lead)
                ),
            ));
        }
        let limit = transaction_limit(today).unwrap_or(i64::MAX);
        if total > limit {
            return Err(StoreError::invalid(
                "lines",
                "over_transaction_limit",
                format!(
                    "the order comes to {}, above e-order's limit of {} per transaction",
                    rupiah(total),
                    rupiah(limit)
                ),
            ));
        }
        // The package's money, checked and taken in one statement.
        let taken = query(
            "UPDATE packages SET committed = committed + $1, version = version + 1 WHERE id = $2 \
             AND committed + $1 <= ceiling",
        )
        .bind(total)
        .bind(o.package_id)
        .execute(&mut tx)
        .await?;
        if taken == 0 {
            let remaining: i64 = query("SELECT ceiling - committed FROM packages WHERE id = $1")
                .bind(o.package_id)
                .scalar(&mut tx)
                .await?;
            return Err(StoreError::invalid(
                "package_id",
                "over_ceiling",
                format!(
                    "the order comes to {} and the package has {} left",
                    rupiah(total),
                    rupiah(remaining)
                ),
            ));
        }
        // Stock, in product order (a fixed lock order between concurrent orders).
        let mut by_product: Vec<_> = o.lines.iter().collect();
        by_product.sort_by_key(|l| l.product_id);
        for l in by_product {
            if products[&l.product_id].stock.is_none() {
                continue; // made to order
            }
            let n = query(
                "UPDATE products SET stock = stock - $1, version = version + 1, updated_at = $2 \
                 WHERE id = $3 AND stock >= $1",
            )
            .bind(l.quantity)
            .bind(now)
            .bind(l.product_id)
            .execute(&mut tx)
            .await?;
            if n == 0 {
                let left: Option<i64> = query("SELECT stock FROM products WHERE id = $1")
                    .bind(l.product_id)
                    .scalar(&mut tx)
                    .await?;
                return Err(StoreError::invalid(
                    "lines",
                    "out_of_stock",
                    format!(
                        "{} has {} {} left, fewer than the {} ordered",
                        products[&l.product_id].name,
                        left.unwrap_or(0),
                        products[&l.product_id].unit,
                        l.quantity
                    ),
                ));
            }
        }
        let id: i64 = query(
            "INSERT INTO orders (unit_code, package_id, member_id, placed_by_user, placed_by, \
             state, ordered_on, needed_on, delivery_address, note, total, amount_due, \
             idempotency_key, request_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, \
             'submitted', $6, $7, $8, $9, $10, $10, $11, $12, $13, $13) RETURNING id",
        )
        .bind(&unit)
        .bind(o.package_id)
        .bind(member_id)
        .bind(seat.user_id)
        .bind(&who.name)
        .bind(today)
        .bind(o.needed_on)
        .bind(&o.delivery_address)
        .bind(&o.note)
        .bind(total)
        .bind(key)
        .bind(&hash)
        .bind(now)
        .scalar(&mut tx)
        .await?;
        let mut ins = query_text(
            "INSERT INTO order_lines (order_id, line_no, product_id, name, category, unit, \
             price, quantity, tkdn_percent) VALUES ",
        );
        for (i, l) in o.lines.iter().enumerate() {
            let p = &products[&l.product_id];
            let args = [
                ins.arg(id),
                ins.arg(i as i64 + 1),
                ins.arg(l.product_id),
                ins.arg(p.name.clone()),
                ins.arg(p.category.clone()),
                ins.arg(p.unit.clone()),
                ins.arg(p.price),
                ins.arg(l.quantity),
                ins.arg(p.tkdn_percent),
            ];
            let sep = if i == 0 { "" } else { ", " };
            ins.push(&format!("{sep}({})", args.join(", ")));
        }
        ins.execute(&mut tx).await?;
        let party = Party::Buyer(BuyerRole::ProcurementOfficer);
        add_step(
            &mut tx,
            id,
            "place",
            None,
            OrderState::Submitted,
            &who,
            party,
            &o.note,
            today,
        )
        .await?;
        notify_next(&mut tx, id, OrderState::Submitted, now).await?;
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "eorder.order_place",
                record_type: "order",
                record_id: id.to_string(),
                before: None,
                after: Some(json!({ "package_id": o.package_id, "unit": unit,
                    "supplier": products.values().next().map(|p| p.member_no.clone()),
                    "lines": o.lines, "total": total, "needed_on": o.needed_on })),
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(PlacedOrder {
            order: self.order_unscoped(id).await?,
            created: true,
        })
    }

    /// Accept, decline (with a reason), ship, or cancel (with a reason, before
    /// acceptance). Declining or cancelling gives back the stock and the package's money.
    #[tracing::instrument(skip_all)]
    pub async fn order_step(
        &self,
        actor: &Actor,
        id: i64,
        action: OrderAction,
        reason: Option<&str>,
        today: NaiveDate,
    ) -> Result<Order> {
        if !matches!(
            action,
            OrderAction::Accept | OrderAction::Decline | OrderAction::Cancel | OrderAction::Ship
        ) {
            return Err(StoreError::invalid(
                "action",
                "action_invalid",
                format!("{action} is not taken this way"),
            ));
        }
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let (o, seat, next) = order_for_action(&mut tx, actor, id, action).await?;
        let p = party(actor, seat.as_ref(), &o);
        let reason = match action {
            OrderAction::Decline | OrderAction::Cancel => Some(
                jakpreneur_core::eorder::parse_reason("reason", reason)
                    .map_err(|e| StoreError::Invalid(e.into()))?,
            ),
            _ => None,
        };
        let column = match action {
            OrderAction::Accept => "accepted_on = $4",
            OrderAction::Ship => "shipped_on = $4",
            _ => "reason = $4",
        };
        let q = query_text(format!(
            "UPDATE orders SET state = $1, version = version + 1, updated_at = $2, {column} \
             WHERE id = $3"
        ))
        .bind(next.as_str())
        .bind(now)
        .bind(id);
        match &reason {
            Some(r) => q.bind(r.clone()),
            None => q.bind(today),
        }
        .execute(&mut tx)
        .await?;
        if !next.commits() {
            release(&mut tx, &o, now).await?;
        }
        add_step(
            &mut tx,
            id,
            action.as_str(),
            Some(o.state),
            next,
            &who,
            p,
            reason.as_deref().unwrap_or(""),
            today,
        )
        .await?;
        notify_next(&mut tx, id, next, now).await?;
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "eorder.order_step",
                record_type: "order",
                record_id: id.to_string(),
                before: Some(json!({ "state": o.state })),
                after: Some(json!({ "state": next, "action": action, "reason": reason })),
            }],
        )
        .await?;
        tx.commit().await?;
        self.order_unscoped(id).await
    }

    /// The PPK confirms receipt with the BAST: number, date, and the units received of
    /// each line (all, when not given). Fewer units need the reason in `note`; the amount
    /// due follows the units received, and the package gets the difference back.
    #[tracing::instrument(skip_all)]
    pub async fn receive_order(&self, actor: &Actor, id: i64, r: &Receipt) -> Result<Order> {
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let (o, seat, next) = order_for_action(&mut tx, actor, id, OrderAction::Receive).await?;
        let p = party(actor, seat.as_ref(), &o);
        let shipped = o.shipped_on.unwrap_or(o.ordered_on);
        if r.received_on < shipped {
            return Err(StoreError::invalid(
                "received_on",
                "before_shipping",
                format!("the order was shipped on {shipped}"),
            ));
        }
        let lines = order_lines(&mut tx, id).await?;
        let mut received: BTreeMap<i64, i64> =
            lines.iter().map(|l| (l.product_id, l.quantity)).collect();
        let mut errs = ValidationErrors::default();
        for given in r.lines.iter().flatten() {
            match lines.iter().find(|l| l.product_id == given.product_id) {
                None => errs.push(FieldError::new(
                    "lines",
                    "product_not_on_order",
                    format!("product {} is not on this order", given.product_id),
                )),
                Some(l) if given.quantity > l.quantity => errs.push(FieldError::new(
                    "lines",
                    "more_than_ordered",
                    format!(
                        "{} {} of {} were ordered, not {}",
                        l.quantity, l.unit, l.name, given.quantity
                    ),
                )),
                Some(_) => {
                    received.insert(given.product_id, given.quantity);
                }
            }
        }
        let short = lines.iter().any(|l| received[&l.product_id] < l.quantity);
        if short && r.note.is_empty() {
            errs.push(FieldError::new(
                "note",
                "required",
                "fewer units arrived than were ordered: say why in note",
            ));
        }
        if received.values().all(|q| *q == 0) {
            errs.push(FieldError::new(
                "lines",
                "nothing_received",
                "nothing arrived: do not sign a BAST; file a complaint instead",
            ));
        }
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let due: i64 = lines
            .iter()
            .map(|l| l.price * received[&l.product_id])
            .sum();
        for l in &lines {
            query(
                "UPDATE order_lines SET received_quantity = $1 WHERE order_id = $2 AND line_no = \
                 $3",
            )
            .bind(received[&l.product_id])
            .bind(id)
            .bind(l.line_no)
            .execute(&mut tx)
            .await?;
        }
        query(
            "UPDATE orders SET state = $1, received_on = $2, bast_no = $3, receipt_note = $4, \
             amount_due = $5, version = version + 1, updated_at = $6 WHERE id = $7",
        )
        .bind(next.as_str())
        .bind(r.received_on)
        .bind(&r.bast_no)
        .bind(&r.note)
        .bind(due)
        .bind(now)
        .bind(id)
        .execute(&mut tx)
        .await?;
        if due < o.total {
            query("UPDATE packages SET committed = committed - $1 WHERE id = $2")
                .bind(o.total - due)
                .bind(o.package_id)
                .execute(&mut tx)
                .await?;
        }
        let note = if r.note.is_empty() {
            format!("BAST {}", r.bast_no)
        } else {
            format!("BAST {}: {}", r.bast_no, r.note)
        };
        add_step(
            &mut tx,
            id,
            "receive",
            Some(o.state),
            next,
            &who,
            p,
            &note,
            r.received_on,
        )
        .await?;
        notify_next(&mut tx, id, next, now).await?;
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "eorder.order_receive",
                record_type: "order",
                record_id: id.to_string(),
                before: Some(json!({ "state": o.state, "amount_due": o.total })),
                after: Some(json!({ "state": next, "bast_no": r.bast_no,
                    "received_on": r.received_on, "amount_due": due, "note": r.note,
                    "received": received })),
            }],
        )
        .await?;
        tx.commit().await?;
        self.order_unscoped(id).await
    }

    /// The orders the actor may read, newest first.
    pub async fn list_orders(&self, actor: &Actor, f: &OrderFilter) -> Result<Vec<Order>> {
        let seat = seat_of(self.read(), actor).await?;
        if !may_read_orders(actor, seat.as_ref()) {
            return Err(StoreError::Forbidden(
                "the role takes no part in e-order".into(),
            ));
        }
        let mut q = query_text(ORDER_SELECT);
        order_scope(actor, seat.as_ref(), &mut q);
        if let Some(s) = f.state {
            let a = q.arg(s.as_str());
            q.push(&format!(" AND o.state = {a}"));
        }
        if let Some(u) = &f.unit {
            let a = q.arg(u.trim().to_uppercase());
            q.push(&format!(" AND o.unit_code = {a}"));
        }
        if let Some(m) = &f.member_no {
            let a = q.arg(m.trim().to_owned());
            q.push(&format!(" AND m.member_no = {a}"));
        }
        if let Some(k) = f.package_id {
            let a = q.arg(k);
            q.push(&format!(" AND o.package_id = {a}"));
        }
        if f.awaiting_approval {
            q.push(
                " AND EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.state = \
                 'pending_approval')",
            );
        }
        if let Some(b) = f.before {
            let a = q.arg(b);
            q.push(&format!(" AND o.id < {a}"));
        }
        let limit = q.arg(f.limit.unwrap_or(100).clamp(1, 500));
        q.push(&format!(" ORDER BY o.id DESC LIMIT {limit}"));
        q.fetch_all(self.read()).await
    }

    /// One order with its lines, timeline, payment, rating and complaints (404 beyond the
    /// actor's reach).
    pub async fn order(&self, actor: &Actor, id: i64) -> Result<Order> {
        let seat = seat_of(self.read(), actor).await?;
        let o = self.order_unscoped(id).await?;
        if !readable(actor, seat.as_ref(), &o) {
            return Err(StoreError::NotFound);
        }
        Ok(o)
    }

    /// The orders with a step taken in [from, to], by id after `after` (for open
    /// contracting data, which names no person): at most `limit`.
    pub async fn orders_for_publication(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        after: i64,
        limit: i64,
    ) -> Result<Vec<Order>> {
        let ids: Vec<(i64,)> = query(
            "SELECT DISTINCT order_id FROM order_steps WHERE taken_on >= $1 AND taken_on <= $2 \
             AND order_id > $3 ORDER BY order_id LIMIT $4",
        )
        .bind(from)
        .bind(to)
        .bind(after)
        .bind(limit)
        .fetch_all(self.read())
        .await?;
        let mut out = Vec::with_capacity(ids.len());
        for (id,) in ids {
            out.push(self.order_unscoped(id).await?);
        }
        Ok(out)
    }

    /// One order for publication (open contracting data), whoever asks.
    pub async fn order_for_publication(&self, id: i64) -> Result<Order> {
        self.order_unscoped(id).await
    }

    pub(crate) async fn order_unscoped(&self, id: i64) -> Result<Order> {
        let mut o: Order = query_text(format!("{ORDER_SELECT} AND o.id = $1"))
            .bind(id)
            .fetch_optional(self.read())
            .await?
            .ok_or(StoreError::NotFound)?;
        o.lines = query(
            "SELECT line_no, product_id, name, category, unit, price, quantity, \
             received_quantity, tkdn_percent FROM order_lines WHERE order_id = $1 ORDER BY \
             line_no",
        )
        .bind(id)
        .fetch_all(self.read())
        .await?;
        o.steps = query(
            "SELECT action, from_state, to_state, actor, actor_role, note, taken_on, at FROM \
             order_steps WHERE order_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.read())
        .await?;
        o.payment = self.payment_of_order(id).await?;
        o.rating = self.rating_of_order(id).await?;
        o.complaints = self.complaints_of_order(id).await?;
        Ok(o)
    }
}

/// The order's lines inside a transaction.
pub(crate) async fn order_lines(tx: &mut Tx, id: i64) -> Result<Vec<OrderLine>> {
    query(
        "SELECT line_no, product_id, name, category, unit, price, quantity, received_quantity, \
         tkdn_percent FROM order_lines WHERE order_id = $1 ORDER BY line_no",
    )
    .bind(id)
    .fetch_all(tx)
    .await
}

/// Gives back what a declined or cancelled order held: stock and the package's money.
async fn release(tx: &mut Tx, o: &Order, now: chrono::DateTime<Utc>) -> Result<()> {
    query("UPDATE packages SET committed = committed - $1 WHERE id = $2")
        .bind(o.total)
        .bind(o.package_id)
        .execute(&mut *tx)
        .await?;
    let mut lines = order_lines(tx, o.id).await?;
    lines.sort_by_key(|l| l.product_id);
    for l in lines {
        query(
            "UPDATE products SET stock = stock + $1, version = version + 1, updated_at = $2 \
             WHERE id = $3 AND stock IS NOT NULL",
        )
        .bind(l.quantity)
        .bind(now)
        .bind(l.product_id)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

async fn load_products(tx: &mut Tx, o: &NewOrder) -> Result<BTreeMap<i64, ProductRow>> {
    let mut q = query_text(
        "SELECT p.id, p.member_id, m.member_no, m.status, p.name, p.category, p.unit, p.price, \
         p.min_order, p.stock, p.lead_days, p.tkdn_percent, p.listed, p.grade, \
         p.certificate_valid_until FROM products p JOIN members m ON m.id = p.member_id WHERE \
         p.id IN (",
    );
    for (i, l) in o.lines.iter().enumerate() {
        let a = q.arg(l.product_id);
        q.push(&format!("{}{a}", if i == 0 { "" } else { ", " }));
    }
    q.push(")");
    let rows: Vec<ProductRow> = q.fetch_all(tx).await?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

/// Checks each line against its product; returns the supplier, the total and the longest
/// lead time.
fn check_lines(
    o: &NewOrder,
    products: &BTreeMap<i64, ProductRow>,
    today: NaiveDate,
) -> Result<(i64, i64, i64)> {
    let mut errs = ValidationErrors::default();
    let mut supplier: Option<i64> = None;
    let mut total: i128 = 0;
    let mut lead = 0;
    if o.needed_on < today {
        errs.push(FieldError::new(
            "needed_on",
            "date_in_past",
            "needed_on lies in the past",
        ));
    }
    for l in &o.lines {
        let Some(p) = products.get(&l.product_id) else {
            errs.push(FieldError::new(
                "lines",
                "product_unknown",
                format!("there is no product {}", l.product_id),
            ));
            continue;
        };
        let curated = p.grade.is_some() && p.certificate_valid_until.is_some_and(|d| d >= today);
        if !p.listed || !curated {
            errs.push(FieldError::new(
                "lines",
                "product_not_listed",
                format!("{} is not in the e-order catalogue", p.name),
            ));
        }
        if p.status != "active" {
            errs.push(FieldError::new(
                "lines",
                "supplier_withdrawn",
                format!("the supplier of {} has left the programme", p.name),
            ));
        }
        match supplier {
            None => supplier = Some(p.member_id),
            Some(s) if s != p.member_id => errs.push(FieldError::new(
                "lines",
                "one_supplier",
                "an order goes to one supplier: place one order per supplier",
            )),
            Some(_) => {}
        }
        if l.quantity < p.min_order {
            errs.push(FieldError::new(
                "lines",
                "below_min_order",
                format!(
                    "{} is sold from {} {}, not {}",
                    p.name, p.min_order, p.unit, l.quantity
                ),
            ));
        }
        lead = lead.max(p.lead_days);
        total += i128::from(p.price) * i128::from(l.quantity);
    }
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    let total = i64::try_from(total).unwrap_or(i64::MAX);
    Ok((supplier.unwrap_or_default(), total, lead))
}
