//! Validation of every plan field, all problems at once, and resolution of the plan against its
//! vendor profile into concrete values the renderers use.

pub mod rules;

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::error::{CoreCode, CoreError, VALIDATION_PREFIX};
use crate::plan::{Plan, S3Storage, PLAN_VERSION};
use crate::profile::{AwsProfile, AzureProfile, ExternalIdPolicy, GcpProfile, Profile, Upload};
use crate::profile_trust::{ProfileOrigin, ProfileTrust};

/// One broken rule: `field.path: rule (got 'value')`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Path of the field in the plan, e.g. `aws.storage[0].bucket`.
    pub field: String,
    /// The rule, in plain language.
    pub rule: String,
    /// The offending value as typed (shown escaped and shortened).
    pub value: String,
    /// A concrete way to fix it, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// A code more specific than the field's (`profile.unsigned`), see [`Problem::code`].
    #[serde(skip)]
    pub specific_code: Option<CoreCode>,
}

impl Problem {
    pub fn new(field: impl Into<String>, rule: impl Into<String>, value: &str) -> Problem {
        Problem { field: field.into(), rule: rule.into(), value: value.to_string(), fix: None, specific_code: None }
    }

    /// A problem with its own code instead of the field's (shown after the rule: `[profile.unsigned]`).
    pub fn with_code(mut self, code: CoreCode) -> Problem {
        self.specific_code = Some(code);
        self
    }

    pub fn with_fix(mut self, fix: impl Into<String>) -> Problem {
        self.fix = Some(fix.into());
        self
    }

    /// The stable error code for this field, e.g. `validation.aws.storage.bucket`, or the problem's
    /// own (`profile.unsigned`).
    pub fn code(&self) -> String {
        if let Some(code) = self.specific_code {
            return code.as_str().to_string();
        }
        let mut path = String::new();
        let mut depth = 0;
        for c in self.field.chars() {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                _ if depth == 0 => path.push(c),
                _ => {}
            }
        }
        format!("{VALIDATION_PREFIX}{path}")
    }
}

/// Characters that break a line or change what a reader sees: controls, line/paragraph separators,
/// byte-order mark, bidirectional overrides, isolates and marks, the zero-width space and word
/// joiner. (The zero-width joiner and non-joiner are letters' business in some scripts and in
/// emoji: they stay.)
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}' | '\u{feff}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200b}' | '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{2060}')
}

/// A value kept on its own line of text: control, line-breaking and bidi characters escaped
/// (`\n`, `\u{9b}`), so that what a cloud or a file holds cannot start a line of its own in a
/// listing or send a terminal a command.
pub fn one_line(v: &str) -> String {
    v.chars().flat_map(|c| if is_invisible(c) { c.escape_default().collect::<Vec<_>>() } else { vec![c] }).collect()
}

/// Shows a value safely on one line: control characters escaped, long values shortened.
pub fn show_value(v: &str) -> String {
    let escaped = one_line(v);
    if escaped.chars().count() > 80 {
        let head: String = escaped.chars().take(77).collect();
        format!("{head}…")
    } else {
        escaped
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.rule)?;
        if let Some(code) = self.specific_code {
            write!(f, " [{code}]")?;
        }
        write!(f, " (got '{}')", show_value(&self.value))?;
        if let Some(fix) = &self.fix {
            write!(f, "; {fix}")?;
        }
        Ok(())
    }
}

/// Partition facts the renderers need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    pub name: String,
}

impl Partition {
    /// DNS suffix used in service endpoints (for `kms:ViaService`).
    pub fn dns_suffix(&self) -> &'static str {
        dns_suffix(&self.name)
    }
}

/// The DNS suffix of a partition's service endpoints, by the partition's name.
pub fn dns_suffix(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "amazonaws.com.cn",
        "aws-iso" => "c2s.ic.gov",
        "aws-iso-b" => "sc2s.sgov.gov",
        "aws-eusc" => "amazonaws.eu",
        _ => "amazonaws.com",
    }
}

/// AWS values after validation and profile defaults.
#[derive(Debug, Clone)]
pub struct ResolvedAws {
    pub partition: Partition,
    pub account_id: String,
    pub region: String,
    pub role_name: String,
    pub role_path: String,
    pub permissions_boundary_arn: Option<String>,
    pub external_id: Option<String>,
    /// The vendor issues the external id and has not yet: the role must not be created or exported
    /// until `trustbridge register` (or apply) has received it. [`crate::lint`] refuses the export.
    pub external_id_pending: bool,
    /// The vendor API's id for the registered credentials (`trustbridge register`).
    pub vendor_credentials_id: Option<String>,
    pub vendor_account: String,
    pub principal_patterns: Vec<String>,
    pub storage: Vec<S3Storage>,
    pub event_buses: Vec<String>,
    pub profile: AwsProfile,
}

