import { describe, expect, it } from "vitest";
import { mask } from "../wizard/mask";
import { isRoute, preselectedRoute, routeFor, routeItems, routeOf, routePageTitle, ROUTES, withRoute } from "./route";

const ACCOUNT = "123456789012";
const OTHER = "210987654321";

describe("the preselected answer", () => {
  it("is apply only when credentials were found for the plan's account", () => {
    expect(preselectedRoute(ACCOUNT, ACCOUNT)).toBe("apply");
    expect(preselectedRoute(` ${ACCOUNT}`, `${ACCOUNT} `)).toBe("apply");
  });

  it("is export without credentials, with credentials for another account, or before the account is known", () => {
    expect(preselectedRoute(null, ACCOUNT)).toBe("export");
    expect(preselectedRoute(undefined, ACCOUNT)).toBe("export");
    expect(preselectedRoute("", "")).toBe("export");
    expect(preselectedRoute(OTHER, ACCOUNT)).toBe("export");
    expect(preselectedRoute(ACCOUNT, "")).toBe("export");
    expect(preselectedRoute(ACCOUNT, null)).toBe("export");
  });
});

describe("the route in force", () => {
  const aws = { hasAws: true, chosen: null, detectedAccount: null, planAccount: ACCOUNT };

  it("is the person's answer, whatever was detected", () => {
    expect(routeFor({ ...aws, chosen: "export", detectedAccount: ACCOUNT })).toBe("export");
    expect(routeFor({ ...aws, chosen: "apply", detectedAccount: null })).toBe("apply");
    expect(routeFor({ ...aws, chosen: "apply", detectedAccount: OTHER })).toBe("apply");
  });

  it("before an answer, follows the preselection (and so what detection finds later)", () => {
    expect(routeFor(aws)).toBe("export");
    expect(routeFor({ ...aws, detectedAccount: ACCOUNT })).toBe("apply");
    expect(routeFor({ ...aws, detectedAccount: OTHER })).toBe("export");
  });

  it("is always export without AWS: nothing else can be applied from this computer", () => {
    expect(routeFor({ hasAws: false, chosen: "apply", detectedAccount: ACCOUNT, planAccount: ACCOUNT })).toBe("export");
    expect(routeFor({ hasAws: false, chosen: null, detectedAccount: ACCOUNT, planAccount: ACCOUNT })).toBe("export");
  });
});

describe("the answers on the page", () => {
  const show = (t: string) => t;

  it("are apply first, export second, with their labels and test ids", () => {
    expect(ROUTES).toEqual(["apply", "export"]);
    const items = routeItems({ detectedAccount: null, planAccount: ACCOUNT, show });
    expect(items.map((i) => [i.value, i.label, i.testid])).toEqual([
      ["apply", "Apply from this computer", "route-apply"],
      ["export", "Export files to run elsewhere", "route-export"],
    ]);
    expect(items[0].hint).toContain("AWS credentials on this computer");
    expect(items[0].hint).toContain("first shows what it would change");
    expect(items[1].hint).toContain("cloud team");
  });

  it("name the account whose credentials were found, or say they are for another one", () => {
    expect(routeItems({ detectedAccount: ACCOUNT, planAccount: ACCOUNT, show })[0].hint).toContain(
      `Credentials for AWS account ${ACCOUNT} were found on this computer.`,
    );
    const other = routeItems({ detectedAccount: OTHER, planAccount: ACCOUNT, show })[0].hint;
    expect(other).toContain(`for AWS account ${OTHER}, not ${ACCOUNT}`);
    expect(other).toContain("would refuse");
    expect(routeItems({ detectedAccount: null, planAccount: ACCOUNT, show })[0].hint).not.toMatch(/\d{12}/);
  });

  it("show the account only through `show` (presenter mode masks it)", () => {
    const masked = (t: string) => mask(t, [ACCOUNT, OTHER]);
    for (const detected of [ACCOUNT, OTHER]) {
      const hints = routeItems({ detectedAccount: detected, planAccount: ACCOUNT, show: masked }).map((i) => i.hint).join(" ");
      expect(hints).not.toContain(ACCOUNT);
      expect(hints).not.toContain(OTHER);
    }
  });
});

describe("the route in the draft", () => {
  it("is kept beside the plan once answered, and read back", () => {
    const plan = { version: 1, platform: "mlcube" };
    expect(withRoute(plan, null)).toEqual(plan);
    expect(withRoute(plan, "apply")).toEqual({ ...plan, route: "apply" });
    expect(routeOf(withRoute(plan, "export"))).toBe("export");
  });

  it("anything else read from disk is no answer", () => {
    for (const raw of [null, undefined, "apply", [], {}, { route: "both" }, { route: 1 }]) expect(routeOf(raw)).toBeNull();
    expect(isRoute("apply") && isRoute("export") && !isRoute("Apply")).toBe(true);
  });

  it("titles the page after the question", () => {
    expect(routePageTitle("apply")).toBe("Apply to AWS");
    expect(routePageTitle("export")).toBe("Export the setup files");
  });
});
