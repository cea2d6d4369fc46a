//! CLI: `apply`, `preflight`, `verify` and `revoke` of an organization-wide AWS plan. With the
//! `member-role` engine each listed account is worked on as a single-account plan by
//! `trustbridge_cloud::aws::org`: a line as each account ends (stderr), then one row per account in
//! the plan's order and a one-line summary (stdout). With the `stack-set` engine, apply and revoke
//! deploy and remove the StackSet (`trustbridge_cloud::aws::stackset`), after pre-flight in each
//! listed account; pre-flight and verify work per listed account, through its member role, with
//! either engine.
//!
//! Exit codes: 0 every account ok, 1 any account failed, 2 the plan cannot be run this way.

use std::io::Write;
use std::time::{Duration, Instant};

use trustbridge_cloud::aws::org::{self, AccountOutcome};
use trustbridge_cloud::aws::preflight::PreflightReport;
use trustbridge_cloud::aws::stackset::StackSetReport;
use trustbridge_cloud::aws::{ApplyFailure, AwsSettings, ProbeResult, ProbeStatus, RevokeReport};
use trustbridge_cloud::CloudError;
use trustbridge_core::guardrail::{self, GuardSeverity};
use trustbridge_core::validate::{OrgEngine, Resolved, ResolvedOrg};

use crate::cli::{EXIT_FAILED, EXIT_INVALID, EXIT_OK};
use crate::cli_out::runtime;
use crate::org_apply::{AccountApply, Override};

/// Pre-flight's findings in an account, one indented line each with its fix.
fn finding_lines(rep: &PreflightReport) -> String {
    rep.findings
        .iter()
        .map(|f| {
            let sev = if f.severity == GuardSeverity::Blocking { "BLOCKING" } else { "warning" };
            format!(
                "\n      pre-flight {sev} [{}] {}\n        fix: {}",
                f.code.as_str(),
                crate::cli_out::terminal_safe(&f.message),
                crate::cli_out::terminal_safe(&f.fix)
            )
        })
        .collect()
}

/// The plan's organization section (either engine).
fn org_of(r: &Resolved) -> Result<&ResolvedOrg, i32> {
    r.aws_org.as_ref().ok_or_else(|| {
        eprintln!("{}; this command works on the plan's AWS section", CloudError::NoSection { cloud: "aws" });
        EXIT_INVALID
    })
}

