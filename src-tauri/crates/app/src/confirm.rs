//! What the native confirmation dialogs say, and the one-use approvals they grant. Tauri-free: the
//! text is built here from the *validated* plan (and, for an adoption, from what Rust itself read
//! in AWS), never from text the webview sent; the command adapters show it (`commands_confirm.rs`).
//!
//! The webview is untrusted: a non-dry-run apply and an export into a typed folder happen only
//! after the person chose the confirming button of a dialog that Rust raised with this text.

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use trustbridge_cloud::aws::{self, ExistingPolicy};
use trustbridge_core::pack::ResolvedPack;
use trustbridge_core::validate::{Resolved, ResolvedAws};

/// One native question: its title (also the dialog window's name), the text, and the two buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    pub title: String,
    pub message: String,
    pub ok: String,
    pub cancel: String,
    /// The plan's identifiers in the text, hidden while the window is in presenter mode
    /// ([`Confirmation::for_presenter`]); patterns (account ids, GUIDs, …) are hidden without them.
    pub hidden: Vec<String>,
}

/// The dialog window's title for a vendor plan's apply (the e2e tests find the window by it).
pub const APPLY_TITLE: &str = "Apply these changes to AWS?";
/// The dialog window's title for an organization-wide apply.
pub const APPLY_ORG_TITLE: &str = "Apply these changes to your AWS accounts?";
/// The dialog window's title for deploying an organization-wide plan's StackSet.
pub const APPLY_STACK_SET_TITLE: &str = "Deploy the StackSet to your AWS organization?";
/// The dialog window's title for removing an organization-wide plan's StackSet.
pub const REVOKE_STACK_SET_TITLE: &str = "Remove the StackSet from your AWS organization?";
/// The dialog window's title for a role pack's apply.
pub const APPLY_PACK_TITLE: &str = "Apply the role pack to AWS?";
/// The dialog window's titles for applying a vendor plan's Google Cloud or Azure section.
pub const APPLY_GCP_TITLE: &str = "Apply these changes to Google Cloud?";
pub const APPLY_AZURE_TITLE: &str = "Apply these changes to Azure?";
/// The dialog window's titles for removing the vendor's access on Google Cloud or Azure.
pub const REVOKE_GCP_TITLE: &str = "Remove the vendor's access to Google Cloud?";
pub const REVOKE_AWS_TITLE: &str = "Remove the vendor's access to AWS?";
pub const REVOKE_AWS_ORG_TITLE: &str = "Remove the vendor's access from your AWS accounts?";
pub const REVOKE_AZURE_TITLE: &str = "Remove the vendor's access to Azure?";
pub const CREATE_GCP_KEY_TITLE: &str = "Create a key for the vendor?";
pub const CREATE_AZURE_SECRET_TITLE: &str = "Create a client secret for the vendor?";
/// The dialog window's title for an export into a typed folder.
pub const EXPORT_TITLE: &str = "Write the setup files?";

/// The dialog window's title for accepting an unsigned or unknown-key vendor profile file.
pub const UNSIGNED_PROFILE_TITLE: &str = "Use a vendor profile that is not signed?";

/// At most this many items of a list are named; the rest are counted.
const MAX_LISTED: usize = 12;

/// One line of plain text: control characters (newlines, NUL, bidi controls) become spaces, so a
/// value can never fake another line of the dialog; long values are cut.
fn plain(s: &str) -> String {
    let one = plain_long(s);
    if one.chars().count() > 300 {
        format!("{}…", one.chars().take(300).collect::<String>())
    } else {
        one
    }
}

/// [`plain`] without the cut: a line that must be read whole (an account's grants).
pub(crate) fn plain_long(s: &str) -> String {
    s.chars().map(|c| if trustbridge_core::validate::is_invisible(c) { ' ' } else { c }).collect::<String>().trim().to_string()
}

/// Every item, one bullet each, never cut short: for what a yes approves by being named (the
/// findings "Apply anyway" goes past, the units a StackSet deploys to). Callers bound how many.
fn every_bullet(out: &mut String, items: impl IntoIterator<Item = String>) {
    for i in items {
        out.push_str(&format!("\n  • {}", plain_long(&i)));
    }
}

fn bullets(out: &mut String, items: impl IntoIterator<Item = String>) {
    let items: Vec<String> = items.into_iter().collect();
    for i in items.iter().take(MAX_LISTED) {
        out.push_str(&format!("\n  • {}", plain(i)));
    }
    if items.len() > MAX_LISTED {
        out.push_str(&format!("\n  • and {} more (listed on the page)", items.len() - MAX_LISTED));
    }
}

/// An existing role's policies as read for an adoption, and the warnings about them.
#[derive(Debug, Clone, Copy)]
pub struct Adoption<'a> {
    /// Every inline and attached policy the role has (None: the role does not exist yet).
    pub existing: Option<&'a [ExistingPolicy]>,
    pub warnings: &'a [String],
}

/// The confirmation of a vendor plan's apply to AWS: which account, which role, who may assume it,
/// what it may read and publish, the registration with the vendor, and the adoption when chosen.
/// The same text before and after the vendor issued the external id (the approval that
/// `confirm_apply` grants before registering must still match when apply runs).
pub fn apply_aws(r: &Resolved, adoption: Option<Adoption<'_>>, caller: &str) -> Option<Confirmation> {
    let a = r.aws.as_ref()?;
    let vendor = plain(&r.profile.display_name);
    let mut m = format!("Trustbridge will change AWS account {}, signed in as {}:", plain(&a.account_id), plain(caller));
    let mut items = vec![format!("create or update the IAM role {} ({})", a.role_name, a.role_arn()), trust(r, a)];
    items.extend(grants(a));
    if let Some(b) = &a.permissions_boundary_arn {
        items.push(format!("limit the role with the permissions boundary {b}"));
    }
    bullets(&mut m, items);
    if crate::register::registering(r).contains(&crate::register::Cloud::Aws) {
        m.push_str(&format!(
            "\n\nFirst the role is registered with {vendor} through its API (unless it already is): {vendor} issues the external ID the role's trust requires."
        ));
    }
    if let Some(ad) = adoption {
        m.push_str(&format!(
            "\n\nYou chose to adopt the existing role {}, which Trustbridge did not create. {vendor} is added to its trust; its other trust statements and its permissions stay, so {vendor} can also do everything the role can already do.",
            plain(&a.role_name)
        ));
        match ad.existing {
            Some([]) => m.push_str("\nIt has no inline or attached policies."),
            Some(list) => {
                m.push_str(&format!(
                    "\nIt already has {}:",
                    if list.len() == 1 { "this policy".to_string() } else { format!("these {} policies", list.len()) }
                ));
                bullets(&mut m, list.iter().map(|p| p.to_string().lines().next().unwrap_or_default().to_string()));
            }
            None => m.push_str("\nIt does not exist now: it is created."),
        }
        if !ad.warnings.is_empty() {
            m.push_str("\nWarnings:");
            bullets(&mut m, ad.warnings.iter().cloned());
        }
    }
    m.push_str("\n\nChoose Apply to make these changes, or Cancel to change nothing.");
    Some(Confirmation {
        title: APPLY_TITLE.into(),
        message: m,
        ok: "Apply".into(),
        cancel: "Cancel".into(),
        hidden: crate::presenter::identifiers(r),
    })
}

