//! Spreadsheets as government offices write them, made into the API's records: a table of
//! text cells with a header row, header names in Indonesian or English, dates written
//! `dd/mm/yyyy`, numbers written `1.234.567`, and the damage Excel does to long digit
//! strings recognised and refused with its reason. Each kind of record (members, …) maps
//! its columns in its own module and is then checked by the same parsers as the API.

pub mod events;
pub mod members;
mod xlsx;

pub use xlsx::read_xlsx;

use chrono::NaiveDate;

use crate::FieldError;

/// A sheet: the header row and the data rows, each with its row number in the file
/// (the header is row 1), every cell as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// One data row and where it stands in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The row's number as a spreadsheet shows it (the header is row 1).
    pub line: u64,
    pub cells: Vec<Cell>,
}

/// A cell as it came: text, or a number a spreadsheet stored as a number (which matters
/// for identifiers: Excel keeps only 15 significant digits of a number).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Empty,
}

impl Eq for Cell {}

impl Cell {
    /// The cell as text: numbers without a trailing `.0`, dates as `yyyy-mm-dd`.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.trim().to_owned(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e17 => format!("{n:.0}"),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Empty => String::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Text(s) => s.trim().is_empty(),
            Cell::Empty => true,
            _ => false,
        }
    }
}

/// Why a file could not be read as a table at all (a row's own errors are reported per
/// row instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("the file is empty: it has no header row")]
    Empty,
    #[error("the file could not be read as CSV: {0}")]
    Csv(String),
    #[error("the file could not be read as an Excel workbook (.xlsx): {0}")]
    Xlsx(String),
    #[error("the header row has no column named {0}")]
    MissingColumn(String),
    #[error("the header row names the column {0} twice")]
    DuplicateColumn(String),
    #[error(
        "files of type {0:?} cannot be imported; save the sheet as an Excel workbook (.xlsx) \
         or as CSV (comma or semicolon separated, UTF-8) and import that"
    )]
    Format(String),
}

impl TableError {
    /// The error's code, as an API error names it.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "file_empty",
            Self::Csv(_) | Self::Xlsx(_) => "file_unreadable",
            Self::MissingColumn(_) => "column_missing",
            Self::DuplicateColumn(_) => "column_twice",
            Self::Format(_) => "file_type",
        }
    }
}

/// A file as a table, by its name's extension: CSV (comma or semicolon) or an Excel
/// workbook's first sheet. Other formats are refused naming what to do.
pub fn read_table(file_name: &str, bytes: &[u8]) -> Result<Table, TableError> {
    let ext = std::path::Path::new(file_name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" => read_csv(bytes),
        "xlsx" | "xlsm" => read_xlsx(bytes),
        other => Err(TableError::Format(other.to_owned())),
    }
}

/// One line of an import's report: which row (as the spreadsheet numbers it), which
/// column (as the file names it), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: u64,
    pub column: String,
    pub code: String,
    pub message: String,
}

/// The report as CSV: `row,column,code,message`, one line per problem. The column is the
/// file's own header, which could read as a formula, so it is guarded.
pub fn report_csv(problems: &[Problem]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["row", "column", "code", "message"])?;
    for p in problems {
        w.write_record([
            p.line.to_string().as_str(),
            &crate::format::csv_safe(&p.column),
            &p.code,
            &p.message,
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// Reads CSV text: the delimiter is a comma or, as Excel writes it in Indonesian locales,
/// a semicolon (whichever the header row holds more of); a UTF-8 byte-order mark is
/// dropped; rows may be shorter than the header (the missing cells are empty).
pub fn read_csv(bytes: &[u8]) -> Result<Table, TableError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |c: u8| first_line.iter().filter(|b| **b == c).count();
    let delimiter = if count(b';') > count(b',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.records();
    let headers: Vec<String> = match records.next() {
        None => return Err(TableError::Empty),
        Some(r) => r
            .map_err(|e| TableError::Csv(e.to_string()))?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect(),
    };
    if headers.iter().all(String::is_empty) {
        return Err(TableError::Empty);
    }
    let mut rows = Vec::new();
    // The row number from the record's byte offset (newlines before it, counted as the
    // reader goes), so blank lines and line breaks inside quoted cells count as in the file.
    let (mut counted_to, mut line) = (0usize, 1u64);
    for record in records {
        let record = record.map_err(|e| TableError::Csv(e.to_string()))?;
        let mut at = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(counted_to)
            .clamp(counted_to, bytes.len());
        // A record after blank lines starts, for the reader, at the first of them.
        while at < bytes.len() && matches!(bytes[at], b'\n' | b'\r') {
            at += 1;
        }
        line += bytes[counted_to..at]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        counted_to = at;
        let cells: Vec<Cell> = record
            .iter()
            .map(|c| {
                if c.trim().is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(c.to_owned())
                }
            })
            .collect();
        if cells.iter().all(Cell::is_empty) {
            continue;
        }
        rows.push(Row { line, cells });
    }
    Ok(Table { headers, rows })
}

/// A header name reduced to compare: lowercase letters and digits, words joined by `_`
/// (`Tanggal Lahir` and `tanggal-lahir` are both `tanggal_lahir`).
pub fn header_key(raw: &str) -> String {
    let mut key = String::new();
    for c in raw.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            key.push(c);
        } else if !key.is_empty() && !key.ends_with('_') {
            key.push('_');
        }
    }
    key.trim_end_matches('_').to_owned()
}

