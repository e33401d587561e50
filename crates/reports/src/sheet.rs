//! Files of rows for download: CSV or an Excel workbook (XLSX), written as the rows come.
//! An export of a million members holds one batch of rows in memory, never the file: CSV
//! goes straight to its writer, and the workbook's rows go to the XLSX writer's own
//! temporary files (its constant-memory mode), which are zipped into the writer at the
//! end. A worksheet holds 1,048,576 rows; longer exports go on to a second sheet.
//!
//! Every CSV cell passes [`csv_safe`] (a cell starting with `=`, `+`, `-` or `@` is not
//! a formula to a spreadsheet); XLSX cells are written as text or numbers, never formulas.

use std::io::Write;

use jakpreneur_core::format::csv_safe;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::table::Table;

/// The most rows one worksheet holds (Excel's limit), the header row included.
const SHEET_ROWS: u32 = 1_048_576;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    Csv,
    Xlsx,
}

impl SheetFormat {
    /// `csv` or `xlsx`, as a form field or a file extension says it.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("writing the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("writing the workbook: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("writing the CSV: {0}")]
    Csv(#[from] csv::Error),
}

/// One cell: text, a number, or nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Text(&'a str),
    Number(f64),
    Empty,
}

/// A file being written, one row at a time.
pub struct SheetWriter<W: Write + Send> {
    inner: Inner<W>,
}

enum Inner<W: Write + Send> {
    Csv(Box<csv::Writer<W>>),
    Xlsx(Box<Xlsx<W>>),
}

struct Xlsx<W> {
    out: W,
    book: Workbook,
    header: Vec<String>,
    title: Option<String>,
    bold: Format,
    /// The next row of the current sheet.
    row: u32,
    sheets: usize,
}

impl<W: Write + Send> SheetWriter<W> {
    /// A file whose first row is `header`; a workbook also has `title` above it (with an
    /// empty row between), a CSV never does (its first row is its header, so it can be
    /// read back).
    pub fn new(
        format: SheetFormat,
        out: W,
        header: &[String],
        title: Option<&str>,
    ) -> Result<Self, SheetError> {
        let inner = match format {
            SheetFormat::Csv => {
                let mut w = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::CRLF)
                    .from_writer(out);
                w.write_record(header.iter().map(|h| csv_safe(h).into_owned()))?;
                Inner::Csv(Box::new(w))
            }
            SheetFormat::Xlsx => {
                let mut x = Xlsx {
                    out,
                    book: Workbook::new(),
                    header: header.to_vec(),
                    title: title.map(str::to_owned),
                    bold: Format::new().set_bold(),
                    row: 0,
                    sheets: 0,
                };
                x.next_sheet()?;
                Inner::Xlsx(Box::new(x))
            }
        };
        Ok(Self { inner })
    }

    /// A row of text cells.
    pub fn text_row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), SheetError> {
        let cells: Vec<Cell<'_>> = cells.iter().map(|c| Cell::Text(c.as_ref())).collect();
        self.row(&cells)
    }

    pub fn row(&mut self, cells: &[Cell<'_>]) -> Result<(), SheetError> {
        match &mut self.inner {
            Inner::Csv(w) => {
                for cell in cells {
                    match cell {
                        Cell::Text(s) => w.write_field(csv_safe(s).as_bytes())?,
                        Cell::Number(n) => w.write_field(n.to_string())?,
                        Cell::Empty => w.write_field("")?,
                    }
                }
                w.write_record(None::<&[u8]>)?;
            }
            Inner::Xlsx(x) => {
                if x.row >= SHEET_ROWS {
                    x.next_sheet()?;
                }
                let row = x.row;
                let sheet = x.book.worksheet_from_index(x.sheets - 1)?;
                for (col, cell) in cells.iter().enumerate() {
                    let col = u16::try_from(col).unwrap_or(u16::MAX);
                    match cell {
                        Cell::Text(s) if !s.is_empty() => {
                            sheet.write_string(row, col, *s)?;
                        }
                        Cell::Number(n) => {
                            sheet.write_number(row, col, *n)?;
                        }
                        Cell::Text(_) | Cell::Empty => {}
                    }
                }
                x.row += 1;
            }
        }
        Ok(())
    }

    /// The file's end: a CSV flushed, a workbook zipped into the writer. Gives the writer
    /// back.
    pub fn finish(self) -> Result<W, SheetError> {
        match self.inner {
            Inner::Csv(w) => w.into_inner().map_err(|e| SheetError::Io(e.into_error())),
            Inner::Xlsx(mut x) => {
                x.book.save_to_writer(&mut x.out)?;
                x.out.flush()?;
                Ok(x.out)
            }
        }
    }
}