/// The error of a failed account on one line, with its fix on the next.
fn failure_lines(f: &ApplyFailure) -> String {
    let safe = crate::cli_out::terminal_safe;
    let mut s = format!("FAILED [{}] {}", f.error.code(), safe(&f.error.to_string()));
    if let Some(fix) = f.error.fix() {
        s.push_str(&format!("\n      fix: {}", safe(&fix)));
    }
    if !f.done.is_empty() {
        s.push_str(&format!("\n      done before the failure: {}", f.done.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")));
    }
    s
}

/// One account's row: whether it is ok, its text, and for a failing one the fix to say again
/// under the summary.
struct Row {
    ok: bool,
    text: String,
    fix: Option<String>,
}

impl Row {
    fn ok(text: String) -> Row {
        Row { ok: true, text, fix: None }
    }
}

/// Prints the per-account table and the summary (each failing account with its fix); the exit code.
fn table<T>(out: &mut impl Write, outcomes: &[AccountOutcome<T>], verb: &str, started: Instant, row: impl Fn(&T) -> Row) -> i32 {
    let mut failed = Vec::new();
    for o in outcomes {
        let r = match (o.ok(), o.failure()) {
            (Some(t), _) => row(t),
            (None, Some(f)) => Row { ok: false, text: failure_lines(f), fix: f.error.fix().map(|x| x.to_string()) },
            (None, None) => Row { ok: false, text: String::new(), fix: None },
        };
        if !r.ok {
            failed.push((o.account_id.as_str(), r.fix));
        }
        let _ = writeln!(out, "{}  {}", o.account_id, r.text);
    }
    let n = outcomes.len();
    let ms = started.elapsed().as_millis();
    if failed.is_empty() {
        let _ = writeln!(out, "{verb}: {n} of {n} accounts ok ({ms} ms)");
        EXIT_OK
    } else {
        let ids: Vec<&str> = failed.iter().map(|(a, _)| *a).collect();
        let _ = writeln!(out, "{verb}: {} of {n} accounts ok, {} failing: {} ({ms} ms)", n - failed.len(), failed.len(), ids.join(", "));
        for (account, fix) in &failed {
            let _ = writeln!(out, "  {account}: {}", crate::cli_out::terminal_safe(fix.as_deref().unwrap_or("see its row above")));
        }
        let _ = writeln!(out, "re-run the same command to retry: accounts that are done are left as they are");
        EXIT_FAILED
    }
}

fn progress<T>(verb: &'static str) -> impl Fn(&AccountOutcome<T>) + Sync {
    move |o: &AccountOutcome<T>| {
        let how = o.via_role.as_deref().map(|r| format!(" as {r}")).unwrap_or_default();
        eprintln!("{verb} {}{how}: {}", o.account_id, if o.failure().is_some() { "failed" } else { "done" });
    }
}

/// Each account's stack as its status changes while a StackSet operation runs (stderr: progress;
/// the report on stdout is the record).
fn stack_progress(i: &trustbridge_cloud::aws::stackset::StackInstance) {
    // CloudFormation's reason, on one line: no control or bidirectional-override character reaches the terminal.
    let why = i.reason.as_deref().map(|r| format!(" ({})", crate::confirm::plain_long(r))).unwrap_or_default();
    eprintln!("stack {}: {}{why}", i.account_id, i.status);
}

/// Pre-flight, then apply (or its dry run), in every account: a blocking finding in an account
/// stops that account only, unless `ignore_preflight`.
pub fn apply(r: &Resolved, dry_run: bool, adopt: bool, ignore_preflight: bool, out: &mut impl Write) -> i32 {
    let org = match org_of(r) {
        Ok(o) => o,
        Err(code) => return code,
    };
    if org.engine == OrgEngine::StackSet {
        return apply_stack_set(r, dry_run, ignore_preflight, out);
    }
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let base = AwsSettings { adopt, ..AwsSettings::from_env() };
    let _ = writeln!(
        out,
        "{} in {} account(s), {} at a time, through {}",
        if dry_run { "dry run" } else { "apply" },
        org.accounts.len(),
        org.max_concurrency,
        org.member_role_name
    );
    let started = Instant::now();
    let outcomes = match rt.block_on(crate::org_apply::apply(
        r,
        &base,
        dry_run,
        if ignore_preflight { Override::All } else { Override::None },
        &progress("apply"),
    )) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error [{}]: {}", e.code(), crate::cli_out::terminal_safe(&e.to_string()));
            return EXIT_FAILED;
        }
    };
    table(out, &outcomes, if dry_run { "dry run" } else { "apply" }, started, |a: &AccountApply| {
        let found = finding_lines(&a.preflight);
        let Some(rep) = &a.report else {
            let e = CloudError::PreflightBlocked { blocking: guardrail::blocking(&a.preflight.findings).count() };
            let first = guardrail::blocking(&a.preflight.findings).next().map(|f| f.fix.clone());
            return Row {
                ok: false,
                text: format!("FAILED [{}] {e} (nothing was changed here; --ignore-preflight applies anyway){found}", e.code()),
                fix: first,
            };
        };
        let text = match (rep.changes.len(), dry_run) {
            (0, _) => format!("ok  no changes: {} already matches the plan", rep.role_arn),
            (n, true) => {
                format!("ok  would make {n} change(s): {}", rep.changes.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
            }
            (n, false) => format!("ok  applied {n} change(s); role ARN: {}", rep.role_arn),
        };
        Row::ok(format!("{text}{found}"))
    })
}

/// Pre-flight in every account (reads only).
pub fn preflight(r: &Resolved, json: bool, org_profile: Option<String>, out: &mut impl Write) -> i32 {
    if let Err(code) = org_of(r) {
        return code;
    }
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let env = AwsSettings::from_env();
    let base = AwsSettings { org_profile: org_profile.or(env.org_profile.clone()), ..env };
    let started = Instant::now();
    let work = |one: Resolved, s: AwsSettings| async move {
        trustbridge_cloud::aws::preflight::preflight(&one, &s).await.map_err(ApplyFailure::from)
    };
    let outcomes = match rt.block_on(org::for_each_account(r, &base, work, &progress("pre-flight"))) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error [{}]: {}", e.code(), crate::cli_out::terminal_safe(&e.to_string()));
            return EXIT_FAILED;
        }
    };
    if json {
        let _ = writeln!(out, "{}", crate::cli_out::json_text(&outcomes));
        let bad = outcomes.iter().any(|o| o.ok().is_none_or(PreflightReport::blocking));
        return if bad { EXIT_FAILED } else { EXIT_OK };
    }
    table(out, &outcomes, "pre-flight", started, |rep: &PreflightReport| {
        let verdict = match (rep.blocking(), rep.findings.len()) {
            (true, n) => format!("BLOCKED  {n} finding(s)"),
            (false, 0) => format!("ok  nothing found ({} things checked)", rep.checked.len()),
            (false, n) => format!("ok  {n} warning(s)"),
        };
        Row {
            ok: !rep.blocking(),
            text: format!("{verdict}{}", finding_lines(rep)),
            fix: guardrail::blocking(&rep.findings).next().map(|f| f.fix.clone()),
        }
    })
}

