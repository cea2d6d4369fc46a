//! Loading a plan, one use case for both adapters: parse the text, check where the plan's vendor
//! profile or role pack may come from, validate. The CLI loads a plan file (profiles and packs it
//! names by path are read beside it, a profile file must pass the profile keys of its flags); the
//! window loads the JSON the webview sent (built-in profiles and packs, or a profile imported
//! through the native picker; never a path, which would let the page make Rust read a file).
//! Each adapter only turns the outcome into its own output: stderr lines and an exit code, or an
//! `IpcError`.

use std::path::Path;

use trustbridge_core::pack::{self, PackPlan, ResolvedPack};
use trustbridge_core::profile_trust::ProfileTrust;
use trustbridge_core::validate::{self, Resolved};
use trustbridge_core::{CoreError, Plan, Problem, Profile};

use crate::imported::ProfileStore;

/// Where a plan comes from, which decides what it may name.
pub enum Source<'a> {
    /// A plan file (the CLI): a profile or pack it names by path is read relative to `dir`; a
    /// profile file is accepted by `trust` (its signature).
    File { dir: Option<&'a Path>, trust: &'a ProfileTrust },
    /// The webview: built-in profiles and packs, or profiles imported through the native picker.
    /// A pack variable left blank counts as left out (it takes its default, or is reported unfilled).
    Window(&'a ProfileStore),
}

/// A validated document: a vendor plan or a role-pack plan.
pub enum Loaded {
    Vendor(Box<Resolved>),
    Pack(Box<ResolvedPack>),
}

impl Loaded {
    /// The offline lint of what the plan renders.
    pub fn findings(&self) -> Vec<trustbridge_core::lint::Finding> {
        match self {
            Loaded::Vendor(r) => trustbridge_core::lint::lint(r),
            Loaded::Pack(p) => pack::lint_pack(p),
        }
    }

    /// Every document the plan renders.
    pub fn bundle(&self) -> trustbridge_core::Bundle {
        match self {
            Loaded::Vendor(r) => trustbridge_core::render(r),
            Loaded::Pack(p) => pack::render_pack(p),
        }
    }
}

/// What apply lints of a vendor plan: the plan with a stand-in for an external id the vendor has
/// not issued yet (registering with the vendor comes before apply; the id's absence is not a lint
/// finding). Export lints the plan as it is ([`Loaded::findings`]).
pub fn apply_findings(r: &Resolved) -> Vec<trustbridge_core::lint::Finding> {
    trustbridge_core::lint::lint(&r.with_stand_in_external_id())
}

/// The lint gate of export and apply, one rule for the window and the CLI: any error finding
/// refuses, and the refusal names each (`document: message`).
pub fn lint_gate(findings: &[trustbridge_core::lint::Finding]) -> Result<(), Vec<String>> {
    let errors: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == trustbridge_core::lint::Severity::Error)
        .map(|f| format!("{}: {}", f.document, f.message))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Export and apply are lint-gated: an error finding refuses them (`code`), naming each finding.
pub fn refuse_lint_errors(
    findings: &[trustbridge_core::lint::Finding],
    code: crate::errors::AppCode,
    outcome: &str,
) -> Result<(), crate::ipc::IpcError> {
    let Err(errors) = lint_gate(findings) else { return Ok(()) };
    Err(crate::ipc::IpcError {
        fix: Some("Change the answers so that the policy checks find no error.".into()),
        ..crate::ipc::IpcError::new(code, format!("nothing {outcome}: the policy checks found errors: {}", errors.join("; ")))
    })
}

#[derive(Debug)]
pub enum LoadError {
    /// The text is not a plan (JSON syntax, a type, an unknown key).
    Parse(CoreError),
    /// The plan names a profile or pack this source may not read: nothing else was checked.
    Refused(Problem),
    /// The plan does not validate: every problem, each naming its field.
    Invalid(Vec<Problem>),
}

/// Loads a vendor plan or a role-pack plan, whichever the text is.
pub fn load(text: &str, source: &Source<'_>) -> Result<Loaded, LoadError> {
    if pack::is_pack_plan(text) {
        load_pack(text, source).map(|p| Loaded::Pack(Box::new(p)))
    } else {
        load_vendor(text, source).map(|r| Loaded::Vendor(Box::new(r)))
    }
}

/// Parses the text as a vendor plan and validates it against its vendor profile.
pub fn load_vendor(text: &str, source: &Source<'_>) -> Result<Resolved, LoadError> {
    parse_vendor(text, source).and_then(|p| validate_vendor(&p, source))
}