impl ResolvedAws {
    pub fn role_arn(&self) -> String {
        format!("arn:{}:iam::{}:role{}{}", self.partition.name, self.account_id, self.role_path, self.role_name)
    }
    pub fn vendor_root(&self) -> String {
        format!("arn:{}:iam::{}:root", self.partition.name, self.vendor_account)
    }
}

#[derive(Debug, Clone)]
pub struct ResolvedGcp {
    pub project_id: String,
    pub service_account: String,
    /// Keyless: (vendor AWS account, vendor role name, pool id).
    pub workload_identity: Option<(String, String, String)>,
    /// The vendor API's id for the uploaded key (`trustbridge register`).
    pub vendor_credentials_id: Option<String>,
    pub buckets: Vec<String>,
    pub topics: Vec<String>,
    pub profile: GcpProfile,
}

impl ResolvedGcp {
    /// The one rule for "no key": the vendor signs in through Workload Identity Federation, so the
    /// customer holds no service-account key to make, store, send or delete.
    pub fn is_keyless(&self) -> bool {
        self.workload_identity.is_some()
    }

    pub fn service_account_email(&self) -> String {
        format!("{}@{}.iam.gserviceaccount.com", self.service_account, self.project_id)
    }
}

#[derive(Debug, Clone)]
pub struct ResolvedAzure {
    /// Keyless: the vendor's multi-tenant app client id.
    pub vendor_app_id: Option<String>,
    /// The vendor API's id for the uploaded service principal (`trustbridge register`).
    pub vendor_credentials_id: Option<String>,
    pub tenant_id: String,
    pub subscription_id: String,
    pub resource_group: String,
    pub service_principal_name: String,
    pub containers: Vec<(String, String)>,
    pub topics: Vec<String>,
    pub profile: AzureProfile,
}

impl ResolvedAzure {
    /// The one rule for "no secret": the vendor's own multi-tenant app is consented to, so the
    /// customer holds no client secret to make, store, send or delete.
    pub fn is_keyless(&self) -> bool {
        self.vendor_app_id.is_some()
    }

    pub fn container_scope(&self, account: &str, container: &str) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Storage/storageAccounts/{account}/blobServices/default/containers/{container}",
            self.subscription_id, self.resource_group
        )
    }
    pub fn topic_scope(&self, topic: &str) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.EventGrid/topics/{topic}",
            self.subscription_id, self.resource_group
        )
    }
}

/// A plan that passed validation, with every default filled in from its profile.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub plan: Plan,
    pub profile: Profile,
    /// Where the profile came from: built in, a file signed by a trusted key, or a file used unsigned
    /// because the user allowed it. SUMMARY.md and handoff.json record it.
    pub profile_origin: ProfileOrigin,
    /// A single-account plan's AWS section; `None` for an organization-wide plan (see `aws_org`).
    pub aws: Option<ResolvedAws>,
    /// An organization-wide plan's AWS section: every target account resolved alike.
    pub aws_org: Option<ResolvedOrg>,
    pub gcp: Option<ResolvedGcp>,
    pub azure: Option<ResolvedAzure>,
}

/// How an organization-wide plan reaches its member accounts (`aws.organization.engine`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrgEngine {
    /// Assume a role in each listed member account and apply there, as for one account.
    MemberRole,
    /// A service-managed CloudFormation StackSet over organizational units.
    StackSet,
}

impl OrgEngine {
    pub const NAMES: [&'static str; 2] = ["member-role", "stack-set"];
    pub fn name(self) -> &'static str {
        match self {
            OrgEngine::MemberRole => "member-role",
            OrgEngine::StackSet => "stack-set",
        }
    }
}

/// The member role apply assumes when the plan names none (what AWS Organizations creates in an
/// account it creates).
pub const DEFAULT_MEMBER_ROLE: &str = "OrganizationAccountAccessRole";
/// Accounts worked on at once when the plan does not say.
pub const DEFAULT_MAX_CONCURRENCY: usize = 8;
/// The most accounts worked on at once.
pub const MAX_CONCURRENCY: u32 = 50;

/// An organization-wide plan after validation.
#[derive(Debug, Clone)]
pub struct ResolvedOrg {
    /// The account signed in to: the management or a delegated-administrator account (`aws.account_id`).
    pub management_account_id: String,
    pub engine: OrgEngine,
    /// StackSet targets: `ou-…` and `r-…` ids.
    pub organizational_units: Vec<String>,
    pub member_role_name: String,
    pub max_concurrency: usize,
    /// Every listed account as a single-account plan would resolve it: the same role, trust and
    /// external id, its own buckets, buses and region.
    pub accounts: Vec<ResolvedAws>,
}

impl ResolvedOrg {
    /// The role apply assumes in `account` (never the management account itself: that one is
    /// worked on with the credentials signed in).
    pub fn member_role_arn(&self, account: &ResolvedAws) -> String {
        format!("arn:{}:iam::{}:role/{}", account.partition.name, account.account_id, self.member_role_name)
    }
}

