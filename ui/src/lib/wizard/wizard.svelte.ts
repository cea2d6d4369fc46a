// The wizard's state: answers, current step, errors, presenter mode. Talks to Rust only through
// $lib/ipc. The pure logic lives in steps.ts / answers.ts; this wires it to Svelte and IPC.
import { tick } from "svelte";
import {
  clearDraft, listProfiles, loadDraft, newExternalId, preview, saveDraft, validatePlan,
  type Draft, type ExportResult, type Preview, type ProfileSummary,
} from "../ipc/api";
import { toIpcError, type IpcError } from "../ipc/index";
import { describeError } from "../ipc/messages";
import {
  answersFromPlan, applyProfileDefaults, buildPlan, compactAnswers, emptyAnswers, fieldsForStep, focusId,
  inputFor, inputsForStep, problemsForStep, sensitiveValues, stepContext, stepForField, valueAt, type Answers,
} from "./answers";
import { fieldMessage } from "./errors";
import { mask } from "./mask";
import { isStep, nextStep, previousStep, progress, stepsFor, stepTitle, type StepId } from "./steps";

export type Screen = "loading" | "failed" | "resume" | "wizard";
export type SummaryItem = { text: string; href?: string | null; onselect?: () => void };

/** Field path of the export page's "type a folder" input (not a plan field). */
export const EXPORT_FOLDER = "export.folder";

export class Wizard {
  screen = $state<Screen>("loading");
  loadError = $state<IpcError | null>(null);
  profiles = $state<ProfileSummary[]>([]);
  answers = $state<Answers>(emptyAnswers());
  step = $state<StepId>("start");
  draft = $state<Draft | null>(null);
  /** Problems shown on the current page. */
  errors = $state<IpcError[]>([]);
  /** What each field held when the problems were found (messages do not change while typing). */
  private errorValues: Record<string, string> = {};
  /** The last {step, plan} written (or the untouched start): autosave skips what is already on disk. */
  private lastSaved = "";
  /** Bumped to move focus back to the error summary. */
  attempts = $state(0);
  busy = $state(false);
  /** Set by a Change link: Continue goes back to Check your answers. */
  returnToCheck = $state(false);
  presenter = $state(false);
  preview = $state<Preview | null>(null);
  exported = $state<ExportResult | null>(null);
  exportFolder = $state("");
  /** User actions (clicks, keys, fields filled) are counted by the e2e test, not here. */

  profile = $derived(this.profiles.find((p) => p.id === this.answers.platform) ?? null);
  steps = $derived(stepsFor(stepContext(this.answers, this.profile)));
  plan = $derived(buildPlan(this.answers, this.profile));
  sensitive = $derived(sensitiveValues(this.answers));
  progress = $derived(progress(this.steps, this.step));
  inputs = $derived(this.step === "export" ? [EXPORT_FOLDER] : inputsForStep(this.step, this.answers, this.profile));

  /** Text as it may appear on screen: masked in presenter mode. */
  show = (text: string): string => (this.presenter ? mask(text, this.sensitive) : text);

  togglePresenter = () => {
    this.presenter = !this.presenter;
  };

  async init(): Promise<void> {
    this.screen = "loading";
    try {
      const [profiles, draft] = await Promise.all([listProfiles(), loadDraft().catch(() => null)]);
      this.profiles = profiles;
      if (profiles.length === 1 && !this.answers.platform) {
        this.answers.platform = profiles[0].id;
        applyProfileDefaults(this.answers, profiles[0], null);
      }
      this.draft = draft;
      this.screen = draft ? "resume" : "wizard";
      // An untouched wizard is not worth resuming: nothing is saved until something changes.
      this.lastSaved = this.snapshot(this.step);
    } catch (e) {
      this.loadError = toIpcError(e);
      this.screen = "failed";
    }
    await tick();
    performance.mark("trustbridge-interactive");
  }

  /** "Resume where you left off". */
  async resume(): Promise<void> {
    const draft = this.draft;
    if (!draft) return;
    this.answers = answersFromPlan(draft.plan);
    this.screen = "wizard";
    const step = isStep(this.steps, draft.step) ? draft.step : "start";
    await this.goTo(step);
  }

  /** "Start again": forget the saved answers. */
  async startAgain(): Promise<void> {
    try {
      await clearDraft();
    } catch {
      // a draft we cannot delete is overwritten at the next Continue
    }
    this.answers = emptyAnswers();
    if (this.profiles.length === 1) {
      this.answers.platform = this.profiles[0].id;
      applyProfileDefaults(this.answers, this.profiles[0], null);
    }
    this.draft = null;
    this.lastSaved = this.snapshot("start");
    this.preview = null;
    this.exported = null;
    this.returnToCheck = false;
    this.screen = "wizard";
    await this.goTo("start");
  }

