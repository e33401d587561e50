//! The notifications outbox: each order step that hands the order to someone writes what
//! they must be told, in the step's own transaction, so a notification exists exactly
//! when its step does. A worker delivers pending rows through the configured channel and
//! marks them; a failed delivery is retried with the error kept.

use chrono::{DateTime, Utc};
use jakpreneur_core::eorder::{OrderState, rupiah};
use serde::Serialize;
use serde_json::json;

use crate::query::{Tx, query};
use crate::{Result, Store};

/// A notification waiting for delivery (or delivered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Notification {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub topic: String,
    pub order_id: Option<i64>,
    /// `member:<member_no>`, `unit:<code>:<buyer role>` or `user:<username>` (an
    /// account's own security notices).
    pub recipient: String,
    pub subject: String,
    /// JSON: the order, its amounts, and where to act.
    pub body: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// Writes one notification inside the caller's transaction.
pub(crate) async fn notify(
    tx: &mut Tx,
    order_id: i64,
    topic: &str,
    recipient: &str,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let (total, due): (i64, i64) = query("SELECT total, amount_due FROM orders WHERE id = $1")
        .bind(order_id)
        .fetch_one(&mut *tx)
        .await?;
    let body = json!({ "order_id": order_id, "total": total, "amount_due": due,
        "amount_due_text": rupiah(due), "url": format!("/orders/{order_id}") });
    enqueue(tx, now, topic, Some(order_id), recipient, subject, &body).await
}

/// Puts one message in the outbox inside the caller's transaction: an order's, a member's
/// sign-up code, an account's security notice.
pub(crate) async fn enqueue(
    tx: &mut Tx,
    now: DateTime<Utc>,
    topic: &str,
    order_id: Option<i64>,
    recipient: &str,
    subject: &str,
    body: &serde_json::Value,
) -> Result<()> {
    query(
        "INSERT INTO outbox (created_at, topic, order_id, recipient, subject, body) VALUES ($1, \
         $2, $3, $4, $5, $6)",
    )
    .bind(now)
    .bind(topic)
    .bind(order_id)
    .bind(recipient)
    .bind(subject)
    .bind(body.to_string())
    .execute(tx)
    .await?;
    Ok(())
}

/// Tells whoever the order now waits for (or the party that needs to know it ended).
pub(crate) async fn notify_next(
    tx: &mut Tx,
    order_id: i64,
    state: OrderState,
    now: DateTime<Utc>,
) -> Result<()> {
    let (unit, member_no): (String, String) = query(
        "SELECT o.unit_code, m.member_no FROM orders o JOIN members m ON m.id = o.member_id \
         WHERE o.id = $1",
    )
    .bind(order_id)
    .fetch_one(&mut *tx)
    .await?;
    let member = format!("member:{member_no}");
    let unit_role = |r: &str| format!("unit:{unit}:{r}");
    let (topic, recipient, subject) = match state {
        OrderState::Submitted => (
            "order_new",
            member,
            format!("Pesanan baru #{order_id}: terima atau tolak"),
        ),
        OrderState::Accepted => (
            "order_accepted",
            unit_role("procurement_officer"),
            format!("Pesanan #{order_id} diterima penyedia"),
        ),
        OrderState::Declined => (
            "order_declined",
            unit_role("procurement_officer"),
            format!("Pesanan #{order_id} ditolak penyedia"),
        ),
        OrderState::Cancelled => (
            "order_cancelled",
            member,
            format!("Pesanan #{order_id} dibatalkan pembeli"),
        ),
        OrderState::Shipped => (
            "order_shipped",
            unit_role("ppk"),
            format!("Pesanan #{order_id} dikirim: menunggu BAST"),
        ),
        OrderState::Received => (
            "payment_due",
            unit_role("treasurer"),
            format!("Pesanan #{order_id} diterima: menunggu pembayaran"),
        ),
        OrderState::Paid => (
            "order_paid",
            member,
            format!("Pesanan #{order_id} telah dibayar"),
        ),
    };
    notify(tx, order_id, topic, &recipient, &subject, now).await
}