impl Resolved {
    /// One account of an organization-wide plan, as the single-account plan it amounts to (its
    /// AWS section only): every single-account renderer, apply, verify and revoke serves it as is.
    pub fn for_account(&self, a: &ResolvedAws) -> Resolved {
        let mut plan = self.plan.clone();
        plan.gcp = None;
        plan.azure = None;
        if let Some(p) = plan.aws.as_mut() {
            p.account_id = a.account_id.clone();
            p.region = a.region.clone();
            p.storage = a.storage.clone();
            p.events = a.event_buses.iter().map(|b| crate::plan::EventBus { event_bus_name: b.clone() }).collect();
            p.organization = None;
            p.accounts = Vec::new();
        }
        Resolved {
            plan,
            profile: self.profile.clone(),
            profile_origin: self.profile_origin.clone(),
            aws: Some(a.clone()),
            aws_org: None,
            gcp: None,
            azure: None,
        }
    }

    /// Every AWS account the plan sets up: the one of a single-account plan, or each of an
    /// organization's listed accounts.
    pub fn aws_accounts(&self) -> Vec<&ResolvedAws> {
        match (&self.aws, &self.aws_org) {
            (Some(a), _) => vec![a],
            (None, Some(o)) => o.accounts.iter().collect(),
            (None, None) => Vec::new(),
        }
    }

    /// Before the vendor has issued the external id: this plan with a stand-in
    /// (`ISSUED-BY-{PROFILE}`) in its place, so the role's documents and changes can be shown (check
    /// page, dry run, lint of the other documents). Never exported or applied: [`crate::lint`]
    /// refuses the pending plan itself.
    pub fn with_stand_in_external_id(&self) -> Resolved {
        let mut shown = self.clone();
        let stand_in = format!("ISSUED-BY-{}", self.profile.id.to_ascii_uppercase());
        let accounts = shown.aws.iter_mut().chain(shown.aws_org.iter_mut().flat_map(|o| o.accounts.iter_mut()));
        for a in accounts.filter(|a| a.external_id_pending) {
            a.external_id = Some(stand_in.clone());
            a.external_id_pending = false;
        }
        shown
    }

    /// Validates `plan` (this plan, rewritten: e.g. the ids `register` recorded) against this
    /// resolution's profile, which was read and its signature checked already: no file is read again.
    pub fn revalidate(&self, plan: &Plan) -> Result<Resolved, Vec<Problem>> {
        if plan.platform != self.plan.platform {
            return Err(vec![Problem::new("platform", format!("changed from '{}' while in use", self.plan.platform), &plan.platform)]);
        }
        validate_against(plan, Ok((self.profile.clone(), self.profile_origin.clone())))
    }
}

struct Check {
    problems: Vec<Problem>,
}

impl Check {
    fn rule(&mut self, field: impl Into<String>, value: &str, r: rules::Rule) -> bool {
        match r {
            Ok(()) => true,
            Err(rule) => {
                self.problems.push(Problem::new(field, rule, value));
                false
            }
        }
    }
    fn push(&mut self, p: Problem) {
        self.problems.push(p);
    }
}

/// Checks every field of the plan; reports every problem at once.
/// `base_dir` resolves a relative vendor profile path (normally the plan's folder). A profile file
/// must be signed by a compiled-in key; [`validate_with`] takes the keys and rules of a run.
pub fn validate(plan: &Plan, base_dir: Option<&Path>) -> Result<Resolved, Vec<Problem>> {
    validate_with(plan, base_dir, &ProfileTrust::default())
}

/// [`validate`] with the profile keys this run trusts and whether unsigned profile files are allowed
/// (`--trust-profile-key`, `--allow-unsigned-profile`).
pub fn validate_with(plan: &Plan, base_dir: Option<&Path>, trust: &ProfileTrust) -> Result<Resolved, Vec<Problem>> {
    validate_against(plan, Profile::resolve_with(&plan.platform, base_dir, trust))
}

/// [`validate`] against a profile the caller resolved itself (the wizard's imported profile files,
/// verified when imported), or why it could not be resolved (reported at `platform`).
pub fn validate_with_profile(plan: &Plan, profile: Result<(Profile, ProfileOrigin), CoreError>) -> Result<Resolved, Vec<Problem>> {
    validate_against(plan, profile)
}