/// Who may assume the role, and with which external ID.
fn trust(r: &Resolved, a: &ResolvedAws) -> String {
    let vendor = plain(&r.profile.display_name);
    let trust = if !a.principal_patterns.is_empty() {
        format!(
            "let {vendor} assume it from its AWS account {}, only from its roles matching {}",
            plain(&a.vendor_account),
            a.principal_patterns.iter().map(|p| plain(p)).collect::<Vec<_>>().join(", ")
        )
    } else {
        format!("let {vendor} assume it from its AWS account {}", plain(&a.vendor_account))
    };
    let external = if r.profile.vendor_issues_external_id() {
        format!(", with the external ID {vendor} issues")
    } else if a.external_id.is_some() {
        ", only with the external ID in your answers".to_string()
    } else {
        String::new()
    };
    format!("{trust}{external}")
}

/// What the role may read and publish in one account, one item each.
fn grants(a: &ResolvedAws) -> Vec<String> {
    let mut items = Vec::new();
    for s in &a.storage {
        let scope = match &s.prefix {
            Some(p) => format!("objects under {p} in the S3 bucket {}", s.bucket),
            None => format!("every object in the S3 bucket {}", s.bucket),
        };
        items.push(format!("let it list and read {scope}"));
        if let Some(k) = &s.kms_key_arn {
            items.push(format!("let it decrypt with the KMS key {k}, only through S3"));
        }
    }
    for b in &a.event_buses {
        items.push(format!("let it publish events to the event bus {b}"));
    }
    items
}

/// The most accounts one organization-wide apply from the window covers: each is named in Rust's
/// dialog, on a line of its own, so the person sees every account and grant before saying yes.
pub const MAX_ORG_ACCOUNTS_IN_WINDOW: usize = 50;

/// The first sentence of an organization-wide confirmation: what Trustbridge will do (`verb`) to how
/// many accounts, where it signs in and as whom, and the member role it works through elsewhere.
fn org_intro(verb: &str, org: &trustbridge_core::validate::ResolvedOrg, n: usize, caller: &str) -> String {
    format!(
        "Trustbridge will {verb} {} of your AWS organization, signed in to the account {} as {}; in every other account it works through the role {} there.",
        if n == 1 { "one account".to_string() } else { format!("{n} accounts") },
        plain(&org.management_account_id),
        plain(caller),
        plain(&org.member_role_name)
    )
}

/// The confirmation of an organization-wide apply (`member-role` engine): who signs in where, the
/// role every account gets, and every account with what it may read and publish there — all of
/// them, one line each (the page's list is not trusted to show what is approved). None for more
/// than [`MAX_ORG_ACCOUNTS_IN_WINDOW`] accounts (the caller refuses those).
pub fn apply_aws_org(r: &Resolved, caller: &str) -> Option<Confirmation> {
    let org = r.aws_org.as_ref()?;
    let first = org.accounts.first()?;
    let n = org.accounts.len();
    if n > MAX_ORG_ACCOUNTS_IN_WINDOW {
        return None;
    }
    let mut m = org_intro("change", org, n, caller);
    m.push_str("\n\nIn each account:");
    let mut every = vec![format!("create or update the IAM role {} (path {})", first.role_name, first.role_path), trust(r, first)];
    if let Some(b) = &first.permissions_boundary_arn {
        every.push(format!("limit the role with the permissions boundary {b}"));
    }
    bullets(&mut m, every);
    m.push_str("\n\nWhat the role may do, account by account:");
    for a in &org.accounts {
        let g = grants(a);
        let what = if g.is_empty() { "nothing to read or publish".to_string() } else { g.join("; ") };
        m.push_str(&format!("\n  • {} ({}): {}", plain(&a.account_id), plain(&a.region), plain_long(&what)));
    }
    m.push_str("\n\nAn account that fails does not stop the others; the page lists each account's result.\n\nChoose Apply to make these changes, or Cancel to change nothing.");
    Some(Confirmation {
        title: APPLY_ORG_TITLE.into(),
        message: m,
        ok: "Apply".into(),
        cancel: "Cancel".into(),
        hidden: crate::presenter::identifiers(r),
    })
}

/// The units (or the root) a StackSet deploys to, one bullet each.
fn units(m: &mut String, org: &trustbridge_core::validate::ResolvedOrg) {
    every_bullet(m, org.organizational_units.iter().cloned());
}

