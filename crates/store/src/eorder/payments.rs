//! Payment, never before receipt: by `transfer` (the treasurer uploads the transfer proof
//! and the tax-withholding slip) or by `autodebit` from the unit's account (the treasurer
//! asks, the PA/KPA approves). The taxes are computed from the amount due, the supplier's
//! tax status and the rates in force that day (`jakpreneur_core::tax`), never typed. A
//! paid order writes the supplier's `eorder_sale` (P5), and its amount joins the member's
//! sales for the size class (see `finance.rs`).

use chrono::{NaiveDate, Utc};
use jakpreneur_core::eorder::{BuyerRole, OrderAction, OrderState, Party, PaymentMethod, rupiah};
use jakpreneur_core::programme::{JAKPRENEUR, NewEvent};
use jakpreneur_core::tax::{SupplierTax, breakdown};
use jakpreneur_core::{Actor, Status};
use serde::Serialize;
use serde_json::json;

use super::orders::{add_step, order_for_action, readable};
use super::outbox::{notify, notify_next};
use super::{Order, party, seat_of};
use crate::audit::{self, Change, Who};
use crate::finance::refresh_size;
use crate::ledger::{member_facts_locked, write_event};
use crate::media::CheckedDocument;
use crate::query::{Tx, query, query_text};
use crate::{Result, Store, StoreError};

/// A payment and how its amount divides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Payment {
    pub id: i64,
    pub order_id: i64,
    pub method: String,
    /// `pending_approval` (an autodebit the PA/KPA has not approved) or `paid`.
    pub state: String,
    /// What the buyer owes: the received units at their frozen prices.
    pub amount: i64,
    pub vat: i64,
    pub vat_rate_bp: i64,
    /// `pph22`, `pph_final_umkm` or `none`.
    pub income_tax_kind: String,
    pub income_tax: i64,
    pub income_tax_rate_bp: i64,
    /// What reaches the supplier.
    pub net: i64,
    #[serde(skip)]
    pub proof_sha256: Option<String>,
    pub proof_format: Option<String>,
    #[serde(skip)]
    pub slip_sha256: Option<String>,
    pub slip_format: Option<String>,
    pub requested_by: String,
    pub requested_on: NaiveDate,
    pub approved_by: Option<String>,
    pub paid_on: Option<NaiveDate>,
}

/// The two files of a transfer, checked by their content.
#[derive(Debug, Clone)]
pub struct PaymentUpload {
    pub proof: CheckedDocument,
    pub slip: CheckedDocument,
}

/// A stored payment document.
#[derive(Debug, Clone)]
pub struct PaymentDocument {
    pub format: String,
    pub bytes: Vec<u8>,
}

const PAYMENT_SELECT: &str = "SELECT id, order_id, method, state, amount, vat, vat_rate_bp, \
     income_tax_kind, income_tax, income_tax_rate_bp, net, proof_sha256, proof_format, \
     slip_sha256, slip_format, requested_by, requested_on, approved_by, paid_on FROM payments";

/// Marks the order paid: its timeline, the supplier's `eorder_sale` event, the member's
/// size class from its sales, and the supplier's notification.
async fn mark_paid(
    tx: &mut Tx,
    o: &Order,
    actor: &Actor,
    who: &Who,
    p: Party,
    action: &str,
    today: NaiveDate,
) -> Result<()> {
    let now = Utc::now();
    let f = member_facts_locked(&mut *tx, &o.member_no)
        .await?
        .ok_or(StoreError::NotFound)?;
    // A supplier that left the programme before the payment is still paid; the sale is
    // not a service of the programme any more and writes no event.
    let in_programme =
        f.status == Status::Active.as_str() || f.withdrawn_on.is_some_and(|w| w >= today);
    let event_id = if in_programme && f.erased_at.is_none() {
        let agency = actor.agency_or_default();
        let e = NewEvent {
            programme: JAKPRENEUR.into(),
            stage: "P5".into(),
            kind: "eorder_sale".into(),
            qualifying: true,
            occurred_on: today,
            place_code: Some(f.district_code.clone()),
            agency: Some(agency.clone()),
            reference: Some(format!("order {}", o.id)),
            note: Some(rupiah(o.amount_due)),
        };
        Some(write_event(&mut *tx, &f, &e, &agency, who, None, now).await?)
    } else {
        None
    };
    let tkdn: i64 = super::orders::order_lines(tx, o.id)
        .await?
        .iter()
        .filter(|l| l.tkdn_percent.is_some())
        .map(|l| l.price * l.received_quantity.unwrap_or(l.quantity))
        .sum();
    query(
        "UPDATE orders SET state = 'paid', paid_on = $1, sale_event_id = $2, days_to_pay = $3, \
         tkdn_amount = $4, version = version + 1, updated_at = $5 WHERE id = $6",
    )
    .bind(today)
    .bind(event_id)
    .bind((today - o.ordered_on).num_days())
    .bind(tkdn)
    .bind(now)
    .bind(o.id)
    .execute(&mut *tx)
    .await?;
    super::rollup::add(tx, "o.id = $1", |q| q.bind(o.id)).await?;
    refresh_size(&mut *tx, &f).await?;
    add_step(
        tx,
        o.id,
        action,
        Some(o.state),
        OrderState::Paid,
        who,
        p,
        &format!("{} dibayar", rupiah(o.amount_due)),
        today,
    )
    .await?;
    notify_next(tx, o.id, OrderState::Paid, now).await
}

