//! `Sensitive<T>`: a secret value that is zeroized on drop, prints `<redacted>` and cannot be serialized.

use std::fmt;

use zeroize::Zeroize;

/// A secret. `Debug` prints `<redacted>`; there is no `Display` and no `Serialize` (so it cannot end
/// up in a log line, an error message, IPC or a file by accident); the memory is zeroized on drop.
/// Read it with [`Sensitive::expose`] at the one place that needs the value.
#[derive(Clone, Default)]
pub struct Sensitive<T: Zeroize>(T);

impl<T: Zeroize> Sensitive<T> {
    pub fn new(value: T) -> Sensitive<T> {
        Sensitive(value)
    }

    /// The secret itself. Keep the borrow short; never format it.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> From<T> for Sensitive<T> {
    fn from(value: T) -> Sensitive<T> {
        Sensitive(value)
    }
}

impl<T: Zeroize> Drop for Sensitive<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T: Zeroize + PartialEq> PartialEq for Sensitive<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

/// Receiving a secret (e.g. one field of a pasted key file) is allowed; sending one out is not.
impl<'de, T: Zeroize + serde::Deserialize<'de>> serde::Deserialize<'de> for Sensitive<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Sensitive)
    }
}

impl Sensitive<String> {
    /// Takes a line or file as typed or pasted: surrounding whitespace removed, the original zeroized.
    pub fn trimmed(mut raw: String) -> Sensitive<String> {
        let t = raw.trim().to_string();
        raw.zeroize();
        Sensitive(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_everywhere() {
        let s = Sensitive::new(String::from("hunter2"));
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&s)), "Some(<redacted>)");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            name: &'static str,
            secret: Sensitive<String>,
        }
        let h = Holder { name: "x", secret: s.clone() };
        assert!(!format!("{h:?}").contains("hunter2"));
        assert!(!format!("{h:#?}").contains("hunter2"));
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn deserializes_but_trimmed_zeroizes_the_original() {
        #[derive(serde::Deserialize)]
        struct K {
            password: Sensitive<String>,
        }
        let k: K = serde_json::from_str(r#"{"password":"p@ss"}"#).unwrap();
        assert_eq!(k.password.expose(), "p@ss");
        assert_eq!(Sensitive::trimmed("  abc \n".into()).expose(), "abc");
    }

    #[test]
    fn drop_zeroizes_in_place() {
        // Zeroize clears the buffer before it is freed; check through the public contract.
        let mut v = Sensitive::new(vec![1u8, 2, 3]);
        v.0.zeroize();
        assert!(v.expose().is_empty());
    }
}