/// The confirmation of deploying an organization-wide plan's StackSet (`stack-set` engine): who
/// signs in where, the StackSet and the units it deploys to now and later, the role every account
/// there gets, and every listed account with what it may read and publish (all of them, one line
/// each), then `steps`: what deploying does, as read just before asking (the StackSet's dry run:
/// create or update, as a delegated administrator or not, and the management account's own stack,
/// which StackSets do not reach). None for more listed accounts than [`MAX_ORG_ACCOUNTS_IN_WINDOW`]
/// (the caller refuses).
pub fn apply_aws_stack_set(r: &Resolved, caller: &str, steps: &[String]) -> Option<Confirmation> {
    let org = r.aws_org.as_ref()?;
    let first = org.accounts.first()?;
    if org.accounts.len() > MAX_ORG_ACCOUNTS_IN_WINDOW {
        return None;
    }
    let name = trustbridge_core::render::stackset::stack_set_name(r);
    let mut m = format!(
        "Trustbridge will create or update the CloudFormation StackSet {} in the account {}, signed in as {}, and deploy it to every account, now and later, in:",
        plain(&name),
        plain(&org.management_account_id),
        plain(caller)
    );
    units(&mut m, org);
    m.push_str(
        "

In each of those accounts:",
    );
    let mut every = vec![format!("create the IAM role {} (path {})", first.role_name, first.role_path), trust(r, first)];
    if let Some(b) = &first.permissions_boundary_arn {
        every.push(format!("limit the role with the permissions boundary {b}"));
    }
    bullets(&mut m, every);
    m.push_str(
        "

What the role may do, in the accounts you listed:",
    );
    for a in &org.accounts {
        let g = grants(a);
        let what = if g.is_empty() { "nothing to read or publish".to_string() } else { g.join("; ") };
        m.push_str(&format!(
            "
  • {} ({}): {}",
            plain(&a.account_id),
            plain(&a.region),
            plain_long(&what)
        ));
    }
    m.push_str("

In every other account of those units the role can read and publish nothing of its own. CloudFormation deploys to the accounts a few at a time; the page lists each account's stack.");
    if !steps.is_empty() {
        m.push_str("\n\nStep by step:");
        every_bullet(&mut m, steps.iter().cloned());
    }
    m.push_str("\n\nChoose Deploy to make these changes, or Cancel to change nothing.");
    Some(Confirmation {
        title: APPLY_STACK_SET_TITLE.into(),
        message: m,
        ok: "Deploy".into(),
        cancel: "Cancel".into(),
        hidden: crate::presenter::identifiers(r),
    })
}

/// The confirmation of removing an organization-wide plan's StackSet: its stacks in every account of
/// the units go (and the role with each), then the StackSet itself, then the management account's
/// own stack when the plan lists it.
pub fn revoke_aws_stack_set(r: &Resolved, caller: &str) -> Option<Confirmation> {
    let org = r.aws_org.as_ref()?;
    let vendor = plain(&r.profile.display_name);
    let name = trustbridge_core::render::stackset::stack_set_name(r);
    let mut m = format!(
        "Trustbridge will remove {vendor}'s access from your AWS organization, signed in to the account {} as {}: it deletes the StackSet {}'s stack in every account of",
        plain(&org.management_account_id),
        plain(caller),
        plain(&name)
    );
    units(&mut m, org);
    m.push_str("

(and the role with each), then the StackSet itself, and the management account's own stack when it has one. If an account's stack cannot be deleted, the StackSet is kept and the page says which.

Choose \"Remove access\" to remove it, or Cancel to change nothing.");
    Some(Confirmation {
        title: REVOKE_STACK_SET_TITLE.into(),
        message: m,
        ok: "Remove access".into(),
        cancel: "Cancel".into(),
        hidden: crate::presenter::identifiers(r),
    })
}

/// The apply confirmation when the person chose "Apply anyway" although pre-flight found what would
/// deny the vendor or the apply: the dialog names each finding (from the customer's cloud: made
/// plain) before the Apply button, so the override is confirmed natively, and an approval covers
/// exactly these findings (they are part of the text, and so of the key).
pub fn overriding_preflight(mut c: Confirmation, blocking: &[String]) -> Confirmation {
    if blocking.is_empty() {
        return c;
    }
    let choose = "\n\nChoose ";
    let at = c.message.rfind(choose).unwrap_or(c.message.len());
    let mut part = format!(
        "\n\nYou chose to apply anyway, although pre-flight found {} that would deny the vendor or this apply:",
        if blocking.len() == 1 { "one rule".to_string() } else { format!("{} rules", blocking.len()) }
    );
    // Every one: the yes goes past exactly what it names.
    every_bullet(&mut part, blocking.iter().cloned());
    c.message.insert_str(at, &part);
    c
}

/// The confirmation of a role pack's apply: the account, the roles and the customer-managed
/// policies, and every removal its dry run found (`takes_off`: the pack's own policies it no longer
/// names, and a boundary of its own it dropped), each named.
pub fn apply_pack(r: &ResolvedPack, caller: &aws::CallerIdentity, takes_off: &[String]) -> Confirmation {
    let account = r.account.as_deref().unwrap_or(&caller.account);
    let mut m = format!(
        "Trustbridge will change AWS account {}, signed in as {}, for the {}:",
        plain(account),
        plain(&caller.arn),
        plain(&r.pack.display_name)
    );
    let mut items: Vec<String> = r
        .roles
        .iter()
        .map(|role| {
            let attached = role.managed.len() + role.aws_managed_arns.len();
            let mut s = format!("create or update the IAM role {}", role.name);
            if !role.inline.is_empty() {
                s.push_str(&format!(", {} inline polic{}", role.inline.len(), if role.inline.len() == 1 { "y" } else { "ies" }));
            }
            if attached > 0 {
                s.push_str(&format!(", {attached} attached polic{}", if attached == 1 { "y" } else { "ies" }));
            }
            s
        })
        .collect();
    items.extend(r.managed_policies.iter().map(|(name, _, _)| format!("create or update the customer-managed policy {name}")));
    bullets(&mut m, items);
    if !takes_off.is_empty() {
        m.push_str("\n\nIt also takes off or replaces what is the pack's own but no longer as the pack says:");
        // Every one: the yes goes past exactly what it names.
        every_bullet(&mut m, takes_off.iter().cloned());
    }
    m.push_str("\n\nRoles and policies that exist but were not created by this pack are not changed.");
    m.push_str("\n\nChoose Apply to make these changes, or Cancel to change nothing.");
    // What presenter mode hides on the pack's pages too: its account ids, external ids and keys.
    use trustbridge_core::pack::VarKind;
    let hidden = r
        .pack
        .variables
        .iter()
        .filter(|v| matches!(v.kind, VarKind::AccountId | VarKind::ExternalId | VarKind::KmsKeyId))
        .filter_map(|v| r.vars.get(&v.name).cloned())
        .chain(r.account.clone())
        .collect();
    Confirmation { title: APPLY_PACK_TITLE.into(), message: m, ok: "Apply".into(), cancel: "Cancel".into(), hidden }
}

/// The confirmation of applying the plan's Google Cloud or Azure section, from the validated plan:
/// where, as whom (this computer's sign-in), and each grant.
pub fn apply_cloud(r: &Resolved, cloud: crate::cloud_apply::ApiCloud, acting_as: &str) -> Option<Confirmation> {
    apply_cloud_text(r, cloud, acting_as, None)
}

/// The apply confirmation that also creates the vendor's key or client secret once applied (one
/// yes for both: "Apply and create the key"): the apply's changes, then the creation in the words
/// of its own dialog ([`create_credentials`]). None for a keyless plan (there is nothing to make).
pub fn apply_cloud_with_credentials(r: &Resolved, cloud: crate::cloud_apply::ApiCloud, acting_as: &str) -> Option<Confirmation> {
    let (_, creation) = credential_text(r, cloud, acting_as)?;
    apply_cloud_text(r, cloud, acting_as, Some(&creation))
}

fn apply_cloud_text(r: &Resolved, cloud: crate::cloud_apply::ApiCloud, acting_as: &str, creation: Option<&str>) -> Option<Confirmation> {
    use crate::cloud_apply::ApiCloud;
    let (title, mut m, items) = match cloud {
        ApiCloud::Gcp => {
            let g = r.gcp.as_ref()?;
            let model = trustbridge_core::model::gcp::model(g, &r.plan.integration.name);
            let m = format!(
                "Trustbridge will change Google Cloud project {}, signed in as {}, for {}:",
                plain(&g.project_id),
                plain(acting_as),
                plain(&r.profile.display_name)
            );
            let mut items = vec![format!(
                "create the service account {} (or use it, if Trustbridge made it for this integration)",
                g.service_account_email()
            )];
            if let Some(role) = &model.custom_role {
                items.push(format!("create or update the custom role {} ({} permissions)", role.id, role.included_permissions.len()));
            }
            if let Some((_, _, pool)) = &g.workload_identity {
                items.push(format!("create the workload identity pool {pool} and its AWS provider (keyless)"));
            }
            items.extend(model.bindings.iter().map(|b| format!("grant {} on {}", b.role, b.resource)));
            items.push(format!(
                "remove the service account's grants, in the roles Trustbridge gives, on the buckets and topics of project {} that this plan no longer names",
                g.project_id
            ));
            (APPLY_GCP_TITLE, m, items)
        }
        ApiCloud::Azure => {
            let z = r.azure.as_ref()?;
            let model = trustbridge_core::model::azure::model(z);
            let m = format!(
                "Trustbridge will change Azure tenant {} (subscription {}), signed in as {}, for {}:",
                plain(&z.tenant_id),
                plain(&z.subscription_id),
                plain(acting_as),
                plain(&r.profile.display_name)
            );
            let mut items = vec![match &z.vendor_app_id {
                Some(app) => format!("add the vendor's app {app} to the tenant as an enterprise app"),
                None => format!(
                    "create the app registration {} and its service principal (or use them, if Trustbridge made them for this integration)",
                    z.service_principal_name
                ),
            }];
            items.extend(model.role_assignments.iter().map(|a| format!("assign {} on {}", a.role, a.scope)));
            items.push(format!(
                "remove the role assignments Trustbridge made for this integration (marked as its own) in subscription {} that this plan no longer lists",
                z.subscription_id
            ));
            (APPLY_AZURE_TITLE, m, items)
        }
    };
    bullets(&mut m, items);
    match creation {
        None => {
            m.push_str(
                "\n\nNo key or secret is created. What exists and was not created by Trustbridge for this integration is not changed.",
            );
            m.push_str("\n\nChoose Apply to make these changes, or Cancel to change nothing.");
        }
        Some(text) => {
            m.push_str("\n\nWhat exists and was not created by Trustbridge for this integration is not changed.");
            m.push_str(&format!("\n\nOnce applied: {}", text.replacen("Trustbridge will", "Trustbridge will also", 1)));
            m.push_str("\n\nChoose Apply to make these changes and create it, or Cancel to change nothing.");
        }
    }
    Some(Confirmation {
        title: title.into(),
        message: m,
        ok: "Apply".into(),
        cancel: "Cancel".into(),
        hidden: crate::presenter::identifiers(r),
    })
}

/// What a removal takes away and keeps, as its dry run found it.
pub struct Removal<'a> {
    /// The changes' first lines.
    pub removals: &'a [String],
    /// The dry run's notes: what is kept, and why (a custom role someone else uses, the vendor's
    /// shared enterprise app).
    pub kept: &'a [String],
    /// A key or client secret for this integration is in the keyring (it goes too).
    pub stored: bool,
}

