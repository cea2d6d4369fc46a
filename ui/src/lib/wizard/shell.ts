// How to run something in Google Cloud Shell or Azure Cloud Shell, in steps a person who has never
// used one can follow: where to open it and as whom, how to get the exported file there (the Upload
// button) or what to type, pressing Enter, and what comes back. The steps name the plan's real values
// (project, tenant, service account, the export folder); the page shows them through its presenter
// masking. Pure.

import type { ApiCloud } from "../ipc/api";

/** The clouds with a shell in the browser: those the window applies to besides AWS (Rust's `ApiCloud`). */
export type ShellCloud = ApiCloud;

/** Each cloud's shell in the browser: its name, its address, and the page's button that opens it. */
export const SHELLS: Record<ShellCloud, { name: string; url: string; button: string }> = {
  gcp: { name: "Google Cloud Shell", url: "https://shell.cloud.google.com", button: "Open Google Cloud Shell" },
  azure: { name: "Azure Cloud Shell", url: "https://shell.azure.com", button: "Open Azure Cloud Shell" },
};

/** One step: what to do, and the exact text to type (shown as code, with a Copy button), if any. */
export type ShellStep = { text: string; code?: string; testid?: string };

/** Where the plan's resources are: the Google Cloud project, the Azure tenant. */
export type ShellPlace = { project?: string | null; tenant?: string | null };

/** Opening the shell, signed in where the plan's resources are. `button`: the page offers a button that opens it. */
export function openStep(cloud: ShellCloud, place: ShellPlace, who: string, button: boolean): ShellStep {
  const s = SHELLS[cloud];
  const how = button ? `choose "${s.button}" on this page, or go to ${s.url} in your browser` : `go to ${s.url} in your browser`;
  if (cloud === "gcp") {
    const project = place.project ? ` in the project ${place.project}` : "";
    return { text: `Open ${s.name}: ${how}. Sign in with a Google account that can ${who}${project}. A terminal opens at the bottom of the page.` };
  }
  const tenant = place.tenant ? ` in the tenant ${place.tenant}` : "";
  return { text: `Open ${s.name}: ${how}. Sign in with an account that can ${who}${tenant}. If it asks, choose Bash.` };
}

/** The step that types a command. */
function typeStep(code: string, testid?: string): ShellStep {
  return { text: "Type this command (or copy and paste it) and press Enter:", code, testid };
}

export type ScriptOptions = ShellPlace & {
  /** The exported folder as shown on screen (masked by the caller), or null before it is exported. */
  folder: string | null;
  script: "setup.sh" | "revoke.sh";
  /** The page has a button that opens the shell. */
  button: boolean;
  /** Keyless access: GCP writes a credential configuration for the vendor; Azure needs an administrator's consent. */
  keyless?: boolean;
  vendor?: string;
};

/** How to run an exported script (`gcp/setup.sh`, `azure/revoke.sh`) in the cloud's shell. */
export function scriptSteps(cloud: ShellCloud, o: ScriptOptions): ShellStep[] {
  const who = o.script === "setup.sh"
    ? cloud === "gcp" ? "manage IAM" : "create app registrations and role assignments"
    : cloud === "gcp" ? "manage IAM" : "delete app registrations and role assignments";
  const from = o.folder ? ` in ${o.folder}` : " of the exported files";
  const steps: ShellStep[] = [openStep(cloud, o, who, o.button)];
  if (cloud === "gcp") {
    steps.push(
      {
        text: `Upload the gcp folder${from}: at the top of the terminal, choose More (⋮), then Upload, then choose the folder.${
          o.script === "revoke.sh" ? " Skip this if the gcp folder is still there from the setup." : ""
        }`,
      },
      typeStep(`cd gcp && bash ${o.script}`),
    );
  } else {
    steps.push(
      { text: `Upload ${o.script}: at the top of the terminal, choose Manage files (or the Upload/Download files button), then Upload, then choose ${o.script} in the azure folder${from}.` },
      typeStep(`bash ${o.script}`),
    );
  }
  if (o.script === "revoke.sh") {
    steps.push({ text: 'Wait until it prints "Access revoked."' });
    return steps;
  }
  steps.push({ text: 'Wait until it prints "Done." If it stops with an error, fix what it says and run it again: it is safe to run twice.' });
  if (o.keyless && cloud === "gcp") {
    steps.push({
      text: `Download the file it wrote for ${o.vendor ?? "the vendor"} (not a secret), then send it with handoff.json:`,
      code: "cloudshell download credential-config.json",
    });
  }
  if (o.keyless && cloud === "azure") {
    steps.push({
      text: `An administrator of the tenant then gives consent once: the script prints the link${o.button ? ', or choose "Open the admin-consent page" on this page' : ""}.`,
    });
  }
  return steps;
}

/** How to create a Google Cloud service-account key in Cloud Shell and bring it to this page. */
export function gcpKeySteps(command: string, serviceAccount: string, place: ShellPlace, testid?: string): ShellStep[] {
  return [
    openStep("gcp", place, "create keys for the service account", true),
    { ...typeStep(command, testid), text: `Type this command (or copy and paste it) and press Enter. It creates a new key for ${serviceAccount} in the file key.json:` },
    { text: "Download the key to this computer: type this command and press Enter, then save the file.", code: "cloudshell download key.json" },
    { text: 'Choose the downloaded file under "Or choose the JSON file" below (or open it and paste all of it into the box).' },
    { text: "Once it is stored, delete the downloaded file, and the copy in Cloud Shell with this command:", code: "rm key.json" },
  ];
}

/** How to create the Azure service principal's client secret in Azure Cloud Shell and bring it to this page. */
export function azureSecretSteps(command: string, place: ShellPlace, testid?: string): ShellStep[] {
  return [
    openStep("azure", place, "create app registrations", true),
    typeStep(command, testid),
    { text: "It prints a few lines of JSON (appId, displayName, password, tenant). Copy all of them, from { to }, and paste them into the box below. The password is a secret: paste it nowhere else." },
  ];
}

/**
 * The same in one sentence, for a recap (the Done page): where to open the shell, what to upload
 * from `folder` (as shown on screen), what to type. "Google Cloud Shell at https://…, upload …".
 */
export function scriptInBrief(cloud: ShellCloud, folder: string, script: "setup.sh" | "revoke.sh"): string {
  const s = SHELLS[cloud];
  const upload =
    cloud === "gcp"
      ? `upload the gcp folder from ${folder} (More ⋮, then Upload)${script === "revoke.sh" ? " unless it is still there" : ""}`
      : `upload azure/${script} from ${folder} (Manage files, then Upload)`;
  const command = cloud === "gcp" ? `cd gcp && bash ${script}` : `bash ${script}`;
  return `open ${s.name} at ${s.url}, ${upload}, then type ${command} and press Enter`;
}
