// Many AWS accounts of an organization: the answers → plan (and back from a saved plan), the step
// graph, error routing, and the session's apply table (rows as each account ends, retry of the
// failed ones only, never another plan's rows). IPC is mocked at @tauri-apps/api/core.
import { describe, expect, it, vi } from "vitest";
import { answersFromPlan, buildPlan, inputFor, inputsForStep, stepContext, stepForField, valueAt } from "./answers";
import { stepsFor } from "./steps";
import { JFROG, MEMBER_A, MEMBER_B, MLCUBE, orgAnswersWith } from "./fixtures.test-util";
import type { OrgAccountRow } from "../ipc/bindings/OrgAccountRow";

const invoke = vi.fn();
class FakeChannel {
  onmessage: (m: unknown) => void = () => {};
}
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args), Channel: FakeChannel }));
const { OrgSession, accountsOf } = await import("./org.svelte");

const [A, B] = [MEMBER_A, MEMBER_B];

function orgAnswers() {
  const a = orgAnswersWith({
    accounts: [
      { account_id: A, bucket: " team-a ", prefix: "data/", bus: "" },
      { account_id: B, bucket: "", prefix: "", bus: "" },
    ],
  });
  a.aws.storage = [{ bucket: "left-behind", prefix: "", kms_key_arn: "" }];
  return a;
}

