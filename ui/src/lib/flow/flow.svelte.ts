// What the vendor wizard (`Wizard`) and the role-pack path (`PackFlow`) share as GOV.UK form flows:
// the page on screen and Continue / Back between pages, the problems found (at their fields and in
// the error summary, which takes focus again on every attempt), the return to Check your answers
// after a Change link, presenter-mode masking, and the autosave of the answers. Each flow says only
// what is its own: its pages in order, how a page is checked, what a page does on arrival, where a
// field is asked, how a problem reads and links, and what is saved. Talks to Rust only through
// $lib/ipc.
import { tick } from "svelte";
import { saveDraft } from "../ipc/api";
import { viewsReady } from "../views/lazy.svelte";
import { toIpcError, type IpcError } from "../ipc/index";
import { focusId } from "../wizard/answers";
import { mask } from "../wizard/mask";
import { nextStep, previousStep } from "../wizard/steps";

/** One line of the error summary: a link to the field (or to the page that asks it), or text. */
export type SummaryItem = { text: string; href?: string | null; onselect?: () => void };

/** Where a Change link leads: the page, the field to focus, and whether Continue comes back to Check. */
export type ChangeTarget<Step> = { step: Step; focus: string | null; returnToCheck?: boolean };

export type FlowOptions<Step> = {
  /** The page a new flow starts on. */
  first: Step;
  /** Check your answers: Continue after a Change link comes back here, Back too. */
  check: Step;
  /** Continue writes the draft (with the next page) before it moves on; a failed write stops it. */
  saveOnContinue: boolean;
};

export abstract class FormFlow<Step extends string> {
  /** The page on screen. */
  step = $state() as Step;
  /** Problems shown on the current page. */
  errors = $state<IpcError[]>([]);
  /** What each field held when the problems were found (messages do not change while typing). */
  protected errorValues: Record<string, string> = {};
  /** Bumped to move focus back to the error summary. */
  attempts = $state(0);
  busy = $state(false);
  /** Set by a Change link: Continue (and Back) go back to Check your answers. */
  returnToCheck = $state(false);
  /** The last {step, plan} written (or the untouched start): autosave skips what is already on disk. */
  private lastSaved = "";
  private readonly check: Step;
  private readonly saveOnContinue: boolean;

  /** The pages in order, as they are now. */
  abstract readonly steps: readonly Step[];
  /** The values presenter mode hides (besides what `mask` always hides). */
  abstract readonly sensitive: readonly string[];

  protected constructor(options: FlowOptions<Step>) {
    this.step = options.first;
    this.check = options.check;
    this.saveOnContinue = options.saveOnContinue;
  }

  /** Whether presenter mode is on. */
  protected abstract presenting(): boolean;
  /** The problems that keep Continue on `step` (none: it may go on). */
  protected abstract validate(step: Step): Promise<IpcError[]>;
  /** What a page does on arrival (before it is shown and focused). */
  protected abstract arrive(step: Step): Promise<void> | void;
  /** The page and field a Change link for `field` opens, or null. */
  protected abstract locate(field: string): ChangeTarget<Step> | null;
  /** The values of the fields, kept with problems so that their messages do not change while typing. */
  protected abstract fieldValues(): Record<string, string>;
  /** The input on this page that shows the problem, or null. */
  protected abstract inputOf(e: IpcError): string | null;
  /** The sentence for a problem (`input`: where it is shown, if at a field on this page). */
  protected abstract messageFor(e: IpcError, input: string | null): string;
  /** The summary's line for a problem whose (masked) sentence is `text`. */
  protected abstract summaryItem(e: IpcError, input: string | null, text: string): SummaryItem;
  /** The plan the draft holds (never a secret), or null when there is nothing to save. */
  protected abstract draftPlan(): unknown;

  /** Whether the summary lists a problem's fix under it (unless its sentence already says it). */
  protected listsFix(_e: IpcError): boolean {
    return true;
  }

  /** Text as it may appear on screen: masked in presenter mode. */
  show = (text: string): string => (this.presenting() ? mask(text, this.sensitive) : text);

  /** Shows `problems` and asks for the error summary's focus again. */
  fail(problems: IpcError[]): void {
    this.errors = problems;
    this.attempts += 1;
  }

  /** Problems found at the fields: their messages keep the values they were found with. */
  protected reject(problems: IpcError[]): void {
    this.errorValues = this.fieldValues();
    this.fail(problems);
  }

