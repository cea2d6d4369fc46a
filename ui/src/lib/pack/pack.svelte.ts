// The "deploy a role pack" path's state: which pack, the variables typed, the current page, the
// problems Rust found, the preview, the export and the AWS apply. Talks to Rust only through
// $lib/ipc; the pure logic lives in pack.ts. Answers are autosaved in the same draft as the vendor
// wizard's (the last path worked on is the one offered on resume; see restore()).
import { tick } from "svelte";
import { DryRunApply } from "../apply.svelte";
import { awsIdentity, pickFolder, saveDraft, type Draft, type ExportResult } from "../ipc/api";
import { toIpcError, type IpcError } from "../ipc/index";
import { describeError, MESSAGES } from "../ipc/messages";
import {
  applyPackAws, exportPack, listPacks, previewPack, validatePackPlan,
  type PackApplyResult, type PackPreview, type PackSummary,
} from "../ipc/pack";
import { fieldId } from "../wizard/answers";
import { mask } from "../wizard/mask";
import { wizard } from "../wizard/wizard.svelte";
import {
  buildPackPlan, initialValues, isPackStep, nextStep, packDraftOf, otherMessage, PACK_EXPORT_FOLDER, PACK_FIELD, PACK_STEPS, previousStep,
  sensitivePackValues, variableMessage, variableOf, variablePath, type PackStep, type Values,
} from "./pack";

export type PackSummaryItem = { text: string; href?: string | null; onselect?: () => void };

export class PackFlow {
  /** True while the pack path is on screen instead of the vendor wizard. */
  active = $state(false);
  step = $state<PackStep>("pack-choose");
  packs = $state<PackSummary[]>([]);
  loadError = $state<IpcError | null>(null);
  packId = $state<string | null>(null);
  /** What was typed, per pack: choosing another pack and coming back keeps it. */
  values = $state<Record<string, Values>>({});
  /** Problems shown on the current page. */
  errors = $state<IpcError[]>([]);
  /** What each variable held when the problems were found (messages do not change while typing). */
  private errorValues: Record<string, string> = {};
  /** Bumped to move focus back to the error summary. */
  attempts = $state(0);
  busy = $state(false);
  /** Set by a Change link: Continue on the variables page goes back to Check your answers. */
  returnToCheck = $state(false);
  preview = $state<PackPreview | null>(null);
  exported = $state<ExportResult | null>(null);
  exportFolder = $state("");
  exporting = $state(false);
  /** The person chose Cancel in the native confirmation of a typed folder: nothing was written. */
  exportCancelled = $state(false);
  /** Apply (AWS): the dry run shown, for which plan, and the result of applying it. */
  readonly applyRun = new DryRunApply<PackApplyResult>();

  pack = $derived(this.packs.find((p) => p.id === this.packId) ?? null);
  current = $derived<Values>(this.packId ? (this.values[this.packId] ?? {}) : {});
  plan = $derived(buildPackPlan(this.packId ?? "", this.current));
  planKey = $derived(JSON.stringify(this.plan));
  sensitive = $derived(sensitivePackValues(this.pack, this.current));
  stepNumber = $derived(PACK_STEPS.indexOf(this.step) + 1);

  constructor(private presenter: () => boolean = () => false) {}

  /** Text as it may appear on screen: masked in presenter mode. */
  show = (text: string): string => (this.presenter() ? mask(text, this.sensitive) : text);

  private lastSaved = "";

  /** Autosave: the pack, every value as typed (blanks included) and the page. Never a secret: a
   *  pack has no secret variable, and Rust refuses secret-looking keys in a draft. */
  async save(): Promise<void> {
    if (!this.active || !this.packId) return;
    const plan = { version: 1, pack: this.packId, variables: { ...this.current } };
    const snap = JSON.stringify({ step: this.step, plan });
    if (snap === this.lastSaved) return;
    await saveDraft({ version: 1, step: this.step, plan });
    this.lastSaved = snap;
  }

  /** "Resume where you left off" for a saved role-pack draft; false when the draft is not one. */
  async restore(draft: Draft): Promise<boolean> {
    const d = packDraftOf(draft.plan);
    if (!d) return false;
    this.active = true;
    if (this.packs.length === 0) await this.loadPacks();
    const pack = this.packs.find((p) => p.id === d.pack);
    if (!pack) {
      await this.goTo("pack-choose");
      return true;
    }
    this.packId = pack.id;
    this.values[pack.id] = { ...initialValues(pack), ...d.variables };
    this.lastSaved = JSON.stringify({ step: draft.step, plan: { version: 1, pack: pack.id, variables: { ...this.values[pack.id] } } });
    await this.goTo(isPackStep(draft.step) ? draft.step : "pack-variables");
    return true;
  }