/// The supplier's tax status on file (neither VAT-registered nor on the final rate
/// without a bank account).
async fn supplier_tax<'e>(
    on: impl Into<crate::query::Exec<'e>>,
    member_id: i64,
) -> Result<SupplierTax> {
    let status: Option<(bool, bool)> =
        query("SELECT vat_registered, umkm_final FROM bank_accounts WHERE member_id = $1")
            .bind(member_id)
            .fetch_optional(on)
            .await?;
    Ok(status
        .map(|(vat_registered, umkm_final)| SupplierTax {
            vat_registered,
            umkm_final,
        })
        .unwrap_or_default())
}

impl Store {
    /// How a received, unpaid order's amount would divide if paid on `today` (the taxes at
    /// today's rates and the net reaching the supplier); `None` once a payment exists or
    /// before receipt. `o` is an order the caller has already read within its scope
    /// ([`Store::order`]).
    pub async fn payment_preview(
        &self,
        o: &Order,
        today: NaiveDate,
    ) -> Result<Option<jakpreneur_core::tax::TaxBreakdown>> {
        if o.state != OrderState::Received || o.payment.is_some() {
            return Ok(None);
        }
        let st = supplier_tax(self.read(), o.member_id).await?;
        Ok(breakdown(o.amount_due, st, today))
    }

