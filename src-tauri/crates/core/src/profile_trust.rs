//! Signed vendor profiles. A vendor profile *file* is trusted only when a detached
//! minisign signature next to it (`vendor.json.minisig`, Ed25519) verifies with a key this build
//! trusts: one of the keys compiled in from `data/profile-keys.json`, or one the user trusts for one
//! run (`--trust-profile-key vendor.pub`). Built-in profiles are compiled in and need no signature.
//!
//! | the file | outcome |
//! |---|---|
//! | signed by a trusted key, signature verifies | accepted; [`ProfileOrigin::Signed`] names the signer and key |
//! | no `.minisig` next to it | `profile.unsigned`: refused, unless `--allow-unsigned-profile` |
//! | signed by a key this build does not trust | `profile.unknown_key` (shows the key id): refused, unless `--allow-unsigned-profile` |
//! | signed by a trusted key, but the signature does not verify (file changed), or the `.minisig` is unreadable, malformed, legacy | `profile.bad_signature`: always refused |
//!
//! The signed bytes are the parsed bytes: the caller reads the profile once and passes that buffer
//! here and then to the parser. The signature's comments are never shown or relied on.
//! Signing (`trustbridge profile sign`) and key generation are here too, on text: the caller reads
//! and writes the files and asks for the password.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::CoreCode;
use serde::{Deserialize, Serialize};

/// The signature file is the profile file's name plus this (minisign's convention).
pub const SIGNATURE_SUFFIX: &str = ".minisig";
/// Largest `.minisig` read (a real one is about 300 bytes plus its trusted comment).
pub const MAX_SIGNATURE_BYTES: u64 = 4096;
/// Largest public or secret key file read.
pub const MAX_KEY_FILE_BYTES: u64 = 4096;
/// The flag that trusts one more public key for one run.
pub const TRUST_FLAG: &str = "--trust-profile-key";
/// The flag that accepts an unsigned or unknown-key profile file.
pub const ALLOW_FLAG: &str = "--allow-unsigned-profile";
/// Who accepted an unsigned or unknown-key profile file imported in the wizard: the person, in the
/// native dialog Rust raises (recorded as `allowed_by`).
pub const WIZARD_ALLOWED_BY: &str = "the person in Trustbridge's native confirmation dialog";

const BUILTIN_KEYS: &str = include_str!("../data/profile-keys.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysFile {
    #[allow(dead_code)]
    about: String,
    keys: Vec<KeyEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    vendor: String,
    key_id: String,
    public_key: String,
}

/// Where a trusted key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum KeySource {
    /// Compiled in (`data/profile-keys.json`).
    #[serde(rename = "built-in key list")]
    BuiltIn,
    /// `--trust-profile-key` for this run.
    #[serde(rename = "--trust-profile-key")]
    CommandLine,
}

/// A public key whose signature makes a profile file trusted.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    /// Who the key belongs to, as shown in SUMMARY.md (from the key list; never from the key file).
    pub vendor: String,
    /// minisign's key id: 16 upper-case hex digits, as in the `.pub` file's comment.
    pub key_id: String,
    pub source: KeySource,
    key: minisign_verify::PublicKey,
}

/// minisign shows a key id as the little-endian u64 of its 8 bytes, in hex.
fn key_id_hex(keynum: &[u8]) -> Result<String, String> {
    let bytes: [u8; 8] = keynum.try_into().map_err(|_| "a key id is 8 bytes".to_string())?;
    Ok(format!("{:016X}", u64::from_le_bytes(bytes)))
}

impl TrustedKey {
    /// A key from its base64 line (the second line of a minisign `.pub` file).
    fn from_base64(line: &str, vendor: &str, source: KeySource) -> Result<TrustedKey, String> {
        let line = line.trim();
        let bad = || "not a minisign public key (one base64 line of 56 characters, starting RW)".to_string();
        if line.len() != 56 {
            return Err(bad());
        }
        let key = minisign_verify::PublicKey::from_base64(line).map_err(|_| bad())?;
        let parsed = minisign::PublicKey::from_base64(line).map_err(|_| bad())?;
        Ok(TrustedKey { vendor: vendor.to_string(), key_id: key_id_hex(parsed.keynum())?, source, key })
    }

