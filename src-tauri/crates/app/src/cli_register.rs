//! CLI: `trustbridge register`, and the registration steps of `apply` (a vendor-issued external id
//! not received yet) and `revoke` (the vendor's credentials deleted too). The work is in
//! [`crate::register`]; this prints it and writes the plan back (atomically; ids only, no secret).

use std::io::Write;
use std::path::Path;

use trustbridge_cloud::vendor::VendorSettings;
use trustbridge_core::validate::Resolved;
use trustbridge_core::{export, Plan};
use trustbridge_secrets::SecretStore;

use crate::cli::{EXIT_FAILED, EXIT_INVALID, EXIT_OK};
use crate::cli_out::runtime;
use crate::register::{self, Cloud, Failure, Step};

fn symbol(s: &Step) -> &'static str {
    match s.action {
        "would_register" => "~",
        "kept" | "adopted" | "kept_at_vendor" => "=",
        "deleted" | "already_gone" => "-",
        _ => "+",
    }
}

fn print_steps(out: &mut impl Write, steps: &[Step]) {
    for s in steps {
        let id = s.credentials_id.as_deref().map(|i| format!(" [{i}]")).unwrap_or_default();
        let _ = writeln!(
            out,
            "{} {}: {}{}",
            symbol(s),
            s.cloud.as_str(),
            crate::cli_out::terminal_safe(&s.message),
            crate::cli_out::terminal_safe(&id)
        );
    }
}

/// Writes `plan` over the file at `path` when it changed. Exit code on failure.
pub fn save_plan(path: &Path, before: &Plan, plan: &Plan) -> Result<bool, i32> {
    if before == plan {
        return Ok(false);
    }
    export::write_file_atomic(path, plan.to_json_pretty().as_bytes()).map_err(|e| {
        eprintln!("{e}");
        eprintln!("fix: the vendor's answer could not be recorded in {}: make the file writable and run the command again (it finds the registration and records it)", path.display());
        EXIT_FAILED
    })?;
    Ok(true)
}

fn report_failure(path: &Path, r: &Resolved, f: &Failure, out: &mut impl Write) -> i32 {
    print_steps(out, &f.done);
    // What was registered before the failure is recorded all the same.
    if let Err(code) = save_plan(path, &r.plan, &f.plan) {
        return code;
    }
    eprintln!("error [{}]: {}", f.error.code(), crate::cli_out::terminal_safe(&f.error.to_string()));
    if let Some(fix) = f.error.fix() {
        eprintln!("fix: {}", crate::cli_out::terminal_safe(&fix.to_string()));
    }
    EXIT_FAILED
}

/// `trustbridge register --plan P [--dry-run] [--json] [--replace]`.
pub fn register(path: &Path, r: &Resolved, dry_run: bool, json: bool, replace: bool, out: &mut impl Write) -> i32 {
    if r.profile.registration.is_none() {
        eprintln!(
            "vendor profile '{}' has no registration API: hand handoff.json over as SUMMARY.md says (trustbridge export --plan {})",
            r.profile.id,
            path.display()
        );
        return EXIT_INVALID;
    }
    if register::registering(r).is_empty() {
        let _ = writeln!(out, "nothing to register: the plan's clouds are keyless or not taken by {}'s API", r.profile.display_name);
        return EXIT_OK;
    }
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(c) => return c,
    };
    let settings = VendorSettings::from_env();
    crate::cli::show_warnings(&settings.warnings);
    let store = SecretStore::os();
    match rt.block_on(register::register(r, &store, &settings, &[], dry_run, replace)) {
        Ok((plan, steps)) => {
            let saved = match save_plan(path, &r.plan, &plan) {
                Ok(s) => s,
                Err(c) => return c,
            };
            if json {
                let v = serde_json::json!({"dry_run": dry_run, "plan_updated": saved, "steps": steps});
                let _ = writeln!(out, "{}", crate::cli_out::json_text(&v));
            } else {
                print_steps(out, &steps);
                if saved {
                    let _ = writeln!(out, "recorded in {} (credentials ids and the external id; no secret)", path.display());
                }
                if dry_run {
                    let _ = writeln!(out, "dry run: nothing was sent and the plan was not changed");
                } else if r.aws.is_some() {
                    let _ = writeln!(out, "next: trustbridge apply --plan {}", path.display());
                }
            }
            EXIT_OK
        }
        Err(f) => {
            if json {
                let v = serde_json::json!({"error": f.error.info(), "done": f.done});
                let _ = writeln!(out, "{}", crate::cli_out::json_text(&v));
            }
            report_failure(path, r, &f, out)
        }
    }
}

/// Before `apply`: when the vendor issues the external id and the plan has none yet, register the
/// role first and continue with the plan as recorded. `Ok(None)`: nothing to do.
pub fn before_apply(path: &Path, r: &Resolved, dry_run: bool, out: &mut impl Write) -> Result<Option<Resolved>, i32> {
    let Some(a) = &r.aws else { return Ok(None) };
    if !a.external_id_pending {
        return Ok(None);
    }
    let vendor = &r.profile.display_name;
    if dry_run {
        let _ = writeln!(out, "~ aws: would register role {} at {vendor} first; {vendor} issues the external id then", a.role_arn());
        // The dry run shows the role's changes with a stand-in for the id the vendor will issue.
        return Ok(Some(r.with_stand_in_external_id()));
    }
    let rt = runtime()?;
    let settings = VendorSettings::from_env();
    crate::cli::show_warnings(&settings.warnings);
    let store = SecretStore::os();
    match rt.block_on(register::register(r, &store, &settings, &[Cloud::Aws], false, false)) {
        Ok((plan, steps)) => {
            print_steps(out, &steps);
            save_plan(path, &r.plan, &plan)?;
            // The profile was read and its signature checked when the plan was loaded: not again.
            r.revalidate(&plan).map(Some).map_err(|problems| {
                for p in &problems {
                    eprintln!("{p}");
                }
                EXIT_INVALID
            })
        }
        Err(f) => Err(report_failure(path, r, &f, out)),
    }
}

/// After `revoke`: delete the vendor's registrations (unless `keep`) and clear them from the plan.
pub fn after_revoke(path: &Path, r: &Resolved, keep: bool, out: &mut impl Write) -> i32 {
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(c) => return c,
    };
    let settings = VendorSettings::from_env();
    crate::cli::show_warnings(&settings.warnings);
    let store = SecretStore::os();
    match rt.block_on(register::unregister(r, &store, &settings, keep)) {
        Ok((plan, steps)) => {
            print_steps(out, &steps);
            match save_plan(path, &r.plan, &plan) {
                Ok(_) => EXIT_OK,
                Err(c) => c,
            }
        }
        Err(f) => report_failure(path, r, &f, out),
    }
}
