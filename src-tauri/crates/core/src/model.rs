//! The one AWS model a vendor plan and a role pack both lower into after validation: a
//! [`RoleSet`] — the account, who owns what (the tag every role and policy carries), the
//! customer-managed policies, and the roles with their trust, inline policies, attachments and
//! boundary, each document with the file the bundle keeps it in. Renderers that take a `RoleSet`
//! serve both paths (today: the aws CLI scripts, `render::aws_sh`); issue 12 moves the rest here.

use crate::pack::ResolvedPack;
use crate::policy::PolicyDocument;
use crate::render::aws::{documents, INTEGRATION_TAG, STORAGE_POLICY_NAME};
use crate::validate::Resolved;

/// The tag that says which integration or pack a role or policy belongs to (beside
/// `managed-by=trustbridge`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerTag {
    /// `trustbridge-integration` or `trustbridge-pack`.
    pub key: String,
    pub value: String,
}

/// A document and the file (relative to the bundle's `aws/` folder) that holds it.
#[derive(Debug, Clone)]
pub struct Document {
    pub name: String,
    pub file: String,
    pub policy: PolicyDocument,
}

#[derive(Debug, Clone)]
pub struct ManagedPolicy {
    pub description: String,
    pub document: Document,
}

/// A permissions boundary: a full ARN (vendor plans), or one of the set's own customer-managed
/// policies by name (packs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Boundary {
    Arn(String),
    Managed(String),
}

#[derive(Debug, Clone)]
pub struct Role {
    pub name: String,
    pub path: String,
    pub description: String,
    pub trust: Document,
    pub inline: Vec<Document>,
    /// The set's own customer-managed policies attached, by name.
    pub managed: Vec<String>,
    pub aws_managed_arns: Vec<String>,
    pub boundary: Option<Boundary>,
}

#[derive(Debug, Clone)]
pub struct RoleSet {
    /// What the set is, for script titles: "the role ML cube Platform assumes", "the MLSpace roles".
    pub what: String,
    pub partition: String,
    pub account: String,
    pub region: Option<String>,
    pub owner: OwnerTag,
    pub managed_policies: Vec<ManagedPolicy>,
    pub roles: Vec<Role>,
}

impl RoleSet {
    /// A vendor plan's AWS section: one role, its trust and inline policies (`None` without AWS).
    pub fn from_vendor(r: &Resolved) -> Option<RoleSet> {
        let a = r.aws.as_ref()?;
        let docs = documents(a);
        let inline = docs
            .inline()
            .into_iter()
            .map(|(name, doc)| Document {
                name: name.to_string(),
                file: if name == STORAGE_POLICY_NAME { "storage-policy.json" } else { "events-policy.json" }.to_string(),
                policy: doc.clone(),
            })
            .collect();
        Some(RoleSet {
            what: format!("the role {} assumes", r.profile.display_name),
            partition: a.partition.name.clone(),
            account: a.account_id.clone(),
            region: Some(a.region.clone()),
            owner: OwnerTag { key: INTEGRATION_TAG.to_string(), value: r.plan.integration.name.clone() },
            managed_policies: Vec::new(),
            roles: vec![Role {
                name: a.role_name.clone(),
                path: a.role_path.clone(),
                description: format!("Access for {} (integration {})", r.profile.display_name, r.plan.integration.name),
                trust: Document { name: "trust".into(), file: "trust-policy.json".into(), policy: docs.trust.clone() },
                inline,
                managed: Vec::new(),
                aws_managed_arns: Vec::new(),
                boundary: a.permissions_boundary_arn.clone().map(Boundary::Arn),
            }],
        })
    }

    /// A role pack: its customer-managed policies and roles. Validation requires `AWS_ACCOUNT`.
    pub fn from_pack(r: &ResolvedPack) -> RoleSet {
        RoleSet {
            what: format!("the roles of the {}", r.pack.display_name),
            partition: r.partition.clone(),
            account: r.account.clone().unwrap_or_default(),
            region: r.region.clone(),
            owner: OwnerTag { key: "trustbridge-pack".to_string(), value: r.pack.id.clone() },
            managed_policies: r
                .managed_policies
                .iter()
                .map(|(name, description, doc)| ManagedPolicy {
                    description: if description.is_empty() { name.clone() } else { description.clone() },
                    document: Document { name: name.clone(), file: format!("managed-policies/{name}.json"), policy: doc.clone() },
                })
                .collect(),
            roles: r
                .roles
                .iter()
                .map(|role| Role {
                    name: role.name.clone(),
                    path: "/".into(),
                    description: role.description.clone(),
                    trust: Document {
                        name: "trust".into(),
                        file: format!("roles/{}/trust-policy.json", role.name),
                        policy: role.trust.clone(),
                    },
                    inline: role
                        .inline
                        .iter()
                        .map(|(n, d)| Document { name: n.clone(), file: format!("roles/{}/{n}.json", role.name), policy: d.clone() })
                        .collect(),
                    managed: role.managed.clone(),
                    aws_managed_arns: role.aws_managed_arns.clone(),
                    boundary: role.boundary.clone().map(Boundary::Managed),
                })
                .collect(),
        }
    }
}
