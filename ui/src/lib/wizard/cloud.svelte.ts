// The vendor wizard's work with the clouds and the vendor, apart from its pages: the AWS account as
// this computer's credentials see it, Apply (dry run, the native confirmation, registration with
// the vendor, apply), the secrets in the OS keyring (the vendor's API key, GCP / Azure credentials:
// only their fingerprints here), "Send to {vendor}", and the live connectivity test. It reads the
// plan from the wizard and never navigates itself (the wizard decides what comes after an apply).
// Talks to Rust only through $lib/ipc.
import { DryRunApply } from "../apply.svelte";
import {
  applyAws, applyCloud, revokeAws, awsBucketFacts, awsIdentity, azureSignInOpen, azureSignInStart, azureSignInWait, cloudSignInCancel, cloudSignIns, confirmApply, createCloudCredentials, gcpSignIn, revokeCloud, credentialsStatus, registerVendor, storeCredentials, vendorKeyStatus, vendorProjects, verifyPlan,
  type ApiCloud, type ApplyResult, type AzureDevice, type AwsAccount, type AwsRevokeResult, type AwsBucketFacts, type CloudApplyResult, type CloudSignIns, type AwsSignedIn, type Cloud, type CredentialStatus, type Plan, type Probe, type ProbeUpdate,
  type ProfileSummary, type RegisterStep, type SecretKind, type Verdict,
} from "../ipc/api";
import type { VendorProject } from "../ipc/bindings/VendorProject";
import { toIpcError, type IpcError } from "../ipc/index";
import { DEFAULTS, VENDOR_API_KEY, type Answers } from "./answers";
import { AzurePicks } from "./azure-picks.svelte";
import { GcpPicks } from "./gcp-picks.svelte";

/** A probe on the connectivity-test page: running until its result arrives. */
export type ProbeRow = Omit<Probe, "status"> & { status: Probe["status"] | "running" };
export type TestState = "idle" | "running" | "done" | "error";
/** Registration with the vendor's API: what it did (each cloud's step) or why it failed. */
export type RegisterState = { running: boolean; steps: RegisterStep[]; error: IpcError | null };
const idleRegistration = (): RegisterState => ({ running: false, steps: [], error: null });

/** What the cloud work needs from the wizard. */
export interface CloudContext {
  readonly plan: Plan;
  readonly answers: Answers;
  readonly profile: ProfileSummary | null;
  /** The clouds whose key or secret the "Send to {vendor}" page hands over. */
  readonly sendClouds: readonly Cloud[];
  /** The page on screen (the apply page's confirmation follows its dry run only while it is shown). */
  readonly step: string;
  /** Counts arrivals at pages: the same arrival still, or the person has moved since. */
  readonly arrivals: number;
  /** Keeps what the vendor recorded (its ids) in the answers, saved, and the documents rendered again. */
  registered(plan: Plan): Promise<void>;
  /** An apply made changes: what comes next is the wizard's to decide. */
  afterApply(): Promise<void>;
}

/** The region AWS is asked in before the plan names one (Rust's default for detection). */
const DETECTION_REGION = "us-east-1";

export class CloudSession {
  /** The AWS account as this computer's credentials see it (null: not detected or no credentials). */
  awsAccount = $state<AwsAccount | null>(null);
  /** AWS detection under way (GetCallerIdentity and the pick lists). */
  awsDetecting = $state(false);
  /** The AWS sign-in made in the window (access portal, profile, pasted), or null: this computer's own. */
  awsSignedIn = $state<AwsSignedIn | null>(null);
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
  /** The same choice on Google Cloud (its project's organization policies), for that plan only. */
  ignoreGcpPreflightFor = $state<string | null>(null);
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
  /**
   * The vendor's projects the key may see (the pick list on "Connect to {vendor}"), for the key
   * they were listed with; null before listed or when they cannot be (the page asks for the id).
   */
  vendorProjects = $state<VendorProject[] | null>(null);
  /** Why the projects could not be listed (shown at the project field), or null. */
  vendorProjectsError = $state<IpcError | null>(null);
  /**
   * Which listing is on screen or under way — a count of the key's edits (never the key itself),
   * the address, the platform and the integration — and the request under way: a newer one wins,
   * the same one is waited for.
   */
  private projectsFor = "";
  private projectsPending: Promise<void> | null = null;
  /** Goes up whenever the typed key changes (the listing's cache is keyed by it, not by the key). */
  private keyEdits = 0;
  private lastKey = "";
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

