//! Google Cloud's part of the one model: what a plan's GCP section grants — the service account's
//! optional custom role and every IAM binding, each on a typed target — and the marks that say
//! which service account and custom role Trustbridge made. The gcloud scripts
//! (`render::gcp`), Terraform and Pulumi (`render::terraform`, `render::pulumi`), the summary, the
//! native confirmation and the apply engine (`cloud::gcp::apply`) all read this one model.

use serde::Serialize;

use crate::validate::ResolvedGcp;

/// `gcloud iam roles create --file` format.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomRoleFile {
    #[serde(skip)]
    pub id: String,
    pub title: String,
    pub description: String,
    pub stage: String,
    pub included_permissions: Vec<String>,
}

/// What a binding is on. Renderers choose their resource type by it (never by parsing the
/// resource name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GcpTarget {
    Project {
        project: String,
    },
    Bucket {
        bucket: String,
    },
    Topic {
        project: String,
        topic: String,
    },
    /// The service account itself (workload identity: the vendor's AWS role may impersonate it).
    ServiceAccount,
}

/// One IAM binding: `member` gets `role` on `target`, whose full resource name is `resource`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Binding {
    #[serde(skip)]
    pub target: GcpTarget,
    pub resource: String,
    pub role: String,
    pub member: String,
}

#[derive(Debug, Clone)]
pub struct GcpModel {
    pub custom_role: Option<CustomRoleFile>,
    pub bindings: Vec<Binding>,
}

pub fn project_resource(project: &str) -> String {
    format!("//cloudresourcemanager.googleapis.com/projects/{project}")
}
pub fn bucket_resource(bucket: &str) -> String {
    format!("//storage.googleapis.com/projects/_/buckets/{bucket}")
}
pub fn topic_resource(project: &str, topic: &str) -> String {
    format!("//pubsub.googleapis.com/projects/{project}/topics/{topic}")
}

pub const WIF_PROVIDER_ID: &str = "aws-vendor";
pub const WIF_ROLE: &str = "roles/iam.workloadIdentityUser";
/// Stands for the project number in documents written offline (the scripts look it up).
pub const PROJECT_NUMBER_TOKEN: &str = "PROJECT_NUMBER";
/// Google's documented attribute mapping for AWS: the assumed-role ARN without the session name.
pub const WIF_AWS_ROLE_MAPPING: &str = "google.subject=assertion.arn,attribute.aws_role=assertion.arn.contains('assumed-role') ? assertion.arn.extract('{account_arn}assumed-role/') + 'assumed-role/' + assertion.arn.extract('assumed-role/{role_name}/') : assertion.arn";

pub fn service_account_resource(g: &ResolvedGcp) -> String {
    format!("//iam.googleapis.com/projects/{}/serviceAccounts/{}", g.project_id, g.service_account_email())
}

/// The vendor's AWS role, as the pool sees its sessions.
pub fn wif_aws_role(acct: &str, role: &str) -> String {
    format!("arn:aws:sts::{acct}:assumed-role/{role}")
}

pub fn wif_member(acct: &str, role: &str, pool: &str, project_number: &str) -> String {
    format!(
        "principalSet://iam.googleapis.com/projects/{project_number}/locations/global/workloadIdentityPools/{pool}/attribute.aws_role/{}",
        wif_aws_role(acct, role)
    )
}

/// Google's limit on a custom role's description, in bytes.
pub const ROLE_DESCRIPTION_MAX: usize = 256;

/// The mark that ends the description of a custom role Trustbridge created for `integration`:
/// apply changes, and revoke deletes, only a role that carries it.
pub fn role_mark(integration: &str) -> String {
    format!("[{}]", service_account_mark(integration))
}

/// The profile's description with the mark after it, the description cut (at a character
/// boundary) so that the whole fits [`ROLE_DESCRIPTION_MAX`].
pub fn marked_role_description(description: &str, integration: &str) -> String {
    let mark = role_mark(integration);
    let room = ROLE_DESCRIPTION_MAX.saturating_sub(mark.len() + 1);
    let mut text = description.trim_end();
    if text.len() > room {
        let mut end = room;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text = text[..end].trim_end();
    }
    if text.is_empty() {
        mark
    } else {
        format!("{text} {mark}")
    }
}

/// Whether a custom role's description says Trustbridge created it for `integration`.
pub fn role_is_ours(description: &str, integration: &str) -> bool {
    description.ends_with(&role_mark(integration))
}

