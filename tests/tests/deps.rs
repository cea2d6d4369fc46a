//! The build holds one HTTPS stack. The AWS SDK's "rustls" default feature compiles its legacy
//! client in (hyper 0.14, rustls 0.21 on ring) beside the one it uses (hyper 1, rustls 0.23 on
//! aws-lc-rs, shared with reqwest): about a megabyte of each binary and a second TLS library that
//! never runs. The root Cargo.toml declares every AWS SDK crate without it; a crate that asks for an
//! SDK crate with its default features brings the legacy client back into Cargo.lock, and this fails.

use std::path::Path;

/// (name, version) of every package in the workspace's Cargo.lock.
fn locked_packages() -> Vec<(String, String)> {
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
    let text = std::fs::read_to_string(&lock).unwrap_or_else(|e| panic!("read {}: {e}", lock.display()));
    let mut out = Vec::new();
    let mut name = None;
    for line in text.lines() {
        if line == "[[package]]" {
            name = None;
        } else if let Some(v) = line.strip_prefix("name = ") {
            name = Some(v.trim_matches('"').to_string());
        } else if let Some(v) = line.strip_prefix("version = ") {
            // Cargo writes a package's version on the line after its name.
            if let Some(n) = name.take() {
                out.push((n, v.trim_matches('"').to_string()));
            }
        }
    }
    out
}

#[test]
fn the_aws_sdks_legacy_https_client_is_not_in_the_build() {
    let packages = locked_packages();
    assert!(packages.iter().any(|(n, _)| n == "aws-sdk-iam"), "Cargo.lock was not parsed: {} packages", packages.len());
    let legacy: Vec<String> = packages
        .iter()
        .filter(|(n, v)| {
            (n == "hyper" && v.starts_with("0."))
                || (n == "rustls" && v.starts_with("0.21."))
                || (n == "hyper-rustls" && v.starts_with("0.24."))
        })
        .map(|(n, v)| format!("{n} {v}"))
        .collect();
    assert!(
        legacy.is_empty(),
        "the AWS SDK's legacy HTTPS client is back in the build ({legacy:?}): declare the SDK crate as `aws-sdk-….workspace = true` (no default features)"
    );
    // One rustls and one hyper: the SDK's and reqwest's.
    for crate_name in ["rustls", "hyper"] {
        let versions: Vec<&String> = packages.iter().filter(|(n, _)| n == crate_name).map(|(_, v)| v).collect();
        assert_eq!(versions.len(), 1, "{crate_name}: {versions:?}");
    }
}