fn validate_against(plan: &Plan, profile: Result<(Profile, ProfileOrigin), CoreError>) -> Result<Resolved, Vec<Problem>> {
    let mut c = Check { problems: Vec::new() };
    if plan.version != PLAN_VERSION {
        c.push(Problem::new("version", format!("must be {PLAN_VERSION}"), &plan.version.to_string()));
    }
    let (profile, origin) = match profile {
        Ok((p, o)) => (Some(p), Some(o)),
        Err(CoreError::ProfileSignature { code, message, fix, .. }) => {
            c.push(Problem::new("platform", message, &plan.platform).with_fix(fix).with_code(code));
            (None, None)
        }
        Err(e) => {
            c.push(Problem::new("platform", e.to_string(), &plan.platform));
            (None, None)
        }
    };
    c.rule("integration.name", &plan.integration.name, rules::integration_name(&plan.integration.name));
    c.rule("integration.project_id", &plan.integration.project_id, rules::platform_project_id(&plan.integration.project_id));

    registration_fields(&mut c, plan, profile.as_ref());

    if plan.aws.is_none() && plan.gcp.is_none() && plan.azure.is_none() {
        c.push(Problem::new("plan", "choose at least one cloud: add an 'aws', 'gcp' or 'azure' section", ""));
    }
    let pid = profile.as_ref().map(|p| p.id.clone()).unwrap_or_default();
    let unsupported =
        |cloud: &str| Problem::new(cloud, format!("vendor profile '{pid}' does not support this cloud; remove the section"), cloud);

    let (aws, aws_org) = match (&plan.aws, profile.as_ref().map(|p| &p.aws)) {
        (Some(a), Some(Some(ap))) => {
            match validate_aws(&mut c, a, ap, &pid, profile.as_ref().is_some_and(Profile::vendor_issues_external_id)) {
                Some(base) => match &a.organization {
                    None => (Some(base), None),
                    Some(o) => (None, validate_org(&mut c, a, o, &base, ap, &pid)),
                },
                None => (None, None),
            }
        }
        (Some(_), Some(None)) => {
            c.push(unsupported("aws"));
            (None, None)
        }
        _ => (None, None),
    };
    let gcp = match (&plan.gcp, profile.as_ref().map(|p| &p.gcp)) {
        (Some(g), Some(Some(gp))) => validate_gcp(&mut c, g, gp),
        (Some(_), Some(None)) => {
            c.push(unsupported("gcp"));
            None
        }
        _ => None,
    };
    let azure = match (&plan.azure, profile.as_ref().map(|p| &p.azure)) {
        (Some(z), Some(Some(zp))) => validate_azure(&mut c, z, zp),
        (Some(_), Some(None)) => {
            c.push(unsupported("azure"));
            None
        }
        _ => None,
    };
    // Sections that failed to resolve have already pushed problems.
    if let (true, Some(profile), Some(profile_origin)) = (c.problems.is_empty(), profile, origin) {
        let resolved = Resolved { plan: plan.clone(), profile, profile_origin, aws, aws_org, gcp, azure };
        // IAM size limits are checked here, before anything is written or applied.
        let size_problems = crate::render::aws::size_problems(&resolved);
        if size_problems.is_empty() {
            return Ok(resolved);
        }
        return Err(size_problems);
    }
    Err(c.problems)
}

/// The registration fields: the API URL and the vendor's credentials ids, only where the profile
/// has a registration API (and, for GCP and Azure, uploads that credential).
fn registration_fields(c: &mut Check, plan: &Plan, profile: Option<&Profile>) {
    let Some(profile) = profile else { return };
    let reg = profile.registration.as_ref();
    let none = |field: &str, v: &str| {
        Problem::new(field, format!("vendor profile '{}' has no registration API", profile.id), v).with_fix(format!("remove {field}"))
    };
    if let Some(u) = &plan.integration.api_url {
        match reg {
            Some(_) => {
                c.rule("integration.api_url", u, rules::api_base_url(u));
            }
            None => c.push(none("integration.api_url", u)),
        }
    }
    let ids = [
        ("aws.vendor_credentials_id", plan.aws.as_ref().and_then(|a| a.vendor_credentials_id.as_ref()), None),
        ("gcp.vendor_credentials_id", plan.gcp.as_ref().and_then(|g| g.vendor_credentials_id.as_ref()), Some(Upload::GcpKey)),
        (
            "azure.vendor_credentials_id",
            plan.azure.as_ref().and_then(|z| z.vendor_credentials_id.as_ref()),
            Some(Upload::AzureClientSecret),
        ),
    ];
    for (field, id, upload) in ids {
        let Some(id) = id else { continue };
        match (reg, upload) {
            (None, _) => c.push(none(field, id)),
            (Some(r), Some(u)) if !r.uploads(u) => {
                c.push(Problem::new(field, format!("vendor profile '{}' does not take these credentials through its API", profile.id), id))
            }
            _ => {
                c.rule(field, id, rules::vendor_credentials_id(id));
            }
        }
    }
}

fn duplicates(c: &mut Check, field: &str, items: impl Iterator<Item = (usize, String)>) {
    let mut seen = BTreeSet::new();
    for (i, v) in items {
        if !seen.insert(v.clone()) {
            c.push(Problem::new(format!("{field}[{i}]"), "listed twice; remove the duplicate", &v));
        }
    }
}

