// Error code → plain-language message. The UI matches on `code`, never on message text.
import type { IpcError } from "./bindings/IpcError";
import { IPC_UNAVAILABLE } from "./index";
import { NOT_AVAILABLE } from "./api";

const MESSAGES: Record<string, string> = {
  [IPC_UNAVAILABLE]:
    "This page is not running inside the Trustbridge app, so it cannot reach its engine. Open the Trustbridge app instead.",
  [NOT_AVAILABLE]: "This is not available yet in this build of Trustbridge.",
  "keyring.unavailable":
    "The system keyring is locked or unavailable, so secrets cannot be stored.",
  "open.failed": "The browser could not be opened.",
  "open.not_allowed": "Trustbridge only opens the AWS, Google Cloud and Azure consoles.",
  "draft.secret": "Your answers were not saved: they contained something that looks like a secret.",
  "dialog.failed": "The folder picker could not open.",
};

/** The sentence to show a person for an error: our own wording when we know the code, else Rust's message. */
export function describeError(error: IpcError): string {
  return MESSAGES[error.code] ?? error.message;
}
