//! External ids from the operating system's CSPRNG.

use crate::error::CoreError;

/// Alphabet: letters and digits only (a subset of what IAM allows), so ids survive copy-paste.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub const GENERATED_LEN: usize = 40;

/// A fresh external id: 40 characters from 62 symbols (≈238 bits), uniformly chosen by rejection.
pub fn generate() -> Result<String, CoreError> {
    let mut out = String::with_capacity(GENERATED_LEN);
    let mut buf = [0u8; 64];
    while out.len() < GENERATED_LEN {
        getrandom::fill(&mut buf).map_err(|e| CoreError::Random(e.to_string()))?;
        for b in buf {
            // 248 = 4 * 62: reject the top bytes so every symbol is equally likely.
            if b < 248 && out.len() < GENERATED_LEN {
                out.push(ALPHABET[(b % 62) as usize] as char);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn generated_ids_are_valid_and_distinct() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_eq!(a.len(), GENERATED_LEN);
        assert_ne!(a, b);
        assert!(crate::validate::rules::external_id(&a).is_ok());
    }
}
