// The "deploy a role pack" path's state: which pack, the variables typed, the preview, the export
// and the AWS apply. The form-flow mechanics (Continue / Back, the error summary, Change links,
// autosave) are the shared base's (../flow/flow.svelte), as for the vendor wizard. Talks to Rust
// only through $lib/ipc; the pure logic lives in pack.ts. Answers are autosaved in the same draft
// as the vendor wizard's (the last path worked on is the one offered on resume; see restore()).
import { tick } from "svelte";
import { DryRunApply } from "../apply.svelte";
import { FormFlow, type ChangeTarget, type SummaryItem } from "../flow/flow.svelte";
import { FolderExport } from "../flow/folder-export.svelte";
import { isRoute, routeFor, withRoute, type Route } from "../flow/route";
import { awsIdentity, type AwsSignedIn, type Draft } from "../ipc/api";
import { toIpcError, type IpcError } from "../ipc/index";
import { describeError } from "../ipc/messages";
import {
  applyPackAws, exportPack, listPacks, previewPack, validatePackPlan, verifyPackAws,
  type PackApplyResult, type PackPreview, type PackSummary,
} from "../ipc/pack";
import type { Probe } from "../ipc/bindings/Probe";
import { fieldId } from "../wizard/answers";
import { wizard } from "../wizard/wizard.svelte";
import {
  buildPackPlan, initialValues, isPackStep, packDraftOf, otherMessage, PACK_EXPORT_FOLDER, PACK_FIELD, PACK_STEPS,
  sensitivePackValues, variableMessage, variableOf, variablePath, type PackStep, type Values,
} from "./pack";

export class PackFlow extends FormFlow<PackStep> {
  /** True while the pack path is on screen instead of the vendor wizard. */
  active = $state(false);
  readonly steps = PACK_STEPS;
  packs = $state<PackSummary[]>([]);
  loadError = $state<IpcError | null>(null);
  packId = $state<string | null>(null);
  /** What was typed, per pack: choosing another pack and coming back keeps it. */
  values = $state<Record<string, Values>>({});
  preview = $state<PackPreview | null>(null);
  /** Export into a folder: what was written, the typed folder, a Cancel in Rust's dialog. */
  readonly exports: FolderExport = new FolderExport(this, PACK_EXPORT_FOLDER, (parent) => exportPack(this.plan, parent));
  /** Apply (AWS): the dry run shown, for which plan, and the result of applying it. */
  readonly applyRun = new DryRunApply<PackApplyResult>();
  /**
   * "Check the roles in AWS": the pack read back and compared (each policy and role, with a fix
   * for what differs), for which plan; null before the first check or after the plan changed.
   */
  roleCheck = $state<{ probes: Probe[]; planKey: string } | null>(null);
  roleCheckError = $state<IpcError | null>(null);
  checkingRoles = $state(false);
  /** Bumped when the sign-in changes or the path opens again: a check still reading the account
   *  then is of another identity's view of it, and its result is dropped. */
  private checkRound = 0;
  /** The AWS account this computer's credentials act in (GetCallerIdentity), once; null if none. */
  detectedAccount = $state<string | null>(null);
  /** The AWS sign-in made in the window (access portal, profile, pasted), or null: this computer's own. */
  signedIn = $state<AwsSignedIn | null>(null);
  private detecting = false;
  /** "How do you want to set this up?": the person's answer (autosaved), null before they answer. */
  chosenRoute = $state<Route | null>(null);

  pack = $derived(this.packs.find((p) => p.id === this.packId) ?? null);
  current = $derived<Values>(this.packId ? (this.values[this.packId] ?? {}) : {});
  plan = $derived(buildPackPlan(this.packId ?? "", this.current));
  planKey = $derived(JSON.stringify(this.plan));
  /** What presenter mode hides: the pack's identifiers, and the export folder (its path often names the person). */
  sensitive = $derived(
    [...sensitivePackValues(this.pack, this.current), ...this.exports.sensitive].filter((v) => v.length >= 3),
  );
  stepNumber = $derived(PACK_STEPS.indexOf(this.step) + 1);
  /**
   * The route in force, as in the vendor wizard: the answer, or before it is given apply when this
   * computer's AWS credentials were found for the pack's account, else export.
   */
  route = $derived<Route>(
    routeFor({ hasAws: true, chosen: this.chosenRoute, detectedAccount: this.detectedAccount, planAccount: this.current.AWS_ACCOUNT }),
  );

  /** The radios of the set-up question. */
  setRoute = (value: string | null): void => {
    if (isRoute(value)) this.chosenRoute = value;
  };

  constructor(private presenter: () => boolean = () => false) {
    super({ first: "pack-choose", check: "pack-check", saveOnContinue: false });
  }

  protected presenting(): boolean {
    return this.presenter();
  }

