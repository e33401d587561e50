//! Keys and ciphers for personal data. One 32-byte data key (a file outside the
//! database, owner-only) yields two sub-keys: one for XChaCha20-Poly1305, which encrypts
//! each NIK with a fresh random nonce, and one for HMAC-SHA-256, which gives the keyed
//! hash that enforces uniqueness and answers "is this NIK on file?" without decrypting.
//! The database stores the key's fingerprint, so a wrong key is refused at start instead
//! of failing on the first read.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::{Result, StoreError};

const NONCE_LEN: usize = 24;
/// Binds each ciphertext to its purpose: a NIK cipher cannot be passed off as another field.
const NIK_AAD: &[u8] = b"jakpreneur/nik/v1";

/// The data key. Its `Debug` never shows the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey([u8; 32]);

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

impl DataKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Self {
        Self(random_bytes())
    }

    /// The key file's contents: 64 hex digits (surrounding whitespace ignored).
    pub fn from_hex(text: &str) -> Result<Self> {
        let bytes = hex::decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| StoreError::Key("the data key file must hold 64 hex digits".into()))?;
        Ok(Self(bytes))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Reads the key at `path`, or, if there is no file, creates one readable by the owner
    /// alone. Returns the key and whether it was created.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool)> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                check_owner_only(path)?;
                Ok((Self::from_hex(&text)?, false))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                key.write_new(path)?;
                Ok((key, true))
            }
            Err(e) => Err(key_io(path, e)),
        }
    }

    /// Reads the key at `path`; it must exist.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| key_io(path, e))?;
        check_owner_only(path)?;
        Self::from_hex(&text)
    }

    /// Writes the key to a new file (refusing to overwrite one), mode 0600, synced to disk.
    pub fn write_new(&self, path: &Path) -> Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|e| key_io(path, e))?;
        file.write_all(format!("{}\n", self.to_hex()).as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| key_io(path, e))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The directory entry must reach the disk too, or a crash could lose the file.
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }

    /// The default key file beside a SQLite database, or in the working directory.
    pub fn default_path(db_url: &str) -> PathBuf {
        let path = db_url
            .strip_prefix("sqlite://")
            .or_else(|| db_url.strip_prefix("sqlite:"))
            .unwrap_or(db_url);
        if db_url.starts_with("postgres") || path.starts_with(':') || path.is_empty() {
            return PathBuf::from("jakpreneur.key");
        }
        let path = path.split('?').next().unwrap_or(path);
        match Path::new(path).parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.join("jakpreneur.key"),
            _ => PathBuf::from("jakpreneur.key"),
        }
    }
}

fn key_io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Key(format!("data key file {}: {e}", path.display()))
}

