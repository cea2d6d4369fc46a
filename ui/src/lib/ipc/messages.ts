// Error code → plain-language message. The UI matches on `code`, never on message text.
import type { IpcError } from "./bindings/IpcError";
import { IPC_UNAVAILABLE } from "./index";

const MESSAGES: Record<string, string> = {
  [IPC_UNAVAILABLE]:
    "This page is not running inside the Trustbridge app, so it cannot reach its engine. Open the Trustbridge app instead.",
  "keyring.unavailable":
    "The system keyring is locked or unavailable, so secrets cannot be stored.",
};

/** The sentence to show a person for an error: our own wording when we know the code, else Rust's message. */
export function describeError(error: IpcError): string {
  return MESSAGES[error.code] ?? error.message;
}
