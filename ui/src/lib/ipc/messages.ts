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
  "dialog.failed": "The folder picker could not open.",
};

/** The sentence to show a person for an error: our own wording when we know the code, else Rust's message. */
export function describeError(error: IpcError): string {
  return MESSAGES[error.code] ?? error.message;
}