/// The confirmation of removing the vendor's access on AWS: the account, as whom, exactly what the
/// dry run found to remove (each change's first line), and whether the role goes or is kept (an
/// adopted or shared role keeps everything but the vendor's part). None without the plan's section.
pub fn revoke_aws(r: &Resolved, acting_as: &str, removals: &[String], role_deleted: bool) -> Option<Confirmation> {
    let a = r.aws.as_ref()?;
    let vendor = plain(&r.profile.display_name);
    let mut m =
        format!("Trustbridge will remove {vendor}'s access to AWS account {}, signed in as {}:", plain(&a.account_id), plain(acting_as));
    bullets(&mut m, removals.iter().map(|c| c.lines().next().unwrap_or_default().to_string()));
    if role_deleted {
        m.push_str(&format!("\n\nThe role {} is deleted: Trustbridge created it for this integration.", plain(&a.role_name)));
    } else {
        m.push_str(&format!("\n\nThe role {} is kept (Trustbridge did not create it): only {vendor}'s part goes.", plain(&a.role_name)));
    }
    m.push_str(&format!("\n\n{vendor} can no longer reach your AWS account through it. If the role changed since this was read, nothing is removed and you are asked again."));
    m.push_str("\n\nChoose \"Remove access\" to remove it, or Cancel to change nothing.");
    Some(Confirmation {
        title: REVOKE_AWS_TITLE.into(),
        message: m,
        ok: "Remove access".into(),
        cancel: "Cancel".into(),
        hidden: crate::presenter::identifiers(r),
    })
}

/// What removal would do in one account of an organization (from its dry run).
pub struct AccountRemoval {
    pub account_id: String,
    /// Each change's first line.
    pub removals: Vec<String>,
    /// The role goes (Trustbridge created it), or is kept with only the vendor's part removed.
    pub role_deleted: bool,
}

/// The confirmation of removing the vendor's access across an organization: who signs in where,
/// then every account with something to remove, one line each with exactly what goes and whether
/// the role is deleted or kept, and the accounts that could not be read (nothing is removed there).
/// None for more than [`MAX_ORG_ACCOUNTS_IN_WINDOW`] accounts, or with nothing to remove.
pub fn revoke_aws_org(r: &Resolved, caller: &str, accounts: &[AccountRemoval], unread: &[String]) -> Option<Confirmation> {
    let org = r.aws_org.as_ref()?;
    let n = accounts.len();
    if n == 0 || n > MAX_ORG_ACCOUNTS_IN_WINDOW {
        return None;
    }
    let vendor = plain(&r.profile.display_name);
    let mut m = org_intro(&format!("remove {vendor}'s access from"), org, n, caller);
    m.push_str("\n\nAccount by account:");
    for a in accounts {
        let what: Vec<&str> = a.removals.iter().map(|c| c.lines().next().unwrap_or_default()).collect();
        let role =
            if a.role_deleted { "the role is deleted (Trustbridge created it)" } else { "the role is kept, only the vendor's part goes" };
        m.push_str(&format!("\n  • {}: {}; {role}", plain(&a.account_id), plain_long(&what.join("; "))));
    }
    if !unread.is_empty() {
        let ids: Vec<String> = unread.iter().map(|id| plain(id)).collect();
        m.push_str(&format!("\n\nNot read, so nothing is removed there: {}.", ids.join(", ")));
    }
    m.push_str(&format!(
        "\n\n{vendor} can no longer reach these accounts through the role. If a role changed since this was read, nothing is removed in that account and the page says so.\n\nChoose \"Remove access\" to remove it, or Cancel to change nothing."
    ));
    Some(Confirmation {
        title: REVOKE_AWS_ORG_TITLE.into(),
        message: m,
        ok: "Remove access".into(),
        cancel: "Cancel".into(),
        hidden: crate::presenter::identifiers(r),
    })
}

