// The step graph: which question pages apply given the vendor profile and the clouds chosen,
// in which order, and where the person is. Pure: no Svelte, no IPC.
import type { Cloud } from "../ipc/bindings/Cloud";
import { routePageTitle, type Route } from "../flow/route";

export const CLOUD_ORDER: readonly Cloud[] = ["aws", "gcp", "azure"];

/** Clouds where the vendor may sign in without a customer-held secret (AWS trust is always a role). */
export type KeylessCloud = Exclude<Cloud, "aws">;
export type CloudStep = `${Cloud}-identity` | `${KeylessCloud}-access` | `${Cloud}-storage` | `${Cloud}-events`;
/** Pages that can fold into Check your answers when their answer needs no input. */
export type FoldableStep = CloudStep | "route" | "clouds" | "credentials";
export type StepId =
  | "start"
  | "clouds"
  | CloudStep
  | "aws-accounts"
  | "vendor"
  | "check"
  | "route"
  | "export"
  | "credentials"
  | "send"
  | "test"
  | "done";

export type StepContext = {
  /** Clouds the chosen vendor profile supports; null before a profile is chosen. */
  profileClouds: readonly Cloud[] | null;
  /** Clouds the person chose. */
  clouds: readonly Cloud[];
  /** Whether the vendor publishes events on each cloud (no events page when it does not). */
  publishesEvents: Readonly<Record<Cloud, boolean>>;
  /** Clouds where the vendor can sign in without a customer-held secret (a "sign-in" page asks). */
  keylessOffered?: Readonly<Partial<Record<KeylessCloud, boolean>>>;
  /** Clouds where the person chose keyless (no credentials to store for them). */
  keylessChosen?: Readonly<Partial<Record<KeylessCloud, boolean>>>;
  /**
   * The vendor's registration API, when the profile has one: a "Connect to {vendor}" page asks for
   * its URL and API key, and a "Send to {vendor}" page hands over the GCP key / Azure secret.
   */
  registration?: { uploads: Readonly<Partial<Record<KeylessCloud, boolean>>> } | null;
  /**
   * Pages whose answers need no input: the clouds question (AWS, taken from this computer's AWS
   * sign-in when the person had not answered it), AWS's events (the single `default` bus every account has),
   * AWS's account page (the account detected from this computer's AWS sign-in, nothing on it the
   * person must answer) and the set-up question (apply, preselected because this computer is
   * signed in to the plan's AWS account, not yet answered), and the credentials page once every key
   * or secret the plan signs in with is in the keyring. They are left off the main path: Check
   * your answers shows their answers with Change links that open them.
   */
  folded?: Readonly<Partial<Record<FoldableStep, boolean>>>;
  /**
   * Folded pages shown even so: the person is on one (a Change link or an error opened it), or a
   * problem was found at one of its fields.
   */
  open?: Readonly<Partial<Record<FoldableStep, boolean>>>;
  /**
   * The clouds whose secret the plan signs in with, as Rust decided it (`Preview.needs_secret`,
   * the one rule) for the plan as it is now; null or absent before that preview exists, when the
   * answers' estimate stands in.
   */
  secretClouds?: readonly KeylessCloud[] | null;
  /** Many AWS accounts of an organization: "Which accounts?" asks for them (and each one's bucket) instead of AWS's storage page. */
  awsOrg?: boolean;
};

const TITLES: Record<string, string> = {
  start: "Your platform",
  clouds: "Clouds",
  identity: "Account",
  access: "Sign-in",
  storage: "Storage",
  accounts: "Accounts",
  events: "Events",
  check: "Check your answers",
  route: "How to set up",
  export: routePageTitle("export"),
  credentials: "Credentials",
  vendor: "Connect to the platform",
  send: "Send to the platform",
  test: "Connectivity test",
  done: "Done",
};

export const CLOUD_NAMES: Record<Cloud, string> = { aws: "AWS", gcp: "Google Cloud", azure: "Azure" };

/**
 * Short name of a step, e.g. "AWS: Storage"; `vendor` names the platform ("Connect to ML cube");
 * `route` names the last set-up page ("Apply to AWS" or "Export the setup files").
 */
