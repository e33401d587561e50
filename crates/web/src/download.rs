//! Downloads written while they are sent: a handler hands rows in batches to a
//! [`RowSink`], a blocking thread turns them into CSV or XLSX
//! ([`jakpreneur_reports::sheet`]) and the bytes go out as the response body in chunks.
//! Both channels are bounded, so a slow client slows the reads: an export of a million
//! members holds a couple of batches and a chunk in memory, never the file.

use std::io::Write;

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jakpreneur_reports::sheet::{SheetFormat, SheetWriter};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

/// The size of one chunk of the body.
const CHUNK: usize = 64 * 1024;

type Batch = Result<Vec<Vec<String>>, String>;

/// Where a download's rows go, a batch at a time.
pub struct RowSink {
    tx: mpsc::Sender<Batch>,
}

/// The client went away (or the file could not be written): stop reading.
#[derive(Debug)]
pub struct Closed;

impl RowSink {
    /// Waits while the writer is behind.
    pub async fn send(&self, rows: Vec<Vec<String>>) -> Result<(), Closed> {
        self.tx.send(Ok(rows)).await.map_err(|_| Closed)
    }

    /// Ends the download as failed: the client sees a broken transfer, not a short file
    /// that looks whole.
    pub async fn fail(self, why: String) {
        let _ = self.tx.send(Err(why)).await;
    }
}

/// A streamed download named `filename`: the response to return now, and the sink to
/// fill (from a spawned task); the file ends when the sink is dropped.
pub fn sheet(format: SheetFormat, filename: &str, header: Vec<String>) -> (RowSink, Response) {
    let (rows_tx, mut rows_rx) = mpsc::channel::<Batch>(2);
    let (bytes_tx, bytes_rx) = mpsc::channel::<std::io::Result<Bytes>>(4);
    tokio::task::spawn_blocking(move || {
        let out = Chunks {
            tx: bytes_tx.clone(),
            buf: Vec::with_capacity(CHUNK),
        };
        let written = (|| -> Result<(), String> {
            let mut w = SheetWriter::new(format, out, &header, None).map_err(|e| e.to_string())?;
            while let Some(batch) = rows_rx.blocking_recv() {
                for row in batch? {
                    w.text_row(&row).map_err(|e| e.to_string())?;
                }
            }
            w.finish().map_err(|e| e.to_string())?;
            Ok(())
        })();
        if let Err(why) = written {
            tracing::error!(error = %why, "a download stopped part-way");
            let _ = bytes_tx.blocking_send(Err(std::io::Error::other(why)));
        }
    });
    let response = (
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(ReceiverStream::new(bytes_rx)),
    )
        .into_response();
    (RowSink { tx: rows_tx }, response)
}

/// The body's side of the writer: bytes gathered into chunks and sent when full.
struct Chunks {
    tx: mpsc::Sender<std::io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl Chunks {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
        })
    }
}

impl Write for Chunks {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}
