// The vendor wizard's state: answers, the page on screen, problems, presenter mode, the preview and
// the export. Talks to Rust only through $lib/ipc. The form-flow mechanics (Continue / Back, the
// error summary, Change links, autosave) are the shared base's (../flow/flow.svelte); the work with
// the clouds and the vendor (detection, apply, keyring, the connectivity test) is `CloudSession`'s
// (./cloud.svelte); vendor profile files (import, the warning page) are `ProfileFiles`'
// (./profile-files.svelte). The pure logic lives in steps.ts / answers.ts; this wires it to Svelte and IPC.
import { tick } from "svelte";
import { FormFlow, type ChangeTarget, type SummaryItem } from "../flow/flow.svelte";
import { FolderExport } from "../flow/folder-export.svelte";
import { isRoute, routeFor, withRoute, type Route } from "../flow/route";
import {
  askBoot, clearDraft, exportBundle, handedBoot, newExternalId, preview, setPresenter,
  validatePlan, type Boot, type Cloud, type Draft, type Plan, type Preview, type ProfileSummary,
} from "../ipc/api";
import { toIpcError, type IpcError } from "../ipc/index";
import { describeError } from "../ipc/messages";
import {
  answersFromPlan, applyProfileDefaults, applyRegistration, buildPlan, compactAnswers, emptyAnswers, externalIdPending,
  fieldsForStep, focusId, inputFor, inputsForStep, problemsForStep, sensitiveValues, stepContext, stepForField, valueAt,
  vendorIssuesExternalId, type Answers,
} from "./answers";
import { CloudSession } from "./cloud.svelte";
import { OrgSession } from "./org.svelte";
import { StackSetSession } from "./stackset.svelte";
import { ProfileFiles } from "./profile-files.svelte";
import { fieldMessage, fixForPlanFiles } from "./errors";
import { CREDENTIALS_FIELDS, EXPORT_FOLDER, type CredentialsKind } from "./fields";
import {
  isStep, nextStep, progress, reachableSteps, secretClouds, sendClouds, stepsFor, stepTitle, type KeylessCloud, type StepId,
} from "./steps";

export type { ProbeRow, RegisterState, TestState } from "./cloud.svelte";
export type Screen = "loading" | "failed" | "resume" | "wizard" | "profile-warning";

export { CREDENTIALS_FIELDS, EXPORT_FOLDER, type CredentialsKind };

export class Wizard extends FormFlow<StepId> {
  screen = $state<Screen>("loading");
  loadError = $state<IpcError | null>(null);
  profiles = $state<ProfileSummary[]>([]);
  answers = $state<Answers>(emptyAnswers());
  draft = $state<Draft | null>(null);
  /** "Trustbridge 0.1.0", shown in the footer; null until known. */
  version = $state<string | null>(null);
  presenter = $state(false);
  preview = $state<Preview | null>(null);
  /** The plan the preview was made of (JSON): Rust's `needs_secret` counts only while it is this plan. */
  private previewOf = $state<string | null>(null);
  /**
   * Export into a folder: what was written, the typed folder, a Cancel in Rust's dialog. The trust
   * policy needs the external id the vendor issues: while it is pending, the role is registered first.
   */
  readonly exports: FolderExport = new FolderExport(this, EXPORT_FOLDER, async (parent) =>
    exportBundle(this.externalIdPending ? await this.cloud.registerAws() : this.plan, parent),
  );
  /** Detection, apply, the keyring and the connectivity test, for this wizard's plan. */
  readonly cloud: CloudSession = new CloudSession(this);
  /** Many AWS accounts of an organization: its tree, and apply / test across the chosen accounts. */
  readonly org: OrgSession = new OrgSession();
  /** An organization's StackSet (engine `stack-set`): its dry run, deploy and removal. */
  readonly stackSet: StackSetSession = new StackSetSession();
  /** Vendor profile files: imported through Rust's file picker, the warning page, a resumed one. */
  readonly files: ProfileFiles = new ProfileFiles(this);
  /** User actions (clicks, keys, fields filled) are counted by the e2e test, not here. */

