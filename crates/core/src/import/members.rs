//! Members from a spreadsheet: which header names mean which field, and each row made into
//! the registration draft the API takes (then checked by [`NewMember::parse_registration`]).
//! A header row of the API's own field names is always accepted.

use chrono::NaiveDate;

use super::{Cell, Columns, Row, Table, TableError, nik_cell, normalise_date};
use crate::member::{MemberDraft, NewMember};
use crate::{FieldError, ValidationErrors};

/// The fields, each with the other header names offices use for it (compared by
/// [`super::header_key`]).
pub const COLUMNS: &[(&str, &[&str])] = &[
    ("nik", &["no_ktp", "nomor_ktp", "nomor_induk_kependudukan"]),
    (
        "full_name",
        &["nama", "nama_lengkap", "nama_pemilik", "name"],
    ),
    (
        "birth_date",
        &["tanggal_lahir", "tgl_lahir", "date_of_birth"],
    ),
    ("sex", &["jenis_kelamin", "jk", "gender"]),
    (
        "phone",
        &[
            "telepon",
            "no_hp",
            "nomor_hp",
            "no_telepon",
            "nomor_telepon",
            "hp",
            "telp",
        ],
    ),
    ("email", &["surel", "e_mail", "alamat_email"]),
    ("address", &["alamat", "alamat_usaha"]),
    (
        "village_code",
        &["kode_kelurahan", "kode_desa", "kelurahan_kode"],
    ),
    ("business_name", &["nama_usaha", "usaha"]),
    ("sector", &["sektor", "kbli", "kategori_kbli"]),
    ("channel", &["kanal", "jalur", "jalur_pendaftaran"]),
    (
        "registered_on",
        &[
            "tanggal_daftar",
            "tgl_daftar",
            "tanggal_registrasi",
            "tanggal_pendaftaran",
        ],
    ),
    ("consent", &["persetujuan", "setuju"]),
];

/// The columns a members file must have (the rest may be left out: their cells are then
/// empty and the rules say whether that is allowed).
const REQUIRED: &[&str] = &["nik", "full_name", "village_code", "business_name"];

/// Where each field is in a members table; refused when a required column is missing.
pub fn member_columns(table: &Table) -> Result<Columns, TableError> {
    let cols = Columns::of(table, COLUMNS)?;
    for field in REQUIRED {
        if cols.at(field).is_none() {
            return Err(TableError::MissingColumn((*field).to_owned()));
        }
    }
    Ok(cols)
}

/// One row made into a checked registration, or every reason it is refused.
pub fn member_of(
    columns: &Columns,
    row: &Row,
    today: NaiveDate,
) -> Result<NewMember, ValidationErrors> {
    let mut pre: Vec<FieldError> = Vec::new();
    let text = |field: &str| {
        columns
            .cell(row, field)
            .map(Cell::text)
            .filter(|s| !s.is_empty())
    };
    let nik = match columns.cell(row, "nik").map(nik_cell) {
        Some(Ok(s)) if !s.is_empty() => Some(s),
        Some(Err(e)) => {
            pre.push(e);
            None
        }
        _ => None,
    };
    let date = |field: &str| {
        columns.cell(row, field).and_then(|c| match c {
            Cell::Date(d) => Some(d.to_string()),
            other => Some(normalise_date(&other.text())).filter(|s| !s.is_empty()),
        })
    };
    let consent = match text("consent").map(|s| s.to_lowercase()) {
        None => None,
        Some(s) if ["true", "ya", "y", "yes", "1", "setuju"].contains(&s.as_str()) => Some(true),
        Some(s) if ["false", "tidak", "t", "no", "n", "0"].contains(&s.as_str()) => Some(false),
        Some(other) => {
            pre.push(FieldError::new(
                "consent",
                "consent_invalid",
                format!("consent must be true/false or ya/tidak, not {other:?}"),
            ));
            None
        }
    };
    let draft = MemberDraft {
        nik,
        full_name: text("full_name"),
        birth_date: date("birth_date"),
        sex: text("sex").map(|s| sex_code(&s)),
        phone: text("phone").map(|s| phone_text(&s)),
        email: text("email"),
        address: text("address"),
        village_code: text("village_code"),
        business_name: text("business_name"),
        sector: text("sector"),
        channel: text("channel").map(|s| channel_code(&s)),
        registered_on: date("registered_on"),
        consent,
    };
    match NewMember::parse_registration(&draft, today) {
        Ok(m) if pre.is_empty() => Ok(m),
        Ok(_) => Err(ValidationErrors(pre)),
        Err(ValidationErrors(errs)) => {
            // The spreadsheet's own reason first; the parser's "required" for a field
            // already refused is dropped.
            let mut all = pre;
            for e in errs {
                if !all.iter().any(|p| p.field == e.field) {
                    all.push(e);
                }
            }
            Err(ValidationErrors(all))
        }
    }
}

