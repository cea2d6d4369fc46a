//! The one catalogue of error codes: every code any part of Trustbridge reports, who owns it, and
//! what to do about it in general. Each crate declares its own codes as an enum, one line per code
//! with its string and a generic fix (`CoreCode`, `CloudCode`, the probes' `Code` = cloud × kind,
//! `SecretsCode`, and here [`AppCode`] for what the app layer and the window's commands raise and
//! [`UiCode`] for the few the window itself raises); a field's validation problem is
//! `validation.<field path>`, one documented family. An error's own `fix()` stays the advice for
//! the case at hand; the catalogue's fix is the general one (`trustbridge errors`).
//!
//! [`ErrorCode`] is the code an [`crate::ipc::IpcError`] carries: typed here, a string on the
//! wire, and in TypeScript the union of every literal code plus `` `validation.${string}` ``
//! (`ErrorCode.ts`, generated beside the other bindings), so the window's message table must name
//! every code.

use std::path::PathBuf;

use serde::Serialize;
use trustbridge_cloud::probe::{Code, ProbeCode};
use trustbridge_cloud::CloudCode;
use trustbridge_core::error::{CoreCode, VALIDATION_FIX, VALIDATION_PREFIX};
use trustbridge_core::guardrail::GuardCode;
use trustbridge_core::lint::LintCode;
use trustbridge_secrets::SecretsCode;

