//! The reports' parameters, parsed from what a query string or the command line gives,
//! each error naming its field.

use chrono::NaiveDate;
use jakpreneur_core::text::{given, parse_date};
use jakpreneur_core::{FieldError, RegionCode, RegionLevel, ValidationErrors};
use jakpreneur_store::Breakdown;

/// `region`: a known region code at any level.
pub fn parse_region(errs: &mut ValidationErrors, raw: Option<&str>) -> Option<RegionCode> {
    given(raw).and_then(|r| errs.take(RegionCode::parse("region", r)))
}

/// A date field, or `default` when absent (required without one).
pub fn parse_day(
    errs: &mut ValidationErrors,
    field: &'static str,
    raw: Option<&str>,
    default: Option<NaiveDate>,
) -> Option<NaiveDate> {
    match given(raw) {
        Some(d) => errs.take(parse_date(field, d)),
        None if default.is_some() => default,
        None => {
            errs.push(FieldError::required(field));
            None
        }
    }
}

/// `group_by`: `city`, `district`, `village` (a level below the region's own), `agency`,
/// `sector` or `year`.
pub fn parse_group_by(
    errs: &mut ValidationErrors,
    raw: Option<&str>,
    region: Option<&RegionCode>,
) -> Option<Breakdown> {
    let raw = given(raw)?;
    let Some(by) = Breakdown::parse(raw) else {
        errs.push(FieldError::new(
            "group_by",
            "group_by_invalid",
            "group_by must be city, district, village, agency, sector or year",
        ));
        return None;
    };
    if !matches!(by, Breakdown::Region(_))
        && region.is_some_and(|r| r.level() == RegionLevel::Village)
    {
        errs.push(FieldError::new(
            "group_by",
            "group_by_too_fine",
            "breakdowns by agency, sector or year go down to districts, not villages",
        ));
        return None;
    }
    if let Breakdown::Region(level) = by {
        let own = region.map_or(RegionLevel::Province, RegionCode::level);
        if level <= own {
            errs.push(FieldError::new(
                "group_by",
                "group_by_level",
                format!(
                    "group_by must be a level below the region's ({})",
                    own.as_str()
                ),
            ));
            return None;
        }
    }
    Some(by)
}

/// A period's bounds, `to` not before `from`.
pub fn parse_period(
    errs: &mut ValidationErrors,
    from: Option<&str>,
    to: Option<&str>,
) -> Option<(NaiveDate, NaiveDate)> {
    let from = parse_day(errs, "from", from, None);
    let to = parse_day(errs, "to", to, None);
    let (from, to) = (from?, to?);
    if to < from {
        errs.push(FieldError::new(
            "to",
            "date_range",
            "to must not be before from",
        ));
        return None;
    }
    Some((from, to))
}

/// `YYYY-MM` → the month's first day.
pub fn parse_month(
    errs: &mut ValidationErrors,
    field: &'static str,
    raw: Option<&str>,
    default: NaiveDate,
) -> Option<NaiveDate> {
    let Some(raw) = given(raw) else {
        return Some(default);
    };
    match NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d") {
        Ok(d) if raw.len() == 7 => Some(d),
        _ => {
            errs.push(FieldError::new(
                field,
                "month_invalid",
                format!("{field} must be a month written YYYY-MM"),
            ));
            None
        }
    }
}
