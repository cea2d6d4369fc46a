//! CLI: `apply`, `verify` and `revoke` for role-pack plans (loaded by `cli::resolve_or_report`). Thin: the work is in
//! `trustbridge_cloud::aws::pack`.

use std::io::Write;

use trustbridge_cloud::aws::pack::{apply_pack, revoke_pack, verify_pack, PackReport};
use trustbridge_cloud::aws::{ApplyFailure, AwsSettings, ProbeResult, ProbeStatus};
use trustbridge_cloud::CloudError;
use trustbridge_core::pack::ResolvedPack;

use crate::cli::{EXIT_FAILED, EXIT_OK};

fn run<T>(f: impl std::future::Future<Output = Result<T, CloudError>>) -> Result<T, i32> {
    crate::cli_out::runtime()?.block_on(f).map_err(|e| {
        crate::cli_out::print_error(&e);
        EXIT_FAILED
    })
}

fn report(out: &mut impl Write, rep: &PackReport, what: &str) -> i32 {
    let _ = writeln!(out, "acting as {} (account {})", rep.caller.arn, rep.caller.account);
    if rep.changes.is_empty() {
        let _ = writeln!(out, "nothing to {what}: the account already matches");
    }
    for c in &rep.changes {
        let _ = writeln!(out, "  {c}");
    }
    EXIT_OK
}

/// Runs a pack apply or revoke; a failure part-way is printed with what was done and what not.
fn run_changes(f: impl std::future::Future<Output = Result<PackReport, ApplyFailure>>, command: &str) -> Result<PackReport, i32> {
    crate::cli_out::runtime()?.block_on(f).map_err(|failure| {
        crate::cli_out::print_failure(&failure, command);
        EXIT_FAILED
    })
}

pub fn apply(r: &ResolvedPack, dry_run: bool, out: &mut impl Write) -> i32 {
    match run_changes(apply_pack(r, &AwsSettings::from_env(), dry_run), "apply") {
        Ok(rep) => {
            let code = report(out, &rep, "change");
            if dry_run && !rep.changes.is_empty() {
                let _ = writeln!(out, "dry run: nothing was changed");
            }
            code
        }
        Err(c) => c,
    }
}

pub fn verify(r: &ResolvedPack, json: bool, out: &mut impl Write) -> i32 {
    let probes = match run(verify_pack(r, &AwsSettings::from_env())) {
        Ok(p) => p,
        Err(c) => return c,
    };
    let failed = probes.iter().filter(|p| p.status == ProbeStatus::Fail).count();
    if json {
        let _ = writeln!(out, "{}", crate::cli_out::json_text(&probes));
    } else {
        print_probes(&probes, out);
        let _ = writeln!(out, "{} of {} checks ok", probes.len() - failed, probes.len());
    }
    if failed == 0 {
        EXIT_OK
    } else {
        EXIT_FAILED
    }
}

/// Each probe on a line, a failure's fix under it. The messages carry what IAM holds (names, and
/// the policy reader's complaint about a document it cannot read): kept on their line, so a
/// policy cannot drive the terminal.
fn print_probes(probes: &[ProbeResult], out: &mut impl Write) {
    let safe = crate::cli_out::terminal_safe;
    for p in probes {
        let _ = writeln!(out, "{} {} ({} ms): {}", crate::cli_aws::symbol(p.status), p.id, p.duration_ms, safe(&p.message));
        if let Some(fix) = p.fix.as_ref().filter(|_| p.status == ProbeStatus::Fail) {
            let _ = writeln!(out, "     fix: {}", safe(fix));
        }
    }
}

pub fn revoke(r: &ResolvedPack, force: bool, out: &mut impl Write) -> i32 {
    match run_changes(revoke_pack(r, &AwsSettings::from_env(), force), "revoke") {
        Ok(rep) => report(out, &rep, "remove"),
        Err(c) => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustbridge_cloud::probe::{Check, Cloud, ProbeId};

    #[test]
    fn a_probe_message_from_iam_cannot_drive_the_terminal() {
        let hostile = "policy \u{1b}[2J\u{202e}x\nFAKE ok line".to_string();
        let p = ProbeResult {
            id: ProbeId::on(Cloud::Aws, Check::Role, "r"),
            status: ProbeStatus::Fail,
            duration_ms: 1,
            message: hostile.clone(),
            fix: Some(hostile),
            code: None,
        };
        let mut out = Vec::new();
        print_probes(&[p], &mut out);
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'), "{text:?}");
        assert_eq!(text.lines().count(), 2, "one line for the probe, one for its fix: {text:?}");
    }
}