  /** Google Cloud's pick lists (projects, buckets, topics) as the person's sign-in sees them. */
  readonly gcpPicks: GcpPicks;
  /** Azure's pick lists (subscriptions, groups, storage accounts, containers, topics) likewise. */
  readonly azurePicks: AzurePicks;

  constructor(private readonly wizard: CloudContext) {
    this.gcpPicks = new GcpPicks(() => this.wizard.answers);
    this.azurePicks = new AzurePicks(() => this.wizard.answers);
  }

  // (`$derived.by`: the wizard is read when a value is first asked for, not while constructing.)
  /** The plan as a string: an apply preview is only valid for the plan it was made for. */
  planKey = $derived.by(() => JSON.stringify(this.wizard.plan));
  /** The AWS role the plan names (`account/role name`), which an adoption is for. */
  roleKey = $derived.by(() => {
    const aws = this.wizard.plan.aws;
    return aws ? `${aws.account_id}/${aws.role_name ?? this.wizard.profile?.defaults.aws_role_name ?? ""}` : "";
  });
  /** Whether apply adopts the existing role: the person ticked the box for this very role. */
  adopt = $derived(this.adoptRole !== null && this.adoptRole === this.roleKey);
  /** An apply preview is valid for the plan and the adopt choice it was made with. */
  applyKey = $derived(this.adopt ? `${this.planKey}\nadopt` : this.planKey);
  /** Apply anyway, although pre-flight found something that would deny: ticked for this very plan. */
  ignorePreflight = $derived(this.ignorePreflightFor !== null && this.ignorePreflightFor === this.planKey);
  /** Apply anyway on Google Cloud: ticked for this very plan. */
  ignoreGcpPreflight = $derived(this.ignoreGcpPreflightFor !== null && this.ignoreGcpPreflightFor === this.planKey);

  /** Who this computer acts as on Google Cloud and Azure (null: not asked yet, or no answer). */
  signIns = $state<CloudSignIns | null>(null);
  /** Apply on Google Cloud and on Azure from this computer: the dry run, then the apply. */
  cloudRuns: Record<ApiCloud, DryRunApply<CloudApplyResult>> = {
    gcp: new DryRunApply<CloudApplyResult>(),
    azure: new DryRunApply<CloudApplyResult>(),
  };

  /**
   * On the export page: who this computer can act as on the plan's Google Cloud and Azure sections,
   * and for each one signed in, what Apply would change there (read only). Silent without a
   * sign-in: the page then offers the Cloud Shell steps only.
   */
  async detectCloudSignIns(): Promise<void> {
    const plan = this.wizard.plan;
    if (!plan.gcp && !plan.azure) return;
    let who: CloudSignIns | null;
    try {
      who = (await cloudSignIns(plan)) ?? null;
    } catch {
      who = null;
    }
    this.signIns = who;
    if (!who) return;
    // Whether the vendor's key or secret is in the keyring already (Apply then does not make one).
    if (who.gcp || who.azure) void this.loadCredentials();
    for (const c of ["gcp", "azure"] as const) {
      const run = this.cloudRuns[c];
      if (plan[c] && who[c] && !run.running && !run.applied && run.previewFor !== this.planKey) {
        this.dryRunsUnderWay[c] = run.dryRun(this.planKey, () => applyCloud(plan, c, true));
      }
    }
  }

  /** The dry run started on each cloud (to wait for it after a sign-in that goes on to apply). */
  private dryRunsUnderWay: Partial<Record<ApiCloud, Promise<void>>> = {};

  /**
   * A Google or Azure sign-in from the window, under way or failed: which cloud, the Azure code to
   * enter (null for Google: its page opens by itself), and why it failed.
   */
  cloudSignIn = $state<{ cloud: ApiCloud; device: AzureDevice | null; error: IpcError | null; running: boolean } | null>(null);