/// The confirmation of removing the vendor's access on Google Cloud or Azure: where, as whom,
/// exactly what the dry run found to remove and what it keeps, and the key or secret that goes from
/// the keyring with it (only when one is stored). None without the plan's section.
pub fn revoke_cloud(r: &Resolved, cloud: crate::cloud_apply::ApiCloud, acting_as: &str, what: &Removal<'_>) -> Option<Confirmation> {
    use crate::cloud_apply::ApiCloud;
    let vendor = plain(&r.profile.display_name);
    let (title, mut m, kept) = match cloud {
        ApiCloud::Gcp => {
            let g = r.gcp.as_ref()?;
            (
                REVOKE_GCP_TITLE,
                format!(
                    "Trustbridge will remove {vendor}'s access to Google Cloud project {}, signed in as {}:",
                    plain(&g.project_id),
                    plain(acting_as)
                ),
                (!g.is_keyless()).then_some("key"),
            )
        }
        ApiCloud::Azure => {
            let z = r.azure.as_ref()?;
            (
                REVOKE_AZURE_TITLE,
                format!(
                    "Trustbridge will remove {vendor}'s access to Azure tenant {} (subscription {}), signed in as {}:",
                    plain(&z.tenant_id),
                    plain(&z.subscription_id),
                    plain(acting_as)
                ),
                (!z.is_keyless()).then_some("client secret"),
            )
        }
    };
    bullets(&mut m, what.removals.iter().cloned());
    if !what.kept.is_empty() {
        m.push_str("\n\nKept:");
        bullets(&mut m, what.kept.iter().cloned());
    }
    if let Some(secret) = kept.filter(|_| what.stored) {
        m.push_str(&format!("\n\nThe {secret} kept for {vendor} in this computer's keyring stops working and is deleted from it too."));
    }
    m.push_str(&format!(
        "\n\n{vendor} can no longer reach what these grant. Only what Trustbridge made for this integration is removed; anything else is kept."
    ));
    m.push_str("\n\nChoose \"Remove access\" to remove it, or Cancel to change nothing.");
    Some(Confirmation {
        title: title.into(),
        message: m,
        ok: "Remove access".into(),
        cancel: "Cancel".into(),
        hidden: crate::presenter::identifiers(r),
    })
}

/// The confirmation of creating the vendor's credential in the cloud (a GCP service-account key, an
/// Azure client secret) straight into this computer's keyring. None for a keyless section.
pub fn create_credentials(r: &Resolved, cloud: crate::cloud_apply::ApiCloud, acting_as: &str) -> Option<Confirmation> {
    let (title, m) = credential_text(r, cloud, acting_as)?;
    // "Yes, create it", not "Create": GTK's mnemonics would make Alt+C both buttons' key.
    Some(Confirmation {
        title: title.into(),
        message: format!("{m}\n\nChoose \"Yes, create it\" to make it, or Cancel to make nothing."),
        ok: "Yes, create it".into(),
        cancel: "Cancel".into(),
        hidden: crate::presenter::identifiers(r),
    })
}

/// What creating the vendor's key or client secret does, and the dialog's title; None when keyless.
fn credential_text(r: &Resolved, cloud: crate::cloud_apply::ApiCloud, acting_as: &str) -> Option<(&'static str, String)> {
    use crate::cloud_apply::ApiCloud;
    let vendor = plain(&r.profile.display_name);
    let (title, m) = match cloud {
        ApiCloud::Gcp => {
            let g = r.gcp.as_ref().filter(|g| !g.is_keyless())?;
            (
                CREATE_GCP_KEY_TITLE,
                format!(
                    "Trustbridge will create a key for the service account {} in Google Cloud project {}, signed in as {}, and keep it in this computer's keyring for {vendor}.\n\nThe key is not shown or written anywhere; \"Send to {vendor}\" hands it over from the keyring. A key works until it is deleted: delete it in the Google Cloud console when {vendor} no longer needs it.",
                    g.service_account_email(),
                    plain(&g.project_id),
                    plain(acting_as)
                ),
            )
        }
        ApiCloud::Azure => {
            let z = r.azure.as_ref().filter(|z| !z.is_keyless())?;
            (
                CREATE_AZURE_SECRET_TITLE,
                format!(
                    "Trustbridge will add a client secret, valid for one year, to the app registration {} in Azure tenant {}, signed in as {}, and keep it in this computer's keyring for {vendor}.\n\nThe secret is not shown or written anywhere; \"Send to {vendor}\" hands it over from the keyring.",
                    plain(&z.service_principal_name),
                    plain(&z.tenant_id),
                    plain(acting_as)
                ),
            )
        }
    };
    Some((title, m))
}

/// The confirmation of an export into a folder the person typed: the exact new folder and the count.
pub fn export(dir: &Path, files: usize) -> Confirmation {
    let m = format!(
        "Write {files} file{} to the new folder {}?\n\nTrustbridge creates this folder; it does not overwrite anything.\n\nChoose Write to export, or Cancel to write nothing.",
        if files == 1 { "" } else { "s" },
        plain(&dir.display().to_string()),
    );
    // In presenter mode the path up to the new folder is hidden (it often names the person), as
    // the page hides the folder typed.
    let hidden = dir.parent().map(|p| p.display().to_string()).into_iter().filter(|p| p.len() > 1).collect();
    Confirmation { title: EXPORT_TITLE.into(), message: m, ok: "Write".into(), cancel: "Cancel".into(), hidden }
}