export function stepTitle(step: StepId, vendor?: string | null, route?: Route | null): string {
  const c = cloudOf(step);
  if (c) return `${CLOUD_NAMES[c]}: ${TITLES[step.slice(c.length + 1)]}`;
  if (vendor && step === "vendor") return `Connect to ${vendor}`;
  if (vendor && step === "send") return `Send to ${vendor}`;
  if (step === "export" && route) return routePageTitle(route);
  return TITLES[step] ?? step;
}

/** The cloud a per-cloud step belongs to, else null. */
export function cloudOf(step: string): Cloud | null {
  const c = step.split("-")[0] as Cloud;
  return CLOUD_ORDER.includes(c) && step.includes("-") ? c : null;
}

/** Clouds that are both chosen and offered by the profile, in the canonical order. */
export function chosenClouds(ctx: StepContext): Cloud[] {
  const offered = ctx.profileClouds ?? CLOUD_ORDER;
  return CLOUD_ORDER.filter((c) => ctx.clouds.includes(c) && offered.includes(c));
}

/** Every step that applies, in order. */
export function stepsFor(ctx: StepContext): StepId[] {
  const steps: StepId[] = ["start"];
  const shown = (s: FoldableStep) => !ctx.folded?.[s] || !!ctx.open?.[s];
  // A vendor with a single cloud needs no cloud question: that cloud is implied. Folded: the
  // answer (AWS) was taken from this computer's AWS sign-in; Check your answers shows it.
  if ((!ctx.profileClouds || ctx.profileClouds.length !== 1) && shown("clouds")) steps.push("clouds");
  const chosen = chosenClouds(ctx);
  for (const c of chosen) {
    if (shown(`${c}-identity`)) steps.push(`${c}-identity`);
    if (c !== "aws" && ctx.keylessOffered?.[c]) steps.push(`${c}-access`);
    steps.push(c === "aws" && ctx.awsOrg ? "aws-accounts" : `${c}-storage`);
    // Many AWS accounts: each account names its event bus on "Which accounts?".
    if (ctx.publishesEvents[c] && !(c === "aws" && ctx.awsOrg) && shown(`${c}-events`)) steps.push(`${c}-events`);
  }
  if (ctx.registration && chosen.length > 0) steps.push("vendor");
  steps.push("check");
  // Only AWS can be applied from this computer: with AWS in the plan, one question (apply or
  // export) comes before the page that does it; without AWS there is nothing to ask.
  if (chosen.includes("aws") && shown("route")) steps.push("route");
  steps.push("export");
  // Stored credentials only for GCP / Azure clouds that use a key or secret; folded once every one
  // is in the keyring (made by Apply, or stored before): nothing is left to do on the page.
  if (secretClouds(ctx).length > 0 && shown("credentials")) steps.push("credentials");
  if (sendClouds(ctx).length > 0) steps.push("send");
  steps.push("test", "done");
  return steps;
}

/**
 * The GCP / Azure clouds whose key or secret the plan signs in with: Rust's answer once the preview
 * of this very plan exists, before that the answers' estimate (chosen and not keyless).
 */
export function secretClouds(ctx: StepContext): KeylessCloud[] {
  const chosen = chosenClouds(ctx);
  const known = ctx.secretClouds;
  if (known) return chosen.filter((c): c is KeylessCloud => c !== "aws" && known.includes(c));
  return chosen.filter((c): c is KeylessCloud => c !== "aws" && !ctx.keylessChosen?.[c]);
}

/**
 * Every page that may be shown, the folded pages left off the main path included: where Change
 * links and error links may lead.
 */
export function reachableSteps(ctx: StepContext): StepId[] {
  return stepsFor({ ...ctx, folded: {} });
}

/**
 * The clouds whose key or secret goes to the vendor on the "Send to {vendor}" page: chosen, not
 * keyless, and taken by the vendor's API.
 */
export function sendClouds(ctx: StepContext): KeylessCloud[] {
  if (!ctx.registration) return [];
  return secretClouds(ctx).filter((c) => !!ctx.registration?.uploads[c]);
}

export function isStep(steps: readonly StepId[], id: string): id is StepId {
  return (steps as readonly string[]).includes(id);
}

/** The step after `current`, or null on the last one. */
export function nextStep<S extends string = StepId>(steps: readonly S[], current: S): S | null {
  const i = steps.indexOf(current);
  return i >= 0 && i + 1 < steps.length ? steps[i + 1] : null;
}