/// Which column of the table holds each field, from the field's accepted header names
/// (the API's name first). Columns nobody asked for are ignored.
pub fn map_columns(
    headers: &[String],
    fields: &[(&'static str, &[&str])],
) -> Result<Vec<(&'static str, Option<usize>)>, TableError> {
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    let mut out = Vec::with_capacity(fields.len());
    for (field, names) in fields {
        let found: Vec<usize> = keys
            .iter()
            .enumerate()
            .filter(|(_, k)| k.as_str() == *field || names.contains(&k.as_str()))
            .map(|(i, _)| i)
            .collect();
        if found.len() > 1 {
            return Err(TableError::DuplicateColumn((*field).to_owned()));
        }
        out.push((*field, found.first().copied()));
    }
    Ok(out)
}

/// Where each of a kind of record's fields is in a table.
#[derive(Debug, Clone)]
pub struct Columns(Vec<(&'static str, Option<usize>)>);

impl Columns {
    /// The columns of `table` that hold `fields` ([`map_columns`]).
    pub fn of(table: &Table, fields: &[(&'static str, &[&str])]) -> Result<Self, TableError> {
        Ok(Self(map_columns(&table.headers, fields)?))
    }

    /// The column that holds `field`, if the file has it.
    pub fn at(&self, field: &str) -> Option<usize> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .and_then(|(_, at)| *at)
    }

    /// The header the file used for `field` (for a report), or the field's own name.
    pub fn header<'a>(&self, table: &'a Table, field: &'a str) -> &'a str {
        self.at(field)
            .and_then(|i| table.headers.get(i))
            .map_or(field, String::as_str)
    }

    /// The row's cell of `field`, if the file has the column.
    pub fn cell<'r>(&self, row: &'r Row, field: &str) -> Option<&'r Cell> {
        self.at(field).and_then(|i| row.cells.get(i))
    }
}

/// A date as offices write it: `yyyy-mm-dd`, `dd/mm/yyyy`, `dd-mm-yyyy` or `dd.mm.yyyy`
/// (day first; one-digit days and months too), made `yyyy-mm-dd`. Anything else is given
/// back as it is, for the record's own parser to refuse with its message.
pub fn normalise_date(raw: &str) -> String {
    let s = raw.trim();
    if NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() {
        return s.to_owned();
    }
    for format in ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"] {
        // A two-digit year (`26/06/21`) is not guessed at: the parser refuses it.
        let four_digit_year = s
            .rsplit(['/', '-', '.'])
            .next()
            .is_some_and(|y| y.len() == 4);
        if let (Ok(d), true) = (NaiveDate::parse_from_str(s, format), four_digit_year) {
            return d.to_string();
        }
    }
    s.to_owned()
}

/// A whole number written with Indonesian grouping (`1.234.567`) or none (`1234567`);
/// `None` when it is not one.
pub fn parse_grouped_number(raw: &str) -> Option<i64> {
    let s = raw.trim().trim_start_matches("Rp").trim();
    let groups: Vec<&str> = s.split('.').collect();
    let well_grouped = groups.len() == 1
        || (!groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3));
    if !well_grouped || !groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    groups.concat().parse().ok()
}

/// A NIK cell checked for what Excel does to 16-digit numbers: shown as `3.17101E+15`, or
/// stored as a number (15 significant digits kept, the last one lost). Either is refused,
/// naming the cure; a text cell goes on to the NIK's own parser.
pub fn nik_cell(cell: &Cell) -> Result<String, FieldError> {
    let mangled = || {
        FieldError::new(
            "nik",
            "nik_mangled_by_spreadsheet",
            "the NIK was stored as a number by the spreadsheet, which keeps only 15 digits \
             (the last digit may be lost): format the NIK column as Text and export again",
        )
    };
    match cell {
        Cell::Number(_) => Err(mangled()),
        Cell::Text(s) => {
            let t = s.trim();
            let scientific = t.contains(['E', 'e'])
                && t.chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | 'E' | 'e' | '+'));
            if scientific {
                Err(mangled())
            } else {
                Ok(t.to_owned())
            }
        }
        Cell::Date(_) => Err(FieldError::new(
            "nik",
            "nik_invalid",
            "the NIK cell holds a date, not 16 digits",
        )),
        Cell::Empty => Ok(String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_semicolons_a_bom_and_short_rows() {
        let t = read_csv(
            "\u{feff}NIK;Nama Lengkap;Alamat\n3171;Siti;Jl. A, No. 1\n\n3172;Budi\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(t.headers, ["NIK", "Nama Lengkap", "Alamat"]);
        assert_eq!(t.rows.len(), 2, "the blank line is skipped");
        assert_eq!(t.rows[0].line, 2);
        assert_eq!(t.rows[0].cells[2], Cell::Text("Jl. A, No. 1".into()));
        assert_eq!(t.rows[1].line, 4);
        assert_eq!(t.rows[1].cells.len(), 2);
        assert_eq!(read_csv(b""), Err(TableError::Empty));
    }

    #[test]
    fn headers_compare_by_their_words() {
        assert_eq!(header_key("  Tanggal Lahir "), "tanggal_lahir");
        assert_eq!(header_key("tanggal-lahir"), "tanggal_lahir");
        assert_eq!(header_key("No. HP"), "no_hp");
        let headers = vec!["Nama".to_owned(), "x".to_owned(), "NIK".to_owned()];
        let m = map_columns(
            &headers,
            &[("nik", &[]), ("full_name", &["nama"]), ("email", &[])],
        )
        .unwrap();
        assert_eq!(
            m,
            [("nik", Some(2)), ("full_name", Some(0)), ("email", None)]
        );
        let twice = vec!["nama".to_owned(), "full_name".to_owned()];
        assert_eq!(
            map_columns(&twice, &[("full_name", &["nama"])]),
            Err(TableError::DuplicateColumn("full_name".into()))
        );
    }

    #[test]
    fn dates_day_first_and_numbers_with_dots() {
        assert_eq!(normalise_date("26/06/2021"), "2021-06-26");
        assert_eq!(normalise_date("6/7/2021"), "2021-07-06");
        assert_eq!(normalise_date("26-06-2021"), "2021-06-26");
        assert_eq!(normalise_date("2021-06-26"), "2021-06-26");
        assert_eq!(
            normalise_date("31/02/2021"),
            "31/02/2021",
            "left for the parser"
        );
        assert_eq!(normalise_date("kemarin"), "kemarin");
        assert_eq!(
            normalise_date("26/06/21"),
            "26/06/21",
            "no guessing the century"
        );
        assert_eq!(parse_grouped_number("1.234.567"), Some(1_234_567));
        assert_eq!(parse_grouped_number("Rp 1.250.000"), Some(1_250_000));
        assert_eq!(parse_grouped_number("1234567"), Some(1_234_567));
        assert_eq!(parse_grouped_number("1.23"), None);
        assert_eq!(parse_grouped_number("12.3456"), None);
        assert_eq!(parse_grouped_number("abc"), None);
    }

    #[test]
    fn excel_damage_to_a_nik_is_named() {
        let e = nik_cell(&Cell::Text("3.17101E+15".into())).unwrap_err();
        assert_eq!(e.code, "nik_mangled_by_spreadsheet");
        assert!(e.message.contains("Text"));
        let e = nik_cell(&Cell::Number(3_171_012_606_210_001.0)).unwrap_err();
        assert_eq!(e.code, "nik_mangled_by_spreadsheet");
        assert_eq!(
            nik_cell(&Cell::Text(" 3171012606210001 ".into())).unwrap(),
            "3171012606210001"
        );
        assert_eq!(Cell::Number(81_234_567_890.0).text(), "81234567890");
    }
}