/// The confirmation of using an imported vendor profile file that no trusted key signed: who it
/// claims to be, the key fingerprint (or that there is no signature), what it would grant. Built
/// from what Rust verified, never from the page's text.
pub fn unsigned_profile(i: &crate::imported::Imported) -> Confirmation {
    use trustbridge_core::profile_trust::{ProfileOrigin, UnsignedReason};
    let sig = match &i.origin {
        ProfileOrigin::Unsigned { reason: UnsignedReason::UnknownKey, key_id, .. } => format!(
            "It is signed by key {}, which is not a key Trustbridge trusts. Compare this key id with the one the vendor publishes.",
            plain(key_id.as_deref().unwrap_or("?"))
        ),
        _ => "It has no signature.".to_string(),
    };
    let mut m = format!(
        "The vendor profile file says it is {} (profile id {}).\n\nIt is not signed by a key Trustbridge trusts. {sig} Nothing shows that it comes from this vendor.\n\nIf you use it, it would grant:",
        plain(&i.profile.display_name),
        plain(&i.profile.id),
    );
    bullets(&mut m, crate::imported::grants(&i.profile));
    m.push_str("\n\nThe setup files will say UNSIGNED.\n\nChoose Use it anyway to use it, or Cancel to choose another vendor.");
    Confirmation {
        title: UNSIGNED_PROFILE_TITLE.into(),
        message: m,
        ok: "Use it anyway".into(),
        cancel: "Cancel".into(),
        hidden: Vec::new(),
    }
}

impl Confirmation {
    /// What an approval of this confirmation is kept under: its exact title and text.
    pub fn key(&self) -> String {
        format!("confirm\n{}\n{}", self.title, self.message)
    }

    /// The dialog as presenter mode shows it: the plan's identifiers and every account id, GUID,
    /// caller's name and home folder's owner hidden, and a last line saying so (the webview, which
    /// is untrusted, turns presenter mode on). An approval is of the confirmation as built.
    pub fn for_presenter(&self) -> Confirmation {
        Confirmation {
            title: crate::presenter::mask(&self.title, &self.hidden),
            message: format!("{}\n\n{}", crate::presenter::mask(&self.message, &self.hidden), crate::presenter::NOTE),
            ..self.clone()
        }
    }
}

/// What an approval of a folder chosen in the native folder picker is kept under.
pub fn folder_key(path: &str) -> String {
    format!("folder\n{path}")
}

/// How long an approval stays usable: enough to register with the vendor first.
const APPROVAL_TTL: Duration = Duration::from_secs(300);

/// Approvals given in a native dialog and not used yet, each used once within [`APPROVAL_TTL`], and
/// only the latest of each kind (a new confirmation replaces an unused one; so does a new folder):
/// the exact text of a confirmation (the wizard confirms an apply *before* registering the role
/// with the vendor, then applies without asking twice — exactly what was confirmed), or a folder
/// the person chose in the folder picker Rust raised (its export needs no second question).
#[derive(Debug, Default)]
pub struct Approvals {
    granted: Mutex<Vec<(String, Instant)>>,
}

impl Approvals {
    pub fn grant(&self, key: String) {
        let kind = |k: &str| k.split('\n').next().map(String::from).unwrap_or_default();
        if let Ok(mut g) = self.granted.lock() {
            g.retain(|(k, at)| at.elapsed() < APPROVAL_TTL && kind(k) != kind(&key));
            g.push((key, Instant::now()));
        }
    }