#[cfg(unix)]
fn check_owner_only(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| key_io(path, e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(StoreError::Key(format!(
            "data key file {} is readable by others (mode {:o}); run chmod 600 on it",
            path.display(),
            mode & 0o777
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owner_only(_: &Path) -> Result<()> {
    Ok(())
}

pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    // Without the OS random source nothing here is safe; there is no fallback.
    getrandom::fill(&mut b).expect("the operating system's random source failed");
    b
}

/// Random bytes as URL-safe text, for session and API tokens.
pub fn random_token(prefix: &str) -> String {
    format!("{prefix}{}", hex::encode(random_bytes::<32>()))
}

/// SHA-256 in hex: how session and API tokens are stored (they are random, so a fast
/// hash suffices; a stolen table gives no usable token).
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

type HmacSha256 = Hmac<Sha256>;

pub(crate) fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac =
        <HmacSha256 as hmac::KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// The ciphers derived from one [`DataKey`].
pub struct Vault {
    aead: XChaCha20Poly1305,
    mac_key: [u8; 32],
    audit_key: [u8; 32],
    fingerprint: String,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Vault(fingerprint {})", self.fingerprint)
    }
}

impl Vault {
    pub fn new(key: &DataKey) -> Self {
        let enc = hmac(&key.0, &[b"jakpreneur/enc"]);
        Self {
            aead: XChaCha20Poly1305::new_from_slice(&enc).expect("32-byte key"),
            mac_key: hmac(&key.0, &[b"jakpreneur/mac"]),
            audit_key: hmac(&key.0, &[b"jakpreneur/audit"]),
            fingerprint: hex::encode(&hmac(&key.0, &[b"jakpreneur/fingerprint"])[..8]),
        }
    }

    /// Identifies the key without revealing it; stored in the database.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The keyed hash of a NIK: equal NIKs give equal hashes, and without the key no one
    /// can test a guess against it.
    pub fn nik_hash(&self, nik: &str) -> Vec<u8> {
        hmac(&self.mac_key, &[b"nik:", nik.as_bytes()]).to_vec()
    }

    /// A short keyed fingerprint of a personal value, for the audit log: it shows whether
    /// a value changed without recording the value.
    pub fn field_fingerprint(&self, field: &str, value: &str) -> String {
        let h = hmac(
            &self.mac_key,
            &[b"field:", field.as_bytes(), b":", value.as_bytes()],
        );
        format!("hmac:{}", hex::encode(&h[..6]))
    }

    /// The seal of an audit entry: a keyed MAC over its chain and its hash (which covers
    /// its contents and the previous entry's hash). Anyone holding the database can
    /// recompute a chain of plain hashes; without the key, no seals to go with them.
    pub fn audit_seal(&self, chain: i32, hash: &str) -> String {
        let chain = chain.to_string();
        hex::encode(hmac(
            &self.audit_key,
            &[b"entry:", chain.as_bytes(), b":", hash.as_bytes()],
        ))
    }

    /// The signature of an audit checkpoint's canonical text.
    pub fn sign_checkpoint(&self, body: &str) -> String {
        hex::encode(hmac(&self.audit_key, &[b"checkpoint:", body.as_bytes()]))
    }

    /// nonce ‖ ciphertext ‖ tag.
    pub fn encrypt_nik(&self, nik: &str) -> Vec<u8> {
        self.seal(NIK_AAD, nik.as_bytes())
    }

    pub fn decrypt_nik(&self, stored: &[u8]) -> Result<String> {
        let corrupt = || {
            StoreError::Corrupt(
                "a NIK does not decrypt with this data key (wrong key, or the row was altered)"
                    .into(),
            )
        };
        let plain = self.open(NIK_AAD, stored).ok_or_else(corrupt)?;
        String::from_utf8(plain).map_err(|_| corrupt())
    }

    /// An account's authenticator (TOTP) secret, bound to the account: a ciphertext moved
    /// to another account's row does not decrypt there.
    pub fn encrypt_totp(&self, user_id: i64, secret: &[u8]) -> Vec<u8> {
        self.seal(format!("jakpreneur/totp:{user_id}").as_bytes(), secret)
    }

    pub fn decrypt_totp(&self, user_id: i64, stored: &[u8]) -> Result<Vec<u8>> {
        self.open(format!("jakpreneur/totp:{user_id}").as_bytes(), stored)
            .ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "the authenticator secret of account {user_id} does not decrypt with this \
                     data key (wrong key, or the row was altered)"
                ))
            })
    }

    fn seal(&self, aad: &[u8], msg: &[u8]) -> Vec<u8> {
        let nonce_bytes = random_bytes::<NONCE_LEN>();
        let nonce = XNonce::try_from(&nonce_bytes[..]).expect("24-byte nonce");
        let sealed = self
            .aead
            .encrypt(&nonce, Payload { msg, aad })
            .expect("encrypting a short value cannot fail");
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    /// `None` when the value was sealed under another key, another binding, or altered.
    fn open(&self, aad: &[u8], stored: &[u8]) -> Option<Vec<u8>> {
        if stored.len() <= NONCE_LEN {
            return None;
        }
        let (n, sealed) = stored.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(n).ok()?;
        self.aead.decrypt(&nonce, Payload { msg: sealed, aad }).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_random_nonce_and_wrong_key() {
        let v = Vault::new(&DataKey::generate());
        let a = v.encrypt_nik("3171234567890001");
        let b = v.encrypt_nik("3171234567890001");
        assert_ne!(a, b, "each encryption takes a fresh nonce");
        assert_eq!(v.decrypt_nik(&a).unwrap(), "3171234567890001");
        assert_eq!(
            v.nik_hash("3171234567890001"),
            v.nik_hash("3171234567890001")
        );
        let other = Vault::new(&DataKey::generate());
        assert!(other.decrypt_nik(&a).is_err());
        assert_ne!(
            other.nik_hash("3171234567890001"),
            v.nik_hash("3171234567890001")
        );
        let mut tampered = a.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(v.decrypt_nik(&tampered).is_err());
        assert!(!format!("{:?}", DataKey::generate()).contains(|c: char| c.is_ascii_digit()));
    }

    #[test]
    fn key_file_is_owner_only_and_round_trips() {
        let dir = std::env::temp_dir().join(crate::scratch::unique_name("keytest"));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("k");
        let (k1, created) = DataKey::load_or_create(&path).unwrap();
        assert!(created);
        let (k2, created) = DataKey::load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(k1, k2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(DataKey::load(&path).is_err());
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
