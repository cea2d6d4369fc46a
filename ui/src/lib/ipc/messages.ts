// Error code → plain-language message. The UI matches on `code`, never on message text.
import type { IpcError } from "./bindings/IpcError";
import { IPC_UNAVAILABLE } from "./index";

const MESSAGES: Record<string, string> = {
  [IPC_UNAVAILABLE]:
    "This page is not running inside the Trustbridge app, so it cannot reach its engine. Open the Trustbridge app instead.",
  "keyring.unavailable":
    "The system keyring is locked or unavailable, so secrets cannot be stored.",
  "keyring.locked": "The system keyring is locked. Unlock it (log in to your desktop session) and try again.",
  "aws.no_credentials": "No AWS credentials were found on this computer.",
  "aws.sso_expired": "Your AWS SSO session has expired.",
  "aws.expired_token": "Your AWS credentials have expired.",
  "aws.network": "Trustbridge could not reach AWS.",
  "aws.account_mismatch": "These AWS credentials are for another account than the one in your answers. Nothing was changed.",
  "open.failed": "The browser could not be opened.",
  "open.not_allowed": "Trustbridge only opens the AWS, Google Cloud and Azure consoles.",
  "draft.secret": "Your answers were not saved: they contained something that looks like a secret.",
  "draft.secret_value": "Your answers were not saved: a field holds something that looks like a key or secret. Remove it; keys go in the Credentials step.",
  "dialog.failed": "The file or folder picker could not open.",
  "apply.cancelled": "You chose Cancel in the confirmation, so nothing was applied.",
  "export.cancelled": "You chose Cancel in the confirmation, so nothing was written.",
  "aws.role_not_ours":
    "A role with this name already exists in your AWS account, and Trustbridge did not create it. Nothing was changed.",
  "aws.role_other_integration":
    "A role with this name already exists in your AWS account, and Trustbridge made it for another integration. Nothing was changed.",
  "aws.pack_resource_not_ours":
    "A role or policy with one of this pack's names already exists in your AWS account, and this pack did not create it. Nothing was changed.",
  "apply.lint_errors": "Nothing was applied: the policy checks found an error. Go back to Check your answers, fix it, and apply again.",
  "profile.import_cancelled": "No vendor profile file was chosen.",
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
  "vendor.orphaned": "Credentials recorded in your answers no longer exist on the vendor's platform.",
};

/** The sentence to show a person for an error: our own wording when we know the code, else Rust's message. */
export function describeError(error: IpcError): string {
  return MESSAGES[error.code] ?? error.message;
}