  /**
   * Signs in to `cloud` with the vendor profile's client (Google: the browser page opens and
   * comes back by itself; Azure: a code to enter on Microsoft's page), then asks again who the
   * window acts as, which starts the dry run there.
   */
  async signInCloud(cloud: ApiCloud, thenApply = false): Promise<void> {
    const plan = this.wizard.plan;
    const arrival = this.wizard.arrivals;
    this.cloudSignIn = { cloud, device: null, error: null, running: true };
    try {
      if (cloud === "gcp") {
        await gcpSignIn(plan.platform);
        // Signed in on one of Google Cloud's question pages: its pick list, as that person.
        void this.gcpPicks.listFor(this.wizard.step);
      } else {
        // The tenant answered, if any (else any work or school account: the tenant is then the token's).
        const device = await azureSignInStart(plan.platform, this.wizard.answers.azure.tenant_id.trim() || null);
        this.cloudSignIn = { cloud, device, error: null, running: true };
        await azureSignInOpen().catch(() => undefined);
        await azureSignInWait();
        // Signed in on one of Azure's question pages: its pick lists, as that person.
        this.azurePicks.signedIn();
        this.azurePicks.refresh(this.wizard.step);
      }
      this.cloudSignIn = null;
      // Going on to apply: a dry run as this sign-in, never one made before as another.
      if (thenApply && !this.cloudRuns[cloud].running) this.cloudRuns[cloud].previewFor = "";
      // Who the plan acts as, and its dry runs, only on the export page (not from a question page).
      if (this.wizard.step === "export") await this.detectCloudSignIns();
      if (thenApply) await this.applyAfterSignIn(cloud, arrival);
    } catch (e) {
      const error = toIpcError(e);
      this.cloudSignIn = error.code === "sign_in.cancelled" ? null : { cloud, device: null, error, running: false };
    }
  }

  /**
   * "Sign in … and apply": once the dry run as the new sign-in is in, Apply follows at once (Rust's
   * native dialog names every change, Cancel changes nothing) — unless there is nothing to change,
   * the dry run failed, or pre-flight found something that would stop the vendor (the page then
   * shows it, and the person decides) — nor once the person left the export page since the click.
   */
  private async applyAfterSignIn(cloud: ApiCloud, arrival: number): Promise<void> {
    await this.dryRunsUnderWay[cloud];
    // Still on the export page, since the click (a device-code sign-in can take minutes).
    if (this.wizard.step !== "export" || this.wizard.arrivals !== arrival) return;
    const run = this.cloudRuns[cloud];
    const dry = run.previewFor === this.planKey ? run.preview : null;
    if (!dry || run.error || run.applied || dry.changes.length === 0) return;
    if (dry.preflight.some((f) => f.severity === "blocking")) return;
    await this.applyCloudNow(cloud);
  }

  /**
   * After "Accept and apply" on Check your answers (Google Cloud / Azure): a dry run of this
   * arrival as the sign-in on each of the plan's clouds, then Apply there — Rust's native dialog
   * names every change first — unless the dry run needs the person (see applyAfterSignIn).
   */
  async detectThenApply(): Promise<void> {
    const arrival = this.wizard.arrivals;
    for (const c of ["gcp", "azure"] as const) if (!this.cloudRuns[c].running && !this.cloudRuns[c].applied) this.cloudRuns[c].previewFor = "";
    await this.detectCloudSignIns();
    for (const c of ["gcp", "azure"] as const) {
      if (this.wizard.plan[c] && this.signIns?.[c]) await this.applyAfterSignIn(c, arrival);
    }
  }

  /** Opens Microsoft's page again (the person closed it, or no browser opened by itself). */
  async openAzureSignInPage(): Promise<void> {
    await azureSignInOpen().catch(() => undefined);
  }

  /** Ends the sign-in under way (its wait then rejects with `sign_in.cancelled`). */
  async cancelCloudSignIn(): Promise<void> {
    this.cloudSignIn = null;
    await cloudSignInCancel().catch(() => undefined);
  }

  /** "Create the key" / "Create a client secret" after an apply on Google Cloud or Azure. */
  credentialRuns = $state<Record<ApiCloud, { running: boolean; status: CredentialStatus | null; error: IpcError | null }>>({
    gcp: { running: false, status: null, error: null },
    azure: { running: false, status: null, error: null },
  });

  /**
   * Has the cloud make the vendor's credential, as the window's sign-in, straight into the OS
   * keyring (Rust asks in a native dialog first); then the credentials list is read again.
   */
  async createCredentials(cloud: ApiCloud): Promise<void> {
    this.credentialRuns[cloud] = { running: true, status: null, error: null };
    try {
      const status = await createCloudCredentials(this.wizard.plan, cloud);
      this.credentialRuns[cloud] = { running: false, status, error: null };
      await this.loadCredentials();
    } catch (e) {
      this.credentialRuns[cloud] = { running: false, status: null, error: toIpcError(e) };
    }
  }