  constructor() {
    super({ first: "start", check: "check", saveOnContinue: true });
  }

  profile = $derived(this.profiles.find((p) => p.id === this.answers.platform) ?? null);
  plan = $derived(buildPlan(this.answers, this.profile));
  /**
   * The clouds whose secret the plan signs in with, from Rust (`Preview.needs_secret`) while the
   * preview is of the plan as it is now; null before, when the step graph estimates from the answers.
   */
  private secretsKnown = $derived(
    this.preview && this.previewOf === JSON.stringify(this.plan)
      ? this.preview.needs_secret.filter((k): k is KeylessCloud => k === "gcp" || k === "azure")
      : null,
  );
  /**
   * The AWS account page needs no input: the account was detected from this computer's AWS sign-in
   * and is the answer, and nothing else on it is the person's to answer (the vendor's account comes
   * from the profile; the vendor issues the external id, or none is used). Its answers are on Check
   * your answers, with Change links.
   */
  private awsIdentityFolds = $derived.by(() => {
    const d = this.profile?.defaults;
    const caller = this.cloud.awsAccount?.caller;
    const aws = this.answers.aws;
    // The region and partition are answers too: known only when detected (the configuration's or a
    // bucket's region, the caller's partition), never assumed from the defaults.
    const region = this.cloud.regionFilled;
    return (
      !!d &&
      !!caller &&
      aws.account_id.trim() === caller.account &&
      caller.arn.split(":")[1] === aws.partition.trim() &&
      !!region &&
      aws.region.trim() === region.value &&
      !d.aws_vendor_account_from_plan &&
      (vendorIssuesExternalId(this.profile) || d.aws_external_id === "none")
    );
  });
  /**
   * Every key or secret the plan signs in with is in the keyring, for what the plan names now
   * (GCP: its service account; Azure: its tenant) — a key kept from answers that pointed elsewhere
   * does not count.
   */
  secretsStoredForPlan = $derived.by(() => {
    const needed = secretClouds({ ...stepContext(this.answers, this.profile), secretClouds: this.secretsKnown });
    const plan = this.plan;
    const forPlan = (s: { kind: string; principal: string | null; scope: string | null }) =>
      s.kind === "gcp"
        ? !!plan.gcp?.service_account && s.principal === `${plan.gcp.service_account}@${plan.gcp.project_id}.iam.gserviceaccount.com`
        : s.kind === "azure" && !!plan.azure && s.scope === plan.azure.tenant_id;
    return needed.length > 0 && needed.every((c) => this.cloud.credentials.some((s) => s.kind === c && s.stored && forPlan(s)));
  });
  /** The step-graph inputs: the answers, the vendor profile, what was detected, and Rust's secrets once known. */
  private context = $derived.by(() => {
    const base = stepContext(this.answers, this.profile);
    // The set-up question: apply preselected (this computer is signed in to the plan's account)
    // and not answered yet; Check your answers says so, with a Change link to the question.
    const routeFolds = this.route === "apply" && (this.answers.route === null || (this.routeFoldedAnswer && this.answers.route === "apply"));
    // The credentials page folds once every key or secret the plan signs in with is in the
    // keyring for what the plan names now (a key kept from answers that pointed elsewhere is
    // replaced there, so the page stays).
    const allStored = this.secretsStoredForPlan;
    return {
      ...base,
      folded: {
        ...base.folded,
        "aws-identity": this.awsIdentityFolds,
        route: routeFolds,
        clouds: this.cloudsFolded && this.answers.clouds.length === 1 && this.answers.clouds[0] === "aws",
        credentials: allStored,
      },
      secretClouds: this.secretsKnown,
    };
  });
  /** Every page that may be shown, folded pages left off the main path included (Change and error links). */
  reachable = $derived(reachableSteps(this.context));
  /**
   * A folded page (its answers need no input) is off the main path, but shown while the person is
   * on it (Change opened it) or while a problem is reported at one of its fields.
   */
  private open = $derived(
    Object.fromEntries(
      Object.keys(this.context.folded ?? {}).map((s) => [
        s,
        this.step === s || this.errors.some((e) => stepForField(e.field, this.reachable) === s),
      ]),
    ),
  );
  /** What decides the pages: the answers, the vendor profile, and the folded pages open now. */
  private pageContext = $derived({ ...this.context, open: this.open });
  steps = $derived(stepsFor(this.pageContext));
  /** What presenter mode hides: the plan's identifiers, and the export folder (its path often names the person). */
  sensitive = $derived([...sensitiveValues(this.answers), ...this.exports.sensitive].filter((v) => v.length >= 3));
  progress = $derived(progress(this.pageContext, this.step, this.profile?.display_name));
  /** The vendor issues the external id and has not yet: Apply and Export register the role first. */
  externalIdPending = $derived(externalIdPending(this.answers, this.profile));
  /** The clouds whose key or secret the "Send to {vendor}" page hands over. */
  sendClouds = $derived(sendClouds(this.context));
  /**
   * Continue on the export page sends the vendor its credentials and goes on to the test ("Send to
   * {vendor} and test"): the Send page is next and every key or secret it hands over is in the
   * keyring for this plan (made by Apply, or stored before). A failed send lands on the Send page,
   * its problem shown there.
   */
  sendsOnContinue = $derived(
    this.step === "export" && this.sendClouds.length > 0 && this.secretsStoredForPlan && nextStep(this.steps, "export") === "send",
  );

