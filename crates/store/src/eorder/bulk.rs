//! The bulk path for e-order's history: paid orders loaded as they were paid (a province
//! arriving with its e-order archive, or a benchmark's fixture), many rows a statement.
//! No chain is replayed, no payment document kept, no notification owed and no ledger
//! event written (the members' services come with their own history, `import_events`);
//! the orders count in e-order's statistics and show in their unit's and supplier's lists.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use jakpreneur_core::Actor;
use serde_json::json;

use crate::audit::{self, Change, Who};
use crate::query::query_text;
use crate::{Result, Store, StoreError};

/// One paid order of the past.
#[derive(Debug, Clone)]
pub struct PaidOrder {
    pub unit_code: String,
    pub package_id: i64,
    pub member_id: i64,
    pub ordered_on: NaiveDate,
    pub paid_on: NaiveDate,
    pub lines: Vec<PaidLine>,
}

/// One line of a paid order: what was received, at the price paid.
#[derive(Debug, Clone)]
pub struct PaidLine {
    pub product_id: i64,
    pub name: String,
    pub category: String,
    pub unit: String,
    pub price: i64,
    pub quantity: i64,
    pub tkdn_percent: Option<i64>,
}

/// Orders per INSERT (binding on SQLite costs the square of the parameters).
const ROWS: usize = 40;

impl Store {
    /// Loads paid orders in one transaction; returns how many. Refused unless the actor may
    /// load in bulk (the whole province in scope); an order without lines, paid before it
    /// was ordered, or with a line of no units or no price is refused whole.
    pub async fn load_paid_orders(&self, actor: &Actor, rows: &[PaidOrder]) -> Result<u64> {
        Self::require_bulk(actor)?;
        if let Some((i, _)) = rows.iter().enumerate().find(|(_, o)| {
            o.lines.is_empty()
                || o.paid_on < o.ordered_on
                || o.lines.iter().any(|l| l.quantity < 1 || l.price < 1)
        }) {
            return Err(StoreError::invalid(
                "orders",
                "order_invalid",
                format!(
                    "order {} has no lines, a line of nothing, or was paid before it was ordered",
                    i + 1
                ),
            ));
        }
        let who = Who::from(actor);
        let now = Utc::now();
        let batch = crate::crypto::random_token("")[..12].to_owned();
        let mut tx = self.begin().await?;
        for (c, chunk) in rows.chunks(ROWS).enumerate() {
            // Each order's key in the batch: it finds the order's id again for its lines.
            let keys: Vec<String> = (0..chunk.len())
                .map(|k| format!("import:{batch}:{}", c * ROWS + k))
                .collect();
            let mut q = query_text(
                "INSERT INTO orders (unit_code, package_id, member_id, placed_by, state, \
                 ordered_on, needed_on, delivery_address, total, amount_due, accepted_on, \
                 shipped_on, received_on, paid_on, days_to_pay, tkdn_amount, idempotency_key, \
                 created_at, updated_at) VALUES ",
            );
            for (k, o) in chunk.iter().enumerate() {
                let total: i64 = o.lines.iter().map(|l| l.price * l.quantity).sum();
                let tkdn: i64 = o
                    .lines
                    .iter()
                    .filter(|l| l.tkdn_percent.is_some())
                    .map(|l| l.price * l.quantity)
                    .sum();
                let args = [
                    q.arg(o.unit_code.clone()),
                    q.arg(o.package_id),
                    q.arg(o.member_id),
                    q.arg(who.name.clone()),
                    q.arg("paid"),
                    q.arg(o.ordered_on),
                    q.arg("imported"),
                    q.arg(total),
                    q.arg(o.paid_on),
                    q.arg((o.paid_on - o.ordered_on).num_days()),
                    q.arg(tkdn),
                    q.arg(keys[k].clone()),
                    q.arg(now),
                ];
                let [
                    unit,
                    package,
                    member,
                    by,
                    state,
                    ordered,
                    addr,
                    total,
                    paid,
                    days,
                    tkdn,
                    key,
                    at,
                ] = &args;
                let sep = if k == 0 { "(" } else { ", (" };
                q.push(sep).push(&format!(
                    "{unit}, {package}, {member}, {by}, {state}, {ordered}, {ordered}, {addr}, \
                     {total}, {total}, {ordered}, {paid}, {paid}, {paid}, {days}, {tkdn}, {key}, \
                     {at}, {at})"
                ));
            }
            q.push(" RETURNING id, idempotency_key");
            let made: HashMap<String, i64> = q
                .fetch_all::<(i64, String)>(&mut tx)
                .await?
                .into_iter()
                .map(|(id, key)| (key, id))
                .collect();
            let mut l = query_text(
                "INSERT INTO order_lines (order_id, line_no, product_id, name, category, unit, \
                 price, quantity, received_quantity, tkdn_percent) VALUES ",
            );
            let mut first = true;
            for (k, o) in chunk.iter().enumerate() {
                let id = made[&keys[k]];
                for (n, line) in o.lines.iter().enumerate() {
                    let args = [
                        l.arg(id),
                        l.arg(n as i64 + 1),
                        l.arg(line.product_id),
                        l.arg(line.name.clone()),
                        l.arg(line.category.clone()),
                        l.arg(line.unit.clone()),
                        l.arg(line.price),
                        l.arg(line.quantity),
                        l.arg(line.tkdn_percent),
                    ];
                    let [order, no, product, name, category, unit, price, qty, tkdn] = &args;
                    l.push(if first { "(" } else { ", (" }).push(&format!(
                        "{order}, {no}, {product}, {name}, {category}, {unit}, {price}, {qty}, \
                         {qty}, {tkdn})"
                    ));
                    first = false;
                }
            }
            l.execute(&mut tx).await?;
            let (lo, hi) = made.values().fold((i64::MAX, i64::MIN), |(lo, hi), id| {
                (lo.min(*id), hi.max(*id))
            });
            let prefix = format!("import:{batch}:%");
            super::rollup::add(
                &mut tx,
                "o.id >= $1 AND o.id <= $2 AND o.idempotency_key LIKE $3",
                |q| q.bind(lo).bind(hi).bind(prefix.clone()),
            )
            .await?;
        }
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "order.load_paid",
                record_type: "order",
                record_id: format!("import:{batch}"),
                before: None,
                after: Some(json!({ "orders": rows.len() })),
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(rows.len() as u64)
    }
}