/// The connectivity test in every account: the exit code and the outcomes (printed as a table
/// unless `json`, when the caller prints them in its document).
pub fn verify(r: &Resolved, json: bool, timeout: Duration, out: &mut impl Write) -> (i32, Vec<AccountOutcome<Vec<ProbeResult>>>) {
    if let Err(code) = org_of(r) {
        return (code, Vec::new());
    }
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return (code, Vec::new()),
    };
    let base = AwsSettings { timeout, ..AwsSettings::from_env() };
    let started = Instant::now();
    let outcomes = match rt.block_on(org::verify_org(r, &base, &progress("verify"))) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error [{}]: {}", e.code(), crate::cli_out::terminal_safe(&e.to_string()));
            return (EXIT_FAILED, Vec::new());
        }
    };
    if json {
        let code = if outcomes.iter().all(org::verified) { EXIT_OK } else { EXIT_FAILED };
        return (code, outcomes);
    }
    let code = table(out, &outcomes, "connectivity test", started, |probes: &Vec<ProbeResult>| {
        let failing: Vec<&ProbeResult> = probes.iter().filter(|p| p.status == ProbeStatus::Fail).collect();
        if failing.is_empty() {
            let passed = probes.iter().filter(|p| p.status == ProbeStatus::Pass).count();
            return Row::ok(format!("ok  {passed} of {} probes ok", probes.len()));
        }
        let lines: Vec<String> = failing
            .iter()
            .map(|p| format!("FAIL {} {}{}", p.id, p.message, p.fix.as_deref().map(|f| format!("\n      fix: {f}")).unwrap_or_default()))
            .collect();
        Row { ok: false, text: lines.join("\n      "), fix: failing.iter().find_map(|p| p.fix.clone()) }
    });
    (code, outcomes)
}

/// The organization's connectivity test as one JSON value: each account with its probes, every
/// probe also naming its account (`account_id`), and the one-line summary.
pub fn verify_document(outcomes: &[AccountOutcome<Vec<ProbeResult>>]) -> serde_json::Value {
    let accounts: Vec<serde_json::Value> = outcomes
        .iter()
        .map(|o| {
            let mut v = serde_json::to_value(o).unwrap_or_default();
            if let Some(probes) = v.get_mut("ok").and_then(serde_json::Value::as_array_mut) {
                for p in probes.iter_mut().filter_map(serde_json::Value::as_object_mut) {
                    p.insert("account_id".into(), o.account_id.clone().into());
                }
            }
            v
        })
        .collect();
    let failing: Vec<&str> = outcomes.iter().filter(|o| !org::verified(o)).map(|o| o.account_id.as_str()).collect();
    let n = outcomes.len();
    let summary = if failing.is_empty() {
        format!("{n} of {n} accounts green")
    } else {
        format!("{} of {n} accounts green, {} failing: {}", n - failing.len(), failing.len(), failing.join(", "))
    };
    serde_json::json!({ "accounts": accounts, "summary": summary })
}

/// Revoke in every account.
pub fn revoke(r: &Resolved, force: bool, out: &mut impl Write) -> i32 {
    match org_of(r) {
        Ok(o) if o.engine == OrgEngine::StackSet => return revoke_stack_set(r, out),
        Ok(_) => {}
        Err(code) => return code,
    }
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let base = AwsSettings::from_env();
    let started = Instant::now();
    let outcomes = match rt.block_on(org::revoke_org(r, &base, force, &progress("revoke"))) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error [{}]: {}", e.code(), crate::cli_out::terminal_safe(&e.to_string()));
            return EXIT_FAILED;
        }
    };
    table(out, &outcomes, "revoke", started, |rep: &RevokeReport| {
        let text = match (rep.changes.is_empty(), rep.role_deleted) {
            (true, _) => format!("ok  nothing to revoke: {} does not exist or no longer trusts the vendor", rep.role_arn),
            (false, true) => format!("ok  role {} deleted", rep.role_arn),
            (false, false) => format!("ok  the vendor's access removed; the shared role {} kept", rep.role_arn),
        };
        Row::ok(text)
    })
}