trustbridge_core::error_codes! {
    /// The codes the app layer and the window's commands raise themselves.
    pub enum AppCode {
        ExportFolder = "export.folder" => "Choose a folder whose path is plain text (UTF-8).",
        ExportLintErrors = "export.lint_errors" => "Change the answers so that the policy checks find no error, then export again; nothing was written.",
        ExportCancelled = "export.cancelled" => "Nothing was written because the export was cancelled in the confirmation: export again and confirm.",
        ApplyLintErrors = "apply.lint_errors" => "Change the answers so that the policy checks find no error, then apply again; nothing was applied.",
        OrgEngineMismatch = "org.engine_mismatch" => "The page and the plan's engine differ: go back to the accounts question, choose how the role reaches the accounts, and continue from there.",
        OrgWorkFailed = "org.work_failed" => "Run it again: accounts that are done are left as they are; if it keeps stopping, run `trustbridge apply --plan <file>` to see each account's log.",
        OrgTooManyForWindow = "org.too_many_for_window" => "Apply at most 50 accounts from the window at a time (choose fewer accounts, or split the plan), or run `trustbridge apply --plan <file>`, which has no dialog to fit them in.",
        OrgUnknownAccount = "org.unknown_account" => "Retry only accounts the plan lists: the page's list of failed accounts is out of date; apply again.",
        ApplyCancelled = "apply.cancelled" => "Nothing was applied because the apply was cancelled in the confirmation: apply again and confirm.",
        RevokeCancelled = "revoke.cancelled" => "Nothing was removed because the confirmation was cancelled: choose Remove access again and confirm.",
        OpenFailed = "open.failed" => "Open the address in a browser yourself: no browser could be started.",
        OpenNoPlan = "open.no_plan" => "Answer the Azure questions first: the admin-consent page is built from the plan.",
        OpenNotKeyless = "open.not_keyless" => "Choose keyless Azure access (the vendor's app, admin consent) to use the admin-consent page.",
        OpenNotAllowed = "open.not_allowed" => "Trustbridge opens only the AWS, Google Cloud and Azure consoles and sign-in pages on its allowlist.",
        SsoCancelled = "aws.sso_cancelled" => "Nothing to do: the sign-in was cancelled (or replaced by a newer one); start it again when you want to.",
        SignInUnavailable = "sign_in.unavailable" => "The vendor profile offers no sign-in from Trustbridge for this cloud: sign this computer in with the cloud's own tool (gcloud or the Azure CLI), or export the files and run them in the cloud's browser shell.",
        SignInNotStarted = "sign_in.not_started" => "Start the sign-in again: none is under way (it finished, was cancelled, or the app restarted).",
        SignInCancelled = "sign_in.cancelled" => "Nothing to do: the sign-in was cancelled (or replaced by a newer one); start it again when you want to.",
        SsoNotStarted = "aws.sso_not_started" => "Start the AWS access portal sign-in again: none is under way (it finished, expired, or the app restarted).",
        DialogFailed = "dialog.failed" => "Try again; if the picker keeps failing, type the folder's full path instead.",
        ProfileImportCancelled = "profile.import_cancelled" => "Choose the vendor profile file in the file picker (or choose a built-in vendor).",
        ProfileAcceptCancelled = "profile.accept_cancelled" => "The vendor profile file stays unused: accept it in the confirmation, or choose another vendor.",
        ProfileNotImported = "profile.not_imported" => "Import the vendor profile file again (Use a vendor profile file…).",
        ProfileIo = "profile.io" => "Check that the file or folder named exists and that you may read and write it, then run the command again.",
        ProfileNoPassword = "profile.no_password" => "Give the signing key's password: type it at the terminal, or set TRUSTBRIDGE_SIGNING_KEY_PASSWORD in scripts.",
        ProfileBadKey = "profile.bad_key" => "Give the minisign secret key file made by `trustbridge profile keygen`, and its password.",
        ProfileKeyExists = "profile.key_exists" => "Choose an empty folder: keygen never overwrites a key.",
        CredentialsKind = "credentials.kind" => "Store a GCP key ('gcp'), an Azure client secret ('azure') or the vendor's API key ('vendor-api-key').",
        CredentialsNoRegistration = "credentials.no_registration" => "Nothing to store: this vendor has no registration API, so there is no API key.",
        CredentialsNoSection = "credentials.no_section" => "Add the cloud to the plan first: there is no section for these credentials.",
        CredentialsKeyless = "credentials.keyless" => "Nothing to store: the plan's access to this cloud is keyless.",
        CredentialsCancelled = "credentials.cancelled" => "Nothing was created because the confirmation was cancelled: choose Create in it to make the key or secret.",
        CredentialsEmpty = "credentials.empty" => "Paste the JSON or choose the file first.",
        RegisterCloud = "register.cloud" => "Register the clouds 'aws', 'gcp' or 'azure'.",
        DraftSecret = "draft.secret" => "Nothing was saved: a field is named like a secret, and secrets never go to disk.",
        DraftSecretValue = "draft.secret_value" => "Nothing was saved: remove what looks like a key or secret from the field named; keys go in the Credentials step.",
        DraftInvalid = "draft.invalid" => "The answers could not be saved as a draft: go on, and report it if it persists.",
        DraftTooLarge = "draft.too_large" => "The answers are over 1 MiB: remove long values you do not need.",
        DraftIo = "draft.io" => "The draft could not be written to the app's data folder: check free space and its permissions.",
        SealNoVendorKey = "seal.no_vendor_key" => "Export without sealing and give the credentials to the vendor as it asks, or use a vendor profile with a public key for sealing.",
        SealNothingToSeal = "seal.nothing_to_seal" => "Export without sealing: no cloud in the plan signs in with a stored key or secret.",
        SealFailed = "seal.failed" => "The credentials could not be put together for sealing: try again, and report it if it persists.",
        SealStoredNotJson = "seal.stored_not_json" => "Store the credentials again (`trustbridge secrets set --plan … --kind …`).",
    }
}

trustbridge_core::error_codes! {
    /// The codes the window raises itself, never Rust: in the catalogue so that the generated
    /// `ErrorCode` names them and the window's message table covers them.
    pub enum UiCode {
        IpcUnavailable = "ipc.unavailable" => "Open the Trustbridge app: the page is not running inside it, so it cannot reach its engine.",
        IpcUnknown = "ipc.unknown" => "Try again; if it persists, restart Trustbridge and report the message shown.",
        ExportFolderMissing = "export.folder_missing" => "Type the folder to export to, or choose one.",
        ExportFolderNotAbsolute = "export.folder_not_absolute" => "Type the full path of the folder, starting with /, or choose one.",
    }
}