  /** Shows `step`; focuses its heading (or `focus`, a field path). */
  async goTo(step: StepId, opts: { focus?: string | null; keepErrors?: boolean } = {}): Promise<void> {
    if (!opts.keepErrors) this.errors = [];
    this.step = step;
    if (step === "check") this.returnToCheck = false;
    if (step === "aws-identity") await this.ensureExternalId();
    await tick();
    window.scrollTo(0, 0);
    const target = opts.focus ? document.getElementById(focusId(opts.focus)) : null;
    (target ?? document.getElementById("page-heading"))?.focus();
  }

  private async ensureExternalId(): Promise<void> {
    const policy = this.profile?.defaults.aws_external_id;
    if (policy === "none" || this.answers.aws.external_id.trim() !== "") return;
    try {
      this.answers.aws.external_id = await newExternalId();
    } catch (e) {
      this.errors = [toIpcError(e)];
    }
  }

  async regenerateExternalId(): Promise<void> {
    try {
      this.answers.aws.external_id = await newExternalId();
    } catch (e) {
      this.errors = [toIpcError(e)];
      this.attempts += 1;
    }
  }

  /** Autosave: the plan as typed plus the step; never a secret (Rust refuses secret-looking keys). */
  async save(step: StepId = this.step): Promise<void> {
    const snap = this.snapshot(step);
    if (snap === this.lastSaved) return;
    await saveDraft({ version: 1, step, plan: this.plan });
    this.lastSaved = snap;
  }

  private snapshot(step: StepId): string {
    return JSON.stringify({ step, plan: this.plan });
  }

  /** Continue: validate this step's fields in Rust, autosave, go on. */
  async continue(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      compactAnswers(this.answers);
      const fields = fieldsForStep(this.step);
      let problems: IpcError[] = [];
      if (fields !== null) {
        problems = problemsForStep(this.step, await validatePlan(this.plan, fields === "all" ? undefined : fields));
      }
      if (problems.length > 0) {
        this.errorValues = Object.fromEntries(this.inputs.map((i) => [i, valueAt(this.answers, i)]));
        this.errors = problems;
        this.attempts += 1;
        return;
      }
      const next =
        this.returnToCheck && this.steps.indexOf(this.step) < this.steps.indexOf("check")
          ? "check"
          : nextStep(this.steps, this.step);
      if (!next) return;
      try {
        await this.save(next);
      } catch (e) {
        // Not saving must not block the person; say so.
        this.errors = [toIpcError(e)];
        this.attempts += 1;
        return;
      }
      await this.goTo(next);
    } catch (e) {
      this.errors = [toIpcError(e)];
      this.attempts += 1;
    } finally {
      this.busy = false;
    }
  }

  async back(): Promise<void> {
    const prev = this.returnToCheck ? "check" : previousStep(this.steps, this.step);
    if (prev) await this.goTo(prev);
  }

  /** A Change link on Check your answers (or an error link there): go to the step, come back after. */
  async change(field: string): Promise<void> {
    const step = stepForField(field, this.steps);
    if (!step) return;
    this.returnToCheck = true;
    await this.goTo(step, { focus: inputFor(field, inputsForStep(step, this.answers, this.profile)) });
  }

  /** Check your answers: every problem of the whole plan (with links to its step), else the preview. */
  async loadPreview(): Promise<void> {
    this.preview = null;
    try {
      const problems = await validatePlan(this.plan);
      if (problems.length > 0) {
        this.errors = problems;
        this.attempts += 1;
        return;
      }
      this.preview = await preview(this.plan);
    } catch (e) {
      this.errors = [toIpcError(e)];
      this.attempts += 1;
    }
  }

  /** The message shown at a field, or null. */
  errorAt = (path: string): string | null => {
    const e = this.errors.find((x) => inputFor(x.field, this.inputs) === path);
    return e ? this.show(this.messageFor(e, path)) : null;
  };

  private messageFor(e: IpcError, input: string | null): string {
    if (!e.code.startsWith("validation")) return describeError(e);
    return fieldMessage(e, input, input ? (this.errorValues[input] ?? valueAt(this.answers, input)) : "");
  }

  /** The error summary's lines: links to fields on this page, or to the step that owns the field. */
  summary = $derived.by((): SummaryItem[] => {
    return this.errors.flatMap((e): SummaryItem[] => {
      const input = inputFor(e.field, this.inputs);
      const text = this.show(this.messageFor(e, input));
      const fix = e.fix ? this.show(e.fix) : null;
      const items: SummaryItem[] = [];
      if (input) items.push({ text, href: `#${focusId(input)}` });
      else {
        const owner = stepForField(e.field, this.steps);
        if (owner && owner !== this.step) {
          const where = ` (on the "${stepTitle(owner)}" page)`;
          items.push({ text: text + where, href: `#${focusId(e.field ?? "")}`, onselect: () => this.change(e.field ?? "") });
        } else items.push({ text });
      }
      if (fix && !text.includes(fix)) items.push({ text: fix });
      return items;
    });
  });
}

export const wizard = new Wizard();
