// The wizard's state: answers, current step, errors, presenter mode. Talks to Rust only through
// $lib/ipc. The pure logic lives in steps.ts / answers.ts; this wires it to Svelte and IPC.
import { tick } from "svelte";
import { DryRunApply } from "../apply.svelte";
import {
  acceptUnsignedProfile, applyAws, awsIdentity, clearDraft, confirmApply, credentialsStatus, importedProfile, importProfile, listProfiles,
  loadDraft, newExternalId, preview, registerVendor, saveDraft, storeCredentials, validatePlan, vendorKeyStatus, verifyPlan,
  type ApplyResult, type AwsAccount, type Cloud, type CredentialStatus, type Draft, type ExportResult, type ImportedProfile, type Plan,
  type Preview, type Probe, type ProbeUpdate, type ProfileSummary, type RegisterStep, type SecretKind, type Verdict,
} from "../ipc/api";
import { toIpcError, type IpcError } from "../ipc/index";
import { describeError } from "../ipc/messages";
import {
  answersFromPlan, applyProfileDefaults, applyRegistration, buildPlan, compactAnswers, emptyAnswers, externalIdPending,
  fieldsForStep, focusId, inputFor, inputsForStep, problemsForStep, sensitiveValues, stepContext, stepForField, valueAt,
  vendorIssuesExternalId, VENDOR_API_KEY, type Answers,
} from "./answers";
import { fieldMessage } from "./errors";
import { mask } from "./mask";
import {
  CLOUD_ORDER, isStep, nextStep, previousStep, progress, reachableSteps, sendClouds, stepsFor, stepTitle, type StepId,
} from "./steps";

