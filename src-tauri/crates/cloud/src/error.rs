//! The one error type of the cloud crate. Every variant has a stable `code` (the UI maps codes to
//! plain language; it never matches on text) and, where there is one, a plain-language `fix`.
//! Messages never carry a secret: credentials are never formatted into an error.

use std::time::Duration;

use serde::Serialize;

use crate::probe::Cloud;

trustbridge_core::error_codes! {
    /// Every code of the cloud crate: its errors' ([`CloudError::error_code`]; the vendor API's are
    /// [`VendorErrorKind::code`]) and the codes its probes report without an error (`pack.drift`,
    /// `vendor.not_registered`). GCP and Azure probe codes are [`crate::probe::Code`].
    pub enum CloudCode {
        NoSection = "plan.no_section" => "Add the cloud's section to the plan (or choose that cloud in the wizard).",
        AccessDenied = "aws.access_denied" => "Sign in to AWS as an administrator, or as a role allowed the action the message names, or ask your AWS admin to grant it.",
        EntityAlreadyExists = "aws.entity_already_exists" => "It was probably created by an earlier run or by someone else: apply again, which updates what exists.",
        LimitExceeded = "aws.limit_exceeded" => "An IAM limit was reached (managed policies per role, inline policy size, roles per account): remove unused ones or request a quota increase in Service Quotas.",
        MalformedPolicy = "aws.malformed_policy" => "Check the plan with `trustbridge validate`; if it is valid, the vendor's principal may not exist in this partition: confirm the vendor's account id.",
        InvalidClientToken = "aws.invalid_client_token" => "AWS does not know the access key being used: sign in again, or check which AWS profile and endpoint are in use.",
        ExpiredToken = "aws.expired_token" => "Your temporary AWS credentials expired: sign in again.",
        SsoDenied = "aws.sso_denied" => "The sign-in was refused in the browser (or the code was not confirmed): start the sign-in again and choose Allow on the AWS page.",
        SsoCodeExpired = "aws.sso_code_expired" => "The sign-in code expired before it was confirmed in the browser: start the sign-in again and confirm it within ten minutes.",
        SsoNoAccess = "aws.sso_no_access" => "Your AWS access portal user has no account and role to use: ask your AWS administrator to assign you a permission set in the account (one that may manage IAM roles).",
        SsoExpired = "aws.sso_expired" => "Your AWS SSO session expired: run `aws sso login` for your profile, then try again.",
        NoCredentials = "aws.no_credentials" => "Sign in to AWS on this computer (`aws configure sso` / `aws sso login`, a profile, or access keys in the environment).",
        Network = "aws.network" => "Check the network connection and proxy, then try again: it is safe to re-run.",
        Timeout = "aws.timeout" => "AWS accepted the connection but did not answer in time: check the endpoint, proxy or firewall, or allow more time; it is safe to re-run.",
        AccountMismatch = "aws.account_mismatch" => "Switch to credentials for the plan's AWS account, or correct the account id in the plan.",
        ManagementUnreachable = "aws.management_unreachable" => "A delegated administrator cannot set up the organization's management account (StackSets never deploy there): remove that account from the plan's accounts, or sign in to the management account.",
        MemberRoleUnavailable = "aws.member_role_unavailable" => "Trustbridge signs in to each member account through its member role, and AWS refused it in the account named: create the role there (AWS Organizations makes OrganizationAccountAccessRole only in the accounts it creates; an invited account needs it, trusting the management account), or name the role your accounts have (the plan's organization member_role_name), or deploy with the StackSet engine; then apply again: it changes only what is missing.",
        RoleNotAssumableYet = "aws.role_not_assumable_yet" => "IAM changes take a minute to reach every region: wait and run the test again; if it persists, apply again to restore the trust policy.",
        NotFound = "aws.not_found" => "Apply creates what is missing; otherwise check the name in the plan or pack (an AWS-managed policy's name must exist in the partition).",
        Throttled = "aws.throttled" => "AWS is rate-limiting this account: wait a minute and try again.",
        NotManaged = "aws.not_managed" => "Check the role name in the plan: Trustbridge revokes only roles it created (`trustbridge revoke --force` deletes another).",
        DeleteConflict = "aws.delete_conflict" => "The role still has policies Trustbridge did not add (or the plan or pack no longer names): detach them, or revoke with --force.",
        RoleInInstanceProfile = "aws.role_in_instance_profile" => "Take the role out of the instance profile (`aws iam remove-role-from-instance-profile`), after checking which EC2 instances use it, then revoke again: Trustbridge never changes instance profiles, also not with --force.",
        PolicyAttachedElsewhere = "aws.policy_attached_elsewhere" => "Detach the pack's policy from the roles, users or groups named, or take it off as their permissions boundary (after checking what they need it for), then revoke again: Trustbridge never changes what is not the pack's, also not with --force.",
        RoleNotOurs = "aws.role_not_ours" => "Choose another role name, or adopt the existing role explicitly after reading what it already grants (`trustbridge apply --dry-run --adopt`).",
        RoleOtherIntegration = "aws.role_other_integration" => "Choose another role name for this integration, or manage the role with the plan of the integration it belongs to.",
        PackResourceNotOurs = "aws.pack_resource_not_ours" => "A pack's roles and policies have fixed names: delete or rename the existing one in IAM (after checking who uses it), or apply the pack in another account.",
        RevokeChanged = "aws.revoke_changed" => "The role changed after the removal was confirmed, so nothing was removed: look at what removal would do now, and confirm again.",
        PackApplyChanged = "aws.pack_apply_changed" => "The account changed after apply was confirmed, so apply would now differ from what was confirmed; nothing was changed: look at what apply would do now, and confirm again.",
        AdoptedRoleTrustsOnlyVendor = "aws.adopted_role_trusts_only_vendor" => "The role existed before Trustbridge adopted it: delete it with `trustbridge revoke --force`, or add another trusted principal to its trust policy and revoke again.",
        ServiceError = "aws.service_error" => "AWS refused the call with the error code in the message: look that code up for the service named, fix the cause, and try again.",
        DeniedByScp = "aws.denied_by_scp" => "A service control policy of the AWS Organization denies the action: run the pre-flight with the management account's credentials to see which, and ask the Organizations administrator for an exception.",
        DeniedByRcp = "aws.denied_by_rcp" => "A resource control policy of the AWS Organization denies the action (often a data perimeter that admits only the organization's own principals): ask the Organizations administrator for an exception for the vendor.",
        DeniedByResourcePolicy = "aws.denied_by_resource_policy" => "The resource's own policy (bucket, key or event bus) denies the action: the pre-flight names the statement and the exception to add.",
        DeniedByPermissionsBoundary = "aws.denied_by_permissions_boundary" => "The identity's permissions boundary denies the action: widen the boundary, or use an identity without it.",
        DeniedByKms = "aws.denied_by_kms" => "The KMS key does not let the identity use it: name the key in the plan, and let its key policy delegate to IAM (the pre-flight shows the statement).",
        PreflightBlocked = "aws.preflight_blocked" => "Fix what pre-flight found (a service control policy, bucket, key or event bus policy that would deny the vendor or apply), or apply anyway if you know it does not apply.",
        ExternalIdPending = "aws.external_id_pending" => "Register the role with the vendor first: the vendor issues the external id, and the role is created only with it.",
        GcpNoCredentials = "gcp.no_credentials" => "Sign in to Google Cloud on this computer (`gcloud auth application-default login`), or export the files and run them in Cloud Shell.",
        GcpSignInFailed = "gcp.sign_in_failed" => "Google refused the sign-in (the login expired or was revoked): sign in again (`gcloud auth application-default login`), then try again.",
        GcpPermissionDenied = "gcp.permission_denied" => "Sign in to Google Cloud as someone who may manage IAM in the project (Project IAM Admin and Service Account Admin, Role Administrator for a custom role, Storage and Pub/Sub admin on the buckets and topics), then try again.",
        GcpServiceAccountNotOurs = "gcp.service_account_not_ours" => "A service account of that name exists and Trustbridge did not create it for this integration: choose another service account name, or delete the old one after checking who uses it.",
        GcpResourceNotOurs = "gcp.resource_not_ours" => "A custom role or workload identity pool of that id exists that Trustbridge did not create for this integration (its description lacks Trustbridge's mark): ask the vendor for a profile with another id, or delete the old one after checking who uses it. If an older Trustbridge made it, add the mark the message names to its description (`gcloud iam roles update … --description`).",
        GcpPolicyConflict = "gcp.policy_conflict" => "Someone else kept changing the same IAM policy while Trustbridge tried to: try again; it is safe to re-run.",
        GcpServiceDisabled = "gcp.service_disabled" => "Enable the API the message names in the project (`gcloud services enable …`), wait a minute, then try again.",
        GcpNotFound = "gcp.not_found" => "Create it (the bucket, topic or project the message names), or correct its name, then try again.",
        GcpUnreachable = "gcp.unreachable" => "Check the network connection and proxy, then try again: it is safe to re-run.",
        GcpRevokeChanged = "gcp.revoke_changed" => "What Trustbridge made changed after the removal was confirmed, so nothing was removed: look at what removal would do now, and confirm again.",
        GcpPreflightBlocked = "gcp.preflight_blocked" => "Fix what pre-flight found (an organization policy of the project that would refuse the vendor's key or principal), or apply anyway if you know it does not apply.",
        GcpApiError = "gcp.api_error" => "Google Cloud refused the call for the reason in the message: fix the cause, then try again; it is safe to re-run.",
        AzureNoCredentials = "azure.no_credentials" => "Sign in to Azure on this computer (`az login --tenant …`), or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal that may manage app registrations and role assignments; or export the files and run them in Azure Cloud Shell.",
        AzureSignInFailed = "azure.sign_in_failed" => "Entra ID refused the sign-in (it expired, or the secret is wrong): sign in again (`az login --tenant …`), then try again.",
        AzurePermissionDenied = "azure.permission_denied" => "Sign in as someone who may create app registrations (Application Developer, or Cloud Application Administrator) and assign roles on the scopes (Owner or User Access Administrator), then try again.",
        AzureAppNotOurs = "azure.app_not_ours" => "An app registration of that name exists that Trustbridge did not create for this integration (or several do): choose another service principal name, or delete the old one after checking who uses it.",
        AzureNotFound = "azure.not_found" => "Create the storage account, container or topic the message names (or correct its name), then try again.",
        AzureUnreachable = "azure.unreachable" => "Check the network connection and proxy, then try again: it is safe to re-run.",
        AzureRevokeChanged = "azure.revoke_changed" => "What Trustbridge made changed after the removal was confirmed, so nothing was removed: look at what removal would do now, and confirm again.",
        AzureApiError = "azure.api_error" => "Azure refused the call for the reason in the message: fix the cause, then try again; it is safe to re-run.",
        PackDrift = "pack.drift" => "The account no longer matches the pack (a role or policy was changed, added or deleted outside Trustbridge): apply the pack again to add or fix what is missing (it takes off only the pack's own policies that the pack no longer names). Any other policy the pack does not name: when it only allows, the probe's fix names the command that takes it off (after checking that nothing else relies on it); when it also denies, or Trustbridge cannot read it, check it by hand as the message says, since taking it off whole would lift its denials.",
        VendorNotConfigured = "vendor.not_configured" => "Set the vendor's API URL (https) in the plan or the wizard.",
        VendorNoApiKey = "vendor.no_api_key" => "Store the vendor's API key once (the wizard's vendor step, or `trustbridge secrets set --kind vendor-api-key`).",
        VendorUnauthorized = "vendor.unauthorized" => "The vendor does not accept the API key: create a new key in the vendor's web app and store it again.",
        VendorForbidden = "vendor.forbidden" => "Use the API key of a user who may change this project on the vendor's platform, or of a company admin.",
        VendorProjectNotFound = "vendor.project_not_found" => "Check the project id: it must be a project the vendor's web app shows to the key's user.",
        VendorNameTaken = "vendor.name_taken" => "Choose another integration name (unique in the vendor's project), or delete the old credentials in the vendor's web app.",
        VendorInvalidRequest = "vendor.invalid_request" => "Check the plan and the stored credentials; if they are right, report it to the vendor with the error code.",
        VendorUnavailable = "vendor.unavailable" => "The vendor's API is not answering: try again later; it is safe to re-run.",
        VendorTimeout = "vendor.timeout" => "The vendor's API took too long to answer: check the network, proxy and API URL, then try again.",
        VendorNetwork = "vendor.network" => "Check the network connection, proxy and the vendor's API URL, then try again.",
        VendorBadResponse = "vendor.bad_response" => "The vendor's answer was not what its API documents, so nothing was recorded: check the API URL, and report it to the vendor.",
        VendorTrustRefused = "vendor.trust_refused" => "Nothing was created: the trust policy the vendor sent would grant more than its own account with an external id. Report it to the vendor.",
        VendorMismatch = "vendor.mismatch" => "The vendor answered about other credentials than the plan's: register again, and report it to the vendor if it persists.",
        VendorOrphaned = "vendor.orphaned" => "The vendor already has these credentials, but the plan lacks the external id it issued: register again with --replace, or delete them in the vendor's web app.",
        VendorNotRegistered = "vendor.not_registered" => "The vendor no longer has the credentials the plan records: register again.",
    }
}