  /** "Deploy an AWS role pack instead" on the start page. */
  async open(): Promise<void> {
    this.active = true;
    this.loadError = null;
    this.returnToCheck = false;
    // What was typed stays (per pack); what was done with it last time does not.
    this.preview = null;
    this.exported = null;
    this.applyRun.reset();
    await this.goTo("pack-choose");
    if (this.packs.length === 0) await this.loadPacks();
  }

  async loadPacks(): Promise<void> {
    this.loadError = null;
    try {
      this.packs = await listPacks();
    } catch (e) {
      this.loadError = toIpcError(e);
    }
  }

  /** Back from the first page: the vendor wizard's start page again. */
  async close(): Promise<void> {
    this.active = false;
    this.errors = [];
    await tick();
    window.scrollTo(0, 0);
    document.getElementById("page-heading")?.focus();
  }

  /** Shows `step`; focuses its heading (or the field at path `focus`). */
  async goTo(step: PackStep, opts: { focus?: string | null } = {}): Promise<void> {
    this.errors = [];
    this.step = step;
    if (step === "pack-variables") {
      this.ensureValues();
      void this.detectAccount();
    }
    if (step === "pack-check") {
      this.returnToCheck = false;
      void this.loadPreview();
    }
    if (step === "pack-export" && !this.preview) void this.loadPreview();
    await tick();
    window.scrollTo(0, 0);
    const target = opts.focus ? document.getElementById(fieldId(opts.focus)) : null;
    (target ?? document.getElementById("page-heading"))?.focus();
  }

  /** The AWS account this computer's credentials act in (GetCallerIdentity), once; null if none. */
  detectedAccount = $state<string | null>(null);
  private detecting = false;

  /** Fills AWS_ACCOUNT (and AWS_PARTITION) from this computer's AWS credentials when they are
   *  empty, like the wizard's AWS page. Without credentials nothing happens: the person types them. */
  async detectAccount(): Promise<void> {
    const pack = this.pack;
    if (!pack || this.detecting || !pack.variables.some((v) => v.name === "AWS_ACCOUNT")) return;
    this.detecting = true;
    try {
      const { caller } = await awsIdentity(this.current.AWS_REGION?.trim() || undefined);
      this.detectedAccount = caller.account;
      if (this.packId !== pack.id) return;
      if (!(this.current.AWS_ACCOUNT ?? "").trim()) this.setValue("AWS_ACCOUNT", caller.account);
      const partition = caller.arn.split(":")[1];
      if (pack.variables.some((v) => v.name === "AWS_PARTITION") && !(this.current.AWS_PARTITION ?? "").trim() && partition)
        this.setValue("AWS_PARTITION", partition);
    } catch {
      // no AWS credentials here
    } finally {
      this.detecting = false;
    }
  }

  /** The chosen pack's values, starting from its defaults the first time. */
  private ensureValues(): void {
    const pack = this.pack;
    if (pack && !this.values[pack.id]) this.values[pack.id] = initialValues(pack);
  }

  /** Sets one variable of the chosen pack. */
  setValue(name: string, value: string): void {
    if (!this.packId) return;
    this.ensureValues();
    this.values[this.packId][name] = value;
  }