/// Who raises a code (and where to change it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Owner {
    #[serde(rename = "trustbridge-core")]
    Core,
    /// A field's problem in validation (`core/src/validate`).
    #[serde(rename = "trustbridge-core (validation)")]
    Validation,
    #[serde(rename = "trustbridge-cloud")]
    Cloud,
    /// A Google Cloud or Azure connectivity probe (`cloud/src/probe.rs`).
    #[serde(rename = "trustbridge-cloud (probe)")]
    Probe,
    #[serde(rename = "trustbridge-secrets")]
    Secrets,
    #[serde(rename = "trustbridge-app")]
    App,
    /// The window (`ui/`); Rust never raises these.
    #[serde(rename = "ui")]
    Ui,
    /// A finding of the offline policy lint (`core/src/lint.rs`): shown with its own message and
    /// fix on Check your answers and by `export` / `apply`; not an error.
    #[serde(rename = "trustbridge-core (lint)")]
    Lint,
    /// A finding of the guardrail pre-flight (`core/src/guardrail/`, read by the cloud crate):
    /// shown before apply and by `preflight`; not an error (a blocking one makes `apply` refuse).
    #[serde(rename = "trustbridge-core (pre-flight)")]
    Preflight,
}

impl Owner {
    pub fn as_str(self) -> &'static str {
        match self {
            Owner::Core => "trustbridge-core",
            Owner::Validation => "trustbridge-core (validation)",
            Owner::Cloud => "trustbridge-cloud",
            Owner::Probe => "trustbridge-cloud (probe)",
            Owner::Secrets => "trustbridge-secrets",
            Owner::App => "trustbridge-app",
            Owner::Ui => "ui",
            Owner::Lint => "trustbridge-core (lint)",
            Owner::Preflight => "trustbridge-core (pre-flight)",
        }
    }

    /// A finding's code (lint, pre-flight), not an error's.
    pub fn is_finding(self) -> bool {
        matches!(self, Owner::Lint | Owner::Preflight)
    }
}

/// One line of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The code; for the one family, `validation.<field path>`.
    pub code: &'static str,
    /// True for the `validation.<field path>` family (any field path after the prefix).
    pub family: bool,
    pub owner: Owner,
    /// What to do about it in general, in plain language (the CLI's words).
    pub fix: &'static str,
    /// The same for a person in the window, where nothing can be typed into a terminal; `None`
    /// for a code only the CLI raises (profile signing).
    pub window_fix: Option<&'static str>,
}

/// How the validation family is written in the catalogue.
pub const VALIDATION_FAMILY: &str = "validation.<field path>";

/// Every code: core, the validation family, cloud, the probes (each kind on each cloud that
/// reports it), secrets, the app layer, the window.
pub fn catalogue() -> Vec<Entry> {
    let one = |code: &'static str, owner: Owner, fix: &'static str, window_fix: Option<&'static str>| Entry {
        code,
        family: false,
        owner,
        fix,
        window_fix,
    };
    let mut all = Vec::new();
    all.extend(CoreCode::ALL.iter().map(|c| one(c.as_str(), Owner::Core, c.fix(), Some(core_window_fix(*c)))));
    all.push(Entry {
        code: VALIDATION_FAMILY,
        family: true,
        owner: Owner::Validation,
        fix: VALIDATION_FIX,
        window_fix: Some(VALIDATION_FIX),
    });
    all.extend(CloudCode::ALL.iter().map(|c| one(c.as_str(), Owner::Cloud, c.fix(), Some(c.window_fix()))));
    all.extend(Code::all().map(|c| one(c.as_str(), Owner::Probe, c.fix(), Some(probe_window_fix(c)))));
    all.extend(SecretsCode::ALL.iter().map(|c| one(c.as_str(), Owner::Secrets, c.fix(), Some(secrets_window_fix(*c)))));
    all.extend(AppCode::ALL.iter().map(|c| one(c.as_str(), Owner::App, c.fix(), app_window_fix(*c))));
    all.extend(UiCode::ALL.iter().map(|c| one(c.as_str(), Owner::Ui, c.fix(), Some(c.fix()))));
    // Findings: the window and the CLI show them with the same words.
    all.extend(LintCode::ALL.iter().map(|c| one(c.as_str(), Owner::Lint, c.fix(), Some(c.fix()))));
    all.extend(GuardCode::ALL.iter().map(|c| one(c.as_str(), Owner::Preflight, c.fix(), Some(c.fix()))));
    all
}

