//! A role pack's export bundle: its documents, `SUMMARY.md`, and the IaC and scripts of its role set
//! ([`crate::model::RoleSet`]) through the same renderers as a vendor plan.

use std::collections::BTreeSet;

use crate::pack::ResolvedPack;
use crate::policy::PolicyDocument;
use crate::render::{Artifact, Bundle};

fn pretty(doc: &PolicyDocument) -> String {
    doc.to_pretty_json()
}

/// The export bundle of a pack plan.
pub fn render_pack(r: &ResolvedPack) -> Bundle {
    let mut files = vec![Artifact::text("SUMMARY.md", summary(r)), Artifact::text("plan.json", r.plan.to_json_pretty())];
    for (name, _, doc) in &r.managed_policies {
        files.push(Artifact::text(&format!("aws/managed-policies/{name}.json"), pretty(doc)));
    }
    for role in &r.roles {
        files.push(Artifact::text(&format!("aws/roles/{}/trust-policy.json", role.name), pretty(&role.trust)));
        for (pname, doc) in &role.inline {
            files.push(Artifact::text(&format!("aws/roles/{}/{pname}.json", role.name), pretty(doc)));
        }
    }
    files.push(Artifact::script("aws/setup.sh", setup_sh(r)));
    files.push(Artifact::script("aws/revoke.sh", revoke_sh(r)));
    let set = crate::model::RoleSet::from_pack(r);
    files.push(Artifact::text("aws/cloudformation.yaml", crate::render::aws_iac::cfn_yaml(&set)));
    files.push(Artifact::text("aws/main.tf", crate::render::aws_iac::terraform(&set)));
    files.push(Artifact::text("aws/pulumi/__main__.py", crate::render::aws_iac::pulumi(&set)));
    files.push(Artifact::text(
        "aws/pulumi/Pulumi.yaml",
        crate::render::pulumi::project_yaml(&format!("trustbridge-{}", r.pack.id), &r.pack.display_name),
    ));
    files.push(Artifact::text("aws/pulumi/requirements.txt", crate::render::pulumi::requirements("aws")));
    Bundle { files }
}

fn summary(r: &ResolvedPack) -> String {
    let mut s = format!("# {}\n\n{}\n\n## Roles\n\n", r.pack.display_name, r.pack.description);
    for role in &r.roles {
        let actions: BTreeSet<String> = role.inline.iter().flat_map(|(_, d)| d.grants().into_iter().map(|g| g.action)).collect();
        s.push_str(&format!("- **{}**: {}. Trusted by: {}.", role.name, role.description, trusted_by(&role.trust)));
        s.push_str(&format!(" Inline: {} action(s) in {} policy(ies).", actions.len(), role.inline.len()));
        if !role.managed.is_empty() || !role.aws_managed_arns.is_empty() {
            s.push_str(&format!(
                " Attached: {}.",
                role.managed.iter().chain(role.aws_managed_arns.iter()).map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        if let Some(b) = &role.boundary {
            s.push_str(&format!(" Permissions boundary: `{b}`."));
        }
        s.push('\n');
    }
    s.push_str(&format!("\n## Apply\n\nRun `aws/setup.sh` (aws CLI, signed in to the target account), or deploy `aws/cloudformation.yaml` with `aws cloudformation deploy --capabilities CAPABILITY_NAMED_IAM`.\n\n## Revoke\n\nWhat `aws/setup.sh` (or Terraform, or Pulumi) created: run `aws/revoke.sh`: it detaches and deletes every policy, then the roles. A CloudFormation stack: delete the stack (`aws cloudformation delete-stack --stack-name trustbridge-{}`); CloudFormation cannot tag customer-managed policies, so `aws/revoke.sh` refuses them (it changes only what carries its tags).\n", r.pack.id));
    s
}

fn trusted_by(trust: &PolicyDocument) -> String {
    trust.trusted_principals().iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ")
}

const FOREIGN_PACK_FIX: &str =
    "A pack's roles and policies have fixed names: delete or rename the existing one in IAM (after checking who uses it), or apply the pack in another account.";

/// `aws/setup.sh`: the pack's role set ([`crate::model::RoleSet`]) through the one AWS script renderer.
fn setup_sh(r: &ResolvedPack) -> String {
    crate::render::aws_sh::setup_sh(&crate::model::RoleSet::from_pack(r), FOREIGN_PACK_FIX, &["Done.".to_string()])
}

fn revoke_sh(r: &ResolvedPack) -> String {
    crate::render::aws_sh::revoke_sh(&crate::model::RoleSet::from_pack(r), FOREIGN_PACK_FIX)
}