/// Words a fix shown in the window must not contain: what only a terminal can act on (a command of
/// ours, a flag, an environment variable). The window's fixes are checked against it (tests).
pub const TERMINAL_ONLY: &[&str] = &[
    "trustbridge ",
    "--",
    "AWS_PROFILE",
    "AWS_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "TRUSTBRIDGE_",
    "HTTPS_PROXY",
    "re-run `",
    "the command",
];

/// Whether a fix reads right in the window: a quoted command only of the cloud's own CLI
/// (`gcloud`, `az`, `aws`, which run in the cloud's browser shell too), and outside such a command
/// none of [`TERMINAL_ONLY`].
pub fn window_safe(fix: &str) -> Result<(), String> {
    for (i, part) in fix.split('`').enumerate() {
        if i % 2 == 1 {
            if !["gcloud ", "az ", "aws "].iter().any(|cli| part.starts_with(cli)) {
                return Err(format!("quotes `{part}`, not a command of the cloud's own CLI"));
            }
        } else if let Some(word) = TERMINAL_ONLY.iter().find(|w| part.contains(**w)) {
            return Err(format!("names `{word}`"));
        }
    }
    Ok(())
}

impl CloudCode {
    /// The general fix for a person in the window, where nothing can be typed into a terminal:
    /// buttons and pages of the wizard instead of commands, flags and environment variables. The
    /// CLI keeps [`CloudCode::fix`]; where that already reads right in a window, this is it.
    pub fn window_fix(self) -> &'static str {
        match self {
            CloudCode::NoSection => "Go back to the clouds question and choose this cloud.",
            CloudCode::MalformedPolicy => "Check your answers (Back): if they are right, the vendor's account may not exist in this AWS partition, so confirm the vendor's account id with the vendor.",
            CloudCode::InvalidClientToken => "AWS does not know the access key this computer signs in with: sign this computer in to AWS again (or ask whoever set it up), then try again; or export the files and run them in AWS CloudShell.",
            CloudCode::ExpiredToken => "Your AWS sign-in on this computer expired: sign in again, then try again.",
            CloudCode::SsoExpired => "Your AWS single sign-on session expired: sign in again (the AWS access portal, or whoever set up this computer), then try again.",
            CloudCode::NoCredentials => "This computer is not signed in to AWS: export the files instead and run them in AWS CloudShell, or sign this computer in to AWS and try again.",
            CloudCode::Network => "Check the internet connection (and any proxy or VPN), then try again: it is safe.",
            CloudCode::Timeout => "AWS did not answer in time: check the internet connection (and any proxy or VPN), then try again: it is safe.",
            CloudCode::AccountMismatch => "This computer is signed in to another AWS account than the one you gave: change the account number (Back), or sign in to that account and try again.",
            CloudCode::ManagementUnreachable => "You are signed in to a delegated administrator, which cannot set up the organization's management account: unselect that account (Change), or sign in to the management account and try again.",
            CloudCode::MemberRoleUnavailable => "Trustbridge could not sign in to this account through its member role: create the role there (AWS Organizations makes it only in the accounts it creates; an invited account needs it, trusting the management account), then retry the failed accounts: only what is missing is changed.",
            CloudCode::RoleNotAssumableYet => "AWS takes a minute to spread a new role to every region: wait a minute and run the test again; if it persists, apply again.",
            CloudCode::NotFound => "Apply the setup first (it creates what is missing), or check the name on the Check your answers page.",
            CloudCode::NotManaged | CloudCode::AdoptedRoleTrustsOnlyVendor | CloudCode::DeleteConflict => "Trustbridge removes only what it created: remove the rest in the AWS console if you mean to, after checking who uses it.",
            CloudCode::RoleInInstanceProfile => "The role is in an EC2 instance profile, which Trustbridge never changes: take it out in the AWS console (after checking which instances use it), then remove access again.",
            CloudCode::PolicyAttachedElsewhere => "A policy of the pack is used by roles, users or groups outside it (attached, or as their permissions boundary), which Trustbridge never changes: take it off there in the AWS console (after checking what they need it for), then remove the pack again.",
            CloudCode::RoleNotOurs => "Choose another role name (Change), or tick \"Adopt the existing role\" to read what it already grants and then use it.",
            CloudCode::RoleOtherIntegration => "Choose another role name for this integration (Change): the role belongs to another integration.",
            CloudCode::DeniedByScp => "A service control policy of your AWS Organization denies this: ask your Organizations administrator for an exception for the role (the list under \"What could still stop\" names the policy when Trustbridge could read it).",
            CloudCode::DeniedByResourcePolicy => "The bucket's, key's or event bus's own policy denies this: add the exception the list under \"What could still stop\" names, then choose Check again.",
            CloudCode::DeniedByKms => "The KMS key does not let the role use it: name the key in the bucket's answers, and add the key-policy statement the list under \"What could still stop\" shows.",
            CloudCode::GcpPreflightBlocked => "Fix what the list under \"What could still stop\" names, then choose Apply again (it checks again); or tick \"Apply anyway\" if you know these policies do not apply here.",
            CloudCode::PreflightBlocked => "Fix what the list under \"What could still stop\" names, then choose Check again; or tick \"Apply anyway\" if you know these rules do not apply here.",
            CloudCode::ExternalIdPending => "Continue to the vendor's registration first: the vendor issues the external ID, and the role is created only with it.",
            CloudCode::GcpNoCredentials => "This computer is not signed in to Google Cloud: export the files instead and run them in Cloud Shell, or sign in with `gcloud auth application-default login` and try again.",
            CloudCode::GcpSignInFailed => "Google refused this computer's sign-in (it expired or was revoked): sign in again with `gcloud auth application-default login`, then try again.",
            CloudCode::GcpUnreachable | CloudCode::AzureUnreachable => "Check the internet connection (and any proxy or VPN), then try again: it is safe.",
            CloudCode::AzureNoCredentials => "This computer is not signed in to Azure: export the files instead and run them in Azure Cloud Shell, or sign in with `az login` and try again.",
            CloudCode::AzureSignInFailed => "Entra ID refused this computer's sign-in (it expired, or the secret is wrong): sign in again with `az login`, then try again.",
            CloudCode::PackDrift => "The account no longer matches the pack: apply the pack again to add or fix what is missing or changed; it takes off only the pack's own policies that the pack no longer names. Any other policy the message names as not in the pack: when it only allows, take it off in the AWS console after checking that nothing else relies on it; when it also denies, or Trustbridge cannot read it, check it by hand as the message says, since taking it off whole would lift its denials.",
            CloudCode::VendorNotConfigured => "Enter the vendor's API address on the vendor's page (Back); it must start with https://.",
            CloudCode::VendorNoApiKey => "Enter the vendor's API key on the vendor's page: it is kept in this computer's keyring.",
            CloudCode::VendorUnavailable | CloudCode::VendorTimeout | CloudCode::VendorNetwork => "The vendor's API did not answer: check the internet connection, then try again: it is safe.",
            CloudCode::VendorOrphaned => "The vendor already has these credentials, but your answers lack the external ID it issued: delete them in the vendor's web app, then try again.",
            c => c.fix(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CloudError {
    /// The plan has no section for this cloud.
    #[error("the plan has no '{cloud}' section")]
    NoSection { cloud: &'static str },
    #[error("access denied: {action} was refused for {principal}{}", detail(.message))]
    AccessDenied { action: String, principal: String, message: String },
    /// Access denied, and AWS said by what (its error message names the policy type that denied).
    #[error("access denied: {action} was refused by {}{}", .by.what(), detail(.message))]
    DeniedBy { action: String, by: DeniedBy, message: String },
    #[error("{what} already exists{}", detail(.message))]
    EntityAlreadyExists { what: String, message: String },
    #[error("an IAM limit was reached during {action}{}", detail(.message))]
    LimitExceeded { action: String, message: String },
    #[error("IAM rejected the policy document of {action}{}", detail(.message))]
    MalformedPolicy { action: String, message: String },
    #[error("the access key is not valid for this endpoint (InvalidClientTokenId){}", detail(.message))]
    InvalidClientToken { message: String },
    #[error("the credentials have expired{}", detail(.message))]
    ExpiredToken { message: String },
    #[error("the AWS SSO session has expired for profile '{profile}'")]
    SsoExpired { profile: String },
    #[error("no AWS credentials were found{}", detail(.message))]
    NoCredentials { message: String },
    #[error("could not reach AWS during {action}{}", detail(.message))]
    Network { action: String, message: String },
    #[error("{action} did not answer within {} ms", .after.as_millis())]
    Timeout { action: String, after: Duration },
    #[error("signed in to account {actual} as {arn}, but the plan is for account {expected}")]
    AccountMismatch { expected: String, actual: String, arn: String },
    /// Signed in to a delegated administrator, with the organization's management account in the
    /// plan's accounts: neither a StackSet nor these credentials can reach it.
    #[error("account {signed_in} is a delegated administrator, and the plan lists the organization's management account {management}, which only the management account itself can set up")]
    ManagementUnreachable { management: String, signed_in: String },
    /// The member role of an organization's account could not be assumed (AWS refused: it does not
    /// exist there, or does not trust the management account): nothing was done in that account.
    #[error("could not sign in to account {account} through its member role {role_arn}: AWS refused sts:AssumeRole{}", detail(.message))]
    MemberRoleUnavailable { account: String, role_arn: String, message: String },
    #[error("the role {role_arn} could not be assumed after waiting {}s for IAM to propagate{}", .waited.as_secs(), detail(.message))]
    RoleNotAssumableYet { role_arn: String, waited: Duration, message: String },
    #[error("{what} does not exist")]
    NotFound { what: String },
    #[error("AWS is throttling {action}{}", detail(.message))]
    Throttled { action: String, message: String },
    #[error("role {role} is not tagged {tag}; it was not created by trustbridge")]
    NotManaged { role: String, tag: String },
    #[error("{what} cannot be deleted yet{}", detail(.message))]
    DeleteConflict { what: String, message: String },
    /// A role to delete is in instance profiles (IAM refuses DeleteRole then): nothing was removed.
    #[error("role {role} is in instance profile(s) {}: IAM deletes a role only outside every instance profile, and Trustbridge does not change them; nothing was removed", .profiles.join(", "))]
    RoleInInstanceProfile { role: String, profiles: Vec<String> },
    /// A customer-managed policy to delete is in use outside the set, attached or as a permissions
    /// boundary (IAM refuses DeletePolicy then): nothing was removed.
    #[error("customer-managed policy {policy} is used outside the pack (attached to, or the permissions boundary of, {}): IAM deletes a policy only once nothing uses it, and Trustbridge does not change what is not the pack's; nothing was removed", .entities.join(", "))]
    PolicyAttachedElsewhere { policy: String, arn: String, entities: Vec<String> },
    /// Apply found a role of the plan's name that trustbridge did not create: it never takes one
    /// over unless the user adopts it explicitly.
    #[error("role {role} already exists and is not tagged {tag}: trustbridge did not create it, so apply will not change it")]
    RoleNotOurs { role: String, tag: String },
    /// A role pack's role or customer-managed policy exists but was not created by this pack
    /// (tags `managed-by=trustbridge` and `trustbridge-pack=<id>` missing or different).
    #[error("{what} already exists and is not tagged {tag}: this pack did not create it, so trustbridge will not change or delete it")]
    PackResourceNotOurs { what: String, tag: String },
    /// The role is tagged as trustbridge's, but for another integration.
    #[error("role {role} belongs to another trustbridge integration ('{other}'), not to this plan's '{integration}'")]
    RoleOtherIntegration { role: String, other: String, integration: String },
    /// Revoke of an adopted role whose trust policy names only the vendor: removing the vendor
    /// would leave it with no trust statement, and the role existed before trustbridge.
    #[error(
        "role {role} was adopted by trustbridge and its trust policy trusts only the vendor: removing the vendor would leave it empty"
    )]
    AdoptedRoleTrustsOnlyVendor { role: String },
    /// What removal would do now is not what the person confirmed (the role changed in between):
    /// nothing was removed.
    #[error("role {role} changed after the removal was confirmed: nothing was removed")]
    RevokeChanged { role: String },
    /// A pack's apply would now differ from the dry run the person confirmed (the account changed
    /// while they were asked): nothing was changed.
    #[error("the account changed after apply was confirmed: apply would now differ from what was confirmed ({what}); nothing was changed")]
    PackApplyChanged { what: String },
    #[error("{action} failed: {code}{}", detail(.message))]
    Service { action: String, code: String, message: String },
    /// The vendor issues the external id and the plan has none yet: the role is never created
    /// with an unconditioned trust.
    #[error("{vendor} issues the external id for this role, and it has not been registered yet")]
    ExternalIdPending { vendor: String },
    /// Pre-flight found a guardrail that would deny the vendor or apply; nothing was changed.
    #[error("apply refused: pre-flight found {blocking} guardrail(s) that would deny the vendor or apply; nothing was changed")]
    PreflightBlocked { blocking: usize },
    /// Google Cloud's pre-flight found organization policies that would stop the vendor.
    #[error("apply refused: pre-flight found {blocking} organization polic{} of the project that would stop the vendor; nothing was changed", if *.blocking == 1 { "y" } else { "ies" })]
    GcpPreflightBlocked { blocking: usize },
    /// The AWS access portal (IAM Identity Center) device sign-in did not complete.
    #[error("{}{}", .kind.what(), detail(.message))]
    SsoSignIn { kind: SsoFailure, message: String },
    /// Google Cloud's or Azure's APIs (Graph, Resource Manager), during apply or revoke.
    #[error("{action}: {}{}", .kind.what(*.cloud), detail(.message))]
    Api { cloud: Cloud, kind: ApiFailure, action: String, message: String },
    /// The vendor's registration API.
    #[error("{vendor}: {message}")]
    Vendor { vendor: String, kind: VendorErrorKind, message: String },
}

/// How a call to Google Cloud's or Azure's APIs failed during apply or revoke. With the cloud, it
/// is the error's code (`{cloud}.{kind}`, [`ApiFailure::code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiFailure {
    NoCredentials,
    SignIn,
    PermissionDenied,
    /// The service account or app registration exists and Trustbridge did not make it for this
    /// integration (or, on Azure, several apps have its name).
    NotOurs,
    /// A GCP custom role or workload identity pool of the plan's id exists without our mark.
    ResourceNotOurs,
    PolicyConflict,
    ServiceDisabled,
    NotFound,
    Unreachable,
    Api,
    /// What a removal would do now is not what the person confirmed: nothing was removed.
    RevokeChanged,
}

impl ApiFailure {
    pub fn what(self, cloud: Cloud) -> &'static str {
        let gcp = cloud == Cloud::Gcp;
        match self {
            ApiFailure::NoCredentials if gcp => "no Google Cloud sign-in was found",
            ApiFailure::NoCredentials => "no Azure sign-in was found",
            ApiFailure::SignIn if gcp => "Google refused the sign-in",
            ApiFailure::SignIn => "Entra ID refused the sign-in",
            ApiFailure::PermissionDenied => "permission denied",
            ApiFailure::NotOurs if gcp => "the service account exists and Trustbridge did not create it for this integration",
            ApiFailure::NotOurs => "the app registration is not one Trustbridge created for this integration",
            ApiFailure::ResourceNotOurs => "it exists and Trustbridge did not create it for this integration",
            ApiFailure::PolicyConflict => "the IAM policy kept changing under us",
            ApiFailure::ServiceDisabled => "the API is not enabled in the project",
            ApiFailure::NotFound => "not found",
            ApiFailure::Unreachable if gcp => "Google Cloud did not answer",
            ApiFailure::Unreachable => "Azure did not answer",
            ApiFailure::Api if gcp => "Google Cloud refused the call",
            ApiFailure::Api => "Azure refused the call",
            ApiFailure::RevokeChanged => "what Trustbridge made changed after the removal was confirmed: nothing was removed",
        }
    }

