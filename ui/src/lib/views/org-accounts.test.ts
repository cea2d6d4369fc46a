// "Which accounts?" rendered (server-side, no window) with each engine: the StackSet's units are
// chosen on the organization's tree (or typed without one); the member-role engine offers no unit
// targets. And the page after it: applying a StackSet has its own page.
import { describe, expect, it, vi } from "vitest";
import { stepContext } from "../wizard/answers";
import { JFROG, MLCUBE } from "../wizard/fixtures.test-util";
import { stepsFor } from "../wizard/steps";

vi.mock("@tauri-apps/api/core", () => ({ invoke: async () => null, Channel: class {} }));
const { render } = await import("svelte/server");
const AwsAccountsView = (await import("./AwsAccountsView.svelte")).default;
const ExportView = (await import("./ExportView.svelte")).default;
const { Wizard } = await import("../wizard/wizard.svelte");
// A wizard of this test's own (the pages take it as a prop): nothing shared with the app's.
const w = new Wizard();
const org = w.org;

const A = "210987654321";
const OU = "ou-ab12-cd34ef56";

function setUp(engine: string, units: string[] = []) {
  w.answers.clouds = ["aws"];
  w.answers.aws.account_id = "123456789012";
  w.answers.aws.org = { on: true, engine, member_role_name: "", units, max_concurrency: null, accounts: [{ account_id: A, bucket: "team-a", prefix: "", bus: "" }] };
  org.tree = {
    kind: "tree",
    organization_id: "o-abcd1234ef",
    management_account: "123456789012",
    caller_is_management: true,
    root: { id: "r-ab12", name: "Root", accounts: [], units: [{ id: OU, name: "Training", accounts: [{ id: A, name: "team-a", active: true }], units: [] }] },
    left_out: 0,
  } as never;
}

describe("Which accounts? with a StackSet", () => {
  it("offers each unit (and the root) as a target, ticked as the answers say", () => {
    setUp("stack-set", [OU]);
    const html = render(AwsAccountsView, { props: { wizard: w } }).body;
    expect(html).toContain('data-testid="org-stack-set-intro"');
    expect(html).toMatch(new RegExp(`id="org-target-${OU}"[^>]*checked`));
    expect(html).toContain('id="org-target-r-ab12"');
    expect(html).not.toMatch(/id="org-target-r-ab12"[^>]*checked/);
  });

  it("asks each chosen account's event bus, with that account's buses to pick from, when the vendor publishes events", () => {
    setUp("member-role");
    w.profiles = [MLCUBE];
    w.answers.platform = "mlcube";
    org.buses[A] = ["retrain-events", "default"];
    let html = render(AwsAccountsView, { props: { wizard: w } }).body;
    expect(html).toContain('id="org-buses-210987654321"');
    expect(html).toContain('<option value="retrain-events">');
    expect(html).toMatch(/Event bus in this account/);
    // Presenter mode: the account's buses are not listed (the dropdown would show names the page's
    // masking does not know); the field is still asked.
    w.presenter = true;
    org.buckets[A] = ["secret-bucket-name"];
    html = render(AwsAccountsView, { props: { wizard: w } }).body;
    expect(html).toMatch(/Event bus in this account/);
    expect(html).not.toContain("retrain-events");
    expect(html).not.toContain("secret-bucket-name");
    expect(html).not.toContain("<datalist");
    w.presenter = false;
    html = render(AwsAccountsView, { props: { wizard: w } }).body;
    expect(html).toContain('<option value="secret-bucket-name">');
    delete org.buckets[A];
    w.profiles = [JFROG];
    w.answers.platform = "jfrog-ml";
    html = render(AwsAccountsView, { props: { wizard: w } }).body;
    expect(html).not.toMatch(/Event bus in this account/);
    delete org.buses[A];
  });

  it("offers no unit targets with the member-role engine", () => {
    setUp("member-role", [OU]);
    const html = render(AwsAccountsView, { props: { wizard: w } }).body;
    expect(html).not.toContain("org-target-");
    expect(html).not.toContain("org-stack-set-intro");
  });

  it("asks apply-or-export like any AWS plan; applying shows the StackSet's own page, not the member-role table", () => {
    setUp("stack-set", [OU]);
    expect(stepsFor(stepContext(w.answers, w.profile))).toContain("route");
    w.answers.route = "apply";
    const html = render(ExportView, { props: { wizard: w } }).body;
    expect(html).toContain('data-testid="stack-set-intro"');
    expect(html).not.toContain('data-testid="org-table"');
    w.answers.aws.org.engine = "member-role";
    expect(render(ExportView, { props: { wizard: w } }).body).not.toContain("stack-set-intro");
    w.answers.route = null;
  });
});