  /** What autosave writes: the pack, every value as typed (blanks included), and the set-up route
   *  once answered. Never a secret: a pack has no secret variable, and Rust refuses secret-looking
   *  keys in a draft. */
  protected draftPlan(): { version: number; pack: string; variables: Values; route?: Route } | null {
    if (!this.active || !this.packId) return null;
    return withRoute({ version: 1, pack: this.packId, variables: { ...this.current } }, this.chosenRoute);
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
    this.chosenRoute = d.route;
    this.markSaved(draft.step);
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
    this.exports.reset();
    this.applyRun.reset();
    this.roleCheck = null;
    this.roleCheckError = null;
    this.checkRound += 1;
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

  /** What a page does on arrival. */
  protected arrive(step: PackStep): void {
    if (step === "pack-variables") {
      this.ensureValues();
      void this.detectAccount();
    }
    if (step === "pack-check") void this.loadPreview();
    // The set-up question preselects apply when credentials for the pack's account are found.
    if (step === "pack-route" && this.detectedAccount === null) void this.detectAccount();
    if (step === "pack-export") this.exports.arrived();
    if (step === "pack-export" && !this.preview) void this.loadPreview();
  }

  /** Signed in to AWS another way (null: back to this computer's own): detect and dry-run again as the new identity. */
  async signedInChanged(s: AwsSignedIn | null): Promise<void> {
    this.signedIn = s;
    this.detectedAccount = null;
    this.applyRun.reset();
    this.roleCheck = null;
    this.roleCheckError = null;
    this.checkRound += 1;
    await this.detectAccount();
  }

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

  /** Continue: the page's fields validated in Rust. */
  protected async validate(step: PackStep): Promise<IpcError[]> {
    // The choose page owns `pack` itself (problems in the pack's roles, `pack.roles[…]`, are the variables').
    if (step === "pack-choose") return (await validatePackPlan(this.plan, [PACK_FIELD])).filter((e) => e.field === PACK_FIELD || e.field === "plan");
    if (step === "pack-variables") return validatePackPlan(this.plan);
    if (step === "pack-check" && !this.preview) return validatePackPlan(this.plan);
    // The answer on screen (perhaps the preselected one) is the answer: remembered and autosaved.
    if (step === "pack-route") this.chosenRoute = this.route;
    return [];
  }

  protected fieldValues(): Record<string, string> {
    return { ...this.current };
  }

  /** Back from the first page: the vendor wizard's start page again. */
  override async back(): Promise<void> {
    if (this.step === "pack-choose") return this.close();
    return super.back();
  }

  /** A Change link on Check your answers: to the page that asks, the field focused; Continue comes back. */
  protected locate(field: string): ChangeTarget<PackStep> {
    if (field === PACK_FIELD) return { step: "pack-choose", focus: `${PACK_FIELD}-0`, returnToCheck: false };
    return { step: "pack-variables", focus: field };
  }

  /** Check your answers: every problem (with links to the field), else the preview. */
  async loadPreview(): Promise<void> {
    this.preview = null;
    const key = this.planKey;
    try {
      const problems = await validatePackPlan(this.plan);
      if (problems.length > 0) {
        this.reject(problems);
        return;
      }
      const preview = await previewPack(this.plan);
      if (key === this.planKey) this.preview = preview;
    } catch (e) {
      this.fail([toIpcError(e)]);
    }
  }

  /** Problems are shown at their own field: `variables.NAME`, `pack` or the export folder. */
  protected inputOf(e: IpcError): string | null {
    return e.field;
  }

  protected messageFor(e: IpcError): string {
    const name = variableOf(e.field);
    if (name) return variableMessage(e, this.errorValues[name] ?? this.current[name] ?? "", this.pack?.variables.find((v) => v.name === name)?.kind);
    if (!e.code.startsWith("validation")) return describeError(e);
    return otherMessage(e);
  }

  /** A link to the field on this page, or a Change link from the check page. */
  protected summaryItem(e: IpcError, _input: string | null, text: string): SummaryItem {
    const name = variableOf(e.field);
    if (name && this.step === "pack-variables") return { text, href: `#${fieldId(variablePath(name))}` };
    if (name) {
      const field = variablePath(name);
      return { text, href: `#${fieldId(field)}`, onselect: () => this.change(field) };
    }
    if (e.field === PACK_FIELD && this.step === "pack-choose") return { text, href: `#${fieldId(PACK_FIELD)}-0` };
    if (e.field === PACK_EXPORT_FOLDER) return { text, href: `#${fieldId(PACK_EXPORT_FOLDER)}` };
    return { text };
  }

  /** A variable's own fix is its example, which its hint already shows. */
  protected override listsFix(e: IpcError): boolean {
    return !variableOf(e.field);
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

  /** "Check the roles in AWS": reads the pack back and compares it (nothing is changed). */
  async checkRoles(): Promise<void> {
    if (this.checkingRoles) return;
    this.checkingRoles = true;
    // The last result goes while the account is read again: what is shown is never stale.
    this.roleCheck = null;
    this.roleCheckError = null;
    const planKey = this.planKey;
    const round = this.checkRound;
    try {
      const probes = await verifyPackAws(this.plan);
      if (round === this.checkRound) this.roleCheck = { probes, planKey };
    } catch (e) {
      if (round === this.checkRound) this.roleCheckError = toIpcError(e);
    } finally {
      this.checkingRoles = false;
    }
  }
}

export const packFlow = new PackFlow(() => wizard.presenter);