  protected override async leaving(step: StepId, next: StepId): Promise<StepId> {
    if (step !== "export" || next !== "send" || !this.sendsOnContinue) return next;
    await this.cloud.sendToVendor();
    return this.cloud.sendRun.error ? "send" : (nextStep(this.steps, "send") ?? "send");
  }
  /** The clouds whose key or secret the Credentials page stores. */
  secretClouds = $derived(secretClouds(this.context));
  inputs = $derived(
    this.step === "export"
      ? [EXPORT_FOLDER]
      : this.step === "credentials"
        ? Object.values(CREDENTIALS_FIELDS)
        : inputsForStep(this.step, this.answers, this.profile),
  );
  /**
   * "How do you want to set this up?": apply from this computer or export. Export without AWS (no
   * question); else the answer, or before it is given apply when this computer's AWS credentials
   * were found for the plan's account, else export.
   */
  route = $derived<Route>(
    routeFor({
      hasAws: !!this.plan.aws,
      chosen: this.answers.route,
      detectedAccount: this.cloud.awsAccount?.caller.account,
      planAccount: this.plan.aws?.account_id,
    }),
  );

  /** The radios of the set-up question. */
  setRoute = (value: string | null): void => {
    if (isRoute(value)) this.answers.route = value;
  };

  /** A page's short name as shown (the last set-up page's follows the route). */
  title = (step: StepId): string => stepTitle(step, this.profile?.display_name, this.route);

  protected presenting(): boolean {
    return this.presenter;
  }

  togglePresenter = () => {
    const on = !this.presenter;
    this.presenter = on;
    // The native dialogs Rust raises hide identifiers too (they say so). Rust could not be told:
    // the page does not claim presenter mode the dialogs do not have.
    setPresenter(on).catch(() => {
      if (this.presenter === on) this.presenter = !on;
    });
  };

