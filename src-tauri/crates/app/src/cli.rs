//! The headless CLI: the `trustbridge` binary, which links no GTK/WebKit. Needs no display;
//! with no subcommand it opens the window (`window.rs`).
//!
//! Exit codes: 0 success, 1 failure (I/O, cloud), 2 invalid input (plan, arguments).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use trustbridge_core::profile_trust::{ProfileOrigin, ProfileTrust, TrustedKey, TRUST_FLAG};
use trustbridge_core::{export, external_id, lint, pack, validate, Plan, Problem, Profile};

use crate::load::{self, LoadError, Loaded, Source};

pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_INVALID: i32 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "trustbridge",
    version,
    about = "Connect an ML platform vendor to your cloud, least privilege.\n\nWith no command, opens the wizard."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the vendor profiles built into this build.
    Profiles {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Check every field of a plan; print `field.path: rule (got 'value')` per problem.
    Validate {
        #[arg(long, value_name = "PLAN")]
        plan: PathBuf,
        #[command(flatten)]
        trust: ProfileTrustArgs,
        /// Print the problems as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the export bundle (policies, scripts, SUMMARY.md, handoff.json) to a new folder.
    Export {
        #[arg(long, value_name = "PLAN")]
        plan: PathBuf,
        #[command(flatten)]
        trust: ProfileTrustArgs,
        /// Destination folder; must not exist or be empty. Nothing is written on error.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Also write credentials.age: the GCP key and Azure secret from the OS keyring, encrypted to
        /// the vendor's public key (vendor profiles with handoff.seal_to). The plaintext never touches disk.
        #[arg(long)]
        seal_credentials: bool,
    },
    /// Lint what the plan renders: sizes against IAM limits, unknown or wildcard actions,
    /// wildcard resources, `Principal: "*"`, unconditioned trust, partition mismatches.
    Lint {
        #[arg(long, value_name = "PLAN")]
        plan: PathBuf,
        #[command(flatten)]
        trust: ProfileTrustArgs,
        /// Print the findings as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a fresh external id from the system's secure random source.
    ExternalId,
    /// Print the JSON Schema of the plan.
    Schema,
    /// Create or update what the plan needs, with your credentials: the AWS role and policies
    /// (AWS_PROFILE, SSO, env), the Google Cloud service account and grants (Application Default
    /// Credentials: `gcloud auth application-default login`), the Azure app registration and role
    /// assignments (AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, or `az login`). An existing
    /// role, service account or app registration trustbridge did not create is refused (a role can
    /// be adopted with --adopt).
    Apply {
        #[arg(long, value_name = "PLAN")]
        plan: PathBuf,
        #[command(flatten)]
        trust: ProfileTrustArgs,
        /// Only these clouds of the plan (repeatable: aws, gcp, azure); all of the plan's when absent.
        #[arg(long, value_name = "CLOUD")]
        cloud: Vec<CloudArg>,
        /// Only print what would change.
        #[arg(long)]
        dry_run: bool,
        /// Take over an existing role trustbridge did not create (or another integration's): lists
        /// its policies and warns where it grants more than the plan; read them with --dry-run first.
        #[arg(long)]
        adopt: bool,
        /// Apply even when pre-flight finds a guardrail that would deny the vendor or apply (the
        /// findings are still printed).
        #[arg(long)]
        ignore_preflight: bool,
        /// After applying: create a key for the GCP service account and a client secret for the
        /// Azure app (plans that sign in with one), straight into the OS keyring — never shown or
        /// written; skipped when one is already stored for the integration.
        #[arg(long)]
        create_credentials: bool,
    },
    /// Check the guardrails before apply. AWS: service control policies on the path from the
    /// organization's root to the account, bucket policies, the buckets' KMS keys and their key
    /// policies, event bus policies. Google Cloud: the project's organization policies (key
    /// creation, workload identity pools' AWS accounts, domain restricted sharing). Reads only;
    /// one report per cloud. Exit 1 when something would deny the vendor or apply.
    Preflight {
        #[arg(long, value_name = "PLAN")]
        plan: PathBuf,
        #[command(flatten)]
        trust: ProfileTrustArgs,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// An AWS profile of the organization's management (or delegated administrator) account, to
        /// read the service control policies (member accounts cannot); or TRUSTBRIDGE_AWS_ORG_PROFILE.
        #[arg(long, value_name = "PROFILE")]
        org_profile: Option<String>,
    },
    /// Run the connectivity test: concurrent probes, each with a fix when it fails.
    Verify {
        #[arg(long, value_name = "PLAN")]
        plan: PathBuf,
        #[command(flatten)]
        trust: ProfileTrustArgs,
        /// Print the probe results as JSON.
        #[arg(long)]
        json: bool,
        /// Seconds each probe may take.
        #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
        timeout: f64,
    },
    /// Remove what apply created (a role not tagged as trustbridge's only loses the vendor's access),
    /// and the credentials registered with the vendor's API.
    Revoke {
        #[arg(long, value_name = "PLAN")]
        plan: PathBuf,
        #[command(flatten)]
        trust: ProfileTrustArgs,
        /// Only these clouds of the plan (repeatable: aws, gcp, azure); all of the plan's when absent.
        #[arg(long, value_name = "CLOUD")]
        cloud: Vec<CloudArg>,
        /// Delete the role even if trustbridge did not create it (a role pack: remove the pack's
        /// roles even when someone else's policies are on them, those included).
        #[arg(long)]
        force: bool,
        /// Keep the credentials registered at the vendor (only the cloud side is revoked).
        #[arg(long)]
        keep_registration: bool,
    },
    /// Register the integration with the vendor's API (vendor profiles with one, e.g. ML cube): the
    /// role ARN (the vendor issues the external id; its trust policy is checked first), the GCP key
    /// and the Azure service principal from the OS keyring. Records the ids in the plan.
    Register {
        #[arg(long, value_name = "PLAN")]
        plan: PathBuf,
        #[command(flatten)]
        trust: ProfileTrustArgs,
        /// Only read the vendor's state and print what would be registered.
        #[arg(long)]
        dry_run: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// Delete credentials of the same name at the vendor and register anew (needed when the
        /// plan lost the external id the vendor issued).
        #[arg(long)]
        replace: bool,
    },
    /// Store, show or delete the GCP key / Azure client secret in the OS keyring (stdin or --file, never argv).
    Secrets {
        #[command(subcommand)]
        action: crate::cli_secrets::SecretsCommand,
    },
    /// Sign or verify a vendor profile file (minisign, Ed25519), or make a signing key.
    Profile {
        #[command(subcommand)]
        action: crate::cli_profile::ProfileCommand,
    },
    /// List every error code Trustbridge reports, who raises it, and what to do about it.
    Errors {
        /// Print the catalogue as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Which vendor profile files a command that loads a plan accepts. A profile file (`"platform":
/// "./vendor.json"`) must carry a minisign signature (`vendor.json.minisig`) by a trusted key.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ProfileTrustArgs {
    /// Trust this minisign public key (the vendor's .pub file) for the profile file's signature, for
    /// this run only. Repeatable.
    #[arg(long = "trust-profile-key", value_name = "PUBLIC_KEY")]
    trust_profile_key: Vec<PathBuf>,
    /// Use a vendor profile file that has no signature or is signed by a key not trusted (recorded as
    /// UNSIGNED in SUMMARY.md and handoff.json). A signature that fails is refused all the same.
    #[arg(long)]
    allow_unsigned_profile: bool,
}

impl ProfileTrustArgs {
    /// The keys and rule of this run; a key file that is not a minisign public key is reported
    /// (naming the flag) with exit 2.
    pub fn load(&self) -> Result<ProfileTrust, i32> {
        let mut keys = Vec::new();
        for path in &self.trust_profile_key {
            match TrustedKey::from_file(path) {
                Ok(k) => keys.push(k),
                Err(m) => {
                    eprintln!("{TRUST_FLAG} {m}");
                    return Err(EXIT_INVALID);
                }
            }
        }
        Ok(ProfileTrust::new(keys, self.allow_unsigned_profile))
    }
}

/// What the cloud settings found wrong in the environment but could go on without (an unreadable
/// `TRUSTBRIDGE_CA_FILE`), on stderr: the library returns warnings, the CLI shows them.
pub fn show_warnings(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

/// Runs the CLI (or the wizard when no command is given); returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => EXIT_OK,
                _ => EXIT_INVALID,
            };
        }
    };
    let mut out = std::io::stdout().lock();
    match cli.command {
        None => crate::window::open(),
        Some(cmd) => run(cmd, &mut out),
    }
}