fn validate_aws(c: &mut Check, a: &crate::plan::AwsPlan, ap: &AwsProfile, pid: &str, vendor_issued: bool) -> Option<ResolvedAws> {
    let before = c.problems.len();
    let part_ok = c.rule("aws.partition", &a.partition, rules::partition(&a.partition));
    c.rule("aws.account_id", &a.account_id, rules::aws_account_id(&a.account_id));
    let region_ok = c.rule("aws.region", &a.region, rules::aws_region(&a.region, &a.partition));
    let role_name = a.role_name.clone().unwrap_or_else(|| ap.default_role_name.clone());
    c.rule("aws.role_name", &role_name, rules::aws_role_name(&role_name));
    c.rule("aws.role_path", &a.role_path, rules::aws_role_path(&a.role_path));
    if let Some(b) = &a.permissions_boundary_arn {
        c.rule("aws.permissions_boundary_arn", b, rules::permissions_boundary_arn(b, &a.partition));
    }

    // Who is trusted.
    let vendor_account = match (&ap.vendor_accounts, &a.vendor) {
        (Some(map), None) => match map.get(a.partition.as_str()).or_else(|| map.get("*")) {
            Some(acct) => Some(acct.clone()),
            None => {
                if part_ok {
                    let known: Vec<&str> = map.keys().map(|s| s.as_str()).collect();
                    c.push(Problem::new(
                        "aws.partition",
                        format!("vendor profile '{pid}' has no account in this partition (it has: {})", known.join(", ")),
                        &a.partition,
                    ));
                }
                None
            }
        },
        (Some(_), Some(v)) => {
            c.push(Problem::new(
                "aws.vendor",
                format!("the vendor account comes from profile '{pid}'; remove 'aws.vendor' or use the 'custom' profile"),
                &v.account_id,
            ));
            None
        }
        (None, Some(v)) => {
            if c.rule("aws.vendor.account_id", &v.account_id, rules::aws_account_id(&v.account_id)) {
                if v.account_id == a.account_id {
                    c.push(Problem::new("aws.vendor.account_id", "the vendor account must differ from your own account", &v.account_id));
                }
                Some(v.account_id.clone())
            } else {
                None
            }
        }
        (None, None) => {
            c.push(
                Problem::new("aws.vendor.account_id", format!("required by profile '{pid}': the vendor's AWS account id"), "")
                    .with_fix("ask the vendor for the 12-digit AWS account id it will assume the role from"),
            );
            None
        }
    };
    let mut principal_patterns = Vec::new();
    if let Some(acct) = &vendor_account {
        let (source, pats): (&str, Vec<String>) = match &a.vendor {
            Some(v) => ("aws.vendor.principal_patterns", v.principal_patterns.clone()),
            None => ("profile.aws.principal_patterns", ap.principal_patterns.clone()),
        };
        for (i, p) in pats.iter().enumerate() {
            let filled = p.replace("{partition}", &a.partition).replace("{vendor_account}", acct);
            if c.rule(format!("{source}[{i}]"), p, rules::principal_pattern(&filled, &a.partition, acct)) {
                principal_patterns.push(filled);
            }
        }
        duplicates(c, source, principal_patterns.iter().cloned().enumerate());
    }

    // External id, by the profile's policy.
    let has_patterns = !principal_patterns.is_empty();
    match (&a.external_id, ap.external_id) {
        (Some(x), ExternalIdPolicy::None) => {
            c.push(
                Problem::new(
                    "aws.external_id",
                    format!("vendor profile '{pid}' does not send an external id, so the role could never be assumed"),
                    x,
                )
                .with_fix("remove aws.external_id"),
            );
        }
        (Some(x), _) => {
            c.rule("aws.external_id", x, rules::external_id(x));
        }
        // The vendor issues it when the role ARN is registered: pending until then.
        (None, ExternalIdPolicy::Required) if vendor_issued => {}
        (None, ExternalIdPolicy::Required) => c.push(
            Problem::new(
                "aws.external_id",
                format!("required by vendor profile '{pid}' (protects against the confused-deputy problem)"),
                "",
            )
            .with_fix("generate one in the wizard or with `trustbridge init`, or paste the one the vendor gave you"),
        ),
        (None, ExternalIdPolicy::Optional) if !has_patterns => c.push(
            Problem::new(
                "aws.external_id",
                "required when no principal patterns narrow the trust (otherwise any role in the vendor account could assume it)",
                "",
            )
            .with_fix("add an external id, or add aws.vendor.principal_patterns"),
        ),
        (None, _) => {}
    }

    // What is granted (an organization-wide plan grants in each account instead).
    if a.organization.is_none() {
        if !a.accounts.is_empty() {
            c.push(
                Problem::new(
                    "aws.accounts",
                    "member accounts need an 'aws.organization' section (how to reach them)",
                    &a.accounts.len().to_string(),
                )
                .with_fix("add aws.organization with engine 'member-role' or 'stack-set', or move the buckets to aws.storage"),
            );
        }
        if a.storage.is_empty() && a.events.is_empty() {
            c.push(Problem::new("aws.storage", "nothing to grant: add at least one bucket (or an event bus)", "[]"));
        }
        grants(c, "aws", &a.storage, &a.events, ap, pid, (part_ok && region_ok).then_some((&a.partition, &a.region)));
    } else {
        for (field, n) in [("aws.storage", a.storage.len()), ("aws.events", a.events.len())] {
            if n > 0 {
                c.push(
                    Problem::new(field, "with aws.organization, each account names its own: move these to aws.accounts[…]", &n.to_string())
                        .with_fix("list the buckets and buses under the member account they belong to"),
                );
            }
        }
    }

    if c.problems.len() != before {
        return None;
    }
    Some(ResolvedAws {
        partition: Partition { name: a.partition.clone() },
        account_id: a.account_id.clone(),
        region: a.region.clone(),
        role_name,
        role_path: a.role_path.clone(),
        permissions_boundary_arn: a.permissions_boundary_arn.clone(),
        external_id: a.external_id.clone(),
        external_id_pending: a.external_id.is_none() && vendor_issued && ap.external_id == ExternalIdPolicy::Required,
        vendor_credentials_id: a.vendor_credentials_id.clone(),
        vendor_account: vendor_account?,
        principal_patterns,
        storage: a.storage.clone(),
        event_buses: a.events.iter().map(|e| e.event_bus_name.clone()).collect(),
        profile: ap.clone(),
    })
}

