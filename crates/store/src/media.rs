//! Product photos as files: checked by their content (never their name), decoded,
//! re-encoded from the pixels alone (so no EXIF, GPS position or other metadata survives),
//! with a thumbnail, and stored content-addressed in a folder beside the database:
//! `<dir>/<first two hex digits>/<sha256>.<ext>` and `….thumb.<ext>`. A file is written to
//! a temporary name and renamed into place, so a reader never sees half a file; the same
//! photo uploaded twice is stored once. The database row that points at a photo is written
//! after its files, so a crash can leave an unreferenced file but never a row without its
//! file. For several servers, the folder is a shared mount or a bucket synchronised
//! with an S3-compatible store (docs/catalogue.md).

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use jakpreneur_core::FieldError;
use sha2::{Digest, Sha256};

use crate::{Result, StoreError};

/// The largest photo accepted, in bytes.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
/// The largest side a photo may have, in pixels (a decompression bomb is refused).
const MAX_SIDE: u32 = 8_000;
/// A thumbnail fits in this square.
const THUMB_SIDE: u32 = 320;

/// A photo that passed every check, re-encoded, with its thumbnail.
#[derive(Debug, Clone)]
pub struct CheckedPhoto {
    /// `jpeg`, `png` or `webp`: what the content is, whatever the file was called.
    pub format: &'static str,
    pub width: u32,
    pub height: u32,
    pub full: Vec<u8>,
    pub thumb: Vec<u8>,
    /// SHA-256 of `full`, in hex: the file's name.
    pub sha256: String,
}

impl CheckedPhoto {
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.sha256, self.format)
    }
}

fn bad(field: &'static str, code: &'static str, message: &str) -> FieldError {
    FieldError::new(field, code, message.to_owned())
}

/// Checks and re-encodes an uploaded photo. Refused (naming `field`): empty, over 5 MB,
/// not a JPEG, PNG or WebP by its content, too large in pixels, or not decodable.
pub fn check_photo(field: &'static str, bytes: &[u8]) -> Result<CheckedPhoto, FieldError> {
    if bytes.is_empty() {
        return Err(FieldError::required(field));
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(bad(
            field,
            "photo_too_large",
            "the photo is larger than 5 MB",
        ));
    }
    let format = match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => ImageFormat::Jpeg,
        Ok(ImageFormat::Png) => ImageFormat::Png,
        Ok(ImageFormat::WebP) => ImageFormat::WebP,
        _ => {
            return Err(bad(
                field,
                "photo_type",
                "the file is not a JPEG, PNG or WebP image (its content was checked, not its name)",
            ));
        }
    };
    let corrupt = || {
        bad(
            field,
            "photo_corrupt",
            "the image cannot be read: the file is damaged or incomplete",
        )
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| match e {
        image::ImageError::Limits(_) => too_big(field),
        _ => corrupt(),
    })?;
    let (w, h) = decoder.dimensions();
    if w > MAX_SIDE || h > MAX_SIDE || w == 0 || h == 0 {
        return Err(too_big(field));
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => too_big(field),
        _ => corrupt(),
    })?;
    // The camera's rotation is applied to the pixels, since the tag that carried it is gone.
    img.apply_orientation(orientation);
    let full = encode(&img, format).map_err(|_| corrupt())?;
    let thumb = encode(&img.thumbnail(THUMB_SIDE, THUMB_SIDE), format).map_err(|_| corrupt())?;
    let sha256 = hex::encode(Sha256::digest(&full));
    Ok(CheckedPhoto {
        format: ext(format),
        width: img.width(),
        height: img.height(),
        full,
        thumb,
        sha256,
    })
}

fn too_big(field: &'static str) -> FieldError {
    bad(
        field,
        "photo_dimensions",
        "the image is larger than 8000 × 8000 pixels",
    )
}

fn ext(f: ImageFormat) -> &'static str {
    match f {
        ImageFormat::Png => "png",
        ImageFormat::WebP => "webp",
        _ => "jpeg",
    }
}

