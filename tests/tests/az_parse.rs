//! Every `az` command line the exported Azure scripts run, through azure-cli's own parser and
//! argument validators (`azure-cli` from PyPI in `$TRUSTBRIDGE_CACHE/azure-cli`, installed by
//! `scripts/setup.sh`; `tests/checkers/az_parse.py` replaces each command's body by a recorder,
//! so nothing runs and no login is needed).
//!
//! The lines are the ones bash really passes: `azure/setup.sh` and `azure/revoke.sh` run against
//! the TEST DOUBLE of `az` (`tests/doubles/cloud_cli.py`, which records each call's argv) through
//! every branch — a first setup (app created, secret added), a re-run (app found), revoke with the
//! recorded app id and by name, and a tenant mismatch whose message tells the user to run
//! `az login --tenant …`. Every `az` command named in the scripts' text must be among the lines
//! parsed, so none is left out. Planted controls: a misspelt option, an unknown command, an
//! invalid choice, a missing required argument and a bad `--query` are refused by the same parser.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

fn cache() -> PathBuf {
    std::env::var_os("TRUSTBRIDGE_CACHE").map(PathBuf::from).unwrap_or_else(|| "/var/tmp/trustbridge-cache".into())
}

/// The Python of the venv `scripts/setup.sh` makes for azure-cli.
fn azure_cli_python() -> PathBuf {
    let py = cache().join("azure-cli/bin/python");
    let ok = Command::new(&py).args(["-c", "import azure.cli.core"]).stderr(Stdio::null()).status().map(|s| s.success()).unwrap_or(false);
    assert!(ok, "azure-cli is required for this test ({}): run scripts/setup.sh", py.display());
    py
}

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

struct Rig {
    dir: tempfile::TempDir,
    bundle: PathBuf,
}