  /**
   * Whether Apply on `cloud` also makes the vendor's key or client secret: the plan signs the
   * vendor in with one (not keyless) and none is in the keyring for the integration yet. (Rust
   * checks the keyring again and its dialog says what it will do.)
   */
  createsCredentials(cloud: ApiCloud): boolean {
    const plan = this.wizard.plan;
    const keyless = cloud === "gcp" ? !!plan.gcp?.workload_identity : !!plan.azure?.vendor_app_id;
    const stored = this.credentialRuns[cloud].status?.stored || this.credentials.some((c) => c.kind === cloud && c.stored);
    return !!plan[cloud] && !keyless && !stored;
  }

  /**
   * Apply on `cloud`: Rust asks the person in a native dialog first (Cancel: nothing changes).
   * Where the vendor signs in with a key or secret not made yet, the same yes makes it, straight
   * into the keyring ("Apply and create the key"): the page shows it stored, or why not. On Google
   * Cloud, Rust refuses while pre-flight finds an organization policy that would stop the vendor,
   * unless "Apply anyway" is ticked for this plan.
   */
  async applyCloudNow(cloud: ApiCloud): Promise<void> {
    const plan = this.wizard.plan;
    const withCredentials = this.createsCredentials(cloud);
    const ignorePreflight = cloud === "gcp" && this.ignoreGcpPreflight;
    await this.cloudRuns[cloud].apply(() => applyCloud(plan, cloud, false, withCredentials, ignorePreflight));
    const done = this.cloudRuns[cloud].applied;
    if (done && (done.credentials || done.credentials_error)) {
      this.credentialRuns[cloud] = { running: false, status: done.credentials, error: done.credentials_error };
      if (done.credentials) await this.loadCredentials();
    }
  }

  /** "Remove access" on AWS: running, what was removed, or why it failed. */
  awsRevoke = $state<{ running: boolean; removed: AwsRevokeResult | null; error: IpcError | null }>({ running: false, removed: null, error: null });

  /**
   * Removes the vendor's access on AWS (Rust names what it found in a native dialog first; Cancel:
   * an error on the page, nothing removed). Once removed, the apply on screen is of before: the next
   * dry run starts over.
   */
  async revokeAwsNow(): Promise<void> {
    if (this.awsRevoke.running) return;
    const plan = this.wizard.plan;
    this.awsRevoke = { running: true, removed: null, error: null };
    try {
      const removed = await revokeAws(plan);
      this.awsRevoke = { running: false, removed, error: null };
      this.applyRun.reset();
    } catch (e) {
      this.awsRevoke = { running: false, removed: null, error: toIpcError(e) };
    }
  }

  /** "Remove access" on Google Cloud or Azure: running, what was removed, or why it failed. */
  revokeRuns = $state<Record<ApiCloud, { running: boolean; removed: CloudApplyResult | null; error: IpcError | null }>>({
    gcp: { running: false, removed: null, error: null },
    azure: { running: false, removed: null, error: null },
  });

  /**
   * Removes the vendor's access on `cloud` (Rust asks in a native dialog naming what it found;
   * Cancel: an error on the page, nothing removed). Once removed, the page shows what was removed
   * and no longer the apply there (the next visit starts over with a dry run), and the keyring's
   * list is read again (the dead key or secret left it).
   */
  async revokeCloudNow(cloud: ApiCloud): Promise<void> {
    const plan = this.wizard.plan;
    this.revokeRuns[cloud] = { running: true, removed: null, error: null };
    try {
      const removed = await revokeCloud(plan, cloud);
      this.revokeRuns[cloud] = { running: false, removed, error: null };
      this.cloudRuns[cloud].reset();
      this.credentialRuns[cloud] = { running: false, status: null, error: null };
      await this.loadCredentials();
    } catch (e) {
      this.revokeRuns[cloud] = { running: false, removed: null, error: toIpcError(e) };
    }
  }