  /**
   * Loads the first page. With the data the window handed over it is synchronous: called while the
   * app mounts, the first page is drawn by that same mount (`main.ts` marks it interactive once the
   * mount returns). Otherwise the data is asked for from Rust and the page marks itself.
   */
  async init(): Promise<void> {
    this.screen = "loading";
    const handed = handedBoot();
    if (handed) {
      this.started(handed);
      return;
    }
    try {
      this.started(await askBoot());
      // Asked, not handed: the page was reloaded, and presenter mode with it is off; Rust's
      // dialogs follow (they kept the last switch).
      void setPresenter(false).catch(() => {});
    } catch (e) {
      this.loadError = toIpcError(e);
      this.screen = "failed";
    }
    await tick();
    markInteractive();
  }

  private started({ app, profiles, draft }: Boot): void {
    this.version = app ? `${app.name} ${app.version}` : null;
    this.profiles = profiles;
    if (profiles.length === 1 && !this.answers.platform) {
      this.answers.platform = profiles[0].id;
      applyProfileDefaults(this.answers, profiles[0], null);
    }
    this.draft = draft;
    this.screen = draft ? "resume" : "wizard";
    if (!draft) this.detectForStart();
    // An untouched wizard is not worth resuming: nothing is saved until something changes.
    this.markSaved(this.step);
  }

  /** "Resume where you left off". */
  async resume(): Promise<void> {
    const draft = this.draft;
    if (!draft) return;
    this.answers = answersFromPlan(draft.plan);
    const resumeAt = () => (isStep(this.reachable, draft.step) ? draft.step : "start");
    if (!(await this.files.restore(resumeAt))) return;
    const step = resumeAt();
    this.screen = "wizard";
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
    this.markSaved("start");
    this.preview = null;
    this.exports.reset();
    this.cloud.reset();
    this.awsPreselected = false;
    this.cloudsFolded = false;
    this.routeFoldedAnswer = false;
    this.returnToCheck = false;
    this.screen = "wizard";
    await this.goTo("start");
  }

  /** The set-up answer was kept from the folded question (apply), not given on its page. */
  routeFoldedAnswer = $state(false);

  /**
   * Check your answers is the last question before applying, and its button says so ("Accept and
   * apply"): the apply page shows the dry run and Rust's native confirmation follows it at once.
   * On AWS (CloudSession.previewThenApply): the set-up question is folded (apply, preselected with
   * credentials for the plan's account), Apply to AWS comes next and AWS is the plan's only cloud.
   * On Google Cloud and Azure (CloudSession.detectThenApply): no AWS in the plan, and on each of its
   * clouds the person's sign-in already listed what it sees (signed in on the cloud's first page, or
   * on Google Cloud this computer's gcloud login).
   */
  checkApplies = $derived.by(() => {
    if (nextStep(this.steps, "check") !== "export") return false;
    const p = this.plan;
    if (p.aws) return this.route === "apply" && !this.steps.includes("route") && !p.aws.organization && !p.gcp && !p.azure && !!this.cloud.awsAccount;
    const signedIn = { gcp: this.cloud.gcpPicks.actingAs("projects") !== null, azure: this.cloud.azurePicks.actingAs() !== null };
    return (!!p.gcp || !!p.azure) && (!p.gcp || signedIn.gcp) && (!p.azure || signedIn.azure);
  });

  /** Check your answers was accepted with "Accept and apply" (consumed on arrival at the apply page). */
  private applyOnArrival = false;

  /** AWS was ticked for the person because this computer is signed in to AWS (once; they may untick it). */
  awsPreselected = $state(false);

  /**
   * The clouds answer (AWS) was taken from this computer's AWS sign-in when the person left the
   * first page without having answered it: the question is folded into Check your answers, whose
   * Change link opens it (answered there, it is the person's and on the main path again).
   */
  cloudsFolded = $state(false);

  /**
   * Whether leaving the first page would take AWS as the clouds answer: the vendor offers AWS and
   * another cloud, nothing is chosen yet, and this computer is signed in to AWS (the first page
   * says so, with the account).
   */
  awsDetectedOnStart = $derived.by(() => {
    const offered = this.profile?.clouds ?? [];
    return !!this.cloud.awsAccount && offered.includes("aws") && offered.length > 1 && this.answers.clouds.length === 0 && !this.awsPreselected;
  });