impl Rig {
    fn new(name: &str, plan_json: &str) -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        std::os::unix::fs::symlink(Path::new(env!("CARGO_MANIFEST_DIR")).join("doubles/cloud_cli.py"), bin.join("az")).unwrap();
        // The double's `#!/usr/bin/env python3` finds the interpreter itself here, not a version
        // manager's shim (which costs ≈0.3 s a call).
        let exe = Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .expect("python3 is required: run scripts/setup.sh");
        std::os::unix::fs::symlink(String::from_utf8_lossy(&exe.stdout).trim(), bin.join("python3")).unwrap();
        let plan = trustbridge_core::Plan::from_json(plan_json).unwrap();
        let r = trustbridge_core::validate(&plan, None).unwrap_or_else(|p| panic!("{name}: {p:#?}"));
        let bundle = trustbridge_core::export::write_bundle(&trustbridge_core::render::render(&r), &dir.path().join("bundle")).unwrap();
        let rig = Rig { dir, bundle };
        rig.set_state(TENANT);
        rig
    }

    /// Lets (`false`) or refuses (`true`) `az role assignment list --all`, the rest of the state kept.
    fn deny_listing(&self, denied: bool) {
        let f = self.dir.path().join("state.json");
        let mut st: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        st["list_denied"] = json!(denied);
        std::fs::write(f, st.to_string()).unwrap();
    }

    fn set_state(&self, tenant: &str) {
        std::fs::write(self.dir.path().join("state.json"), json!({"tenant": tenant, "apps": [], "sps": []}).to_string()).unwrap();
    }

    /// Runs a script with the double first on PATH; returns its output and the `az` argv it sent.
    fn run(&self, script: &str, env: &[(&str, &str)]) -> (Output, Vec<Vec<String>>) {
        let log = self.dir.path().join("calls.jsonl");
        let _ = std::fs::remove_file(&log);
        let mut c = Command::new("bash");
        c.arg(self.bundle.join(script))
            .env("PATH", format!("{}:{}", self.dir.path().join("bin").display(), std::env::var("PATH").unwrap_or_default()))
            .env("FAKE_CLOUD_STATE", self.dir.path().join("state.json"))
            .env("FAKE_CLOUD_LOG", &log);
        for (k, v) in env {
            c.env(k, v);
        }
        let o = c.output().unwrap();
        let calls = std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str::<Vec<String>>(l).unwrap())
            .filter(|argv| argv[0] == "az")
            .map(|argv| argv[1..].to_vec())
            .collect();
        (o, calls)
    }
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The `az` command lines of a plan's Azure scripts, as bash passes them, from every branch.
fn az_lines(name: &str, plan_json: &str) -> (Vec<Vec<String>>, BTreeSet<String>) {
    let rig = Rig::new(name, plan_json);
    let mut lines = Vec::new();
    let ok = |script: &str, env: &[(&str, &str)], lines: &mut Vec<Vec<String>>| {
        let (o, calls) = rig.run(script, env);
        assert!(o.status.success(), "{name} {script}: {}", text(&o));
        lines.extend(calls);
    };
    ok("azure/setup.sh", &[("CREATE_SECRET", "1")], &mut lines); // first run: the app is created
    ok("azure/setup.sh", &[], &mut lines); // re-run: the app is found
    rig.deny_listing(true); // the subscription's assignments not readable: each scope asked instead
    ok("azure/setup.sh", &[], &mut lines);
    rig.deny_listing(false);
    ok("azure/revoke.sh", &[], &mut lines); // by the app id setup.sh recorded
    ok("azure/setup.sh", &[], &mut lines);
    let _ = std::fs::remove_file(rig.bundle.join("azure/app-id.txt"));
    ok("azure/revoke.sh", &[], &mut lines); // by exact name
                                            // Signed in to another tenant: both scripts stop and tell the user which `az login` to run.
    rig.set_state("00000000-0000-0000-0000-00000000ffff");
    for script in ["azure/setup.sh", "azure/revoke.sh"] {
        let (o, calls) = rig.run(script, &[]);
        assert!(!o.status.success(), "{name} {script}: {}", text(&o));
        lines.extend(calls);
        let stderr = String::from_utf8_lossy(&o.stderr).to_string();
        let hint = stderr.split("Run: ").nth(1).unwrap_or_else(|| panic!("{name} {script}: no `Run: az …` hint: {}", text(&o)));
        let argv: Vec<String> = hint.lines().next().unwrap_or_default().split_whitespace().map(String::from).collect();
        assert_eq!(argv[..2], ["az", "login"], "{hint}");
        lines.push(argv[1..].to_vec());
    }
    // Every az command the scripts' text names (its words before the first option or value).
    let mut named = BTreeSet::new();
    for script in ["azure/setup.sh", "azure/revoke.sh"] {
        let body = std::fs::read_to_string(rig.bundle.join(script)).unwrap();
        for line in body.lines().filter(|l| !l.trim_start().starts_with('#')) {
            for part in line.split("az ").skip(1) {
                let words: Vec<&str> = part
                    .split_whitespace()
                    .take_while(|w| {
                        w.starts_with(|c: char| c.is_ascii_lowercase()) && w.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                    })
                    .collect();
                if !words.is_empty() {
                    named.insert(words.join(" "));
                }
            }
        }
    }
    lines.sort();
    lines.dedup();
    (lines, named)
}

/// Runs the checker on `lines`; one result each.
fn parse(lines: &[Vec<String>]) -> Vec<Value> {
    let py = azure_cli_python();
    let config = tempfile::tempdir().unwrap();
    let mut child = Command::new(py)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("checkers/az_parse.py"))
        .env("AZURE_CONFIG_DIR", config.path())
        .env("AZURE_EXTENSION_DIR", config.path().join("extensions"))
        .env("AZURE_CORE_COLLECT_TELEMETRY", "false")
        .env("AZURE_CORE_NO_COLOR", "true")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), serde_json::to_string(lines).unwrap().as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "az_parse.py: {}", text(&o));
    let out: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(out.len(), lines.len());
    out
}

fn plans() -> Vec<(String, String)> {
    let three = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/plans/three-clouds.json")).unwrap();
    let keyless = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/plans/custom-keyless.json")).unwrap();
    // A name that needs the OData and shell quoting: still one --filter argument.
    let mut hostile: Value = serde_json::from_str(&three).unwrap();
    hostile["azure"]["service_principal_name"] = json!("x') or startswith(displayName,'");
    vec![("three-clouds.json".into(), three), ("custom-keyless.json".into(), keyless), ("hostile sp name".into(), hostile.to_string())]
}