impl<W: Write + Send> Xlsx<W> {
    /// A new worksheet (rows written at once to a temporary file) with the title and the
    /// header in bold.
    fn next_sheet(&mut self) -> Result<(), SheetError> {
        let sheet = self.book.add_worksheet_with_constant_memory()?;
        self.sheets += 1;
        if self.sheets > 1 {
            sheet.set_name(format!("Sheet{}", self.sheets))?;
        }
        let mut row = 0;
        if let Some(title) = &self.title {
            sheet.write_string_with_format(0, 0, title, &self.bold)?;
            row = 2;
        }
        for (c, h) in self.header.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            // Room for the header, at least the width of a date or a member number.
            let width = h.chars().count().max(12);
            sheet.set_column_width(c, width as f64 + 2.0)?;
            sheet.write_string_with_format(row, c, h, &self.bold)?;
        }
        self.row = row + 1;
        Ok(())
    }
}

/// A report's table as a file: in a workbook, counts and shares are numbers and keys
/// (region codes such as `31.71`, years, names) stay text.
pub fn write_table<W: Write + Send>(
    table: &Table,
    format: SheetFormat,
    out: W,
) -> Result<W, SheetError> {
    let mut w = SheetWriter::new(format, out, &table.header, Some(&table.title))?;
    let key: Vec<bool> = table
        .header
        .iter()
        .map(|h| {
            matches!(
                h.as_str(),
                "group" | "name" | "cohort" | "facility" | "indicator"
            )
        })
        .collect();
    for r in &table.rows {
        let cells: Vec<Cell<'_>> = r
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let number = (format == SheetFormat::Xlsx && !key.get(i).copied().unwrap_or(true))
                    .then(|| c.parse::<f64>().ok())
                    .flatten()
                    .filter(|n| n.is_finite());
                number.map_or(Cell::Text(c), Cell::Number)
            })
            .collect();
        w.row(&cells)?;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Vec<String> {
        ["member_no", "business_name"].map(str::to_owned).to_vec()
    }

    #[test]
    fn csv_rows_are_written_as_they_come_and_formulas_defused() {
        let mut w = SheetWriter::new(SheetFormat::Csv, Vec::new(), &header(), Some("t")).unwrap();
        w.text_row(&["JP-1", "=HYPERLINK(\"x\")"]).unwrap();
        w.text_row(&["JP-2", "Warung, Bu Sri"]).unwrap();
        w.row(&[Cell::Text("-5"), Cell::Number(2.5)]).unwrap();
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(
            out,
            "member_no,business_name\r\nJP-1,\"'=HYPERLINK(\"\"x\"\")\"\r\n\
             JP-2,\"Warung, Bu Sri\"\r\n-5,2.5\r\n"
        );
    }

    #[test]
    fn a_workbook_is_a_zip_that_reads_back() {
        let mut w = SheetWriter::new(SheetFormat::Xlsx, Vec::new(), &header(), None).unwrap();
        for i in 0..100 {
            w.text_row(&[format!("JP-{i}"), "=1+1".to_owned()]).unwrap();
        }
        let bytes = w.finish().unwrap();
        assert_eq!(&bytes[..2], b"PK", "an XLSX is a zip file");
        let t = jakpreneur_core::import::read_table("x.xlsx", &bytes).unwrap();
        assert_eq!(t.headers, header());
        assert_eq!(t.rows.len(), 100);
        let last: Vec<String> = t.rows[99].cells.iter().map(|c| c.text()).collect();
        assert_eq!(last, ["JP-99", "=1+1"], "text, not a formula");
    }

    #[test]
    fn formats_parse_from_forms_and_extensions() {
        assert_eq!(SheetFormat::parse("CSV"), Some(SheetFormat::Csv));
        assert_eq!(SheetFormat::parse("xlsx"), Some(SheetFormat::Xlsx));
        assert_eq!(SheetFormat::parse("pdf"), None);
        assert_eq!(SheetFormat::Xlsx.extension(), "xlsx");
    }
}