  /** Everything learnt or done for the answers of before ("Start again"). */
  reset(): void {
    this.signIns = null;
    this.cloudSignIn = null;
    this.gcpPicks.reset();
    this.azurePicks.reset();
    this.credentialRuns = { gcp: { running: false, status: null, error: null }, azure: { running: false, status: null, error: null } };
    this.cloudRuns.gcp.reset();
    this.cloudRuns.azure.reset();
    this.revokeRuns = { gcp: { running: false, removed: null, error: null }, azure: { running: false, removed: null, error: null } };
    this.awsRevoke = { running: false, removed: null, error: null };
    this.awsAccount = null;
    this.busesRegion = null;
    this.bucketFacts = {};
    this.regionFilled = null;
    this.keyFilled = new WeakMap();
    this.applyRun.reset();
    this.applyPhase = null;
    this.adoptRole = null;
    this.ignorePreflightFor = null;
    this.ignoreGcpPreflightFor = null;
    this.vendorKey = "";
    this.vendorKeyStored = null;
    this.vendorProjects = null;
    this.vendorProjectsError = null;
    this.projectsFor = "";
    this.projectsPending = null;
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
  detectAws(): Promise<void> {
    if (this.awsAccount) return Promise.resolve();
    // One lookup at a time: a second caller waits for the one under way.
    this.detection ??= this.lookUpAws().finally(() => (this.detection = null));
    return this.detection;
  }

  private detection: Promise<void> | null = null;

  private async lookUpAws(): Promise<void> {
    this.awsDetecting = true;
    const answers = this.wizard.answers;
    const asked = answers.aws.region.trim() || DETECTION_REGION;
    try {
      const account = await awsIdentity(asked);
      this.awsAccount = account;
      this.busesRegion = asked;
      if (answers.aws.account_id.trim() === "") answers.aws.account_id = account.caller.account;
      // The region this computer's AWS configuration names, while the answer is the default.
      if (account.region && this.regionFilled === null && this.regionIsOurs()) {
        answers.aws.region = account.region;
        this.regionFilled = { value: account.region, from: "credentials" };
      }
    } catch {
      // no AWS credentials here: the person types the account id
    } finally {
      this.awsDetecting = false;
    }
  }

  /** The region the account's event buses (the events page's pick list) were listed in. */
  busesRegion = $state<string | null>(null);

  /**
   * On the events page: the pick list is of the plan's region. Event buses are regional, and the
   * region may have changed since they were listed (filled in from the configuration or a bucket,
   * or typed): listed again there, for the same account only.
   */
  async refreshBuses(): Promise<void> {
    const region = this.wizard.answers.aws.region.trim();
    const account = this.awsAccount?.caller.account;
    if (!account || region === "" || region === this.busesRegion) return;
    try {
      const fresh = await awsIdentity(region);
      if (this.awsAccount?.caller.account !== fresh.caller.account || this.wizard.answers.aws.region.trim() !== region) return;
      this.awsAccount = { ...this.awsAccount, event_buses: fresh.event_buses };
      this.busesRegion = region;
    } catch {
      // the list stays as it was; the person can type a bus's name
    }
  }

  /** What was read about each of the account's buckets the person picked, by name. */
  bucketFacts = $state<Record<string, AwsBucketFacts>>({});
  /**
   * The plan's AWS region as Trustbridge filled it in (null: the default, or the person's own):
   * the value, and where it came from — this computer's AWS configuration, or a bucket's region.
   * While the answer still equals `value`, it is Trustbridge's to change again.
   */
  regionFilled = $state<{ value: string; from: "credentials" | { bucket: string } } | null>(null);
  /** The bucket whose region became the plan's AWS region, or null. */
  regionFromBucket = $derived(this.regionFilled && this.regionFilled.from !== "credentials" ? this.regionFilled.from.bucket : null);
  /** Rows whose KMS key ARN was filled in from their bucket: which bucket, which key (not state: bookkeeping). */
  private keyFilled = new WeakMap<object, { bucket: string; arn: string }>();

  /** The region answer is still Trustbridge's: the default (or empty), or what it filled in. */
  private regionIsOurs(): boolean {
    const region = this.wizard.answers.aws.region.trim();
    return region === "" || (this.regionFilled ? region === this.regionFilled.value : region === DEFAULTS.awsRegion);
  }

  /**
   * Takes back what a bucket filled in when no row names that bucket any more (the person typed
   * on, picked another, or removed the row): a row's KMS key ARN still equal to the one filled in
   * is emptied, and a region still equal to the one a bucket gave goes back to this computer's
   * configured region, else the default.
   */
  reconcileBuckets(): void {
    const aws = this.wizard.answers.aws;
    for (const row of aws.storage) {
      const filled = this.keyFilled.get(row);
      if (filled && row.bucket.trim() !== filled.bucket) {
        if (row.kms_key_arn === filled.arn) row.kms_key_arn = "";
        this.keyFilled.delete(row);
      }
    }
    const f = this.regionFilled;
    if (f && f.from !== "credentials" && !aws.storage.some((r) => r.bucket.trim() === (f.from as { bucket: string }).bucket)) {
      const configured = this.awsAccount?.region ?? null;
      if (aws.region.trim() === f.value) aws.region = configured ?? DEFAULTS.awsRegion;
      this.regionFilled = configured ? { value: configured, from: "credentials" } : null;
    }
  }

  /**
   * When storage row `i` names one of the account's own buckets (ListBuckets), Rust reads the
   * bucket's region and default KMS key (once per bucket), and they are filled in where the person
   * left the default or nothing: the plan's AWS region (from the first such bucket, while the
   * answer is still Trustbridge's), the row's KMS key ARN (when the key is in the plan's region).
   */
  async detectBucket(i: number): Promise<void> {
    const aws = this.wizard.answers.aws;
    const name = aws.storage[i]?.bucket.trim() ?? "";
    if (!name || !this.awsAccount?.buckets.includes(name)) return;
    let facts: AwsBucketFacts | undefined = this.bucketFacts[name];
    if (!facts) {
      try {
        facts = await awsBucketFacts(aws.region.trim() || undefined, name);
      } catch {
        return; // best effort: the person can still type what the fields ask
      }
      this.bucketFacts[name] = facts;
    }
    const row = aws.storage[i];
    if (!row || row.bucket.trim() !== name) return; // the person typed on meanwhile
    const byOtherBucket = this.regionFromBucket !== null && this.regionFromBucket !== name && aws.storage.some((r) => r.bucket.trim() === this.regionFromBucket);
    if (facts.region && !byOtherBucket && this.regionIsOurs()) {
      aws.region = facts.region;
      this.regionFilled = { value: facts.region, from: { bucket: name } };
    }
    if (facts.kms_key_arn && row.kms_key_arn.trim() === "" && facts.region === aws.region.trim()) {
      row.kms_key_arn = facts.kms_key_arn;
      this.keyFilled.set(row, { bucket: name, arn: facts.kms_key_arn });
    }
  }

  /**
   * The person signed in to AWS another way (or back to this computer's own, null): who AWS sees
   * changes, so the account is detected again and the dry run made again for the new identity.
   */
  async signedInChanged(s: AwsSignedIn | null): Promise<void> {
    this.awsSignedIn = s;
    this.awsAccount = null;
    this.applyRun.reset();
    await this.detectAws();
    this.previewOnArrival();
  }

  /** On arrival at "Apply to AWS" with AWS credentials on this computer: what Apply would change (read only). */
  previewOnArrival(): void {
    // Many accounts: the organization's own table makes its dry run (OrgApply).
    if (this.wizard.plan.aws?.organization) return;
    if (this.awsAccount && this.wizard.plan.aws && !this.applyRun.running && !this.applyRun.applied) {
      if (this.applyRun.previewFor !== this.applyKey) void this.previewApply();
    }
  }

  /**
   * After "Accept and apply" on Check your answers: the dry run (as on any arrival), then Apply —
   * whose first act is Rust's native confirmation naming every change, so nothing changes before
   * the person's yes there. Not when the dry run needs the person first: it failed (a role that is
   * not ours: adopt or rename), changes nothing, or pre-flight found anything (the dialog lists none);
   * nor once the person left the page since.
   */
  async previewThenApply(): Promise<void> {
    if (!this.awsAccount || !this.wizard.plan.aws || this.wizard.plan.aws.organization || this.applyRun.running || this.applyRun.applied) return;
    const arrival = this.wizard.arrivals;
    // Always a dry run of this arrival: one from an earlier visit was read then, not now.
    await this.previewApply();
    const d = this.applyRun.preview;
    // Still on this page, since this arrival, and the dry run is of the plan as it is.
    if (!d || this.applyRun.error || this.wizard.step !== "export" || this.wizard.arrivals !== arrival || this.applyRun.previewFor !== this.applyKey) return;
    // Pre-flight findings (warnings too: the dialog does not list them) are for the person to read first.
    if (d.changes.length === 0 || d.existing !== null || d.preflight.some((f) => f.severity !== "info")) return;
    await this.applyNow();
  }

  /**
   * Apply, step 1: what would change, and as whom (nothing is changed). Before a vendor that issues
   * the external id has registered the role, Rust shows the changes with a stand-in for the id.
   */
  previewApply(): Promise<void> {
    const adopt = this.adopt;
    // A new look at the account: a removal's report is of before.
    if (!this.awsRevoke.running) this.awsRevoke = { running: false, removed: null, error: null };
    return this.applyRun.dryRun(this.applyKey, () => applyAws(this.wizard.plan, true, adopt));
  }

  /**
   * The "Adopt the existing role" checkbox: on, the dry run is made again with adopt, so the page
   * lists what the role can already do (and the warnings) before anything is applied; off, without.
   */
  async setAdopt(on: boolean): Promise<void> {
    this.adoptRole = on ? this.roleKey : null;
    await this.previewApply();
  }

  /** The "Apply anyway" checkbox: for the plan on screen only. */
  setIgnorePreflight(on: boolean): void {
    this.ignorePreflightFor = on ? this.planKey : null;
  }

  /** "Apply anyway" on Google Cloud: for the plan on screen only. */
  setIgnoreGcpPreflight(on: boolean): void {
    this.ignoreGcpPreflightFor = on ? this.planKey : null;
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
        await confirmApply(this.wizard.plan, adopt, ignorePreflight);
        this.applyPhase = this.wizard.profile?.registration ? "register" : "apply";
        const plan = this.wizard.profile?.registration ? await this.registerAws() : this.wizard.plan;
        this.applyPhase = "apply";
        const result = await applyAws(plan, false, adopt, ignorePreflight);
        // The dry run was made for the plan before registration; it stays the one on screen.
        this.applyRun.previewFor = this.applyKey;
        return result;
      } finally {
        this.applyPhase = null;
      }
    });
    if (this.applyRun.applied && !this.applyRun.error) await this.wizard.afterApply();
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

  /** Registers `clouds` with the vendor's API; the wizard keeps what it recorded. */
  private async register(clouds: Cloud[]) {
    const result = await registerVendor(this.wizard.plan, clouds, false);
    await this.wizard.registered(result.plan);
    return result;
  }

  /** "Send to {vendor}": the GCP key / Azure secret from the keyring to the vendor's API. */
  sendToVendor(): Promise<void> {
    // One send at a time: a second ask waits for the one under way (the export page's Continue
    // then reads its outcome).
    if (this.sending) return this.sending;
    this.sending = this.send().finally(() => (this.sending = null));
    return this.sending;
  }

  private sending: Promise<void> | null = null;

  private async send(): Promise<void> {
    this.sendRun = { running: true, steps: [], error: null };
    try {
      const result = await this.register([...this.wizard.sendClouds]);
      this.sendRun = { running: false, steps: result.steps, error: null };
    } catch (e) {
      this.sendRun = { running: false, steps: [], error: toIpcError(e) };
    }
  }

  /**
   * Whether an API key for the vendor is stored (digest only); silent when it cannot tell. With one
   * stored, the projects it may see are listed straight away.
   */
  async loadVendorKey(): Promise<void> {
    const a = this.wizard.answers;
    const url = a.integration.api_url.trim();
    try {
      // Stored for another address, it is not this page's key (Rust never sends it there).
      this.vendorKeyStored = await vendorKeyStatus(a.platform, a.integration.name.trim(), url === "" ? null : url);
    } catch {
      this.vendorKeyStored = null;
    }
    if (this.vendorKeyStored?.stored && this.vendorKey.trim() === "") await this.loadProjects();
  }

  /**
   * Lists the vendor's projects with the key typed on the page (Rust checks it and drops it; Continue
   * stores it) or the stored one. Exactly one project, and none chosen yet: it is the answer. A
   * failure is shown at the project field, whose id can then be typed.
   */
  async loadProjects(): Promise<void> {
    const a = this.wizard.answers;
    const typed = this.vendorKey.trim();
    if (typed === "" && !this.vendorKeyStored?.stored) return;
    if (typed !== this.lastKey) {
      this.lastKey = typed;
      this.keyEdits += 1;
    }
    const url = a.integration.api_url.trim();
    const asked = JSON.stringify([typed === "" ? "stored" : this.keyEdits, url, a.platform, a.integration.name]);
    if (asked === this.projectsFor) {
      if (this.projectsPending) return this.projectsPending;
      if (this.vendorProjects !== null || this.vendorProjectsError !== null) return;
    }
    this.projectsFor = asked;
    const run = this.listProjects(asked, typed, url);
    this.projectsPending = run;
    try {
      await run;
    } finally {
      if (this.projectsPending === run) this.projectsPending = null;
    }
  }

  /** The typed key is forgotten (Continue stored it, or the page was left): nothing here keeps it. */
  forgetTypedKey(): void {
    this.vendorKey = "";
    this.lastKey = "";
  }

  private async listProjects(asked: string, typed: string, url: string): Promise<void> {
    const a = this.wizard.answers;
    try {
      const listed = await vendorProjects(a.platform, a.integration.name.trim(), url === "" ? null : url, typed === "" ? null : typed);
      if (this.projectsFor !== asked) return; // a newer key or address was typed meanwhile
      this.vendorProjects = listed;
      this.vendorProjectsError = null;
      if (listed.length === 1 && a.integration.project_id.trim() === "") a.integration.project_id = listed[0].project_id;
    } catch (e) {
      if (this.projectsFor !== asked) return;
      this.vendorProjects = null;
      this.vendorProjectsError = toIpcError(e);
    }
  }

  /**
   * Continue on "Connect to {vendor}": the URL is required where the profile has none; the API key
   * typed goes to the OS keyring (and is cleared here), or one must already be stored. Answers with
   * the problems to show at the fields (none: go on).
   */
  async connectVendor(others: IpcError[] = []): Promise<IpcError[]> {
    const problems: IpcError[] = [];
    const required = (field: string, message: string): IpcError => ({ code: "validation.required", message, field, fix: null });
    if (this.wizard.profile?.registration?.needs_api_url && this.wizard.answers.integration.api_url.trim() === "")
      problems.push(required("integration.api_url", "Enter the platform's API URL"));
    const typed = this.vendorKey.trim();
    if (typed === "" && !this.vendorKeyStored?.stored) problems.push(required(VENDOR_API_KEY, "Enter the API key"));
    // Every problem of the page at once (the page's other answers' too); the key is stored only
    // when there is none.
    if (problems.length > 0 || others.length > 0 || typed === "") return problems;
    try {
      this.vendorKeyStored = await storeCredentials(this.wizard.plan, "vendor-api-key", typed);
      this.forgetTypedKey();
      return [];
    } catch (e) {
      const error = toIpcError(e);
      return [{ ...error, field: VENDOR_API_KEY }];
    }
  }

  async loadCredentials(): Promise<void> {
    this.credentialsError = null;
    try {
      this.credentials = (await credentialsStatus(this.wizard.plan)) ?? [];
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
      const status = await storeCredentials(this.wizard.plan, kind, json);
      this.credentials = [...this.credentials.filter((c) => c.kind !== kind), status];
      return null;
    } catch (e) {
      return toIpcError(e);
    }
  }

  /** The test page's only purpose: run it on arrival (read only); "Run the test again" reruns it. */
  testOnArrival(): void {
    if (this.testState === "idle") void this.runTest();
  }

  /** Something changed in the account (an apply): the test runs again on the next arrival. */
  testAgain(): void {
    if (this.testState !== "running") this.testState = "idle";
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
      if (u.event === "started") upsert({ id: u.id, title: u.title, status: "running", duration_ms: 0, message: "", fix: null, code: null });
      else if (u.event === "waiting") {
        const row = this.probes.find((p) => p.id === u.id);
        upsert({ ...(row ?? { id: u.id, title: u.title, duration_ms: 0, fix: null, code: null }), status: "running", message: u.message });
      } else upsert(u.probe);
    };
    try {
      const report = await verifyPlan(this.wizard.plan, onUpdate);
      this.probes = report.probes;
      this.verdict = report.verdict;
      this.testState = "done";
    } catch (e) {
      this.testError = toIpcError(e);
      this.testState = "error";
    }
  }
}
