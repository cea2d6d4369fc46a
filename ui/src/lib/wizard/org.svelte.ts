// Many AWS accounts of an organization, in the window: the organization's tree for "Which
// accounts?", then the dry run, apply, retry of failed accounts and connectivity test across the
// chosen accounts, each account's row as it ends (Rust sends it through a channel). Its own store,
// apart from the wizard's single-account apply: it takes the plan as an argument and knows nothing
// of the pages.
import { applyAwsOrg, awsMemberResources, type OrgProbeUpdate, type OrgStep, awsOrganization, revokeAwsOrg, verifyAwsOrg, type Organization, type OrgAccountRow, type OrgUnit, type OrgVerifyRow, type Plan } from "../ipc/api";
import { toIpcError, type IpcError } from "../ipc/index";

/** An account of the tree, with the names of the units above it (for the page and Check your answers). */
export type TreeAccount = { id: string; name: string; active: boolean; path: string[] };

/** Every account under `unit` (depth first, the tree's order), with the unit names above it. */
export function accountsOf(unit: OrgUnit, path: string[] = []): TreeAccount[] {
  const here = [...path, unit.name];
  return [
    ...unit.accounts.map((a) => ({ id: a.id, name: a.name, active: a.active, path: here })),
    ...unit.units.flatMap((u) => accountsOf(u, here)),
  ];
}

/** The accounts of the plan, in its order: what a run covers. */
export function planAccounts(plan: Plan): string[] {
  return (plan.aws?.accounts ?? []).map((a) => a.account_id);
}

export class OrgSession {
  /** The organization as Rust read it (null before it was asked). */
  tree = $state<Organization | null>(null);
  treeError = $state<IpcError | null>(null);
  loadingTree = $state(false);

  /** The dry run or apply on screen: each account's row as it ended, in the plan's order. */
  rows = $state<OrgAccountRow[]>([]);
  /** Accounts of the run under way that have not ended yet. */
  working = $state<string[]>([]);
  /** The step each account of the last run reached (absent: it was still waiting for its turn). */
  steps = $state<Record<string, OrgStep>>({});
  running = $state<"preview" | "apply" | null>(null);
  /** The rows are of a dry run (true), of an apply (false); null: none yet. */
  dryRun = $state<boolean | null>(null);
  /** The plan (JSON) the rows were made for: rows of another plan are not shown. */
  rowsFor = $state<string | null>(null);
  /** The accounts the table covers (the plan's, in its order, when the run started). */
  tableAccounts = $state<string[]>([]);
  /** Why the run could not start or stopped as a whole (an account's failure is in its row). */
  error = $state<IpcError | null>(null);

  verifyRows = $state<OrgVerifyRow[]>([]);
  /** The plan (JSON) the test rows were made for. */
  verifyFor = $state<string | null>(null);
  verifyWorking = $state<string[]>([]);
  /** Each account's checks as they run (title and state), while its test is under way. */
  verifyLive = $state<Record<string, { id: string; title: string; status: "running" | "pass" | "partial" | "fail" | "skip" }[]>>({});
  verifying = $state(false);
  verifyError = $state<IpcError | null>(null);

  /** The removal of the vendor's access: one row per account (what went, or why not), of `revokedFor`. */
  revokeRows = $state<OrgAccountRow[]>([]);
  revokedFor = $state<string | null>(null);
  revoking = $state(false);
  revokeError = $state<IpcError | null>(null);

  /**
   * Removes the vendor's access from every account of `plan` (Rust asks in its native dialog
   * first, naming each account with what goes). Afterwards the apply table is stale: the next
   * visit shows a new dry run, and the test runs again.
   */
  async revoke(plan: Plan): Promise<void> {
    if (this.revoking || this.running) return;
    this.revoking = true;
    this.revokeError = null;
    try {
      this.revokeRows = await revokeAwsOrg(plan);
      this.revokedFor = JSON.stringify(plan);
      this.rowsFor = null;
      this.testAgain();
    } catch (e) {
      this.revokeError = toIpcError(e);
    } finally {
      this.revoking = false;
    }
  }

