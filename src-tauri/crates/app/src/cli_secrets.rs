//! CLI: `trustbridge secrets set|status|delete`. The secret is read from stdin or a file — never
//! from the command line (argv is visible to every user of the machine and lands in shell history).
//! It goes straight into the OS keyring (`trustbridge-secrets`); only its fingerprint is printed.
//!
//! Exit codes (as in `cli.rs`): 0 ok, 1 failed (keyring unavailable, locked or failing), 2 invalid
//! (plan, arguments, or a secret that does not validate).

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use trustbridge_core::validate::Resolved;
use trustbridge_secrets::{SecretKind, SecretStore, SecretsError, Sensitive};

use crate::cli::{ProfileTrustArgs, EXIT_FAILED, EXIT_INVALID, EXIT_OK};

/// Which secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// A GCP service-account key file (JSON).
    Gcp,
    /// The JSON `az ad sp create-for-rbac` prints (appId, password, tenant).
    Azure,
    /// The key of the vendor's API (ML cube Platform), for `trustbridge register`.
    VendorApiKey,
}

impl From<Kind> for SecretKind {
    fn from(k: Kind) -> SecretKind {
        match k {
            Kind::Gcp => SecretKind::Gcp,
            Kind::Azure => SecretKind::Azure,
            Kind::VendorApiKey => SecretKind::VendorApiKey,
        }
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum SecretsCommand {
    /// Validate a secret against the plan and store it in the OS keyring. Reads it from --file, or
    /// from stdin (pipe it, or paste it and press Ctrl-D). Never from the command line.
    Set {
        #[arg(long, value_name = "PLAN")]
        plan: PathBuf,
        #[command(flatten)]
        trust: ProfileTrustArgs,
        #[arg(long, value_enum)]
        kind: Kind,
        /// Read the secret from this file (delete the file afterwards).
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// Show whether a secret is stored, and its fingerprint (key id, client_email / appId) — never the secret.
    Status {
        #[arg(long, value_name = "PLAN")]
        plan: PathBuf,
        #[command(flatten)]
        trust: ProfileTrustArgs,
        /// Only this kind (default: every cloud in the plan).
        #[arg(long, value_enum)]
        kind: Option<Kind>,
        #[arg(long)]
        json: bool,
    },
    /// Remove a stored secret (every keyring entry of it).
    Delete {
        #[arg(long, value_name = "PLAN")]
        plan: PathBuf,
        #[command(flatten)]
        trust: ProfileTrustArgs,
        #[arg(long, value_enum)]
        kind: Kind,
    },
}

pub fn run(cmd: SecretsCommand, out: &mut impl Write) -> i32 {
    let store = SecretStore::os();
    match cmd {
        SecretsCommand::Set { plan, trust, kind, file } => set(&store, &plan, &trust, kind.into(), file.as_deref(), out),
        SecretsCommand::Status { plan, trust, kind, json } => status(&store, &plan, &trust, kind.map(Into::into), json, out),
        SecretsCommand::Delete { plan, trust, kind } => delete(&store, &plan, &trust, kind.into(), out),
    }
}

/// Prints an error as `error[code]: message` and `fix: …`; the exit code for it.
fn report(e: &SecretsError) -> i32 {
    eprintln!("error[{}]: {}", e.code(), crate::cli_out::terminal_safe(&e.to_string()));
    if let Some(fix) = e.fix() {
        eprintln!("fix: {}", crate::cli_out::terminal_safe(&fix.to_string()));
    }
    match e {
        SecretsError::Invalid { .. } | SecretsError::BadIntegration { .. } | SecretsError::TooLarge { .. } => EXIT_INVALID,
        _ => EXIT_FAILED,
    }
}

fn need_section(r: &Resolved, kind: SecretKind) -> Result<(), i32> {
    match crate::verify_all::takes_secret(r, kind) {
        Ok(true) => Ok(()),
        Ok(false) if kind == SecretKind::VendorApiKey => {
            eprintln!("vendor profile '{}' has no registration API: there is no API key to store", r.profile.id);
            Err(EXIT_INVALID)
        }
        Ok(false) => {
            eprintln!("the plan has no '{}' section: add it (or choose {} in the wizard) first", kind.as_str(), kind.as_str());
            Err(EXIT_INVALID)
        }
        Err(keyless) => {
            eprintln!("{keyless}");
            Err(EXIT_INVALID)
        }
    }
}

/// Reads the secret from the file or stdin, at most 64 KiB, into a zeroizing buffer.
fn read_secret(file: Option<&Path>) -> Result<Sensitive<String>, i32> {
    const MAX: u64 = 64 * 1024;
    let mut raw = String::new();
    let res = match file {
        Some(f) => std::fs::File::open(f).and_then(|h| h.take(MAX + 1).read_to_string(&mut raw)),
        None => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                eprintln!("Paste the JSON, then press Ctrl-D (it is not echoed anywhere else and goes only to the OS keyring):");
            }
            stdin.lock().take(MAX + 1).read_to_string(&mut raw)
        }
    };
    let secret = Sensitive::trimmed(raw);
    if let Err(e) = res {
        let from = file.map_or("stdin".to_string(), |f| f.display().to_string());
        eprintln!("cannot read the secret from {from}: {}", e.kind());
        return Err(EXIT_INVALID);
    }
    if secret.expose().is_empty() {
        eprintln!("no secret was given: pipe it on stdin or pass --file FILE (never on the command line)");
        return Err(EXIT_INVALID);
    }
    if secret.expose().len() as u64 > MAX {
        return Err(report(&SecretsError::TooLarge { len: secret.expose().len(), max: MAX as usize }));
    }
    Ok(secret)
}

fn set(store: &SecretStore, plan: &Path, trust: &ProfileTrustArgs, kind: SecretKind, file: Option<&Path>, out: &mut impl Write) -> i32 {
    let r = match crate::cli::load_vendor(plan, trust) {
        Ok(r) => r,
        Err(c) => return c,
    };
    if let Err(c) = need_section(&r, kind) {
        return c;
    }
    let text = match read_secret(file) {
        Ok(t) => t,
        Err(c) => return c,
    };
    match crate::credentials::store(store, &r, kind, text, &trustbridge_cloud::vendor::VendorSettings::from_env()) {
        Ok(st) => {
            let _ = writeln!(out, "{st}");
            let _ = writeln!(out, "stored in the OS keyring (service '{}')", store.service());
            if let Some(f) = file {
                let _ = writeln!(out, "the file {} still holds the secret: delete it now (e.g. `shred -u {}`)", f.display(), f.display());
            }
            EXIT_OK
        }
        Err(e) => report(&e),
    }
}

fn status(store: &SecretStore, plan: &Path, trust: &ProfileTrustArgs, kind: Option<SecretKind>, json: bool, out: &mut impl Write) -> i32 {
    let r = match crate::cli::load_vendor(plan, trust) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let kinds: Vec<SecretKind> = match kind {
        Some(k) => vec![k],
        None => SecretKind::ALL
            .into_iter()
            .chain([SecretKind::VendorApiKey])
            .filter(|k| crate::verify_all::takes_secret(&r, *k) == Ok(true))
            .collect(),
    };
    let mut all = Vec::new();
    for k in kinds {
        match store.status(&r.plan.integration.name, k) {
            Ok(s) => all.push(s),
            Err(e) => return report(&e),
        }
    }
    if json {
        let _ = writeln!(out, "{}", crate::cli_out::json_text(&all));
    } else if all.is_empty() {
        let _ = writeln!(out, "the plan has no GCP or Azure section: nothing to store");
    } else {
        for s in &all {
            let _ = writeln!(out, "{s}");
        }
    }
    EXIT_OK
}

fn delete(store: &SecretStore, plan: &Path, trust: &ProfileTrustArgs, kind: SecretKind, out: &mut impl Write) -> i32 {
    let r = match crate::cli::load_vendor(plan, trust) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let name = &r.plan.integration.name;
    match store.delete(name, kind) {
        Ok(true) => {
            let _ = writeln!(out, "{name} {}: deleted from the OS keyring", kind.as_str());
            EXIT_OK
        }
        Ok(false) => {
            let _ = writeln!(out, "{name} {}: nothing was stored", kind.as_str());
            EXIT_OK
        }
        Err(e) => report(&e),
    }
}