  /** Shows `step`; focuses its heading (or `focus`, a field path). */
  async goTo(step: Step, opts: { focus?: string | null; keepErrors?: boolean } = {}): Promise<void> {
    if (!opts.keepErrors) this.errors = [];
    this.step = step;
    if (step === this.check) this.returnToCheck = false;
    await this.arrive(step);
    await viewsReady();
    await tick();
    window.scrollTo(0, 0);
    const target = opts.focus ? document.getElementById(focusId(opts.focus)) : null;
    // A field under "More options" is shown before it takes the focus (a Change link to it).
    const fold = target?.closest("details");
    if (fold && !fold.open) fold.open = true;
    (target ?? document.getElementById("page-heading"))?.focus();
  }

  /** The page Continue leads to: Check your answers after a Change link, else the next one. */
  private following(): Step | null {
    return this.returnToCheck && this.steps.indexOf(this.step) < this.steps.indexOf(this.check)
      ? this.check
      : nextStep(this.steps, this.step);
  }

  /**
   * What Continue does on leaving `step` (its answers valid) for `next`, and where it then leads:
   * `next`, unless a flow's page does its own work on the way (the wizard's export page sends the
   * vendor its credentials and goes on to the test).
   */
  protected async leaving(_step: Step, next: Step): Promise<Step> {
    return next;
  }

  /** Continue: check this page, (autosave,) go on. */
  async continue(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const problems = await this.validate(this.step);
      if (problems.length > 0) {
        this.reject(problems);
        return;
      }
      const following = this.following();
      if (!following) return;
      const next = await this.leaving(this.step, following);
      // A draft that cannot be written is said, not passed over (the person stays on the page).
      if (this.saveOnContinue) await this.save(next);
      await this.goTo(next);
    } catch (e) {
      this.fail([toIpcError(e)]);
    } finally {
      this.busy = false;
    }
  }

  async back(): Promise<void> {
    const prev = this.returnToCheck ? this.check : previousStep(this.steps, this.step);
    if (prev) await this.goTo(prev);
  }

  /** A Change link on Check your answers (or an error link there): go to the field, come back after. */
  async change(field: string): Promise<void> {
    const target = this.locate(field);
    if (!target) return;
    this.returnToCheck = target.returnToCheck ?? true;
    await this.goTo(target.step, { focus: target.focus });
  }

  /** The message shown at a field, or null. */
  errorAt = (path: string): string | null => {
    const e = this.errors.find((x) => this.inputOf(x) === path);
    return e ? this.show(this.messageFor(e, path)) : null;
  };

  /**
   * The error summary's lines: each problem, linked to its field where it has one, then its fix. A
   * line the summary already has (one value breaking several of the names a pack makes, worded
   * alike) is listed once.
   */
  summary = $derived.by((): SummaryItem[] => {
    const lines = this.errors.flatMap((e): SummaryItem[] => {
      const input = this.inputOf(e);
      const text = this.show(this.messageFor(e, input));
      const items = [this.summaryItem(e, input, text)];
      const fix = e.fix ? this.show(e.fix) : null;
      if (fix && this.listsFix(e) && !text.includes(fix)) items.push({ text: fix });
      return items;
    });
    return lines.filter((l, i) => lines.findIndex((o) => o.text === l.text && o.href === l.href) === i);
  });

  /** Autosave: the plan as typed plus the page; never a secret (Rust refuses secret-looking keys). */
  async save(step: Step = this.step): Promise<void> {
    const plan = this.draftPlan();
    if (plan === null) return;
    const snap = JSON.stringify({ step, plan });
    if (snap === this.lastSaved) return;
    await saveDraft({ version: 1, step, plan });
    this.lastSaved = snap;
  }

  /** The draft on disk is what the flow holds now, on page `step`: nothing to autosave yet. */
  protected markSaved(step: string): void {
    this.lastSaved = JSON.stringify({ step, plan: this.draftPlan() });
  }

  /**
   * Autosave while typing, debounced: call it in an `$effect` (it reads the page and every answer,
   * so the effect runs again on each change) and return what it returns (the cleanup). A kill -9
   * loses at most the last `delay` ms.
   */
  autosave(delay = 300): () => void {
    const step = this.step;
    const typed = JSON.stringify(this.draftPlan());
    const timer = setTimeout(() => {
      void typed;
      this.save(step).catch(() => {});
    }, delay);
    return () => clearTimeout(timer);
  }
}
