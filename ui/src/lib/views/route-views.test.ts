// The set-up question and the page after it, rendered (server-side, no window): the question lists
// apply first, preselected per the credentials found; the next page shows only the route chosen;
// the green panel is kept for the Done page. IPC is mocked at @tauri-apps/api/core.
import type { Component } from "svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsAccount } from "../ipc/api";

vi.mock("@tauri-apps/api/core", () => ({ invoke: async () => null, Channel: class {} }));
const { render } = await import("svelte/server");
const RouteView = (await import("./RouteView.svelte")).default;
const ExportView = (await import("./ExportView.svelte")).default;
const PackRouteView = (await import("./PackRouteView.svelte")).default;
const PackExportView = (await import("./PackExportView.svelte")).default;
const { wizard: w, cloud } = await import("../wizard/wizard.svelte");
const { packFlow: p } = await import("../pack/pack.svelte");

const ACCOUNT = "123456789012";
const detected = (account: string) =>
  ({ caller: { account, arn: `arn:aws:iam::${account}:user/a` }, buckets: [], event_buses: [] }) as unknown as AwsAccount;
/** The page rendered with the wizard and pack flow it takes (the app passes the same ones). */
const html = (c: Component<any>) => render(c, { props: { wizard: w, flow: p } }).body;
const has = (page: string, testid: string) => page.includes(`data-testid="${testid}"`);
/** The radio (by value) that is checked. */
const checked = (page: string) => /<input[^>]*value="(\w+)"[^>]*checked=""/.exec(page)?.[1] ?? null;

beforeEach(() => {
  w.answers.clouds = ["aws"];
  w.answers.aws.account_id = ACCOUNT;
  w.answers.route = null;
  w.presenter = false;
  w.exports.exported = null;
  cloud.awsAccount = null;
  cloud.applyRun.reset();
});

describe("How do you want to set this up? (vendor wizard)", () => {
  it("lists apply first; preselects it only with credentials for the plan's account", () => {
    let page = html(RouteView);
    expect(page.indexOf('value="apply"')).toBeLessThan(page.indexOf('value="export"'));
    expect(checked(page)).toBe("export");
    cloud.awsAccount = detected("210987654321");
    expect(checked(html(RouteView))).toBe("export");
    cloud.awsAccount = detected(ACCOUNT);
    page = html(RouteView);
    expect(checked(page)).toBe("apply");
    expect(page).toContain(`Credentials for AWS account ${ACCOUNT} were found`);
    w.presenter = true;
    expect(html(RouteView)).not.toContain(ACCOUNT);
  });

  it("shows the answer given over the preselection", () => {
    cloud.awsAccount = detected(ACCOUNT);
    w.answers.route = "export";
    expect(checked(html(RouteView))).toBe("export");
  });
});

describe("the page after it shows only the route chosen", () => {
  it("apply, AWS only: the apply section, no export and no 'when you have run the setup' line", () => {
    w.answers.route = "apply";
    const page = html(ExportView);
    expect(page).toContain(">Apply to AWS</h1>");
    expect(has(page, "apply-preview-button")).toBe(true);
    for (const t of ["choose-folder", "export-typed", "export-continue", "export-others", "open-aws-console"]) expect(has(page, t)).toBe(false);
  });

  it("apply, with Google Cloud: the export for Google Cloud only, said to be run there", () => {
    w.answers.clouds = ["aws", "gcp"];
    w.answers.route = "apply";
    const page = html(ExportView);
    expect(has(page, "apply-preview-button") && has(page, "export-typed") && has(page, "export-others")).toBe(true);
    expect(has(page, "open-gcp-cloud-shell")).toBe(true);
    expect(has(page, "open-aws-console") || has(page, "export-continue")).toBe(false);
  });

  it("export: the export section and the 'continue' line, nothing to apply; without AWS the same", () => {
    w.answers.route = "export";
    for (const clouds of [["aws"], ["gcp"]] as const) {
      w.answers.clouds = [...clouds];
      const page = html(ExportView);
      expect(page).toContain(">Export the setup files</h1>");
      expect(has(page, "export-typed") && has(page, "choose-folder") && has(page, "export-continue")).toBe(true);
      expect(has(page, "apply-preview-button")).toBe(false);
    }
  });

  it("results are a bordered box, not the green panel (kept for Done)", () => {
    w.answers.route = "export";
    w.exports.exported = { dir: "/home/a/trustbridge-x", files: ["SUMMARY.md"] };
    const page = html(ExportView);
    expect(has(page, "export-result")).toBe(true);
    expect(page).not.toContain('class="panel');
  });
});

describe("the role-pack path asks the same way", () => {
  it("apply first, preselected with credentials for the pack's account; then only that route", () => {
    p.values = { mlspace: { AWS_ACCOUNT: ACCOUNT } };
    p.packId = "mlspace";
    p.chosenRoute = null;
    p.detectedAccount = null;
    let page = html(PackRouteView);
    expect(page.indexOf('value="apply"')).toBeLessThan(page.indexOf('value="export"'));
    expect(checked(page)).toBe("export");
    page = html(PackExportView);
    expect(has(page, "export-typed") && !has(page, "apply-preview-button")).toBe(true);
    p.detectedAccount = ACCOUNT;
    expect(checked(html(PackRouteView))).toBe("apply");
    page = html(PackExportView);
    expect(page).toContain(">Apply to AWS</h1>");
    expect(has(page, "apply-preview-button") && !has(page, "export-typed")).toBe(true);
  });
});
