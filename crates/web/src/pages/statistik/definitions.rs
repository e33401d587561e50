//! `/statistik/definisi`: every indicator of `jakpreneur_core::indicators`, the region
//! rule and the suppression rule; the figures of the other pages link to their anchors.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use jakpreneur_core::indicators::{INDICATORS, Measure};

use super::{PageCtx, in_lang, with_min};
use crate::i18n::Tr;
use crate::pages::{Chrome, render};

/// One indicator as the definitions page shows it.
pub struct IndicatorView {
    pub code: &'static str,
    pub name: &'static str,
    /// The other language's name, so either can be searched for.
    pub other_name: &'static str,
    pub measure: String,
    /// `reached_p1 … reached_p7` for an indicator per facility.
    pub codes: Option<String>,
    pub definition: String,
    pub unit: String,
    pub counts: &'static str,
}

#[derive(Template)]
#[template(path = "statistik/definisi.html")]
struct DefinitionsPage<'a> {
    c: Chrome<'a>,
    indicators: Vec<IndicatorView>,
    suppression_rule: String,
}

fn indicator_views(tr: Tr<'_>) -> Vec<IndicatorView> {
    INDICATORS
        .iter()
        .map(|i| {
            let (name, other_name) = in_lang(tr, (i.name_id, i.name_en), (i.name_en, i.name_id));
            let text = |field: &str| {
                let t = tr.t(&format!("indicator.{}.{field}", i.code));
                (!t.is_empty()).then(|| t.to_owned())
            };
            IndicatorView {
                code: i.code,
                name,
                other_name,
                measure: tr
                    .t(match i.measure {
                        Measure::AsOf => "statistik.measure_as_of",
                        Measure::Period => "statistik.measure_period",
                        Measure::Cohort => "statistik.measure_cohort",
                    })
                    .to_owned(),
                codes: i.per_facility.then(|| format!("{0}_p1 … {0}_p7", i.code)),
                definition: text("definition").unwrap_or_else(|| i.definition.to_owned()),
                unit: text("unit").unwrap_or_else(|| i.unit.to_owned()),
                counts: i.counts,
            }
        })
        .collect()
}

/// `GET /statistik/definisi`.
pub async fn definitions(req: PageCtx) -> Response {
    let c = req.chrome();
    let page = DefinitionsPage {
        indicators: indicator_views(c.tr),
        suppression_rule: with_min(c.tr, "statistik.suppression_rule", req.min()),
        c,
    };
    render(StatusCode::OK, req.lang, &page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Catalogues, Lang};

    #[test]
    fn every_indicator_is_defined_in_both_languages() {
        let c = Catalogues::embedded();
        for lang in [Lang::Id, Lang::En] {
            let tr = c.tr(lang);
            for i in &INDICATORS {
                for field in ["definition", "unit"] {
                    let key = format!("indicator.{}.{field}", i.code);
                    assert!(!tr.t(&key).is_empty(), "{key} missing in {lang:?}");
                }
            }
        }
        // The English text is the definition itself, word for word.
        let en = c.tr(Lang::En);
        for i in &INDICATORS {
            assert_eq!(
                en.t(&format!("indicator.{}.definition", i.code)),
                i.definition,
                "{}",
                i.code
            );
            assert_eq!(en.t(&format!("indicator.{}.unit", i.code)), i.unit);
        }
    }
}