fn run(cmd: Command, out: &mut impl Write) -> i32 {
    match cmd {
        Command::Profiles { json } => profiles(json, out),
        Command::Validate { plan, trust, json } => match trust.load().map_err(Failure::Code).and_then(|t| resolve(&plan, &t)) {
            Err(Failure::Code(code)) => code,
            Ok(_) => {
                let _ = if json { writeln!(out, "[]") } else { writeln!(out, "{}: valid", plan.display()) };
                EXIT_OK
            }
            Err(Failure::Problems(problems)) => {
                if json {
                    let items: Vec<serde_json::Value> = problems
                        .iter()
                        .map(|p| serde_json::json!({"code": p.code(), "field": p.field, "rule": p.rule, "value": p.value, "fix": p.fix}))
                        .collect();
                    let _ = writeln!(out, "{}", crate::cli_out::json_text(&items));
                } else {
                    for p in &problems {
                        let _ = writeln!(out, "{p}");
                    }
                }
                EXIT_INVALID
            }
        },
        Command::Export { plan, trust, out: dir, seal_credentials } => {
            let loaded = match resolve_or_report(&plan, &trust, "written") {
                Ok(l) => l,
                Err(code) => return code,
            };
            // Lint before anything is written: errors block the export, warnings are shown.
            let findings = loaded.findings();
            for f in findings.iter().filter(|f| f.severity != lint::Severity::Info) {
                eprintln!("{}", show_finding(f));
            }
            if crate::load::lint_gate(&findings).is_err() {
                eprintln!("nothing written: fix the lint errors above");
                return EXIT_INVALID;
            }
            let bundle = match (&loaded, seal_credentials) {
                (Loaded::Vendor(r), true) => match crate::sealed::seal(r, &trustbridge_secrets::SecretStore::os()) {
                    Ok(sealed) => trustbridge_core::render::render_with(r, Some(&sealed)),
                    Err(e) => {
                        eprintln!("error [{}]: {}", e.code, e.message);
                        if !e.fix.is_empty() {
                            eprintln!("fix: {}", e.fix);
                        }
                        eprintln!("nothing written");
                        let refused = matches!(
                            e.code,
                            crate::errors::ErrorCode::App(
                                crate::errors::AppCode::SealNoVendorKey | crate::errors::AppCode::SealNothingToSeal
                            )
                        );
                        return if refused { EXIT_INVALID } else { EXIT_FAILED };
                    }
                },
                (Loaded::Pack(_), true) => {
                    eprintln!("--seal-credentials: a role pack holds no credentials to seal");
                    return EXIT_INVALID;
                }
                _ => loaded.bundle(),
            };
            match export::write_bundle(&bundle, &dir) {
                Ok(path) => {
                    let _ = writeln!(out, "wrote {} files to {}", bundle.files.len(), path.display());
                    let _ = writeln!(out, "next: read {}/SUMMARY.md", path.display());
                    EXIT_OK
                }
                Err(e) => {
                    eprintln!("{e}");
                    EXIT_FAILED
                }
            }
        }
        Command::Lint { plan, trust, json } => {
            let findings = match resolve_or_report(&plan, &trust, "done") {
                Ok(l) => l.findings(),
                Err(code) => return code,
            };
            if json {
                let _ = writeln!(out, "{}", crate::cli_out::json_text(&findings));
            } else {
                for f in &findings {
                    let _ = writeln!(out, "{}", show_finding(f));
                }
            }
            if findings.iter().any(|f| f.severity == lint::Severity::Error) {
                EXIT_INVALID
            } else {
                EXIT_OK
            }
        }
        Command::ExternalId => match external_id::generate() {
            Ok(id) => {
                let _ = writeln!(out, "{id}");
                EXIT_OK
            }
            Err(e) => {
                eprintln!("{e}");
                EXIT_FAILED
            }
        },
        Command::Schema => {
            let _ = write!(out, "{}", Plan::json_schema());
            EXIT_OK
        }
        Command::Apply { plan, trust, cloud, dry_run, adopt, ignore_preflight, create_credentials } => {
            match resolve_or_report(&plan, &trust, "done") {
                Ok(loaded) if !dry_run && lint_refuses(&loaded, "applied") => EXIT_INVALID,
                Ok(Loaded::Pack(p)) => crate::cli_pack::apply(&p, dry_run, out),
                Ok(Loaded::Vendor(r)) => match Clouds::pick(&r, &cloud) {
                    Err(code) => code,
                    Ok(c) => {
                        let mut code = EXIT_OK;
                        if c.aws {
                            code = crate::cli_aws::apply(&plan, &r, dry_run, adopt, ignore_preflight, out);
                        }
                        if code == EXIT_OK && c.gcp {
                            code = crate::cli_clouds::gcp(
                                &plan,
                                &r,
                                false,
                                dry_run,
                                cloud.contains(&CloudArg::Gcp),
                                create_credentials,
                                ignore_preflight,
                                out,
                            );
                        }
                        if code == EXIT_OK && c.azure {
                            code = crate::cli_clouds::azure(
                                &plan,
                                &r,
                                false,
                                dry_run,
                                cloud.contains(&CloudArg::Azure),
                                create_credentials,
                                out,
                            );
                        }
                        code
                    }
                },
                Err(code) => code,
            }
        }
        Command::Preflight { plan, trust, json, org_profile } => match resolve_or_report(&plan, &trust, "done") {
            Ok(Loaded::Pack(_)) => {
                eprintln!("pre-flight checks vendor plans; it does not check role packs yet");
                EXIT_INVALID
            }
            Ok(Loaded::Vendor(r)) => {
                // Each cloud's report (with --json, one document per cloud: AWS, then Google Cloud).
                let mut code = EXIT_OK;
                if r.aws.is_some() || r.aws_org.is_some() || r.gcp.is_none() {
                    code = crate::cli_aws::preflight(&r, json, org_profile, out);
                }
                if r.gcp.is_some() && code != EXIT_INVALID {
                    code = code.max(crate::cli_clouds::gcp_preflight(&r, json, out));
                }
                code
            }
            Err(code) => code,
        },
        Command::Verify { plan, trust, json, timeout } => match resolve_or_report(&plan, &trust, "done") {
            Ok(Loaded::Pack(p)) => crate::cli_pack::verify(&p, json, out),
            Ok(Loaded::Vendor(r)) => crate::cli_aws::verify(&plan, &r, json, timeout, out),
            Err(code) => code,
        },
        Command::Revoke { plan, trust, cloud, force, keep_registration } => match resolve_or_report(&plan, &trust, "done") {
            Ok(Loaded::Pack(p)) => crate::cli_pack::revoke(&p, force, out),
            Ok(Loaded::Vendor(r)) => {
                let registered = crate::register::has_recorded(&r);
                let c = match Clouds::pick(&r, &cloud) {
                    Ok(c) => c,
                    Err(code) => return code,
                };
                let mut code = if c.aws { crate::cli_aws::revoke(&plan, &r, force, out) } else { EXIT_OK };
                if code == EXIT_OK && c.gcp {
                    code = crate::cli_clouds::gcp(&plan, &r, true, false, cloud.contains(&CloudArg::Gcp), false, false, out);
                }
                if code == EXIT_OK && c.azure {
                    code = crate::cli_clouds::azure(&plan, &r, true, false, cloud.contains(&CloudArg::Azure), false, out);
                }
                if code == EXIT_OK && registered {
                    crate::cli_register::after_revoke(&plan, &r, keep_registration, out)
                } else {
                    code
                }
            }
            Err(code) => code,
        },
        Command::Register { plan, trust, dry_run, json, replace } => match load_vendor(&plan, &trust) {
            Ok(r) => crate::cli_register::register(&plan, &r, dry_run, json, replace, out),
            Err(code) => code,
        },
        Command::Secrets { action } => crate::cli_secrets::run(action, out),
        Command::Profile { action } => crate::cli_profile::run(action, out),
        Command::Errors { json } => errors(json, out),
    }
}

