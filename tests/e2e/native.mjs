// Native dialogs raised by Rust (the apply confirmation, the typed-folder export confirmation) are
// GTK windows outside WebDriver's reach: these helpers find them on the private Xvfb display with
// xdotool and answer them with the keyboard, as a person would (Alt+<first letter> is the
// confirming button — "_Apply", "_Write" —, Escape cancels). A screenshot of each dialog goes to
// test-output/e2e/ (ImageMagick's `import`). xdotool is required: run.sh refuses to start without it.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { OUT } from "./harness.mjs";

/** The dialog titles Rust uses (src-tauri/crates/app/src/confirm.rs). */
export const APPLY_TITLE = "Apply these changes to AWS?";
export const APPLY_ORG_TITLE = "Apply these changes to your AWS accounts?";
export const APPLY_STACK_SET_TITLE = "Deploy the StackSet to your AWS organization?";
export const APPLY_PACK_TITLE = "Apply the role pack to AWS?";
export const APPLY_GCP_TITLE = "Apply these changes to Google Cloud?";
export const APPLY_AZURE_TITLE = "Apply these changes to Azure?";
export const EXPORT_TITLE = "Write the setup files?";
export const PICKER_TITLE = "Choose where to save the setup files";
/** The vendor profile file picker (src-tauri/src/commands_profile.rs) and the acceptance of an
 *  unsigned profile (confirm.rs). */
export const PROFILE_PICKER_TITLE = "Choose the vendor profile file";
export const UNSIGNED_PROFILE_TITLE = "Use a vendor profile that is not signed?";
/** Creating the vendor's credential in the cloud (confirm.rs); its button is "Yes, create it" (Alt+Y). */
export const CREATE_GCP_KEY_TITLE = "Create a key for the vendor?";
export const CREATE_AZURE_SECRET_TITLE = "Create a client secret for the vendor?";
/** Removing the vendor's access on Google Cloud or Azure (confirm.rs); its button is "Remove access" (Alt+R). */
export const REVOKE_AWS_TITLE = "Remove the vendor's access to AWS?";
export const REVOKE_AWS_ORG_TITLE = "Remove the vendor's access from your AWS accounts?";
export const REVOKE_GCP_TITLE = "Remove the vendor's access to Google Cloud?";
export const REVOKE_AZURE_TITLE = "Remove the vendor's access to Azure?";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function xdotool(...args) {
  const r = spawnSync("xdotool", args, { encoding: "utf8", timeout: 10000 });
  if (r.error) throw new Error(`xdotool is missing or failed (${r.error.message}): apt-get install xdotool (scripts/setup.sh installs it)`);
  return r;
}

const quote = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The X window ids of visible windows titled exactly `title`. */
export function dialogWindows(title) {
  const r = xdotool("search", "--onlyvisible", "--name", `^${quote(title)}$`);
  return r.status === 0 ? r.stdout.trim().split("\n").filter(Boolean) : [];
}

/**
 * Waits for the native dialog titled `title`, screenshots it as `<script>-dialog-<label>.png`, and
 * answers it: `"confirm"` presses Alt+`key` (the confirming button's mnemonic), `"cancel"` presses
 * Escape. Checks that the dialog is gone afterwards. Returns the screenshot's path.
 */
export async function answerDialog(t, name, title, answer, { key = "a", label = answer, timeout = 30000 } = {}) {
  const deadline = Date.now() + timeout;
  let ids = [];
  while (Date.now() < deadline) {
    ids = dialogWindows(title);
    if (ids.length > 0) break;
    await sleep(200);
  }
  t.require(ids.length === 1, `the native dialog "${title}" appears (raised by Rust)`, `windows: ${JSON.stringify(ids)}`);
  const id = ids[0];
  await sleep(300); // let GTK finish mapping and laying it out
  const shot = join(OUT, `${name}-dialog-${label}.png`);
  const s = spawnSync("import", ["-window", id, shot], { encoding: "utf8", timeout: 15000 });
  console.log(s.status === 0 ? `# screenshot ${shot}` : `# could not screenshot the dialog: ${s.stderr || s.error}`);
  const focus = xdotool("windowfocus", "--sync", id);
  t.require(focus.status === 0, "the dialog takes the keyboard focus", focus.stderr);
  const keys = answer === "confirm" ? [`alt+${key}`] : ["Escape"];
  const pressed = xdotool("key", "--clearmodifiers", ...keys);
  t.require(pressed.status === 0, `pressed ${keys.join(" ")} in the dialog`, pressed.stderr);
  const gone = Date.now() + 10000;
  while (Date.now() < gone && dialogWindows(title).length > 0) await sleep(100);
  t.check(dialogWindows(title).length === 0, `the dialog closed on ${answer === "confirm" ? `Alt+${key.toUpperCase()}` : "Escape"}`);
  return shot;
}

/** Checks that no dialog titled `title` is open (e.g. an export into a folder chosen in the picker). */
export function noDialog(t, title, what) {
  t.check(dialogWindows(title).length === 0, what);
}

/**
 * Waits for the native folder picker (GTK's file chooser, raised by Rust) and chooses `folder` in
 * it with the keyboard: Ctrl+L and the path, then Return (the first Return may only take GTK's
 * inline completion, so it is pressed again while the picker is open), as a person would. Checks
 * that the picker is gone afterwards.
 */
export async function pickFolderInDialog(t, name, folder, { timeout = 30000 } = {}) {
  await pickInDialog(t, name, PICKER_TITLE, folder.replace(/\/$/, ""), { timeout, what: "folder picker", label: "picker" });
}

/**
 * Waits for the native file picker titled `title` (GTK's file chooser, raised by Rust) and chooses
 * `file` in it with the keyboard, like `pickFolderInDialog`.
 */
export async function pickFileInDialog(t, name, title, file, { timeout = 30000, label = "file-picker" } = {}) {
  await pickInDialog(t, name, title, file, { timeout, what: "file picker", label });
}

async function pickInDialog(t, name, title, path, { timeout, what, label }) {
  const deadline = Date.now() + timeout;
  let ids = [];
  while (Date.now() < deadline) {
    ids = dialogWindows(title);
    if (ids.length > 0) break;
    await sleep(200);
  }
  t.require(ids.length === 1, `the native ${what} "${title}" appears (raised by Rust)`, `windows: ${JSON.stringify(ids)}`);
  const id = ids[0];
  await sleep(500);
  t.require(xdotool("windowfocus", "--sync", id).status === 0, `the ${what} takes the keyboard focus`);
  xdotool("key", "--clearmodifiers", "ctrl+l");
  await sleep(300);
  xdotool("type", "--delay", "15", path);
  await sleep(800);
  const shot = join(OUT, `${name}-dialog-${label}.png`);
  spawnSync("import", ["-window", id, shot], { timeout: 15000 });
  console.log(`# screenshot ${shot}`);
  for (let i = 0; i < 3 && dialogWindows(title).length > 0; i += 1) {
    xdotool("key", "--clearmodifiers", "Return");
    await sleep(800);
  }
  const gone = Date.now() + 10000;
  while (Date.now() < gone && dialogWindows(title).length > 0) await sleep(100);
  t.check(dialogWindows(title).length === 0, `the ${what} closed with ${path} chosen`);
}
