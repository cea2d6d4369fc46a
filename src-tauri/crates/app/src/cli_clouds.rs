//! CLI: `apply` and `revoke` on a plan's Google Cloud and Azure sections, with the customer's own
//! sign-in — Google's Application Default Credentials (`gcloud auth application-default login`),
//! Azure's environment service principal or `az login`. Thin: the work is in
//! `trustbridge_cloud::{gcp, azure}::apply`.

use std::fmt::Display;
use std::io::Write;
use std::path::Path;

use trustbridge_cloud::azure::apply as azure_apply;
use trustbridge_cloud::azure::credential::AzureAdmin;
use trustbridge_cloud::azure::AzureSettings;
use trustbridge_cloud::gcp::apply as gcp_apply;
use trustbridge_cloud::gcp::credential::AdminCredential;
use trustbridge_cloud::gcp::GcpSettings;
use trustbridge_cloud::CloudError;
use trustbridge_core::validate::Resolved;
use trustbridge_secrets::{SecretKind, SecretStore};

use crate::cli::{EXIT_FAILED, EXIT_OK};
use crate::cli_out::{print_error, print_stopped, runtime};
use crate::credentials::{Made, MakeError};

/// What either cloud's engine reports, for printing.
struct Outcome<C> {
    cloud: &'static str,
    acting_as: String,
    changes: Vec<C>,
    notes: Vec<String>,
    http_calls: u32,
    /// The service account, or the app (client) id.
    identity: String,
}

/// No sign-in for a cloud the person did not name with `--cloud`: that cloud is skipped, said so
/// on stderr with how to sign in or do it without this computer; the other clouds go on.
fn skipped(cloud: &str, flag: &str, verb: &str, plan: &Path, e: &CloudError) -> i32 {
    eprintln!(
        "note: {cloud} was not {}: {e}. Sign in and run `trustbridge {verb} --plan {} --cloud {flag}`, or run {flag}/{}.sh from `trustbridge export` in {cloud}'s browser shell",
        if verb == "revoke" { "revoked" } else { "applied" },
        plan.display(),
        if verb == "revoke" { "revoke" } else { "setup" }
    );
    EXIT_OK
}

fn no_sign_in(e: &CloudError) -> bool {
    matches!(e, CloudError::Api { kind: trustbridge_cloud::ApiFailure::NoCredentials, .. })
}

fn signed_in<T>(cloud: &str, r: Result<T, CloudError>) -> Result<T, i32> {
    r.map_err(|e| {
        eprintln!("{cloud}:");
        print_error(&e);
        EXIT_FAILED
    })
}

fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

/// Google Cloud pre-flight of the plan's GCP section (`gcp::preflight`: the project's organization
/// policies), as this computer's Google sign-in; printed (or one JSON document). `Ok(blocking)`;
/// no sign-in is said and counts as nothing found only when `named` is false.
fn gcp_findings(r: &Resolved, json: bool, named: bool, out: &mut impl Write) -> Result<bool, i32> {
    let settings = GcpSettings::from_env();
    warn(&settings.warnings);
    let cred = match AdminCredential::from_env() {
        Err(e) if !named && no_sign_in(&e) => {
            eprintln!("note: Google Cloud's organization policies were not checked: {e}");
            return Ok(false);
        }
        other => signed_in("Google Cloud", other)?,
    };
    let rt = runtime()?;
    let rep = rt.block_on(trustbridge_cloud::gcp::preflight::preflight(r, &cred, &settings)).map_err(|e| {
        eprintln!("Google Cloud pre-flight:");
        print_error(&e);
        EXIT_FAILED
    })?;
    if json {
        let _ = writeln!(out, "{}", crate::cli_out::json_text(&rep));
    } else {
        let _ = writeln!(out, "Google Cloud pre-flight acting as {}", rep.acting_as);
        crate::cli_aws::print_findings(&rep.checked, &rep.findings, out);
    }
    Ok(rep.blocking())
}

/// `trustbridge preflight` on the plan's GCP section. Exit 1 when something blocks.
pub fn gcp_preflight(r: &Resolved, json: bool, out: &mut impl Write) -> i32 {
    match gcp_findings(r, json, true, out) {
        Ok(true) => EXIT_FAILED,
        Ok(false) => EXIT_OK,
        Err(code) => code,
    }
}

