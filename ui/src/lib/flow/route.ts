// The set-up question both flows ask before their last page: "How do you want to set this up?" —
// apply from this computer (AWS only: Trustbridge changes nothing itself in Google Cloud or Azure)
// or export files to run elsewhere. The vendor wizard asks it only when the plan has AWS; the
// role-pack path always (a pack is AWS). Apply comes first and is preselected when this computer's
// AWS credentials were found for the plan's account. Pure: no Svelte, no IPC.

export type Route = "apply" | "export";

/** The answers in page order: apply first, export second (both flows). */
export const ROUTES: readonly Route[] = ["apply", "export"];

/** Field path of the question's radios (the first radio's id is `fieldId(ROUTE_FIELD)-0`). */
export const ROUTE_FIELD = "route";

export const ROUTE_QUESTION = "How do you want to set this up?";
/** The radios' legend under the question (the page heading). */
export const ROUTE_LEGEND = "Set-up method";

export function isRoute(v: unknown): v is Route {
  return v === "apply" || v === "export";
}

/**
 * The answer preselected before the person chooses: apply when this computer's AWS credentials were
 * found for the plan's account (Apply would act where the plan says), else export. Credentials for
 * another account would be refused by Apply, so they do not count.
 */
export function preselectedRoute(detectedAccount: string | null | undefined, planAccount: string | null | undefined): Route {
  const detected = detectedAccount?.trim() ?? "";
  return detected !== "" && detected === (planAccount?.trim() ?? "") ? "apply" : "export";
}

export type RouteInput = {
  /** Whether the plan has AWS (nothing else can be applied from this computer). */
  hasAws: boolean;
  /** The person's answer (remembered in the answers and the draft), or null before they answer. */
  chosen: Route | null;
  /** The AWS account this computer's credentials act in, or null when none were found (yet). */
  detectedAccount: string | null | undefined;
  /** The AWS account the plan names. */
  planAccount: string | null | undefined;
};

/** The route in force: export without AWS (no question); else the answer, or the preselected one. */
export function routeFor(r: RouteInput): Route {
  if (!r.hasAws) return "export";
  return r.chosen ?? preselectedRoute(r.detectedAccount, r.planAccount);
}

/** The route a saved draft remembers (`route` beside the plan's fields), or null. From disk: any shape. */
export function routeOf(raw: unknown): Route | null {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return null;
  const route = (raw as Record<string, unknown>).route;
  return isRoute(route) ? route : null;
}

/** What a draft holds: the plan, and the route once answered (not a plan field, never a secret). */
export function withRoute<T extends object>(plan: T, route: Route | null): T & { route?: Route } {
  return route ? { ...plan, route } : plan;
}

/** The title of the last page, after the route: "Apply to AWS" or "Export the setup files". */
export function routePageTitle(route: Route): string {
  return route === "apply" ? "Apply to AWS" : "Export the setup files";
}

export type RouteItem = { value: Route; label: string; hint: string; testid: string };

/**
 * The two answers, apply first, with their hints. `show` masks what is shown (presenter mode): the
 * detected account is named only through it.
 */
export function routeItems(o: {
  detectedAccount: string | null | undefined;
  planAccount: string | null | undefined;
  show: (text: string) => string;
}): RouteItem[] {
  const detected = o.detectedAccount?.trim() ?? "";
  const plan = o.planAccount?.trim() ?? "";
  let found = "";
  if (detected !== "" && detected === plan) found = ` Credentials for AWS account ${detected} were found on this computer.`;
  else if (detected !== "")
    found = ` The credentials found on this computer are for AWS account ${detected}${plan ? `, not ${plan}` : ""}: Trustbridge would refuse to apply with them.`;
  return ROUTES.map((value) =>
    value === "apply"
      ? {
          value,
          label: "Apply from this computer",
          hint: o.show(
            `Trustbridge uses the AWS credentials on this computer, or you sign in to AWS on the next page (your AWS access portal in the browser, or credentials copied from it). It first shows what it would change; nothing changes until you confirm.${found}`,
          ),
          testid: "route-apply",
        }
      : {
          value,
          label: "Export files to run elsewhere",
          hint: "Trustbridge writes a folder with the setup scripts and templates, to run in your cloud's shell or to hand to your cloud team.",
          testid: "route-export",
        },
  );
}
