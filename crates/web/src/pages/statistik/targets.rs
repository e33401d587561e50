//! `/statistik/target`: every open target (not mentors') with its figure now, a
//! progress bar, the last twelve months' gain and the date it is reached at that pace.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use jakpreneur_core::RegionCode;
use jakpreneur_core::indicators::{Indicator, indicator};
use jakpreneur_core::programme::programmes;
use jakpreneur_reports::{self as reports, Audience, Suppression, TargetView};
use jakpreneur_store::Breakdown;

use super::{FacilityNames, PageCtx, in_lang, long_date, region_name, with_min};
use crate::charts::{escape, format_count, format_share};
use crate::i18n::Tr;
use crate::pages::{Chrome, render, store_failure};

/// One open target as the page shows it.
pub struct TargetCard {
    pub id: i64,
    /// The definition's anchor on `/statistik/definisi`.
    pub anchor: String,
    pub indicator: String,
    /// The code the target names (`first_reached_p7`).
    pub code: String,
    pub owner: String,
    pub value: String,
    pub period: String,
    pub source: String,
    pub current: String,
    pub counted_to: String,
    /// The deadline has passed: the figure is counted up to it.
    pub closed: bool,
    pub share: String,
    /// `None` when the figure is hidden.
    pub bar_svg: Option<String>,
    pub gain: String,
    pub projection: String,
    /// `None` when the figure is hidden.
    pub on_track: Option<bool>,
    pub hidden: bool,
}

#[derive(Template)]
#[template(path = "statistik/target.html")]
struct TargetsPage<'a> {
    c: Chrome<'a>,
    as_of: String,
    suppression_note: String,
    any_hidden: bool,
    targets: Vec<TargetCard>,
}

/// The definition a target's indicator code points to, and its name: `reached_p7` →
/// (`reached`, "Anggota yang mencapai fasilitas: P7 …").
fn target_indicator(tr: Tr<'_>, code: &str) -> (String, String) {
    let name = |i: &Indicator| in_lang(tr, i.name_id, i.name_en);
    if let Some(i) = indicator(code) {
        return (i.code.to_owned(), name(i).to_owned());
    }
    if let Some(k) = code.strip_prefix("reached_at_least_")
        && let Some(i) = indicator("reached_at_least")
    {
        return (i.code.to_owned(), format!("{} (k = {k})", name(i)));
    }
    let stages = FacilityNames::new(tr);
    for base in ["first_reached", "reached", "events"] {
        if let Some(stage) = code
            .strip_prefix(base)
            .and_then(|s| s.strip_prefix("_p"))
            .map(|s| format!("P{s}"))
            && let (Some(i), Some(stage_name)) = (indicator(base), stages.get(&stage))
        {
            return (
                i.code.to_owned(),
                format!("{}: {stage} {stage_name}", name(i)),
            );
        }
    }
    (code.to_owned(), code.to_owned())
}

/// Whom a target is for: an agency, a region, or the whole province.
fn target_owner(tr: Tr<'_>, t: &TargetView) -> String {
    if let Some(a) = &t.agency {
        return programmes().agency(a).map_or_else(
            || a.clone(),
            |a| in_lang(tr, &a.name_id, &a.name_en).clone(),
        );
    }
    match t.region.as_deref() {
        None | Some("31") => "DKI Jakarta".to_owned(),
        Some(r) => region_name(Some(r)),
    }
}

/// A progress bar as an SVG: the share of the value reached (full at 100% or more),
/// green when on track, red when not.
fn progress_bar(share: f64, on_track: bool, label: &str) -> String {
    const W: f64 = 320.0;
    const H: f64 = 14.0;
    let filled = if share.is_finite() {
        (share.clamp(0.0, 1.0) * W * 10.0).round() / 10.0
    } else {
        0.0
    };
    let colour = if on_track { "#1f7a3f" } else { "#b42318" };
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{}" class="progress-bar"><title>{}</title><rect class="progress-track" width="{W}" height="{H}" rx="3" fill="#e4e7eb"/><rect class="progress-done" width="{filled}" height="{H}" rx="3" fill="{colour}"/></svg>"##,
        escape(label),
        escape(label),
    )
}
fn target_card(tr: Tr<'_>, min: i64, t: &TargetView, today: NaiveDate) -> TargetCard {
    let region = t
        .region
        .as_deref()
        .and_then(|r| RegionCode::parse("region", r).ok());
    // An agency's figure is one group of the breakdown by agency.
    let by = t.agency.as_ref().map(|_| Breakdown::Agency);
    let rule = Suppression::new(min, region.as_ref(), by);
    let shown = |n: i64| {
        if by.is_some() {
            rule.group(n)
        } else {
            rule.total(n)
        }
    };
    let (current, gain) = (shown(t.current), shown(t.last_12_months));
    let hidden = current.is_none() || gain.is_none();
    let (anchor, indicator) = target_indicator(tr, &t.indicator);
    let deadline = long_date(tr, t.deadline);
    let period = match t.from {
        Some(f) => format!("{} – {deadline}", long_date(tr, f)),
        None => format!("{} {deadline}", tr.t("statistik.target_by")),
    };
    let share = format_share(t.share);
    let projection = if hidden {
        rule.label()
    } else if t.reached {
        tr.t("statistik.target_reached").to_owned()
    } else {
        t.projected_on.map_or_else(
            || tr.t("statistik.target_never").to_owned(),
            |d| long_date(tr, d),
        )
    };
    TargetCard {
        id: t.id,
        anchor,
        indicator,
        code: t.indicator.clone(),
        owner: target_owner(tr, t),
        value: format_count(t.value),
        period,
        source: t.source.clone(),
        current: rule.text(current),
        counted_to: long_date(tr, t.counted_to),
        closed: t.deadline < today,
        bar_svg: (!hidden).then(|| {
            progress_bar(
                t.share,
                t.on_track,
                &tr.t("statistik.target_bar_label")
                    .replace("{share}", &share)
                    .replace("{value}", &format_count(t.value)),
            )
        }),
        share: if hidden { rule.label() } else { share },
        gain: rule.text(gain),
        projection,
        on_track: (!hidden).then_some(t.on_track),
        hidden,
    }
}

/// `GET /statistik/target`.
pub async fn targets(req: PageCtx) -> Response {
    let (c, min) = (req.chrome(), req.min());
    let tr = c.tr;
    let today = req.app.clock.today();
    let report = match reports::target_report(&req.app.store, Audience::Public, today).await {
        Ok(r) => r,
        Err(e) => return store_failure(req.lang, c, e),
    };
    let targets: Vec<TargetCard> = report
        .items
        .iter()
        .map(|t| target_card(tr, min, t, today))
        .collect();
    let page = TargetsPage {
        c,
        as_of: long_date(tr, report.as_of),
        suppression_note: with_min(tr, "statistik.suppression_note", min),
        any_hidden: targets.iter().any(|t| t.hidden),
        targets,
    };
    render(StatusCode::OK, req.lang, &page)
}
