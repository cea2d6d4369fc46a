//! AWS's part of the one model, which a vendor plan and a role pack both lower into after validation: a
//! [`RoleSet`] — the account, who owns what (the tag every role and policy carries), the
//! customer-managed policies, and the roles with their trust, inline policies, attachments and
//! boundary, each document with the file the bundle keeps it in. Every AWS renderer after the JSON
//! documents takes a `RoleSet`, so it serves both paths: the aws CLI scripts (`render::aws_sh`) and
//! CloudFormation, Terraform and Pulumi (`render::aws_iac`).

use std::collections::BTreeSet;

use crate::pack::ResolvedPack;
use crate::policy::PolicyDocument;
use crate::render::aws::{documents, EVENTS_POLICY_NAME, INTEGRATION_TAG, STORAGE_POLICY_NAME};
use crate::validate::Resolved;

/// The tag that says which integration or pack a role or policy belongs to (beside
/// `managed-by=trustbridge`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerTag {
    /// `trustbridge-integration` or `trustbridge-pack`.
    pub key: String,
    pub value: String,
}

/// What a resource is called in CloudFormation (logical id), Terraform (resource name) and Pulumi
/// (resource name). These names are deployment state: a changed logical id or address replaces the
/// role on the next deploy, so each path keeps the names it always had.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IacNames {
    pub cfn: String,
    pub tf: String,
    pub pulumi: String,
}

/// A document and the file (relative to the bundle's `aws/` folder) that holds it.
#[derive(Debug, Clone)]
pub struct Document {
    pub name: String,
    pub file: String,
    pub policy: PolicyDocument,
    /// Its resource names where it is a resource of its own (inline and managed policies).
    pub iac: IacNames,
}

#[derive(Debug, Clone)]
pub struct ManagedPolicy {
    pub description: String,
    pub document: Document,
}

/// A finding of a checker (checkov) that the set's author accepted, with the reason, written as a
/// suppression beside the resources it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedCheck {
    pub id: String,
    pub reason: String,
    /// Only on roles (a vendor plan's cross-account trust), or on every resource (a pack's list).
    pub roles_only: bool,
}

/// How the infrastructure-as-code files present the set.
#[derive(Debug, Clone)]
pub struct IacSet {
    /// The CloudFormation template's Description.
    pub title: String,
    /// The stack name the deploy command in the files' headers uses.
    pub stack_name: String,
    /// Vendor plans: the role name and external id are CloudFormation parameters (editable when the
    /// stack is created in the console), and the console quick-create hint is written.
    pub parameters: bool,
    pub external_id: Option<String>,
    /// Output names of each role's ARN: (CloudFormation, Terraform, Pulumi) per role, in order, and
    /// the outputs' description.
    pub output_description: Option<String>,
    pub accepted_checks: Vec<AcceptedCheck>,
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
    /// Resource names, and the names of the outputs that carry its ARN.
    pub iac: IacNames,
    pub output: IacNames,
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
    pub iac: IacSet,
    /// Each role carries a record of what was put on it ([`INLINE_RECORD_TAG`]): a role pack's
    /// roles, whose policy names come from the pack file and its variables. A vendor plan's role
    /// has fixed names and no record.
    pub records: bool,
}

/// What a pack's apply put on each of its roles, recorded in the role's own tags: the inline
/// policies' names, and the AWS-managed policies' (after `policy/`), sorted, one space apart — what
/// the pack named at its last apply of the role (a role made now gets its record with it; an
/// existing role's record is brought up to date last, once what the old one named has come off, so
/// a run that stops part-way leaves the old record for the next run to finish). A later apply takes
/// off what the record names and the pack no longer does, when it allows only: a record is a tag,
/// and someone allowed to tag the role may not be allowed to lift a denial. Anything the record
/// does not name (added by hand, or on a role a version before records made) stays, and verify
/// reports it. Pack policy names come from the pack file and its variables, so unlike a vendor
/// plan's fixed names they cannot be known in advance. The exported `setup.sh` writes the same
/// records and takes off by the same rule (`render::aws_sh`), keeping in a record the names an old
/// one held whose policies it left on the role (one that also denies), for the next run.
pub const INLINE_RECORD_TAG: &str = "trustbridge-pack-inline";
/// See [`INLINE_RECORD_TAG`].
pub const AWS_MANAGED_RECORD_TAG: &str = "trustbridge-pack-aws-managed";

