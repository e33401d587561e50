//! `POST /members/export`: the members list as filtered on the page, or the services of
//! those members, as CSV or XLSX, streamed while it is read (see [`crate::download`]). A
//! POST (the filters travel as form fields): an export of personal data is a deliberate,
//! audited act, never a prefetched link. The members file holds what the list shows and no
//! more: no NIK, birth date or address; phone numbers in full only for roles that may see
//! NIKs. The services file has the columns `jakpreneur import events` reads back.

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use jakpreneur_core::Permission;
use jakpreneur_reports::export::{MEMBER_COLUMNS, Names, SERVICE_COLUMNS, member_row, service_row};
use jakpreneur_reports::sheet::SheetFormat;
use jakpreneur_store::{Page, StoreError};

use super::ctx::SignedInPage;
use super::names;
use crate::download::{self, RowSink};
use crate::params::parse_member_query;
use crate::views::MemberQuery;

/// Members read per page while a file is written.
const BATCH: u32 = 500;

/// What a download holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum What {
    Members,
    Services,
}

pub async fn export(page: SignedInPage, body: Bytes) -> Response {
    let tr = page.tr();
    if !page.actor().can(Permission::MemberRead) {
        return page.error(
            page.chrome(),
            StoreError::Forbidden("the role may not read members".into()),
        );
    }
    let values = super::form(&body);
    let get = |k: &str| values.get(k).cloned();
    let query = MemberQuery {
        region: get("region"),
        registered_from: get("registered_from"),
        registered_to: get("registered_to"),
        sector: get("sector"),
        status: get("status"),
        q: get("q"),
        limit: None,
        after: None,
        sort: get("sort"),
    };
    let refuse = |status: StatusCode, text: String| {
        super::message(
            status,
            page.lang,
            page.chrome(),
            tr.t("members.export_title"),
            &text,
        )
    };
    let Some(format) = values.get("format").and_then(|f| SheetFormat::parse(f)) else {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            tr.t("members.export_format").to_owned(),
        );
    };
    let what = match values.get("what").map(String::as_str) {
        None | Some("" | "members") => What::Members,
        Some("services") => What::Services,
        Some(_) => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                tr.t("members.export_what").to_owned(),
            );
        }
    };
    let filter = match parse_member_query(&query) {
        Ok((f, _)) => f,
        Err(errs) => {
            let text = super::field_errors(tr, &errs)
                .into_iter()
                .map(|(field, msg)| format!("{}: {msg}", tr.tv("field.", &field)))
                .collect::<Vec<_>>()
                .join("; ");
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, text);
        }
    };
    let store = page.app.store.clone();
    let actor = page.actor().clone();
    let members = match store
        .count_members_matching(&actor, &filter, i64::MAX - 1)
        .await
    {
        Ok(n) => n,
        Err(e) => return page.error(page.chrome(), e),
    };
    let filter_json = serde_json::json!({
        "region": query.region, "registered_from": query.registered_from,
        "registered_to": query.registered_to, "sector": query.sector,
        "status": query.status, "q": query.q, "sort": filter.sort.as_str(),
    });
    let (stem, action) = match what {
        What::Members => ("anggota", "member.export_list"),
        What::Services => ("layanan", "ledger.export"),
    };
    // On record before the first byte leaves: a download cut short was still asked for.
    if let Err(e) = store
        .record_member_list_export(&actor, action, format.extension(), filter_json, members)
        .await
    {
        return page.error(page.chrome(), e);
    }
    let filename = format!(
        "{stem}-{}.{}",
        page.today().format("%Y%m%d"),
        format.extension()
    );
    let header: Vec<String> = match what {
        What::Members => MEMBER_COLUMNS.iter(),
        What::Services => SERVICE_COLUMNS.iter(),
    }
    .map(|c| (*c).to_owned())
    .collect();
    let (sink, response) = download::sheet(format, &filename, header);
    let catalogues = page.app.i18n.clone();
    let lang = page.lang.lang;
    tokio::spawn(async move {
        let tr = catalogues.tr(lang);
        let place = |code: &str| names::place(&tr, code);
        let sector = |code: &str| names::sector(&tr, code);
        let names = Names {
            place: &place,
            sector: &sector,
        };
        let full_phone = actor.can(Permission::MemberReadNik);
        let filled = fill(&sink, |after| {
            let (store, actor, filter, names) = (&store, &actor, &filter, &names);
            async move {
                let page = Page {
                    limit: BATCH,
                    after,
                };
                Ok(match what {
                    What::Members => {
                        let p = store.list_members(actor, filter, page).await?;
                        let rows = p
                            .items
                            .iter()
                            .map(|m| member_row(m, full_phone, names))
                            .collect();
                        (rows, p.next)
                    }
                    What::Services => {
                        let p = store.export_services(actor, filter, page).await?;
                        (p.items.iter().map(service_row).collect(), p.next)
                    }
                })
            }
        })
        .await;
        if let Err(e) = filled {
            tracing::error!(error = %e, "an export stopped part-way");
            sink.fail(e.to_string()).await;
        }
    });
    response
}

/// Reads page after page into the sink until the last page, or until the client leaves.
async fn fill<F, Fut>(sink: &RowSink, mut next: F) -> Result<(), StoreError>
where
    F: FnMut(Option<i64>) -> Fut,
    Fut: Future<Output = Result<(Vec<Vec<String>>, Option<i64>), StoreError>>,
{
    let mut after = None;
    loop {
        let (rows, more) = next(after).await?;
        if sink.send(rows).await.is_err() {
            return Ok(());
        }
        match more {
            Some(n) => after = Some(n),
            None => return Ok(()),
        }
    }
}