/// With `--create-credentials`, after an apply: a key (GCP) or client secret (Azure) made by the
/// cloud and handed straight to the OS keyring — never printed or written. Only when none is stored
/// for the integration yet, and only when the keyring works (checked first, so no credential is
/// made that could not be kept). The cloud call is `make`.
fn create_credentials(
    r: &Resolved,
    kind: SecretKind,
    what: &str,
    rt: &trustbridge_cloud::Runtime,
    make: impl std::future::Future<Output = Result<trustbridge_cloud::changes::CreatedSecret, CloudError>>,
    delete_hint: impl Fn(&str) -> String,
    out: &mut impl Write,
) -> i32 {
    let store = SecretStore::os();
    let report = |e: &trustbridge_secrets::SecretsError| {
        eprintln!("error [{}]: {}", e.code(), crate::cli_out::terminal_safe(&e.to_string()));
        if let Some(fix) = e.fix() {
            eprintln!("fix: {}", crate::cli_out::terminal_safe(&fix.to_string()));
        }
        EXIT_FAILED
    };
    if let Err(e) = trustbridge_secrets::KeyringBackend::check() {
        eprintln!("no {what} was created: the OS keyring, where it would go, cannot be used");
        return report(&e);
    }
    let fp = |st: &trustbridge_secrets::SecretStatus| st.fingerprint.as_ref().map(|f| f.to_string()).unwrap_or_default();
    match rt.block_on(crate::credentials::make_in_cloud(&store, r, kind, make, delete_hint)) {
        Ok(Made::AlreadyStored(st)) => {
            let _ = writeln!(out, "kept the {what} already in the OS keyring ({}); no new one was created", fp(&st));
            EXIT_OK
        }
        Ok(Made::Created(st)) => {
            let _ = writeln!(out, "created a {what} and stored it in the OS keyring ({}); it was not shown or written anywhere", fp(&st));
            EXIT_OK
        }
        Err(MakeError::Keyring(e)) => report(&e),
        Err(MakeError::Cloud(e)) => {
            eprintln!("no {what} was created:");
            print_error(&e);
            EXIT_FAILED
        }
        Err(MakeError::NotKept { error, hint }) => {
            eprintln!("a {what} was created but could not be stored, so nobody has it: {hint}");
            report(&error)
        }
    }
}

fn print<C: Display>(o: &Outcome<C>, verb: &str, dry_run: bool, out: &mut impl Write) -> i32 {
    let _ = writeln!(out, "{}: acting as {}", o.cloud, o.acting_as);
    let sign = match (verb, dry_run) {
        ("revoke", _) => "-",
        (_, true) => "~",
        _ => "+",
    };
    for c in &o.changes {
        let _ = writeln!(out, "{sign} {c}");
    }
    for n in &o.notes {
        let _ = writeln!(out, "note: {}", crate::cli_out::terminal_safe(n));
    }
    let n = o.changes.len();
    let _ = match (verb, n, dry_run) {
        (_, 0, _) => writeln!(out, "{}: no changes", o.cloud),
        (_, _, true) => writeln!(out, "dry run: would make {n} change(s); nothing was changed; run without --dry-run to {verb}"),
        ("revoke", _, false) => writeln!(out, "revoked: {} and its grants removed", o.identity),
        _ => writeln!(out, "applied {n} change(s) ({} calls to {}); {}", o.http_calls, o.cloud, o.identity),
    };
    EXIT_OK
}