  /** Whether the removal's rows on screen are of `plan` as it is now. */
  revoked(plan: Plan): boolean {
    return this.revokedFor === JSON.stringify(plan);
  }

  /** Each member account's buckets (its pick list), by account id; absent: not listed (or could not be). */
  buckets = $state<Record<string, string[]>>({});
  /** Each member account's event buses in the plan's region (its pick list), by account id. */
  buses = $state<Record<string, string[]>>({});

  /**
   * Lists `account`'s buckets and event buses through its member role, once per account, role and
   * region (best effort: a refusal leaves the fields to be typed).
   */
  async loadBuckets(account: string, memberRole: string, partition: string, region: string): Promise<void> {
    const key = `${account}/${memberRole}/${region}`;
    if (this.bucketsAsked.has(key)) return;
    this.bucketsAsked.add(key);
    try {
      const found = await awsMemberResources(account, memberRole.trim() === "" ? null : memberRole.trim(), partition, region);
      this.buckets[account] = found.buckets;
      this.buses[account] = found.event_buses;
    } catch {
      // The fields stay plain text fields.
    }
  }
  private bucketsAsked = new Set<string>();

  /** Every account of the tree (empty until it is listed). */
  get treeAccounts(): TreeAccount[] {
    return this.tree?.kind === "tree" ? accountsOf(this.tree.root) : [];
  }

  /** The organization of this computer's AWS account (read only). */
  async loadTree(region: string | null): Promise<void> {
    if (this.loadingTree) return;
    this.loadingTree = true;
    this.treeError = null;
    try {
      this.tree = await awsOrganization(region);
    } catch (e) {
      this.treeError = toIpcError(e);
    } finally {
      this.loadingTree = false;
    }
  }

  /**
   * The accounts whose last apply (or dry run) did not end well — failed, stopped by pre-flight,
   * or never reported (the run stopped as a whole): a retry covers only these.
   */
  get failed(): string[] {
    return this.tableAccounts.filter((id) => this.rows.find((r) => r.account_id === id)?.status !== "done");
  }

  /** Whether the rows on screen are of `plan` as it is now. */
  current(plan: Plan): boolean {
    return this.rowsFor === JSON.stringify(plan);
  }

  /**
   * "Apply anyway", ticked for this plan (JSON): apply then goes past the blocking findings Rust
   * names in its native dialog. Another plan (changed answers) unticks it.
   */
  ignorePreflightFor = $state<string | null>(null);

  ignoring(plan: Plan): boolean {
    return this.ignorePreflightFor === JSON.stringify(plan);
  }

  setIgnorePreflight(plan: Plan, on: boolean): void {
    this.ignorePreflightFor = on ? JSON.stringify(plan) : null;
  }

  /** What apply would change in each account (read only). */
  preview(plan: Plan): Promise<void> {
    return this.run(plan, true, null);
  }

  /** Apply in every account: Rust asks first, in its native dialog. */
  apply(plan: Plan): Promise<void> {
    return this.run(plan, false, null);
  }

  /** Apply again in the accounts that failed (or were stopped by pre-flight) only. */
  retryFailed(plan: Plan): Promise<void> {
    const failed = this.failed;
    return failed.length === 0 ? Promise.resolve() : this.run(plan, false, failed);
  }

