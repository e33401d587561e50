//! `/admin/audit`: the audit log with filters (administrators).

use std::collections::HashMap;

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use jakpreneur_store::AuditEntry;

use super::Chrome;
use super::ctx::{PageQuery, SignedInPage};
use crate::params::parse_audit_query;
use crate::views::AuditQuery;

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPageView<'a> {
    c: Chrome<'a>,
    q: HashMap<String, String>,
    items: Vec<AuditEntry>,
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
            shown.items = p.items;
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