  /**
   * On the first page, once a vendor offering AWS and another cloud is chosen: this computer's AWS
   * sign-in, looked up while the person reads the page (GetCallerIdentity and the account's pick
   * lists; the plan leaves AWS's answers out until a cloud is chosen, so nothing here is autosaved).
   * Nobody else's computer is asked anything at launch.
   */
  detectForStart(): void {
    const offered = this.profile?.clouds ?? [];
    if (this.step === "start" && offered.includes("aws") && offered.length > 1) void this.cloud.detectAws();
  }

  /**
   * Leaving the first page: see [`awsDetectedOnStart`]. Only when the page said so when Continue
   * was pressed (a lookup still under way, or none: the clouds question, AWS ticked once known).
   */
  private foldDetectedCloud(): void {
    // Once: an answer the person changed afterwards is theirs.
    if (this.awsDetectedOnStart) {
      this.answers.clouds = ["aws"];
      this.awsPreselected = true;
      this.cloudsFolded = true;
    }
  }

  /**
   * On the clouds question, nothing chosen yet and the vendor offering AWS: when this computer is
   * signed in to AWS (GetCallerIdentity, the account page's own detection), AWS is ticked for the
   * person, once — an answer they gave or changed is never overridden.
   */
  private async preselectDetectedCloud(): Promise<void> {
    if (this.awsPreselected || this.answers.clouds.length > 0) return;
    if (!(this.profile?.clouds ?? ["aws"]).includes("aws")) return;
    await this.cloud.detectAws();
    if (this.cloud.awsAccount && !this.awsPreselected && this.answers.clouds.length === 0 && this.step === "clouds") {
      this.answers.clouds = ["aws"];
      this.awsPreselected = true;
    }
  }

  /** What a page does on arrival. */
  /** Arrivals at pages so far (see CloudContext.arrivals). */
  arrivals = 0;

