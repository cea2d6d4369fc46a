//! Property test: arbitrary VALID three-cloud plans, whose free-text fields are built
//! from the characters that are special somewhere (Unicode line and paragraph separators, quotes,
//! backslashes, `%{`, `$`, `: true`, `#`, bidi controls, a BOM, emoji), render without a panic,
//! and every format, read back by its own ecosystem's parser (PyYAML for CloudFormation,
//! python-hcl2 for Terraform, Python's `ast` for Pulumi, serde_json), grants exactly the JSON
//! documents' (action, resource, condition) set, and the GCP and Azure Terraform exactly the model.
//!
//! 512 accepted plans per run (`TRUSTBRIDGE_PROP_CASES` changes it); the generator is random per
//! run, and a failure prints the plan that caused it. One Python process reads every bundle back.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{json, Value};
use trustbridge_core::export::write_bundle;
use trustbridge_core::model::{azure, gcp};
use trustbridge_core::policy::{Grant, PolicyDocument};
use trustbridge_core::render::{self, aws};
use trustbridge_core::{validate, Plan};

/// Pieces of free text that are special to YAML, HCL, Python, shell, Markdown or JSON.
const PIECES: &[&str] = &[
    "a",
    "Z",
    "0",
    "/",
    "-",
    "_",
    ".",
    " ",
    "'",
    "\"",
    "\\",
    ": true",
    "%{",
    "}",
    "{",
    "$",
    "#",
    "\u{2028}",
    "\u{2029}",
    "\u{202e}",
    "\u{feff}",
    "é",
    "日本",
    "\u{1F600}",
    "- ",
    "&",
    "!",
    "|",
    ">",
    "`",
    "$(",
    "%",
    "<<EOF",
    "null",
    "~",
    "*/",
    "<!--",
    "\"\"\"",
    "'''",
    "[",
    "]",
    ",",
    "=",
    "@",
    "\t ",
];

fn hostile(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 1..max).prop_map(|v| v.concat())
}

fn bucket() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9-]{1,30}[a-z0-9]".prop_filter("no reserved prefixes or suffixes", |b| {
        !b.starts_with("xn--") && !b.starts_with("sthree-") && !b.ends_with("-s3alias") && !b.ends_with("--ol-s3") && !b.ends_with("--x-s3")
    })
}

fn plan() -> impl Strategy<Value = Value> {
    (
        (
            "[A-Za-z0-9+=,.@_-]{1,64}",
            "[A-Za-z0-9+=,.@:/_-]{2,100}",
            prop::collection::vec((bucket(), prop::option::of(hostile(12))), 1..6),
            prop::collection::vec("[A-Za-z0-9._-]{1,30}", 0..3),
        ),
        (prop::collection::vec(bucket(), 1..4), prop::collection::vec("[a-zA-Z][a-zA-Z0-9._-]{2,30}", 0..3)),
        (
            hostile(20),
            prop::collection::vec(("[a-z0-9]{3,24}", "[a-z0-9](-?[a-z0-9]){2,30}"), 1..4),
            prop::collection::vec("[a-zA-Z0-9-]{3,40}", 0..3),
        ),
    )
        .prop_map(|((role, ext, s3, buses), (gcs, topics), (sp, containers, grid))| {
            let dedup = |v: Vec<Value>| -> Vec<Value> {
                let mut seen = BTreeSet::new();
                v.into_iter().filter(|x| seen.insert(x.to_string())).collect()
            };
            let s3 = dedup(
                s3.into_iter()
                    .map(|(bucket, prefix)| match prefix {
                        Some(p) => json!({"bucket": bucket, "prefix": p}),
                        None => json!({"bucket": bucket}),
                    })
                    .collect(),
            );
            json!({
                "version": 1, "platform": "mlcube",
                "integration": {"name": "AWS_01", "project_id": "p"},
                "aws": {"partition": "aws", "account_id": "123456789012", "region": "eu-west-1", "role_name": role, "role_path": "/",
                        "external_id": ext, "storage": s3,
                        "events": dedup(buses.into_iter().map(|b| json!({"event_bus_name": b})).collect())},
                "gcp": {"project_id": "my-project", "service_account": "ml3-platform-sa",
                        "storage": dedup(gcs.into_iter().map(|b| json!({"bucket": b})).collect()),
                        "events": dedup(topics.into_iter().map(|t| json!({"topic": t})).collect())},
                "azure": {"tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47", "subscription_id": "0b1f6471-1bf0-4dda-aec3-cb9272f09590",
                          "resource_group": "my-rg", "service_principal_name": sp,
                          "storage": dedup(containers.into_iter().map(|(a, c)| json!({"storage_account": a, "container": c})).collect()),
                          "events": dedup(grid.into_iter().map(|t| json!({"topic": t})).collect())}
            })
        })
}