  private async run(plan: Plan, dryRun: boolean, only: string[] | null): Promise<void> {
    // Never beside a removal under way: one run across the accounts at a time.
    if (this.running || this.revoking) return;
    const key = JSON.stringify(plan);
    const covered = only ?? planAccounts(plan);
    // A retry keeps the other accounts' rows; any other run starts a new table.
    const kept = only && this.rowsFor === key ? this.rows.filter((r) => !covered.includes(r.account_id)) : [];
    const order = planAccounts(plan);
    const place = (rows: OrgAccountRow[]) => [...rows].sort((a, b) => order.indexOf(a.account_id) - order.indexOf(b.account_id));
    const before = { rows: this.rows, dryRun: this.dryRun, rowsFor: this.rowsFor, tableAccounts: this.tableAccounts };
    let arrived = false;
    this.running = dryRun ? "preview" : "apply";
    this.error = null;
    this.revokedFor = null;
    this.revokeError = null;
    this.working = [...covered];
    // The steps of this run only (kept after it: a failed account's row says at which step).
    this.steps = Object.fromEntries(Object.entries(this.steps).filter(([id]) => !covered.includes(id)));
    this.rows = kept;
    this.rowsFor = key;
    this.tableAccounts = order;
    this.dryRun = dryRun;
    const onRow = (row: OrgAccountRow) => {
      arrived = true;
      this.working = this.working.filter((id) => id !== row.account_id);
      this.rows = place([...this.rows.filter((r) => r.account_id !== row.account_id), row]);
    };
    try {
      const onStep = (e: { account_id: string; step: OrgStep }) => {
        if (this.working.includes(e.account_id)) this.steps = { ...this.steps, [e.account_id]: e.step };
      };
      const result = await applyAwsOrg(plan, dryRun, only, onRow, !dryRun && this.ignoring(plan), onStep);
      this.rows = place([...kept, ...result.accounts]);
    } catch (e) {
      this.error = toIpcError(e);
      // Cancelled, or refused before any account ended: the table on screen before stays.
      if (!arrived) Object.assign(this, before);
    } finally {
      this.working = [];
      this.running = null;
    }
  }

  /** The connectivity test in every account of the plan, each row as it ends. */
  async verify(plan: Plan): Promise<void> {
    if (this.verifying) return;
    const order = planAccounts(plan);
    this.verifying = true;
    this.verifyError = null;
    this.verifyRows = [];
    this.verifyFor = JSON.stringify(plan);
    this.verifyWorking = [...order];
    this.verifyLive = {};
    const place = (rows: OrgVerifyRow[]) => [...rows].sort((a, b) => order.indexOf(a.account_id) - order.indexOf(b.account_id));
    const onRow = (row: OrgVerifyRow) => {
      this.verifyWorking = this.verifyWorking.filter((id) => id !== row.account_id);
      this.verifyRows = place([...this.verifyRows.filter((r) => r.account_id !== row.account_id), row]);
    };
    try {
      const onProbe = ({ account_id, update: u }: OrgProbeUpdate) => {
        if (!this.verifyWorking.includes(account_id)) return;
        const id = u.event === "finished" ? u.probe.id : u.id;
        const title = u.event === "finished" ? u.probe.title : u.title;
        const status = u.event === "finished" ? u.probe.status : "running";
        // In the order the checks started; a check's later news replaces it where it is.
        const list = [...(this.verifyLive[account_id] ?? [])];
        const i = list.findIndex((p) => p.id === id);
        if (i === -1) list.push({ id, title, status });
        else list[i] = { id, title, status };
        this.verifyLive = { ...this.verifyLive, [account_id]: list };
      };
      this.verifyRows = place(await verifyAwsOrg(plan, null, onRow, onProbe));
    } catch (e) {
      this.verifyError = toIpcError(e);
    } finally {
      this.verifyWorking = [];
      this.verifying = false;
    }
  }

  /** On arrival at the test page: the test runs, unless it has results (until the next apply). */
  testOnArrival(plan: Plan): void {
    if (!this.verifying && (this.verifyRows.length === 0 || !this.tested(plan))) void this.verify(plan);
  }

  /** Whether the test rows on screen are of `plan` as it is now. */
  tested(plan: Plan): boolean {
    return this.verifyFor === JSON.stringify(plan);
  }

  /** Something changed in the accounts (an apply): the test runs again on the next arrival. */
  testAgain(): void {
    if (!this.verifying) this.verifyRows = [];
  }

  /** Accounts whose test passed (or passed with some checks made only partly), and the others. */
  get verifySummary(): { green: number; failing: string[] } {
    const green = this.verifyRows.filter((r) => r.verdict === "pass" || r.verdict === "partial").length;
    return { green, failing: this.verifyRows.filter((r) => r.verdict !== "pass" && r.verdict !== "partial").map((r) => r.account_id) };
  }
}
