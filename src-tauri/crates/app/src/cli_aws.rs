//! CLI: `apply` and `revoke` for AWS, `verify` for every cloud in the plan. Thin: the work is in
//! `trustbridge-cloud` (and the keyring in `trustbridge-secrets`).
//!
//! Exit codes (as in `cli.rs`): 0 ok, 1 failed (cloud, network, a failing probe), 2 invalid plan.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use trustbridge_cloud::aws::{self, AwsSettings, ProbeEvent, ProbeResult, ProbeStatus};
use trustbridge_cloud::probe::Verdict;
use trustbridge_cloud::CloudError;
use trustbridge_core::validate::Resolved;
use trustbridge_secrets::{SecretKind, SecretStore};

use crate::aws_apply::AwsApply;
use crate::cli_out::print_failure;
use crate::cli_out::{print_error, runtime};
use crate::verify_all::{verify_all, CloudSettings};

use crate::cli::{EXIT_FAILED, EXIT_INVALID, EXIT_OK};

/// Apply and revoke work on the plan's AWS section; prints why not and gives the exit code.
fn require_aws(r: &Resolved) -> Result<(), i32> {
    if r.aws.is_none() {
        eprintln!("{}; this command works on the plan's AWS section", CloudError::NoSection { cloud: "aws" });
        return Err(EXIT_INVALID);
    }
    Ok(())
}

/// With `--adopt`: what the existing role already has, then the warnings.
fn print_existing(rep: &aws::ApplyReport, out: &mut impl Write) {
    if let Some(existing) = &rep.existing {
        if existing.is_empty() {
            let _ = writeln!(out, "existing role {}: no inline or attached policies", rep.role_arn);
        } else {
            let _ = writeln!(out, "existing role {} already has {} policy(ies):", rep.role_arn, existing.len());
            for p in existing {
                let _ = writeln!(out, "  {}", p.to_string().replace('\n', "\n  "));
            }
        }
    }
    for w in &rep.warnings {
        let _ = writeln!(out, "warning: {}", crate::cli_out::terminal_safe(w));
    }
    if !rep.warnings.is_empty() {
        let _ = writeln!(out, "warning: the vendor gets everything the role can already do; choose another aws.role_name if that is more than you mean to grant");
    }
}

/// `trustbridge apply` of a vendor plan, on one SDK session: pre-flight, printed (a blocking
/// finding refuses before any change unless `ignore_preflight`; a dry run only shows it); when the
/// vendor issues the external id, a dry run first (with a stand-in for the id), so a role trustbridge
/// may not take over is refused before the vendor is told about it, then the registration; then
/// the apply (or the dry run).
pub fn apply(plan: &Path, r: &Resolved, dry_run: bool, adopt: bool, ignore_preflight: bool, out: &mut impl Write) -> i32 {
    if r.aws_org.is_some() {
        return crate::cli_org::apply(r, dry_run, adopt, ignore_preflight, out);
    }
    if let Err(code) = require_aws(r) {
        return code;
    }
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let settings = AwsSettings { adopt, ..AwsSettings::from_env() };
    let mut flow = match rt.block_on(AwsApply::connect(r, &settings)) {
        Ok(flow) => flow,
        Err(e) => {
            print_error(&e);
            return EXIT_FAILED;
        }
    };
    match rt.block_on(flow.preflight(r)) {
        Ok(rep) => {
            print_preflight(&rep, out);
            let blocking = trustbridge_core::guardrail::blocking(&rep.findings).count();
            if blocking > 0 && !ignore_preflight && !dry_run {
                print_error(&CloudError::PreflightBlocked { blocking });
                return EXIT_FAILED;
            }
        }
        Err(e) => {
            print_error(&e);
            return EXIT_FAILED;
        }
    }
    let pending = r.aws.as_ref().is_some_and(|a| a.external_id_pending);
    if pending && !dry_run {
        if let Err(f) = rt.block_on(flow.apply(&r.with_stand_in_external_id(), true)) {
            print_failure(&f, &format!("apply --plan {}", plan.display()));
            return EXIT_FAILED;
        }
    }
    let registered = match crate::cli_register::before_apply(plan, r, dry_run, out) {
        Ok(registered) => registered,
        Err(code) => return code,
    };
    match rt.block_on(flow.apply(registered.as_ref().unwrap_or(r), dry_run)) {
        Ok(rep) => {
            let _ = writeln!(out, "acting as {} (account {})", rep.caller.arn, rep.caller.account);
            print_existing(&rep, out);
            if rep.changes.is_empty() {
                let _ = writeln!(out, "no changes: {} already matches the plan", rep.role_arn);
                return EXIT_OK;
            }
            if dry_run {
                let _ = writeln!(out, "dry run: would make {} change(s):", rep.changes.len());
            }
            for c in &rep.changes {
                let _ = writeln!(out, "{} {c}", if dry_run { "~" } else { "+" });
            }
            if dry_run {
                let _ = writeln!(out, "nothing was changed; run without --dry-run to apply");
            } else {
                let _ = writeln!(out, "applied {} change(s); role ARN: {}", rep.changes.len(), rep.role_arn);
                let _ = writeln!(out, "next: trustbridge verify --plan {}", plan.display());
            }
            EXIT_OK
        }
        Err(f) => {
            print_failure(&f, &format!("apply --plan {}", plan.display()));
            EXIT_FAILED
        }
    }
}

