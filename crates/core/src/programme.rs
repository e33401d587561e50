//! Programmes as data: stages (the facilities P1–P7), event kinds and which of them
//! qualify, order rules with effective dates, and the agencies that deliver services.
//! Embedded from `crates/core/data/programmes/`; the store copies them into tables.
//! [`NewEvent::parse`] checks a recorded service against them.

use std::sync::LazyLock;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::text::{parse_date, parse_reference};
use crate::{FieldError, RegionCode, RegionLevel, ValidationErrors};

pub const PROGRAMMES_CSV: &str = include_str!("../data/programmes/programmes.csv");
pub const STAGES_CSV: &str = include_str!("../data/programmes/stages.csv");
pub const KINDS_CSV: &str = include_str!("../data/programmes/kinds.csv");
pub const RULES_CSV: &str = include_str!("../data/programmes/rules.csv");
pub const AGENCIES_CSV: &str = include_str!("../data/programmes/agencies.csv");

/// The programme every member belongs to today.
pub const JAKPRENEUR: &str = "jakpreneur";
/// The kind registration writes (stage P1).
pub const REGISTERED: &str = "registered";
/// The agency an event is credited to when the recorder has none (the SME department).
pub const DEFAULT_AGENCY: &str = "PPKUKM";

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ProgrammeRow {
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    /// The prefix of its membership numbers (`JP`, `PK`).
    pub number_prefix: String,
    /// The agency its services are credited to when the recorder names none.
    pub lead_agency: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Stage {
    pub programme: String,
    pub stage: String,
    pub position: u8,
    pub name_id: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Kind {
    pub programme: String,
    pub kind: String,
    pub stage: String,
    pub qualifying: bool,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OrderRule {
    /// Each stage needs the one before it reached on or before the event date.
    Sequential,
    /// Any stage once the member is registered (P1).
    Free,
}

impl OrderRule {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderRule::Sequential => "sequential",
            OrderRule::Free => "free",
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Rule {
    pub programme: String,
    pub effective_from: NaiveDate,
    pub rule: OrderRule,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Agency {
    pub code: String,
    pub name_id: String,
    pub name_en: String,
}

/// Every programme definition, parsed once.
#[derive(Debug)]
pub struct Programmes {
    pub programmes: Vec<ProgrammeRow>,
    pub stages: Vec<Stage>,
    pub kinds: Vec<Kind>,
    pub rules: Vec<Rule>,
    pub agencies: Vec<Agency>,
}

pub(crate) fn parse_csv<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Vec<T> {
    // The files are compiled in and checked by tests; a broken one is a build defect.
    read_csv(name, text).unwrap_or_else(|e| panic!("embedded programme file {e}"))
}

fn read_csv<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Result<Vec<T>, String> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .map_err(|e| format!("{name} is malformed: {e}"))
}

static PROGRAMMES: LazyLock<Programmes> = LazyLock::new(|| {
    let mut rules: Vec<Rule> = parse_csv("rules.csv", RULES_CSV);
    rules.sort_by(|a, b| (&a.programme, a.effective_from).cmp(&(&b.programme, b.effective_from)));
    Programmes {
        programmes: parse_csv("programmes.csv", PROGRAMMES_CSV),
        stages: parse_csv("stages.csv", STAGES_CSV),
        kinds: parse_csv("kinds.csv", KINDS_CSV),
        rules,
        agencies: parse_csv("agencies.csv", AGENCIES_CSV),
    }
});

pub fn programmes() -> &'static Programmes {
    &PROGRAMMES
}

/// A programme definition's files, as text: the same four CSV files (and headers) as the
/// embedded ones in `crates/core/data/programmes/`.
#[derive(Debug, Clone, Default)]
pub struct DefinitionFiles {
    pub programmes: String,
    pub stages: String,
    pub kinds: String,
    pub rules: String,
}

/// The codes a programme may have: lower-case letters, digits and `_`, 3–40 long.
fn code_ok(code: &str) -> bool {
    (3..=40).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Programmes {
    /// Parses and checks a definition that is not compiled in (a programme a province
    /// adds): every row names a programme of the file; each programme has stages at
    /// positions 1, 2, … with `registered` the qualifying kind of the first, a qualifying
    /// kind for every stage, and at least one order rule; prefixes are 2–4 capitals. The
    /// error says which file and row is wrong.
    pub fn from_files(f: &DefinitionFiles) -> Result<Programmes, String> {
        let mut rules: Vec<Rule> = read_csv("rules.csv", &f.rules)?;
        rules.sort_by(|a, b| {
            (&a.programme, a.effective_from).cmp(&(&b.programme, b.effective_from))
        });
        let p = Programmes {
            programmes: read_csv("programmes.csv", &f.programmes)?,
            stages: read_csv("stages.csv", &f.stages)?,
            kinds: read_csv("kinds.csv", &f.kinds)?,
            rules,
            agencies: programmes().agencies.clone(),
        };
        p.check()?;
        Ok(p)
    }

    fn check(&self) -> Result<(), String> {
        if self.programmes.is_empty() {
            return Err("programmes.csv names no programme".into());
        }
        let known = |code: &str, file: &str| {
            if self.programmes.iter().any(|g| g.code == code) {
                Ok(())
            } else {
                Err(format!(
                    "{file} names programme {code:?}, which programmes.csv does not define"
                ))
            }
        };
        for g in &self.programmes {
            if !code_ok(&g.code) {
                return Err(format!(
                    "programmes.csv: code {:?} must be 3-40 lower-case letters, digits or _, starting with a letter",
                    g.code
                ));
            }
            let prefix_ok = (2..=4).contains(&g.number_prefix.len())
                && g.number_prefix.chars().all(|c| c.is_ascii_uppercase());
            if !prefix_ok {
                return Err(format!(
                    "programmes.csv: {}'s number_prefix {:?} must be 2-4 capital letters",
                    g.code, g.number_prefix
                ));
            }
            if self.agency(&g.lead_agency).is_none() {
                return Err(format!(
                    "programmes.csv: {}'s lead_agency {:?} is not an agency",
                    g.code, g.lead_agency
                ));
            }
            if g.name_id.trim().is_empty() || g.name_en.trim().is_empty() {
                return Err(format!(
                    "programmes.csv: {} needs name_id and name_en",
                    g.code
                ));
            }
            let mut positions: Vec<u8> = self.stages_of(&g.code).map(|s| s.position).collect();
            positions.sort_unstable();
            if positions.is_empty()
                || positions
                    .iter()
                    .enumerate()
                    .any(|(i, p)| usize::from(*p) != i + 1)
            {
                return Err(format!(
                    "stages.csv: {}'s stages must have positions 1, 2, 3, … without gaps; they have {positions:?}",
                    g.code
                ));
            }
            for s in self.stages_of(&g.code) {
                if !self
                    .kinds
                    .iter()
                    .any(|k| k.programme == g.code && k.stage == s.stage && k.qualifying)
                {
                    return Err(format!(
                        "kinds.csv: stage {} of {} has no qualifying kind",
                        s.stage, g.code
                    ));
                }
            }
            let first = self
                .first_stage(&g.code)
                .map(|s| s.stage.clone())
                .unwrap_or_default();
            match self.kind(&g.code, REGISTERED) {
                Some(k) if k.stage == first && k.qualifying => {}
                _ => {
                    return Err(format!(
                        "kinds.csv: {} needs the kind `registered`, qualifying, at its first stage {first}",
                        g.code
                    ));
                }
            }
            if !self.rules.iter().any(|r| r.programme == g.code) {
                return Err(format!("rules.csv: {} has no order rule", g.code));
            }
        }
        for s in &self.stages {
            known(&s.programme, "stages.csv")?;
        }
        for k in &self.kinds {
            known(&k.programme, "kinds.csv")?;
            if self.stage(&k.programme, &k.stage).is_none() {
                return Err(format!(
                    "kinds.csv: kind {} names stage {}, which {} does not have",
                    k.kind, k.stage, k.programme
                ));
            }
            if k.kind == "void" {
                return Err("kinds.csv: `void` is reserved for corrections".into());
            }
        }
        for r in &self.rules {
            known(&r.programme, "rules.csv")?;
        }
        Ok(())
    }
}

/// The programme a request names (`programme=CODE`), default [`JAKPRENEUR`]: one of the
/// definitions, matched without regard to case or surrounding spaces.
pub fn parse_programme(field: &'static str, raw: Option<&str>) -> Result<String, FieldError> {
    let known: Vec<&str> = programmes()
        .programmes
        .iter()
        .map(|p| p.code.as_str())
        .collect();
    parse_programme_in(field, raw, &known)
}

/// [`parse_programme`] against the programmes an installation has (the compiled-in ones
/// and any it loaded since).
pub fn parse_programme_in(
    field: &'static str,
    raw: Option<&str>,
    codes: &[&str],
) -> Result<String, FieldError> {
    let Some(code) = crate::text::given(raw) else {
        return Ok(JAKPRENEUR.to_owned());
    };
    let code = code.to_lowercase();
    if codes.contains(&code.as_str()) {
        return Ok(code);
    }
    Err(FieldError::new(
        field,
        "programme_unknown",
        format!(
            "no programme has the code {code:?}; the programmes are {} (GET /api/v1/programmes)",
            codes.join(", ")
        ),
    ))
}

impl Programmes {
    pub fn kind(&self, programme: &str, kind: &str) -> Option<&Kind> {
        self.kinds
            .iter()
            .find(|k| k.programme == programme && k.kind == kind)
    }

    pub fn stages_of<'a>(&'a self, programme: &str) -> impl Iterator<Item = &'a Stage> + 'a {
        let programme = programme.to_owned();
        self.stages.iter().filter(move |s| s.programme == programme)
    }

    pub fn stage(&self, programme: &str, stage: &str) -> Option<&Stage> {
        self.stages_of(programme).find(|s| s.stage == stage)
    }

    /// The stage before `stage` in its programme's order.
    pub fn previous_stage(&self, programme: &str, stage: &str) -> Option<&Stage> {
        let pos = self.stage(programme, stage)?.position;
        self.stages_of(programme).find(|s| s.position + 1 == pos)
    }

    pub fn first_stage(&self, programme: &str) -> Option<&Stage> {
        self.stages_of(programme).min_by_key(|s| s.position)
    }

    /// The order rule in force on `date` (the latest that took effect on or before it).
    pub fn rule_on(&self, programme: &str, date: NaiveDate) -> OrderRule {
        self.rules
            .iter()
            .rfind(|r| r.programme == programme && r.effective_from <= date)
            .map_or(OrderRule::Sequential, |r| r.rule)
    }

    pub fn agency(&self, code: &str) -> Option<&Agency> {
        self.agencies.iter().find(|a| a.code == code)
    }

    /// Checks that a service at `stage` on `on` keeps the rule in force that day.
    /// `reached(stage)` is the date the member first reached a stage, if it has. The error
    /// names the missing stage (`facility_order`).
    pub fn check_order(
        &self,
        programme: &str,
        stage: &str,
        on: NaiveDate,
        reached: impl Fn(&str) -> Option<NaiveDate>,
    ) -> Result<(), FieldError> {
        let Some(first) = self.first_stage(programme) else {
            return Ok(());
        };
        if stage == first.stage {
            return Ok(());
        }
        let needed = match self.rule_on(programme, on) {
            OrderRule::Sequential => self.previous_stage(programme, stage).unwrap_or(first),
            OrderRule::Free => first,
        };
        match reached(&needed.stage) {
            Some(d) if d <= on => Ok(()),
            _ => Err(FieldError::new(
                "facility",
                "facility_order",
                format!(
                    "{stage} on {on} needs {} reached first ({} rule in force on that date)",
                    needed.stage,
                    self.rule_on(programme, on).as_str()
                ),
            )
            .with_facility(needed.stage.clone())),
        }
    }
}

/// A service as typed or sent: every value a string, checked by [`NewEvent::parse`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventDraft {
    /// `P1`…`P7`; optional when the kind implies it, refused when it disagrees.
    pub facility: Option<String>,
    pub kind: Option<String>,
    pub occurred_on: Option<String>,
    /// The district (kecamatan) centre where it happened, `31.71.01`.
    pub place_code: Option<String>,
    /// Defaults to the recording user's agency.
    pub agency: Option<String>,
    /// Certificate, permit or loan number.
    pub reference: Option<String>,
    pub note: Option<String>,
}

/// A service known to be well-formed for its programme. The member-specific checks (not
/// before registration, the order rule) need the member's history and run in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub programme: String,
    pub stage: String,
    pub kind: String,
    pub qualifying: bool,
    pub occurred_on: NaiveDate,
    pub place_code: Option<String>,
    pub agency: Option<String>,
    pub reference: Option<String>,
    pub note: Option<String>,
}

impl NewEvent {
    /// A Jakpreneur service.
    pub fn parse(d: &EventDraft, today: NaiveDate) -> Result<Self, ValidationErrors> {
        Self::parse_in(programmes(), JAKPRENEUR, d, today)
    }

    /// A service of `programme`, checked against the definitions `p` (the stored ones for
    /// a programme added after the build).
    pub fn parse_in(
        p: &Programmes,
        programme: &str,
        d: &EventDraft,
        today: NaiveDate,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        fn given(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        let kind = match given(&d.kind) {
            None => {
                errs.push(FieldError::required("kind"));
                None
            }
            Some(k) => match p.kind(programme, k) {
                Some(kind) if kind.kind == REGISTERED => {
                    errs.push(FieldError::new(
                        "kind",
                        "kind_reserved",
                        "registered is written by registration itself",
                    ));
                    None
                }
                Some(kind) => Some(kind),
                None => {
                    errs.push(FieldError::new(
                        "kind",
                        "kind_unknown",
                        format!("kind {k:?} is not a service of the programme"),
                    ));
                    None
                }
            },
        };
        if let Some(f) = given(&d.facility) {
            match (p.stage(programme, f), kind) {
                (None, _) => {
                    let stages: Vec<&str> =
                        p.stages_of(programme).map(|s| s.stage.as_str()).collect();
                    let message = match stages.as_slice() {
                        [first, .., last] if programme == JAKPRENEUR => {
                            format!("facility must be {first} to {last}")
                        }
                        _ => format!("facility must be one of {}", stages.join(", ")),
                    };
                    errs.push(FieldError::new("facility", "facility_unknown", message))
                }
                (Some(s), Some(k)) if s.stage != k.stage => errs.push(FieldError::new(
                    "facility",
                    "facility_kind_mismatch",
                    format!("{} belongs to {}, not {}", k.kind, k.stage, s.stage),
                )),
                _ => {}
            }
        }
        let occurred_on = match given(&d.occurred_on) {
            None => {
                errs.push(FieldError::required("occurred_on"));
                None
            }
            Some(s) => errs.take(parse_date("occurred_on", s).and_then(|day| {
                if day > today {
                    Err(FieldError::new(
                        "occurred_on",
                        "date_in_future",
                        format!("occurred_on {day} is in the future"),
                    ))
                } else {
                    Ok(day)
                }
            })),
        };
        let place_code = given(&d.place_code).and_then(|c| {
            errs.take(RegionCode::parse("place_code", c).and_then(|r| {
                if r.level() == RegionLevel::District {
                    Ok(r.as_str().to_owned())
                } else {
                    Err(FieldError::new(
                        "place_code",
                        "region_level",
                        "place_code must be a district (kecamatan) code such as 31.71.01",
                    ))
                }
            }))
        });
        let agency = given(&d.agency).and_then(|a| {
            let code = a.to_uppercase();
            match p.agency(&code) {
                Some(_) => Some(code),
                None => {
                    errs.push(FieldError::new(
                        "agency",
                        "agency_unknown",
                        format!("agency {a:?} is not one of the programme's agencies"),
                    ));
                    None
                }
            }
        });
        let reference =
            given(&d.reference).and_then(|r| errs.take(parse_reference("reference", r, 100)));
        let note = given(&d.note).and_then(|n| errs.take(parse_reference("note", n, 1000)));
        match (kind, occurred_on, errs.is_empty()) {
            (Some(k), Some(on), true) => Ok(NewEvent {
                programme: programme.into(),
                stage: k.stage.clone(),
                kind: k.kind.clone(),
                qualifying: k.qualifying,
                occurred_on: on,
                place_code,
                agency,
                reference,
                note,
            }),
            _ => Err(errs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn definitions_are_complete() {
        let p = programmes();
        assert_eq!(p.stages_of(JAKPRENEUR).count(), 7);
        for k in &p.kinds {
            assert!(p.stage(&k.programme, &k.stage).is_some(), "{k:?}");
        }
        for s in p.stages_of(JAKPRENEUR) {
            assert!(
                p.kinds.iter().any(|k| k.stage == s.stage && k.qualifying),
                "{} has a qualifying kind",
                s.stage
            );
        }
        assert!(p.agency(DEFAULT_AGENCY).is_some());
    }

    #[test]
    fn the_built_in_definitions_pass_the_checks_a_loaded_one_gets() {
        let files = DefinitionFiles {
            programmes: PROGRAMMES_CSV.into(),
            stages: STAGES_CSV.into(),
            kinds: KINDS_CSV.into(),
            rules: RULES_CSV.into(),
        };
        let p = Programmes::from_files(&files).unwrap();
        let codes: Vec<&str> = p.programmes.iter().map(|g| g.code.as_str()).collect();
        assert_eq!(codes, [JAKPRENEUR, "pelatihan_kerja"]);
        let stages: Vec<&str> = p
            .stages_of("pelatihan_kerja")
            .map(|s| s.stage.as_str())
            .collect();
        assert_eq!(stages, ["K1", "K2", "K3", "K4"]);
        let placement = |on| {
            p.check_order("pelatihan_kerja", "K4", d(on), |s: &str| {
                (s == "K2").then(|| d("2025-01-01"))
            })
        };
        assert_eq!(
            placement("2025-02-01").unwrap_err().facility.as_deref(),
            Some("K3")
        );
        let mut gap = files.clone();
        gap.stages = STAGES_CSV.replace("pelatihan_kerja,K3,3,", "pelatihan_kerja,K3,5,");
        assert!(
            Programmes::from_files(&gap)
                .unwrap_err()
                .contains("without gaps")
        );
    }

    #[test]
    fn rules_change_on_2020_01_01() {
        let p = programmes();
        assert_eq!(
            p.rule_on(JAKPRENEUR, d("2019-12-31")),
            OrderRule::Sequential
        );
        assert_eq!(p.rule_on(JAKPRENEUR, d("2020-01-01")), OrderRule::Free);
        let reached = |s: &str| (s == "P1").then(|| d("2018-01-01"));
        let e = p
            .check_order(JAKPRENEUR, "P3", d("2019-06-01"), reached)
            .unwrap_err();
        assert_eq!(e.code, "facility_order");
        assert!(e.message.contains("needs P2"), "{}", e.message);
        assert_eq!(e.facility.as_deref(), Some("P2"));
        assert!(
            p.check_order(JAKPRENEUR, "P3", d("2020-06-01"), reached)
                .is_ok()
        );
        let not_yet = |s: &str| (s == "P1").then(|| d("2021-01-01"));
        assert!(
            p.check_order(JAKPRENEUR, "P7", d("2020-06-01"), not_yet)
                .is_err()
        );
    }

    #[test]
    fn parse_checks_every_field() {
        let today = d("2026-11-23");
        let ok = EventDraft {
            facility: Some("P2".into()),
            kind: Some("training_completed".into()),
            occurred_on: Some("2021-05-01".into()),
            place_code: Some("31.71.01".into()),
            agency: Some("ppkukm".into()),
            reference: Some("2021001".into()),
            note: None,
        };
        let e = NewEvent::parse(&ok, today).unwrap();
        assert!(e.qualifying);
        assert_eq!(e.agency.as_deref(), Some("PPKUKM"));
        let bad = EventDraft {
            facility: Some("P3".into()),
            kind: Some("training_completed".into()),
            occurred_on: Some("2026-11-24".into()),
            place_code: Some("31.71".into()),
            agency: Some("DINAS".into()),
            ..EventDraft::default()
        };
        let codes: Vec<&str> = NewEvent::parse(&bad, today)
            .unwrap_err()
            .0
            .iter()
            .map(|e| e.code)
            .collect();
        assert_eq!(
            codes,
            [
                "facility_kind_mismatch",
                "date_in_future",
                "region_level",
                "agency_unknown"
            ]
        );
        let reserved = EventDraft {
            kind: Some("registered".into()),
            occurred_on: Some("2021-05-01".into()),
            ..EventDraft::default()
        };
        assert_eq!(
            NewEvent::parse(&reserved, today).unwrap_err().0[0].code,
            "kind_reserved"
        );
    }
}
