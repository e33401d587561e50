//! The public e-catalogue on pages: `/katalog` (search and filters, the same as
//! `GET /api/v1/catalogue`), `/katalog/{id}` (one product with its photos and
//! certificate), and `/media/{name}` (the photo files). No login, no personal data.

use askama::Template;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jakpreneur_store::{CatalogueItem, StoreError, media};

use super::ctx::PageCtx;
use super::{Chrome, rupiah};
use crate::params::parse_catalogue_query;
use crate::views::CatalogueParams;

#[derive(Template)]
#[template(path = "katalog/list.html")]
struct ListPage<'a> {
    c: Chrome<'a>,
    p: CatalogueParams,
    total: i64,
    items: Vec<CatalogueItem>,
    error: Option<String>,
    prev: Option<String>,
    next: Option<String>,
    /// Every district of the province (code, "name, city"), for the filter.
    districts: Vec<(String, String)>,
}

impl ListPage<'_> {
    fn v<'s>(&self, v: &'s Option<String>) -> &'s str {
        v.as_deref().unwrap_or("")
    }
    fn rp(&self, n: &i64) -> String {
        rupiah(*n)
    }
}

fn districts() -> Vec<(String, String)> {
    use jakpreneur_core::RegionLevel;
    use jakpreneur_core::reference::reference;
    let r = reference();
    let mut all: Vec<(String, String)> = r
        .regions_at(RegionLevel::District)
        .map(|d| {
            let city = d
                .parent_code
                .as_deref()
                .and_then(|p| r.region(p))
                .map_or("", |c| c.name.as_str());
            let city = city
                .trim_start_matches("Kota Administrasi ")
                .trim_start_matches("Kabupaten Administrasi ");
            (d.code.clone(), format!("{}, {city}", d.name))
        })
        .collect();
    all.sort_by(|a, b| a.1.cmp(&b.1));
    all
}

fn page_link(q: &str, page: i64) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(q.as_bytes()) {
        if k != "page" {
            s.append_pair(&k, &v);
        }
    }
    s.append_pair("page", &page.to_string());
    format!("/katalog?{}", s.finish())
}

pub async fn list(page: PageCtx) -> Response {
    let raw = page.uri.query().unwrap_or("");
    let p: CatalogueParams = serde_urlencoded::from_str(raw).unwrap_or_default();
    let mut shown = ListPage {
        c: page.chrome(),
        p,
        total: 0,
        items: Vec::new(),
        error: None,
        prev: None,
        next: None,
        districts: districts(),
    };
    let c = match parse_catalogue_query(&shown.p) {
        Ok(c) => c,
        Err(errs) => {
            let tr = page.tr();
            shown.error = Some(
                errs.0
                    .iter()
                    .map(|e| tr.error(e.code, &e.message))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            return page.render(StatusCode::UNPROCESSABLE_ENTITY, &shown);
        }
    };
    match page.app.store.catalogue(&c, page.today()).await {
        Ok(found) => {
            let page_no = c.offset / c.limit + 1;
            shown.prev = (page_no > 1).then(|| page_link(raw, page_no - 1));
            shown.next = (c.offset + c.limit < found.total).then(|| page_link(raw, page_no + 1));
            shown.total = found.total;
            shown.items = found.items;
            page.render(StatusCode::OK, &shown)
        }
        Err(e) => page.error(page.chrome(), e),
    }
}

#[derive(Template)]
#[template(path = "katalog/show.html")]
struct ShowPage<'a> {
    c: Chrome<'a>,
    i: CatalogueItem,
    price: String,
}

pub async fn show(Path(id): Path<String>, page: PageCtx) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return page.error(page.chrome(), StoreError::NotFound);
    };
    match page.app.store.catalogue_item(id, page.today()).await {
        Ok(i) => page.render(
            StatusCode::OK,
            &ShowPage {
                c: page.chrome(),
                price: rupiah(i.price),
                i,
            },
        ),
        Err(e) => page.error(page.chrome(), e),
    }
}

/// A photo file. Names are content hashes: a file never changes, so it may be cached.
pub async fn media_file(Path(name): Path<String>, page: PageCtx) -> Response {
    let Some((_, _, ext)) = media::valid_media_name(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match page.app.store.media_file(&name).await {
        Ok(Some(bytes)) => (
            [
                (header::CONTENT_TYPE, media::content_type(ext)),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => page.failure(page.chrome(), e),
    }
}