/// Prints a pre-flight report: what was checked, then each finding with its fix.
fn print_preflight(rep: &aws::preflight::PreflightReport, out: &mut impl Write) {
    let _ = writeln!(out, "pre-flight acting as {} (account {})", rep.caller.arn, rep.caller.account);
    print_findings(&rep.checked, &rep.findings, out);
}

/// What pre-flight checked and found, one line each (shared by every cloud's report).
pub(crate) fn print_findings(checked: &[String], findings: &[trustbridge_core::guardrail::GuardFinding], out: &mut impl Write) {
    use trustbridge_core::guardrail::GuardSeverity;
    for c in checked {
        let _ = writeln!(out, "checked: {}", crate::cli_out::terminal_safe(c));
    }
    for f in findings {
        let label = match f.severity {
            GuardSeverity::Blocking => "BLOCKING",
            GuardSeverity::Warning => "warning ",
            GuardSeverity::Info => "info    ",
        };
        let _ = writeln!(out, "{label} [{}] {}", f.code, crate::cli_out::terminal_safe(&f.message));
        if f.severity != GuardSeverity::Info {
            let _ = writeln!(out, "         fix: {}", crate::cli_out::terminal_safe(&f.fix));
        }
    }
    let count = |s: GuardSeverity| findings.iter().filter(|f| f.severity == s).count();
    let (b, w) = (count(GuardSeverity::Blocking), count(GuardSeverity::Warning));
    if b > 0 {
        let _ = writeln!(out, "pre-flight: {b} blocking, {w} warning(s): the vendor (or apply) would be denied");
    } else if w > 0 {
        let _ = writeln!(out, "pre-flight: nothing blocking; {w} warning(s) to check");
    } else {
        let _ = writeln!(out, "pre-flight: nothing found that would deny the vendor or apply");
    }
}

/// `trustbridge preflight`: reads the guardrails (SCPs, bucket, key and bus policies) and says
/// what would deny the vendor or apply. Exit 0 when nothing blocks, 1 when something does.
pub fn preflight(r: &Resolved, json: bool, org_profile: Option<String>, out: &mut impl Write) -> i32 {
    if r.aws_org.is_some() {
        // The management account's own credentials read the organization's policies.
        return crate::cli_org::preflight(r, json, org_profile, out);
    }
    if let Err(code) = require_aws(r) {
        return code;
    }
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let env = AwsSettings::from_env();
    let settings = AwsSettings { org_profile: org_profile.or(env.org_profile.clone()), ..env };
    match rt.block_on(aws::preflight::preflight(r, &settings)) {
        Ok(rep) => {
            if json {
                let _ = writeln!(out, "{}", crate::cli_out::json_text(&rep));
            } else {
                print_preflight(&rep, out);
            }
            if rep.blocking() {
                EXIT_FAILED
            } else {
                EXIT_OK
            }
        }
        Err(e) => {
            print_error(&e);
            EXIT_FAILED
        }
    }
}