/// The pixels alone, in the photo's own format: nothing of the original file's metadata.
fn encode(img: &DynamicImage, format: ImageFormat) -> image::ImageResult<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    match format {
        ImageFormat::Jpeg => {
            let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
            let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
            rgb.write_with_encoder(enc)?;
        }
        ImageFormat::WebP => {
            DynamicImage::ImageRgba8(img.to_rgba8()).write_to(&mut out, ImageFormat::WebP)?;
        }
        _ => {
            let img = match img {
                DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => img.clone(),
                DynamicImage::ImageLuma8(_) | DynamicImage::ImageLumaA8(_) => img.clone(),
                _ => DynamicImage::ImageRgba8(img.to_rgba8()),
            };
            img.write_to(&mut out, ImageFormat::Png)?;
        }
    }
    Ok(out.into_inner())
}

/// A payment document (transfer proof, tax-withholding slip) that passed its checks: a
/// PDF kept as sent, or an image re-encoded from its pixels like a photo.
#[derive(Debug, Clone)]
pub struct CheckedDocument {
    /// `pdf`, `jpeg`, `png` or `webp`: what the content is.
    pub format: &'static str,
    pub bytes: Vec<u8>,
    pub sha256: String,
}

/// Checks an uploaded document by its content: a PDF (it starts with `%PDF-` and ends with
/// an `%%EOF` marker) or an image. Refused (naming `field`): empty, over 5 MB, or neither.
pub fn check_document(field: &'static str, bytes: &[u8]) -> Result<CheckedDocument, FieldError> {
    if bytes.is_empty() {
        return Err(FieldError::required(field));
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(bad(
            field,
            "document_too_large",
            "the document is larger than 5 MB",
        ));
    }
    if bytes.starts_with(b"%PDF-") {
        let tail = &bytes[bytes.len().saturating_sub(1024)..];
        if !tail.windows(5).any(|w| w == b"%%EOF") {
            return Err(bad(
                field,
                "document_type",
                "the PDF is cut short (it has no end marker): upload the whole file",
            ));
        }
        return Ok(CheckedDocument {
            format: "pdf",
            bytes: bytes.to_vec(),
            sha256: hex::encode(Sha256::digest(bytes)),
        });
    }
    match check_photo(field, bytes) {
        Ok(p) => Ok(CheckedDocument {
            format: p.format,
            sha256: p.sha256,
            bytes: p.full,
        }),
        Err(e) if e.code == "photo_type" => Err(bad(
            field,
            "document_type",
            "the file must be a PDF or an image (JPEG, PNG or WebP), whatever its name",
        )),
        Err(e) => Err(e),
    }
}

/// The content type of a document's format.
pub fn document_content_type(format: &str) -> &'static str {
    match format {
        "pdf" => "application/pdf",
        other => content_type(other),
    }
}

/// The folder of photo files.
#[derive(Debug, Clone)]
pub struct Media {
    dir: PathBuf,
}

/// A stored file's name as it appears in a URL: `<sha256>.<ext>` or `<sha256>.thumb.<ext>`.
/// Anything else (a path, `..`, another extension) is no name at all.
pub fn valid_media_name(name: &str) -> Option<(&str, bool, &str)> {
    let (stem, ext) = name.rsplit_once('.')?;
    if !matches!(ext, "jpeg" | "png" | "webp") {
        return None;
    }
    let (hash, thumb) = match stem.strip_suffix(".thumb") {
        Some(h) => (h, true),
        None => (stem, false),
    };
    let hex = hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    hex.then_some((hash, thumb, ext))
}

/// The content type of a stored file's extension.
pub fn content_type(ext: &str) -> &'static str {
    match ext {
        "png" => "image/png",
        "webp" => "image/webp",
        _ => "image/jpeg",
    }
}

