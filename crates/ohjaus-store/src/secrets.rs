//! Secrets kept at rest that the service itself must read back — a CalDAV app password, the
//! secret part of a calendar subscription URL, a webhook's signing secret — sealed with
//! XChaCha20-Poly1305 under a key from the configuration (`secrets.key`).
//!
//! Tokens a caller presents (API tokens, sign-in links, feed links) are not secrets of this
//! kind: they are only ever compared, so the store keeps their SHA-256 instead.
//!
//! A sealed value is text, `v1:<key id>:<base64 of nonce and ciphertext>`, bound to where it
//! is kept (`binding`, e.g. `calendar-connection:<id>:password`, the AEAD's associated data):
//! a value copied into another row or column does not open. The key id (4 bytes of a hash of
//! the key) names the key a value was sealed with, so keys can be rotated — the new key
//! seals, the previous ones still open — and a value sealed under a key this process does
//! not have is a clear error rather than garbage.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chacha20poly1305::aead::{Aead as _, KeyInit as _, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

/// The format's version tag.
const VERSION: &str = "v1";
/// XChaCha20's nonce: 24 random bytes, large enough that random nonces never repeat.
const NONCE_BYTES: usize = 24;
/// A key: 32 bytes.
const KEY_BYTES: usize = 32;

/// Why a key or a sealed value is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretsError {
    /// A configured key is not 32 bytes in base64.
    #[error("a secrets key must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)")]
    BadKey,
    /// The value is not in the sealed format.
    #[error("not a sealed value")]
    Malformed,
    /// Sealed under a key this process was not given.
    #[error(
        "sealed with secrets key {0}, which this instance does not have: configure the same secrets.key on every instance (and the old one in secrets.previous_keys after a rotation)"
    )]
    UnknownKey(String),
    /// The key matched but the value does not open: tampered with, or moved from elsewhere.
    #[error("a sealed value does not open: it was changed or belongs elsewhere")]
    Tampered,
}

/// One key and its id.
#[derive(Clone)]
struct KeyEntry {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl KeyEntry {
    fn new(bytes: &[u8; KEY_BYTES]) -> Self {
        let digest = Sha256::new().chain_update(b"ohjaus secrets key id\0").chain_update(bytes).finalize();
        let id = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        Self { id, cipher: XChaCha20Poly1305::new(&Key::from(*bytes)) }
    }

    fn parse(base64: &str) -> Result<Self, SecretsError> {
        let bytes = BASE64.decode(base64.trim()).map_err(|_| SecretsError::BadKey)?;
        let bytes: [u8; KEY_BYTES] = bytes.try_into().map_err(|_| SecretsError::BadKey)?;
        Ok(Self::new(&bytes))
    }
}

/// The keys that seal and open secrets: the current one (which seals) and any previous ones
/// (which still open). Cheap to clone.
#[derive(Clone)]
pub struct SecretsKey {
    current: KeyEntry,
    previous: Vec<KeyEntry>,
}

impl SecretsKey {
    /// The current key and the previous ones, each 32 bytes in base64.
    pub fn from_base64(current: &str, previous: &[String]) -> Result<Self, SecretsError> {
        Ok(Self {
            current: KeyEntry::parse(current)?,
            previous: previous.iter().map(|k| KeyEntry::parse(k)).collect::<Result<_, _>>()?,
        })
    }

    /// A new random key, in base64 (for a key file made on first start).
    pub fn generate_base64() -> String {
        let mut bytes = [0_u8; KEY_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        BASE64.encode(bytes)
    }

    /// The id of the key that seals, as sealed values name it.
    pub fn id(&self) -> &str {
        &self.current.id
    }

    /// Seals `plaintext` for the place named by `binding`.
    pub fn seal(&self, plaintext: &str, binding: &str) -> String {
        let mut nonce = [0_u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .current
            .cipher
            .encrypt(&XNonce::from(nonce), Payload { msg: plaintext.as_bytes(), aad: binding.as_bytes() })
            .expect("XChaCha20-Poly1305 encrypts any message shorter than 256 GiB");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{VERSION}:{}:{}", self.current.id, BASE64.encode(bytes))
    }

    /// Opens a value sealed for `binding`.
    pub fn open(&self, sealed: &str, binding: &str) -> Result<String, SecretsError> {
        let mut parts = sealed.splitn(3, ':');
        let (Some(VERSION), Some(id), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(SecretsError::Malformed);
        };
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == id)
            .ok_or_else(|| SecretsError::UnknownKey(id.to_owned()))?;
        let bytes = BASE64.decode(body).map_err(|_| SecretsError::Malformed)?;
        if bytes.len() < NONCE_BYTES {
            return Err(SecretsError::Malformed);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| SecretsError::Malformed)?;
        let plain = key
            .cipher
            .decrypt(&XNonce::from(nonce), Payload { msg: ciphertext, aad: binding.as_bytes() })
            .map_err(|_| SecretsError::Tampered)?;
        String::from_utf8(plain).map_err(|_| SecretsError::Tampered)
    }
}

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Only the ids: a key never reaches a log.
        f.debug_struct("SecretsKey")
            .field("id", &self.current.id)
            .field("previous", &self.previous.iter().map(|k| k.id.as_str()).collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretsKey {
        SecretsKey::from_base64(&SecretsKey::generate_base64(), &[]).expect("a key")
    }

    #[test]
    fn a_sealed_value_opens_only_where_it_belongs() {
        let key = key();
        let sealed = key.seal("app-password-1234", "calendar-connection:1:password");
        assert!(sealed.starts_with(&format!("v1:{}:", key.id())));
        assert!(!sealed.contains("app-password"));
        assert_eq!(key.open(&sealed, "calendar-connection:1:password").as_deref(), Ok("app-password-1234"));
        assert_eq!(key.open(&sealed, "calendar-connection:2:password"), Err(SecretsError::Tampered));
        // The same plaintext seals differently each time (random nonces).
        assert_ne!(sealed, key.seal("app-password-1234", "calendar-connection:1:password"));
    }

    #[test]
    fn a_changed_value_or_another_key_is_refused() {
        let key = key();
        let sealed = key.seal("x", "b");
        let mut changed = sealed.clone().into_bytes();
        let last = changed.len() - 2;
        changed[last] = if changed[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(key.open(&String::from_utf8(changed).expect("text"), "b"), Err(SecretsError::Tampered));
        assert!(matches!(self::key().open(&sealed, "b"), Err(SecretsError::UnknownKey(_))));
        assert_eq!(key.open("plain text", "b"), Err(SecretsError::Malformed));
        assert_eq!(key.open("v1:abcd", "b"), Err(SecretsError::Malformed));
    }

    #[test]
    fn after_a_rotation_old_values_still_open() {
        let old = SecretsKey::generate_base64();
        let before = SecretsKey::from_base64(&old, &[]).expect("a key");
        let sealed = before.seal("s3cret", "webhook:1");
        let after = SecretsKey::from_base64(&SecretsKey::generate_base64(), &[old]).expect("keys");
        assert_eq!(after.open(&sealed, "webhook:1").as_deref(), Ok("s3cret"));
        assert!(after.seal("s3cret", "webhook:1").contains(after.id()));
    }

    #[test]
    fn bad_keys_are_named() {
        assert!(matches!(SecretsKey::from_base64("short", &[]), Err(SecretsError::BadKey)));
        assert!(matches!(SecretsKey::from_base64(&BASE64.encode([0_u8; 16]), &[]), Err(SecretsError::BadKey)));
        let debug = format!("{:?}", key());
        assert!(debug.contains("id") && debug.len() < 80, "{debug}");
    }
}