/// A probe's status as the CLI prints it, four columns wide.
pub(crate) fn symbol(s: ProbeStatus) -> &'static str {
    match s {
        ProbeStatus::Pass => "ok  ",
        ProbeStatus::Partial => "part",
        ProbeStatus::Fail => "FAIL",
        ProbeStatus::Skip => "skip",
    }
}

fn print_probe(out: &mut impl Write, p: &ProbeResult) {
    let _ = writeln!(out, "{} {:<34} {:>6} ms  {}", symbol(p.status), p.id, p.duration_ms, crate::cli_out::terminal_safe(&p.message));
    if p.status == ProbeStatus::Partial {
        if let Some(unchecked) = &p.fix {
            let _ = writeln!(out, "     not checked: {}", crate::cli_out::terminal_safe(unchecked));
        }
    }
    if p.status == ProbeStatus::Fail {
        if let Some(fix) = &p.fix {
            let _ = writeln!(out, "     fix: {}", crate::cli_out::terminal_safe(fix));
        }
    }
}

/// The connectivity test for every cloud in the plan, concurrently: AWS with the default
/// credential chain, GCP and Azure with the credentials stored in the OS keyring.
pub fn verify(plan: &Path, r: &Resolved, json: bool, timeout_secs: f64, out: &mut impl Write) -> i32 {
    if !(timeout_secs.is_finite() && timeout_secs > 0.0 && timeout_secs <= 600.0) {
        eprintln!("--timeout: must be between 0 and 600 seconds (got {timeout_secs})");
        return EXIT_INVALID;
    }
    let timeout = Duration::from_secs_f64(timeout_secs);
    if r.aws_org.is_none() {
        let (code, results) = verify_clouds(plan, r, json, timeout, out);
        if json {
            let _ = writeln!(out, "{}", crate::cli_out::json_text(&results));
        }
        return code;
    }
    // An organization-wide plan: every AWS account, then the plan's other clouds if it has any;
    // with --json one document `{"accounts": [...], "summary": "...", "probes": [...]}`.
    let (aws_code, accounts) = crate::cli_org::verify(r, json, timeout, out);
    let (rest_code, probes) =
        if r.gcp.is_some() || r.azure.is_some() { verify_clouds(plan, r, json, timeout, out) } else { (EXIT_OK, Vec::new()) };
    if json {
        let mut doc = crate::cli_org::verify_document(&accounts);
        doc["probes"] = serde_json::to_value(&probes).unwrap_or_default();
        let _ = writeln!(out, "{}", crate::cli_out::json_text(&doc));
    }
    aws_code.max(rest_code)
}

