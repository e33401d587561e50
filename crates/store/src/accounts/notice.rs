//! E-mails telling an account's owner that its sign-in changed — a new password, two-step
//! verification turned on, replaced, off or removed by an administrator, new recovery
//! codes, a recovery code used — so that someone who did not do it notices. They go
//! through the outbox (topic `account.security`, recipient `user:USERNAME`), and only for
//! an account with an e-mail address on file.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::Result;
use crate::query::{Tx, query};

/// Western Indonesian Time, as the message gives it.
fn wib(at: DateTime<Utc>) -> String {
    (at + chrono::Duration::hours(7))
        .format("%Y-%m-%d %H:%M WIB")
        .to_string()
}

/// Queues the notice `what` (one Indonesian sentence) for the account `user_id`, in the
/// transaction that made the change.
pub(super) async fn security_notice(
    tx: &mut Tx,
    user_id: i64,
    what: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let row: Option<(String, Option<String>)> =
        query("SELECT username, email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((username, Some(_))) = row else {
        return Ok(());
    };
    let body = json!({
        "text": format!(
            "{what}\nAkun: {username}\nWaktu: {}\n\
             Jika bukan Anda yang melakukannya, segera hubungi administrator Jakpreneur.",
            wib(now)
        ),
    });
    crate::eorder::outbox::enqueue(
        tx,
        now,
        "account.security",
        None,
        &format!("user:{username}"),
        "Perubahan keamanan akun Jakpreneur",
        &body,
    )
    .await
}
