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

  /** Step 1: what would change for the plan `key` (nothing is changed). */
  async dryRun(key: string, run: () => Promise<T>): Promise<void> {
    if (this.running) return;
    this.running = "preview";
    this.error = null;
    this.applied = null;
    try {
      this.preview = await run();
      this.previewFor = key;
    } catch (e) {
      this.preview = null;
      this.error = toIpcError(e);
    } finally {
      this.running = null;
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
    this.preview = null;
    this.previewFor = "";
    this.applied = null;
    this.error = null;
  }
}