/// The grants of the plan's GCP section for `integration` (whose mark the custom role carries).
pub fn model(g: &ResolvedGcp, integration: &str) -> GcpModel {
    let member = format!("serviceAccount:{}", g.service_account_email());
    let mut bindings = Vec::new();
    let custom_role = g.profile.project_role.as_ref().map(|r| CustomRoleFile {
        id: r.id.clone(),
        title: r.title.clone(),
        description: marked_role_description(&r.description, integration),
        stage: "GA".into(),
        included_permissions: r.permissions.clone(),
    });
    if let Some(r) = &custom_role {
        bindings.push(Binding {
            target: GcpTarget::Project { project: g.project_id.clone() },
            resource: project_resource(&g.project_id),
            role: format!("projects/{}/roles/{}", g.project_id, r.id),
            member: member.clone(),
        });
    }
    for b in &g.buckets {
        for role in &g.profile.bucket_roles {
            bindings.push(Binding {
                target: GcpTarget::Bucket { bucket: b.clone() },
                resource: bucket_resource(b),
                role: role.clone(),
                member: member.clone(),
            });
        }
    }
    for t in &g.topics {
        for role in &g.profile.topic_roles {
            bindings.push(Binding {
                target: GcpTarget::Topic { project: g.project_id.clone(), topic: t.clone() },
                resource: topic_resource(&g.project_id, t),
                role: role.clone(),
                member: member.clone(),
            });
        }
    }
    if let Some((acct, role, pool)) = &g.workload_identity {
        bindings.push(Binding {
            target: GcpTarget::ServiceAccount,
            resource: service_account_resource(g),
            role: WIF_ROLE.into(),
            member: wif_member(acct, role, pool, PROJECT_NUMBER_TOKEN),
        });
    }
    GcpModel { custom_role, bindings }
}

/// The description Trustbridge gives a service account it creates, and requires before it changes,
/// mints a key for, or deletes one: a same-named account someone else made is never reused.
pub fn service_account_mark(integration: &str) -> String {
    format!("managed-by=trustbridge integration={integration}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_custom_roles_description_ends_with_the_mark_and_fits_googles_limit() {
        let d = marked_role_description("Reads the buckets", "TB_01");
        assert_eq!(d, "Reads the buckets [managed-by=trustbridge integration=TB_01]");
        assert!(role_is_ours(&d, "TB_01"));
        assert!(!role_is_ours(&d, "B_01"), "another integration's mark is not ours");
        assert!(!role_is_ours("Reads the buckets", "TB_01"));
        // The longest profile description (256 bytes, multi-byte characters) with the longest name.
        let long = "é".repeat(128);
        let name = "n".repeat(64);
        let d = marked_role_description(&long, &name);
        assert!(d.len() <= ROLE_DESCRIPTION_MAX, "{} bytes", d.len());
        assert!(role_is_ours(&d, &name) && d.starts_with("éé"));
        assert_eq!(marked_role_description("", "TB_01"), role_mark("TB_01"));
    }

    /// Every binding's typed target names the resource its full name is of: the renderers choose
    /// the resource type (Terraform, Pulumi, gcloud) by the target alone.
    #[test]
    fn each_bindings_target_is_the_resource_it_names() {
        let plan: crate::plan::Plan =
            serde_json::from_str(include_str!("../../../../../tests/fixtures/plans/custom-keyless.json")).expect("the fixture parses");
        let r = crate::validate::validate(&plan, None).expect("the fixture is valid");
        let g = r.gcp.as_ref().expect("a GCP section");
        let m = model(g, &r.plan.integration.name);
        for b in &m.bindings {
            let name = match &b.target {
                GcpTarget::Project { project } => project_resource(project),
                GcpTarget::Bucket { bucket } => bucket_resource(bucket),
                GcpTarget::Topic { project, topic } => topic_resource(project, topic),
                GcpTarget::ServiceAccount => service_account_resource(g),
            };
            assert_eq!(b.resource, name, "{b:?}");
        }
        assert!(m.bindings.iter().any(|b| b.target == GcpTarget::Bucket { bucket: "acme-training".into() }));
        assert!(m.bindings.iter().any(|b| b.target == GcpTarget::Topic { project: "acme-data-prod".into(), topic: "retrain".into() }));
        assert!(
            m.bindings.iter().any(|b| b.target == GcpTarget::ServiceAccount && b.role == WIF_ROLE),
            "keyless: the pool may impersonate"
        );
    }
}