/// The window's general fix for a code (`None`: a code only the CLI raises).
pub fn window_fix_of(code: &ErrorCode) -> Option<&'static str> {
    match code {
        ErrorCode::Core(c) => Some(core_window_fix(*c)),
        ErrorCode::Cloud(c) => Some(c.window_fix()),
        ErrorCode::Probe(c) => Some(probe_window_fix(*c)),
        ErrorCode::Secrets(c) => Some(secrets_window_fix(*c)),
        ErrorCode::App(c) => app_window_fix(*c),
        ErrorCode::Validation(_) => Some(VALIDATION_FIX),
    }
}

/// The window's words where the CLI's name a command, a flag or an environment variable.
fn core_window_fix(c: CoreCode) -> &'static str {
    match c {
        CoreCode::PlanParse => {
            "The answers could not be read as a plan: go back through the pages and correct the answer the message names."
        }
        CoreCode::ProfileInvalid => {
            "Ask the vendor for a corrected profile file: this one breaks Trustbridge's profile rules, or is not a profile."
        }
        CoreCode::Validation => "Correct every problem listed: each one links to its answer.",
        c => c.fix(),
    }
}

fn probe_window_fix(c: Code) -> &'static str {
    match c.kind {
        trustbridge_cloud::probe::Kind::Timeout => {
            "The service did not answer in time: check the internet connection (and any proxy or VPN), then run the test again: it is safe."
        }
        _ => c.fix(),
    }
}

fn secrets_window_fix(c: SecretsCode) -> &'static str {
    match c {
        SecretsCode::NotFound => "Store it first: paste it (or choose its file) on the Credentials page.",
        SecretsCode::Corrupt => "Store it again on the Credentials page: the stored copy cannot be read.",
        c => c.fix(),
    }
}

/// `None`: raised only by the CLI (`trustbridge profile sign|keygen`), never shown in the window.
fn app_window_fix(c: AppCode) -> Option<&'static str> {
    match c {
        AppCode::ProfileIo | AppCode::ProfileNoPassword | AppCode::ProfileBadKey | AppCode::ProfileKeyExists => None,
        AppCode::SealStoredNotJson => Some("Store the credentials again on the Credentials page."),
        AppCode::OrgEngineMismatch => {
            Some("Go back to the accounts question, choose how the role reaches the accounts again, and continue: the page that follows matches it.")
        }
        AppCode::OrgWorkFailed => Some("Apply again: accounts that are done are left as they are."),
        AppCode::OrgTooManyForWindow => Some("Choose at most 50 accounts for one apply from this window; apply the others in a second round."),
        c => Some(c.fix()),
    }
}

/// The code an error carries across IPC: one of a crate's codes, or a field's
/// `validation.<field path>`. Serialized as its string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    Core(CoreCode),
    Cloud(CloudCode),
    Probe(Code),
    Secrets(SecretsCode),
    App(AppCode),
    /// `validation.<field path>`, held whole (see [`ErrorCode::validation`]).
    Validation(String),
}

