//! An Excel workbook (`.xlsx`) as a [`Table`]: its first worksheet, the first non-empty row
//! as the header. Cells keep what Excel stored: text, a number (so a NIK stored as a number
//! is recognised and refused), or a date (given back as a date, whatever its display format).

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

use super::{Cell, Row, Table, TableError};

pub fn read_xlsx(bytes: &[u8]) -> Result<Table, TableError> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| TableError::Xlsx(e.to_string()))?;
    let range = match book.worksheet_range_at(0) {
        None => return Err(TableError::Empty),
        Some(r) => r.map_err(|e| TableError::Xlsx(e.to_string()))?,
    };
    let first_row = u64::from(range.start().map_or(0, |(row, _)| row));
    let mut rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| Row {
            // Rows in the sheet are counted from 1, as Excel shows them.
            line: first_row + i as u64 + 1,
            cells: cells.iter().map(cell).collect(),
        })
        .filter(|r| !r.cells.iter().all(Cell::is_empty));
    let header = rows.next().ok_or(TableError::Empty)?;
    Ok(Table {
        headers: header.cells.iter().map(Cell::text).collect(),
        rows: rows.collect(),
    })
}

fn cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Text(if *b { "true" } else { "false" }.to_owned()),
        Data::DateTime(t) if t.is_datetime() => t
            .as_datetime()
            .map_or_else(|| Cell::Number(t.as_f64()), |d| Cell::Date(d.date())),
        Data::DateTime(t) => Cell::Number(t.as_f64()),
        Data::Error(e) => Cell::Text(format!("#{e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sheet as an office saves it: a title row left empty, the header, then a member
    /// whose NIK is text, one whose NIK Excel stored as a number, and a date cell.
    #[test]
    fn cells_keep_what_excel_stored() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let date = Format::new().set_num_format("dd/mm/yyyy");
        for (col, h) in ["NIK", "Nama Lengkap", "Tanggal Daftar"].iter().enumerate() {
            sheet.write_string(1, col as u16, *h).unwrap();
        }
        sheet.write_string(2, 0, "3171016606900001").unwrap();
        sheet.write_string(2, 1, "Siti Rahma").unwrap();
        let day = ExcelDateTime::from_ymd(2021, 6, 26).unwrap();
        sheet.write_datetime_with_format(2, 2, &day, &date).unwrap();
        sheet.write_number(3, 0, 3_171_016_606_900_002.0).unwrap();
        sheet.write_string(3, 1, "Budi").unwrap();
        let bytes = book.save_to_buffer().unwrap();

        let t = read_xlsx(&bytes).unwrap();
        assert_eq!(t.headers, ["NIK", "Nama Lengkap", "Tanggal Daftar"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].line, 3, "rows numbered as Excel shows them");
        assert_eq!(t.rows[0].cells[0], Cell::Text("3171016606900001".into()));
        assert_eq!(
            t.rows[0].cells[2],
            Cell::Date(chrono::NaiveDate::from_ymd_opt(2021, 6, 26).unwrap())
        );
        assert!(matches!(t.rows[1].cells[0], Cell::Number(_)));
        assert_eq!(
            super::super::nik_cell(&t.rows[1].cells[0])
                .unwrap_err()
                .code,
            "nik_mangled_by_spreadsheet"
        );
    }

    #[test]
    fn not_a_workbook_is_named() {
        assert!(matches!(
            read_xlsx(b"nik,full_name\n"),
            Err(TableError::Xlsx(_))
        ));
    }
}
