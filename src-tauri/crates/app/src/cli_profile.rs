//! CLI: `trustbridge profile sign|verify|keygen` — vendor profile files and their minisign
//! signatures. Thin: the work is in [`crate::profile_sign`] and `trustbridge_core::profile_trust`.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::{ProfileTrustArgs, EXIT_INVALID, EXIT_OK};
use crate::profile_sign::{self, Failure};

#[derive(Debug, clap::Subcommand)]
pub enum ProfileCommand {
    /// Sign a vendor profile file with your minisign secret key: checks the profile, then writes
    /// PROFILE.minisig next to it. Ship both files. The key's password comes from
    /// TRUSTBRIDGE_SIGNING_KEY_PASSWORD or the terminal.
    Sign {
        /// Your minisign secret key file (from `trustbridge profile keygen` or `minisign -G`).
        #[arg(long, value_name = "SECRET_KEY")]
        key: PathBuf,
        #[arg(value_name = "PROFILE")]
        profile: PathBuf,
    },
    /// Check a vendor profile file as a plan would load it: its signature (PROFILE.minisig) and its
    /// content. Prints who signed it; exit 2 when it would be refused.
    Verify {
        #[command(flatten)]
        trust: ProfileTrustArgs,
        #[arg(value_name = "PROFILE")]
        profile: PathBuf,
    },
    /// Make a key pair for signing profiles: DIR/trustbridge-profile.key (secret, encrypted with a
    /// password, 0600; keep it) and DIR/trustbridge-profile.pub (give it to your customers).
    Keygen {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

fn report(f: &Failure) -> i32 {
    eprintln!("error [{}]: {}", f.code, f.message);
    f.exit
}

pub fn run(cmd: ProfileCommand, out: &mut impl Write) -> i32 {
    match cmd {
        ProfileCommand::Sign { key, profile } => match profile_sign::sign_file(&profile, &key) {
            Ok(s) => {
                let _ = writeln!(out, "signed profile '{}' with key {}: wrote {}", s.profile_id, s.key_id, s.signature.display());
                EXIT_OK
            }
            Err(f) => report(&f),
        },
        ProfileCommand::Verify { trust, profile } => {
            let trust = match trust.load() {
                Ok(t) => t,
                Err(code) => return code,
            };
            match profile_sign::verify_file(&profile, &trust) {
                Ok((p, origin)) => {
                    let _ = writeln!(out, "{}: profile '{}' ({}), {origin}", profile.display(), p.id, p.display_name);
                    EXIT_OK
                }
                Err(e) => {
                    eprintln!("error [{}]: {}", e.code(), crate::cli_out::terminal_safe(&e.to_string()));
                    EXIT_INVALID
                }
            }
        }
        ProfileCommand::Keygen { out: dir } => match profile_sign::keygen(&dir) {
            Ok(k) => {
                let _ = writeln!(
                    out,
                    "key {}: secret key {} (keep it; never share it), public key {}",
                    k.key_id,
                    k.secret_key.display(),
                    k.public_key.display()
                );
                EXIT_OK
            }
            Err(f) => report(&f),
        },
    }
}