describe("many accounts: answers and steps", () => {
  it("puts each account's bucket under it and nothing at the top (Rust refuses a top-level grant there)", () => {
    const aws = buildPlan(orgAnswers(), JFROG).aws!;
    expect(aws.organization).toEqual({ engine: "member-role" });
    expect(aws.storage).toEqual([]);
    expect(aws.accounts).toEqual([
      { account_id: A, storage: [{ bucket: "team-a", prefix: "data/" }], events: [] },
      { account_id: B, storage: [], events: [] },
    ]);
    const off = orgAnswers();
    off.aws.org.on = false;
    const single = buildPlan(off, JFROG).aws!;
    expect(single.organization).toBeUndefined();
    expect(single.accounts).toBeUndefined();
    expect(single.storage).toEqual([{ bucket: "left-behind" }]);
  });

  it("reads a saved organization-wide plan back into the same answers", () => {
    const a = orgAnswers();
    a.aws.org.member_role_name = "AWSControlTowerExecution";
    const back = answersFromPlan(buildPlan(a, JFROG));
    expect(back.aws.org).toEqual({
      on: true,
      engine: "member-role",
      units: [],
      max_concurrency: null,
      member_role_name: "AWSControlTowerExecution",
      accounts: [
        { account_id: A, bucket: "team-a", prefix: "data/", bus: "" },
        { account_id: B, bucket: "", prefix: "", bus: "" },
      ],
    });
    expect(answersFromPlan({ aws: { organization: "not an object", accounts: 7 } }).aws.org.on).toBe(false);
  });

  it("keeps a saved plan's StackSet, its units and its concurrency (re-saving never changes how the role is deployed)", () => {
    const saved = {
      version: 1,
      platform: "jfrog-ml",
      aws: {
        account_id: "123456789012",
        region: "eu-west-1",
        organization: { engine: "stack-set", organizational_units: ["ou-ab12-cd34ef56", 7, "r-ab12"], max_concurrency: 3 },
        accounts: [{ account_id: A, storage: [{ bucket: "team-a" }], events: [] }],
      },
    };
    const a = answersFromPlan(saved);
    expect(a.aws.org).toMatchObject({ on: true, engine: "stack-set", units: ["ou-ab12-cd34ef56", "r-ab12"], max_concurrency: 3 });
    const again = buildPlan(a, JFROG).aws!;
    expect(again.organization).toEqual({ engine: "stack-set", organizational_units: ["ou-ab12-cd34ef56", "r-ab12"], max_concurrency: 3 });
    // The member-role engine never carries units (Rust refuses them there).
    a.aws.org.engine = "member-role";
    expect(buildPlan(a, JFROG).aws!.organization).toEqual({ engine: "member-role", max_concurrency: 3 });
    // Each answer a problem can point at is on "Which accounts?".
    expect(stepForField("aws.organization.organizational_units", stepsFor(stepContext(a, JFROG)))).toBe("aws-accounts");
  });

  it("reading a plan written elsewhere back never widens a grant: only the buses every account has", () => {
    // tests/fixtures/plans/org-member-role.json: the first account has the default bus, the second none.
    const a = answersFromPlan({
      version: 1,
      platform: "mlcube",
      aws: {
        account_id: "123456789012",
        region: "eu-west-1",
        organization: { engine: "member-role" },
        accounts: [
          { account_id: A, storage: [{ bucket: "team-a", prefix: "datasets/" }], events: [{ event_bus_name: "default" }] },
          { account_id: B, region: "us-east-1", storage: [{ bucket: "team-b", kms_key_arn: "arn:aws:kms:us-east-1:345678901234:key/k" }, { bucket: "second" }] },
        ],
      },
    });
    const accounts = buildPlan(a, MLCUBE).aws!.accounts!;
    // Each account keeps its own bus (the second has none: it publishes nothing), never another's.
    expect(accounts.map((m) => m.events)).toEqual([[{ event_bus_name: "default" }], []]);
    // What the form cannot hold is left out (narrower), never moved to another account.
    expect(accounts[1].storage).toEqual([{ bucket: "team-b", kms_key_arn: "arn:aws:kms:us-east-1:345678901234:key/k" }]);
    expect(JSON.stringify(accounts[0])).not.toContain("second");
    // A vendor that publishes no events gets no bus anywhere.
    expect(buildPlan(a, JFROG).aws!.accounts!.map((m) => m.events)).toEqual([[], []]);
  });

  it("an account's bucket may name its own KMS key: into the plan, back from it, and its problems at the field", () => {
    const a = orgAnswers();
    const key = "arn:aws:kms:eu-west-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    a.aws.org.accounts[0].kms_key_arn = ` ${key} `;
    const plan = buildPlan(a, JFROG);
    expect(plan.aws!.accounts![0].storage).toEqual([{ bucket: "team-a", prefix: "data/", kms_key_arn: key }]);
    expect(plan.aws!.accounts![1].storage).toEqual([]);
    expect(answersFromPlan(plan).aws.org.accounts.map((m) => m.kms_key_arn ?? "")).toEqual([key, ""]);
    const inputs = inputsForStep("aws-accounts", a, JFROG);
    expect(inputFor("aws.accounts[0].storage[0].kms_key_arn", inputs)).toBe("aws.accounts[0].storage[0].kms_key_arn");
    expect(valueAt(a, "aws.accounts[0].storage[0].kms_key_arn")).toBe(` ${key} `);
  });

  it("each account names its event bus on 'Which accounts?' (no AWS events page), and its problems land there", () => {
    const a = orgAnswers();
    a.aws.org.accounts[0].bus = " retrain ";
    a.aws.org.accounts[1].bus = "";
    const accounts = buildPlan(a, MLCUBE).aws!.accounts!;
    expect(accounts.map((m) => m.events)).toEqual([[{ event_bus_name: "retrain" }], []]);
    const steps = stepsFor(stepContext(a, MLCUBE));
    expect(steps).toContain("aws-accounts");
    expect(steps).not.toContain("aws-events");
    const inputs = inputsForStep("aws-accounts", a, MLCUBE);
    expect(inputFor("aws.accounts[0].events[0].event_bus_name", inputs)).toBe("aws.accounts[0].events[0].event_bus_name");
    expect(valueAt(a, "aws.accounts[0].events[0].event_bus_name")).toBe(" retrain ");
    expect(stepForField("aws.accounts[0].events[0].event_bus_name", steps)).toBe("aws-accounts");
    // One account: its events page, as before (unfolded when it is not the default bus).
    a.aws.org.on = false;
    a.aws.events = [{ name: "retrain" }];
    expect(stepsFor(stepContext(a, MLCUBE))).toContain("aws-events");
  });

  it("the page's fields: each account's bucket and folder, the member role; problems land on them", () => {
    const a = orgAnswers();
    const inputs = inputsForStep("aws-accounts", a, JFROG);
    expect(inputs).toContain("aws.accounts[1].storage[0].bucket");
    expect(inputs).toContain("aws.organization.member_role_name");
    // Rust's "nothing to grant in this account" is at the account's storage: its bucket field.
    expect(inputFor("aws.accounts[1].storage", inputs)).toBe("aws.accounts[1].storage[0].bucket");
    expect(inputFor("aws.accounts[0]", inputs)).toBe("aws.accounts[0].account_id");
    expect(valueAt(a, "aws.accounts[0].storage[0].bucket")).toBe(" team-a ");
    a.aws.org.accounts = [];
    expect(inputFor("aws.accounts", inputsForStep("aws-accounts", a, JFROG))).toBe("aws.accounts");
  });

  it("asks 'Which accounts?' instead of the storage page, and routes the accounts' problems there", () => {
    const a = orgAnswers();
    const steps = stepsFor(stepContext(a, JFROG));
    expect(steps).toContain("aws-accounts");
    expect(steps).not.toContain("aws-storage");
    a.aws.org.on = false;
    expect(stepsFor(stepContext(a, JFROG))).toContain("aws-storage");
    expect(stepForField("aws.accounts[1].storage[0].bucket", steps)).toBe("aws-accounts");
    expect(stepForField("aws.organization.member_role_name", steps)).toBe("aws-accounts");
  });
});