/// A vendor plan role's inline policies, by their fixed names: Trustbridge's on its own role,
/// whether the plan has each now or not (see [`RoleSet::own_inline`]).
pub const VENDOR_INLINE: &[&str] = &[STORAGE_POLICY_NAME, EVENTS_POLICY_NAME];

/// A record as one tag value: `None` unless every name is one IAM allows without a comma (a tag
/// value cannot hold one), nothing else (a space would split a name in two), and the whole fits
/// IAM's 256 characters.
pub fn record_value(names: BTreeSet<&str>) -> Option<String> {
    if !names.iter().all(|n| record_name_fits(n)) {
        return None;
    }
    let v = names.into_iter().collect::<Vec<_>>().join(" ");
    (v.len() <= 256).then_some(v)
}

/// A name a record can hold: one of IAM's name characters, none a tag value cannot hold (a comma)
/// or that would split it (a space).
pub fn record_name_fits(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || RECORD_NAME_PUNCTUATION.contains(c))
}

/// The characters besides ASCII letters and digits a recorded name may hold.
pub const RECORD_NAME_PUNCTUATION: &str = "+=.@_-/";

impl RoleSet {
    /// What an AWS-managed policy's ARN starts with in the set's partition (its record holds the rest).
    pub fn aws_managed_prefix(&self) -> String {
        format!("arn:{}:iam::aws:policy/", self.partition)
    }

    /// The inline policies on `role` that are the set's own by name: a pack's, those it names there
    /// (what else its record names follows the rules of [`INLINE_RECORD_TAG`]); a vendor plan's,
    /// both fixed names whatever the plan has now, so that one the plan dropped is Trustbridge's to
    /// take off (as the engine's apply and revoke do, and the exported scripts).
    pub fn own_inline<'r>(&self, role: &'r Role) -> Vec<&'r str> {
        if self.records {
            role.inline.iter().map(|d| d.name.as_str()).collect()
        } else {
            VENDOR_INLINE.to_vec()
        }
    }

    /// The record a role should carry after apply: (tag key, value; `None` when the names do not
    /// fit a tag value, and the role then carries no record of that kind).
    pub fn records(&self, role: &Role) -> [(&'static str, Option<String>); 2] {
        let aws = self.aws_managed_prefix();
        [
            (INLINE_RECORD_TAG, record_value(role.inline.iter().map(|d| d.name.as_str()).collect())),
            (AWS_MANAGED_RECORD_TAG, record_value(role.aws_managed_arns.iter().filter_map(|a| a.strip_prefix(&aws)).collect())),
        ]
    }
}

/// A Terraform/Pulumi identifier from a name.
pub fn ident(name: &str) -> String {
    let s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{s}")
    } else {
        s
    }
}

/// A CloudFormation logical id: `prefix` and the name's alphanumeric words, capitalised.
pub fn logical_id(prefix: &str, name: &str) -> String {
    let clean: String = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect();
    format!("{prefix}{clean}")
}