export type Screen = "loading" | "failed" | "resume" | "wizard" | "profile-warning";
/** The `platform` of a vendor profile file imported through Rust's file picker. */
export const IMPORTED_PREFIX = "imported:";
/** A probe on the connectivity-test page: running until its result arrives. */
export type ProbeRow = Omit<Probe, "status"> & { status: Probe["status"] | "running" };
export type TestState = "idle" | "running" | "done" | "error";
export type SummaryItem = { text: string; href?: string | null; onselect?: () => void };
/** Registration with the vendor's API: what it did (each cloud's step) or why it failed. */
export type RegisterState = { running: boolean; steps: RegisterStep[]; error: IpcError | null };
const idleRegistration = (): RegisterState => ({ running: false, steps: [], error: null });

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
  /** The AWS account as this computer's credentials see it (null: not detected or no credentials). */
  awsAccount = $state<AwsAccount | null>(null);
  private awsDetecting = false;
  /** Apply (AWS): the dry run shown, for which plan, and the result of applying it. */
  readonly applyRun = new DryRunApply<ApplyResult>();
  /** Apply, step 2, in progress: the native confirmation, the registration, or the apply itself. */
  applyPhase = $state<"confirm" | "register" | "apply" | null>(null);
  /**
   * The existing role the person chose to adopt (`account/role name`; null: none). Only ever set by
   * its explicit checkbox, and only for that role: changing the account or role name drops it.
   */
  adoptRole = $state<string | null>(null);
  /** The plan (`planKey`) for which the person chose to apply although pre-flight found a blocking guardrail. */
  ignorePreflightFor = $state<string | null>(null);
  /** GCP / Azure credentials: stored or not, with their fingerprint (never the secret). */
  credentials = $state<CredentialStatus[]>([]);
  credentialsError = $state<IpcError | null>(null);
  /**
   * The vendor's API key as typed on the "Connect to {vendor}" page: held only until Continue sends
   * it to the OS keyring, never in the answers, the draft or the plan; cleared once stored.
   */
  vendorKey = $state("");
  /** Whether an API key is stored for this integration (its digest only), or null before asked. */
  vendorKeyStored = $state<CredentialStatus | null>(null);
  /** AWS registered with the vendor by Apply / Export (shown after apply), or why it failed. */
  awsRegistration = $state<RegisterState>(idleRegistration());
  /** The "Send to {vendor}" page: the GCP key / Azure secret registered with the vendor. */
  sendRun = $state<RegisterState>(idleRegistration());
  /** The connectivity test, live. */
  probes = $state<ProbeRow[]>([]);
  /** What the finished test proved, as Rust judged it (the CLI's rule: nothing proven is not a pass). */
  verdict = $state<Verdict | null>(null);
  testState = $state<TestState>("idle");
  testError = $state<IpcError | null>(null);
  /** Vendor profile files imported through Rust's file picker, by their `imported:…` id. */
  imported = $state<Record<string, ImportedProfile>>({});
  /** An imported file not signed by a trusted key: the warning page shows it until used or dropped. */
  importedPending = $state<ImportedProfile | null>(null);
  /** Where "Use it anyway" leads: the start page, or the page a resumed draft was at. */
  private afterAccept: StepId = "start";
  importing = $state(false);
  /** User actions (clicks, keys, fields filled) are counted by the e2e test, not here. */

  profile = $derived(this.profiles.find((p) => p.id === this.answers.platform) ?? null);
  /** Every page that may be shown, events pages left off the main path included (Change and error links). */
  reachable = $derived(reachableSteps(stepContext(this.answers, this.profile)));
  /**
   * An events page whose answer is the default is off the main path, but shown while the person is
   * on it (Change opened it) or while a problem is reported at its field.
   */
  private eventsOpen = $derived(
    Object.fromEntries(
      CLOUD_ORDER.map((c) => [
        c,
        this.step === `${c}-events` || this.errors.some((e) => stepForField(e.field, this.reachable) === `${c}-events`),
      ]),
    ),
  );
  steps = $derived(stepsFor({ ...stepContext(this.answers, this.profile), eventsOpen: this.eventsOpen }));
  plan = $derived(buildPlan(this.answers, this.profile));
  /** What presenter mode hides: the plan's identifiers, and the export folder (its path often names the person). */
  sensitive = $derived([...sensitiveValues(this.answers), this.exportFolder.trim(), this.exported?.dir ?? ""].filter((v) => v.length >= 3));
  progress = $derived(progress(this.steps, this.step, this.profile?.display_name));
  /** The vendor issues the external id and has not yet: Apply and Export register the role first. */
  externalIdPending = $derived(externalIdPending(this.answers, this.profile));
  /** The clouds whose key or secret the "Send to {vendor}" page hands over. */
  sendClouds = $derived(sendClouds(stepContext(this.answers, this.profile)));
  /** The plan as a string: an apply preview is only valid for the plan it was made for. */
  planKey = $derived(JSON.stringify(this.plan));
  /** The AWS role the plan names (`account/role name`), which an adoption is for. */
  roleKey = $derived(this.plan.aws ? `${this.plan.aws.account_id}/${this.plan.aws.role_name ?? this.profile?.defaults.aws_role_name ?? ""}` : "");
  /** Whether apply adopts the existing role: the person ticked the box for this very role. */
  adopt = $derived(this.adoptRole !== null && this.adoptRole === this.roleKey);
  /** An apply preview is valid for the plan and the adopt choice it was made with. */
  applyKey = $derived(this.adopt ? `${this.planKey}\nadopt` : this.planKey);
  /** Apply anyway, although pre-flight found something that would deny: ticked for this very plan. */
  ignorePreflight = $derived(this.ignorePreflightFor !== null && this.ignorePreflightFor === this.planKey);
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
    // A vendor profile file imported in an earlier run: Rust verifies its kept copy again; one that
    // is not signed by a trusted key is asked about again (an acceptance is never remembered).
    let pending: ImportedProfile | null = null;
    const platform = this.answers.platform;
    if (platform.startsWith(IMPORTED_PREFIX) && !this.profiles.some((p) => p.id === platform)) {
      try {
        const imported = await importedProfile(platform);
        if (imported.usable) this.addImported(imported);
        else pending = imported;
      } catch (e) {
        this.answers.platform = "";
        this.screen = "wizard";
        await this.goTo("start");
        this.errors = [{ ...toIpcError(e), field: null }];
        this.attempts += 1;
        return;
      }
    }
    const step = isStep(this.reachable, draft.step) ? draft.step : "start";
    if (pending) {
      this.showWarning(pending, step);
      return;
    }
    this.screen = "wizard";
    await this.goTo(step);
  }

  /**
   * "Use a vendor profile file…": Rust raises the native file picker, reads and verifies the file.
   * Signed by a trusted key: it becomes a choice, selected. Unsigned or an unknown key: the warning
   * page. Refused (a bad signature, a content error): the error summary. Cancel: nothing.
   */
  async importProfileFile(): Promise<void> {
    if (this.importing) return;
    this.importing = true;
    this.errors = [];
    try {
      const imported = await importProfile();
      if (imported.usable) {
        this.addImported(imported);
        this.selectProfile(imported.profile);
      } else this.showWarning(imported, "start");
    } catch (e) {
      const error = toIpcError(e);
      if (error.code === "profile.import_cancelled") return;
      // A content error names the part of the file it is in (Rust never echoes the file's content).
      const part = error.code === "profile.invalid" && error.field?.startsWith("profile.") ? error.field.slice("profile.".length) : null;
      const fix = part ? `The problem is in the file's "${part}" part. ${error.fix ?? ""}`.trim() : error.fix;
      this.errors = [{ ...error, field: null, fix }];
      this.attempts += 1;
    } finally {
      this.importing = false;
    }
  }

  /**
   * "Use it anyway" on the warning page: Rust asks the person in its own native dialog (which shows
   * the key fingerprint); only their yes there makes the profile usable. Cancel there: it stays
   * unused and the page says so.
   */
  async acceptImported(): Promise<void> {
    const pending = this.importedPending;
    if (!pending || this.busy) return;
    this.busy = true;
    this.errors = [];
    try {
      const accepted = await acceptUnsignedProfile(pending.profile.id);
      if (!accepted.usable) return;
      this.addImported(accepted);
      this.selectProfile(accepted.profile);
      this.importedPending = null;
      this.screen = "wizard";
      await this.goTo(this.afterAccept);
    } catch (e) {
      this.errors = [{ ...toIpcError(e), field: null }];
      this.attempts += 1;
    } finally {
      this.busy = false;
    }
  }

  /** "Choose another vendor" on the warning page: the file is not used. */
  async chooseAnotherVendor(): Promise<void> {
    const pending = this.importedPending;
    this.importedPending = null;
    if (pending && this.answers.platform === pending.profile.id) this.answers.platform = "";
    this.screen = "wizard";
    await this.goTo("start");
  }

  private showWarning(imported: ImportedProfile, after: StepId): void {
    this.imported = { ...this.imported, [imported.profile.id]: imported };
    this.importedPending = imported;
    this.afterAccept = after;
    this.errors = [];
    this.screen = "profile-warning";
    void tick().then(() => {
      window.scrollTo(0, 0);
      document.getElementById("page-heading")?.focus();
    });
  }

  /** A usable imported profile becomes one of the vendor choices. */
  private addImported(imported: ImportedProfile): void {
    this.imported = { ...this.imported, [imported.profile.id]: imported };
    this.profiles = [...this.profiles.filter((p) => p.id !== imported.profile.id), imported.profile];
  }

  private selectProfile(p: ProfileSummary): void {
    const previous = this.profile;
    this.answers.platform = p.id;
    if (previous !== p) applyProfileDefaults(this.answers, p, previous);
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
    this.resetCloud();
    this.returnToCheck = false;
    this.screen = "wizard";
    await this.goTo("start");
  }

  /** Shows `step`; focuses its heading (or `focus`, a field path). */
  async goTo(step: StepId, opts: { focus?: string | null; keepErrors?: boolean } = {}): Promise<void> {
    if (!opts.keepErrors) this.errors = [];
    this.step = step;
    if (step === "check") this.returnToCheck = false;
    if (step === "aws-identity") {
      void this.detectAws();
      await this.ensureExternalId();
    }
    if (step === "vendor") void this.loadVendorKey();
    else this.vendorKey = ""; // a key typed but not continued is forgotten on leaving the page
    // With AWS credentials on this computer, show what Apply would change straight away (read only).
    if (step === "export" && this.awsAccount && this.plan.aws && !this.applyRun.running && !this.applyRun.applied) {
      if (this.applyRun.previewFor !== this.applyKey) void this.previewApply();
    }
    // The test page's only purpose: run it on arrival (read only); "Run the test again" reruns it.
    if (step === "test" && this.testState === "idle") void this.runTest();
    await tick();
    window.scrollTo(0, 0);
    const target = opts.focus ? document.getElementById(focusId(opts.focus)) : null;
    (target ?? document.getElementById("page-heading"))?.focus();
  }

  private async ensureExternalId(): Promise<void> {
    const policy = this.profile?.defaults.aws_external_id;
    // A vendor that issues the external id gets none from us (registration records its own).
    if (vendorIssuesExternalId(this.profile)) return;
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
      if (problems.length === 0 && this.step === "vendor") problems = await this.connectVendor();
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
    const step = stepForField(field, this.reachable);
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

  private resetCloud(): void {
    this.awsAccount = null;
    this.applyRun.reset();
    this.applyPhase = null;
    this.adoptRole = null;
    this.ignorePreflightFor = null;
    this.vendorKey = "";
    this.vendorKeyStored = null;
    this.awsRegistration = idleRegistration();
    this.sendRun = idleRegistration();
    this.credentials = [];
    this.credentialsError = null;
    this.probes = [];
    this.testState = "idle";
    this.testError = null;
  }

  /**
   * Reads who the AWS credentials on this computer are (GetCallerIdentity) and the buckets and event
   * buses they see. Prefills an empty account id; saves the person looking it up. Silent without
   * credentials: the field's hint says where to find the id.
   */
  async detectAws(): Promise<void> {
    if (this.awsAccount || this.awsDetecting) return;
    this.awsDetecting = true;
    try {
      const account = await awsIdentity(this.answers.aws.region.trim() || undefined);
      this.awsAccount = account;
      if (this.answers.aws.account_id.trim() === "") this.answers.aws.account_id = account.caller.account;
    } catch {
      // no AWS credentials here: the person types the account id
    } finally {
      this.awsDetecting = false;
    }
  }

  /**
   * Apply, step 1: what would change, and as whom (nothing is changed). Before a vendor that issues
   * the external id has registered the role, Rust shows the changes with a stand-in for the id.
   */
  previewApply(): Promise<void> {
    const adopt = this.adopt;
    return this.applyRun.dryRun(this.applyKey, () => applyAws(this.plan, true, adopt));
  }

  /**
   * The "Adopt the existing role" checkbox: on, the dry run is made again with adopt, so the page
   * lists what the role can already do (and the warnings) before anything is applied; off, without.
   */
  async setAdopt(on: boolean): Promise<void> {
    this.adoptRole = on ? this.roleKey : null;
    await this.previewApply();
  }

  /**
   * Apply, step 2: make the previewed changes. First the person confirms in a native dialog that
   * Rust raises with its own text (Cancel: nothing happens, not even the registration). The backend
   * checks the account again. A vendor with a registration API gets the role registered next (it
   * issues the external id the role's trust needs); the ids it answers with go into the answers
   * (autosaved) even if the apply then fails.
   */
  async applyNow(): Promise<void> {
    const adopt = this.adopt;
    const ignorePreflight = this.ignorePreflight;
    await this.applyRun.apply(async () => {
      try {
        this.applyPhase = "confirm";
        await confirmApply(this.plan, adopt, ignorePreflight);
        this.applyPhase = this.profile?.registration ? "register" : "apply";
        const plan = this.profile?.registration ? await this.registerAws() : this.plan;
        this.applyPhase = "apply";
        const result = await applyAws(plan, false, adopt, ignorePreflight);
        // The dry run was made for the plan before registration; it stays the one on screen.
        this.applyRun.previewFor = this.applyKey;
        return result;
      } finally {
        this.applyPhase = null;
      }
    });
    if (this.applyRun.applied && !this.applyRun.error) await this.afterApply();
  }

  /**
   * Applied: when AWS is the only cloud there is nothing left to set up on this page, so the
   * connectivity test page comes next and runs the test (again, since the role just changed). Back
   * returns to the applied result. With other clouds the person still exports for them here.
   */
  private async afterApply(): Promise<void> {
    if (this.step !== "export" || this.plan.gcp || this.plan.azure) return;
    const next = nextStep(this.steps, "export");
    if (next !== "test") return;
    if (this.testState !== "running") this.testState = "idle";
    await this.save(next).catch(() => {});
    await this.goTo(next);
  }

  /**
   * Registers the AWS role with the vendor (idempotent: a recorded registration is kept) and takes
   * the vendor-issued external id and credentials id into the answers. Resolves with the plan that
   * holds them; throws the registration's error (also kept in `awsRegistration`).
   */
  async registerAws(): Promise<Plan> {
    this.awsRegistration = { running: true, steps: [], error: null };
    try {
      const result = await this.register(["aws"]);
      this.awsRegistration = { running: false, steps: result.steps, error: null };
      return result.plan;
    } catch (e) {
      const error = toIpcError(e);
      this.awsRegistration = { running: false, steps: [], error };
      throw error;
    }
  }

  /** Registers `clouds` with the vendor's API and keeps what it recorded in the answers (saved now). */
  private async register(clouds: Cloud[]) {
    const result = await registerVendor(this.plan, clouds, false);
    applyRegistration(this.answers, result.plan);
    await this.save().catch(() => {});
    // The documents and the hand-off now carry the vendor's ids: render them again.
    if (this.preview) void this.loadPreview();
    return result;
  }

  /** "Send to {vendor}": the GCP key / Azure secret from the keyring to the vendor's API. */
  async sendToVendor(): Promise<void> {
    if (this.sendRun.running) return;
    this.sendRun = { running: true, steps: [], error: null };
    try {
      const result = await this.register([...this.sendClouds]);
      this.sendRun = { running: false, steps: result.steps, error: null };
    } catch (e) {
      this.sendRun = { running: false, steps: [], error: toIpcError(e) };
    }
  }

  /** Whether an API key for the vendor is stored (digest only); silent when it cannot tell. */
  async loadVendorKey(): Promise<void> {
    try {
      this.vendorKeyStored = await vendorKeyStatus(this.plan);
    } catch {
      this.vendorKeyStored = null;
    }
  }

  /**
   * Continue on "Connect to {vendor}": the URL is required where the profile has none; the API key
   * typed goes to the OS keyring (and is cleared here), or one must already be stored. Answers with
   * the problems to show at the fields (none: go on).
   */
  private async connectVendor(): Promise<IpcError[]> {
    const problems: IpcError[] = [];
    const required = (field: string, message: string): IpcError => ({ code: "validation.required", message, field, fix: null });
    if (this.profile?.registration?.needs_api_url && this.answers.integration.api_url.trim() === "")
      problems.push(required("integration.api_url", "Enter the platform's API URL"));
    const typed = this.vendorKey.trim();
    if (typed === "" && !this.vendorKeyStored?.stored) problems.push(required(VENDOR_API_KEY, "Enter the API key"));
    if (problems.length > 0 || typed === "") return problems;
    try {
      this.vendorKeyStored = await storeCredentials(this.plan, "vendor-api-key", typed);
      this.vendorKey = "";
      return [];
    } catch (e) {
      const error = toIpcError(e);
      return [{ ...error, field: VENDOR_API_KEY }];
    }
  }

  async loadCredentials(): Promise<void> {
    this.credentialsError = null;
    try {
      this.credentials = await credentialsStatus(this.plan);
    } catch (e) {
      this.credentialsError = toIpcError(e);
    }
  }

  /**
   * Sends the pasted or picked JSON to Rust once (validated, stored in the OS keyring, dropped).
   * Resolves with null when stored, else the problem to show at the field. Nothing here keeps it.
   */
  async storeSecret(kind: SecretKind, json: string): Promise<IpcError | null> {
    try {
      const status = await storeCredentials(this.plan, kind, json);
      this.credentials = [...this.credentials.filter((c) => c.kind !== kind), status];
      return null;
    } catch (e) {
      return toIpcError(e);
    }
  }

  /** The connectivity test for every cloud in the plan; each probe shows as it runs and ends. */
  async runTest(): Promise<void> {
    if (this.testState === "running") return;
    this.testState = "running";
    this.testError = null;
    this.probes = [];
    this.verdict = null;
    const upsert = (row: ProbeRow) => {
      const i = this.probes.findIndex((p) => p.id === row.id);
      if (i === -1) this.probes.push(row);
      else this.probes[i] = row;
    };
    const onUpdate = (u: ProbeUpdate) => {
      if (u.event === "started") upsert({ id: u.id, status: "running", duration_ms: 0, message: "", fix: null, code: null });
      else if (u.event === "waiting") {
        const row = this.probes.find((p) => p.id === u.id);
        upsert({ ...(row ?? { id: u.id, duration_ms: 0, fix: null, code: null }), status: "running", message: u.message });
      } else upsert(u.probe);
    };
    try {
      const report = await verifyPlan(this.plan, onUpdate);
      this.probes = report.probes;
      this.verdict = report.verdict;
      this.testState = "done";
    } catch (e) {
      this.testError = toIpcError(e);
      this.testState = "error";
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
        const owner = stepForField(e.field, this.reachable);
        if (owner && owner !== this.step) {
          const where = ` (on the "${stepTitle(owner, this.profile?.display_name)}" page)`;
          items.push({ text: text + where, href: `#${focusId(e.field ?? "")}`, onselect: () => this.change(e.field ?? "") });
        } else items.push({ text });
      }
      if (fix && !text.includes(fix)) items.push({ text: fix });
      return items;
    });
  });
}

export const wizard = new Wizard();