/// A cloud named on the command line (`--cloud`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CloudArg {
    Aws,
    Gcp,
    Azure,
}

/// The clouds `apply` or `revoke` works on: those asked for, else every cloud section of the plan
/// (GCP and Azure are then skipped, with a note, when this computer has no sign-in for them: a
/// customer with only AWS credentials applies a three-cloud plan's AWS part, as before).
#[derive(Debug, Clone, Copy)]
struct Clouds {
    aws: bool,
    gcp: bool,
    azure: bool,
}

impl Clouds {
    fn pick(r: &validate::Resolved, asked: &[CloudArg]) -> Result<Clouds, i32> {
        let has = |c: CloudArg| match c {
            CloudArg::Aws => r.aws.is_some() || r.aws_org.is_some(),
            CloudArg::Gcp => r.gcp.is_some(),
            CloudArg::Azure => r.azure.is_some(),
        };
        for (arg, name) in [(CloudArg::Aws, "aws"), (CloudArg::Gcp, "gcp"), (CloudArg::Azure, "azure")] {
            if asked.contains(&arg) && !has(arg) {
                eprintln!("{}; remove --cloud {name} or add the section", trustbridge_cloud::CloudError::NoSection { cloud: name });
                return Err(EXIT_INVALID);
            }
        }
        let on = |c: CloudArg| has(c) && (asked.is_empty() || asked.contains(&c));
        Ok(Clouds { aws: on(CloudArg::Aws), gcp: on(CloudArg::Gcp), azure: on(CloudArg::Azure) })
    }
}