impl RoleSet {
    /// A vendor plan's AWS section: one role, its trust and inline policies (`None` without AWS).
    pub fn from_vendor(r: &Resolved) -> Option<RoleSet> {
        let a = r.aws.as_ref()?;
        let docs = documents(a);
        let inline = docs
            .inline()
            .into_iter()
            .map(|(name, doc)| {
                let storage = name == STORAGE_POLICY_NAME;
                Document {
                    name: name.to_string(),
                    file: if storage { "storage-policy.json" } else { "events-policy.json" }.to_string(),
                    policy: doc.clone(),
                    iac: IacNames {
                        cfn: String::new(),
                        tf: if storage { "storage_read" } else { "events_publish" }.into(),
                        pulumi: name.to_string(),
                    },
                }
            })
            .collect();
        let what = format!("{} (integration {})", r.profile.display_name, r.plan.integration.name);
        Some(RoleSet {
            what: format!("the role {} assumes", r.profile.display_name),
            partition: a.partition.name.clone(),
            account: a.account_id.clone(),
            region: Some(a.region.clone()),
            owner: OwnerTag { key: INTEGRATION_TAG.to_string(), value: r.plan.integration.name.clone() },
            managed_policies: Vec::new(),
            records: false,
            iac: IacSet {
                title: format!("Trustbridge: least-privilege access for {what}"),
                stack_name: crate::render::cfn::stack_name(r),
                parameters: true,
                external_id: a.external_id.clone(),
                output_description: Some("Give this to the vendor".into()),
                // Trusting the vendor's account is the role's purpose, and every trust statement is
                // conditioned on sts:ExternalId and/or aws:PrincipalArn (asserted by the golden tests);
                // checkov's CKV_AWS_61 flags any account principal and ignores conditions.
                accepted_checks: vec![AcceptedCheck {
                    id: "CKV_AWS_61".into(),
                    reason: "Cross-account vendor trust is the purpose; every statement is conditioned on sts:ExternalId and/or aws:PrincipalArn".into(),
                    roles_only: true,
                }],
            },
            roles: vec![Role {
                name: a.role_name.clone(),
                iac: IacNames { cfn: "VendorAccessRole".into(), tf: "vendor_access".into(), pulumi: "vendor-access".into() },
                output: IacNames { cfn: "RoleArn".into(), tf: "role_arn".into(), pulumi: "role_arn".into() },
                path: a.role_path.clone(),
                description: format!("Access for {what}"),
                trust: Document {
                    name: "trust".into(),
                    file: "trust-policy.json".into(),
                    policy: docs.trust.clone(),
                    iac: IacNames::default(),
                },
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
                    document: Document {
                        name: name.clone(),
                        file: format!("managed-policies/{name}.json"),
                        policy: doc.clone(),
                        iac: IacNames { cfn: logical_id("Policy", name), tf: ident(name), pulumi: name.clone() },
                    },
                })
                .collect(),
            records: true,
            iac: IacSet {
                title: format!("Trustbridge: {}", r.pack.display_name),
                stack_name: format!("trustbridge-{}", r.pack.id),
                parameters: false,
                external_id: None,
                output_description: None,
                accepted_checks: r
                    .pack
                    .accepted_checks
                    .iter()
                    .map(|c| AcceptedCheck { id: c.id.clone(), reason: c.reason.replace('\n', " "), roles_only: false })
                    .collect(),
            },
            roles: r
                .roles
                .iter()
                .map(|role| Role {
                    name: role.name.clone(),
                    iac: IacNames { cfn: logical_id("Role", &role.name), tf: ident(&role.name), pulumi: role.name.clone() },
                    output: IacNames {
                        cfn: logical_id("Role", &role.name) + "Arn",
                        tf: format!("{}_arn", ident(&role.name)),
                        pulumi: format!("{}_arn", role.name),
                    },
                    path: "/".into(),
                    description: role.description.clone(),
                    trust: Document {
                        name: "trust".into(),
                        file: format!("roles/{}/trust-policy.json", role.name),
                        policy: role.trust.clone(),
                        iac: IacNames::default(),
                    },
                    inline: role
                        .inline
                        .iter()
                        .map(|(n, d)| Document {
                            name: n.clone(),
                            file: format!("roles/{}/{n}.json", role.name),
                            policy: d.clone(),
                            iac: IacNames {
                                cfn: String::new(),
                                tf: format!("{}_{}", ident(&role.name), ident(n)),
                                pulumi: format!("{}-{n}", role.name),
                            },
                        })
                        .collect(),
                    managed: role.managed.clone(),
                    aws_managed_arns: role.aws_managed_arns.clone(),
                    boundary: role.boundary.clone().map(Boundary::Managed),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record is one tag value: names sorted, a space apart; none when a name holds a comma
    /// (IAM names may, tag values may not) or the whole is over IAM's 256 characters.
    #[test]
    fn a_record_fits_a_tag_value_or_is_not_made() {
        fn set<'a>(names: &[&'a str]) -> BTreeSet<&'a str> {
            names.iter().copied().collect()
        }
        assert_eq!(record_value(set(&["b", "a@x.y", "service-role/X+Y=Z"])).as_deref(), Some("a@x.y b service-role/X+Y=Z"));
        assert_eq!(record_value(set(&[])).as_deref(), Some(""));
        assert_eq!(record_value(set(&["a", "b,c"])), None);
        assert_eq!(record_value(set(&["service-role/Foo AdministratorAccess"])), None, "a space would make two names");
        assert_eq!(record_value(set(&["politique-é"])), None);
        let long = "p".repeat(128);
        let other = "q".repeat(127);
        assert_eq!(record_value(set(&[&long, &other])).map(|v| v.len()), Some(256));
        assert_eq!(record_value(set(&[&long, &"q".repeat(128)])), None);
    }
}