/** The step before `current`, or null on the first one. */
export function previousStep<S extends string = StepId>(steps: readonly S[], current: S): S | null {
  const i = steps.indexOf(current);
  return i > 0 ? steps[i - 1] : null;
}

export type TaskStatus = "completed" | "in-progress" | "not-started";
export type Task = { title: string; steps: StepId[]; status: TaskStatus };

export type Progress =
  /**
   * One cloud, or before the clouds are known: "Step N of M". `total` is null until the questions
   * that decide which pages follow are answered (see `progress`); `number` is null on a page off
   * the main path (an events page with the default answer, opened by a Change link or an error).
   */
  | { kind: "steps"; number: number | null; total: number | null }
  /**
   * Several clouds: one line, "Section K of S: <title>" (`section` is 1-based, `total` is S), and
   * the task list with each section's status (shown collapsed).
   */
  | { kind: "tasks"; section: number; total: number; tasks: Task[] };

/**
 * The questions that decide which pages follow: the platform (its clouds, its registration API),
 * the clouds, and how the vendor signs in where it can do so without a key (a key adds the
 * Credentials and Send pages).
 */
function decidesPath(step: StepId): boolean {
  return step === "start" || step === "clouds" || step.endsWith("-access");
}

/**
 * Where the person is. The total never changes as the person answers forward:
 *
 * - Until every question that decides the path (`decidesPath`) is answered, only the step number
 *   is known ("Step 2: Clouds"): the pages before and on those questions are the same whatever the
 *   answers, the total is not. From the page after the last of them, "Step N of M", counted on the
 *   main path; M changes only if the person goes back and changes one of those answers (or, through
 *   Change, the event buses away from the default).
 * - A page off the main path (an events page whose answer is the default, opened by Change or an
 *   error) has no number, so opening it does not change the total either.
 * - Several clouds: "Section K of S" over the sections of the task list (the platform, each cloud,
 *   the vendor's registration, check and set up, connect and test). S depends only on the platform
 *   and the clouds. It is shown from the page after the clouds question; before it, "Step N".
 * - On Done every section is completed and it is the last step ("Step M of M", "Section S of S").
 */
export function progress(ctx: StepContext, current: StepId, vendor?: string | null): Progress {
  const steps = stepsFor(ctx);
  const main = stepsFor({ ...ctx, open: {} });
  const at = Math.max(0, steps.indexOf(current));
  const clouds = chosenClouds(ctx);
  const several = clouds.length >= 2;
  // The last question that decides the path; several clouds: only the clouds (sections do not
  // depend on the sign-in answers).
  const deciders = steps.filter((s) => (several ? s === "start" || s === "clouds" : decidesPath(s)));
  const decided = at > steps.indexOf(deciders[deciders.length - 1]);
  if (!decided) return { kind: "steps", number: at + 1, total: null };
  if (!several) {
    const i = main.indexOf(current);
    return { kind: "steps", number: i >= 0 ? i + 1 : null, total: main.length };
  }
  const groups: { title: string; steps: StepId[] }[] = [
    { title: "Your platform and clouds", steps: steps.filter((s) => s === "start" || s === "clouds") },
    ...clouds.map((c) => ({ title: CLOUD_NAMES[c], steps: steps.filter((s) => cloudOf(s) === c) })),
    ...(steps.includes("vendor") ? [{ title: stepTitle("vendor", vendor), steps: ["vendor" as StepId] }] : []),
    { title: "Check and set up", steps: steps.filter((s) => s === "check" || s === "route" || s === "export") },
    {
      title: "Connect and test",
      steps: steps.filter((s) => s === "credentials" || s === "send" || s === "test" || s === "done"),
    },
  ];
  const tasks = groups.map((g) => {
    const idx = g.steps.map((s) => steps.indexOf(s));
    // Done is the end: nothing is still in progress there.
    const status: TaskStatus = idx.every((i) => i < at || steps[i] === "done")
      ? "completed"
      : idx.includes(at)
        ? "in-progress"
        : "not-started";
    return { ...g, status };
  });
  const section = Math.max(0, groups.findIndex((g) => g.steps.includes(steps[at])));
  return { kind: "tasks", section: section + 1, total: groups.length, tasks };
}
