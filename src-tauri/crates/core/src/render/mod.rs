//! Rendering: a resolved plan → the typed documents → the export bundle's files.

pub mod aws;
pub mod aws_iac;
pub mod aws_sh;
pub mod azure;
pub mod cfn;
pub mod gcp;
pub mod pack;
pub mod pulumi;
pub mod sh;
pub mod stackset;
pub mod summary;
pub mod terraform;
pub mod yaml;

use serde::Serialize;

use crate::validate::{Resolved, ResolvedAws};

/// One file of the bundle, path relative to the bundle root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Artifact {
    pub path: String,
    pub content: String,
    pub executable: bool,
}

impl Artifact {
    pub fn text(path: &str, content: String) -> Artifact {
        Artifact { path: path.to_string(), content, executable: false }
    }
    pub fn script(path: &str, content: String) -> Artifact {
        Artifact { path: path.to_string(), content, executable: true }
    }
}

/// Everything an export writes, in order.
#[derive(Debug, Clone, Serialize)]
pub struct Bundle {
    pub files: Vec<Artifact>,
}

impl Bundle {
    pub fn get(&self, path: &str) -> Option<&Artifact> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// A double-quoted string literal that JSON, YAML (double-quoted scalar), Python and HCL (before its
/// template escapes) all read back as exactly `s`: quotes and backslashes escaped, and every
/// character a reader could take as a line break, or that is not printable, as `\uXXXX` — controls,
/// NEL, LINE/PARAGRAPH SEPARATOR (YAML 1.1 breaks lines on them), BOM and bidirectional controls.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if crate::validate::is_invisible(c) => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn pretty<T: Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("serializes");
    s.push('\n');
    s
}

/// The credentials sealed to the vendor's public key (`credentials.age`): ciphertext only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SealedCredentials {
    /// The ASCII-armored age file.
    #[serde(skip)]
    pub armored: String,
    /// The vendor's public key it was sealed to.
    pub recipient: String,
    /// Which credentials it holds: `gcp`, `azure`.
    pub contains: Vec<String>,
}

/// Renders every file of the bundle. Pure: no I/O.
pub fn render(r: &Resolved) -> Bundle {
    render_with(r, None)
}

/// [`render`], plus `credentials.age` when the credentials were sealed to the vendor.
pub fn render_with(r: &Resolved, sealed: Option<&SealedCredentials>) -> Bundle {
    let mut files = vec![
        Artifact::text("SUMMARY.md", summary::summary_md(r, sealed)),
        Artifact::text("plan.json", r.plan.to_json_pretty()),
        Artifact::text("handoff.json", pretty(&summary::handoff(r, sealed))),
    ];
    if let Some(s) = sealed {
        files.push(Artifact::text("credentials.age", s.armored.clone()));
    }
    if let Some(a) = &r.aws {
        files.extend(aws_files(r, a, "aws"));
    }
    // An organization-wide plan: each account's files, as its single-account plan would have them.
    for a in r.aws_org.iter().flat_map(|o| &o.accounts) {
        files.extend(aws_files(&r.for_account(a), a, &format!("aws/accounts/{}", a.account_id)));
    }
    // The stack-set engine: the StackSet over the organizational units, and how to deploy it.
    if let (Some(t), Some(deploy), Some(revoke), Some(tf)) =
        (stackset::template_yaml(r), stackset::deploy_sh(r), stackset::revoke_sh(r), stackset::terraform(r))
    {
        files.push(Artifact::text(&format!("aws/stackset/{}", stackset::TEMPLATE_FILE), t));
        files.push(Artifact::script("aws/stackset/deploy.sh", deploy));
        files.push(Artifact::script("aws/stackset/revoke.sh", revoke));
        files.push(Artifact::text("aws/stackset/stackset.tf", tf));
    }
    if let Some(g) = &r.gcp {
        let m = crate::model::gcp::model(g, &r.plan.integration.name);
        if let Some(role) = &m.custom_role {
            files.push(Artifact::text("gcp/custom-role.json", pretty(role)));
        }
        files.push(Artifact::text("gcp/bindings.json", pretty(&m.bindings)));
        files.push(Artifact::script("gcp/setup.sh", gcp::setup_sh(&r.plan.integration.name, g, &m)));
        files.push(Artifact::script("gcp/revoke.sh", gcp::revoke_sh(&r.plan.integration.name, g, &m)));
        files.push(Artifact::text("gcp/main.tf", terraform::gcp_tf(g, &m)));
        files.push(Artifact::text("gcp/pulumi/__main__.py", pulumi::gcp_program(g, &m)));
        files
            .push(Artifact::text("gcp/pulumi/Pulumi.yaml", pulumi::project_yaml("trustbridge-gcp", "Trustbridge: vendor service account")));
        files.push(Artifact::text("gcp/pulumi/requirements.txt", pulumi::requirements("gcp")));
    }
    if let Some(z) = &r.azure {
        let m = crate::model::azure::model(z);
        files.push(Artifact::text("azure/role-assignments.json", pretty(&m)));
        files.push(Artifact::script("azure/setup.sh", azure::setup_sh(&r.plan.integration.name, z, &m)));
        files.push(Artifact::script("azure/revoke.sh", azure::revoke_sh(&r.plan.integration.name, z, &m)));
        files.push(Artifact::text("azure/main.tf", terraform::azure_tf(z, &m)));
        files.push(Artifact::text("azure/pulumi/__main__.py", pulumi::azure_program(z, &m)));
        files.push(Artifact::text(
            "azure/pulumi/Pulumi.yaml",
            pulumi::project_yaml("trustbridge-azure", "Trustbridge: vendor service principal"),
        ));
        files.push(Artifact::text("azure/pulumi/requirements.txt", pulumi::requirements("azure")));
    }
    Bundle { files }
}

/// The AWS files of one account (`dir`: `aws`, or `aws/accounts/{id}` in an organization-wide plan).
fn aws_files(r: &Resolved, a: &ResolvedAws, dir: &str) -> Vec<Artifact> {
    let mut files = Vec::new();
    let docs = aws::documents(a);
    files.push(Artifact::text(&format!("{dir}/trust-policy.json"), docs.trust.to_pretty_json()));
    if let Some(s) = &docs.storage {
        files.push(Artifact::text(&format!("{dir}/storage-policy.json"), s.to_pretty_json()));
    }
    if let Some(e) = &docs.events {
        files.push(Artifact::text(&format!("{dir}/events-policy.json"), e.to_pretty_json()));
    }
    files.push(Artifact::script(&format!("{dir}/setup.sh"), aws::setup_sh(r, a)));
    files.push(Artifact::script(&format!("{dir}/revoke.sh"), aws::revoke_sh(r)));
    if let Some(set) = crate::model::RoleSet::from_vendor(r) {
        files.push(Artifact::text(&format!("{dir}/cloudformation.yaml"), aws_iac::cfn_yaml(&set)));
        files.push(Artifact::text(&format!("{dir}/main.tf"), aws_iac::terraform(&set)));
        files.push(Artifact::text(&format!("{dir}/pulumi/__main__.py"), aws_iac::pulumi(&set)));
    }
    files.push(Artifact::text(
        &format!("{dir}/pulumi/Pulumi.yaml"),
        pulumi::project_yaml("trustbridge-aws", "Trustbridge: vendor access role"),
    ));
    files.push(Artifact::text(&format!("{dir}/pulumi/requirements.txt"), pulumi::requirements("aws")));
    files
}