    /// The keys compiled into this build, or why the list is broken (a test keeps it whole).
    pub fn builtin_list() -> Result<Vec<TrustedKey>, String> {
        let file: KeysFile = serde_json::from_str(BUILTIN_KEYS).map_err(|e| format!("data/profile-keys.json: {e}"))?;
        let mut out: Vec<TrustedKey> = Vec::new();
        for (i, e) in file.keys.iter().enumerate() {
            let at = format!("data/profile-keys.json keys[{i}]");
            let mut errs = Vec::new();
            crate::profile::plain_text("vendor", &e.vendor, 80, &mut errs);
            if e.vendor.chars().any(|c| "`*_[]<>|#\\".contains(c)) {
                errs.push("vendor: no Markdown characters".into());
            }
            if let Some(err) = errs.first() {
                return Err(format!("{at}: {err}"));
            }
            let k = TrustedKey::from_base64(&e.public_key, &e.vendor, KeySource::BuiltIn).map_err(|m| format!("{at}.public_key: {m}"))?;
            if k.key_id != e.key_id {
                return Err(format!("{at}.key_id: '{}' is not the public key's id {}", crate::validate::show_value(&e.key_id), k.key_id));
            }
            if out.iter().any(|o| o.key_id == k.key_id) {
                return Err(format!("{at}: key {} is listed twice", k.key_id));
            }
            out.push(k);
        }
        Ok(out)
    }

    /// The compiled-in keys. A broken list trusts nothing (fails closed); a test keeps it whole.
    pub fn builtins() -> Vec<TrustedKey> {
        TrustedKey::builtin_list().unwrap_or_default()
    }

    /// A key the user trusts for this run, from the text of a minisign public key file (its
    /// `untrusted comment:` line, then the base64 line) or the base64 line alone. The comment is
    /// ignored: the key is shown by its id only.
    pub fn from_public_key_text(text: &str) -> Result<TrustedKey, String> {
        let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let line = match lines.as_slice() {
            [key] => key,
            [comment, key] if comment.starts_with("untrusted comment:") => key,
            _ => {
                return Err("not a minisign public key file ('untrusted comment: …' and one base64 line of 56 characters)".into());
            }
        };
        TrustedKey::from_base64(line, "a key trusted on the command line", KeySource::CommandLine)
    }

    /// [`TrustedKey::from_public_key_text`] of a file: a regular file of at most
    /// [`MAX_KEY_FILE_BYTES`], read once. Errors name the file, never its content.
    pub fn from_file(path: &Path) -> Result<TrustedKey, String> {
        let bytes = crate::profile::read_small_bytes(path, MAX_KEY_FILE_BYTES).map_err(|e| e.to_string())?;
        let text = std::str::from_utf8(&bytes).map_err(|_| format!("{}: not a minisign public key (not text)", path.display()))?;
        TrustedKey::from_public_key_text(text).map_err(|m| format!("{}: {m}", path.display()))
    }
}

/// Which profile files this run accepts.
#[derive(Debug, Clone)]
pub struct ProfileTrust {
    /// The compiled-in keys and any trusted for this run.
    pub keys: Vec<TrustedKey>,
    /// `--allow-unsigned-profile`: a file without a signature, or signed by an unknown key, is used
    /// (and recorded as UNSIGNED). A signature that does not verify is refused all the same.
    pub allow_unsigned: bool,
}

impl Default for ProfileTrust {
    /// The compiled-in keys; nothing unsigned.
    fn default() -> ProfileTrust {
        ProfileTrust { keys: TrustedKey::builtins(), allow_unsigned: false }
    }
}

impl ProfileTrust {
    /// The compiled-in keys plus `extra` (built-in entries win for a key listed in both).
    pub fn new(extra: Vec<TrustedKey>, allow_unsigned: bool) -> ProfileTrust {
        let mut keys = TrustedKey::builtins();
        for k in extra {
            if !keys.iter().any(|b| b.key_id == k.key_id) {
                keys.push(k);
            }
        }
        ProfileTrust { keys, allow_unsigned }
    }
}

/// Why a profile file was used without a verified signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnsignedReason {
    NoSignature,
    UnknownKey,
}

/// Where the vendor profile of an export came from; SUMMARY.md and handoff.json record it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "origin", rename_all = "kebab-case")]
pub enum ProfileOrigin {
    /// Compiled into this build.
    BuiltIn,
    /// A file whose signature verified with a trusted key.
    Signed { signer: String, key_id: String, trusted_by: KeySource },
    /// A file used without a verified signature, because the user allowed it.
    Unsigned {
        reason: UnsignedReason,
        /// The key that signed it (not trusted), for an unknown key.
        #[serde(skip_serializing_if = "Option::is_none")]
        key_id: Option<String>,
        allowed_by: &'static str,
    },
}