    /// Uses a fresh approval of exactly `key` when there is one (and removes it).
    pub fn take(&self, key: &str) -> bool {
        let Ok(mut g) = self.granted.lock() else { return false };
        g.retain(|(_, at)| at.elapsed() < APPROVAL_TTL);
        match g.iter().position(|(k, _)| k == key) {
            Some(i) => {
                g.remove(i);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    /// Who the apply signs in as, in every confirmation.
    const ME: &str = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123/ana";

    use super::*;
    use trustbridge_cloud::aws::PolicyKind;

    fn resolved(plan: serde_json::Value) -> Resolved {
        let p = trustbridge_core::Plan::from_json(&plan.to_string()).expect("plan");
        trustbridge_core::validate(&p, None).expect("valid plan")
    }

    fn mlcube(external_id: Option<&str>) -> Resolved {
        let mut aws = serde_json::json!({"account_id": "123456789012", "region": "eu-west-1", "role_name": "acme-ml",
            "storage": [{"bucket": "acme-training", "prefix": "team/"}, {"bucket": "acme-other"}],
            "events": [{"event_bus_name": "retrain"}]});
        if let Some(id) = external_id {
            aws["external_id"] = id.into();
            aws["vendor_credentials_id"] = "cred-1".into();
        }
        resolved(
            serde_json::json!({"version": 1, "platform": "mlcube", "integration": {"name": "AWS_01", "project_id": "demo"}, "aws": aws}),
        )
    }

    #[test]
    fn apply_names_the_account_role_vendor_buckets_bus_and_registration() {
        let c = apply_aws(&mlcube(None), None, ME).expect("aws section");
        assert_eq!(c.title, APPLY_TITLE);
        assert_eq!((c.ok.as_str(), c.cancel.as_str()), ("Apply", "Cancel"));
        for want in [
            "AWS account 123456789012, signed in as arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123/ana",
            "IAM role acme-ml (arn:aws:iam::123456789012:role/acme-ml)",
            "let ML cube Platform assume it from its AWS account",
            "with the external ID ML cube Platform issues",
            "objects under team/ in the S3 bucket acme-training",
            "every object in the S3 bucket acme-other",
            "publish events to the event bus retrain",
            "registered with ML cube Platform",
            "Cancel to change nothing",
        ] {
            assert!(c.message.contains(want), "missing {want:?} in:\n{}", c.message);
        }
        assert!(!c.message.contains("adopt"), "{}", c.message);
    }

    fn org(n: usize) -> Resolved {
        let accounts: Vec<serde_json::Value> = (0..n)
            .map(|i| {
                serde_json::json!({"account_id": format!("{:012}", 210_000_000_000u64 + i as u64),
                    "storage": [{"bucket": format!("team-{i}-data"), "prefix": "in/"}], "events": [{"event_bus_name": "default"}]})
            })
            .collect();
        resolved(serde_json::json!({"version": 1, "platform": "mlcube", "integration": {"name": "AWS_ORG", "project_id": "p"},
            "aws": {"account_id": "123456789012", "region": "eu-west-1", "external_id": "Zk3pQ9vX2mN7bR4tY8wL1cH6jD5sF0gA",
                "organization": {"engine": "member-role"}, "accounts": accounts}}))
    }

    #[test]
    fn an_organization_apply_names_every_account_and_its_grants_whatever_their_number() {
        let r = org(MAX_ORG_ACCOUNTS_IN_WINDOW);
        let c = apply_aws_org(&r, ME).expect("org section");
        assert_eq!(c.title, APPLY_ORG_TITLE);
        for want in [
            "50 accounts of your AWS organization",
            "signed in to the account 123456789012",
            "OrganizationAccountAccessRole",
            "mlcube-platform-access",
        ] {
            assert!(c.message.contains(want), "missing {want:?} in:\n{}", c.message);
        }
        // Every account, the last one too, with its own bucket: nothing is left to the page.
        for i in [0, 7, 8, 49] {
            let id = format!("{:012}", 210_000_000_000u64 + i);
            let line = c.message.lines().find(|l| l.contains(&id)).unwrap_or_else(|| panic!("account {id} not named:\n{}", c.message));
            assert!(line.contains(&format!("team-{i}-data")) && line.contains("in/") && line.contains("event bus default"), "{line}");
        }
        assert!(!c.message.contains("more accounts"), "{}", c.message);
        // More accounts than one dialog names: no confirmation (the command refuses).
        assert!(apply_aws_org(&org(MAX_ORG_ACCOUNTS_IN_WINDOW + 1), ME).is_none());
    }

    #[test]
    fn an_organization_removal_names_every_account_with_what_goes_and_the_ones_not_read() {
        let r = org(3);
        let id = |i: u64| format!("{:012}", 210_000_000_000u64 + i);
        let accounts = [
            AccountRemoval { account_id: id(0), removals: vec!["delete role mlcube-platform-access\n  detail".into()], role_deleted: true },
            AccountRemoval {
                account_id: id(2),
                removals: vec!["remove the vendor's statement from the trust policy".into()],
                role_deleted: false,
            },
        ];
        let c = revoke_aws_org(&r, ME, &accounts, &[id(1)]).expect("something to remove");
        assert_eq!((c.title.as_str(), c.ok.as_str()), (REVOKE_AWS_ORG_TITLE, "Remove access"));
        assert!(c.message.contains("from 2 accounts of your AWS organization") && c.message.contains(ME), "{}", c.message);
        let line = |a: &str| {
            c.message.lines().find(|l| l.contains("•") && l.contains(a)).unwrap_or_else(|| panic!("{a} not named:\n{}", c.message))
        };
        assert!(line(&id(0)).contains("delete role mlcube-platform-access; the role is deleted"), "{}", line(&id(0)));
        assert!(!c.message.contains("detail"), "only each change's first line: {}", c.message);
        assert!(line(&id(2)).contains("the role is kept"), "{}", line(&id(2)));
        assert!(c.message.contains(&format!("Not read, so nothing is removed there: {}.", id(1))), "{}", c.message);
        // Nothing to remove, or more accounts than one dialog names: no confirmation.
        assert!(revoke_aws_org(&r, ME, &[], &[]).is_none());
        let many: Vec<AccountRemoval> = (0..=MAX_ORG_ACCOUNTS_IN_WINDOW as u64)
            .map(|i| AccountRemoval { account_id: id(i), removals: vec!["delete role r".into()], role_deleted: true })
            .collect();
        assert!(revoke_aws_org(&org(MAX_ORG_ACCOUNTS_IN_WINDOW + 1), ME, &many, &[]).is_none());
    }

    #[test]
    fn presenter_mode_hides_the_plans_identifiers_and_the_export_path_and_says_so() {
        let c = apply_aws(&mlcube(None), None, ME).unwrap();
        let shown = c.for_presenter();
        assert!(c.message.contains("123456789012"), "{}", c.message);
        assert!(!shown.message.contains("123456789012") && shown.message.ends_with(crate::presenter::NOTE), "{}", shown.message);
        assert_eq!(shown.key(), c.key().replace(&c.message, &shown.message), "the approval key is of the text as built");
        assert_ne!(shown.key(), c.key());
        let e = export(std::path::Path::new("/srv/share/alice-smith/tb-export-1"), 12).for_presenter();
        assert!(!e.message.contains("alice-smith") && e.message.contains("/tb-export-1"), "{}", e.message);
    }

    #[test]
    fn the_text_is_the_same_before_and_after_the_vendor_issued_the_external_id() {
        // The approval granted before registering must match the apply after it.
        let before = apply_aws(&mlcube(None), None, ME).unwrap();
        let after = apply_aws(&mlcube(Some("Zk3pQ9vX2mN7bR4tY8wL1cH6jD5sF0gA")), None, ME).unwrap();
        assert_eq!(before, after);
        assert!(!after.message.contains("Zk3pQ9vX"), "the external id is not shown");
    }

    #[test]
    fn an_adoption_is_stated_with_the_existing_policies_and_warnings() {
        let existing = vec![
            ExistingPolicy {
                kind: PolicyKind::Managed,
                name: "AdministratorAccess".into(),
                arn: Some("arn:aws:iam::aws:policy/AdministratorAccess".into()),
                grants: vec![],
                note: Some("AWS-managed".into()),
            },
            ExistingPolicy {
                kind: PolicyKind::Inline,
                name: "legacy".into(),
                arn: None,
                grants: vec!["Allow s3:* on *".into()],
                note: None,
            },
        ];
        let warnings = vec!["AWS-managed policy AdministratorAccess is attached: full administrator rights".to_string()];
        let c = apply_aws(&mlcube(None), Some(Adoption { existing: Some(&existing), warnings: &warnings }), ME).unwrap();
        for want in [
            "adopt the existing role acme-ml, which Trustbridge did not create",
            "ML cube Platform is added to its trust",
            "these 2 policies",
            "managed policy arn:aws:iam::aws:policy/AdministratorAccess (AWS-managed)",
            "inline policy legacy",
            "Warnings:",
            "full administrator rights",
        ] {
            assert!(c.message.contains(want), "missing {want:?} in:\n{}", c.message);
        }
        assert!(!c.message.contains("Allow s3:*"), "policy names only, not every grant");
        let none = apply_aws(&mlcube(None), Some(Adoption { existing: None, warnings: &[] }), ME).unwrap();
        assert!(none.message.contains("does not exist now"), "{}", none.message);
        assert_ne!(c, apply_aws(&mlcube(None), None, ME).unwrap(), "adopting is another confirmation");
    }

    #[test]
    fn a_custom_vendor_is_named_with_its_account_and_patterns() {
        let r = resolved(serde_json::json!({"version": 1, "platform": "custom", "integration": {"name": "X_01", "project_id": "demo"},
            "aws": {"account_id": "123456789012", "region": "eu-west-1", "external_id": "Zk3pQ9vX2mN7bR4tY8wL1cH6jD5sF0gA",
                "vendor": {"account_id": "210987654321", "principal_patterns": ["arn:aws:iam::210987654321:role/acme-workers-*"]},
                "storage": [{"bucket": "acme-training"}]}}));
        let c = apply_aws(&r, None, ME).unwrap();
        assert!(
            c.message
                .contains("from its AWS account 210987654321, only from its roles matching arn:aws:iam::210987654321:role/acme-workers-*"),
            "{}",
            c.message
        );
        assert!(c.message.contains("only with the external ID in your answers"), "{}", c.message);
        assert!(!c.message.contains("registered with"), "{}", c.message);
    }

    #[test]
    fn no_value_can_add_a_line_and_long_lists_are_cut() {
        assert_eq!(plain("a\nb\u{2028}c\u{202e}d\0e"), "a b c d e");
        assert_eq!(plain(&"x".repeat(400)).chars().count(), 301);
        let mut s = String::new();
        bullets(&mut s, (0..20).map(|i| format!("item {i}")));
        assert_eq!(s.lines().filter(|l| l.contains("item")).count(), MAX_LISTED);
        assert!(s.contains("and 8 more"), "{s}");
    }

    #[test]
    fn export_says_how_many_files_go_where() {
        let c = export(Path::new("/home/you/exports/AWS_01"), 14);
        assert_eq!(c.title, EXPORT_TITLE);
        assert!(c.message.starts_with("Write 14 files to the new folder /home/you/exports/AWS_01?"), "{}", c.message);
        assert_eq!(c.ok, "Write");
    }

    #[test]
    fn an_approval_is_for_exactly_what_was_confirmed_and_used_once() {
        let approvals = Approvals::default();
        let c = apply_aws(&mlcube(None), None, ME).unwrap();
        let other = apply_aws(&mlcube(None), Some(Adoption { existing: None, warnings: &[] }), ME).unwrap();
        assert!(!approvals.take(&c.key()), "nothing granted yet");
        approvals.grant(c.key());
        assert!(!approvals.take(&other.key()), "another text is not approved");
        assert!(!approvals.take(&folder_key("/tmp")), "nor a folder");
        assert!(approvals.take(&c.key()));
        assert!(!approvals.take(&c.key()), "used once");
        approvals.grant(folder_key("/home/you/exports"));
        assert!(!approvals.take(&folder_key("/home/you")), "another folder is not approved");
        assert!(approvals.take(&folder_key("/home/you/exports")));
        // Only the latest of a kind is kept.
        approvals.grant(c.key());
        approvals.grant(folder_key("/a"));
        approvals.grant(other.key());
        assert!(!approvals.take(&c.key()), "replaced by the later confirmation");
        assert!(approvals.take(&folder_key("/a")), "a folder is another kind");
        assert!(approvals.take(&other.key()));
    }

    #[test]
    fn a_pack_apply_names_the_account_roles_and_policies() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/packs/mlspace.json")).unwrap();
        let plan = trustbridge_core::pack::PackPlan::from_json(&text).unwrap();
        let r = trustbridge_core::pack::validate_pack(&plan, None).unwrap();
        let me = aws::CallerIdentity { account: "123456789012".into(), arn: ME.into() };
        let c = apply_pack(&r, &me, &[]);
        assert_eq!(c.title, APPLY_PACK_TITLE);
        assert!(!c.message.contains("takes off"), "{}", c.message);
        let off = ["detach arn:aws:iam::123456789012:policy/old from role r".to_string(), "delete managed policy old\u{1b}[2J".to_string()];
        let removing = apply_pack(&r, &me, &off);
        assert!(removing.message.contains("takes off") && removing.message.contains("policy/old from role r"), "{}", removing.message);
        assert!(removing.message.contains("delete managed policy old") && !removing.message.contains('\u{1b}'), "{}", removing.message);
        assert_ne!(removing.key(), c.key(), "an approval without the removals does not cover them");
        let account = r.account.clone().unwrap();
        assert!(c.message.contains(&format!("AWS account {account}")), "{}", c.message);
        for role in &r.roles {
            assert!(c.message.contains(&format!("IAM role {}", role.name)), "{role:?}: {}", c.message);
        }
        assert!(c.message.contains("customer-managed policy"), "{}", c.message);
    }

    #[test]
    fn an_override_of_pre_flight_is_named_in_the_dialog_and_changes_its_key() {
        let plain_c = apply_aws(&mlcube(None), None, ME).unwrap();
        let over = overriding_preflight(plain_c.clone(), &["The SCP NoReads denies the vendor s3:GetObject\u{1b}[2J".into()]);
        assert!(over.message.contains("You chose to apply anyway") && over.message.contains("NoReads denies"), "{}", over.message);
        assert!(!over.message.contains('\u{1b}'), "customer text is made plain");
        assert!(over.message.find("apply anyway").unwrap() < over.message.find("Choose Apply").unwrap());
        assert_ne!(over.key(), plain_c.key(), "an approval without the override does not cover it");
        assert_eq!(overriding_preflight(plain_c.clone(), &[]), plain_c);
        // Every finding it goes past is named, however many (a yes approves what it names).
        let many: Vec<String> = (0..40).map(|i| format!("account {:012}: rule {i} denies", 210_000_000_000u64 + i)).collect();
        let over = overriding_preflight(plain_c.clone(), &many);
        assert!(many.iter().all(|f| over.message.contains(f.as_str())), "{}", over.message);
        assert!(!over.message.contains("more (listed on the page)"), "{}", over.message);
    }

    #[test]
    fn a_stack_set_is_confirmed_with_every_unit_it_deploys_to_and_the_override_before_deploy() {
        let units: Vec<String> = (0..20).map(|i| format!("ou-ab12-{:08}", i)).collect();
        let r = resolved(serde_json::json!({"version": 1, "platform": "mlcube", "integration": {"name": "AWS_ORG", "project_id": "p"},
            "aws": {"account_id": "123456789012", "region": "eu-west-1", "external_id": "Zk3pQ9vX2mN7bR4tY8wL1cH6jD5sF0gA",
                "organization": {"engine": "stack-set", "organizational_units": units},
                "accounts": [{"account_id": "210987654321", "storage": [{"bucket": "team-data"}]}]}}));
        let step = "deploy the same template as the stack trustbridge-aws-org in the management account 123456789012".to_string();
        let c = apply_aws_stack_set(&r, ME, std::slice::from_ref(&step)).expect("org section");
        assert!(c.message.contains(&step), "what deploying does, as read: {}", c.message);
        assert_eq!(c.title, APPLY_STACK_SET_TITLE);
        assert!(units.iter().all(|u| c.message.contains(u.as_str())), "every unit named: {}", c.message);
        assert!(c.message.contains("210987654321") && c.message.contains("team-data"), "{}", c.message);
        let over = overriding_preflight(c, &["account 210987654321: the bucket policy denies".into()]);
        assert!(over.message.find("apply anyway").unwrap() < over.message.find("Choose Deploy").unwrap(), "{}", over.message);
        let gone = revoke_aws_stack_set(&r, ME).expect("org section");
        assert!(units.iter().all(|u| gone.message.contains(u.as_str())), "{}", gone.message);
    }
}
