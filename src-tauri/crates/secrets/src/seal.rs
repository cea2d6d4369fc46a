//! Sealed hand-off: credentials encrypted to the vendor's age X25519 public key (age-encryption.org/v1,
//! ASCII-armored), for vendors without a registration API. Only the holder of the vendor's identity
//! can read the result; the plaintext exists only in memory ([`Sensitive`]), never on disk.

use std::io::Write;
use std::str::FromStr;

use crate::error::{SecretsCode, SecretsError};
use crate::sensitive::Sensitive;

const FIX: &str = "the vendor profile's handoff.seal_to must be the vendor's age public key (age1…), exactly as the vendor publishes it";

/// Parses an age X25519 recipient (`age1…`).
pub fn recipient(s: &str) -> Result<age::x25519::Recipient, SecretsError> {
    age::x25519::Recipient::from_str(s.trim())
        .map_err(|_| SecretsError::invalid(SecretsCode::SealRecipient, "handoff.seal_to", "is not an age X25519 public key (age1…)", FIX))
}

/// Encrypts `plaintext` to `to` and armors it (`-----BEGIN AGE ENCRYPTED FILE-----`).
pub fn seal(to: &str, plaintext: &Sensitive<String>) -> Result<String, SecretsError> {
    let r = recipient(to)?;
    let failed =
        |what: &str| SecretsError::invalid(SecretsCode::SealFailed, "credentials.age", format!("could not be encrypted ({what})"), FIX);
    let encryptor = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient)).map_err(|_| failed("recipient"))?;
    let mut out = Vec::new();
    let armor = age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor).map_err(|_| failed("armor"))?;
    let mut w = encryptor.wrap_output(armor).map_err(|_| failed("stream"))?;
    w.write_all(plaintext.expose().as_bytes()).map_err(|_| failed("write"))?;
    w.finish().and_then(|armor| armor.finish()).map_err(|_| failed("finish"))?;
    String::from_utf8(out).map_err(|_| failed("armor text"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn sealed_text_opens_only_with_the_vendors_identity() {
        let vendor = age::x25519::Identity::generate();
        let other = age::x25519::Identity::generate();
        let secret = Sensitive::new("{\"password\":\"CANARY-seal\"}".to_string());
        let armored = seal(&vendor.to_public().to_string(), &secret).unwrap();
        assert!(armored.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"), "{armored}");
        assert!(!armored.contains("CANARY-seal"));
        let open = |id: &age::x25519::Identity| -> Option<String> {
            let reader = age::armor::ArmoredReader::new(armored.as_bytes());
            let d = age::Decryptor::new(reader).ok()?;
            let mut r = d.decrypt(std::iter::once(id as &dyn age::Identity)).ok()?;
            let mut s = String::new();
            r.read_to_string(&mut s).ok()?;
            Some(s)
        };
        assert_eq!(open(&vendor).as_deref(), Some(secret.expose().as_str()));
        assert_eq!(open(&other), None, "another identity cannot read it");
        for bad in ["", "age1", "ssh-ed25519 AAAA", "AGE-SECRET-KEY-1QQQ"] {
            assert_eq!(seal(bad, &secret).unwrap_err().code(), "secrets.seal.recipient", "{bad}");
        }
    }
}
