//! `/admin/audit`: the audit log with filters (administrators).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::Response;
use jakpreneur_store::AuditEntry;

use super::{Chrome, login_redirect, page_error, render};
use crate::AppState;
use crate::api::audit::parse_audit_query;
use crate::i18n::PageLang;
use crate::security::Caller;
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
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
) -> Response {
    if caller.actor.is_anonymous() {
        return login_redirect(&uri);
    }
    let tr = app.i18n.tr(lang.lang);
    let c = Chrome::new(tr, uri.path(), uri.query()).for_caller(&caller);
    let q: HashMap<String, String> = uri
        .query()
        .map(|s| form_urlencoded::parse(s.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let get = |k: &str| q.get(k).cloned().filter(|s| !s.trim().is_empty());
    let query = AuditQuery {
        actor: get("actor"),
        record_type: get("record_type"),
        record_id: get("record_id"),
        action: get("action"),
        from: get("from"),
        to: get("to"),
        limit: get("limit"),
        before: get("before"),
    };
    let mut page = AuditPageView {
        c,
        q: q.clone(),
        items: Vec::new(),
        errors: Vec::new(),
        next_href: None,
    };
    let (filter, limit, before) = match parse_audit_query(&query) {
        Ok(v) => v,
        Err(errs) => {
            page.errors = errs
                .0
                .iter()
                .map(|e| tr.error(e.code, &e.message))
                .collect();
            return render(StatusCode::UNPROCESSABLE_ENTITY, lang, &page);
        }
    };
    match app
        .store
        .list_audit(&caller.actor, &filter, limit, before)
        .await
    {
        Ok(p) => {
            page.items = p.items;
            page.next_href = p.next.map(|n| {
                let mut s = form_urlencoded::Serializer::new(String::new());
                for (k, v) in &page.q {
                    if k != "before" && k != "lang" && !v.is_empty() {
                        s.append_pair(k, v);
                    }
                }
                s.append_pair("before", &n.to_string());
                format!("/admin/audit?{}", s.finish())
            });
            render(StatusCode::OK, lang, &page)
        }
        Err(e) => page_error(
            lang,
            Chrome::new(tr, uri.path(), uri.query()).for_caller(&caller),
            e,
        ),
    }
}