#[test]
fn every_az_line_of_the_azure_scripts_parses_with_azure_cli() {
    let mut all: Vec<(String, Vec<String>)> = Vec::new();
    for (name, plan) in plans() {
        let (lines, named) = az_lines(&name, &plan);

        let ran: BTreeSet<String> =
            lines.iter().map(|argv| argv.iter().take_while(|w| !w.starts_with('-')).cloned().collect::<Vec<_>>().join(" ")).collect();
        let missing: Vec<&String> = named.iter().filter(|n| !ran.contains(*n)).collect();
        assert!(missing.is_empty(), "{name}: az commands in the scripts that no run reached: {missing:?} (reached: {ran:?})");
        assert!(named.len() >= 5, "{name}: {named:?}");
        all.extend(lines.into_iter().map(|l| (name.clone(), l)));
    }
    let lines: Vec<Vec<String>> = all.iter().map(|(_, l)| l.clone()).collect();
    let results = parse(&lines);
    let mut bad = Vec::new();
    for ((name, argv), r) in all.iter().zip(&results) {
        let command = argv.iter().take_while(|w| !w.starts_with('-')).cloned().collect::<Vec<_>>().join(" ");
        let parsed = r["outcome"] == "parsed" && r["ran"] == json!(command) || r["outcome"] == "needs-login";
        if !parsed {
            bad.push(format!("{name}: az {argv:?}\n  {}", r["message"].as_str().unwrap_or_default().replace('\n', "\n  ")));
        }
    }
    assert!(bad.is_empty(), "azure-cli refuses these lines:\n{}", bad.join("\n"));
    // The secret, the role assignments and the hint are among them.
    for want in ["ad app credential reset", "role assignment create", "role assignment delete", "login", "ad sp create"] {
        assert!(results.iter().any(|r| r["ran"] == want), "{want} not parsed");
    }
}

/// Planted controls: lines azure-cli must refuse, through the same checker.
#[test]
fn azure_cli_refuses_a_wrong_line() {
    let sub = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590";
    let planted: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "role",
                "assignment",
                "create",
                "--assignee-object-id",
                "x",
                "--assignee-principal-typo",
                "ServicePrincipal",
                "--role",
                "Owner",
                "--scope",
                sub,
            ],
            "unrecognized arguments: --assignee-principal-typo",
        ),
        (vec!["ad", "app", "creat", "--display-name", "x"], "'creat' is misspelled or not recognized"),
        (
            vec![
                "role",
                "assignment",
                "create",
                "--assignee-object-id",
                "x",
                "--assignee-principal-type",
                "Robot",
                "--role",
                "Owner",
                "--scope",
                sub,
            ],
            "'Robot' is not a valid value for '--assignee-principal-type'",
        ),
        (vec!["ad", "app", "credential", "reset", "--append"], "the following arguments are required: --id"),
        (vec!["ad", "app", "list", "--query", "[].appId[", "-o", "tsv"], "invalid jmespath_type value"),
        (vec!["account", "show", "-o", "yml"], "'yml' is not a valid value for '--output'"),
    ];
    let lines: Vec<Vec<String>> = planted.iter().map(|(a, _)| a.iter().map(|s| s.to_string()).collect()).collect();
    // And one good line, so a checker that refuses everything fails here too.
    let mut with_good = lines.clone();
    with_good.push(vec![
        "ad".into(),
        "sp".into(),
        "show".into(),
        "--id".into(),
        "x".into(),
        "--query".into(),
        "id".into(),
        "-o".into(),
        "tsv".into(),
    ]);
    let results = parse(&with_good);
    for ((argv, says), r) in planted.iter().zip(&results) {
        assert_eq!(r["outcome"], "error", "{argv:?}: {r}");
        assert_eq!(r["exit"], 2, "{argv:?}: {r}");
        assert!(r["message"].as_str().unwrap().contains(says), "{argv:?}: {r}");
    }
    assert_eq!(results.last().unwrap()["outcome"], "parsed", "{}", results.last().unwrap());
}