    /// The code of this failure on `cloud`; a kind a cloud does not have is its API error.
    pub fn code(self, cloud: Cloud) -> CloudCode {
        match (cloud, self) {
            (Cloud::Gcp, ApiFailure::NoCredentials) => CloudCode::GcpNoCredentials,
            (Cloud::Gcp, ApiFailure::SignIn) => CloudCode::GcpSignInFailed,
            (Cloud::Gcp, ApiFailure::PermissionDenied) => CloudCode::GcpPermissionDenied,
            (Cloud::Gcp, ApiFailure::NotOurs) => CloudCode::GcpServiceAccountNotOurs,
            (Cloud::Gcp, ApiFailure::ResourceNotOurs) => CloudCode::GcpResourceNotOurs,
            (Cloud::Gcp, ApiFailure::PolicyConflict) => CloudCode::GcpPolicyConflict,
            (Cloud::Gcp, ApiFailure::ServiceDisabled) => CloudCode::GcpServiceDisabled,
            (Cloud::Gcp, ApiFailure::NotFound) => CloudCode::GcpNotFound,
            (Cloud::Gcp, ApiFailure::Unreachable) => CloudCode::GcpUnreachable,
            (Cloud::Gcp, ApiFailure::Api) => CloudCode::GcpApiError,
            (Cloud::Gcp, ApiFailure::RevokeChanged) => CloudCode::GcpRevokeChanged,
            (_, ApiFailure::RevokeChanged) => CloudCode::AzureRevokeChanged,
            (_, ApiFailure::NoCredentials) => CloudCode::AzureNoCredentials,
            (_, ApiFailure::SignIn) => CloudCode::AzureSignInFailed,
            (_, ApiFailure::PermissionDenied) => CloudCode::AzurePermissionDenied,
            (_, ApiFailure::NotOurs | ApiFailure::ResourceNotOurs) => CloudCode::AzureAppNotOurs,
            (_, ApiFailure::NotFound) => CloudCode::AzureNotFound,
            (_, ApiFailure::Unreachable) => CloudCode::AzureUnreachable,
            (_, ApiFailure::PolicyConflict | ApiFailure::ServiceDisabled | ApiFailure::Api) => CloudCode::AzureApiError,
        }
    }
}

