//! `/api/v1/regions`, `/api/v1/sectors`, `/api/v1/indicators` and `/api/v1/programmes`:
//! the embedded reference data.

use axum::Json;
use axum::extract::State;
use jakpreneur_core::reference::reference;
use jakpreneur_core::{RegionCode, RegionLevel, ValidationErrors};

use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::views::{
    IndicatorList, IndicatorView, NoParams, OrderRuleView, ProgrammeKindView, ProgrammeList,
    ProgrammeStageView, ProgrammeView, RegionList, RegionQuery, RegionView, SectorList, SectorView,
};

/// Jakarta's regions: 1 province, 6 cities/regency, 44 districts, 267 villages.
#[utoipa::path(
    get, path = "/api/v1/regions", tag = "reference",
    params(RegionQuery),
    responses(
        (status = 200, description = "Regions in hierarchy order", body = RegionList),
        (status = 422, description = "Unknown level or parent", body = ErrorBody),
    )
)]
pub async fn list_regions(ApiQuery(q): ApiQuery<RegionQuery>) -> ApiResult<Json<RegionList>> {
    let mut errs = ValidationErrors::default();
    let level = q
        .level
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .and_then(|l| errs.take(RegionLevel::parse("level", l)));
    let parent = q
        .parent
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .and_then(|p| errs.take(RegionCode::parse("parent", p)));
    if !errs.is_empty() {
        return Err(errs.into());
    }
    let items = reference()
        .regions
        .iter()
        .filter(|r| level.is_none_or(|l| r.level == l))
        .filter(|r| {
            parent
                .as_ref()
                .is_none_or(|p| r.parent_code.as_deref() == Some(p.as_str()))
        })
        .map(|r| RegionView {
            code: r.code.clone(),
            level: r.level.as_str().to_owned(),
            name: r.name.clone(),
            parent_code: r.parent_code.clone(),
        })
        .collect();
    Ok(Json(RegionList { items, next: None }))
}

/// KBLI 2020 sections, the `sector` of a member.
#[utoipa::path(
    get, path = "/api/v1/sectors", tag = "reference",
    responses(
        (status = 200, description = "The 21 KBLI 2020 sections", body = SectorList),
        (status = 422, description = "A query parameter was given; none is accepted", body = ErrorBody),
    )
)]
pub async fn list_sectors(ApiQuery(_none): ApiQuery<NoParams>) -> Json<SectorList> {
    let items = reference()
        .sectors
        .iter()
        .map(|s| SectorView {
            code: s.code.clone(),
            name_id: s.name_id.clone(),
            name_en: s.name_en.clone(),
        })
        .collect();
    Json(SectorList { items, next: None })
}

/// Every indicator the programme publishes: code, names, definition, unit, the records it
/// counts. The same text as docs/indicators.md.
#[utoipa::path(
    get, path = "/api/v1/indicators", tag = "reference",
    responses(
        (status = 200, description = "The indicators", body = IndicatorList),
    )
)]
pub async fn list_indicators(ApiQuery(_none): ApiQuery<NoParams>) -> Json<IndicatorList> {
    Json(IndicatorList {
        items: jakpreneur_core::indicators::INDICATORS
            .iter()
            .map(|i| IndicatorView {
                code: i.code.to_owned(),
                name_id: i.name_id.to_owned(),
                name_en: i.name_en.to_owned(),
                measure: match i.measure {
                    jakpreneur_core::indicators::Measure::AsOf => "as_of",
                    jakpreneur_core::indicators::Measure::Period => "period",
                    jakpreneur_core::indicators::Measure::Cohort => "cohort",
                }
                .to_owned(),
                per_facility: i.per_facility,
                definition: i.definition.to_owned(),
                unit: i.unit.to_owned(),
                counts: i.counts.to_owned(),
            })
            .collect(),
    })
}

/// The programmes this installation runs, as their definitions give them: code, names,
/// stages in order with the kinds of event each records (and which of them reach the
/// stage), and the order rules with the dates they took effect.
#[utoipa::path(
    get, path = "/api/v1/programmes", tag = "reference",
    responses(
        (status = 200, description = "The programmes", body = ProgrammeList),
        (status = 422, description = "A query parameter was given; none is accepted", body = ErrorBody),
    )
)]
pub async fn list_programmes(
    State(app): State<crate::AppState>,
    ApiQuery(_none): ApiQuery<NoParams>,
) -> crate::error::ApiResult<Json<ProgrammeList>> {
    // The stored definitions: the compiled-in ones and any loaded since.
    let defs = app.store.programme_definitions().await?;
    let items = defs
        .programmes
        .iter()
        .map(|p| ProgrammeView {
            code: p.code.clone(),
            name_id: p.name_id.clone(),
            name_en: p.name_en.clone(),
            stages: defs
                .stages_of(&p.code)
                .map(|s| ProgrammeStageView {
                    stage: s.stage.clone(),
                    position: s.position,
                    name_id: s.name_id.clone(),
                    name_en: s.name_en.clone(),
                    kinds: defs
                        .kinds
                        .iter()
                        .filter(|k| k.programme == p.code && k.stage == s.stage)
                        .map(|k| ProgrammeKindView {
                            kind: k.kind.clone(),
                            qualifying: k.qualifying,
                        })
                        .collect(),
                })
                .collect(),
            order_rules: defs
                .rules
                .iter()
                .filter(|r| r.programme == p.code)
                .map(|r| OrderRuleView {
                    effective_from: r.effective_from,
                    rule: r.rule.as_str().to_owned(),
                })
                .collect(),
        })
        .collect();
    Ok(Json(ProgrammeList { items, next: None }))
}
