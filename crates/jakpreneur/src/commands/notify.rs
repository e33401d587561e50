//! Delivering e-order's notifications from the outbox through the configured channel
//! (`eorder.notifications`): `log`, one line of the application log each (target
//! `notifications`); `smtp`, an e-mail to every address on file for the recipient, handed
//! to the relay in `[smtp]`; `none`, kept in the outbox. `serve` runs a round every few
//! seconds; `jakpreneur notifications deliver` runs one.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, anyhow};
use jakpreneur_store::{Notification, Store};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Config;

/// Notifications a round takes from the outbox, oldest first.
const ROUND: i64 = 200;

pub enum Channel {
    Log,
    Smtp(Box<Smtp>),
    None,
}

pub struct Smtp {
    mailer: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    base_url: String,
}

impl Channel {
    /// The configured channel; refuses an `smtp` channel without a valid sender.
    pub fn from_config(cfg: &Config) -> anyhow::Result<Self> {
        Ok(match cfg.eorder.notifications.as_str() {
            "smtp" => {
                let s = &cfg.smtp;
                let from: Mailbox = s.from.parse().map_err(|e| {
                    anyhow!(
                        "smtp.from must be a sender address such as `e-order <e-order@example.go.id>`, not {:?}: {e}",
                        s.from
                    )
                })?;
                anyhow::ensure!(
                    s.base_url.starts_with("http://") || s.base_url.starts_with("https://"),
                    "smtp.base_url must start with http:// or https://, not {:?}",
                    s.base_url
                );
                anyhow::ensure!(!s.host.trim().is_empty(), "smtp.host is empty");
                let mailer = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host)
                    .port(s.port)
                    .timeout(Some(Duration::from_secs(15)))
                    .build();
                Channel::Smtp(Box::new(Smtp {
                    mailer,
                    from,
                    base_url: s.base_url.trim_end_matches('/').to_owned(),
                }))
            }
            "none" => Channel::None,
            _ => Channel::Log,
        })
    }

    /// Delivers one round of pending notifications; returns (delivered, failed). A failed
    /// one stays pending with its error and is tried again in a later round (up to the
    /// store's attempt limit).
    pub async fn round(&self, store: &Store) -> anyhow::Result<(usize, usize)> {
        match self {
            Channel::None => Ok((0, 0)),
            Channel::Log => {
                let n = store
                    .deliver_notifications(ROUND, |n| {
                        tracing::info!(
                            target: "notifications",
                            id = n.id,
                            topic = %n.topic,
                            recipient = %n.recipient,
                            order_id = ?n.order_id,
                            subject = %n.subject,
                            "notification"
                        );
                        Ok(())
                    })
                    .await?;
                Ok((n, 0))
            }
            Channel::Smtp(s) => {
                let (mut delivered, mut failed) = (0, 0);
                for n in store.pending_notifications(ROUND).await? {
                    let outcome = s.send(store, &n).await;
                    if let Err(e) = &outcome {
                        tracing::warn!(target: "notifications", id = n.id, error = %e, "e-mail not sent");
                    }
                    delivered += usize::from(outcome.is_ok());
                    failed += usize::from(outcome.is_err());
                    store.mark_notification(n.id, outcome).await?;
                }
                Ok((delivered, failed))
            }
        }
    }
}

impl Smtp {
    async fn send(&self, store: &Store, n: &Notification) -> Result<(), String> {
        let addresses = store
            .notification_addresses(&n.recipient)
            .await
            .map_err(|e| e.to_string())?;
        if addresses.is_empty() {
            return Err(format!("no e-mail address on file for {}", n.recipient));
        }
        let mut m = Message::builder()
            .from(self.from.clone())
            .subject(n.subject.clone())
            .header(ContentType::TEXT_PLAIN);
        for a in &addresses {
            let to: Mailbox = a
                .parse()
                .map_err(|e| format!("the address {a:?} is not usable: {e}"))?;
            m = m.to(to);
        }
        let message = m.body(self.text(n)).map_err(|e| e.to_string())?;
        self.mailer
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("the relay refused or could not be reached: {e}"))
    }

    /// The mail's text: the subject, the order's amount and a link to its page.
    fn text(&self, n: &Notification) -> String {
        let body: serde_json::Value = serde_json::from_str(&n.body).unwrap_or_default();
        let mut out = format!("{}\n\n", n.subject);
        if let Some(text) = body["text"].as_str() {
            out.push_str(text);
            out.push('\n');
        }
        if let Some(id) = n.order_id {
            out.push_str(&format!("Pesanan e-order #{id}"));
            if let Some(due) = body["amount_due_text"].as_str() {
                out.push_str(&format!(", jumlah terutang {due}"));
            }
            out.push_str(&format!(".\nBuka: {}/orders/{id}\n", self.base_url));
        }
        out.push_str("\n-- \nJakpreneur. Pesan otomatis; mohon tidak dibalas.\n");
        out
    }
}

/// `serve`'s worker: a round every five seconds until the process ends.
pub async fn worker(store: Store, channel: Channel) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        if let Err(e) = channel.round(&store).await {
            tracing::warn!(target: "notifications", error = %e, "delivering notifications failed");
        }
    }
}

/// `jakpreneur notifications deliver`: one round; fails if any notification failed.
pub async fn deliver(store: &Store, cfg: &Config) -> anyhow::Result<ExitCode> {
    cfg.eorder.check()?;
    let channel = Channel::from_config(cfg)?;
    let (delivered, failed) = channel
        .round(store)
        .await
        .context("delivering notifications")?;
    println!(
        "{delivered} notification(s) delivered through {}, {failed} failed (kept for a later round)",
        cfg.eorder.notifications
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