  protected async arrive(step: StepId): Promise<void> {
    this.arrivals += 1;
    if (step === "start") this.detectForStart();
    if (step === "clouds") void this.preselectDetectedCloud();
    if (step === "aws-events") void this.cloud.refreshBuses();
    // Google Cloud's and Azure's pages: what the person's sign-in sees there, to pick from.
    void this.cloud.gcpPicks.arrived(step);
    this.cloud.azurePicks.arrived(step);
    if (step === "aws-identity") {
      void this.cloud.detectAws();
      await this.ensureExternalId();
    }
    // The set-up question preselects apply when credentials for the plan's account are found (a
    // resumed draft may land here without the account page's detection).
    if (step === "route") void this.cloud.detectAws();
    if (step === "vendor") void this.cloud.loadVendorKey();
    else this.cloud.forgetTypedKey(); // a key typed but not continued is forgotten on leaving the page
    // Apply chosen, with AWS credentials on this computer: what Apply would change, straight away
    // (read only); after "Accept and apply" on Check your answers, the native confirmation follows.
    if (step === "export") this.exports.arrived();
    if (step === "export" && this.route === "apply") {
      if (this.applyOnArrival) void this.cloud.previewThenApply();
      else this.cloud.previewOnArrival();
    }
    // Google Cloud / Azure signed in on this computer: Apply is offered beside the Cloud Shell
    // steps — after "Accept and apply", with its native confirmation as soon as the dry run is in.
    if (step === "export") void (this.applyOnArrival && !this.plan.aws ? this.cloud.detectThenApply() : this.cloud.detectCloudSignIns());
    this.applyOnArrival = false;
    if (step === "test") {
      // Many AWS accounts: each account's test in the organization's table; the plan's other
      // clouds, if any, in the usual list.
      const orgPlan = !!this.plan.aws?.organization;
      if (orgPlan) this.org.testOnArrival(this.plan);
      if (!orgPlan || this.plan.gcp || this.plan.azure) this.cloud.testOnArrival();
    }
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
      this.fail([toIpcError(e)]);
    }
  }

  /**
   * What autosave writes: the plan as typed, and the set-up route once answered (never a secret:
   * Rust refuses secret-looking keys).
   */
  protected draftPlan(): Plan & { route?: Route } {
    return withRoute(this.plan, this.answers.route);
  }

  /** Continue checks this step's fields in Rust (and, on "Connect to {vendor}", stores the API key). */
  protected async validate(step: StepId): Promise<IpcError[]> {
    compactAnswers(this.answers);
    const fields = fieldsForStep(step, this.profile);
    // "Connect to {vendor}": the projects of the key just typed are listed (and a single one
    // chosen) before the page's answers are checked, however fast Continue followed the key.
    if (step === "vendor") await this.cloud.loadProjects();
    let problems: IpcError[] = [];
    // The answer on screen (perhaps the preselected one) is the answer: remembered, and saved with the next page.
    if (step === "clouds") this.cloudsFolded = false; // answered on its page: the person's, on the main path
    if (step === "route") {
      this.answers.route = this.route;
      this.routeFoldedAnswer = false; // answered on its page: the person's, on the main path
    }
    // Leaving Check your answers with the set-up question folded: its preselected answer (apply)
    // is the one continued with, so it is kept (a later sign-in must not flip the page to export),
    // and the question stays folded with its Change link.
    if (step === "check" && this.answers.route === null && this.route === "apply" && this.steps.includes("export") && !this.steps.includes("route")) {
      this.answers.route = "apply";
      this.routeFoldedAnswer = true;
    }
    if (fields !== null) {
      problems = problemsForStep(step, await validatePlan(this.plan, fields === "all" ? undefined : fields));
    }
    if (step === "start" && problems.length === 0) this.foldDetectedCloud();
    // "Accept and apply": the apply page asks for the native confirmation as soon as its dry run is in.
    this.applyOnArrival = step === "check" && problems.length === 0 && this.checkApplies;
    if (step === "vendor") {
      const own = await this.cloud.connectVendor(problems);
      const order = inputsForStep(step, this.answers, this.profile);
      const at = (e: IpcError) => (e.field ? order.indexOf(e.field) : -1); // in the page's order
      problems = [...own, ...problems.filter((p) => !own.some((o) => o.field === p.field))].sort((x, y) => at(x) - at(y));
    }
    return problems;
  }

  protected fieldValues(): Record<string, string> {
    return Object.fromEntries(this.inputs.map((i) => [i, valueAt(this.answers, i)]));
  }

  /** A Change link goes to the step that asks the field, the field focused. */
  protected locate(field: string): ChangeTarget<StepId> | null {
    const step = stepForField(field, this.reachable);
    // The set-up question comes after Check your answers: answered, it goes on to the page that does it.
    return step ? { step, focus: inputFor(field, inputsForStep(step, this.answers, this.profile)), returnToCheck: step !== "route" } : null;
  }

  /** Check your answers: every problem of the whole plan (with links to its step), else the preview. */
  async loadPreview(): Promise<void> {
    this.preview = null;
    try {
      const problems = await validatePlan(this.plan);
      if (problems.length > 0) {
        this.fail(problems);
        return;
      }
      const plan = this.plan;
      const made = await preview(plan);
      this.previewOf = JSON.stringify(plan);
      this.preview = made;
    } catch (e) {
      this.fail([toIpcError(e)]);
    }
  }

  /**
   * Credentials page: stores a pasted or picked key / secret (Rust validates it against the plan).
   * Refused: the problem is shown at its box and in the error summary, which takes focus; stored:
   * that box's problem goes. Resolves with whether it was stored.
   */
  async storeCredentials(kind: CredentialsKind, json: string): Promise<boolean> {
    const problem = await this.cloud.storeSecret(kind, json);
    if (problem) this.refuseCredentials(kind, problem);
    else this.errors = this.errors.filter((e) => e.field !== CREDENTIALS_FIELDS[kind]);
    return problem === null;
  }

  /** A key or secret refused (by Rust, or before it is sent): at its box and in the error summary. */
  refuseCredentials(kind: CredentialsKind, problem: IpcError): void {
    const field = CREDENTIALS_FIELDS[kind];
    const order = Object.values(CREDENTIALS_FIELDS) as (string | null)[];
    const problems = [...this.errors.filter((e) => e.field !== field), { ...problem, field }];
    // In the order of the boxes on the page, as the summary lists them.
    this.fail(problems.sort((a, b) => order.indexOf(a.field) - order.indexOf(b.field)));
  }

  /** The problem shown at a Credentials box, or null. */
  credentialsProblem(kind: CredentialsKind): IpcError | null {
    return this.errors.find((e) => e.field === CREDENTIALS_FIELDS[kind]) ?? null;
  }

  /** The vendor registered the plan's clouds: its ids go into the answers (saved now). */
  async registered(plan: Plan): Promise<void> {
    applyRegistration(this.answers, plan);
    await this.save().catch(() => {});
    // The documents and the hand-off now carry the vendor's ids: render them again.
    if (this.preview) void this.loadPreview();
  }

  /**
   * Applied: when AWS is the only cloud there is nothing left to set up on this page, so the
   * connectivity test page comes next and runs the test (again, since the role just changed). Back
   * returns to the applied result. With other clouds the person still exports for them here.
   */
  async afterApply(): Promise<void> {
    if (this.step !== "export" || this.plan.gcp || this.plan.azure) return;
    const next = nextStep(this.steps, "export");
    if (next !== "test") return;
    this.cloud.testAgain();
    this.org.testAgain();
    await this.save(next).catch(() => {});
    await this.goTo(next);
  }

  protected inputOf(e: IpcError): string | null {
    return inputFor(e.field, this.inputs);
  }

  /** How many rows a list of the answers has (`aws.storage` → 2): the wording names a row by its position. */
  private rowCount = (list: string): number => {
    const m = /^(aws|gcp|azure)\.(storage|events)$/.exec(list);
    return m ? (this.answers[m[1] as Cloud][m[2] as "storage" | "events"] as unknown[]).length : 0;
  };

  /** Rust's fix under a plan's problem, unless it is written for a plan file or a terminal. */
  protected listsFix(e: IpcError): boolean {
    return !(e.code.startsWith("validation") && fixForPlanFiles(e.fix));
  }

  protected messageFor(e: IpcError, input: string | null): string {
    if (!e.code.startsWith("validation")) return describeError(e);
    const value = input ? (this.errorValues[input] ?? valueAt(this.answers, input)) : valueAt(this.answers, e.field ?? "");
    return fieldMessage(e, input, value, { vendor: this.profile?.display_name ?? null, rows: this.rowCount });
  }

  /**
   * A link to the field on this page, or to the step that owns the field (its sentence names the
   * field in words that say which cloud, never the page).
   */
  protected summaryItem(e: IpcError, input: string | null, text: string): SummaryItem {
    if (input) return { text, href: `#${focusId(input)}` };
    const owner = stepForField(e.field, this.reachable);
    if (owner && owner !== this.step) {
      return { text, href: `#${focusId(e.field ?? "")}`, onselect: () => this.change(e.field ?? "") };
    }
    return { text };
  }
}

export const wizard = new Wizard();

/**
 * The launch benchmark's mark (tests/e2e/measure.mjs): the first page is on screen and can be used.
 * Once per page load.
 */
export function markInteractive(): void {
  if (performance.getEntriesByName("trustbridge-interactive").length === 0) performance.mark("trustbridge-interactive");
}
/** The cloud work of the wizard on screen. */
export const cloud = wizard.cloud;
export const org = wizard.org;
export const stackSet = wizard.stackSet;