/// How an AWS access portal device sign-in failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoFailure {
    /// The person (or the portal) refused the authorization (`AccessDeniedException`).
    Denied,
    /// The device code expired before the person confirmed it (`ExpiredTokenException`).
    CodeExpired,
    /// The portal user has no account or role assignment.
    NoAccess,
}

impl SsoFailure {
    fn what(self) -> &'static str {
        match self {
            SsoFailure::Denied => "the AWS access portal refused the sign-in",
            SsoFailure::CodeExpired => "the AWS sign-in code expired before it was confirmed",
            SsoFailure::NoAccess => "the AWS access portal user has no account and role assigned",
        }
    }

    fn code(self) -> CloudCode {
        match self {
            SsoFailure::Denied => CloudCode::SsoDenied,
            SsoFailure::CodeExpired => CloudCode::SsoCodeExpired,
            SsoFailure::NoAccess => CloudCode::SsoNoAccess,
        }
    }
}

/// What went wrong with the vendor's registration API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VendorErrorKind {
    /// No base URL (profile, plan or `TRUSTBRIDGE_VENDOR_API_URL`), or one that breaks the URL rule.
    NotConfigured,
    /// No API key stored for the integration.
    NoApiKey,
    /// 401: the key is wrong or revoked.
    Unauthorized,
    /// 403: the key's user may not change the project.
    Forbidden,
    /// 404 on create / list: the project does not exist for this key.
    ProjectNotFound,
    /// 409, or the name is used by another integration.
    NameTaken,
    /// 422: the API refused the request's shape.
    InvalidRequest,
    /// 5xx after the retries.
    Unavailable,
    /// No answer in time.
    Timeout,
    /// No connection.
    Network,
    /// An answer that is not what the API documents.
    BadResponse,
    /// The trust policy the vendor sent is broader or stranger than allowed.
    TrustRefused,
    /// The answer names another role, service account or app than the plan.
    Mismatch,
    /// A registration with this name and role exists, but the plan lacks its external id.
    Orphaned,
    /// The credentials the plan records are gone at the vendor (the connectivity test's
    /// registration probe reports it).
    NotRegistered,
}

