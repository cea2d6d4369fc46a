// Error code → plain-language message. The UI matches on `code`, never on message text.
// `ErrorCode` is generated from Rust's catalogue (`src-tauri/crates/app/src/errors.rs`): this table
// must name every literal code, so a code without a message is a type error in `npm run check`.
// A field's problem (`validation.<field path>`) is worded from Rust's message, which names the rule.
import type { ErrorCode } from "./bindings/ErrorCode";
import type { IpcError } from "./bindings/IpcError";

/** Every code with a fixed meaning: all but a field's `validation.<field path>`. */
export type LiteralErrorCode = Exclude<ErrorCode, `validation.${string}`>;

export const MESSAGES: Record<LiteralErrorCode, string> = {
  // The window itself.
  "ipc.unavailable":
    "This page is not running inside the Trustbridge app, so it cannot reach its engine. Open the Trustbridge app instead.",
  "ipc.unknown": "Something went wrong inside Trustbridge, so this could not be done.",
  "export.folder_missing": "Enter the folder to export to",
  "export.folder_not_absolute": "Enter the full path of the folder, starting with /",

  // The plan and vendor profiles.
  "plan.version": "These answers were saved by a newer version of Trustbridge, so this version cannot read them.",
  "plan.parse": "The answers could not be read: they are not in the shape Trustbridge expects.",
  "plan.no_section": "Your answers do not include this cloud, so there is nothing to do for it.",
  validation: "Some answers are not valid, so this could not be done. Go back to the answers the problems name.",
  "aws.size_limit": "The AWS policy is larger than AWS allows. Grant fewer buckets or event buses in this role.",
  "export.io":
    "The files could not be written to this folder: it may not exist, or you may not be allowed to write to it. Nothing was written.",
  "random.unavailable": "This computer's secure random number source did not work, so no external ID could be made.",
  "profile.unsigned":
    "This vendor profile file is not signed, so nothing shows that it comes from the vendor. It is not used unless you accept it.",
  "profile.unknown_key":
    "This vendor profile file is signed by a key Trustbridge does not trust. It is not used unless you accept it.",
  "profile.bad_signature":
    "This vendor profile file was changed after it was signed, or its signature is damaged or belongs to another file. Trustbridge never uses it. Ask the vendor for the file and its signature again.",
  "profile.invalid":
    "This vendor profile file asks for access Trustbridge does not allow, or is not a valid profile. Nothing from it was used. Ask the vendor for a corrected file.",
  "profile.unreadable":
    "This file cannot be used as a vendor profile: choose a vendor profile file (.json, at most 1 MiB).",
  "profile.accept_cancelled": "You chose Cancel in the confirmation, so the vendor profile file is not used.",
  "profile.not_imported":
    "Trustbridge no longer has this vendor profile file. Choose it again with \"Use a vendor profile file…\", or choose another vendor.",
  "profile.import_cancelled": "No vendor profile file was chosen.",
  "profile.io": "A file for signing vendor profiles could not be read or written.",
  "profile.no_password": "The signing key's password was not given.",
  "profile.bad_key": "This is not a signing key Trustbridge can use, or its password is wrong.",
  "profile.key_exists": "A signing key already exists in this folder, and Trustbridge never overwrites one.",

  // Export, apply and the window's own actions.
  "export.folder": "The chosen folder's name cannot be used. Choose another folder.",
  "export.lint_errors": "Nothing was written: the policy checks found an error. Go back to Check your answers, fix it, and export again.",
  "export.cancelled": "You chose Cancel in the confirmation, so nothing was written.",
  "apply.lint_errors": "Nothing was applied: the policy checks found an error. Go back to Check your answers, fix it, and apply again.",
  "apply.cancelled": "You chose Cancel in the confirmation, so nothing was applied.",
  "org.engine_mismatch": "This page does not match how your answers reach the accounts (member roles or a StackSet). Nothing was changed.",
  "org.unknown_account": "An account to retry is not one of your answers' accounts: nothing was applied.",
  "org.work_failed": "The work across your accounts stopped unexpectedly.",
  "org.too_many_for_window": "One apply from this window covers at most 50 accounts, each named in the confirmation: nothing was applied.",
  "revoke.cancelled": "You chose Cancel in the confirmation, so nothing was removed.",
  "open.failed": "The browser could not be opened.",
  "open.not_allowed": "Trustbridge only opens the AWS, Google Cloud and Azure consoles.",
  "open.no_plan": "The admin consent page needs your Azure answers first.",
  "open.not_keyless": "Your Azure answers do not use the vendor's app, so there is no admin consent page to open.",
  "dialog.failed": "The file or folder picker could not open.",
  "register.cloud": "Trustbridge was asked to register a cloud it does not know.",
  "draft.secret": "Your answers were not saved: they contained something that looks like a secret.",
  "draft.secret_value":
    "Your answers were not saved: a field holds something that looks like a key or secret. Remove it; keys go in the Credentials step.",
  "draft.invalid": "Your answers could not be saved for later.",
  "draft.too_large": "Your answers are too large to be saved for later.",
  "draft.io": "Your answers could not be saved on this computer.",
  "seal.no_vendor_key": "This vendor has no key to seal credentials to.",
  "seal.nothing_to_seal": "Your answers have no credentials to seal.",
  "seal.failed": "The credentials could not be prepared for sealing.",
  "seal.stored_not_json": "The stored credentials are damaged, so they could not be sealed. Store them again.",

  // Credentials and the system keyring.
  "credentials.kind": "Trustbridge was asked to store a kind of credentials it does not know.",
  "credentials.no_registration": "This vendor has no platform to register with, so there is no API key to store.",
  "credentials.no_section": "Your answers do not include this cloud, so there are no credentials to store for it.",
  "credentials.keyless": "This cloud's access is keyless, so there is no key or secret to store.",
  "credentials.cancelled": "Nothing was created: you chose Cancel in the confirmation.",
  "credentials.empty": "Paste the credentials or choose the file first.",
  "keyring.unavailable": "The system keyring is locked or unavailable, so secrets cannot be stored.",
  "keyring.locked": "The system keyring is locked. Unlock it (log in to your desktop session) and try again.",
  "keyring.error": "The system keyring failed. Try again.",
  "secrets.not_found": "These credentials are not stored on this computer yet.",
  "secrets.corrupt": "The stored credentials are damaged. Store them again.",
  "secrets.too_large": "This file is too large to be a key file.",
  "secrets.bad_integration": "The integration name cannot be used to store credentials: use letters, digits, dots, dashes and underscores.",
  "secrets.seal.recipient": "The vendor's key for sealed credentials is not valid. Ask the vendor for a corrected profile.",
  "secrets.seal.failed": "The credentials could not be sealed for the vendor.",
  "secrets.gcp.invalid_json": "This is not a complete Google Cloud key file.",
  "secrets.gcp.keyless_config":
    "This file is a keyless sign-in configuration: it holds no secret, so there is nothing to store.",
  "secrets.gcp.not_service_account": "This is not a service account key file.",
  "secrets.gcp.missing_field": "This Google Cloud key file is missing a part every key file has.",
  "secrets.gcp.client_email": "The service account email in this key file is not valid.",
  "secrets.gcp.private_key_id": "The key ID in this key file is not valid.",
  "secrets.gcp.private_key": "The private key in this key file is damaged.",
  "secrets.gcp.project_mismatch": "This key is for another Google Cloud project than the one in your answers.",
  "secrets.gcp.service_account_mismatch": "This key is for another service account than the one in your answers.",
  "secrets.gcp.token_uri": "This key file sends its sign-in somewhere other than Google.",
  "secrets.azure.invalid_json": "This is not the complete output of the Azure command.",
  "secrets.azure.missing_field": "The Azure credentials are missing a part they always have.",
  "secrets.azure.app_id": "The app ID in these Azure credentials is not valid.",
  "secrets.azure.tenant": "The tenant in these Azure credentials is not valid.",
  "secrets.azure.password": "The client secret is missing from these Azure credentials.",
  "secrets.azure.tenant_mismatch": "These Azure credentials are for another tenant than the one in your answers.",
  "secrets.vendor_api_key.missing": "Enter the API key.",
  "secrets.vendor_api_key.length": "This does not look like an API key: it is too short or too long.",
  "aws.sso_denied": "The sign-in was not allowed in the browser. Start it again and choose Allow on the AWS page.",
  "aws.sso_code_expired": "The sign-in code expired before it was confirmed. Start the sign-in again.",
  "aws.sso_no_access":
    "Your AWS access portal user has no account and role to use. Ask your AWS administrator to give you access to the account.",
  "aws.sso_cancelled": "The sign-in was cancelled. Start it again when you want to.",
  "sign_in.unavailable": "The vendor's setup offers no sign-in from Trustbridge for this cloud.",
  "sign_in.not_started": "No sign-in is under way: it finished, was cancelled, or the app restarted.",
  "sign_in.cancelled": "The sign-in was cancelled.",
  "aws.sso_not_started": "No AWS sign-in is under way. Start the sign-in again.",
  "secrets.aws.nothing_found": "This is not the text of your AWS access portal's access keys. Copy all of Option 1 or Option 2.",
  "secrets.aws.missing_field":
    "Part of the credentials is missing: the access key, the secret key and the session token are all needed. Copy all of Option 1 or Option 2 again.",
  "secrets.aws.access_key_id": "This does not look like an AWS access key. Copy the credentials again from your AWS access portal.",
  "secrets.aws.secret_key": "This does not look like an AWS secret key. Copy the credentials again from your AWS access portal.",
  "secrets.aws.session_token":
    "The session token is missing or damaged: temporary keys work only with it. Copy all of Option 1 or Option 2 again.",
  "secrets.aws.conflict": "This text holds the credentials of two roles. Copy the credentials of one account and role only.",
  "secrets.vendor_api_key.characters": "This does not look like an API key: it contains spaces or other characters an API key does not have.",

  // AWS.
  "aws.no_credentials": "No AWS credentials were found on this computer.",
  "aws.sso_expired": "Your AWS SSO session has expired.",
  "aws.expired_token": "Your AWS credentials have expired.",
  "aws.invalid_client_token": "AWS does not recognise the credentials on this computer.",
  "aws.network": "Trustbridge could not reach AWS.",
  "aws.timeout": "AWS took too long to answer.",
  "aws.throttled": "AWS is limiting how fast requests can be made. Wait a minute and try again.",
  "aws.access_denied": "AWS refused: the credentials on this computer are not allowed to do this.",
  "aws.account_mismatch": "These AWS credentials are for another account than the one in your answers. Nothing was changed.",
  "aws.management_unreachable": "You are signed in to a delegated administrator, which cannot set up your organization's management account. Nothing was changed.",
  "aws.entity_already_exists": "Something with this name already exists in your AWS account.",
  "aws.limit_exceeded": "An AWS limit was reached, such as the number of policies a role can have.",
  "aws.malformed_policy": "AWS did not accept a policy Trustbridge made. Check the vendor's account ID in your answers.",
  "aws.member_role_unavailable": "Trustbridge could not sign in to this account: AWS refused its member role there. Nothing was changed in it.",
  "aws.role_not_assumable_yet": "The role is not usable yet: AWS can take a minute to make a new role available everywhere.",
  "aws.not_found": "Something your answers name does not exist in your AWS account.",
  "aws.not_managed": "This role was not created by Trustbridge, so Trustbridge did not change it.",
  "aws.delete_conflict": "The role cannot be removed yet: something Trustbridge did not add is still attached to it.",
  "aws.policy_attached_elsewhere": "The role pack cannot be removed yet: one of its policies is used by a role, user or group outside the pack (attached, or as a permissions boundary), which Trustbridge does not change.",
  "aws.role_in_instance_profile": "The role cannot be removed yet: it is in an EC2 instance profile, which Trustbridge does not change.",
  "gcp.revoke_changed": "What Trustbridge made in Google Cloud changed after you confirmed its removal, so nothing was removed.",
  "azure.revoke_changed": "What Trustbridge made in Azure changed after you confirmed its removal, so nothing was removed.",
  "aws.revoke_changed": "The role changed after you confirmed its removal, so nothing was removed.",
  "aws.pack_apply_changed": "Your AWS account changed while you were asked, so apply would now do something other than what you confirmed. Nothing was changed.",
  "aws.role_not_ours":
    "A role with this name already exists in your AWS account, and Trustbridge did not create it. Nothing was changed.",
  "aws.role_other_integration":
    "A role with this name already exists in your AWS account, and Trustbridge made it for another integration. Nothing was changed.",
  "aws.pack_resource_not_ours":
    "A role or policy with one of this pack's names already exists in your AWS account, and this pack did not create it. Nothing was changed.",
  "aws.adopted_role_trusts_only_vendor":
    "This role existed before Trustbridge took it over, and it trusts only the vendor, so removing the vendor would leave it trusting no one.",
  "aws.service_error": "AWS refused the request.",
  "aws.denied_by_scp": "A policy of your AWS Organization (a service control policy) denies this, whatever the role allows.",
  "aws.denied_by_rcp": "A policy of your AWS Organization that guards its resources (a resource control policy) denies this.",
  "aws.denied_by_resource_policy": "The resource's own policy (of the bucket, key or event bus) denies this, whatever the role allows.",
  "aws.denied_by_permissions_boundary": "The permissions boundary of the identity denies this, whatever its policies allow.",
  "aws.denied_by_kms": "The KMS key that encrypts the data does not let this identity use it.",
  "aws.preflight_blocked": "Something in your AWS account would stop the vendor (or this apply) even with the new role.",
  "aws.external_id_pending": "The vendor has not issued the external ID yet: register with the vendor first.",
  "pack.drift": "Your AWS account no longer matches the role pack: something was changed outside Trustbridge.",

  // The vendor's platform.
  "vendor.no_api_key": "No API key for the vendor's platform is stored on this computer.",
  "vendor.not_configured": "Trustbridge does not know the address of the vendor's API.",
  "vendor.unauthorized": "The vendor's platform did not accept the API key.",
  "vendor.forbidden": "The API key works, but its user may not change this project on the vendor's platform.",
  "vendor.project_not_found": "The vendor's platform has no project with this ID (or the API key's user cannot see it).",
  "vendor.name_taken": "Other credentials on the vendor's platform already use this integration name.",
  "vendor.invalid_request": "The vendor's platform refused what Trustbridge sent.",
  "vendor.unavailable": "The vendor's platform is not answering right now.",
  "vendor.timeout": "The vendor's platform took too long to answer.",
  "vendor.network": "Trustbridge could not reach the vendor's platform.",
  "vendor.bad_response": "The vendor's platform answered with something Trustbridge could not read.",
  "vendor.mismatch": "The vendor's platform answered about other credentials than the ones in your answers.",
  "vendor.trust_refused":
    "The trust policy the vendor's platform asked for is broader than it should be, so Trustbridge refused it. Nothing was created.",
  "vendor.orphaned":
    "These credentials are already registered on the vendor's platform, but your answers do not have the external ID it issued for them.",
  "vendor.not_registered": "Credentials recorded in your answers no longer exist on the vendor's platform.",

  // Google Cloud connectivity test.
  "gcp.no_credentials": "This computer is not signed in to Google Cloud.",
  "gcp.sign_in_failed": "Google refused this computer's sign-in: it may have expired or been revoked.",
  "gcp.permission_denied": "Your Google Cloud account may not make this change in the project.",
  "gcp.service_account_not_ours": "A service account with this name already exists, and Trustbridge did not create it for this integration.",
  "gcp.resource_not_ours": "A custom role or keyless-access pool with this id already exists, and Trustbridge did not create it for this integration.",
  "gcp.policy_conflict": "Someone else kept changing the same access settings while Trustbridge tried to.",
  "gcp.service_disabled": "A Google Cloud API that this needs is not turned on in the project.",
  "gcp.not_found": "A bucket, topic or project in your answers does not exist in Google Cloud.",
  "gcp.unreachable": "Trustbridge could not reach Google Cloud.",
  "gcp.preflight_blocked": "An organization policy of your Google Cloud project would stop the vendor. Nothing was changed.",
  "gcp.api_error": "Google Cloud refused the change.",
  "azure.no_credentials": "This computer is not signed in to Azure.",
  "azure.sign_in_failed": "Entra ID refused this computer's sign-in: it may have expired, or the secret is wrong.",
  "azure.permission_denied": "Your Azure account may not make this change.",
  "azure.app_not_ours": "An app registration with this name already exists, and Trustbridge did not create it for this integration.",
  "azure.not_found": "A storage account, container or topic in your answers does not exist in Azure.",
  "azure.unreachable": "Trustbridge could not reach Azure.",
  "azure.api_error": "Azure refused the change.",
  "gcp.tls": "Trustbridge could not check Google Cloud's security certificate with the extra certificate set up on this computer.",
  "gcp.endpoint": "A Google Cloud address set up on this computer is not a secure (https) address.",
  "gcp.network": "Trustbridge could not reach Google Cloud.",
  "gcp.timeout": "Google Cloud took too long to answer.",
  "gcp.permission_missing": "The service account does not have all the permissions the vendor needs.",
  "gcp.bucket_not_found": "This bucket does not exist in Google Cloud.",
  "gcp.bucket_error": "Google Cloud Storage refused the check of this bucket.",
  "gcp.topic_not_found": "This Pub/Sub topic does not exist in Google Cloud.",
  "gcp.topic_error": "Pub/Sub refused the check of this topic.",
  "gcp.api_disabled": "The Pub/Sub service is turned off in this Google Cloud project.",
  "gcp.token_rejected": "Google Cloud did not accept the sign-in.",
  "gcp.token_endpoint": "The key file sends its sign-in somewhere other than Google.",
  "gcp.key_invalid": "The stored Google Cloud key cannot be used to sign in.",
  "gcp.service_account_not_found": "Google Cloud does not know the service account this key belongs to.",
  "gcp.key_rejected": "Google Cloud refused the key: it may have been deleted or disabled.",
  "gcp.token_failed": "Signing in to Google Cloud failed.",
  "gcp.token_redirect": "The Google Cloud sign-in address sent Trustbridge elsewhere, so the key was not sent on.",
  "gcp.token_response": "The Google Cloud sign-in answered without letting Trustbridge in.",

  // Azure connectivity test.
  "azure.tls": "Trustbridge could not check Azure's security certificate with the extra certificate set up on this computer.",
  "azure.endpoint": "An Azure address set up on this computer is not a secure (https) address.",
  "azure.network": "Trustbridge could not reach Azure.",
  "azure.timeout": "Azure took too long to answer.",
  "azure.permission_missing": "The service principal does not have all the permissions the vendor needs.",
  "azure.container_not_found": "This blob container does not exist in Azure.",
  "azure.network_rules": "The storage account's firewall does not let this computer in.",
  "azure.storage_error": "Azure Storage refused the check of this container.",
  "azure.topic_not_found": "This Event Grid topic does not exist in Azure.",
  "azure.eventgrid_error": "Event Grid refused the check of this topic.",
  "azure.topic_endpoint_unknown": "Trustbridge could not find this Event Grid topic's address.",
  "azure.token_rejected": "Azure did not accept the sign-in.",
  "azure.authority": "The Azure sign-in address set up on this computer is not a secure (https) address.",
  "azure.secret_rejected": "Azure did not accept the client secret.",
  "azure.secret_expired": "The Azure client secret has expired.",
  "azure.app_not_found": "The app in these credentials does not exist in your Azure tenant.",
  "azure.tenant_not_found": "Azure does not know the tenant in your answers.",
  "azure.token_failed": "Signing in to Azure failed.",
  "azure.token_redirect": "The Azure sign-in address sent Trustbridge elsewhere, so the secret was not sent on.",
  "azure.token_response": "The Azure sign-in answered without letting Trustbridge in.",
};

/** True for a code with its own message (every code but a field's `validation.<field path>`). */
export function isLiteralCode(code: string): code is LiteralErrorCode {
  return Object.hasOwn(MESSAGES, code);
}

/**
 * The sentence to show a person for an error: our own wording for its code; for a field's problem
 * (`validation.<field path>`), or a code this build does not know, Rust's message.
 */
export function describeError(error: IpcError): string {
  return isLiteralCode(error.code) ? MESSAGES[error.code] : error.message;
}