/// `trustbridge errors`: the catalogue (`errors.rs`), each code with its owner and its fix (and the
/// window's words where they differ).
fn errors(json: bool, out: &mut impl Write) -> i32 {
    let all = crate::errors::catalogue();
    if json {
        let _ = writeln!(out, "{}", crate::cli_out::json_text(&all));
    } else {
        for e in &all {
            let _ = writeln!(out, "{}  ({})\n    {}", e.code, e.owner.as_str(), e.fix);
            match e.window_fix {
                Some(w) if w != e.fix => {
                    let _ = writeln!(out, "    in the window: {w}");
                }
                None => {
                    let _ = writeln!(out, "    (command line only)");
                }
                Some(_) => {}
            }
        }
    }
    EXIT_OK
}

fn profiles(json: bool, out: &mut impl Write) -> i32 {
    let all = Profile::builtins();
    if json {
        let items: Vec<_> = all.iter().map(crate::ipc::profile_summary).collect();
        let _ = writeln!(out, "{}", crate::cli_out::json_text(&items));
    } else {
        for p in &all {
            let _ = writeln!(out, "{:<10} {:<18} clouds: {}", p.id, p.display_name, p.clouds().join(", "));
        }
        let _ = writeln!(out, "\nA vendor's own profile: set \"platform\" in the plan to the path of its .json file (signed by the vendor: `trustbridge profile verify`).");
    }
    EXIT_OK
}