impl VendorErrorKind {
    pub fn slug(self) -> &'static str {
        match self {
            VendorErrorKind::NotConfigured => "not_configured",
            VendorErrorKind::NoApiKey => "no_api_key",
            VendorErrorKind::Unauthorized => "unauthorized",
            VendorErrorKind::Forbidden => "forbidden",
            VendorErrorKind::ProjectNotFound => "project_not_found",
            VendorErrorKind::NameTaken => "name_taken",
            VendorErrorKind::InvalidRequest => "invalid_request",
            VendorErrorKind::Unavailable => "unavailable",
            VendorErrorKind::Timeout => "timeout",
            VendorErrorKind::Network => "network",
            VendorErrorKind::BadResponse => "bad_response",
            VendorErrorKind::TrustRefused => "trust_refused",
            VendorErrorKind::Mismatch => "mismatch",
            VendorErrorKind::Orphaned => "orphaned",
            VendorErrorKind::NotRegistered => "not_registered",
        }
    }

    /// The code, `vendor.{slug}`.
    pub fn code(self) -> CloudCode {
        match self {
            VendorErrorKind::NotConfigured => CloudCode::VendorNotConfigured,
            VendorErrorKind::NoApiKey => CloudCode::VendorNoApiKey,
            VendorErrorKind::Unauthorized => CloudCode::VendorUnauthorized,
            VendorErrorKind::Forbidden => CloudCode::VendorForbidden,
            VendorErrorKind::ProjectNotFound => CloudCode::VendorProjectNotFound,
            VendorErrorKind::NameTaken => CloudCode::VendorNameTaken,
            VendorErrorKind::InvalidRequest => CloudCode::VendorInvalidRequest,
            VendorErrorKind::Unavailable => CloudCode::VendorUnavailable,
            VendorErrorKind::Timeout => CloudCode::VendorTimeout,
            VendorErrorKind::Network => CloudCode::VendorNetwork,
            VendorErrorKind::BadResponse => CloudCode::VendorBadResponse,
            VendorErrorKind::TrustRefused => CloudCode::VendorTrustRefused,
            VendorErrorKind::Mismatch => CloudCode::VendorMismatch,
            VendorErrorKind::Orphaned => CloudCode::VendorOrphaned,
            VendorErrorKind::NotRegistered => CloudCode::VendorNotRegistered,
        }
    }
}

fn detail(m: &str) -> String {
    if m.is_empty() {
        String::new()
    } else {
        format!(": {m}")
    }
}

