// Exporting to a folder, as both flows word it: a typed folder must be a full path (checked before
// Rust is asked), and a failed export is shown at the folder field in plain words. Pure.
import type { IpcError } from "../ipc/index";
import { describeError, MESSAGES } from "../ipc/messages";

/** The problem with a typed (trimmed) export folder, shown at `field`: it must be a full path. Null: none. */
export function folderProblem(folder: string, field: string): IpcError | null {
  if (/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(folder)) return null;
  const code = folder === "" ? "export.folder_missing" : "export.folder_not_absolute";
  return { code, message: MESSAGES[code], field, fix: null };
}

/**
 * A failed export as shown: a field's own problem stays at its field in Rust's words; anything else
 * is shown at the folder (`field`), in ours. (A cancelled confirmation is no problem: callers say so
 * on the page instead.)
 */
export function exportProblem(err: IpcError, field: string): IpcError {
  const own = err.code.startsWith("validation");
  return { ...err, field: own ? err.field : field, message: own ? err.message : describeError(err) };
}