/// The connectivity test of the plan's single-account AWS, GCP and Azure sections: the exit code
/// and the results (printed live and summed up, unless `json`).
fn verify_clouds(plan: &Path, r: &Resolved, json: bool, timeout: Duration, out: &mut impl Write) -> (i32, Vec<ProbeResult>) {
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return (code, Vec::new()),
    };
    let settings = CloudSettings::from_env().with_timeout(timeout);
    crate::cli::show_warnings(&settings.warnings());
    let store = SecretStore::os();
    let missing_fix = |kind: SecretKind| {
        format!("store them once: trustbridge secrets set {} --plan {} < credentials.json", kind.as_str(), plan.display())
    };
    // Live: probes run on a worker thread; each is printed here as it finishes (not with --json,
    // which prints one document at the end).
    let started = std::time::Instant::now();
    let (tx, rx) = std::sync::mpsc::channel::<ProbeEvent>();
    let outcome = std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let send = move |e: ProbeEvent| {
                let _ = tx.send(e);
            };
            rt.block_on(verify_all(r, &settings, &store, &missing_fix, &send))
        });
        for e in rx {
            if json {
                continue;
            }
            match e {
                ProbeEvent::Finished(p) => print_probe(out, &p),
                ProbeEvent::Waiting { id, message } => {
                    let _ = writeln!(out, "...  {id}: {message}");
                }
                ProbeEvent::Started { .. } => {}
            }
            let _ = out.flush();
        }
        worker.join()
    });
    let results = match outcome {
        Ok(Ok(rs)) => rs,
        Ok(Err(e)) => {
            print_error(&e);
            return (EXIT_FAILED, Vec::new());
        }
        Err(_) => {
            eprintln!("verify: the probe thread panicked");
            return (EXIT_FAILED, Vec::new());
        }
    };
    let o = out;
    let failed = results.iter().filter(|p| p.status == ProbeStatus::Fail).count();
    let verdict = Verdict::of(&results);
    if !json {
        let passed = results.iter().filter(|p| p.status == ProbeStatus::Pass).count();
        let partly = results.iter().filter(|p| p.status == ProbeStatus::Partial).count();
        let skipped = results.len() - passed - partly - failed;
        let verdict = match verdict {
            Verdict::Pass => "connectivity test passed",
            Verdict::Partial => "connectivity test passed only partly (see the probes marked part)",
            Verdict::Fail => "connectivity test FAILED",
            Verdict::NothingProven => "connectivity test proved NOTHING (no probe could run from this computer)",
        };
        let ms = started.elapsed().as_millis();
        let _ = writeln!(
            o,
            "{verdict}: {passed} of {} probes ok, {partly} checked only partly, {failed} failing, {skipped} skipped ({ms} ms)",
            results.len()
        );
        if r.aws.is_some() && settings.aws.vendor.is_none() {
            let _ = writeln!(o, "(vendor-side probes need vendor credentials: TRUSTBRIDGE_VENDOR_PROFILE, or TRUSTBRIDGE_VENDOR_ACCESS_KEY_ID + TRUSTBRIDGE_VENDOR_SECRET_ACCESS_KEY)");
        }
    }
    // Nothing proven is not a pass (the window shows the same run as not green); a partial check
    // is not a failure: it exits 0, and says what it did not check.
    let code = if matches!(verdict, Verdict::Pass | Verdict::Partial) { EXIT_OK } else { EXIT_FAILED };
    (code, results)
}

pub fn revoke(plan: &Path, r: &Resolved, force: bool, out: &mut impl Write) -> i32 {
    if r.aws_org.is_some() {
        return crate::cli_org::revoke(r, force, out);
    }
    if let Err(code) = require_aws(r) {
        return code;
    }
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let settings = AwsSettings::from_env();
    match rt.block_on(aws::revoke(r, &settings, force)) {
        Ok(rep) => {
            let _ = writeln!(out, "acting as {} (account {})", rep.caller.arn, rep.caller.account);
            if rep.changes.is_empty() {
                let _ = writeln!(out, "nothing to revoke: {} does not exist or no longer trusts the vendor", rep.role_arn);
                return EXIT_OK;
            }
            for c in &rep.changes {
                let _ = writeln!(out, "- {c}");
            }
            if rep.role_deleted {
                let _ = writeln!(out, "revoked: role {} deleted; the vendor can no longer assume it", rep.role_arn);
            } else {
                let _ =
                    writeln!(out, "revoked: the vendor's statements and policies were removed; the shared role {} was kept", rep.role_arn);
            }
            EXIT_OK
        }
        Err(f) => {
            print_failure(&f, &format!("revoke --plan {}", plan.display()));
            EXIT_FAILED
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustbridge_cloud::probe::{Check, Cloud, ProbeId};

    /// A vendor plan's verify prints what a cloud said (a message, a fix, what was not checked)
    /// one line each, whatever control or bidi characters it holds.
    #[test]
    fn a_plans_probe_cannot_drive_the_terminal() {
        let hostile = "denied \u{9b}2J\u{1b}]0;t\u{7}\u{200f}x\nFAKE ok line".to_string();
        let mut out = Vec::new();
        for status in [ProbeStatus::Fail, ProbeStatus::Partial] {
            let p = ProbeResult {
                id: ProbeId::on(Cloud::Gcp, Check::Role, "r"),
                status,
                duration_ms: 1,
                message: hostile.clone(),
                fix: Some(hostile.clone()),
                code: None,
            };
            print_probe(&mut out, &p);
        }
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains(['\u{9b}', '\u{1b}', '\u{7}', '\u{200f}']), "{text:?}");
        assert_eq!(text.lines().count(), 4, "a line for each probe and one for its fix: {text:?}");
    }
}