impl fmt::Display for ProfileOrigin {
    /// `built-in`, `signed by <vendor> (key <id>)`, or `UNSIGNED — allowed by --allow-unsigned-profile (…)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProfileOrigin::BuiltIn => write!(f, "built-in"),
            ProfileOrigin::Signed { signer, key_id, .. } => write!(f, "signed by {signer} (key {key_id})"),
            ProfileOrigin::Unsigned { reason: UnsignedReason::NoSignature, allowed_by, .. } => {
                write!(f, "UNSIGNED — allowed by {allowed_by} (no signature)")
            }
            ProfileOrigin::Unsigned { key_id, allowed_by, .. } => {
                write!(f, "UNSIGNED — allowed by {allowed_by} (signed by unknown key {})", key_id.as_deref().unwrap_or("?"))
            }
        }
    }
}

/// Why a profile file's signature refuses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureProblem {
    /// No `.minisig` next to the file.
    Unsigned { signature_file: String },
    /// Signed by a key this build does not trust.
    UnknownKey { key_id: String },
    /// The signature does not verify, or cannot be read. Never allowed.
    Bad { reason: String },
}

impl SignatureProblem {
    pub fn error_code(&self) -> CoreCode {
        match self {
            SignatureProblem::Unsigned { .. } => CoreCode::ProfileUnsigned,
            SignatureProblem::UnknownKey { .. } => CoreCode::ProfileUnknownKey,
            SignatureProblem::Bad { .. } => CoreCode::ProfileBadSignature,
        }
    }

    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// The rule, in plain language (one line).
    pub fn message(&self) -> String {
        match self {
            SignatureProblem::Unsigned { signature_file } => {
                format!("the vendor profile file is not signed: there is no {signature_file} next to it")
            }
            SignatureProblem::UnknownKey { key_id } => {
                format!("the vendor profile file is signed by key {key_id}, which this build does not trust")
            }
            SignatureProblem::Bad { reason } => format!("the vendor profile file's signature is not valid: {reason}"),
        }
    }

    pub fn fix(&self) -> String {
        match self {
            SignatureProblem::Unsigned { .. } => format!(
                "ask the vendor for the signed profile (the .json with its .minisig, made by `trustbridge profile sign`); to use this file unsigned after checking where it came from, pass {ALLOW_FLAG}"
            ),
            SignatureProblem::UnknownKey { key_id } => format!(
                "if {key_id} is the vendor's key (compare it with the key id the vendor publishes), pass {TRUST_FLAG} <the vendor's .pub file>; or, after checking where the file came from, {ALLOW_FLAG}"
            ),
            SignatureProblem::Bad { .. } => format!(
                "get the profile and its .minisig from the vendor again: a signature that fails means the file was changed after it was signed, or the signature is damaged or another file's ({ALLOW_FLAG} never accepts it)"
            ),
        }
    }
}

/// The signature file of a profile file: `vendor.json` → `vendor.json.minisig`.
pub fn signature_path(profile: &Path) -> PathBuf {
    let mut s = profile.as_os_str().to_owned();
    s.push(SIGNATURE_SUFFIX);
    PathBuf::from(s)
}

/// Reads the signature next to `profile`: `Ok(None)` when there is none (nothing at that path),
/// `Err` when something is there but cannot be read as a small regular file (a FIFO, a device, a
/// folder, a dangling link, too large): that is a bad signature, not a missing one.
pub fn read_signature(profile: &Path) -> Result<Option<Vec<u8>>, SignatureProblem> {
    let path = signature_path(profile);
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        _ => {}
    }
    crate::profile::read_small_bytes(&path, MAX_SIGNATURE_BYTES).map(Some).map_err(|e| SignatureProblem::Bad { reason: e.to_string() })
}

