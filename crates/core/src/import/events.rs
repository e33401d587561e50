//! Services (the ledger's events) from a spreadsheet: which header names mean which field,
//! and each row made into the service the API takes (checked by [`NewEvent::parse`]). The
//! member is named by its member number or, where an office has only that, its NIK. A
//! header row of the API's own field names is always accepted.

use chrono::NaiveDate;

use super::{Cell, Columns, Row, Table, TableError, nik_cell, normalise_date};
use crate::programme::{EventDraft, NewEvent};
use crate::{FieldError, Nik, ValidationErrors};

/// The fields, each with the other header names offices use for it (compared by
/// [`super::header_key`]).
pub const COLUMNS: &[(&str, &[&str])] = &[
    (
        "member_no",
        &[
            "nomor_anggota",
            "no_anggota",
            "nomor_jakpreneur",
            "no_jakpreneur",
            "member_number",
        ],
    ),
    ("nik", &["no_ktp", "nomor_ktp", "nomor_induk_kependudukan"]),
    ("facility", &["fasilitas", "tahap", "pintu"]),
    (
        "kind",
        &["jenis", "jenis_layanan", "jenis_kegiatan", "layanan"],
    ),
    (
        "occurred_on",
        &[
            "tanggal",
            "tanggal_kegiatan",
            "tgl_kegiatan",
            "tanggal_layanan",
            "date",
        ],
    ),
    (
        "agency",
        &["agency_code", "instansi", "kode_instansi", "dinas", "opd"],
    ),
    (
        "place_code",
        &["kode_kecamatan", "kode_tempat", "tempat_kecamatan"],
    ),
    (
        "reference",
        &[
            "referensi",
            "nomor_referensi",
            "nomor_sertifikat",
            "nomor_izin",
            "no_izin",
        ],
    ),
    ("note", &["catatan", "keterangan"]),
];

/// Who a row is for: a member number, or a NIK to look the number up by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberRef {
    MemberNo(String),
    Nik(Nik),
}

/// Where each field is in a services table; refused without the member's column, the
/// kind or the date.
pub fn event_columns(table: &Table) -> Result<Columns, TableError> {
    let cols = Columns::of(table, COLUMNS)?;
    if cols.at("member_no").is_none() && cols.at("nik").is_none() {
        return Err(TableError::MissingColumn("member_no (or nik)".to_owned()));
    }
    for field in ["kind", "occurred_on"] {
        if cols.at(field).is_none() {
            return Err(TableError::MissingColumn(field.to_owned()));
        }
    }
    Ok(cols)
}

/// One row made into a checked service and the member it is for, or every reason it is
/// refused.
pub fn event_of(
    columns: &Columns,
    row: &Row,
    today: NaiveDate,
) -> Result<(MemberRef, NewEvent), ValidationErrors> {
    let mut errs: Vec<FieldError> = Vec::new();
    let text = |field: &str| {
        columns
            .cell(row, field)
            .map(Cell::text)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let member = match (text("member_no"), columns.cell(row, "nik")) {
        (Some(no), _) => Some(MemberRef::MemberNo(no.to_uppercase())),
        (None, Some(cell)) if !cell.is_empty() => match nik_cell(cell) {
            Ok(s) => match Nik::parse(&s) {
                Ok(nik) => Some(MemberRef::Nik(nik)),
                Err(e) => {
                    errs.push(e);
                    None
                }
            },
            Err(e) => {
                errs.push(e);
                None
            }
        },
        _ => {
            errs.push(FieldError::new(
                "member_no",
                "required",
                "each row needs the member number (or the member's NIK)",
            ));
            None
        }
    };
    let occurred_on = columns.cell(row, "occurred_on").and_then(|c| match c {
        Cell::Date(d) => Some(d.to_string()),
        other => Some(normalise_date(&other.text())).filter(|s| !s.is_empty()),
    });
    let draft = EventDraft {
        facility: text("facility").map(|s| s.to_uppercase()),
        kind: text("kind").map(|s| s.to_lowercase()),
        occurred_on,
        place_code: text("place_code"),
        agency: text("agency"),
        reference: text("reference"),
        note: text("note"),
    };
    match (NewEvent::parse(&draft, today), member) {
        (Ok(e), Some(m)) if errs.is_empty() => Ok((m, e)),
        (Ok(_), _) => Err(ValidationErrors(errs)),
        (Err(ValidationErrors(more)), _) => {
            errs.extend(more);
            Err(ValidationErrors(errs))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::read_csv;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
    }

    #[test]
    fn api_names_and_indonesian_names_map_alike() {
        for header in [
            "member_no,kind,occurred_on,agency,place_code,reference",
            "Nomor Anggota;Jenis Layanan;Tanggal Kegiatan;Instansi;Kode Kecamatan;Nomor Izin",
        ] {
            let sep = if header.contains(';') { ';' } else { ',' };
            let line = [
                "jp-3171-0000001",
                "Training_Completed",
                "26/06/2021",
                "",
                "",
                "",
            ]
            .join(&sep.to_string());
            let t = read_csv(format!("{header}\n{line}\n").as_bytes()).unwrap();
            let cols = event_columns(&t).unwrap();
            let (m, e) = event_of(&cols, &t.rows[0], today()).unwrap();
            assert_eq!(m, MemberRef::MemberNo("JP-3171-0000001".into()));
            assert_eq!(e.kind, "training_completed");
            assert_eq!(e.stage, "P2");
            assert_eq!(e.occurred_on, NaiveDate::from_ymd_opt(2021, 6, 26).unwrap());
        }
    }

    #[test]
    fn a_file_without_member_or_kind_is_refused_whole() {
        let t = read_csv(b"kind,occurred_on\ntraining,2021-06-26\n").unwrap();
        assert_eq!(
            event_columns(&t).unwrap_err(),
            TableError::MissingColumn("member_no (or nik)".into())
        );
        let t = read_csv(b"member_no,occurred_on\nJP-3171-0000001,2021-06-26\n").unwrap();
        assert_eq!(
            event_columns(&t).unwrap_err(),
            TableError::MissingColumn("kind".into())
        );
    }

    #[test]
    fn rows_name_every_reason() {
        let t = read_csv(
            b"nik,kind,occurred_on\n3.17101E+15,training,2021-06-26\n,dancing,26/13/2021\n",
        )
        .unwrap();
        let cols = event_columns(&t).unwrap();
        let e = event_of(&cols, &t.rows[0], today()).unwrap_err();
        assert_eq!(e.0[0].code, "nik_mangled_by_spreadsheet");
        let e = event_of(&cols, &t.rows[1], today()).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field).collect();
        assert!(fields.contains(&"member_no"), "{fields:?}");
        assert!(fields.contains(&"kind"), "{fields:?}");
        assert!(fields.contains(&"occurred_on"), "{fields:?}");
    }
}
