// The StackSet of an organization-wide plan (engine `stack-set`) from the window: its dry run
// (pre-flight in each listed account, what deploying would do), the deploy (Rust asks in its native
// dialog first) with each account's stack as its status changes, "Apply anyway", and the removal.
// Apart from the wizard: it takes the plan as an argument, and keeps results only for the plan they
// were made of.
import { applyAwsStackSet, revokeAwsStackSet, type Plan, type StackInstanceRow, type StackSetResult } from "../ipc/api";
import { toIpcError, type IpcError } from "../ipc/index";

export class StackSetSession {
  /** The last dry run or deploy, of the plan `resultFor` (JSON). */
  result = $state<StackSetResult | null>(null);
  resultFor = $state<string | null>(null);
  /** Each account's stack while an operation runs, as CloudFormation reports it. */
  live = $state<StackInstanceRow[]>([]);
  running = $state<"preview" | "apply" | "revoke" | null>(null);
  error = $state<IpcError | null>(null);
  /** The last removal, of the plan `removedFor`. */
  removed = $state<StackSetResult | null>(null);
  removedFor = $state<string | null>(null);
  removeError = $state<IpcError | null>(null);
  /** "Apply anyway", ticked for this plan (JSON); changed answers untick it. */
  ignorePreflightFor = $state<string | null>(null);

  current(plan: Plan): boolean {
    return this.resultFor === JSON.stringify(plan);
  }

  ignoring(plan: Plan): boolean {
    return this.ignorePreflightFor === JSON.stringify(plan);
  }

  setIgnorePreflight(plan: Plan, on: boolean): void {
    this.ignorePreflightFor = on ? JSON.stringify(plan) : null;
  }

  /** Whether the last removal is of `plan`. */
  wasRemoved(plan: Plan): boolean {
    return this.removedFor === JSON.stringify(plan);
  }

  private onInstance = (row: StackInstanceRow) => {
    this.live = [...this.live.filter((r) => r.account_id !== row.account_id), row].sort((a, b) => a.account_id.localeCompare(b.account_id));
  };

  /** What deploying would do, and what pre-flight finds in each listed account (read only). */
  preview(plan: Plan): Promise<void> {
    return this.run(plan, true);
  }

  /** Deploy the StackSet: Rust asks first, in its native dialog. */
  apply(plan: Plan): Promise<void> {
    return this.run(plan, false);
  }

  private async run(plan: Plan, dryRun: boolean): Promise<void> {
    if (this.running) return;
    this.running = dryRun ? "preview" : "apply";
    this.error = null;
    this.live = [];
    try {
      const result = await applyAwsStackSet(plan, dryRun, this.onInstance, !dryRun && this.ignoring(plan));
      this.result = result;
      this.resultFor = JSON.stringify(plan);
      this.removed = null;
      this.removedFor = null;
    } catch (e) {
      // Cancelled, or refused before anything ran: the result on screen stays.
      this.error = toIpcError(e);
    } finally {
      this.running = null;
    }
  }

  /** Remove the StackSet: Rust asks first, in its native dialog. */
  async revoke(plan: Plan): Promise<void> {
    if (this.running) return;
    this.running = "revoke";
    this.removeError = null;
    this.live = [];
    try {
      this.removed = await revokeAwsStackSet(plan, this.onInstance);
      this.removedFor = JSON.stringify(plan);
      // What was deployed is no longer what is there.
      this.result = null;
      this.resultFor = null;
    } catch (e) {
      this.removeError = toIpcError(e);
    } finally {
      this.running = null;
    }
  }
}