impl ErrorCode {
    /// The code of a problem with the field at `path` (`aws.region` → `validation.aws.region`).
    pub fn validation(path: &str) -> ErrorCode {
        ErrorCode::Validation(format!("{VALIDATION_PREFIX}{path}"))
    }

    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::Core(c) => c.as_str(),
            ErrorCode::Cloud(c) => c.as_str(),
            ErrorCode::Probe(c) => c.as_str(),
            ErrorCode::Secrets(c) => c.as_str(),
            ErrorCode::App(c) => c.as_str(),
            ErrorCode::Validation(code) => code,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl From<CoreCode> for ErrorCode {
    fn from(c: CoreCode) -> ErrorCode {
        ErrorCode::Core(c)
    }
}

impl From<CloudCode> for ErrorCode {
    fn from(c: CloudCode) -> ErrorCode {
        ErrorCode::Cloud(c)
    }
}

impl From<Code> for ErrorCode {
    fn from(c: Code) -> ErrorCode {
        ErrorCode::Probe(c)
    }
}

impl From<SecretsCode> for ErrorCode {
    fn from(c: SecretsCode) -> ErrorCode {
        ErrorCode::Secrets(c)
    }
}

impl From<AppCode> for ErrorCode {
    fn from(c: AppCode) -> ErrorCode {
        ErrorCode::App(c)
    }
}

impl From<ProbeCode> for ErrorCode {
    fn from(c: ProbeCode) -> ErrorCode {
        match c {
            ProbeCode::Cloud(c) => ErrorCode::Cloud(c),
            ProbeCode::Secrets(c) => ErrorCode::Secrets(c),
            ProbeCode::Probe(c) => ErrorCode::Probe(c),
        }
    }
}

/// The TypeScript union: every literal code of the catalogue, then the validation family.
fn typescript_union() -> String {
    let mut out = String::new();
    // Errors only: a finding (lint, pre-flight) carries its own message and fix.
    for e in catalogue().into_iter().filter(|e| !e.owner.is_finding()) {
        if e.family {
            out.push_str(&format!("\n  | `{VALIDATION_PREFIX}${{string}}`"));
        } else {
            out.push_str(&format!("\n  | \"{}\"", e.code));
        }
    }
    out
}

impl ts_rs::TS for ErrorCode {
    type WithoutGenerics = ErrorCode;
    type OptionInnerType = ErrorCode;

    fn docs() -> Option<String> {
        Some(
            "/**\n * Every error code Trustbridge reports (generated from the catalogue, `crates/app/src/errors.rs`;\n * `trustbridge errors` lists each with its fix). `validation.<field path>` is a field's problem.\n */\n"
                .into(),
        )
    }

    fn name(_: &ts_rs::Config) -> String {
        "ErrorCode".into()
    }

    fn inline(_: &ts_rs::Config) -> String {
        typescript_union()
    }

    fn decl(_: &ts_rs::Config) -> String {
        format!("type ErrorCode ={};", typescript_union())
    }

    fn decl_concrete(cfg: &ts_rs::Config) -> String {
        Self::decl(cfg)
    }

