// Typed wrappers, one per Rust command. Names and shapes follow `src-tauri/src/commands`.
import { call } from "./index";
import type { AppInfo } from "./bindings/AppInfo";
import type { ProfileSummary } from "./bindings/ProfileSummary";

export type { AppInfo } from "./bindings/AppInfo";
export type { Cloud } from "./bindings/Cloud";
export type { ProfileSummary } from "./bindings/ProfileSummary";

/** Name and version of the running app. */
export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>("app_info");
}

/** The vendor profiles the app knows (built-in ones first). */
export function listProfiles(): Promise<ProfileSummary[]> {
  return call<ProfileSummary[]>("list_profiles");
}