describe("OrgSession", () => {
  const row = (id: string, status: OrgAccountRow["status"], changes = 1): OrgAccountRow => ({
    account_id: id,
    via_role: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`,
    status,
    role_arn: null,
    changes: Array.from({ length: changes }, () => ({ kind: "create_role", summary: "create role r", detail: [] })),
    preflight: [],
    error: status === "failed" ? { code: "aws.role_not_ours", message: "not ours", field: null, fix: null } : null,
  });

  it("lists the tree's accounts in order, with the units above them", () => {
    const root = { id: "r-ab12", name: "Root", accounts: [{ id: "123456789012", name: "mgmt", active: true }], units: [{ id: "ou-ab12-cd34ef56", name: "Training", accounts: [{ id: A, name: "a", active: true }], units: [] }] };
    expect(accountsOf(root).map((a) => [a.id, a.path.join("/")])).toEqual([
      ["123456789012", "Root"],
      [A, "Root/Training"],
    ]);
  });

  it("shows each account as it ends, retries only the failed one and keeps the others' rows", async () => {
    const plan = buildPlan(orgAnswers(), JFROG);
    const s = new OrgSession();
    let seenWorking: string[] = [];
    invoke.mockImplementation(async (cmd: string, args: { dryRun: boolean; only: string[] | null; onEvent: FakeChannel }) => {
      expect(cmd).toBe("apply_aws_org");
      const ids = args.only ?? [A, B];
      const rows = ids.map((id) => row(id, id === B && args.only === null ? "failed" : "done"));
      // Rows arrive as accounts end (B first): the table keeps the plan's order.
      for (const r of [...rows].reverse()) {
        args.onEvent.onmessage(r);
        seenWorking = [...s.working];
        // Each row is on the table as it arrives, in the plan's order.
        expect(s.rows.some((x) => x.account_id === r.account_id && x.status === r.status)).toBe(true);
      }
      if (args.only === null) expect(s.rows.map((x) => x.account_id)).toEqual([A, B]);
      return { dry_run: args.dryRun, accounts: rows };
    });
    await s.apply(plan);
    expect(seenWorking).toEqual([]);
    expect(s.rows.map((r) => [r.account_id, r.status])).toEqual([
      [A, "done"],
      [B, "failed"],
    ]);
    expect(s.failed).toEqual([B]);
    await s.retryFailed(plan);
    expect(invoke.mock.calls.at(-1)![1].only).toEqual([B]);
    expect(s.rows.map((r) => [r.account_id, r.status])).toEqual([
      [A, "done"],
      [B, "done"],
    ]);
    expect(s.failed).toEqual([]);
    // Nothing failed: a retry asks Rust nothing.
    const before = invoke.mock.calls.length;
    await s.retryFailed(plan);
    expect(invoke.mock.calls.length).toBe(before);
    // Rows are of the plan they were made for only.
    const other = buildPlan({ ...orgAnswers(), aws: { ...orgAnswers().aws, account_id: "111111111111" } }, JFROG);
    expect(s.current(plan)).toBe(true);
    expect(s.current(other)).toBe(false);
  });

  it("asks Rust to go past pre-flight only when 'Apply anyway' is ticked for this very plan, and never for a dry run", async () => {
    const plan = buildPlan(orgAnswers(), JFROG);
    const s = new OrgSession();
    const asked: boolean[] = [];
    invoke.mockImplementation(async (_cmd: string, args: { dryRun: boolean; only: string[] | null; ignorePreflight: boolean }) => {
      asked.push(args.ignorePreflight);
      const ids = args.only ?? [A, B];
      return { dry_run: args.dryRun, accounts: ids.map((id) => row(id, id === B && !args.ignorePreflight ? "blocked" : "done")) };
    });
    await s.apply(plan);
    expect(s.failed).toEqual([B]);
    s.setIgnorePreflight(plan, true);
    expect(s.ignoring(plan)).toBe(true);
    await s.preview(plan);
    expect(s.failed).toEqual([B]);
    await s.retryFailed(plan);
    expect(invoke.mock.calls.at(-1)![1].only).toEqual([B]);
    expect(asked).toEqual([false, false, true]);
    expect(s.failed).toEqual([]);
    // Ticked for the plan as it was: changed answers untick it.
    const other = buildPlan({ ...orgAnswers(), aws: { ...orgAnswers().aws, account_id: "111111111111" } }, JFROG);
    expect(s.ignoring(other)).toBe(false);
    s.setIgnorePreflight(plan, false);
    expect(s.ignoring(plan)).toBe(false);
  });

  it("keeps the step each account reached, only for accounts of the run, until the next run of them", async () => {
    const plan = buildPlan(orgAnswers(), JFROG);
    const s = new OrgSession();
    let seen: Record<string, string> = {};
    invoke.mockImplementation(async (_cmd: string, args: { dryRun: boolean; only: string[] | null; onEvent: FakeChannel; onStep: FakeChannel }) => {
      const ids = args.only ?? [A, B];
      for (const id of ids) args.onStep.onmessage({ account_id: id, step: "sign_in" });
      args.onStep.onmessage({ account_id: "999999999999", step: "apply" }); // not of this run: ignored
      args.onStep.onmessage({ account_id: ids[0], step: "apply" });
      seen = { ...s.steps };
      return { dry_run: args.dryRun, accounts: ids.map((id) => row(id, id === B ? "failed" : "done")) };
    });
    await s.apply(plan);
    expect(seen).toEqual({ [A]: "apply", [B]: "sign_in" });
    expect(s.steps[B]).toBe("sign_in");
    await s.retryFailed(plan);
    expect(s.steps).toEqual({ [A]: "apply", [B]: "apply" });
  });

  it("shows each account's checks as they run, in the order they started, only for accounts under test", async () => {
    const plan = buildPlan(orgAnswers(), JFROG);
    const s = new OrgSession();
    let live: unknown = null;
    invoke.mockImplementation(async (_cmd: string, args: { onEvent: FakeChannel; onProbe: FakeChannel }) => {
      const probe = (id: string, status: string) => ({ id, title: id, status, duration_ms: 1, message: "", fix: null, code: null });
      args.onProbe.onmessage({ account_id: A, update: { event: "started", id: "aws:role", title: "Role" } });
      args.onProbe.onmessage({ account_id: A, update: { event: "started", id: "aws:storage", title: "Bucket" } });
      args.onProbe.onmessage({ account_id: A, update: { event: "finished", probe: probe("aws:role", "pass") } });
      args.onProbe.onmessage({ account_id: "999999999999", update: { event: "started", id: "aws:role", title: "Role" } });
      live = JSON.parse(JSON.stringify(s.verifyLive));
      return [];
    });
    await s.verify(plan);
    expect(live).toEqual({
      [A]: [
        { id: "aws:role", title: "aws:role", status: "pass" },
        { id: "aws:storage", title: "Bucket", status: "running" },
      ],
    });
  });

  it("an account never reported (the run stopped as a whole) counts as failed, and is retried", async () => {
    const plan = buildPlan(orgAnswers(), JFROG);
    const s = new OrgSession();
    invoke.mockImplementation(async (_cmd: string, args: { dryRun: boolean; onEvent: FakeChannel }) => {
      args.onEvent.onmessage(row(A, "done"));
      throw { code: "org.work_failed", message: "stopped", field: null, fix: null };
    });
    await s.apply(plan);
    expect(s.error?.code).toBe("org.work_failed");
    expect(s.failed).toEqual([B]);
  });

  it("removes access from every account: the rows of what went; Cancel keeps the apply table; a new dry run replaces them", async () => {
    const plan = buildPlan(orgAnswers(), JFROG);
    const s = new OrgSession();
    let cancel = true;
    invoke.mockImplementation(async (cmd: string, args: { dryRun?: boolean; plan: unknown }) => {
      if (cmd === "apply_aws_org") return { dry_run: args.dryRun, accounts: [row(A, "done"), row(B, "done")] };
      expect(cmd).toBe("revoke_aws_org");
      expect(args).toEqual({ plan });
      if (cancel) throw { code: "revoke.cancelled", message: "cancelled", field: null, fix: null };
      return [row(A, "done", 2), row(B, "failed", 0)];
    });
    await s.apply(plan);
    await s.revoke(plan);
    expect(s.revokeError?.code).toBe("revoke.cancelled");
    expect(s.revoked(plan)).toBe(false);
    expect(s.current(plan) && s.rows.length).toBe(2);
    cancel = false;
    await s.revoke(plan);
    expect(s.revokeError).toBeNull();
    expect(s.revoked(plan)).toBe(true);
    expect(s.revokeRows.map((r) => [r.account_id, r.status, r.changes.length])).toEqual([
      [A, "done", 2],
      [B, "failed", 0],
    ]);
    // What was applied is no longer what is there: the apply table is stale, the test runs again.
    expect(s.current(plan)).toBe(false);
    await s.preview(plan);
    expect(s.revoked(plan)).toBe(false);
    expect(s.current(plan)).toBe(true);
  });

  it("a cancelled apply keeps the dry run on screen and says why", async () => {
    const plan = buildPlan(orgAnswers(), JFROG);
    const s = new OrgSession();
    invoke.mockImplementation(async (_cmd: string, args: { dryRun: boolean }) => {
      if (args.dryRun) return { dry_run: true, accounts: [row(A, "done"), row(B, "done")] };
      throw { code: "apply.cancelled", message: "cancelled", field: null, fix: null };
    });
    await s.preview(plan);
    await s.apply(plan);
    expect(s.error?.code).toBe("apply.cancelled");
    expect(s.rows.map((r) => r.account_id)).toEqual([A, B]);
    expect(s.dryRun).toBe(true);
    expect(s.current(plan)).toBe(true);
  });
});

describe("many accounts: the error summary", () => {
  it("says to choose an account in the page's words, without Rust's fix for plan files", async () => {
    vi.stubGlobal("window", { scrollTo() {} });
    vi.stubGlobal("document", { getElementById: () => null });
    const { Wizard } = await import("./wizard.svelte");
    const w = new Wizard();
    const fix = "add the member accounts with their buckets, or use engine 'stack-set' to cover organizational units";
    const rule = "the member-role engine sets up the accounts listed here: list at least one";
    w.fail([{ code: "validation.aws.accounts", message: `aws.accounts: ${rule} (got '[]'); ${fix}`, field: "aws.accounts", fix }]);
    expect(w.summary.map((s) => s.text)).toEqual(["Select at least one account, or add one by its account ID."]);
    // A fix that speaks to the page stays listed under its problem.
    const vendor = "ask the vendor for the 12-digit AWS account id it will assume the role from";
    w.fail([{ code: "validation.aws.vendor.account_id", message: `aws.vendor.account_id: required (got ''); ${vendor}`, field: "aws.vendor.account_id", fix: vendor }]);
    expect(w.summary.map((s) => s.text)).toContain(vendor);
    vi.unstubAllGlobals();
  });
});
