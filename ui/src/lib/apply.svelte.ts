// Apply with a dry run first, shared by the vendor wizard (AWS) and the role-pack path: the dry
// run shown and the plan it was made for, the result of applying, the error, and what is running.
// The backend checks the account again on every call; this only keeps the page's state.
import { toIpcError, type IpcError } from "./ipc/index";

export class DryRunApply<T> {
  /** The dry run on screen (what would change, and as whom). */
  preview = $state<T | null>(null);
  /** The plan (as a key) the dry run was made for. */
  previewFor = $state("");
  applied = $state<T | null>(null);
  error = $state<IpcError | null>(null);
  running = $state<"preview" | "apply" | null>(null);
  /** Bumped by `reset` (a new sign-in, the path opened again): a dry run still reading then is of
   *  what was there before, and its answer is dropped. (An apply's result is kept: it happened.) */
  private round = 0;
  /** The dry run whose answer counts (a later one, started after `reset`, replaces it). */
  private latest = 0;
  private latestRound = -1;

  /** Step 1: what would change for the plan `key` (nothing is changed). One dry run at a time,
   *  except that one still reading from before `reset` does not hold up the new identity's. */
  async dryRun(key: string, run: () => Promise<T>): Promise<void> {
    if (this.running === "apply" || (this.running === "preview" && this.latestRound === this.round)) return;
    const token = ++this.latest;
    const round = this.round;
    this.latestRound = round;
    this.running = "preview";
    this.error = null;
    this.applied = null;
    const current = () => token === this.latest && round === this.round;
    try {
      const preview = await run();
      if (!current()) return;
      this.preview = preview;
      this.previewFor = key;
    } catch (e) {
      if (!current()) return;
      this.preview = null;
      this.error = toIpcError(e);
    } finally {
      if (token === this.latest) this.running = null;
    }
  }

  /** Step 2: make the previewed changes. */
  async apply(run: () => Promise<T>): Promise<void> {
    if (this.running) return;
    this.running = "apply";
    this.error = null;
    try {
      this.applied = await run();
    } catch (e) {
      this.error = toIpcError(e);
    } finally {
      this.running = null;
    }
  }

  reset(): void {
    this.round += 1;
    this.preview = null;
    this.previewFor = "";
    this.applied = null;
    this.error = null;
  }
}