  /** Continue: the page's fields validated in Rust, then the next page. */
  async continue(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      let problems: IpcError[] = [];
      if (this.step === "pack-choose") {
        // This page owns `pack` itself (problems in the pack's roles, `pack.roles[…]`, are the variables').
        problems = (await validatePackPlan(this.plan, [PACK_FIELD])).filter((e) => e.field === PACK_FIELD || e.field === "plan");
      }
      else if (this.step === "pack-variables") problems = await validatePackPlan(this.plan);
      else if (this.step === "pack-check" && !this.preview) problems = await validatePackPlan(this.plan);
      if (problems.length > 0) {
        this.errorValues = { ...this.current };
        this.errors = problems;
        this.attempts += 1;
        return;
      }
      const next = this.returnToCheck && this.step === "pack-variables" ? "pack-check" : nextStep(this.step);
      if (next) await this.goTo(next);
    } catch (e) {
      this.errors = [toIpcError(e)];
      this.attempts += 1;
    } finally {
      this.busy = false;
    }
  }

  async back(): Promise<void> {
    if (this.step === "pack-choose") return this.close();
    const prev = this.returnToCheck ? "pack-check" : previousStep(this.step);
    if (prev) await this.goTo(prev);
  }

  /** A Change link on Check your answers: to the page that asks, the field focused; Continue comes back. */
  async change(field: string): Promise<void> {
    if (field === PACK_FIELD) {
      this.returnToCheck = false;
      await this.goTo("pack-choose", { focus: `${PACK_FIELD}-0` });
      return;
    }
    this.returnToCheck = true;
    await this.goTo("pack-variables", { focus: field });
  }

  /** Check your answers: every problem (with links to the field), else the preview. */
  async loadPreview(): Promise<void> {
    this.preview = null;
    const key = this.planKey;
    try {
      const problems = await validatePackPlan(this.plan);
      if (problems.length > 0) {
        this.errorValues = { ...this.current };
        this.errors = problems;
        this.attempts += 1;
        return;
      }
      const preview = await previewPack(this.plan);
      if (key === this.planKey) this.preview = preview;
    } catch (e) {
      this.errors = [toIpcError(e)];
      this.attempts += 1;
    }
  }

  /** The message shown at a field (`variables.NAME`, `pack` or the export folder), or null. */
  errorAt = (path: string): string | null => {
    const e = this.errors.find((x) => x.field === path);
    return e ? this.show(this.messageFor(e)) : null;
  };

  private messageFor(e: IpcError): string {
    const name = variableOf(e.field);
    if (name) return variableMessage(e, this.errorValues[name] ?? this.current[name] ?? "");
    if (!e.code.startsWith("validation")) return describeError(e);
    return otherMessage(e);
  }

  /** The error summary's lines: links to the field on this page, or Change links from the check page. */
  summary = $derived.by((): PackSummaryItem[] =>
    this.errors.flatMap((e): PackSummaryItem[] => {
      const text = this.show(this.messageFor(e));
      const items: PackSummaryItem[] = [];
      const name = variableOf(e.field);
      if (name && this.step === "pack-variables") items.push({ text, href: `#${fieldId(variablePath(name))}` });
      else if (name) {
        const field = variablePath(name);
        items.push({ text, href: `#${fieldId(field)}`, onselect: () => this.change(field) });
      } else if (e.field === PACK_FIELD && this.step === "pack-choose") items.push({ text, href: `#${fieldId(PACK_FIELD)}-0` });
      else if (e.field === PACK_EXPORT_FOLDER) items.push({ text, href: `#${fieldId(PACK_EXPORT_FOLDER)}` });
      else items.push({ text });
      // A variable's own fix is its example, which its hint already shows.
      const fix = e.fix ? this.show(e.fix) : null;
      if (fix && !name && !text.includes(fix)) items.push({ text: fix });
      return items;
    }),
  );

  private exportFailed(e: unknown): void {
    const err = toIpcError(e);
    if (err.code === "export.cancelled") {
      this.exportCancelled = true;
      return;
    }
    // A field's own problem stays at its field in Rust's words; anything else is shown at the folder, in ours.
    const own = err.code.startsWith("validation");
    this.errors = [{ ...err, field: own ? err.field : PACK_EXPORT_FOLDER, message: own ? err.message : describeError(err) }];
    this.attempts += 1;
  }

  /** Exports into a new folder under `parent`. */
  async exportTo(parent: string): Promise<boolean> {
    if (this.exporting) return false;
    this.exporting = true;
    this.exportCancelled = false;
    this.errors = [];
    try {
      this.exported = await exportPack(this.plan, parent);
      return true;
    } catch (e) {
      this.exportFailed(e);
      return false;
    } finally {
      this.exporting = false;
    }
  }

  /** "Choose a folder and export": the native folder picker. */
  async exportPicked(): Promise<boolean> {
    try {
      const folder = await pickFolder();
      return folder ? await this.exportTo(folder) : false;
    } catch (e) {
      this.exportFailed(e);
      return false;
    }
  }

  /** "Export to this folder": the typed path, which must be absolute. */
  async exportTyped(): Promise<boolean> {
    const folder = this.exportFolder.trim();
    if (!/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(folder)) {
      const code = folder === "" ? "export.folder_missing" : "export.folder_not_absolute";
      this.errors = [{ code, message: MESSAGES[code], field: PACK_EXPORT_FOLDER, fix: null }];
      this.attempts += 1;
      return false;
    }
    return this.exportTo(folder);
  }

  /** Apply, step 1: what would change, and as whom (nothing is changed). */
  previewApply(): Promise<void> {
    return this.applyRun.dryRun(this.planKey, () => applyPackAws(this.plan, true));
  }

  /**
   * Apply, step 2: make the previewed changes. Rust asks the person to confirm in a native dialog
   * first (Cancel: `apply.cancelled`, nothing applied) and checks the account again.
   */
  applyNow(): Promise<void> {
    return this.applyRun.apply(() => applyPackAws(this.plan, false));
  }
}

export const packFlow = new PackFlow(() => wizard.presenter);