impl Media {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The default folder: `media` beside a SQLite database file, else in the working
    /// directory.
    pub fn default_dir(db_url: &str) -> PathBuf {
        let key = crate::DataKey::default_path(db_url);
        key.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("media"), |p| p.join("media"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, sha: &str, thumb: bool, ext: &str) -> PathBuf {
        let name = if thumb {
            format!("{sha}.thumb.{ext}")
        } else {
            format!("{sha}.{ext}")
        };
        self.dir.join(&sha[..2]).join(name)
    }

    /// Stores the photo and its thumbnail (no-op when already there).
    pub async fn put(&self, p: &CheckedPhoto) -> Result<()> {
        for (thumb, bytes) in [(false, &p.full), (true, &p.thumb)] {
            let path = self.path(&p.sha256, thumb, p.format);
            write_atomically(&path, bytes).await?;
        }
        Ok(())
    }

    /// Where payment documents live: a folder of their own, never served under `/media/`.
    fn document_path(&self, sha: &str, format: &str) -> PathBuf {
        self.dir
            .join("private")
            .join(&sha[..2])
            .join(format!("{sha}.{format}"))
    }

    /// Stores a payment document (no-op when already there).
    pub async fn put_document(&self, d: &CheckedDocument) -> Result<()> {
        write_atomically(&self.document_path(&d.sha256, d.format), &d.bytes).await
    }

    /// A stored payment document; `None` when the file is missing.
    pub async fn read_document(&self, sha: &str, format: &str) -> Result<Option<Vec<u8>>> {
        let hex = sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex || !matches!(format, "pdf" | "jpeg" | "png" | "webp") {
            return Ok(None);
        }
        match tokio::fs::read(self.document_path(sha, format)).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&self.dir, e)),
        }
    }

    /// A stored file by its URL name; `None` when there is no such file.
    pub async fn read(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let Some((sha, thumb, ext)) = valid_media_name(name) else {
            return Ok(None);
        };
        match tokio::fs::read(self.path(sha, thumb, ext)).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&self.dir, e)),
        }
    }
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Unavailable(format!("media folder {}: {e}", path.display()))
}

async fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    if tokio::fs::try_exists(path).await.unwrap_or(false) {
        return Ok(());
    }
    let dir = path.parent().expect("a media path has a folder");
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| io(dir, e))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("photo"),
        crate::crypto::random_token("t")
    ));
    let write = async {
        let mut f = tokio::fs::File::create(&tmp).await?;
        tokio::io::AsyncWriteExt::write_all(&mut f, bytes).await?;
        f.sync_all().await?;
        tokio::fs::rename(&tmp, path).await
    };
    if let Err(e) = write.await {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(io(dir, e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb};

    fn png() -> Vec<u8> {
        let img = ImageBuffer::from_fn(40, 30, |x, y| Rgb([x as u8 * 6, y as u8 * 8, 120]));
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img)
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn content_decides_the_format() {
        let p = check_photo("photo", &png()).unwrap();
        assert_eq!(p.format, "png");
        assert_eq!((p.width, p.height), (40, 30));
        let text = b"this is not a photo at all, just text renamed .jpg";
        assert_eq!(check_photo("photo", text).unwrap_err().code, "photo_type");
        let mut cut = png();
        cut.truncate(60);
        assert_eq!(
            check_photo("photo", &cut).unwrap_err().code,
            "photo_corrupt"
        );
        assert_eq!(check_photo("photo", &[]).unwrap_err().code, "required");
    }

    #[test]
    fn names_are_strict() {
        let h = "a".repeat(64);
        assert!(valid_media_name(&format!("{h}.jpeg")).is_some());
        assert!(valid_media_name(&format!("{h}.thumb.png")).is_some());
        assert!(valid_media_name(&format!("../{h}.jpeg")).is_none());
        assert!(valid_media_name(&format!("{h}.exe")).is_none());
        assert!(valid_media_name("ab.jpeg").is_none());
    }
}