/// Checks `data` (the profile file's bytes, exactly as they will be parsed) against its signature.
/// `signature`: the `.minisig` file's bytes, `None` when there is none; `signature_file` names it in
/// messages.
pub fn check_signature(
    data: &[u8],
    signature: Option<&[u8]>,
    signature_file: &str,
    trust: &ProfileTrust,
) -> Result<ProfileOrigin, SignatureProblem> {
    let Some(raw) = signature else {
        return if trust.allow_unsigned {
            Ok(ProfileOrigin::Unsigned { reason: UnsignedReason::NoSignature, key_id: None, allowed_by: ALLOW_FLAG })
        } else {
            Err(SignatureProblem::Unsigned { signature_file: signature_file.to_string() })
        };
    };
    let bad = |reason: &str| SignatureProblem::Bad { reason: format!("{signature_file}: {reason}") };
    let text = std::str::from_utf8(raw).map_err(|_| bad("not a minisign signature (not text)"))?;
    // minisign-verify checks every length (the signature is 74 bytes, the global signature 64);
    // minisign's parser then gives the key id.
    let sig = minisign_verify::Signature::decode(text).map_err(|_| bad("not a minisign signature"))?;
    let boxed = minisign::SignatureBox::from_string(text).map_err(|_| bad("not a minisign signature"))?;
    let key_id = key_id_hex(boxed.keynum()).map_err(|m| bad(&m))?;
    let Some(key) = trust.keys.iter().find(|k| k.key_id == key_id) else {
        return if trust.allow_unsigned {
            Ok(ProfileOrigin::Unsigned { reason: UnsignedReason::UnknownKey, key_id: Some(key_id), allowed_by: ALLOW_FLAG })
        } else {
            Err(SignatureProblem::UnknownKey { key_id })
        };
    };
    if !boxed.is_prehashed() {
        return Err(bad("a legacy (not pre-hashed) minisign signature; sign again with `trustbridge profile sign` or a current minisign"));
    }
    key.key
        .verify(data, &sig, false)
        .map_err(|_| bad(&format!("it does not match the file's content for key {key_id} (the file was changed after it was signed)")))?;
    Ok(ProfileOrigin::Signed { signer: key.vendor.clone(), key_id, trusted_by: key.source })
}

/// A new signing key pair, as the text of minisign's `.pub` and `.key` files.
pub struct NewKeyPair {
    pub key_id: String,
    pub public_key_file: String,
    /// The secret key (encrypted with the password when one was given). Write it 0600 and keep it
    /// with the vendor; never print it.
    pub secret_key_file: String,
}

impl fmt::Debug for NewKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NewKeyPair {{ key_id: {}, secret: <redacted> }}", self.key_id)
    }
}

/// Generates a minisign key pair; the secret key is encrypted with `password` (scrypt, minisign's
/// parameters) when given, else stored unencrypted (minisign's `-W`).
pub fn generate_key_pair(password: Option<String>) -> Result<NewKeyPair, String> {
    let failed = |what: &str| format!("could not generate a key pair: {what}");
    let pair = match password {
        Some(pw) => minisign::KeyPair::generate_encrypted_keypair(Some(pw)),
        None => minisign::KeyPair::generate_unencrypted_keypair(),
    }
    .map_err(|_| failed("the system random source or key derivation failed"))?;
    let key_id = key_id_hex(pair.pk.keynum())?;
    let public_key_file = pair.pk.to_box().map_err(|_| failed("public key"))?.to_string();
    let secret_key_file =
        pair.sk.to_box(Some(&format!("trustbridge profile-signing secret key {key_id}"))).map_err(|_| failed("secret key"))?.to_string();
    Ok(NewKeyPair { key_id, public_key_file, secret_key_file })
}

/// Whether the text of a minisign secret key file is password-protected; `Err` when it is not a
/// minisign secret key at all (so no password is asked for garbage). Never echoes the text.
pub fn secret_key_is_encrypted(secret_key_file: &str) -> Result<bool, String> {
    let not_a_key = || "not a minisign secret key file ('untrusted comment: …' and one base64 line)".to_string();
    let mut lines = secret_key_file.lines();
    let (Some(comment), Some(key)) = (lines.next(), lines.next()) else { return Err(not_a_key()) };
    // 158 bytes: algorithms, salt, scrypt limits, key id, key, checksum.
    let key = key.trim();
    if !comment.starts_with("untrusted comment:")
        || key.len() != 212
        || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
    {
        return Err(not_a_key());
    }
    // The first 6 bytes, in base64: signature algorithm `Ed`, key derivation (`Sc` scrypt, or none),
    // checksum algorithm `B2`.
    match &key[..8] {
        "RWRTY0Iy" => Ok(true),
        "RWQAAEIy" => Ok(false),
        _ => Err("not a minisign secret key this version reads (Ed25519, scrypt or no encryption, BLAKE2b checksum)".into()),
    }
}
/// A signature made by [`sign`].
pub struct Signed {
    /// The `.minisig` file's text.
    pub signature_file: String,
    pub key_id: String,
}