/// The buckets and buses granted in one account, reported under `prefix` (`aws`, `aws.accounts[3]`);
/// `place` is the (partition, region) KMS key ARNs must match, when those are valid.
fn grants(
    c: &mut Check,
    prefix: &str,
    storage: &[S3Storage],
    events: &[crate::plan::EventBus],
    ap: &AwsProfile,
    pid: &str,
    place: Option<(&String, &String)>,
) {
    for (i, s) in storage.iter().enumerate() {
        c.rule(format!("{prefix}.storage[{i}].bucket"), &s.bucket, rules::s3_bucket(&s.bucket));
        if let Some(p) = &s.prefix {
            c.rule(format!("{prefix}.storage[{i}].prefix"), p, rules::s3_prefix(p));
        }
        if let Some(k) = &s.kms_key_arn {
            if let Some((partition, region)) = place {
                c.rule(format!("{prefix}.storage[{i}].kms_key_arn"), k, rules::kms_key_arn(k, partition, region));
            }
        }
    }
    duplicates(
        c,
        &format!("{prefix}.storage"),
        storage.iter().map(|s| format!("{}/{}", s.bucket, s.prefix.clone().unwrap_or_default())).enumerate(),
    );
    if let (Some(first), true) = (events.first(), ap.event_bus_actions.is_empty()) {
        c.push(Problem::new(
            format!("{prefix}.events"),
            format!("vendor profile '{pid}' publishes no events; remove the event buses"),
            &first.event_bus_name,
        ));
    }
    for (i, e) in events.iter().enumerate() {
        c.rule(format!("{prefix}.events[{i}].event_bus_name"), &e.event_bus_name, rules::event_bus_name(&e.event_bus_name));
    }
    duplicates(c, &format!("{prefix}.events"), events.iter().map(|e| e.event_bus_name.clone()).enumerate());
}

