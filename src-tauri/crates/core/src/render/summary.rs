//! `SUMMARY.md` (plain language, for the person who applies it and the security reviewer) and
//! `handoff.json` (what the vendor platform needs back; never a secret).

use std::fmt::Write;

use serde::Serialize;

use crate::model::{azure as azure_model, gcp as gcp_model};
use crate::profile::Upload;
use crate::profile_trust::{KeySource, ProfileOrigin, UnsignedReason};
use crate::render::{aws, azure, SealedCredentials};
use crate::validate::Resolved;

#[derive(Debug, Clone, Serialize)]
pub struct Handoff {
    pub version: u32,
    pub platform: String,
    /// Where the vendor profile came from: `{"origin": "built-in"}`, `{"origin": "signed", "signer",
    /// "key_id", "trusted_by"}` or `{"origin": "unsigned", "reason", "key_id"?, "allowed_by"}`.
    pub profile_origin: ProfileOrigin,
    pub integration: crate::plan::Integration,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws: Option<AwsHandoff>,
    /// An organization-wide plan: the role in each account (the same name, trust and external id).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aws_accounts: Vec<AwsHandoff>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gcp: Option<GcpHandoff>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub azure: Option<AzureHandoff>,
    pub instructions: String,
    /// `credentials.age`: the credentials sealed to the vendor's public key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sealed_credentials: Option<SealedHandoff>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SealedHandoff {
    pub file: &'static str,
    pub recipient: String,
    pub contains: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AwsHandoff {
    pub role_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The vendor API's id of the registration (`trustbridge register`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_credentials_id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GcpHandoff {
    pub project_id: String,
    pub service_account_email: String,
    pub credentials: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_credentials_id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AzureHandoff {
    pub tenant_id: String,
    pub subscription_id: String,
    pub service_principal_name: String,
    pub credentials: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_credentials_id: Option<String>,
}

/// Where a key or client secret goes, in words, by what the vendor profile supports.
fn credentials_route(r: &Resolved, upload: Upload, what: &str, registered: Option<&String>) -> String {
    let vendor = &r.profile.display_name;
    match (r.profile.registration.as_ref().filter(|g| g.uploads(upload)), registered) {
        (Some(_), Some(id)) => format!("the {what} was sent to {vendor} through its API, from the OS keyring (credentials id {id}); it is never in this file"),
        (Some(_), None) => format!("the {what} is not sent yet: `trustbridge register` sends it to {vendor} through its API, from the OS keyring; it is never in this file"),
        (None, _) => format!("the {what} stays with you: keep it in the OS keyring (`trustbridge secrets set`) and give it to {vendor} in its own web app; it is never in this file"),
    }
}

fn aws_handoff(a: &crate::validate::ResolvedAws) -> AwsHandoff {
    AwsHandoff { role_arn: a.role_arn(), external_id: a.external_id.clone(), vendor_credentials_id: a.vendor_credentials_id.clone() }
}

pub fn handoff(r: &Resolved, sealed: Option<&SealedCredentials>) -> Handoff {
    Handoff {
        version: 1,
        platform: r.profile.id.clone(),
        profile_origin: r.profile_origin.clone(),
        integration: r.plan.integration.clone(),
        aws: r.aws.as_ref().map(aws_handoff),
        aws_accounts: r.aws_org.iter().flat_map(|o| &o.accounts).map(aws_handoff).collect(),
        gcp: r.gcp.as_ref().map(|g| GcpHandoff {
            project_id: g.project_id.clone(),
            service_account_email: g.service_account_email(),
            credentials: if g.is_keyless() {
                "keyless: gcp/credential-config.json (written by gcp/setup.sh) names the pool and service account; there is no key".into()
            } else {
                credentials_route(r, Upload::GcpKey, "service-account key", g.vendor_credentials_id.as_ref())
            },
            vendor_credentials_id: g.vendor_credentials_id.clone(),
        }),
        azure: r.azure.as_ref().map(|z| AzureHandoff {
            tenant_id: z.tenant_id.clone(),
            subscription_id: z.subscription_id.clone(),
            service_principal_name: z.service_principal_name.clone(),
            credentials: if z.is_keyless() {
                "keyless: the vendor's own multi-tenant app, consented by your administrator; there is no secret".into()
            } else {
                credentials_route(r, Upload::AzureClientSecret, "appId and client secret", z.vendor_credentials_id.as_ref())
            },
            vendor_credentials_id: z.vendor_credentials_id.clone(),
        }),
        instructions: r.profile.handoff.instructions.clone(),
        sealed_credentials: sealed.map(|s| SealedHandoff {
            file: "credentials.age",
            recipient: s.recipient.clone(),
            contains: s.contains.clone(),
        }),
    }
}

pub fn summary_md(r: &Resolved, sealed: Option<&SealedCredentials>) -> String {
    let mut s = String::new();
    let vendor = &r.profile.display_name;
    let _ = writeln!(s, "# Access for {vendor}: integration `{}`\n", r.plan.integration.name);
    let _ = writeln!(
        s,
        "This folder grants **{vendor}** read access to the storage listed below{}. Nothing else is granted. It holds no secret.\n",
        if r.aws_accounts().iter().any(|a| !a.event_buses.is_empty())
            || r.gcp.as_ref().is_some_and(|g| !g.topics.is_empty())
            || r.azure.as_ref().is_some_and(|z| !z.topics.is_empty())
        {
            " and the right to publish retrain events"
        } else {
            ""
        }
    );
    let _ = writeln!(s, "{}\n", profile_line(r));
    if let Some(a) = &r.aws {
        let _ = writeln!(s, "## AWS (account {}, {})\n", a.account_id, a.partition.name);
        let _ = writeln!(s, "**Who:** the role `{}` can be assumed by the vendor's AWS account `{}`", a.role_arn(), a.vendor_account);
        if !a.principal_patterns.is_empty() {
            let _ = write!(
                s,
                ", and only by its roles matching {}",
                a.principal_patterns.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(" or ")
            );
        }
        if a.external_id.is_some() {
            let _ = write!(s, ", and only when it presents the external id in `handoff.json` (this stops anyone else tricking the vendor into using your role)");
        }
        let _ = writeln!(s, ".\n\n**What:**\n");
        for line in aws_lines(a) {
            let _ = writeln!(s, "- {line}");
        }
        let _ = writeln!(s, "\n**Apply:** run `aws/setup.sh` with credentials for account {} (or create the role in the console with `aws/trust-policy.json` and add the other JSON files as inline policies).\n", a.account_id);
        let _ = writeln!(s, "**Revoke:** run `aws/revoke.sh`, or delete the role `{}` in the IAM console. To pause access without deleting, remove the vendor statement from the role's trust policy.\n", a.role_name);
    }
    if let Some(o) = &r.aws_org {
        let first = o.accounts.first();
        let _ = writeln!(s, "## AWS Organization ({} accounts, signed in to {})\n", o.accounts.len(), o.management_account_id);
        if let Some(a) = first {
            let _ = writeln!(
                s,
                "**Who:** in each account, the role `{}{}` can be assumed by the vendor's AWS account `{}`{}.\n",
                a.role_path,
                a.role_name,
                a.vendor_account,
                if a.external_id.is_some() { ", only with the external id in `handoff.json`" } else { "" }
            );
        }
        let how = match o.engine {
            crate::validate::OrgEngine::MemberRole => format!(
                "`trustbridge apply --plan plan.json` signs in to each account through `{}` ({} at a time); or run each account's `aws/accounts/<id>/setup.sh` with that account's credentials",
                o.member_role_name, o.max_concurrency
            ),
            crate::validate::OrgEngine::StackSet => format!(
                "a service-managed CloudFormation StackSet over {}; or run each account's `aws/accounts/<id>/setup.sh`",
                o.organizational_units.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ")
            ),
        };
        let _ = writeln!(s, "**Apply:** {how}.\n");
        for a in &o.accounts {
            let _ = writeln!(s, "### Account {} ({})\n", a.account_id, a.region);
            for line in aws_lines(a) {
                let _ = writeln!(s, "- {line}");
            }
            let _ = writeln!(s);
        }
    }
    if let Some(g) = &r.gcp {
        let _ = writeln!(s, "## Google Cloud (project {})\n", g.project_id);
        let _ = writeln!(s, "**Who:** the service account `{}`, used by the vendor.\n\n**What:**\n", g.service_account_email());
        for line in gcp_lines(g, &r.plan.integration.name) {
            let _ = writeln!(s, "- {line}");
        }
        if let Some((acct, role, pool)) = &g.workload_identity {
            let _ = writeln!(s, "\n**Keyless:** no key exists. The vendor's AWS role `{}` impersonates the service account through workload identity pool `{pool}` (only that role of account {acct}).\n", gcp_model::wif_aws_role(acct, role));
            let _ = writeln!(
                s,
                "**Apply:** run `gcp/setup.sh` in Cloud Shell; it writes `gcp/credential-config.json` for the vendor (not a secret).\n"
            );
        } else {
            let _ = writeln!(s, "\n**Apply:** run `gcp/setup.sh` in Cloud Shell. It creates no key unless you ask (CREATE_KEY=1); many organisations block keys, and keyless federation is safer where the vendor supports it.\n");
        }
        let _ = writeln!(
            s,
            "**Revoke:** run `gcp/revoke.sh`, or delete the service account `{}` (its keys stop working at once).\n",
            g.service_account_email()
        );
    }
    if let Some(z) = &r.azure {
        let _ = writeln!(s, "## Azure (subscription {})\n", z.subscription_id);
        match &z.vendor_app_id {
            Some(app) => {
                let _ = writeln!(
                    s,
                    "**Who:** the vendor's own multi-tenant app `{app}` (its enterprise app in tenant `{}`), after an administrator consents once at {}. No secret exists.\n\n**What:**\n",
                    z.tenant_id,
                    azure::admin_consent_url(&z.tenant_id, app)
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "**Who:** the service principal `{}` in tenant `{}`, used by the vendor.\n\n**What:**\n",
                    z.service_principal_name, z.tenant_id
                );
            }
        }
        for line in azure_lines(z) {
            let _ = writeln!(s, "- {line}");
        }
        let _ = writeln!(
            s,
            "\n**Apply:** run `azure/setup.sh` in Cloud Shell (bash). It creates no secret unless you ask (CREATE_SECRET=1).\n"
        );
        let _ =
            writeln!(s, "**Revoke:** run `azure/revoke.sh`, or delete the app registration `{}` in Entra ID.\n", z.service_principal_name);
    }
    if !r.profile.differences_from_guide.is_empty() {
        let _ = writeln!(s, "## Narrower than {vendor}'s own guide\n");
        for d in &r.profile.differences_from_guide {
            let _ = writeln!(s, "- {d}");
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "## Hand-off\n\n{}\n\n`handoff.json` holds the identifiers only; keys and client secrets go only to the OS keyring, and from there, when you register, straight to the vendor's API over TLS.", r.profile.handoff.instructions);
    if let Some(sealed) = sealed {
        let _ = writeln!(
            s,
            "\n`credentials.age` holds the {} credentials, encrypted to {vendor}'s public key `{}` (age): only {vendor} can read it. Upload it in {vendor}'s web app; the plain credentials were never written to disk.",
            sealed.contains.join(" and "),
            sealed.recipient
        );
    }
    s
}

/// Where the vendor profile came from, in one paragraph. Only the profile's id (checked charset),
/// key ids (hex) and vendor names from the compiled-in key list appear: never the file's path or the
/// signature's comments.
fn profile_line(r: &Resolved) -> String {
    let id = &r.profile.id;
    match &r.profile_origin {
        ProfileOrigin::BuiltIn => format!("**Vendor profile:** `{id}`, built in (compiled into this Trustbridge build)."),
        ProfileOrigin::Signed { signer, key_id, trusted_by: KeySource::BuiltIn } => {
            format!("**Vendor profile:** `{id}` from a file, signed by {signer} (key `{key_id}`), a key built into Trustbridge.")
        }
        ProfileOrigin::Signed { key_id, trusted_by: KeySource::CommandLine, .. } => format!(
            "**Vendor profile:** `{id}` from a file, signed by key `{key_id}`, trusted on the command line (`--trust-profile-key`) for this export, not a key built into Trustbridge: check that it is the vendor's."
        ),
        ProfileOrigin::Unsigned { reason, key_id, allowed_by } => {
            let why = match (reason, key_id) {
                (UnsignedReason::UnknownKey, Some(k)) => format!("signed by key `{k}`, which is not trusted"),
                _ => "it has no signature".to_string(),
            };
            format!(
                "**Vendor profile:** `{id}` from a file, **UNSIGNED — allowed by {allowed_by}** ({why}). Nothing shows that it comes from the vendor: check every grant below before you apply it."
            )
        }
    }
}

fn code_list(items: &[String]) -> String {
    items.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", ")
}

fn aws_lines(a: &crate::validate::ResolvedAws) -> Vec<String> {
    let mut out = Vec::new();
    let actions: Vec<String> = a.profile.bucket_actions.iter().chain(&a.profile.object_actions).cloned().collect();
    for st in &a.storage {
        let scope = match &st.prefix {
            Some(p) => format!("objects under `{p}` in bucket `{}`", st.bucket),
            None => format!("every object in bucket `{}`", st.bucket),
        };
        out.push(format!("list and read {scope} ({})", code_list(&actions)));
        if let Some(k) = &st.kms_key_arn {
            out.push(format!("decrypt with KMS key `{k}`, only through S3 in {}", a.region));
        }
    }
    for b in &a.event_buses {
        out.push(format!("publish events to event bus `{}` ({})", aws::event_bus_arn(a, b), code_list(&a.profile.event_bus_actions)));
    }
    out
}

fn gcp_lines(g: &crate::validate::ResolvedGcp, integration: &str) -> Vec<String> {
    let m = gcp_model::model(g, integration);
    let mut out = Vec::new();
    if let Some(role) = &m.custom_role {
        out.push(format!("custom role `{}` on project `{}`: {}", role.id, g.project_id, code_list(&role.included_permissions)));
    }
    for b in m.bindings.iter().filter(|b| !matches!(b.target, gcp_model::GcpTarget::Project { .. })) {
        out.push(format!("`{}` on `{}`", b.role, b.resource));
    }
    out
}

fn azure_lines(z: &crate::validate::ResolvedAzure) -> Vec<String> {
    azure_model::model(z).role_assignments.iter().map(|ra| format!("`{}` on `{}`", ra.role, ra.scope)).collect()
}

/// "What this grants", one plain-language line per grant, cloud first (used by SUMMARY.md and the
/// wizard's check-your-answers page).
pub fn grant_lines(r: &Resolved) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(a) = &r.aws {
        out.extend(aws_lines(a).into_iter().map(|l| format!("AWS: {l}")));
    }
    for a in r.aws_org.iter().flat_map(|o| &o.accounts) {
        out.extend(aws_lines(a).into_iter().map(|l| format!("AWS {}: {l}", a.account_id)));
    }
    if let Some(g) = &r.gcp {
        out.extend(gcp_lines(g, &r.plan.integration.name).into_iter().map(|l| format!("Google Cloud: {l}")));
    }
    if let Some(z) = &r.azure {
        out.extend(azure_lines(z).into_iter().map(|l| format!("Azure: {l}")));
    }
    out
}