    fn output_path() -> Option<PathBuf> {
        Some(PathBuf::from("ErrorCode.ts"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 15: every fix the window can show is one a person can act on in the window — no
    /// command of ours, no flag, no environment variable (the CLI keeps its own wording).
    #[test]
    fn every_fix_the_window_shows_needs_no_terminal() {
        use trustbridge_cloud::error::{window_safe, TERMINAL_ONLY};
        let mut cli_only = Vec::new();
        for e in catalogue() {
            let Some(w) = e.window_fix else {
                cli_only.push(e.code);
                continue;
            };
            if let Err(why) = window_safe(w) {
                panic!("{}: the window's fix {why}: {w:?}", e.code);
            }
            assert!(w.ends_with('.'), "{}: a fix is a sentence: {w:?}", e.code);
        }
        assert_eq!(cli_only, ["profile.io", "profile.no_password", "profile.bad_key", "profile.key_exists"]);
        // And the walk can fail: the CLI's own words for these codes do name the terminal.
        assert!(TERMINAL_ONLY.iter().any(|word| CloudCode::RoleNotOurs.fix().contains(word)));
    }

    #[test]
    fn codes_are_unique_and_every_one_has_a_fix() {
        let all = catalogue();
        let mut seen = std::collections::BTreeSet::new();
        for e in &all {
            assert!(seen.insert(e.code), "{} is in the catalogue twice", e.code);
            assert!(!e.fix.trim().is_empty(), "{} has no fix", e.code);
            assert!(e.fix.ends_with('.'), "{}: a fix is a sentence: {:?}", e.code, e.fix);
            if !e.family {
                // `area.name`; the one exception is `validation`, a whole plan that does not validate.
                assert!(
                    (e.code.contains('.') || e.code == "validation")
                        && e.code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'),
                    "{} is not a code of the form area.name",
                    e.code
                );
                assert!(!e.code.starts_with(VALIDATION_PREFIX), "{} is inside the validation family", e.code);
            }
        }
        // Every crate's every code is here, and nothing else.
        let expected = CoreCode::ALL.len()
            + 1
            + CloudCode::ALL.len()
            + Code::all().count()
            + SecretsCode::ALL.len()
            + AppCode::ALL.len()
            + UiCode::ALL.len()
            + LintCode::ALL.len()
            + GuardCode::ALL.len();
        assert_eq!(all.len(), expected);
        assert_eq!(all.iter().filter(|e| e.family).count(), 1);
    }

    #[test]
    fn every_typed_code_reads_as_a_catalogue_code() {
        let codes: Vec<&str> = catalogue().iter().map(|e| e.code).collect();
        let typed: Vec<ErrorCode> = CoreCode::ALL
            .iter()
            .map(|c| ErrorCode::from(*c))
            .chain(CloudCode::ALL.iter().map(|c| ErrorCode::from(*c)))
            .chain(Code::all().map(ErrorCode::from))
            .chain(SecretsCode::ALL.iter().map(|c| ErrorCode::from(*c)))
            .chain(AppCode::ALL.iter().map(|c| ErrorCode::from(*c)))
            .collect();
        for c in &typed {
            assert!(codes.contains(&c.as_str()), "{c}");
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        let v = ErrorCode::validation("aws.region");
        assert_eq!(v, "validation.aws.region");
        assert_eq!(serde_json::to_value(&v).unwrap(), "validation.aws.region");
    }

    #[test]
    fn the_typescript_union_names_every_literal_code_and_the_family() {
        let cfg = ts_rs::Config::default();
        let ts = <ErrorCode as ts_rs::TS>::decl(&cfg);
        for e in catalogue().iter().filter(|e| !e.family) {
            let listed = ts.contains(&format!("| \"{}\"", e.code));
            assert_eq!(listed, !e.owner.is_finding(), "{}: errors are in the union, findings are not: {ts}", e.code);
        }
        assert!(ts.contains("| `validation.${string}`"), "{ts}");
        assert!(!ts.contains(VALIDATION_FAMILY), "the family is a template literal, not a literal: {ts}");
    }

    /// No code is a string literal in the Rust that raises errors: every `IpcError` is built from a
    /// crate's code enum (`IpcError::new` takes `Into<ErrorCode>`, which `&str` is not), and no
    /// error struct's code field is given a string literal. Scans the app layer and the window's
    /// commands.
    #[test]
    fn no_string_literal_codes_in_the_sources() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in [root.join("src"), root.join("../../src")] {
            for e in std::fs::read_dir(&dir).unwrap().flatten() {
                if e.path().extension().is_some_and(|x| x == "rs") {
                    files.push(e.path());
                }
            }
        }
        assert!(files.iter().any(|f| f.ends_with("commands.rs")), "the scan reads the window's commands: {files:?}");
        assert!(files.iter().any(|f| f.ends_with("state.rs")), "the scan reads the app layer: {files:?}");
        // Built from pieces so that this file does not match itself.
        let patterns = [format!("IpcError::new({}", '"'), format!("code: {}", '"')];
        let mut hits = Vec::new();
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            for (n, line) in text.lines().enumerate() {
                if patterns.iter().any(|p| line.contains(p.as_str())) {
                    hits.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                }
            }
        }
        assert!(hits.is_empty(), "string-literal error codes (use the crate's code enum):\n{}", hits.join("\n"));
    }
}