impl CloudError {
    /// The error's code.
    pub fn error_code(&self) -> CloudCode {
        match self {
            CloudError::NoSection { .. } => CloudCode::NoSection,
            CloudError::AccessDenied { .. } => CloudCode::AccessDenied,
            CloudError::DeniedBy { by, .. } => match by {
                DeniedBy::Scp => CloudCode::DeniedByScp,
                DeniedBy::Rcp => CloudCode::DeniedByRcp,
                DeniedBy::ResourcePolicy => CloudCode::DeniedByResourcePolicy,
                DeniedBy::PermissionsBoundary => CloudCode::DeniedByPermissionsBoundary,
                DeniedBy::Kms => CloudCode::DeniedByKms,
            },
            CloudError::EntityAlreadyExists { .. } => CloudCode::EntityAlreadyExists,
            CloudError::LimitExceeded { .. } => CloudCode::LimitExceeded,
            CloudError::MalformedPolicy { .. } => CloudCode::MalformedPolicy,
            CloudError::InvalidClientToken { .. } => CloudCode::InvalidClientToken,
            CloudError::ExpiredToken { .. } => CloudCode::ExpiredToken,
            CloudError::SsoExpired { .. } => CloudCode::SsoExpired,
            CloudError::NoCredentials { .. } => CloudCode::NoCredentials,
            CloudError::Network { .. } => CloudCode::Network,
            CloudError::Timeout { .. } => CloudCode::Timeout,
            CloudError::AccountMismatch { .. } => CloudCode::AccountMismatch,
            CloudError::ManagementUnreachable { .. } => CloudCode::ManagementUnreachable,
            CloudError::MemberRoleUnavailable { .. } => CloudCode::MemberRoleUnavailable,
            CloudError::RoleNotAssumableYet { .. } => CloudCode::RoleNotAssumableYet,
            CloudError::NotFound { .. } => CloudCode::NotFound,
            CloudError::Throttled { .. } => CloudCode::Throttled,
            CloudError::NotManaged { .. } => CloudCode::NotManaged,
            CloudError::DeleteConflict { .. } => CloudCode::DeleteConflict,
            CloudError::RoleInInstanceProfile { .. } => CloudCode::RoleInInstanceProfile,
            CloudError::PolicyAttachedElsewhere { .. } => CloudCode::PolicyAttachedElsewhere,
            CloudError::RoleNotOurs { .. } => CloudCode::RoleNotOurs,
            CloudError::RoleOtherIntegration { .. } => CloudCode::RoleOtherIntegration,
            CloudError::PackResourceNotOurs { .. } => CloudCode::PackResourceNotOurs,
            CloudError::AdoptedRoleTrustsOnlyVendor { .. } => CloudCode::AdoptedRoleTrustsOnlyVendor,
            CloudError::RevokeChanged { .. } => CloudCode::RevokeChanged,
            CloudError::PackApplyChanged { .. } => CloudCode::PackApplyChanged,
            CloudError::Service { .. } => CloudCode::ServiceError,
            CloudError::ExternalIdPending { .. } => CloudCode::ExternalIdPending,
            CloudError::PreflightBlocked { .. } => CloudCode::PreflightBlocked,
            CloudError::GcpPreflightBlocked { .. } => CloudCode::GcpPreflightBlocked,
            CloudError::SsoSignIn { kind, .. } => kind.code(),
            CloudError::Vendor { kind, .. } => kind.code(),
            CloudError::Api { cloud, kind, .. } => kind.code(*cloud),
        }
    }

    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// What the user can do about it, in plain language.
    pub fn fix(&self) -> Option<String> {
        Some(match self {
            CloudError::NoSection { cloud } => format!("add an '{cloud}' section to the plan (or choose {cloud} in the wizard)"),
            CloudError::AccessDenied { action, .. } => format!(
                "the identity you are signed in as lacks '{action}': sign in with an administrator (or a role allowed '{action}'), or ask your AWS admin to grant it"
            ),
            CloudError::DeniedBy { action, by, .. } => match by {
                DeniedBy::Scp => format!("a service control policy of your AWS Organization denies '{action}', whatever the role allows: `trustbridge preflight --plan … --org-profile <management account profile>` names the policy and the statement; ask your Organizations administrator to exempt the role"),
                DeniedBy::Rcp => format!("a resource control policy of your AWS Organization denies '{action}' (a data perimeter that admits only the organization's own principals denies the vendor): ask your Organizations administrator to exempt the role or the vendor"),
                DeniedBy::ResourcePolicy => format!("the resource's own policy (bucket, KMS key or event bus policy) denies '{action}': `trustbridge preflight --plan …` names the statement and the exception to add"),
                DeniedBy::PermissionsBoundary => format!("the permissions boundary of the identity denies '{action}': widen the boundary (the plan's permissions_boundary_arn, or your own identity's) to allow it"),
                DeniedBy::Kms => format!("the KMS key does not let the identity use it for '{action}': set the bucket's kms_key_arn in the plan and let the key policy delegate to IAM (`trustbridge preflight --plan …` shows the statement to add)"),
            },
            CloudError::EntityAlreadyExists { .. } => {
                "it was probably created by an earlier run or by someone else: re-run `trustbridge apply`, which updates what exists".into()
            }
            CloudError::LimitExceeded { .. } => {
                "IAM limits: 10 managed policies per role, 10,240 characters of inline policies per role, 1,000 roles per account by default; remove unused ones or request a quota increase in Service Quotas".into()
            }
            CloudError::MalformedPolicy { .. } => {
                "check the plan (`trustbridge validate --plan …`); if it is valid, the vendor principal may not exist in this partition: confirm the vendor account id".into()
            }
            CloudError::InvalidClientToken { .. } => {
                "the access key id is unknown to AWS: check AWS_ACCESS_KEY_ID / AWS_PROFILE, or that AWS_ENDPOINT_URL points where you mean".into()
            }
            CloudError::ExpiredToken { .. } => "your temporary credentials expired: sign in again (refresh AWS_SESSION_TOKEN or your profile)".into(),
            CloudError::SsoExpired { profile } => format!("run `aws sso login --profile {profile}` and try again"),
            CloudError::NoCredentials { .. } => {
                "sign in: `aws configure sso` / `aws sso login`, set AWS_PROFILE, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".into()
            }
            CloudError::Network { .. } => {
                "check your network connection, proxy (HTTPS_PROXY) and AWS_ENDPOINT_URL; then run the command again — it is safe to re-run".into()
            }
            CloudError::Timeout { .. } => {
                "AWS (or AWS_ENDPOINT_URL) accepted the connection but did not answer: check the endpoint, proxy or firewall, or raise --timeout; it is safe to re-run".into()
            }
            CloudError::AccountMismatch { expected, .. } => {
                format!("switch to credentials for account {expected} (AWS_PROFILE=…), or correct aws.account_id in the plan")
            }
            CloudError::ManagementUnreachable { management, .. } => format!(
                "remove account {management} from aws.accounts (set it up with its own plan, signed in to it), or run this with the management account's credentials"
            ),
            CloudError::MemberRoleUnavailable { account, role_arn, .. } => format!(
                "AWS refused to let the signed-in account assume {role_arn}: create that role in account {account} (AWS Organizations makes OrganizationAccountAccessRole only in the accounts it creates; an invited account needs it, trusting the management account), or set aws.organization.member_role_name to the role your accounts have, or deploy with a StackSet (aws.organization.engine); then run apply again: it changes only what is missing"
            ),
            CloudError::RoleNotAssumableYet { .. } => {
                "IAM changes can take a minute to reach every region: wait and run `trustbridge verify` again; if it persists, run `trustbridge apply` to restore the trust policy".into()
            }
            // An AWS-managed policy is never "not created yet": its name is wrong for this partition.
            e if e.is_missing_aws_managed_policy() => {
                "this AWS-managed policy does not exist here: check its name (and the partition) in the plan or pack".into()
            }
            CloudError::NotFound { .. } => "run `trustbridge apply --plan …` to create it, or check the name in the plan".into(),
            CloudError::Throttled { .. } => "AWS is rate-limiting this account: wait a minute and run the command again".into(),
            CloudError::NotManaged { .. } => {
                "check the role name in the plan; to delete a role trustbridge did not create, re-run revoke with --force".into()
            }
            CloudError::DeleteConflict { .. } => {
                "the role still has policies that trustbridge did not add (or the plan or pack no longer names): detach them, or re-run revoke with --force".into()
            }
            CloudError::RoleInInstanceProfile { role, profiles } => format!(
                "take the role out of the instance profile after checking which EC2 instances use it (`aws iam remove-role-from-instance-profile --instance-profile-name {} --role-name {role}`), then re-run revoke; trustbridge never changes instance profiles, also not with --force",
                profiles.first().map(String::as_str).unwrap_or("NAME")
            ),
            CloudError::PolicyAttachedElsewhere { arn, entities, .. } => {
                let first = entities.first().map(String::as_str).unwrap_or("role NAME");
                let (kind, name) = first.split_once(' ').unwrap_or(("role", first));
                let boundary = if kind == "group" {
                    String::new()
                } else {
                    format!(", or, where it is the permissions boundary, `aws iam delete-{kind}-permissions-boundary --{kind}-name {name}`")
                };
                format!(
                    "take the policy off {} after checking what they need it for (for the first: `aws iam detach-{kind}-policy --{kind}-name {name} --policy-arn {arn}`{boundary}), then re-run revoke; trustbridge never changes what is not the pack's, also not with --force",
                    entities.join(", ")
                )
            }
            CloudError::RoleNotOurs { role, .. } => format!(
                "choose another aws.role_name (apply then creates a role of its own), or adopt {role} explicitly: first read what it already grants with `trustbridge apply --plan … --dry-run --adopt`, then run `trustbridge apply --plan … --adopt` — the vendor gets everything the role can already do"
            ),
            CloudError::RoleOtherIntegration { role, other, .. } => format!(
                "choose another aws.role_name for this integration, or change and revoke {role} with the plan of integration '{other}'; if '{other}' is this integration under an old name, adopt it with `trustbridge apply --plan … --adopt` after reading what it grants (`--dry-run --adopt`), or delete it with `trustbridge revoke --plan … --force`"
            ),
            CloudError::PackResourceNotOurs { what, .. } => format!(
                "a pack's roles and policies have fixed names: delete or rename the existing {what} in IAM (after checking who uses it), or apply the pack in another account; trustbridge never takes over what it did not create"
            ),
            CloudError::RevokeChanged { .. } => "run revoke again: it reads the role again and removes what is ours now".into(),
            CloudError::PackApplyChanged { .. } => "choose Apply again: it shows what apply would do now and asks again".into(),
            CloudError::AdoptedRoleTrustsOnlyVendor { .. } => {
                "the role existed before trustbridge adopted it: delete it (its policies are detached) with `trustbridge revoke --plan … --force`, or add another trusted principal to its trust policy in IAM and run revoke again".into()
            }
            CloudError::Service { .. } => return None,
            CloudError::PreflightBlocked { .. } | CloudError::GcpPreflightBlocked { .. } => {
                "fix what pre-flight names (each finding has its own fix; `trustbridge preflight --plan …` lists them again), or apply anyway with `--ignore-preflight` if you know it does not hold".into()
            }
            CloudError::ExternalIdPending { vendor } => {
                format!("register the role with {vendor} first: `trustbridge register --plan …` (or `trustbridge apply`, which registers, records the external id {vendor} issues, then creates the role)")
            }
            CloudError::SsoSignIn { kind, .. } => kind.code().fix().to_string(),
            CloudError::Api { cloud, kind, .. } => kind.code(*cloud).fix().to_string(),
            CloudError::Vendor { vendor, kind, .. } => match kind {
                VendorErrorKind::NotConfigured => format!("set {vendor}'s API URL: integration.api_url in the plan (the URL you give {vendor}'s SDK), or TRUSTBRIDGE_VENDOR_API_URL; https only"),
                VendorErrorKind::NoApiKey => format!("store {vendor}'s API key once: trustbridge secrets set --plan … --kind vendor-api-key (paste it on stdin)"),
                VendorErrorKind::Unauthorized => format!("{vendor} does not accept the API key: create a new key in {vendor}'s web app and store it again (trustbridge secrets set --kind vendor-api-key)"),
                VendorErrorKind::Forbidden => format!("the key's user may not change this project on {vendor}: use a key of a user with UPDATE_PROJECT_INFORMATION on the project, or of a company admin"),
                VendorErrorKind::ProjectNotFound => format!("check integration.project_id: it must be a project id {vendor}'s web app shows, that the key's user can see"),
                VendorErrorKind::NameTaken => format!("choose another integration.name (it must be unique in the {vendor} project), or delete the old credentials in {vendor}'s web app"),
                VendorErrorKind::InvalidRequest => format!("{vendor} refused the request's shape: check the plan and the stored credentials; if they are right, report it with the error code shown"),
                VendorErrorKind::Unavailable | VendorErrorKind::Timeout | VendorErrorKind::Network => {
                    format!("{vendor}'s API did not answer: check the network and proxy (HTTPS_PROXY) and the API URL, then run the command again — it is safe to re-run")
                }
                VendorErrorKind::BadResponse | VendorErrorKind::Mismatch => {
                    format!("{vendor}'s answer was not what its API documents, so nothing was recorded: check the API URL, and report it to {vendor} with the message above")
                }
                VendorErrorKind::TrustRefused => format!(
                    "Trustbridge did not create the role and removed the registration: the trust policy {vendor} sent would grant more than its own account with an external id. Report it to {vendor} with the document shown"
                ),
                VendorErrorKind::NotRegistered => format!("{vendor} no longer has the credentials the plan records: register again (`trustbridge register --plan …`)"),
                VendorErrorKind::Orphaned => format!(
                    "{vendor} already has these credentials, but the plan lacks the external id it issued then: re-run with --replace (deletes them at {vendor} and registers anew), or delete them in {vendor}'s web app"
                ),
            },
        })
    }

    /// What the person can do in the window (the wizard shows this; the CLI keeps [`Self::fix`]):
    /// the code's window fix, with this case's names where they help. `None` when there is no
    /// advice beyond the message ([`CloudError::Service`]).
    pub fn window_fix(&self) -> Option<String> {
        Some(match self {
            CloudError::Service { .. } => return None,
            CloudError::AccessDenied { .. } | CloudError::DeniedBy { by: DeniedBy::PermissionsBoundary | DeniedBy::Rcp, .. } | CloudError::LimitExceeded { .. } => {
                return self.fix();
            }
            // An AWS-managed policy is never "not created yet" (the CLI's words fit the window).
            e if e.is_missing_aws_managed_policy() => return self.fix(),
            CloudError::AccountMismatch { expected, actual, .. } => format!(
                "This computer is signed in to AWS account {actual}, but you gave {expected}: change the account number (Back), or sign in to account {expected} and try again."
            ),
            CloudError::RoleNotOurs { role, .. } => format!(
                "Choose another role name (Change), or tick \"Adopt the existing role {role}\" to read what it already grants and then use it: the vendor gets everything it can already do."
            ),
            CloudError::Vendor { vendor, kind: VendorErrorKind::Unauthorized, .. } => {
                format!("{vendor} does not accept the API key: create a new key in {vendor}'s web app and enter it again on the vendor's page.")
            }
            other => other.error_code().window_fix().to_string(),
        })
    }

