// The only module allowed to talk to Tauri. Everything else in the UI imports from `$lib/ipc`
// (this file, `api.ts`, `messages.ts` and the generated `bindings/`).
import { invoke, type InvokeArgs } from "@tauri-apps/api/core";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { IpcError } from "./bindings/IpcError";

export type { ErrorCode } from "./bindings/ErrorCode";
export type { IpcError } from "./bindings/IpcError";

/** Code used when the webview is not running inside the Trustbridge app (e.g. `vite dev` in a browser). */
export const IPC_UNAVAILABLE = "ipc.unavailable" satisfies ErrorCode;
/** Code used when the Rust side rejected with something that is not an `IpcError`. */
export const IPC_UNKNOWN = "ipc.unknown" satisfies ErrorCode;

function optionalString(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}

/** True when `value` has the shape of the `IpcError` that Rust commands return. */
export function isIpcError(value: unknown): value is IpcError {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === "string" &&
    typeof v.message === "string" &&
    (v.field === null || v.field === undefined || typeof v.field === "string") &&
    (v.fix === null || v.fix === undefined || typeof v.fix === "string")
  );
}

/**
 * Turns whatever `invoke` rejected with into an `IpcError`.
 * - a serialized Rust error `{code, message, field?, fix?}` keeps its code;
 * - a plain string (Tauri's own errors, e.g. an unknown command) becomes `ipc.unknown`;
 * - an exception thrown because there is no Tauri runtime becomes `ipc.unavailable`.
 */
export function toIpcError(reason: unknown): IpcError {
  if (isIpcError(reason)) {
    return {
      code: reason.code,
      message: reason.message,
      field: optionalString(reason.field),
      fix: optionalString(reason.fix),
    };
  }
  if (typeof reason === "string") {
    return { code: IPC_UNKNOWN, message: reason, field: null, fix: null };
  }
  if (reason instanceof Error) {
    const noRuntime =
      typeof window === "undefined" ||
      !(window as unknown as Record<string, unknown>).__TAURI_INTERNALS__;
    return {
      code: noRuntime ? IPC_UNAVAILABLE : IPC_UNKNOWN,
      message: reason.message,
      field: null,
      fix: null,
    };
  }
  return { code: IPC_UNKNOWN, message: "Unexpected error", field: null, fix: null };
}

/**
 * Calls a Rust command. Resolves with its result; on failure throws an `IpcError`
 * (a plain object `{code, message, field, fix}`), never a string or an `Error`.
 */
export async function call<T>(cmd: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (reason) {
    throw toIpcError(reason);
  }
}
