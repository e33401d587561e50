//! `/statistik/pelatihan-kerja`: job training and placement in the open, for anyone: the
//! trainees at each stage and `placement_rate` for the province and each city, as of a
//! date, with the same disclosure control as the open API (a city below the threshold is
//! hidden, with a second one beside a lone hidden city).

use std::collections::HashMap;

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use jakpreneur_core::enrolment::PELATIHAN_KERJA;
use jakpreneur_store::{PlacementReport, StageRelease, StoreError};

use super::PageCtx;
use crate::pages::Chrome;

#[derive(Template)]
#[template(path = "statistik/placement.html")]
struct PlacementPage<'a> {
    c: Chrome<'a>,
    as_of: String,
    release: StageRelease,
    report: PlacementReport,
    min: i64,
}

impl PlacementPage<'_> {
    fn count(&self, n: &Option<i64>) -> String {
        n.map_or_else(|| format!("<{}", self.min), |n| n.to_string())
    }
    fn rate(&self, r: &Option<f64>) -> String {
        r.map_or_else(|| "–".to_owned(), |r| format!("{r:.2}%").replace('.', ","))
    }
}

pub async fn placement(page: PageCtx, Query(q): Query<HashMap<String, String>>) -> Response {
    let today = page.today();
    let min = page.app.security.shown_from();
    let shown = async {
        let as_of = match q.get("as_of").map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None => today,
            Some(s) => jakpreneur_core::text::parse_date("as_of", s)
                .and_then(|d| {
                    if d > today {
                        Err(jakpreneur_core::FieldError::new(
                            "as_of",
                            "date_in_future",
                            format!("as_of {d} is in the future"),
                        ))
                    } else {
                        Ok(d)
                    }
                })
                .map_err(|e| StoreError::Invalid(e.into()))?,
        };
        let store = &page.app.store;
        let release = store.stage_release(PELATIHAN_KERJA, as_of, None).await?;
        let report = store.placement_report(as_of, None, None, None).await?;
        let report = crate::api::enrolments::published_report(report, min);
        Ok::<_, StoreError>(PlacementPage {
            c: page.chrome(),
            as_of: as_of.to_string(),
            release,
            report,
            min,
        })
    };
    match shown.await {
        Ok(p) => page.render(StatusCode::OK, &p),
        Err(e) => page.error(page.chrome(), e),
    }
}