/// Parses the text as a vendor plan, refusing a profile the source may not read.
pub fn parse_vendor(text: &str, source: &Source<'_>) -> Result<Plan, LoadError> {
    let p = Plan::from_json(text).map_err(LoadError::Parse)?;
    if let Source::Window(_) = source {
        if Profile::builtin(&p.platform).is_none() && trustbridge_core::profile::looks_like_path(&p.platform) {
            let ids: Vec<&str> = trustbridge_core::profile::BUILTIN.iter().map(|(id, _)| *id).collect();
            let rule = format!(
                "the wizard uses the built-in vendor profiles ({}) or a vendor profile file chosen with 'Use a vendor profile file…', never a path",
                ids.join(", ")
            );
            return Err(LoadError::Refused(Problem::new("platform", rule, &p.platform)));
        }
    }
    Ok(p)
}

/// Validates a parsed vendor plan with the profile its source resolves.
pub fn validate_vendor(p: &Plan, source: &Source<'_>) -> Result<Resolved, LoadError> {
    match source {
        Source::File { dir, trust } => validate::validate_with(p, *dir, trust),
        Source::Window(store) => validate::validate_with_profile(p, store.resolve(&p.platform)),
    }
    .map_err(LoadError::Invalid)
}

/// Parses the text as a role-pack plan and validates it against its pack.
pub fn load_pack(text: &str, source: &Source<'_>) -> Result<ResolvedPack, LoadError> {
    parse_pack(text, source).and_then(|p| validate_pack(&p, source))
}

/// Parses the text as a role-pack plan, refusing a pack the source may not read.
pub fn parse_pack(text: &str, source: &Source<'_>) -> Result<PackPlan, LoadError> {
    let mut p = PackPlan::from_json(text).map_err(LoadError::Parse)?;
    if let Source::Window(_) = source {
        if pack::Pack::builtin(&p.pack).is_none() {
            let ids: Vec<&str> = pack::BUILTIN.iter().map(|(id, _)| *id).collect();
            let rule = format!("choose one of the built-in role packs: {}", ids.join(", "));
            return Err(LoadError::Refused(Problem::new("pack", rule, &p.pack)));
        }
        p.variables.retain(|_, v| !v.is_empty());
    }
    Ok(p)
}

/// Validates a parsed role-pack plan; a pack file is read beside a plan file only.
pub fn validate_pack(p: &PackPlan, source: &Source<'_>) -> Result<ResolvedPack, LoadError> {
    let dir = match source {
        Source::File { dir, .. } => *dir,
        Source::Window(_) => None,
    };
    pack::validate_pack(p, dir).map_err(LoadError::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{}/../../../tests/fixtures/plans/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    fn no_keys() -> ProfileTrust {
        ProfileTrust { keys: Vec::new(), allow_unsigned: false }
    }

    #[test]
    fn the_window_never_reads_a_profile_or_pack_by_path_while_a_plan_file_may() {
        let tmp = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(Some(tmp.path()), vec![]);
        let mut plan: serde_json::Value = serde_json::from_str(&fixture("custom-keyless.json")).unwrap();
        plan["platform"] = "./vendor.json".into();
        match load(&plan.to_string(), &Source::Window(&store)) {
            Err(LoadError::Refused(p)) => assert_eq!(p.field, "platform"),
            Err(e) => panic!("expected a refusal, got {e:?}"),
            Ok(_) => panic!("a path was read"),
        }
        // From a file the same plan is validated (and fails only because no such file exists).
        let trust = no_keys();
        match load(&plan.to_string(), &Source::File { dir: Some(tmp.path()), trust: &trust }) {
            Err(LoadError::Invalid(problems)) => assert!(problems.iter().any(|p| p.field == "platform"), "{problems:?}"),
            Err(e) => panic!("expected validation problems, got {e:?}"),
            Ok(_) => panic!("a missing profile file validated"),
        }
        let pack_plan = serde_json::json!({"version": 1, "pack": "./my-pack.json", "variables": {}});
        match load(&pack_plan.to_string(), &Source::Window(&store)) {
            Err(LoadError::Refused(p)) => assert_eq!(p.field, "pack"),
            Err(e) => panic!("expected a refusal, got {e:?}"),
            Ok(_) => panic!("a pack path was read"),
        }
    }

    #[test]
    fn both_sources_load_the_same_built_in_plan_alike() {
        let tmp = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(Some(tmp.path()), vec![]);
        let text = fixture("custom-keyless.json");
        let trust = no_keys();
        let (Ok(Loaded::Vendor(a)), Ok(Loaded::Vendor(b))) =
            (load(&text, &Source::Window(&store)), load(&text, &Source::File { dir: None, trust: &trust }))
        else {
            panic!("the fixture plan did not load as a vendor plan from both sources");
        };
        assert_eq!(trustbridge_core::render(&a).files.len(), trustbridge_core::render(&b).files.len());
        assert!(matches!(load("{\"platform\": 3}", &Source::Window(&store)), Err(LoadError::Parse(_))));
    }
}
