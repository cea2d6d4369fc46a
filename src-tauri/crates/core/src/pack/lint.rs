//! A pack's lint: the shared document lint on every document it renders, and least-privilege
//! warnings for broad AWS-managed policies.

use super::ResolvedPack;
use crate::lint::{self, Finding, Severity};

/// Lint: the shared document lint on every document, plus least-privilege warnings for broad
/// AWS-managed policies with a narrower suggestion.
pub fn lint_pack(r: &ResolvedPack) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, _, doc) in &r.managed_policies {
        out.extend(lint::lint_document(&format!("aws/managed-policies/{name}.json"), doc, &r.partition, false));
    }
    for role in &r.roles {
        out.extend(lint::lint_document(&format!("aws/roles/{}/trust-policy.json", role.name), &role.trust, &r.partition, true));
        for (pname, doc) in &role.inline {
            out.extend(lint::lint_document(&format!("aws/roles/{}/{pname}.json", role.name), doc, &r.partition, false));
        }
        for arn in &role.aws_managed_arns {
            let short = arn.rsplit('/').next().unwrap_or_default();
            if short.ends_with("FullAccess") || short == "AdministratorAccess" || short == "PowerUserAccess" {
                let narrower = if short.starts_with("AmazonSageMaker") {
                    "attach AmazonSageMakerReadOnly (or a policy listing only the SageMaker actions the jobs call) and keep data access in the inline bucket policy"
                } else {
                    "attach the service's ReadOnly policy, or an inline policy with the exact actions and resources"
                };
                out.push(Finding {
                    severity: Severity::Warning,
                    code: lint::LintCode::BroadManagedPolicy.as_str().into(),
                    document: format!("aws/roles/{}", role.name),
                    message: format!("'{short}' grants far more than most workloads need (least privilege)"),
                    fix: narrower.into(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.severity.cmp(&b.severity).then(a.document.cmp(&b.document)));
    out
}