/// Delivery attempts after which a notification is no longer tried (it stays in the
/// outbox with its last error, for an administrator to see).
pub const MAX_ATTEMPTS: i64 = 10;

impl Store {
    /// Notifications not yet delivered, oldest first.
    pub async fn pending_notifications(&self, limit: i64) -> Result<Vec<Notification>> {
        query(
            "SELECT id, created_at, topic, order_id, recipient, subject, body, attempts, \
             last_error, delivered_at FROM outbox WHERE delivered_at IS NULL AND attempts < $2 \
             ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .bind(MAX_ATTEMPTS)
        .fetch_all(self.read())
        .await
    }

    /// The e-mail addresses a notification's recipient stands for: `member:<member no>`,
    /// the member's own address and those of its accounts; `unit:<code>:<buyer role>`, the
    /// addresses of the unit's active accounts in that role. Empty when none is on file.
    pub async fn notification_addresses(&self, recipient: &str) -> Result<Vec<String>> {
        let mut parts = recipient.splitn(3, ':');
        let rows: Vec<(Option<String>,)> =
            match (parts.next(), parts.next(), parts.next()) {
                (Some("member"), Some(no), None) => query(
                    "SELECT email FROM members WHERE member_no = $1 AND erased_at IS NULL UNION \
                     SELECT email FROM users WHERE member_no = $1 AND disabled_at IS NULL",
                )
                .bind(no)
                .fetch_all(self.read())
                .await?,
                (Some("user"), Some(username), None) => {
                    query("SELECT email FROM users WHERE username = $1")
                        .bind(username)
                        .fetch_all(self.read())
                        .await?
                }
                (Some("unit"), Some(unit), Some(role)) => query(
                    "SELECT email FROM users WHERE buyer_unit_code = $1 AND buyer_role = $2 AND \
                     disabled_at IS NULL",
                )
                .bind(unit)
                .bind(role)
                .fetch_all(self.read())
                .await?,
                _ => Vec::new(),
            };
        let mut out: Vec<String> = rows.into_iter().filter_map(|(e,)| e).collect();
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// The notifications about one order, oldest first (its page shows them).
    pub async fn order_notifications(&self, order_id: i64) -> Result<Vec<Notification>> {
        query(
            "SELECT id, created_at, topic, order_id, recipient, subject, body, attempts, \
             last_error, delivered_at FROM outbox WHERE order_id = $1 ORDER BY id",
        )
        .bind(order_id)
        .fetch_all(self.read())
        .await
    }

    /// Hands each pending notification (oldest first, at most `limit`) to `deliver` and
    /// records the outcome. Returns how many were delivered. A failed delivery stays
    /// pending, with its attempts counted and its error kept, and is tried again next time.
    pub async fn deliver_notifications<F>(&self, limit: i64, mut deliver: F) -> Result<usize>
    where
        F: FnMut(&Notification) -> std::result::Result<(), String>,
    {
        let mut delivered = 0;
        for n in self.pending_notifications(limit).await? {
            let outcome = deliver(&n);
            delivered += usize::from(outcome.is_ok());
            self.mark_notification(n.id, outcome).await?;
        }
        Ok(delivered)
    }

    /// Records a delivery attempt: delivered, or failed with the error.
    pub async fn mark_notification(
        &self,
        id: i64,
        outcome: std::result::Result<(), String>,
    ) -> Result<()> {
        let now = Utc::now();
        match outcome {
            Ok(()) => {
                query(
                    "UPDATE outbox SET delivered_at = $1, attempts = attempts + 1, last_error = \
                     NULL WHERE id = $2",
                )
                .bind(now)
                .bind(id)
                .execute(self.write())
                .await?
            }
            Err(e) => {
                query("UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE id = $2")
                    .bind(e)
                    .bind(id)
                    .execute(self.write())
                    .await?
            }
        };
        Ok(())
    }
}
