//! `POST /members/export`: the members list as filtered on the page, as CSV or XLSX. A POST
//! (the filters travel as form fields): an export of personal data is a deliberate, audited
//! act, never a prefetched link. The file holds what the list shows and no more: no NIK,
//! birth date or address; phone numbers in full only for roles that may see NIKs.

use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jakpreneur_core::Permission;
use jakpreneur_store::{Member, Page, StoreError};

use super::ctx::SignedInPage;
use super::member_page::no_store;
use super::names;
use crate::i18n::Tr;
use crate::params::parse_member_query;
use crate::views::MemberQuery;

/// The most rows one download holds; beyond it the officer narrows the filters.
pub const EXPORT_MAX: i64 = 200_000;
const BATCH: u32 = 500;

/// The columns, named as the API names the fields (so the file can be read back).
const COLUMNS: [&str; 14] = [
    "member_no",
    "business_name",
    "full_name",
    "sex",
    "phone",
    "email",
    "village_code",
    "village",
    "district",
    "sector",
    "sector_name",
    "channel",
    "registered_on",
    "status",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Xlsx,
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
    let format = match values.get("format").map(String::as_str) {
        Some("csv") => Format::Csv,
        Some("xlsx") => Format::Xlsx,
        _ => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                tr.t("members.export_format").to_owned(),
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
    let store = &page.app.store;
    let actor = page.actor();
    let total = match store
        .count_members_matching(actor, &filter, EXPORT_MAX)
        .await
    {
        Ok(n) => n,
        Err(e) => return page.error(page.chrome(), e),
    };
    if total > EXPORT_MAX {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            tr.t("members.export_too_many")
                .replace("{max}", &tr.count(&EXPORT_MAX)),
        );
    }
    let full_phone = actor.can(Permission::MemberReadNik);
    let mut sheet = match Sheet::new(format) {
        Ok(s) => s,
        Err(e) => return failed(&page, &e),
    };
    let mut after = None;
    let mut rows = 0u64;
    loop {
        let p = match store
            .list_members(
                actor,
                &filter,
                Page {
                    limit: BATCH,
                    after,
                },
            )
            .await
        {
            Ok(p) => p,
            Err(e) => return page.error(page.chrome(), e),
        };
        for m in &p.items {
            if let Err(e) = sheet.row(&cells(&tr, m, full_phone)) {
                return failed(&page, &e);
            }
            rows += 1;
        }
        match p.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let filter_json = serde_json::json!({
        "region": query.region, "registered_from": query.registered_from,
        "registered_to": query.registered_to, "sector": query.sector,
        "status": query.status, "q": query.q, "sort": filter.sort.as_str(),
    });
    let ext = match format {
        Format::Csv => "csv",
        Format::Xlsx => "xlsx",
    };
    if let Err(e) = store
        .record_member_list_export(actor, ext, filter_json, rows)
        .await
    {
        return page.error(page.chrome(), e);
    }
    let bytes = match sheet.finish() {
        Ok(b) => b,
        Err(e) => return failed(&page, &e),
    };
    let content_type = match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    no_store(
        (
            [
                (header::CONTENT_TYPE, content_type.to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"anggota-{}.{ext}\"",
                        page.today().format("%Y%m%d")
                    ),
                ),
            ],
            bytes,
        )
            .into_response(),
    )
}

fn failed(page: &SignedInPage, e: &str) -> Response {
    tracing::error!(error = %e, "members export could not be written");
    page.failure(page.chrome(), StoreError::Corrupt("members export".into()))
}

fn cells(tr: &Tr<'_>, m: &Member, full_phone: bool) -> Vec<String> {
    let (name, phone, email) = match &m.personal {
        Some(p) => (
            p.full_name.clone(),
            if full_phone {
                p.phone.clone()
            } else {
                mask_phone(&p.phone)
            },
            p.email.clone().unwrap_or_default(),
        ),
        None => Default::default(),
    };
    vec![
        m.member_no.clone(),
        m.business_name.clone(),
        name,
        m.sex.as_str().to_owned(),
        phone,
        email,
        m.village_code.clone(),
        names::place(tr, &m.village_code),
        names::place(tr, &m.district_code),
        m.sector.clone(),
        names::sector(tr, &m.sector),
        m.channel.as_str().to_owned(),
        m.registered_on.to_string(),
        m.status.as_str().to_owned(),
    ]
}

/// `081234567890` → `0812*****890`: enough to tell two numbers apart on a call, not to
/// dial.
pub fn mask_phone(phone: &str) -> String {
    let n = phone.chars().count();
    if n <= 7 {
        return "*".repeat(n);
    }
    phone
        .chars()
        .enumerate()
        .map(|(i, c)| if i < 4 || i >= n - 3 { c } else { '*' })
        .collect()
}

/// The file being written: CSV rows into memory, or an XLSX sheet kept in constant memory.
enum Sheet {
    Csv(Box<csv::Writer<Vec<u8>>>),
    Xlsx {
        book: Box<rust_xlsxwriter::Workbook>,
        row: u32,
    },
}

impl Sheet {
    fn new(format: Format) -> Result<Self, String> {
        let mut s = match format {
            Format::Csv => Sheet::Csv(Box::new(csv::Writer::from_writer(Vec::new()))),
            Format::Xlsx => Sheet::Xlsx {
                book: Box::new(rust_xlsxwriter::Workbook::new()),
                row: 0,
            },
        };
        if let Sheet::Xlsx { book, .. } = &mut s {
            book.add_worksheet_with_constant_memory()
                .map_err(|e| e.to_string())?;
        }
        let header: Vec<String> = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
        s.row(&header)?;
        Ok(s)
    }

    fn row(&mut self, cells: &[String]) -> Result<(), String> {
        match self {
            Sheet::Csv(w) => w
                .write_record(
                    cells
                        .iter()
                        .map(|c| jakpreneur_core::format::csv_safe(c).into_owned()),
                )
                .map_err(|e| e.to_string()),
            Sheet::Xlsx { book, row } => {
                let sheet = book.worksheet_from_index(0).map_err(|e| e.to_string())?;
                for (col, value) in cells.iter().enumerate() {
                    let col = u16::try_from(col).map_err(|e| e.to_string())?;
                    sheet
                        .write_string(*row, col, value)
                        .map_err(|e| e.to_string())?;
                }
                *row += 1;
                Ok(())
            }
        }
    }

    fn finish(self) -> Result<Vec<u8>, String> {
        match self {
            Sheet::Csv(w) => w.into_inner().map_err(|e| e.to_string()),
            Sheet::Xlsx { mut book, .. } => book.save_to_buffer().map_err(|e| e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked() {
        assert_eq!(mask_phone("081234567890"), "0812*****890");
        assert_eq!(mask_phone("0211234"), "*******");
    }
}