fn cases() -> usize {
    std::env::var("TRUSTBRIDGE_PROP_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512)
}

fn grants(v: &Value) -> BTreeSet<Grant> {
    PolicyDocument::parse(&v.to_string()).unwrap_or_else(|e| panic!("{e}: {v}")).grants()
}

struct Case {
    plan: Value,
    r: trustbridge_core::validate::Resolved,
    dir: PathBuf,
}

#[test]
fn arbitrary_valid_plans_render_and_every_format_grants_exactly_the_json_documents() {
    let want_cases = cases();
    let tmp = tempfile::tempdir().unwrap();
    let mut runner = TestRunner::default();
    let strategy = plan();
    let mut accepted = Vec::new();
    let mut refused = 0usize;
    while accepted.len() < want_cases {
        assert!(refused < want_cases * 4, "the generator makes too few valid plans ({refused} refused)");
        let v = strategy.new_tree(&mut runner).unwrap().current();
        let parsed = Plan::from_json(&v.to_string()).unwrap_or_else(|e| panic!("{e}: {v}"));
        let r = match validate(&parsed, None) {
            Ok(r) => r,
            Err(problems) => {
                // Legal refusals only: a prefix rule ('${' from '$' + '{', a leading '/'), a name
                // that trims to nothing, or an IAM size limit. Anything else is a generator bug.
                assert!(
                    problems
                        .iter()
                        .all(|p| p.field.contains("prefix") || p.field.ends_with("service_principal_name") || p.rule.contains("IAM limit")),
                    "{problems:#?}\n{v}"
                );
                refused += 1;
                continue;
            }
        };
        let dir = tmp.path().join(format!("case-{}", accepted.len()));
        write_bundle(&render::render(&r), &dir).unwrap_or_else(|e| panic!("{e}\n{v}"));
        accepted.push(Case { plan: v, r, dir });
    }

    // One batch for the Python parsers: five files per case.
    let mut jobs = Vec::new();
    for c in &accepted {
        let f = |p: &str| c.dir.join(p).display().to_string();
        jobs.push(json!(["cfn", f("aws/cloudformation.yaml"), "aws", "123456789012", "eu-west-1", "amazonaws.com"]));
        jobs.push(json!(["tf-aws", f("aws/main.tf")]));
        jobs.push(json!(["pulumi-aws", f("aws/pulumi/__main__.py")]));
        jobs.push(json!(["tf-gcp", f("gcp/main.tf")]));
        jobs.push(json!(["tf-azure", f("azure/main.tf")]));
        jobs.push(json!(["python", f("gcp/pulumi/__main__.py")]));
        jobs.push(json!(["python", f("azure/pulumi/__main__.py")]));
    }
    let per_case = 7;
    let results = read_back(&jobs);
    assert_eq!(results.len(), jobs.len());

    for (c, got) in accepted.iter().zip(results.chunks(per_case)) {
        let ctx = || format!("plan: {}", c.plan);
        for (job, res) in jobs[..per_case].iter().zip(got) {
            assert!(res.get("error").is_none(), "{} could not read it back: {}\n{}", job[0], res["error"], ctx());
        }
        let a = c.r.aws.as_ref().unwrap();
        let docs = aws::documents(a);
        let want_trust = docs.trust.grants();
        let want_inline: Vec<(&str, BTreeSet<Grant>)> = docs.inline().iter().map(|(n, d)| (*n, d.grants())).collect();
        for (format, res) in [("cloudformation", &got[0]), ("terraform", &got[1])] {
            assert_eq!(grants(&res["trust"]), want_trust, "{format} trust\n{}", ctx());
            assert_eq!(res["inline"].as_object().unwrap().len(), want_inline.len(), "{format} inline count\n{}", ctx());
            for (name, want) in &want_inline {
                assert_eq!(&grants(&res["inline"][*name]), want, "{format} {name}\n{}", ctx());
            }
        }
        assert_eq!(grants(&got[2]["trust"]), want_trust, "pulumi trust\n{}", ctx());
        assert_eq!(got[2]["inline"].as_object().unwrap().len(), want_inline.len(), "pulumi inline count\n{}", ctx());
        for (name, want) in &want_inline {
            assert_eq!(&grants(&got[2]["inline"][*name]), want, "pulumi {name}\n{}", ctx());
        }
        // The JSON documents grant each prefix exactly as typed.
        for s in &a.storage {
            if let Some(p) = &s.prefix {
                assert!(
                    want_inline.iter().any(|(_, g)| g.iter().any(|g| g.resource.ends_with(&format!("{}/{p}*", s.bucket)))),
                    "prefix {p:?}\n{}",
                    ctx()
                );
            }
        }
        let want_gcp: BTreeSet<Vec<String>> = gcp::model(c.r.gcp.as_ref().unwrap(), &c.r.plan.integration.name)
            .bindings
            .iter()
            .map(|b| vec![b.resource.clone(), b.role.clone(), b.member.clone()])
            .collect();
        let got_gcp: BTreeSet<Vec<String>> = serde_json::from_value(got[3].clone()).unwrap();
        assert_eq!(got_gcp, want_gcp, "gcp terraform\n{}", ctx());
        let want_az: BTreeSet<Vec<String>> = azure::model(c.r.azure.as_ref().unwrap())
            .role_assignments
            .iter()
            .map(|a| vec![a.role.clone(), a.scope.clone(), a.principal_type.clone()])
            .collect();
        let got_az: BTreeSet<Vec<String>> = serde_json::from_value(got[4].clone()).unwrap();
        assert_eq!(got_az, want_az, "azure terraform\n{}", ctx());
        // Every JSON file of the bundle parses, and handoff.json names the Azure principal as typed.
        for f in walk(&c.dir).into_iter().filter(|f| f.extension().is_some_and(|e| e == "json")) {
            let text = std::fs::read_to_string(&f).unwrap();
            assert!(serde_json::from_str::<Value>(&text).is_ok(), "{}\n{}", f.display(), ctx());
        }
    }
    eprintln!("property test: {} valid plans rendered and read back ({refused} generated plans refused by validation)", accepted.len());
}

fn read_back(jobs: &[Value]) -> Vec<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("checkers/extract.py");
    let mut child = Command::new("python3")
        .arg(script)
        .arg("batch")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is required (scripts/setup.sh installs the checkers' packages)");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(Value::Array(jobs.to_vec()).to_string().as_bytes()).unwrap();
    }
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "extract.py batch: {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