    /// IAM says an AWS-managed policy does not exist: its name is wrong for this partition (it is
    /// never "not created yet", so neither waited for nor created by apply).
    pub fn is_missing_aws_managed_policy(&self) -> bool {
        matches!(self, CloudError::NotFound { what } if what.contains(":iam::aws:policy/"))
    }

    /// The answer to change when that is the way out (the window offers a Change link to it).
    pub fn field(&self) -> Option<&'static str> {
        match self {
            CloudError::AccountMismatch { .. } => Some("aws.account_id"),
            CloudError::RoleNotOurs { .. } | CloudError::RoleOtherIntegration { .. } => Some("aws.role_name"),
            CloudError::Vendor { kind: VendorErrorKind::ProjectNotFound, .. } => Some("integration.project_id"),
            CloudError::Vendor { kind: VendorErrorKind::NameTaken, .. } => Some("integration.name"),
            _ => None,
        }
    }

    /// Errors worth retrying: throttling and transient network failures only.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            CloudError::Throttled { .. }
                | CloudError::Network { .. }
                | CloudError::Vendor { kind: VendorErrorKind::Unavailable | VendorErrorKind::Network, .. }
                | CloudError::Api { kind: ApiFailure::Unreachable, .. }
        )
    }

    pub fn info(&self) -> ErrorInfo {
        ErrorInfo { code: self.code().to_string(), message: self.to_string(), fix: self.fix() }
    }
}

/// The JSON shape an error has when it crosses IPC or is printed with `--json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorInfo {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

#[cfg(test)]
mod tests {
    /// One error of every code, with names in it (a test helper: the match has no wildcard, so a
    /// new code does not compile until it has a sample here).
    fn sample(c: CloudCode) -> CloudError {
        let s = |x: &str| x.to_string();
        let vendor = |kind| CloudError::Vendor { vendor: s("ML cube Platform"), kind, message: s("m") };
        let denied = |by| CloudError::DeniedBy { action: s("s3:GetObject"), by, message: s("m") };
        let gcp =
            |kind| CloudError::Api { cloud: Cloud::Gcp, kind, action: s("grant roles/storage.objectViewer on a bucket"), message: s("m") };
        let azure = |kind| CloudError::Api {
            cloud: Cloud::Azure,
            kind,
            action: s("assign Storage Blob Data Reader on a container"),
            message: s("m"),
        };
        match c {
            CloudCode::NoSection => CloudError::NoSection { cloud: "aws" },
            CloudCode::AccessDenied => CloudError::AccessDenied { action: s("iam:CreateRole"), principal: s("p"), message: s("m") },
            CloudCode::EntityAlreadyExists => CloudError::EntityAlreadyExists { what: s("role r"), message: s("m") },
            CloudCode::LimitExceeded => CloudError::LimitExceeded { action: s("iam:PutRolePolicy"), message: s("m") },
            CloudCode::MalformedPolicy => CloudError::MalformedPolicy { action: s("iam:CreateRole"), message: s("m") },
            CloudCode::InvalidClientToken => CloudError::InvalidClientToken { message: s("m") },
            CloudCode::ExpiredToken => CloudError::ExpiredToken { message: s("m") },
            CloudCode::SsoExpired => CloudError::SsoExpired { profile: s("work") },
            CloudCode::NoCredentials => CloudError::NoCredentials { message: s("m") },
            CloudCode::Network => CloudError::Network { action: s("sts:GetCallerIdentity"), message: s("m") },
            CloudCode::Timeout => CloudError::Timeout { action: s("sts:GetCallerIdentity"), after: Duration::from_secs(5) },
            CloudCode::AccountMismatch => {
                CloudError::AccountMismatch { expected: s("111111111111"), actual: s("222222222222"), arn: s("a") }
            }
            CloudCode::ManagementUnreachable => {
                CloudError::ManagementUnreachable { management: s("111111111111"), signed_in: s("222222222222") }
            }
            CloudCode::MemberRoleUnavailable => CloudError::MemberRoleUnavailable {
                account: s("111111111111"),
                role_arn: s("arn:aws:iam::111111111111:role/OrganizationAccountAccessRole"),
                message: s("m"),
            },
            CloudCode::RoleNotAssumableYet => {
                CloudError::RoleNotAssumableYet { role_arn: s("r"), waited: Duration::from_secs(5), message: s("m") }
            }
            CloudCode::NotFound => CloudError::NotFound { what: s("role r") },
            CloudCode::Throttled => CloudError::Throttled { action: s("iam:GetRole"), message: s("m") },
            CloudCode::NotManaged => CloudError::NotManaged { role: s("r"), tag: s("t") },
            CloudCode::DeleteConflict => CloudError::DeleteConflict { what: s("role r"), message: s("m") },
            CloudCode::RoleInInstanceProfile => CloudError::RoleInInstanceProfile { role: s("r"), profiles: vec![s("p")] },
            CloudCode::PolicyAttachedElsewhere => {
                CloudError::PolicyAttachedElsewhere { policy: s("p"), arn: s("arn:aws:iam::1:policy/p"), entities: vec![s("role r")] }
            }
            CloudCode::RoleNotOurs => CloudError::RoleNotOurs { role: s("admin"), tag: s("t") },
            CloudCode::RoleOtherIntegration => CloudError::RoleOtherIntegration { role: s("r"), other: s("B"), integration: s("A") },
            CloudCode::PackResourceNotOurs => CloudError::PackResourceNotOurs { what: s("role r"), tag: s("t") },
            CloudCode::AdoptedRoleTrustsOnlyVendor => CloudError::AdoptedRoleTrustsOnlyVendor { role: s("r") },
            CloudCode::RevokeChanged => CloudError::RevokeChanged { role: s("r") },
            CloudCode::PackApplyChanged => CloudError::PackApplyChanged { what: s("w") },
            CloudCode::ServiceError => CloudError::Service { action: s("a"), code: s("C"), message: s("m") },
            CloudCode::DeniedByScp => denied(DeniedBy::Scp),
            CloudCode::DeniedByRcp => denied(DeniedBy::Rcp),
            CloudCode::DeniedByResourcePolicy => denied(DeniedBy::ResourcePolicy),
            CloudCode::DeniedByPermissionsBoundary => denied(DeniedBy::PermissionsBoundary),
            CloudCode::DeniedByKms => denied(DeniedBy::Kms),
            CloudCode::PreflightBlocked => CloudError::PreflightBlocked { blocking: 2 },
            CloudCode::GcpPreflightBlocked => CloudError::GcpPreflightBlocked { blocking: 1 },
            CloudCode::SsoDenied => CloudError::SsoSignIn { kind: SsoFailure::Denied, message: s("m") },
            CloudCode::SsoCodeExpired => CloudError::SsoSignIn { kind: SsoFailure::CodeExpired, message: s("m") },
            CloudCode::SsoNoAccess => CloudError::SsoSignIn { kind: SsoFailure::NoAccess, message: s("m") },
            CloudCode::ExternalIdPending => CloudError::ExternalIdPending { vendor: s("ML cube Platform") },
            // Reported by probes without an error of its own: its general fix is what shows.
            CloudCode::PackDrift => CloudError::Service { action: s("a"), code: s("C"), message: s("m") },
            CloudCode::VendorNotConfigured => vendor(VendorErrorKind::NotConfigured),
            CloudCode::VendorNoApiKey => vendor(VendorErrorKind::NoApiKey),
            CloudCode::VendorUnauthorized => vendor(VendorErrorKind::Unauthorized),
            CloudCode::VendorForbidden => vendor(VendorErrorKind::Forbidden),
            CloudCode::VendorProjectNotFound => vendor(VendorErrorKind::ProjectNotFound),
            CloudCode::VendorNameTaken => vendor(VendorErrorKind::NameTaken),
            CloudCode::VendorInvalidRequest => vendor(VendorErrorKind::InvalidRequest),
            CloudCode::VendorUnavailable => vendor(VendorErrorKind::Unavailable),
            CloudCode::VendorTimeout => vendor(VendorErrorKind::Timeout),
            CloudCode::VendorNetwork => vendor(VendorErrorKind::Network),
            CloudCode::VendorBadResponse => vendor(VendorErrorKind::BadResponse),
            CloudCode::VendorTrustRefused => vendor(VendorErrorKind::TrustRefused),
            CloudCode::VendorMismatch => vendor(VendorErrorKind::Mismatch),
            CloudCode::VendorOrphaned => vendor(VendorErrorKind::Orphaned),
            CloudCode::VendorNotRegistered => vendor(VendorErrorKind::NotRegistered),
            CloudCode::GcpNoCredentials => gcp(ApiFailure::NoCredentials),
            CloudCode::GcpSignInFailed => gcp(ApiFailure::SignIn),
            CloudCode::GcpPermissionDenied => gcp(ApiFailure::PermissionDenied),
            CloudCode::GcpServiceAccountNotOurs => gcp(ApiFailure::NotOurs),
            CloudCode::GcpResourceNotOurs => gcp(ApiFailure::ResourceNotOurs),
            CloudCode::GcpPolicyConflict => gcp(ApiFailure::PolicyConflict),
            CloudCode::GcpServiceDisabled => gcp(ApiFailure::ServiceDisabled),
            CloudCode::GcpNotFound => gcp(ApiFailure::NotFound),
            CloudCode::GcpUnreachable => gcp(ApiFailure::Unreachable),
            CloudCode::GcpApiError => gcp(ApiFailure::Api),
            CloudCode::AzureNoCredentials => azure(ApiFailure::NoCredentials),
            CloudCode::AzureSignInFailed => azure(ApiFailure::SignIn),
            CloudCode::AzurePermissionDenied => azure(ApiFailure::PermissionDenied),
            CloudCode::AzureAppNotOurs => azure(ApiFailure::NotOurs),
            CloudCode::AzureNotFound => azure(ApiFailure::NotFound),
            CloudCode::AzureUnreachable => azure(ApiFailure::Unreachable),
            CloudCode::AzureApiError => azure(ApiFailure::Api),
            CloudCode::GcpRevokeChanged => gcp(ApiFailure::RevokeChanged),
            CloudCode::AzureRevokeChanged => azure(ApiFailure::RevokeChanged),
        }
    }