/// Prints a StackSet report: the steps, each account's stack, and the summary line; the exit code.
fn print_stack_set(rep: &StackSetReport, verb: &str, started: Instant, out: &mut impl Write) -> i32 {
    let _ = writeln!(out, "acting as {} (account {})", rep.caller.arn, rep.caller.account);
    for step in &rep.steps {
        let _ = writeln!(out, "{} {step}", if rep.dry_run { "~" } else { "+" });
    }
    for i in &rep.instances {
        let _ = writeln!(
            out,
            "{}  {}{}",
            i.account_id,
            i.status,
            i.reason.as_deref().map(|x| format!("  {}", crate::confirm::plain_long(x))).unwrap_or_default()
        );
    }
    if let Some(m) = &rep.management_stack {
        let _ = writeln!(out, "{}  management account stack {m}", rep.caller.account);
    }
    if !rep.dry_run && verb == "apply" {
        for a in rep.unreached() {
            let _ = writeln!(
                out,
                "{a}  FAILED no stack of the StackSet succeeded here: is the account in one of the plan's organizational units?"
            );
        }
    }
    let ms = started.elapsed().as_millis();
    if rep.dry_run {
        let _ = writeln!(out, "dry run: nothing was changed; run without --dry-run to {verb}");
        return EXIT_OK;
    }
    let n = rep.instances.len();
    let mut failed: Vec<&str> = rep.failed().iter().map(|i| i.account_id.as_str()).collect();
    if verb == "apply" {
        failed.extend(rep.unreached());
    }
    let _ = writeln!(
        out,
        "{verb}: StackSet {} operation {}, {} of {n} account stack(s) succeeded{} ({ms} ms)",
        rep.stack_set,
        rep.operation_status.as_deref().unwrap_or("not run"),
        n - rep.failed().len(),
        if failed.is_empty() { String::new() } else { format!(", failing: {}", failed.join(", ")) }
    );
    // Revoke is done only when no account's stack is left.
    let done = if verb == "revoke" { rep.removed() } else { rep.ok() };
    if done {
        EXIT_OK
    } else {
        EXIT_FAILED
    }
}

/// The stack-set engine (`org_apply::apply_stack_set`): pre-flight in every listed account
/// (through its member role) first, then the StackSet.
fn apply_stack_set(r: &Resolved, dry_run: bool, ignore_preflight: bool, out: &mut impl Write) -> i32 {
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let started = Instant::now();
    let base = AwsSettings::from_env();
    let done = match rt.block_on(crate::org_apply::apply_stack_set(
        r,
        &base,
        dry_run,
        if ignore_preflight { Override::All } else { Override::None },
        &progress("pre-flight"),
        &stack_progress,
    )) {
        Ok(done) => done,
        Err(e) => {
            eprintln!("error [{}]: {}", e.code(), crate::cli_out::terminal_safe(&e.to_string()));
            if let Some(fix) = e.fix() {
                eprintln!("fix: {}", crate::cli_out::terminal_safe(&fix.to_string()));
            }
            return EXIT_FAILED;
        }
    };
    for o in &done.preflight {
        match (o.ok(), o.failure()) {
            (Some(rep), _) if !rep.findings.is_empty() => {
                let _ = writeln!(out, "{}  pre-flight{}", o.account_id, finding_lines(rep));
            }
            (None, Some(f)) => {
                let _ = writeln!(out, "{}  pre-flight could not run: {}", o.account_id, failure_lines(f));
            }
            _ => {}
        }
    }
    match &done.report {
        Some(rep) => print_stack_set(rep, "apply", started, out),
        None => {
            let e = CloudError::PreflightBlocked { blocking: done.blocking };
            eprintln!("error [{}]: {}", e.code(), crate::cli_out::terminal_safe(&e.to_string()));
            EXIT_FAILED
        }
    }
}

fn revoke_stack_set(r: &Resolved, out: &mut impl Write) -> i32 {
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let started = Instant::now();
    match rt.block_on(trustbridge_cloud::aws::stackset::revoke_stack_set(r, &AwsSettings::from_env(), &stack_progress)) {
        Ok(rep) => print_stack_set(&rep, "revoke", started, out),
        Err(e) => {
            eprintln!("error [{}]: {}", e.code(), crate::cli_out::terminal_safe(&e.to_string()));
            if let Some(fix) = e.fix() {
                eprintln!("fix: {}", crate::cli_out::terminal_safe(&fix.to_string()));
            }
            EXIT_FAILED
        }
    }
}
