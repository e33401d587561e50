//! `/admin/audit`: the audit log with filters (administrators).

use std::collections::HashMap;

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use jakpreneur_store::AuditEntry;

use super::Chrome;
use super::ctx::{PageQuery, SignedInPage};
use crate::i18n::Tr;
use crate::params::parse_audit_query;
use crate::views::AuditQuery;

/// One audit entry as a sentence: who did what to which record, when, and what changed;
/// the stored values and the chain hash stay available as technical details.
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub address: Option<String>,
    pub verb: String,
    pub record: String,
    pub record_href: Option<String>,
    pub changed: Vec<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub hash: String,
}

impl AuditRow {
    fn of(tr: &Tr<'_>, e: AuditEntry) -> Self {
        let verb = match tr.t(&format!("audit_action.{}", e.action)) {
            "" => e.action.replace(['.', '_'], " "),
            v => v.to_owned(),
        };
        let kind = match tr.tv("record_type.", &e.record_type) {
            "" => e.record_type.replace('_', " "),
            k => k.to_owned(),
        };
        let record = if e.record_id == "-" || e.record_id.is_empty() {
            String::new()
        } else {
            format!("{kind} {}", e.record_id)
        };
        let record_href = (e.record_type == "member" && e.record_id.starts_with("JP-"))
            .then(|| format!("/members/{}", e.record_id));
        let actor = super::names::actor(tr, &e.actor);
        let at = chrono::DateTime::parse_from_rfc3339(&e.at)
            .map(|t| tr.datetime(&t.with_timezone(&chrono::Utc)))
            .unwrap_or_else(|_| e.at.clone());
        Self {
            changed: changed_fields(tr, e.before.as_deref(), e.after.as_deref()),
            seq: e.seq,
            at,
            actor,
            address: e.address,
            verb,
            record,
            record_href,
            before: e.before,
            after: e.after,
            hash: e.hash.chars().take(16).collect(),
        }
    }
}

/// The fields whose values differ between the stored before and after, by their names.
fn changed_fields(tr: &Tr<'_>, before: Option<&str>, after: Option<&str>) -> Vec<String> {
    let parse = |s: Option<&str>| {
        s.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
            .and_then(|v| v.as_object().cloned())
    };
    let (Some(b), Some(a)) = (parse(before), parse(after)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    diff(tr, &b, &a, 1, &mut out);
    out
}

/// Appends the names of the keys whose values differ; objects on both sides are looked
/// into `depth` more levels (a member's snapshot keeps its personal data in one).
fn diff(
    tr: &Tr<'_>,
    b: &serde_json::Map<String, serde_json::Value>,
    a: &serde_json::Map<String, serde_json::Value>,
    depth: u8,
    out: &mut Vec<String>,
) {
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        if matches!(k.as_str(), "version" | "updated_at") || a.get(k) == b.get(k) {
            continue;
        }
        if depth > 0
            && let (Some(serde_json::Value::Object(x)), Some(serde_json::Value::Object(y))) =
                (b.get(k), a.get(k))
        {
            diff(tr, x, y, depth - 1, out);
            continue;
        }
        out.push(match tr.tv("field.", k) {
            "" => k.replace('_', " "),
            label => label.to_lowercase(),
        });
    }
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPageView<'a> {
    c: Chrome<'a>,
    q: HashMap<String, String>,
    items: Vec<AuditRow>,
    errors: Vec<String>,
    next_href: Option<String>,
}

impl AuditPageView<'_> {
    fn v(&self, name: &str) -> &str {
        self.q.get(name).map_or("", String::as_str)
    }
}

pub async fn audit(
    page: SignedInPage,
    PageQuery { value: query, raw }: PageQuery<AuditQuery>,
) -> Response {
    let tr = page.tr();
    let mut shown = AuditPageView {
        c: page.chrome(),
        q: raw,
        items: Vec::new(),
        errors: Vec::new(),
        next_href: None,
    };
    let (filter, limit, before) = match parse_audit_query(&query) {
        Ok(v) => v,
        Err(errs) => {
            shown.errors = errs
                .0
                .iter()
                .map(|e| tr.error(e.code, &e.message))
                .collect();
            return page.render(StatusCode::UNPROCESSABLE_ENTITY, &shown);
        }
    };
    match page
        .app
        .store
        .list_audit(page.actor(), &filter, limit, before)
        .await
    {
        Ok(p) => {
            shown.items = p.items.into_iter().map(|e| AuditRow::of(&tr, e)).collect();
            shown.next_href = p.next.map(|n| {
                let mut s = form_urlencoded::Serializer::new(String::new());
                for (k, v) in &shown.q {
                    if k != "before" && k != "lang" && !v.is_empty() {
                        s.append_pair(k, v);
                    }
                }
                s.append_pair("before", &n.to_string());
                format!("/admin/audit?{}", s.finish())
            });
            page.render(StatusCode::OK, &shown)
        }
        Err(e) => page.error(page.chrome(), e),
    }
}