/// `L`/`Laki-laki` and `P`/`Perempuan` as the API's `M` and `F`.
fn sex_code(raw: &str) -> String {
    match raw.trim().to_lowercase().as_str() {
        "l" | "lk" | "laki-laki" | "laki laki" | "pria" | "m" | "male" => "M".to_owned(),
        "p" | "pr" | "perempuan" | "wanita" | "f" | "female" => "F".to_owned(),
        _ => raw.to_owned(),
    }
}

/// `daring` (online) and `luring`/`pusat` (at a centre) as the API's channels.
fn channel_code(raw: &str) -> String {
    match raw.trim().to_lowercase().as_str() {
        "daring" | "online" => "online".to_owned(),
        "luring" | "offline" | "pusat" | "centre" | "center" | "pos" => "centre".to_owned(),
        _ => raw.to_owned(),
    }
}

/// A mobile number whose leading zero a spreadsheet dropped (`81234567890`) gets it back.
fn phone_text(raw: &str) -> String {
    let t = raw.trim();
    if t.starts_with('8') && t.len() >= 9 && t.chars().all(|c| c.is_ascii_digit()) {
        format!("0{t}")
    } else {
        t.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::read_csv;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
    }

    #[test]
    fn the_api_header_and_an_office_header_give_the_same_member() {
        let api = read_csv(
            b"nik,full_name,birth_date,sex,phone,email,address,village_code,business_name,sector,channel,registered_on,consent\n\
              3171016606900001,Siti Rahma,1990-06-26,F,081234567890,,Jl. Mawar 1,31.71.01.1001,Warung Siti,I,centre,2021-06-26,true\n",
        )
        .unwrap();
        let office = read_csv(
            "Nama Lengkap;NIK;Tanggal Lahir;Jenis Kelamin;No. HP;Alamat;Kode Kelurahan;Nama Usaha;KBLI;Jalur;Tanggal Daftar;Persetujuan;Catatan\n\
             Siti Rahma;3171016606900001;26/06/1990;P;81234567890;Jl. Mawar 1;31.71.01.1001;Warung Siti;I;luring;26/06/2021;ya;lama\n"
                .as_bytes(),
        )
        .unwrap();
        let a = member_of(&member_columns(&api).unwrap(), &api.rows[0], today()).unwrap();
        let b = member_of(&member_columns(&office).unwrap(), &office.rows[0], today()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.registered_on.to_string(), "2021-06-26");
    }

    #[test]
    fn every_reason_is_named_by_field() {
        let t = read_csv(
            b"nik,full_name,birth_date,sex,phone,address,village_code,business_name,sector,registered_on,consent\n\
              3.17101E+15,,31/02/1990,X,12,Jl. A,31.71.01.1001,Warung,I,2021-06-26,mungkin\n",
        )
        .unwrap();
        let errs = member_of(&member_columns(&t).unwrap(), &t.rows[0], today()).unwrap_err();
        let codes: Vec<(&str, &str)> = errs.0.iter().map(|e| (e.field, e.code)).collect();
        assert!(
            codes.contains(&("nik", "nik_mangled_by_spreadsheet")),
            "{codes:?}"
        );
        assert!(codes.contains(&("consent", "consent_invalid")), "{codes:?}");
        assert!(codes.contains(&("full_name", "required")), "{codes:?}");
        assert!(codes.iter().any(|(f, _)| *f == "birth_date"), "{codes:?}");
        assert!(codes.iter().any(|(f, _)| *f == "sex"), "{codes:?}");
        assert!(codes.iter().any(|(f, _)| *f == "phone"), "{codes:?}");
        assert!(!codes.iter().any(|(f, c)| *f == "nik" && *c == "required"));
    }

    #[test]
    fn a_file_without_a_needed_column_is_refused_whole() {
        let t = read_csv(b"nik,full_name,village_code\n1,2,3\n").unwrap();
        assert_eq!(
            member_columns(&t).unwrap_err(),
            TableError::MissingColumn("business_name".into())
        );
    }
}