    /// Issue 15: every error the window shows has a fix a person can act on there — no command of
    /// ours, no flag, no environment variable — while the CLI keeps its own wording.
    #[test]
    fn every_error_has_a_window_fix_without_the_terminal() {
        let mut cli_differs = 0;
        for c in CloudCode::ALL {
            let e = sample(*c);
            if c != &CloudCode::PackDrift && c != &CloudCode::ServiceError {
                assert_eq!(e.error_code(), *c, "the sample of {c}");
            }
            let Some(w) = e.window_fix() else {
                assert_eq!(e.error_code(), CloudCode::ServiceError, "only a bare service error has no advice");
                continue;
            };
            if let Err(why) = window_safe(&w) {
                panic!("{c}: the window's fix {why}: {w:?}");
            }
            if e.fix().is_some_and(|f| TERMINAL_ONLY.iter().any(|word| f.contains(word)) || f.contains('`')) {
                cli_differs += 1;
            }
        }
        assert!(cli_differs >= 15, "the CLI keeps its own wording ({cli_differs} fixes name the terminal)");
        // The case's names stay in the window's words, and its way out is the answer to change.
        let e = sample(CloudCode::AccountMismatch);
        assert!(e.window_fix().unwrap().contains("111111111111") && e.field() == Some("aws.account_id"));
        assert_eq!(sample(CloudCode::RoleNotOurs).field(), Some("aws.role_name"));
    }

    use super::*;

    #[test]
    fn every_aws_error_has_a_stable_code_and_a_fix() {
        let d = Duration::from_secs(5);
        let all = vec![
            CloudError::AccessDenied { action: "iam:CreateRole".into(), principal: "arn:aws:iam::1:user/u".into(), message: String::new() },
            CloudError::EntityAlreadyExists { what: "role r".into(), message: String::new() },
            CloudError::LimitExceeded { action: "iam:PutRolePolicy".into(), message: String::new() },
            CloudError::MalformedPolicy { action: "iam:CreateRole".into(), message: String::new() },
            CloudError::InvalidClientToken { message: String::new() },
            CloudError::ExpiredToken { message: String::new() },
            CloudError::SsoExpired { profile: "dev".into() },
            CloudError::Network { action: "sts:GetCallerIdentity".into(), message: String::new() },
            CloudError::Timeout { action: "iam:GetRole".into(), after: d },
            CloudError::AccountMismatch { expected: "1".into(), actual: "2".into(), arn: "a".into() },
            CloudError::RoleNotAssumableYet { role_arn: "r".into(), waited: d, message: String::new() },
        ];
        let codes: Vec<&str> = all.iter().map(|e| e.code()).collect();
        assert_eq!(
            codes,
            [
                "aws.access_denied",
                "aws.entity_already_exists",
                "aws.limit_exceeded",
                "aws.malformed_policy",
                "aws.invalid_client_token",
                "aws.expired_token",
                "aws.sso_expired",
                "aws.network",
                "aws.timeout",
                "aws.account_mismatch",
                "aws.role_not_assumable_yet"
            ]
        );
        for e in &all {
            assert!(e.fix().is_some(), "{} has no fix", e.code());
        }
        assert!(CloudError::SsoExpired { profile: "dev".into() }.fix().unwrap().contains("aws sso login --profile dev"));
        assert!(CloudError::AccessDenied { action: "iam:CreateRole".into(), principal: String::new(), message: String::new() }
            .fix()
            .unwrap()
            .contains("iam:CreateRole"));
    }

    #[test]
    fn a_missing_aws_managed_policy_is_a_wrong_name_not_something_to_create() {
        let e = CloudError::NotFound {
            what: "Policy arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole does not exist or is not attachable.".into(),
        };
        assert_eq!(e.code(), "aws.not_found");
        assert!(e.fix().unwrap().contains("AWS-managed policy does not exist here"), "{:?}", e.fix());
        let e = CloudError::NotFound { what: "role mlspace-app-role".into() };
        assert!(e.fix().unwrap().contains("trustbridge apply"));
    }

    #[test]
    fn error_info_json_shape_is_pinned() {
        let e = CloudError::Timeout { action: "iam:GetRole".into(), after: Duration::from_millis(5000) };
        let v = serde_json::to_value(e.info()).unwrap();
        assert_eq!(v["code"], "aws.timeout");
        assert_eq!(v["message"], "iam:GetRole did not answer within 5000 ms");
        assert!(v["fix"].as_str().unwrap().contains("safe to re-run"));
        assert_eq!(v.as_object().unwrap().len(), 3);
    }
}

/// What denied an access, as AWS's error message says ("… with an explicit deny in a service
/// control policy", "… in a resource-based policy", "… in a permissions boundary"; KMS's own
/// refusals name the key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeniedBy {
    Scp,
    Rcp,
    ResourcePolicy,
    PermissionsBoundary,
    Kms,
}

impl DeniedBy {
    pub fn what(self) -> &'static str {
        match self {
            DeniedBy::Scp => "a service control policy",
            DeniedBy::Rcp => "a resource control policy",
            DeniedBy::ResourcePolicy => "a resource-based policy",
            DeniedBy::PermissionsBoundary => "a permissions boundary",
            DeniedBy::Kms => "the KMS key",
        }
    }

    /// Reads AWS's access-denied message ("User: … is not authorized to perform: s3:GetObject on
    /// resource: … with an explicit deny in a service control policy"); `None` when it does not say.
    pub fn from_message(action: &str, message: &str) -> Option<DeniedBy> {
        let m = message.to_ascii_lowercase();
        if m.contains("explicit deny in a service control policy") || m.contains("no service control policy allows") {
            Some(DeniedBy::Scp)
        } else if m.contains("explicit deny in a resource control policy") {
            Some(DeniedBy::Rcp)
        } else if m.contains("explicit deny in a resource-based policy") || m.contains("no resource-based policy allows") {
            Some(if m.contains("kms:") { DeniedBy::Kms } else { DeniedBy::ResourcePolicy })
        } else if m.contains("explicit deny in a permissions boundary") || m.contains("no permissions boundary allows") {
            Some(DeniedBy::PermissionsBoundary)
        } else if action.starts_with("kms:") || m.contains("kms:decrypt") || m.contains("kms key") || m.contains("kmskey") {
            Some(DeniedBy::Kms)
        } else {
            None
        }
    }
}