/// Signs `data` (a profile file's bytes) with a minisign secret key (the key file's text; `password`
/// for an encrypted one). The signature is checked with the key's public half before it is returned.
/// Errors never quote the key or the password.
pub fn sign(data: &[u8], secret_key_file: &str, password: Option<String>, trusted_comment: &str) -> Result<Signed, String> {
    if trusted_comment.contains(['\n', '\r']) {
        return Err("the trusted comment must be one line".into());
    }
    let encrypted = secret_key_is_encrypted(secret_key_file)?;
    let boxed = minisign::SecretKeyBox::from_string(secret_key_file).map_err(|_| "not a minisign secret key file".to_string())?;
    let sk = match (encrypted, password) {
        (false, _) => boxed.into_unencrypted_secret_key().map_err(|_| {
            "the unencrypted secret key fails its checksum (minisign 0.11 writes `-W` keys without one): use a password-protected key (`trustbridge profile keygen`, `minisign -G`)".to_string()
        })?,
        (true, Some(pw)) => {
            boxed.into_secret_key(Some(pw)).map_err(|_| "wrong password for this secret key (or the key is corrupted)".to_string())?
        }
        (true, None) => return Err("the secret key is password-protected and no password was given".into()),
    };
    let pk = minisign::PublicKey::from_secret_key(&sk).map_err(|_| "the secret key is corrupted".to_string())?;
    let key_id = key_id_hex(pk.keynum())?;
    let untrusted = format!("signature from trustbridge profile sign, key {key_id}");
    let sig = minisign::sign(Some(&pk), &sk, std::io::Cursor::new(data), Some(trusted_comment), Some(&untrusted))
        .map_err(|_| "signing failed (the key may be corrupted)".to_string())?;
    Ok(Signed { signature_file: sig.into_string(), key_id })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> NewKeyPair {
        generate_key_pair(None).unwrap()
    }

    fn trust_with(k: &NewKeyPair, allow: bool) -> ProfileTrust {
        ProfileTrust::new(vec![TrustedKey::from_public_key_text(&k.public_key_file).unwrap()], allow)
    }

    const DATA: &[u8] = b"{\"format\": 1}\n";

    #[test]
    fn the_compiled_in_key_list_is_whole() {
        // Empty today (no vendor has published a key); every entry added later is checked here.
        let keys = TrustedKey::builtin_list().unwrap();
        assert!(keys.iter().all(|k| k.source == KeySource::BuiltIn));
        assert_eq!(keys.len(), TrustedKey::builtins().len());
    }

    #[test]
    fn a_list_entry_is_checked() {
        let k = pair();
        let line = k.public_key_file.lines().nth(1).unwrap();
        let ok = TrustedKey::from_base64(line, "Acme ML", KeySource::BuiltIn).unwrap();
        assert_eq!(ok.key_id, k.key_id);
        assert!(k.public_key_file.contains(&k.key_id), "the .pub comment shows the id: {}", k.public_key_file);
        assert!(TrustedKey::from_base64("RWQ", "x", KeySource::BuiltIn).is_err());
        assert!(TrustedKey::from_base64(&"A".repeat(56), "x", KeySource::BuiltIn).is_err());
    }

    #[test]
    fn signed_by_a_trusted_key_is_accepted_and_names_the_signer() {
        let k = pair();
        let s = sign(DATA, &k.secret_key_file, None, "trustbridge vendor profile acme").unwrap();
        assert_eq!(s.key_id, k.key_id);
        let o = check_signature(DATA, Some(s.signature_file.as_bytes()), "v.json.minisig", &trust_with(&k, false)).unwrap();
        assert_eq!(
            o,
            ProfileOrigin::Signed {
                signer: "a key trusted on the command line".into(),
                key_id: k.key_id.clone(),
                trusted_by: KeySource::CommandLine
            }
        );
    }

    #[test]
    fn one_changed_byte_is_a_bad_signature_even_when_unsigned_is_allowed() {
        let k = pair();
        let s = sign(DATA, &k.secret_key_file, None, "c").unwrap();
        let mut changed = DATA.to_vec();
        changed[2] ^= 1;
        for allow in [false, true] {
            let e = check_signature(&changed, Some(s.signature_file.as_bytes()), "v.json.minisig", &trust_with(&k, allow)).unwrap_err();
            assert_eq!(e.code(), "profile.bad_signature");
        }
        // The signature's own lines changed: the trusted comment, or the global signature cut short
        // (minisign's own verifier would panic on that one; the strict decoder refuses it first).
        let comment = s.signature_file.replace("trusted comment: c", "trusted comment: d");
        let mut lines: Vec<String> = s.signature_file.lines().map(String::from).collect();
        lines[3].truncate(20);
        for sig in [comment, lines.join("\n")] {
            let e = check_signature(DATA, Some(sig.as_bytes()), "v.json.minisig", &trust_with(&k, true)).unwrap_err();
            assert_eq!(e.code(), "profile.bad_signature", "{sig}");
        }
    }

    #[test]
    fn unknown_key_and_no_signature_are_refused_unless_allowed() {
        let signer = pair();
        let other = pair();
        let s = sign(DATA, &signer.secret_key_file, None, "c").unwrap();
        let e = check_signature(DATA, Some(s.signature_file.as_bytes()), "v.json.minisig", &trust_with(&other, false)).unwrap_err();
        assert_eq!(e, SignatureProblem::UnknownKey { key_id: signer.key_id.clone() });
        assert!(e.message().contains(&signer.key_id) && e.fix().contains(TRUST_FLAG));
        let o = check_signature(DATA, Some(s.signature_file.as_bytes()), "v.json.minisig", &trust_with(&other, true)).unwrap();
        assert_eq!(o.to_string(), format!("UNSIGNED — allowed by --allow-unsigned-profile (signed by unknown key {})", signer.key_id));
        let e = check_signature(DATA, None, "v.json.minisig", &ProfileTrust::default()).unwrap_err();
        assert_eq!((e.code(), e.message().contains("v.json.minisig")), ("profile.unsigned", true));
        let o = check_signature(DATA, None, "v.json.minisig", &ProfileTrust { keys: vec![], allow_unsigned: true }).unwrap();
        assert_eq!(o.to_string(), "UNSIGNED — allowed by --allow-unsigned-profile (no signature)");
    }

    #[test]
    fn garbage_signatures_are_clean_errors() {
        let k = pair();
        let t = trust_with(&k, true);
        let good = sign(DATA, &k.secret_key_file, None, "c").unwrap().signature_file;
        let cases: Vec<Vec<u8>> = vec![
            vec![],
            b"\xff\xfe".to_vec(),
            b"untrusted comment: x\n".to_vec(),
            b"untrusted comment: x\nRWQ\ntrusted comment: y\nAAAA\n".to_vec(),
            good.replace("trusted comment:", "comment:").into_bytes(),
            vec![b'A'; 4096],
        ];
        for c in cases {
            let e = check_signature(DATA, Some(&c), "v.json.minisig", &t).unwrap_err();
            assert_eq!(e.code(), "profile.bad_signature", "{c:?}");
            assert!(!e.message().contains('\n'));
        }
    }

    #[test]
    fn public_key_files_are_untrusted_input() {
        let k = pair();
        assert_eq!(TrustedKey::from_public_key_text(&k.public_key_file).unwrap().key_id, k.key_id);
        assert_eq!(TrustedKey::from_public_key_text(k.public_key_file.lines().nth(1).unwrap()).unwrap().key_id, k.key_id);
        for bad in ["", "hello", &k.secret_key_file, "untrusted comment: x\nRWQ\nmore\n"] {
            let e = TrustedKey::from_public_key_text(bad).unwrap_err();
            assert!(e.contains("not a minisign public key"), "{e}");
            assert!(!e.contains(k.secret_key_file.lines().nth(1).unwrap()), "never echoes the key");
        }
    }

    #[test]
    fn encrypted_keys_need_their_password() {
        let k = generate_key_pair(Some("correct horse".into())).unwrap();
        assert!(secret_key_is_encrypted(&k.secret_key_file).unwrap());
        assert!(!secret_key_is_encrypted(&pair().secret_key_file).unwrap());
        assert!(secret_key_is_encrypted("untrusted comment: x\nnot a key\n").is_err());
        let e = sign(DATA, &k.secret_key_file, Some("wrong".into()), "c").err().unwrap();
        assert!(e.contains("wrong password") && !e.contains("wrong\"") && !e.contains(&k.secret_key_file), "{e}");
        assert!(sign(DATA, &k.secret_key_file, None, "c").is_err());
        let s = sign(DATA, &k.secret_key_file, Some("correct horse".into()), "c").unwrap();
        let t = ProfileTrust::new(vec![TrustedKey::from_public_key_text(&k.public_key_file).unwrap()], false);
        assert!(check_signature(DATA, Some(s.signature_file.as_bytes()), "s", &t).is_ok());
    }
}