    /// Pays a received order (its unit's treasurer). A transfer needs `upload` and is paid
    /// at once; an autodebit waits for the PA/KPA's approval. A retried request with the
    /// same method returns the payment already made (`false`: nothing new).
    #[tracing::instrument(skip_all)]
    pub async fn pay_order(
        &self,
        actor: &Actor,
        order_id: i64,
        method: PaymentMethod,
        upload: Option<&PaymentUpload>,
        today: NaiveDate,
    ) -> Result<(Payment, bool)> {
        // Who may pay is settled before any file is kept.
        let o = self.order(actor, order_id).await?;
        let seat = seat_of(self.read(), actor).await?;
        if party(actor, seat.as_ref(), &o) != Party::Buyer(BuyerRole::Treasurer) {
            return Err(StoreError::Forbidden(
                "only the order's treasurer pays it".into(),
            ));
        }
        if let Some(existing) = o.payment {
            if existing.method == method.as_str() {
                return Ok((existing, false));
            }
            return Err(StoreError::invalid(
                "method",
                "payment_exists",
                format!("the order already has a {} payment", existing.method),
            ));
        }
        let action = match method {
            PaymentMethod::Transfer => OrderAction::PayTransfer,
            PaymentMethod::Autodebit => OrderAction::RequestAutodebit,
        };
        if method == PaymentMethod::Transfer && upload.is_none() {
            return Err(StoreError::invalid(
                "proof",
                "required",
                "a transfer needs the transfer proof and the tax-withholding slip",
            ));
        }
        if let Some(u) = upload {
            let media = self.media()?;
            media.put_document(&u.proof).await?;
            media.put_document(&u.slip).await?;
        }
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let (o, seat, _) = order_for_action(&mut tx, actor, order_id, action).await?;
        let p = party(actor, seat.as_ref(), &o);
        let st = supplier_tax(&mut tx, o.member_id).await?;
        let b = breakdown(o.amount_due, st, today).ok_or_else(|| {
            StoreError::invalid(
                "method",
                "no_tax_rate",
                format!("no tax rate is on record for {today}"),
            )
        })?;
        let paid = method == PaymentMethod::Transfer;
        let id: i64 = query(
            "INSERT INTO payments (order_id, method, state, amount, vat, vat_rate_bp, \
             income_tax_kind, income_tax, income_tax_rate_bp, net, proof_sha256, proof_format, \
             slip_sha256, slip_format, requested_by, requested_on, paid_on, created_at) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
             RETURNING id",
        )
        .bind(order_id)
        .bind(method.as_str())
        .bind(if paid { "paid" } else { "pending_approval" })
        .bind(b.amount)
        .bind(b.vat)
        .bind(b.vat_rate_bp)
        .bind(b.income_tax_kind)
        .bind(b.income_tax)
        .bind(b.income_tax_rate_bp)
        .bind(b.net)
        .bind(upload.map(|u| u.proof.sha256.clone()))
        .bind(upload.map(|u| u.proof.format))
        .bind(upload.map(|u| u.slip.sha256.clone()))
        .bind(upload.map(|u| u.slip.format))
        .bind(&who.name)
        .bind(today)
        .bind(paid.then_some(today))
        .bind(now)
        .scalar(&mut tx)
        .await?;
        if paid {
            mark_paid(&mut tx, &o, actor, &who, p, action.as_str(), today).await?;
        } else {
            add_step(
                &mut tx,
                order_id,
                action.as_str(),
                Some(o.state),
                o.state,
                &who,
                p,
                &format!("autodebit {} menunggu persetujuan PA/KPA", rupiah(b.amount)),
                today,
            )
            .await?;
            notify(
                &mut tx,
                order_id,
                "autodebit_approval",
                &format!("unit:{}:pa_kpa", o.unit_code),
                &format!("Autodebit pesanan #{order_id} menunggu persetujuan"),
                now,
            )
            .await?;
        }
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "eorder.payment",
                record_type: "order",
                record_id: order_id.to_string(),
                before: Some(json!({ "state": o.state })),
                after: Some(
                    json!({ "payment_id": id, "method": method, "amount": b.amount,
                    "vat": b.vat, "income_tax": b.income_tax,
                    "income_tax_kind": b.income_tax_kind, "net": b.net,
                    "proof": upload.map(|u| &u.proof.sha256),
                    "tax_slip": upload.map(|u| &u.slip.sha256) }),
                ),
            }],
        )
        .await?;
        tx.commit().await?;
        let payment = self
            .payment_of_order(order_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((payment, true))
    }

    /// The PA/KPA approves an autodebit: the order is paid. Approving again changes nothing.
    #[tracing::instrument(skip_all)]
    pub async fn approve_payment(
        &self,
        actor: &Actor,
        payment_id: i64,
        today: NaiveDate,
    ) -> Result<Payment> {
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let row: Option<(i64, String)> =
            query("SELECT order_id, state FROM payments WHERE id = $1")
                .bind(payment_id)
                .fetch_optional(&mut tx)
                .await?;
        let (order_id, state) = row.ok_or(StoreError::NotFound)?;
        if state == "paid" {
            drop(tx);
            // Readable only by those who may read the order.
            self.order(actor, order_id).await?;
            return self
                .payment_of_order(order_id)
                .await?
                .ok_or(StoreError::NotFound);
        }
        let (o, seat, _) =
            order_for_action(&mut tx, actor, order_id, OrderAction::ApprovePayment).await?;
        let p = party(actor, seat.as_ref(), &o);
        query("UPDATE payments SET state = 'paid', approved_by = $1, paid_on = $2 WHERE id = $3")
            .bind(&who.name)
            .bind(today)
            .bind(payment_id)
            .execute(&mut tx)
            .await?;
        mark_paid(
            &mut tx,
            &o,
            actor,
            &who,
            p,
            OrderAction::ApprovePayment.as_str(),
            today,
        )
        .await?;
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "eorder.payment_approve",
                record_type: "order",
                record_id: order_id.to_string(),
                before: Some(json!({ "payment_state": "pending_approval" })),
                after: Some(json!({ "payment_id": payment_id, "payment_state": "paid" })),
            }],
        )
        .await?;
        tx.commit().await?;
        self.payment_of_order(order_id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// A payment's transfer proof (`proof`) or tax slip (`tax_slip`), for those who may
    /// read its order.
    pub async fn payment_document(
        &self,
        actor: &Actor,
        payment_id: i64,
        which: &str,
    ) -> Result<PaymentDocument> {
        let p: Payment = query_text(format!("{PAYMENT_SELECT} WHERE id = $1"))
            .bind(payment_id)
            .fetch_optional(self.read())
            .await?
            .ok_or(StoreError::NotFound)?;
        let seat = seat_of(self.read(), actor).await?;
        let o = self.order_unscoped(p.order_id).await?;
        if !readable(actor, seat.as_ref(), &o) {
            return Err(StoreError::NotFound);
        }
        let (sha, format) = match which {
            "proof" => (p.proof_sha256, p.proof_format),
            "tax_slip" => (p.slip_sha256, p.slip_format),
            _ => return Err(StoreError::NotFound),
        };
        let (Some(sha), Some(format)) = (sha, format) else {
            return Err(StoreError::NotFound);
        };
        let bytes = self
            .media()?
            .read_document(&sha, &format)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(PaymentDocument { format, bytes })
    }

    pub(crate) async fn payment_of_order(&self, order_id: i64) -> Result<Option<Payment>> {
        query_text(format!("{PAYMENT_SELECT} WHERE order_id = $1"))
            .bind(order_id)
            .fetch_optional(self.read())
            .await
    }
}