fn show_finding(f: &lint::Finding) -> String {
    let sev = match f.severity {
        lint::Severity::Error => "error",
        lint::Severity::Warning => "warning",
        lint::Severity::Info => "info",
    };
    format!("{sev}: {}: {} ({}; fix: {})", f.document, f.message, f.code, f.fix)
}

/// Apply is lint-gated like export: an error finding refuses it (warnings are shown). A vendor-issued
/// external id not received yet is not one here: apply registers first.
fn lint_refuses(loaded: &Loaded, outcome: &str) -> bool {
    let findings = match loaded {
        Loaded::Vendor(r) => crate::load::apply_findings(r),
        Loaded::Pack(p) => pack::lint_pack(p),
    };
    for f in findings.iter().filter(|f| f.severity != lint::Severity::Info) {
        eprintln!("{}", show_finding(f));
    }
    let refused = crate::load::lint_gate(&findings).is_err();
    if refused {
        eprintln!("nothing {outcome}: fix the lint errors above");
    }
    refused
}

fn plan_dir(plan: &Path) -> Option<&Path> {
    plan.parent()
}

enum Failure {
    /// Already reported (unreadable or unparsable file).
    Code(i32),
    Problems(Vec<Problem>),
}

/// Reads a plan file and loads it ([`crate::load`]: a vendor plan or a role pack); a vendor profile
/// file is accepted by `trust` (its signature).
fn resolve(path: &Path, trust: &ProfileTrust) -> Result<Loaded, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("plan: cannot read {}: {e}", path.display());
        Failure::Code(EXIT_INVALID)
    })?;
    let loaded = load::load(&text, &Source::File { dir: plan_dir(path), trust }).map_err(|e| match e {
        LoadError::Parse(e) => {
            eprintln!("{e}");
            Failure::Code(EXIT_INVALID)
        }
        LoadError::Refused(p) => Failure::Problems(vec![p]),
        LoadError::Invalid(problems) => Failure::Problems(problems),
    })?;
    if let Loaded::Vendor(r) = &loaded {
        if matches!(r.profile_origin, ProfileOrigin::Unsigned { .. }) {
            eprintln!(
                "warning: vendor profile '{}' is {}: nothing shows that it comes from the vendor",
                validate::show_value(&r.plan.platform),
                r.profile_origin
            );
        }
    }
    Ok(loaded)
}

/// [`resolve`], printing problems to stderr ("nothing {outcome}: fix …"). Every CLI command that
/// takes `--plan` loads it here, with the profile keys and rule of its flags.
pub(crate) fn resolve_or_report(path: &Path, trust: &ProfileTrustArgs, outcome: &str) -> Result<Loaded, i32> {
    let trust = trust.load()?;
    resolve(path, &trust).map_err(|f| match f {
        Failure::Code(c) => c,
        Failure::Problems(problems) => {
            for pr in &problems {
                eprintln!("{pr}");
            }
            eprintln!("nothing {outcome}: fix the {} problem(s) above (`trustbridge validate --plan {}`)", problems.len(), path.display());
            EXIT_INVALID
        }
    })
}

/// [`resolve_or_report`] for commands that take a vendor plan only.
pub(crate) fn load_vendor(path: &Path, trust: &ProfileTrustArgs) -> Result<validate::Resolved, i32> {
    match resolve_or_report(path, trust, "done")? {
        Loaded::Vendor(r) => Ok(*r),
        Loaded::Pack(_) => {
            eprintln!("plan: {} is a role-pack plan; this command takes a vendor plan", path.display());
            Err(EXIT_INVALID)
        }
    }
}
