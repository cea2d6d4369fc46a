// The organization's apply table, rendered (server-side, no window): "Apply anyway" is offered
// only where pre-flight stops (or would stop) an account, and shows whether it is ticked for this
// plan. IPC is mocked at @tauri-apps/api/core.
import { describe, expect, it, vi } from "vitest";
import type { OrgAccountRow } from "../ipc/bindings/OrgAccountRow";
import { buildPlan } from "../wizard/answers";
import { JFROG, MEMBER_A, MEMBER_B, orgAnswersWith } from "../wizard/fixtures.test-util";

vi.mock("@tauri-apps/api/core", () => ({ invoke: async () => null, Channel: class {} }));
const { render } = await import("svelte/server");
const OrgApply = (await import("./OrgApply.svelte")).default;
const { OrgSession } = await import("../wizard/org.svelte");

const [A, B] = [MEMBER_A, MEMBER_B];

const plan = () =>
  buildPlan(orgAnswersWith({ accounts: [{ account_id: A, bucket: "a", prefix: "", bus: "" }, { account_id: B, bucket: "b", prefix: "", bus: "" }] }), JFROG);

const blocking = { code: "preflight.bucket_policy_denies", severity: "blocking", resource: "b", message: "The bucket policy of b denies the vendor s3:GetObject (statement OrgOnly).", fix: "Exempt the role." };
const row = (id: string, status: OrgAccountRow["status"], findings: unknown[] = []): OrgAccountRow =>
  ({ account_id: id, via_role: null, status, role_arn: null, changes: status === "blocked" ? [] : [{ kind: "create_role", summary: "create role r", detail: [] }], preflight: findings, error: null }) as unknown as OrgAccountRow;

function page(rows: OrgAccountRow[], dryRun: boolean, tick = false): string {
  const p = plan();
  const session = new OrgSession();
  session.rows = rows;
  session.dryRun = dryRun;
  session.rowsFor = JSON.stringify(p);
  session.tableAccounts = [A, B];
  if (tick) session.setIgnorePreflight(p, true);
  return render(OrgApply, { props: { session, plan: p, show: (t: string) => t, vendor: "JFrog ML", onapplied: () => {} } }).body;
}

describe("Apply anyway, for an organization", () => {
  it("is offered when a dry run finds a rule that would stop an account", () => {
    const html = page([row(A, "done"), row(B, "done", [blocking])], true);
    expect(html).toContain('data-testid="org-ignore-preflight"');
    expect(html).toContain("statement OrgOnly");
    expect(html).not.toMatch(/id="org-ignore-preflight"[^>]*checked/);
  });

  it("is offered after an apply pre-flight stopped an account in, ticked as the session says", () => {
    const html = page([row(A, "done"), row(B, "blocked", [blocking])], false, true);
    expect(html).toContain("Stopped by pre-flight");
    expect(html).toMatch(/id="org-ignore-preflight"[^>]*checked/);
  });

  it("is not offered when nothing would stop an account, or only a warning was found", () => {
    expect(page([row(A, "done"), row(B, "done")], true)).not.toContain("org-ignore-preflight");
    expect(page([row(A, "done"), row(B, "done", [{ ...blocking, severity: "warning" }])], true)).not.toContain("org-ignore-preflight");
  });
});

describe("the account × step grid", () => {
  it("shows where each account is while the apply runs, and where it stopped after", () => {
    const p = plan();
    const session = new OrgSession();
    session.rowsFor = JSON.stringify(p);
    session.tableAccounts = [A, B];
    session.dryRun = false;
    session.running = "apply";
    session.working = [A, B];
    session.steps = { [A]: "preflight" };
    let html = render(OrgApply, { props: { session, plan: p, show: (t: string) => t, vendor: "JFrog ML", onapplied: () => {} } }).body;
    const marks = (h: string, id: string) => [...(new RegExp(`data-testid="org-steps-${id}"[^]*?</ol>`).exec(h)?.[0] ?? "").matchAll(/data-mark="(\w+)"/g)].map((m) => m[1]);
    expect(marks(html, A)).toEqual(["done", "running", "waiting"]);
    expect(html).toContain("Pre-flight…");
    expect(marks(html, B)).toEqual(["waiting", "waiting", "waiting"]);
    expect(html).toContain("Waiting for its turn");
    // After: one stopped by pre-flight, one failed while applying.
    session.running = null;
    session.working = [];
    session.steps = { [A]: "preflight", [B]: "apply" };
    session.rows = [row(A, "blocked", [blocking]), { ...row(B, "failed"), error: { code: "aws.access_denied", message: "denied", field: null, fix: null } } as OrgAccountRow];
    html = render(OrgApply, { props: { session, plan: p, show: (t: string) => t, vendor: "JFrog ML", onapplied: () => {} } }).body;
    expect(marks(html, A)).toEqual(["done", "stopped", "skipped"]);
    expect(marks(html, B)).toEqual(["done", "done", "failed"]);
  });
});
