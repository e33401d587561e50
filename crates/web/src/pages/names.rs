//! Names, not codes: what a page shows for a place, a sector, an agency or a facility. The
//! code stays available in small print where an officer needs it; people read the name.

use jakpreneur_core::RegionLevel;
use jakpreneur_core::Scope;
use jakpreneur_core::programme::{JAKPRENEUR, programmes};
use jakpreneur_core::reference::reference;

use crate::i18n::{Lang, Tr};

/// A place with its kind: `Kelurahan Manggarai`, `Kecamatan Tebet`; cities and the province
/// already carry theirs (`Kota Administrasi Jakarta Selatan`). An unknown code as it is.
pub fn place(tr: &Tr<'_>, code: &str) -> String {
    let Some(r) = reference().region(code) else {
        return code.to_owned();
    };
    match r.level {
        RegionLevel::Village => tr.t("place.village").replace("{name}", &r.name),
        RegionLevel::District => tr.t("place.district").replace("{name}", &r.name),
        RegionLevel::City | RegionLevel::Province => r.name.clone(),
    }
}

/// A village with its district: `Kelurahan Manggarai, Kecamatan Tebet`.
pub fn village_in_district(tr: &Tr<'_>, code: &str) -> String {
    match reference().region(code).and_then(|r| r.parent_code.clone()) {
        Some(parent) => format!("{}, {}", place(tr, code), place(tr, &parent)),
        None => place(tr, code),
    }
}

/// The districts `scope` reaches, named with their city, for a place picker: a Gambir
/// officer gets Gambir, a South Jakarta trainer South Jakarta's ten.
pub fn districts_for(tr: &Tr<'_>, scope: &Scope) -> Vec<super::Choice> {
    let r = reference();
    r.regions_at(RegionLevel::District)
        .filter(|d| scope.overlaps(&d.code))
        .map(|d| super::Choice {
            value: d.code.clone(),
            label: match d.parent_code.as_deref() {
                Some(city) => format!("{} — {}", place(tr, &d.code), place(tr, city)),
                None => place(tr, &d.code),
            },
        })
        .collect()
}

/// The cities `scope` reaches, for a picker (a job fair's city).
pub fn cities_for(tr: &Tr<'_>, scope: &Scope) -> Vec<super::Choice> {
    reference()
        .regions_at(RegionLevel::City)
        .filter(|c| scope.overlaps(&c.code))
        .map(|c| super::Choice {
            value: c.code.clone(),
            label: place(tr, &c.code),
        })
        .collect()
}

/// A KBLI section by name, in the reader's language: `Akomodasi dan makan minum`. The
/// official Indonesian titles are in capitals; they are shown in sentence case.
pub fn sector(tr: &Tr<'_>, code: &str) -> String {
    match reference().sectors.iter().find(|s| s.code == code) {
        Some(s) if tr.lang == Lang::En => s.name_en.clone(),
        Some(s) => sentence_case(&s.name_id),
        None => code.to_owned(),
    }
}

/// An agency by name: `Dinas Pariwisata dan Ekonomi Kreatif`.
pub fn agency(tr: &Tr<'_>, code: &str) -> String {
    match programmes().agency(code) {
        Some(a) if tr.lang == Lang::En => a.name_en.clone(),
        Some(a) => a.name_id.clone(),
        None => code.to_owned(),
    }
}

/// A facility with its name: `P2 Pelatihan`.
pub fn facility(tr: &Tr<'_>, stage: &str) -> String {
    programmes()
        .stages
        .iter()
        .find(|s| s.programme == JAKPRENEUR && s.stage == stage)
        .map_or_else(
            || stage.to_owned(),
            |s| {
                let name = if tr.lang == Lang::En {
                    &s.name_en
                } else {
                    &s.name_id
                };
                format!("{stage} {name}")
            },
        )
}

/// Who did something, as people read it: an account by its username; `import:…` as the
/// data import; `cli:<login>` (a command run on the server) as the system.
pub fn actor(tr: &Tr<'_>, who: &str) -> String {
    if who.starts_with("import:") {
        return tr.t("audit.import").to_owned();
    }
    match who.strip_prefix("cli:") {
        Some(login) if !login.is_empty() && login != "cli" => {
            format!("{} · {login}", tr.t("audit.system"))
        }
        Some(_) => tr.t("audit.system").to_owned(),
        None => who.to_owned(),
    }
}

/// `PENYEDIAAN AKOMODASI DAN PENYEDIAAN MAKAN MINUM` → `Penyediaan akomodasi dan
/// penyediaan makan minum`.
pub fn sentence_case(s: &str) -> String {
    let lower = s.to_lowercase();
    let mut chars = lower.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Catalogues;

    #[test]
    fn places_sectors_and_agencies_are_named() {
        let c = Catalogues::embedded();
        let id = &c.tr(Lang::Id);
        assert_eq!(place(id, "31.74.01"), "Kecamatan Tebet");
        assert!(village_in_district(id, "31.74.01.1001").ends_with(", Kecamatan Tebet"));
        assert!(village_in_district(id, "31.74.01.1001").starts_with("Kelurahan "));
        assert_eq!(place(id, "31.74"), "Kota Administrasi Jakarta Selatan");
        assert_eq!(place(id, "99"), "99");
        assert_eq!(sector(id, "A"), "Pertanian, kehutanan dan perikanan");
        assert_eq!(
            sector(&c.tr(Lang::En), "A"),
            "Agriculture, forestry and fishing"
        );
        assert_eq!(
            agency(id, "PAREKRAF"),
            "Dinas Pariwisata dan Ekonomi Kreatif"
        );
        assert_eq!(facility(id, "P2"), "P2 Pelatihan");
        assert_eq!(facility(&c.tr(Lang::En), "P2"), "P2 Training");
    }
}
