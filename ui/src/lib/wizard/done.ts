// What the Done page says, from the route the person took: applied from this computer or exported,
// the connectivity test's verdict (Rust's), registered with the vendor or not. The page never claims
// more than was done or proven.
import type { Cloud, Verdict } from "../ipc/api";
import { scriptInBrief } from "./shell";

export type DoneCloud = Cloud;

export type DoneInput = {
  clouds: readonly DoneCloud[];
  /** A real (not dry-run) apply on AWS succeeded from this computer. */
  appliedAws: boolean;
  /** The export folder, when the files were exported. */
  exportedDir: string | null;
  /** How the person chose to set up AWS ("How do you want to set this up?"); export without AWS. */
  route?: "apply" | "export";
  /** The connectivity test's verdict; null when it never ran. */
  verdict: Verdict | null;
  /** Registered through the vendor's API: it already has what handoff.json names. */
  registered: boolean;
  vendor: string;
  cloudNames: Readonly<Record<DoneCloud, string>>;
};

export type DoneSummary = {
  /** The page title; a green panel only when `ready`. */
  title: string;
  ready: boolean;
  /** Why it is not ready, and what to do, when it is not. */
  warning: string | null;
  steps: string[];
  revoke: string[];
};

export function doneSummary(d: DoneInput): DoneSummary {
  // A partly checked run proved our side, less what its "Not checked" lines name: ready, with a warning.
  const ready = d.verdict === "pass" || d.verdict === "partial";
  const title = ready
    ? d.registered
      ? `Your setup is ready: ${d.vendor} can connect`
      : "Your setup is ready to hand over"
    : d.verdict === "fail"
      ? "Your setup is not working yet"
      : d.verdict === "nothing_proven"
        ? "Your setup is in place, but could not be tested from this computer"
        : "Your setup has not been tested";
  const warning = d.verdict === "pass"
    ? null
    : d.verdict === "partial"
      ? "Some checks were made only partly: the connectivity test lists, under \"Not checked\", what it could not check from this computer."
      : d.verdict === "fail"
      ? "The connectivity test found problems. Go back to the connectivity test, fix what it says, and run it again."
      : d.verdict === "nothing_proven"
        ? `Nothing could be checked from this computer. ${d.vendor} will confirm the connection from its side.`
        : "The connectivity test has not run. Go back and run it before you rely on this setup.";

  const steps: string[] = [];
  for (const c of d.clouds) {
    const name = d.cloudNames[c];
    if (c === "aws" && d.appliedAws) steps.push(`${name}: applied from this computer. Nothing more to run.`);
    else if (d.exportedDir && c !== "aws") steps.push(`${name}: run ${c}/setup.sh: ${scriptInBrief(c, d.exportedDir, "setup.sh")}.`);
    else if (d.exportedDir) steps.push(`${name}: run ${c}/setup.sh from ${d.exportedDir} (or its cloud shell).`);
    else if (c === "aws" && d.route === "apply") steps.push(`${name}: nothing has been applied yet. Go back and apply the changes from this computer.`);
    else steps.push(`${name}: nothing has been set up yet. Go back and export the setup files${c === "aws" ? ", or apply them from this computer" : ""}.`);
  }
  steps.push(d.registered ? `Nothing to send: ${d.vendor} has what handoff.json names.` : `Send handoff.json to ${d.vendor}.`);

  const revoke: string[] = [];
  for (const c of d.clouds) {
    const name = d.cloudNames[c];
    if (d.exportedDir && c !== "aws") {
      revoke.push(`${name}: run ${c}/revoke.sh: ${scriptInBrief(c, "the exported folder", "revoke.sh")}; it removes what ${c}/setup.sh created.`);
    } else if (d.exportedDir) revoke.push(`${name}: run ${c}/revoke.sh from the exported folder; it removes what ${c}/setup.sh created.`);
    else if (c === "aws" && d.appliedAws)
      revoke.push(`${name}: "Remove access to AWS" on the Apply to AWS page (Back) removes exactly what was applied, after showing it; or export the setup files and run aws/revoke.sh.`);
  }
  return { title, ready, warning, steps, revoke };
}