/// An organization-wide plan: the engine and its settings, then each member account like a
/// single-account plan's grants (reported at `aws.accounts[i]…`). `base` is the plan's AWS section
/// resolved without grants: the role, trust and external id every account gets.
fn validate_org(
    c: &mut Check,
    a: &crate::plan::AwsPlan,
    o: &crate::plan::AwsOrganization,
    base: &ResolvedAws,
    ap: &AwsProfile,
    pid: &str,
) -> Option<ResolvedOrg> {
    let before = c.problems.len();
    if base.external_id_pending {
        c.push(
            Problem::new(
                "aws.external_id",
                "an organization-wide plan needs the external id the vendor issued: every account's role trusts it",
                "",
            )
            .with_fix(format!(
                "register one account with the vendor first (`trustbridge register`), then copy its aws.external_id into this plan ({pid})"
            )),
        );
    }
    let engine = match o.engine.as_str() {
        "member-role" => Some(OrgEngine::MemberRole),
        "stack-set" => Some(OrgEngine::StackSet),
        other => {
            c.push(Problem::new("aws.organization.engine", format!("must be one of {}", OrgEngine::NAMES.join(", ")), other));
            None
        }
    };
    for (i, u) in o.organizational_units.iter().enumerate() {
        c.rule(format!("aws.organization.organizational_units[{i}]"), u, rules::organization_target(u));
    }
    duplicates(c, "aws.organization.organizational_units", o.organizational_units.iter().cloned().enumerate());
    let member_role_name = o.member_role_name.clone().unwrap_or_else(|| DEFAULT_MEMBER_ROLE.to_string());
    if c.rule("aws.organization.member_role_name", &member_role_name, rules::aws_role_name(&member_role_name))
        && member_role_name == base.role_name
    {
        c.push(
            Problem::new(
                "aws.organization.member_role_name",
                "is the vendor's role: apply signs in to each account with it, so it must be another role",
                &member_role_name,
            )
            .with_fix(
                "name the organization's access role (OrganizationAccountAccessRole, AWSControlTowerExecution), or change aws.role_name",
            ),
        );
    }
    let max = o.max_concurrency.unwrap_or(DEFAULT_MAX_CONCURRENCY as u32);
    if !(1..=MAX_CONCURRENCY).contains(&max) {
        c.push(Problem::new("aws.organization.max_concurrency", format!("must be between 1 and {MAX_CONCURRENCY}"), &max.to_string()));
    }
    match engine {
        Some(OrgEngine::MemberRole) => {
            if a.accounts.is_empty() {
                c.push(
                    Problem::new("aws.accounts", "the member-role engine sets up the accounts listed here: list at least one", "[]")
                        .with_fix("add the member accounts with their buckets, or use engine 'stack-set' to cover organizational units"),
                );
            }
            if let Some(first) = o.organizational_units.first() {
                c.push(
                    Problem::new(
                        "aws.organization.organizational_units",
                        "only the stack-set engine deploys to organizational units; member-role works on aws.accounts",
                        first,
                    )
                    .with_fix("list the accounts in aws.accounts, or use engine 'stack-set'"),
                );
            }
        }
        Some(OrgEngine::StackSet) => {
            if o.organizational_units.is_empty() {
                c.push(
                    Problem::new(
                        "aws.organization.organizational_units",
                        "the StackSet deploys to organizational units: name at least one (ou-…, or the root r-…)",
                        "[]",
                    )
                    .with_fix("find them with: aws organizations list-roots / list-organizational-units-for-parent"),
                );
            }
            if a.accounts.is_empty() {
                c.push(
                    Problem::new(
                        "aws.accounts",
                        "list at least one account with its buckets: the StackSet gives the role its grants only in the accounts listed here",
                        "[]",
                    )
                    .with_fix("add the member accounts whose data the vendor reads, each with its buckets"),
                );
            }
        }
        None => {}
    }
    // One boundary ARN for every account: only an AWS managed policy exists in all of them.
    if let Some(b) = base.permissions_boundary_arn.as_deref().filter(|b| !b.contains(":iam::aws:policy/")) {
        c.push(
            Problem::new(
                "aws.permissions_boundary_arn",
                "in an organization-wide plan the boundary must be an AWS managed policy (arn:…:iam::aws:policy/…): a customer managed one exists in one account only",
                b,
            )
            .with_fix("use an AWS managed policy as the boundary, or leave it out and set one per account with single-account plans"),
        );
    }
    let mut accounts = Vec::new();
    for (i, acct) in a.accounts.iter().enumerate() {
        let prefix = format!("aws.accounts[{i}]");
        if c.rule(format!("{prefix}.account_id"), &acct.account_id, rules::aws_account_id(&acct.account_id))
            && acct.account_id == base.vendor_account
        {
            c.push(Problem::new(
                format!("{prefix}.account_id"),
                "is the vendor's account: the role goes into your accounts",
                &acct.account_id,
            ));
        }
        let region = acct.region.clone().unwrap_or_else(|| a.region.clone());
        let region_ok = match &acct.region {
            Some(r) => c.rule(format!("{prefix}.region"), r, rules::aws_region(r, &a.partition)),
            None => rules::aws_region(&region, &a.partition).is_ok(),
        };
        if acct.storage.is_empty() && acct.events.is_empty() {
            c.push(Problem::new(
                format!("{prefix}.storage"),
                "nothing to grant in this account: add at least one bucket (or an event bus)",
                "[]",
            ));
        }
        let partition_ok = rules::partition(&a.partition).is_ok();
        grants(c, &prefix, &acct.storage, &acct.events, ap, pid, (partition_ok && region_ok).then_some((&a.partition, &region)));
        accounts.push(ResolvedAws {
            account_id: acct.account_id.clone(),
            region,
            storage: acct.storage.clone(),
            event_buses: acct.events.iter().map(|e| e.event_bus_name.clone()).collect(),
            ..base.clone()
        });
    }
    duplicates(c, "aws.accounts", a.accounts.iter().map(|x| x.account_id.clone()).enumerate());
    if c.problems.len() != before {
        return None;
    }
    Some(ResolvedOrg {
        management_account_id: a.account_id.clone(),
        engine: engine?,
        organizational_units: o.organizational_units.clone(),
        member_role_name,
        max_concurrency: max as usize,
        accounts,
    })
}