/// `trustbridge apply` / `revoke` of the plan's GCP section. `named`: the person asked for this
/// cloud (`--cloud gcp`), so no sign-in is an error, not a skip.
#[allow(clippy::too_many_arguments)]
pub fn gcp(
    plan: &Path,
    r: &Resolved,
    revoke: bool,
    dry_run: bool,
    named: bool,
    create: bool,
    ignore_preflight: bool,
    out: &mut impl Write,
) -> i32 {
    let verb = if revoke { "revoke" } else { "apply" };
    // Pre-flight first, as on AWS: a blocking organization policy refuses the apply before any
    // change, unless overridden; a dry run shows it and goes on.
    if !revoke && r.gcp.is_some() {
        match gcp_findings(r, false, named, out) {
            Err(code) => return code,
            Ok(true) if !dry_run && !ignore_preflight => {
                eprintln!("refused: pre-flight found an organization policy that would deny the vendor on Google Cloud (listed above); nothing was applied there. Fix what it names, or run again with --ignore-preflight if you know it does not apply here");
                return EXIT_FAILED;
            }
            Ok(_) => {}
        }
    }
    let settings = GcpSettings::from_env();
    warn(&settings.warnings);
    let mut run = || -> Result<i32, i32> {
        let cred = match AdminCredential::from_env() {
            Err(e) if !named && no_sign_in(&e) => return Ok(skipped("Google Cloud", "gcp", verb, plan, &e)),
            other => signed_in("Google Cloud", other)?,
        };
        let rt = runtime()?;
        let res = rt.block_on(async {
            if revoke {
                gcp_apply::revoke(r, &cred, &settings, dry_run).await
            } else {
                gcp_apply::apply(r, &cred, &settings, dry_run).await
            }
        });
        let rep = res.map_err(|f| {
            print_stopped(&f.error, &f.done, &f.not_done, &f.notes, &format!("{verb} --plan {}", plan.display()));
            EXIT_FAILED
        })?;
        let sa = rep.service_account.clone();
        let o = Outcome {
            cloud: "Google Cloud",
            acting_as: rep.acting_as,
            changes: rep.changes,
            notes: rep.notes,
            http_calls: rep.http_calls,
            identity: format!("service account {}", rep.service_account),
        };
        let code = print(&o, verb, dry_run, out);
        if !create || revoke || dry_run || code != EXIT_OK {
            return Ok(code);
        }
        if r.gcp.as_ref().is_some_and(|g| g.is_keyless()) {
            let _ = writeln!(out, "no key created: the plan is keyless (the vendor signs in through Workload Identity Federation)");
            return Ok(code);
        }
        let hint = |id: &str| format!("delete it with `gcloud iam service-accounts keys delete {id} --iam-account={sa}`");
        Ok(create_credentials(r, SecretKind::Gcp, "service-account key", &rt, gcp_apply::create_key(r, &cred, &settings), hint, out))
    };
    run().unwrap_or_else(|code| code)
}

/// `trustbridge apply` / `revoke` of the plan's Azure section (`named` as for [`gcp`]).
pub fn azure(plan: &Path, r: &Resolved, revoke: bool, dry_run: bool, named: bool, create: bool, out: &mut impl Write) -> i32 {
    let verb = if revoke { "revoke" } else { "apply" };
    let Some(z) = &r.azure else { return EXIT_OK };
    let settings = AzureSettings::from_env();
    warn(&settings.warnings);
    let mut run = || -> Result<i32, i32> {
        let cred = match AzureAdmin::from_env(&z.tenant_id) {
            Err(e) if !named && no_sign_in(&e) => return Ok(skipped("Azure", "azure", verb, plan, &e)),
            other => signed_in("Azure", other)?,
        };
        let rt = runtime()?;
        let res = rt.block_on(async {
            if revoke {
                azure_apply::revoke(r, &cred, &settings, dry_run).await
            } else {
                azure_apply::apply(r, &cred, &settings, dry_run).await
            }
        });
        let rep = match res {
            Err(f) if !named && f.done.is_empty() && no_sign_in(&f.error) => return Ok(skipped("Azure", "azure", verb, plan, &f.error)),
            other => other.map_err(|f| {
                print_stopped(&f.error, &f.done, &f.not_done, &f.notes, &format!("{verb} --plan {}", plan.display()));
                EXIT_FAILED
            })?,
        };
        let identity = match (&rep.app_id, &z.vendor_app_id) {
            (_, Some(v)) => format!("the vendor's app {v}"),
            (Some(a), None) => format!("app registration {} (client id {a})", z.service_principal_name),
            (None, None) => format!("app registration {}", z.service_principal_name),
        };
        let app_id = rep.app_id.clone().unwrap_or_default();
        let o = Outcome {
            cloud: "Azure",
            acting_as: rep.acting_as,
            changes: rep.changes,
            notes: rep.notes,
            http_calls: rep.http_calls,
            identity,
        };
        let code = print(&o, verb, dry_run, out);
        if !create || revoke || dry_run || code != EXIT_OK {
            return Ok(code);
        }
        if z.is_keyless() {
            let _ = writeln!(out, "no client secret created: the plan is keyless (the vendor signs in with its own app)");
            return Ok(code);
        }
        let hint = |id: &str| format!("delete it with `az ad app credential delete --id {app_id} --key-id {id}`");
        Ok(create_credentials(r, SecretKind::Azure, "client secret", &rt, azure_apply::create_secret(r, &cred, &settings), hint, out))
    };
    run().unwrap_or_else(|code| code)
}
