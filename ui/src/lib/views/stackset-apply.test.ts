// The StackSet's page, rendered (server-side, no window), and its session against a mocked IPC:
// the dry run's steps and Deploy; pre-flight stopping it, "Apply anyway" and only then Deploy; the
// deployed summary with each account's stack and the removal; results only for their own plan.
import { describe, expect, it, vi } from "vitest";
import type { OrgAccountRow } from "../ipc/bindings/OrgAccountRow";
import type { StackSetResult } from "../ipc/bindings/StackSetResult";
import { buildPlan } from "../wizard/answers";
import { JFROG, MEMBER_A, MEMBER_B, orgAnswersWith } from "../wizard/fixtures.test-util";

const invoke = vi.fn();
class FakeChannel {
  onmessage: (m: unknown) => void = () => {};
}
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args), Channel: FakeChannel }));
const { render } = await import("svelte/server");
const StackSetApply = (await import("./StackSetApply.svelte")).default;
const { StackSetSession } = await import("../wizard/stackset.svelte");

const [A, B] = [MEMBER_A, MEMBER_B];

const plan = (bucket = "a") =>
  buildPlan(orgAnswersWith({ engine: "stack-set", units: ["ou-ab12-cd34ef56"], accounts: [{ account_id: A, bucket, prefix: "", bus: "" }] }), JFROG);

const finding = { code: "preflight.bucket_policy_denies", severity: "blocking", resource: "a", message: "The bucket policy of a denies the vendor s3:GetObject (statement OrgOnly).", fix: "Exempt the role." };
const row = (status: string, findings: unknown[] = []) =>
  ({ account_id: A, via_role: null, status, role_arn: null, changes: [], preflight: findings, error: null }) as unknown as OrgAccountRow;
function result(over: Partial<StackSetResult>): StackSetResult {
  return {
    dry_run: true,
    stopped: false,
    preflight: [row("done")],
    stack_set: "trustbridge-AWS-ORG",
    exists: false,
    steps: ["create the StackSet trustbridge-AWS-ORG", "deploy its stacks to ou-ab12-cd34ef56"],
    operation_status: null,
    instances: [],
    management_stack: null,
    unreached: [],
    ok: true,
    ...over,
  } as StackSetResult;
}

function page(r: StackSetResult, tick = false): string {
  const p = plan();
  const session = new StackSetSession();
  session.result = r;
  session.resultFor = JSON.stringify(p);
  if (tick) session.setIgnorePreflight(p, true);
  return render(StackSetApply, { props: { session, plan: p, show: (t: string) => t, onapplied: () => {} } }).body;
}

describe("the StackSet's page", () => {
  it("shows the dry run's steps and offers Deploy", () => {
    const html = page(result({}));
    expect(html).toContain('data-testid="stack-set-steps"');
    expect(html).toContain("create the StackSet trustbridge-AWS-ORG");
    expect(html).toContain('data-testid="stack-set-apply"');
    expect(html).not.toContain("stack-set-ignore-preflight");
    expect(html).not.toContain("stack-set-revoke");
  });

  it("offers the removal of a StackSet its dry run found, deployed in an earlier run of the window or elsewhere", () => {
    const html = page(result({ exists: true, steps: ["update the StackSet trustbridge-AWS-ORG to the plan's template"] }));
    expect(html).toContain('data-testid="stack-set-apply"');
    expect(html).toContain('data-testid="stack-set-revoke"');
    const stopped = page(result({ stopped: true, exists: false, steps: [] }));
    expect(stopped).not.toContain("stack-set-revoke");
  });

  it("offers Deploy past a blocking finding only once 'Apply anyway' is ticked", () => {
    const stopped = result({ dry_run: false, stopped: true, preflight: [row("blocked", [finding])], steps: [], ok: false });
    let html = page(stopped);
    expect(html).toContain('data-testid="stack-set-stopped"');
    expect(html).toContain("statement OrgOnly");
    expect(html).toContain('data-testid="stack-set-ignore-preflight"');
    expect(html).not.toContain('data-testid="stack-set-apply"');
    html = page(stopped, true);
    expect(html).toContain('data-testid="stack-set-apply"');
    expect(html).toContain("Deploy the StackSet anyway");
  });

  it("waits for an account pre-flight could not check: no Deploy, no 'Apply anyway' (nothing read to name)", () => {
    const failed = { ...row("failed"), error: { code: "aws.member_role_unavailable", message: "refused", field: null, fix: null } } as unknown as OrgAccountRow;
    for (const r of [result({ preflight: [failed] }), result({ dry_run: false, stopped: true, preflight: [failed], steps: [], ok: false })]) {
      const html = page(r, true);
      expect(html).toContain('data-testid="stack-set-unchecked"');
      expect(html).not.toContain('data-testid="stack-set-apply"');
      expect(html).not.toContain("stack-set-ignore-preflight");
    }
  });

  it("says what was deployed, account by account, and offers the removal", () => {
    const html = page(result({ dry_run: false, operation_status: "SUCCEEDED", instances: [{ account_id: A, status: "SUCCEEDED", reason: null }, { account_id: B, status: "FAILED", reason: "role exists" }], ok: false, unreached: [] }));
    expect(html).toContain('data-testid="stack-set-summary"');
    expect(html).toMatch(new RegExp(`data-testid="stack-set-stack-${B}" data-status="FAILED"`));
    expect(html).toContain("role exists");
    expect(html).toContain('data-testid="stack-set-revoke"');
  });
});

describe("the StackSet's session", () => {
  it("asks Rust for a dry run, then a deploy with 'Apply anyway' only when ticked for this plan; removal clears the result", async () => {
    const p = plan();
    const s = new StackSetSession();
    const calls: [string, Record<string, unknown>][] = [];
    invoke.mockImplementation(async (cmd: string, args: { dryRun?: boolean; ignorePreflight?: boolean; onEvent: FakeChannel }) => {
      calls.push([cmd, args as Record<string, unknown>]);
      if (cmd === "revoke_aws_stack_set") return result({ dry_run: false, steps: ["deleted the StackSet trustbridge-AWS-ORG"] });
      if (!args.dryRun) args.onEvent.onmessage({ account_id: A, status: "RUNNING", reason: null });
      return result({ dry_run: !!args.dryRun, operation_status: args.dryRun ? null : "SUCCEEDED" });
    });
    await s.preview(p);
    expect(s.current(p)).toBe(true);
    expect(s.current(plan("b"))).toBe(false);
    await s.apply(p);
    s.setIgnorePreflight(p, true);
    await s.apply(p);
    expect(calls.map(([c, a]) => [c, a.dryRun, a.ignorePreflight])).toEqual([
      ["apply_aws_stack_set", true, false],
      ["apply_aws_stack_set", false, false],
      ["apply_aws_stack_set", false, true],
    ]);
    expect(s.live).toEqual([{ account_id: A, status: "RUNNING", reason: null }]);
    await s.revoke(p);
    expect(s.wasRemoved(p)).toBe(true);
    expect(s.current(p)).toBe(false);
    // Cancelled in the dialog: the error, and the result on screen stays.
    invoke.mockImplementation(async () => {
      throw { code: "apply.cancelled", message: "cancelled", field: null, fix: null };
    });
    await s.preview(p);
    await s.apply(p);
    expect(s.error?.code).toBe("apply.cancelled");
  });
});