fn validate_gcp(c: &mut Check, g: &crate::plan::GcpPlan, gp: &GcpProfile) -> Option<ResolvedGcp> {
    let before = c.problems.len();
    c.rule("gcp.project_id", &g.project_id, rules::gcp_project_id(&g.project_id));
    let sa = g.service_account.clone().unwrap_or_else(|| gp.default_service_account.clone());
    if let Err(rule) = rules::gcp_service_account_id(&sa) {
        let suggestion = rules::suggest_service_account_id(&sa);
        c.push(Problem::new("gcp.service_account", rule, &sa).with_fix(format!("use '{suggestion}' instead")));
    }
    if g.storage.is_empty() && g.events.is_empty() {
        c.push(Problem::new("gcp.storage", "nothing to grant: add at least one bucket (or a topic)", "[]"));
    }
    for (i, s) in g.storage.iter().enumerate() {
        c.rule(format!("gcp.storage[{i}].bucket"), &s.bucket, rules::gcs_bucket(&s.bucket));
    }
    duplicates(c, "gcp.storage", g.storage.iter().map(|s| s.bucket.clone()).enumerate());
    if !g.events.is_empty() && gp.topic_roles.is_empty() {
        c.push(Problem::new("gcp.events", "this vendor publishes no events; remove the topics", &g.events[0].topic));
    }
    for (i, t) in g.events.iter().enumerate() {
        c.rule(format!("gcp.events[{i}].topic"), &t.topic, rules::pubsub_topic(&t.topic));
    }
    duplicates(c, "gcp.events", g.events.iter().map(|t| t.topic.clone()).enumerate());
    let mut workload_identity = None;
    if let Some(w) = &g.workload_identity {
        if !gp.keyless {
            c.push(Problem::new(
                "gcp.workload_identity",
                "this vendor profile does not support keyless access (Workload Identity Federation)",
                "set",
            ));
        }
        c.rule("gcp.workload_identity.vendor_aws_account_id", &w.vendor_aws_account_id, rules::aws_account_id(&w.vendor_aws_account_id));
        c.rule("gcp.workload_identity.vendor_role_name", &w.vendor_role_name, rules::aws_role_name(&w.vendor_role_name));
        let pool = w.pool_id.clone().unwrap_or_else(|| "trustbridge-vendor".into());
        c.rule("gcp.workload_identity.pool_id", &pool, rules::wif_pool_id(&pool));
        workload_identity = Some((w.vendor_aws_account_id.clone(), w.vendor_role_name.clone(), pool));
    }
    if c.problems.len() != before {
        return None;
    }
    Some(ResolvedGcp {
        project_id: g.project_id.clone(),
        service_account: sa,
        workload_identity,
        vendor_credentials_id: g.vendor_credentials_id.clone(),
        buckets: g.storage.iter().map(|s| s.bucket.clone()).collect(),
        topics: g.events.iter().map(|t| t.topic.clone()).collect(),
        profile: gp.clone(),
    })
}

fn validate_azure(c: &mut Check, z: &crate::plan::AzurePlan, zp: &AzureProfile) -> Option<ResolvedAzure> {
    let before = c.problems.len();
    c.rule("azure.tenant_id", &z.tenant_id, rules::guid(&z.tenant_id));
    c.rule("azure.subscription_id", &z.subscription_id, rules::guid(&z.subscription_id));
    c.rule("azure.resource_group", &z.resource_group, rules::resource_group(&z.resource_group));
    let sp = z.service_principal_name.clone().unwrap_or_else(|| zp.default_service_principal_name.clone());
    c.rule("azure.service_principal_name", &sp, rules::iac_display_name(&sp, 120));
    if z.storage.is_empty() && z.events.is_empty() {
        c.push(Problem::new("azure.storage", "nothing to grant: add at least one container (or a topic)", "[]"));
    }
    for (i, s) in z.storage.iter().enumerate() {
        c.rule(format!("azure.storage[{i}].storage_account"), &s.storage_account, rules::storage_account(&s.storage_account));
        c.rule(format!("azure.storage[{i}].container"), &s.container, rules::blob_container(&s.container));
    }
    duplicates(c, "azure.storage", z.storage.iter().map(|s| format!("{}/{}", s.storage_account, s.container)).enumerate());
    if !z.events.is_empty() && zp.topic_roles.is_empty() {
        c.push(Problem::new("azure.events", "this vendor publishes no events; remove the topics", &z.events[0].topic));
    }
    for (i, t) in z.events.iter().enumerate() {
        c.rule(format!("azure.events[{i}].topic"), &t.topic, rules::event_grid_topic(&t.topic));
    }
    duplicates(c, "azure.events", z.events.iter().map(|t| t.topic.clone()).enumerate());
    if let Some(app) = &z.vendor_app_id {
        if !zp.keyless {
            c.push(Problem::new(
                "azure.vendor_app_id",
                "this vendor profile does not support keyless access (admin consent to a multi-tenant app)",
                app,
            ));
        }
        c.rule("azure.vendor_app_id", app, rules::guid(app));
    }
    if c.problems.len() != before {
        return None;
    }
    Some(ResolvedAzure {
        vendor_app_id: z.vendor_app_id.as_ref().map(|a| a.to_ascii_lowercase()),
        vendor_credentials_id: z.vendor_credentials_id.clone(),
        tenant_id: z.tenant_id.to_ascii_lowercase(),
        subscription_id: z.subscription_id.to_ascii_lowercase(),
        resource_group: z.resource_group.clone(),
        service_principal_name: sp,
        containers: z.storage.iter().map(|s| (s.storage_account.clone(), s.container.clone())).collect(),
        topics: z.events.iter().map(|t| t.topic.clone()).collect(),
        profile: zp.clone(),
    })
}
