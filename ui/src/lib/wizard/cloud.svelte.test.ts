// The wizard's cloud work (`CloudSession`, as `wizard.cloud`): AWS account detection, apply (dry
// run, then apply), credentials to the keyring, the live connectivity test. IPC is mocked at
// @tauri-apps/api/core (the only Tauri door).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CUSTOM, MLCUBE } from "./fixtures.test-util";
import type { ProfileSummary } from "../ipc/bindings/ProfileSummary";
import type { ProbeStatus } from "../ipc/bindings/ProbeStatus";

const invoke = vi.fn();
class FakeChannel {
  onmessage: (m: unknown) => void = () => {};
}
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args), Channel: FakeChannel }));
vi.stubGlobal("window", { scrollTo() {} });
vi.stubGlobal("document", { getElementById: () => null });

const { Wizard } = await import("./wizard.svelte");

type Args = Record<string, unknown>;
type Call = [string, Args | undefined];
const calls = (name: string) => (invoke.mock.calls as Call[]).filter(([c]) => c === name).map(([, a]) => a);

const CALLER = { account: "123456789012", arn: "arn:aws:iam::123456789012:user/alice" };
const CANARY = "canary-password-5b8e-never-kept";

/** A vendor that takes the customer's external id (no registration API). */
const NO_REGISTRATION: ProfileSummary = { ...MLCUBE, id: "acme", display_name: "Acme", registration: null };

function backend(extra: (cmd: string, args: Args) => unknown = () => undefined, profile: ProfileSummary = MLCUBE) {
  invoke.mockImplementation(async (cmd: string, args: Args) => {
    const r = await extra(cmd, args);
    if (r !== undefined) return r;
    switch (cmd) {
      case "list_profiles":
        return [profile];
      case "load_draft":
        return null;
      case "validate_plan":
        return [];
      case "new_external_id":
        return "generated-external-id-0123456789";
      case "aws_identity":
        return { caller: CALLER, buckets: ["data-a", "data-b"], event_buses: ["default", "retrain"] };
      default:
        return null;
    }
  });
}

async function wizardOnAws() {
  const w = new Wizard();
  await w.init();
  w.answers.integration.project_id = "p1";
  await w.continue();
  w.answers.clouds = ["aws"];
  await w.continue();
  return w;
}

beforeEach(() => invoke.mockReset());
afterEach(() => vi.clearAllMocks());

describe("AWS account detection", () => {
  it("prefills the account id on the identity page and keeps the pick lists", async () => {
    backend();
    const w = await wizardOnAws();
    await vi.waitFor(() => expect(w.cloud.awsAccount).not.toBeNull());
    expect(w.answers.aws.account_id).toBe("123456789012");
    expect(w.cloud.awsAccount?.buckets).toEqual(["data-a", "data-b"]);
    expect(calls("aws_identity")[0]).toEqual({ region: "us-east-1" });
  });

  it("never overwrites a typed account id, and is silent without credentials", async () => {
    backend((cmd) => (cmd === "aws_identity" ? Promise.reject({ code: "aws.no_credentials", message: "none", field: null, fix: null }) : undefined));
    const w = await wizardOnAws();
    // Asked on the clouds question (to tick AWS) and again on the account page, unless still under way.
    await vi.waitFor(() => expect(calls("aws_identity").length).toBeGreaterThan(0));
    await vi.waitFor(() => expect(w.cloud.awsDetecting).toBe(false));
    expect(w.answers.aws.account_id).toBe("");
    expect(w.cloud.awsAccount).toBeNull();
    expect(w.errors).toEqual([]);

    backend();
    w.answers.aws.account_id = "210987654321";
    await w.cloud.detectAws();
    expect(w.answers.aws.account_id).toBe("210987654321");
  });
});

describe("The detected cloud", () => {
  it("takes AWS as the clouds answer when this computer is signed in to AWS: the question folds into Check your answers, once, never over an answer", async () => {
    backend();
    const w = new Wizard();
    await w.init();
    // Looked up while the person reads the first page, which says so.
    await vi.waitFor(() => expect(w.awsDetectedOnStart).toBe(true));
    await w.continue();
    expect(w.answers.clouds).toEqual(["aws"]);
    expect(w.awsPreselected).toBe(true);
    expect(w.step).toBe("aws-identity");
    expect(w.steps).not.toContain("clouds");
    expect(w.reachable).toContain("clouds");
    expect(w.awsDetectedOnStart).toBe(false);
    // Its Change link opens the question (the clouds' row is the plan's "plan" field); another
    // cloud added there is the person's answer, and the question is on the main path again.
    await w.change("plan");
    expect(w.step).toBe("clouds");
    w.answers.clouds = ["aws", "gcp"];
    await w.continue();
    expect(w.steps).toContain("clouds");
    // Unticked by the person: coming back to the first page does not take AWS again.
    w.answers.clouds = [];
    await w.goTo("start");
    await w.continue();
    await vi.waitFor(() => expect(w.cloud.awsDetecting).toBe(false));
    expect(w.step).toBe("clouds");
    expect(w.answers.clouds).toEqual([]);
  });

  it("a computer without AWS credentials, or a vendor without AWS, gets the clouds question", async () => {
    backend((cmd) => (cmd === "aws_identity" ? Promise.reject({ code: "aws.no_credentials", message: "none", field: null, fix: null }) : undefined));
    const w = new Wizard();
    await w.init();
    await w.continue();
    expect(w.step).toBe("clouds");
    expect(w.answers.clouds).toEqual([]);
    expect(w.cloudsFolded).toBe(false);
  });

  it("the account page folds into Check your answers when the detected account is all it would ask", async () => {
    // The credentials' configuration names a region: with the account and the partition, all the page asks.
    backend((cmd) => (cmd === "aws_identity" ? { caller: CALLER, buckets: ["data-a"], event_buses: ["default"], region: "eu-west-2" } : undefined));
    const w = new Wizard();
    await w.init();
    await vi.waitFor(() => expect(w.awsDetectedOnStart).toBe(true));
    await w.continue();
    expect(w.answers.clouds).toEqual(["aws"]);
    expect(w.step).toBe("aws-storage");
    expect(w.answers.aws.account_id).toBe("123456789012");
    expect(w.answers.aws.region).toBe("eu-west-2");
    expect(w.steps).not.toContain("aws-identity");
    expect(w.reachable).toContain("aws-identity");
    // The set-up question too: apply is preselected (signed in to the plan's account), so it is on
    // Check your answers with a Change link; answered (here: export), it is a page again.
    expect(w.route).toBe("apply");
    expect(w.steps).not.toContain("route");
    expect(w.steps.slice(-5)).toEqual(["vendor", "check", "export", "test", "done"]);
    expect(w.reachable).toContain("route");
    // Its Change link opens the question; answered, it goes on to the set-up page, not back to Check.
    await w.change("route");
    expect(w.step).toBe("route");
    expect(w.returnToCheck).toBe(false);
    w.setRoute("export");
    expect(w.steps).toContain("route");
    w.answers.route = null;
    // A Change link opens the folded page, and it stays while shown.
    await w.goTo("aws-identity");
    expect(w.steps).toContain("aws-identity");
    // Another account typed: the page is the person's question again.
    w.answers.aws.account_id = "210987654321";
    await w.goTo("aws-storage");
    expect(w.steps).toContain("aws-identity");
  });

  it("without a region from the credentials the account page is still asked (the default is not an answer)", async () => {
    backend();
    const w = new Wizard();
    await w.init();
    await vi.waitFor(() => expect(w.awsDetectedOnStart).toBe(true));
    await w.continue();
    expect(w.answers.clouds).toEqual(["aws"]);
    expect(w.step).toBe("aws-identity");
    expect(w.answers.aws.region).toBe("us-east-1");
  });

  it("a vendor whose account the customer gives keeps the account page", async () => {
    backend(undefined, CUSTOM);
    const w = new Wizard();
    await w.init();
    w.answers.platform = CUSTOM.id;
    w.answers.integration.project_id = "p1";
    w.answers.clouds = ["aws"];
    await w.goTo("aws-identity");
    await vi.waitFor(() => expect(w.answers.aws.account_id).toBe("123456789012"));
    expect(w.steps).toContain("aws-identity");
    await w.goTo("aws-storage");
    expect(w.steps).toContain("aws-identity");
  });

  it("ticks nothing without AWS credentials, or when the person already chose", async () => {
    backend((cmd) => (cmd === "aws_identity" ? Promise.reject({ code: "aws.no_credentials", message: "none", field: null, fix: null }) : undefined));
    const w = new Wizard();
    await w.init();
    w.answers.integration.project_id = "p1";
    await w.continue();
    await vi.waitFor(() => expect(calls("aws_identity").length).toBeGreaterThan(0));
    await vi.waitFor(() => expect(w.cloud.awsDetecting).toBe(false));
    expect(w.answers.clouds).toEqual([]);

    backend();
    const v = new Wizard();
    await v.init();
    v.answers.integration.project_id = "p1";
    v.answers.clouds = ["gcp"];
    invoke.mockClear();
    await v.continue();
    // Let any detection finish (the mock answers at once): the person's answer stands.
    await new Promise((r) => setTimeout(r, 30));
    await vi.waitFor(() => expect(v.cloud.awsDetecting).toBe(false));
    expect(v.answers.clouds).toEqual(["gcp"]);
    expect(v.awsPreselected).toBe(false);
  });
});

describe("The event buses of the plan's region", () => {
  it("are listed again on the events page when the region changed since they were listed, for the same account", async () => {
    const buses: Record<string, string[]> = { "us-east-1": ["default", "east-bus"], "eu-west-2": ["default", "london-bus"] };
    backend((cmd, args) =>
      cmd === "aws_identity" ? { caller: CALLER, buckets: [], event_buses: buses[String(args.region)] ?? ["default"], region: "eu-west-2" } : undefined,
    );
    const w = new Wizard();
    await w.init();
    await w.cloud.detectAws();
    // Listed where detection asked (the default region); the configuration's region became the answer.
    expect(w.cloud.busesRegion).toBe("us-east-1");
    expect(w.answers.aws.region).toBe("eu-west-2");
    w.answers.clouds = ["aws"];
    await w.goTo("aws-events");
    await vi.waitFor(() => expect(w.cloud.awsAccount?.event_buses).toEqual(["default", "london-bus"]));
    expect(w.cloud.busesRegion).toBe("eu-west-2");
    expect(calls("aws_identity").at(-1)).toEqual({ region: "eu-west-2" });
    // The same region again: not asked again.
    const asked = calls("aws_identity").length;
    await w.goTo("aws-events");
    await new Promise((r) => setTimeout(r, 10));
    expect(calls("aws_identity")).toHaveLength(asked);
    // Another account answering (a sign-in changed meanwhile): its buses are not taken.
    backend((cmd) => (cmd === "aws_identity" ? { caller: { ...CALLER, account: "210987654321" }, buckets: [], event_buses: ["theirs"] } : undefined));
    w.answers.aws.region = "us-west-2";
    await w.cloud.refreshBuses();
    expect(w.cloud.awsAccount?.event_buses).toEqual(["default", "london-bus"]);
  });
});

describe("What a bucket tells", () => {
  const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  const EU = { region: "eu-west-1", kms_key_arn: KEY, found: ["data-a is in eu-west-1"], unread: [] };

  it("fills in the region and the KMS key of one of the account's buckets, once per bucket", async () => {
    backend((cmd) => (cmd === "aws_bucket_facts" ? EU : undefined));
    const w = await wizardOnAws();
    await vi.waitFor(() => expect(w.cloud.awsAccount).not.toBeNull());
    w.answers.aws.storage[0].bucket = "data-a";
    await w.cloud.detectBucket(0);
    expect(calls("aws_bucket_facts")).toEqual([{ region: "us-east-1", bucket: "data-a" }]);
    expect(w.answers.aws.region).toBe("eu-west-1");
    expect(w.cloud.regionFromBucket).toBe("data-a");
    expect(w.answers.aws.storage[0].kms_key_arn).toBe(KEY);
    await w.cloud.detectBucket(0);
    expect(calls("aws_bucket_facts")).toHaveLength(1);
  });

  it("never overwrites what the person chose, and asks nothing about a bucket not in the account's list", async () => {
    backend((cmd) => (cmd === "aws_bucket_facts" ? EU : undefined));
    const w = await wizardOnAws();
    await vi.waitFor(() => expect(w.cloud.awsAccount).not.toBeNull());
    w.answers.aws.storage[0].bucket = "someone-elses-bucket";
    await w.cloud.detectBucket(0);
    expect(calls("aws_bucket_facts")).toEqual([]);
    w.answers.aws.region = "us-west-2";
    w.answers.aws.storage[0].bucket = "data-a";
    w.answers.aws.storage[0].kms_key_arn = "arn:aws:kms:us-west-2:123456789012:key/mine";
    await w.cloud.detectBucket(0);
    expect(w.answers.aws.region).toBe("us-west-2");
    expect(w.answers.aws.storage[0].kms_key_arn).toBe("arn:aws:kms:us-west-2:123456789012:key/mine");
    expect(w.cloud.regionFromBucket).toBeNull();
  });

  it("takes back what a bucket filled in when no row names it any more (typed on, another picked, row removed)", async () => {
    const A = "arn:aws:kms:eu-west-1:123456789012:key/aaaa";
    backend((cmd, args) => {
      if (cmd === "aws_identity") return { caller: CALLER, buckets: ["data", "data-archive"], event_buses: ["default"], region: null };
      if (cmd === "aws_bucket_facts")
        return args.bucket === "data"
          ? { region: "eu-west-1", kms_key_arn: A, found: [], unread: [] }
          : { region: "eu-west-2", kms_key_arn: null, found: [], unread: [] };
    });
    const w = await wizardOnAws();
    await vi.waitFor(() => expect(w.cloud.awsAccount).not.toBeNull());
    const row = w.answers.aws.storage[0];
    row.bucket = "data"; // a prefix of another listed bucket, typed on the way
    await w.cloud.detectBucket(0);
    expect([w.answers.aws.region, row.kms_key_arn]).toEqual(["eu-west-1", A]);
    row.bucket = "data-archive";
    w.cloud.reconcileBuckets();
    expect([w.answers.aws.region, row.kms_key_arn]).toEqual(["us-east-1", ""]);
    await w.cloud.detectBucket(0);
    expect([w.answers.aws.region, w.cloud.regionFromBucket]).toEqual(["eu-west-2", "data-archive"]);
    // The row removed: its region goes too.
    w.answers.aws.storage[0].bucket = "";
    w.cloud.reconcileBuckets();
    expect([w.answers.aws.region, w.cloud.regionFromBucket]).toEqual(["us-east-1", null]);
    // A key the person typed over is theirs: kept.
    row.bucket = "data";
    await w.cloud.detectBucket(0);
    row.kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/mine";
    row.bucket = "data-archive";
    w.cloud.reconcileBuckets();
    expect(row.kms_key_arn).toBe("arn:aws:kms:eu-west-1:123456789012:key/mine");
  });

  it("a bucket that cannot be read leaves the answers as they are", async () => {
    backend((cmd) => (cmd === "aws_bucket_facts" ? Promise.reject({ code: "aws.access_denied", message: "no", field: null, fix: null }) : undefined));
    const w = await wizardOnAws();
    await vi.waitFor(() => expect(w.cloud.awsAccount).not.toBeNull());
    w.answers.aws.storage[0].bucket = "data-b";
    await w.cloud.detectBucket(0);
    expect(w.answers.aws.region).toBe("us-east-1");
    expect(w.answers.aws.storage[0].kms_key_arn).toBe("");
  });
});

describe("Apply", () => {
  const change = { kind: "create_role", summary: "create role mlcube-platform-access", detail: ["+ trust …"] };

  it("previews with a dry run, then applies; a changed plan needs a new preview", async () => {
    backend(
      (cmd, args) =>
        cmd === "apply_aws" ? { caller: CALLER, role_arn: "arn:aws:iam::123456789012:role/r", dry_run: args.dryRun, changes: [change] } : undefined,
      NO_REGISTRATION,
    );
    const w = await wizardOnAws();
    await w.cloud.previewApply();
    expect(calls("apply_aws")[0]).toMatchObject({ dryRun: true });
    expect(w.cloud.applyRun.preview?.changes).toHaveLength(1);
    expect(w.cloud.applyRun.previewFor).toBe(w.cloud.planKey);
    await w.cloud.applyNow();
    expect(calls("apply_aws")[1]).toMatchObject({ dryRun: false });
    expect(w.cloud.applyRun.applied?.dry_run).toBe(false);
    w.answers.aws.role_name = "other-role";
    expect(w.cloud.applyRun.previewFor).not.toBe(w.cloud.planKey);
  });

  it("applies despite a blocking guardrail only when 'Apply anyway' is ticked, for that plan only", async () => {
    const blocked = { code: "aws.preflight_blocked", message: "apply refused: pre-flight found 1 guardrail(s)", field: null, fix: null };
    const scp = { code: "preflight.scp_denies", severity: "blocking", resource: "NoReads", message: "The SCP NoReads denies s3:GetObject", fix: "exempt the role" };
    backend(
      (cmd, args) => {
        if (cmd === "confirm_apply") return args.ignorePreflight ? null : Promise.reject(blocked);
        if (cmd !== "apply_aws") return undefined;
        return { caller: CALLER, role_arn: "arn:aws:iam::123456789012:role/r", dry_run: args.dryRun, changes: [change], preflight: [scp] };
      },
      NO_REGISTRATION,
    );
    const w = await wizardOnAws();
    await w.cloud.previewApply();
    expect(w.cloud.applyRun.preview?.preflight).toEqual([scp]);
    await w.cloud.applyNow();
    expect(calls("confirm_apply").at(-1)).toMatchObject({ ignorePreflight: false });
    expect(w.cloud.applyRun.error?.code).toBe("aws.preflight_blocked");
    expect(calls("apply_aws").filter((a) => a?.dryRun === false)).toHaveLength(0);

    w.cloud.ignorePreflightFor = w.cloud.planKey;
    await w.cloud.previewApply();
    await w.cloud.applyNow();
    expect(calls("confirm_apply").at(-1)).toMatchObject({ ignorePreflight: true });
    expect(calls("apply_aws").at(-1)).toMatchObject({ dryRun: false, ignorePreflight: true });

    // Another plan: the choice was for the plan on screen then, so it is off again.
    w.answers.aws.role_name = "another-role";
    expect(w.cloud.ignorePreflight).toBe(false);
  });

  it("adopts an existing role only when its box is ticked, for that role only, and says so to Rust", async () => {
    const notOurs = { code: "aws.role_not_ours", message: "role r exists and is not tagged", field: null, fix: "… --adopt" };
    const existing = [{ kind: "managed", name: "AdministratorAccess", arn: "arn:aws:iam::aws:policy/AdministratorAccess", grants: [], note: "AWS-managed" }];
    backend(
      (cmd, args) => {
        if (cmd !== "apply_aws") return undefined;
        if (!args.adopt) return Promise.reject(notOurs);
        return { caller: CALLER, role_arn: "arn:aws:iam::123456789012:role/r", dry_run: args.dryRun, changes: [change], existing, warnings: ["AWS-managed policy AdministratorAccess is attached"] };
      },
      NO_REGISTRATION,
    );
    const w = await wizardOnAws();
    w.answers.aws.account_id = "123456789012";
    await w.cloud.previewApply();
    expect(w.cloud.adopt).toBe(false);
    expect(w.cloud.applyRun.error).toEqual(notOurs);

    await w.cloud.setAdopt(true);
    expect(calls("apply_aws").at(-1)).toMatchObject({ dryRun: true, adopt: true });
    expect(w.cloud.applyRun.error).toBeNull();
    expect(w.cloud.applyRun.preview?.existing).toEqual(existing);
    expect(w.cloud.applyRun.previewFor).toBe(w.cloud.applyKey);
    expect(w.cloud.applyRun.previewFor).not.toBe(w.cloud.planKey); // a preview with adopt is not one without

    await w.cloud.applyNow();
    expect(calls("confirm_apply").at(-1)).toMatchObject({ adopt: true });
    expect(calls("apply_aws").at(-1)).toMatchObject({ dryRun: false, adopt: true });

    // Another role name: the adoption was for the other role, so it is off again.
    w.answers.aws.role_name = "another-role";
    expect(w.cloud.adopt).toBe(false);
    await w.cloud.setAdopt(false);
    expect(calls("apply_aws").at(-1)).toMatchObject({ dryRun: true, adopt: false });
  });

  it("shows the backend's refusal (another account) and keeps no preview", async () => {
    const refusal = { code: "aws.account_mismatch", message: "signed in to account 111111111111 …", field: null, fix: "use a profile for 123456789012" };
    backend((cmd) => (cmd === "apply_aws" ? Promise.reject(refusal) : undefined));
    const w = await wizardOnAws();
    await w.cloud.previewApply();
    expect(w.cloud.applyRun.error).toEqual(refusal);
    expect(w.cloud.applyRun.preview).toBeNull();
    expect(w.cloud.applyRun.running).toBeNull();
  });
});

describe("Credentials", () => {
  it("sends the secret once, keeps only the fingerprint, never saves it", async () => {
    const status = { kind: "azure", stored: true, key_id: null, principal: "app-id", scope: "tenant" };
    backend((cmd) => (cmd === "store_credentials" ? status : cmd === "credentials_status" ? [] : undefined));
    const w = new Wizard();
    await w.init();
    const json = JSON.stringify({ appId: "a", password: CANARY, tenant: "t" });
    expect(await w.cloud.storeSecret("azure", json)).toBeNull();
    expect(calls("store_credentials")[0]).toMatchObject({ kind: "azure", json });
    expect(w.cloud.credentials).toEqual([status]);
    await w.continue();
    const everything = JSON.stringify({ saved: calls("save_draft"), credentials: w.cloud.credentials, answers: w.answers, plan: w.plan });
    expect(everything).not.toContain(CANARY);
  });

  it("answers with the problem when Rust refuses it", async () => {
    const problem = { code: "secrets.azure.tenant_mismatch", message: "tenant differs", field: "credentials.azure", fix: "f" };
    backend((cmd) => (cmd === "store_credentials" ? Promise.reject(problem) : undefined));
    const w = new Wizard();
    await w.init();
    expect(await w.cloud.storeSecret("azure", "{}")).toEqual(problem);
    expect(w.cloud.credentials).toEqual([]);
  });
});

describe("Connectivity test", () => {
  const probe = (id: string, status: ProbeStatus) => ({ id, title: `title of ${id}`, status, duration_ms: 12, message: `${id} ok`, fix: null, code: null });

  it("shows each probe running, then its result, live from the channel", async () => {
    let seenWhileRunning: string[] = [];
    let w!: InstanceType<typeof Wizard>;
    backend((cmd, args) => {
      if (cmd !== "verify_plan") return undefined;
      const ch = args.onEvent as FakeChannel;
      ch.onmessage({ event: "started", id: "aws:credentials", title: "Your AWS credentials work" });
      ch.onmessage({ event: "started", id: "aws:role_exists", title: "The role exists" });
      ch.onmessage({ event: "finished", probe: probe("aws:credentials", "pass") });
      seenWhileRunning = w.cloud.probes.map((p) => `${p.id}:${p.status}`);
      // A running probe is named from the start, in Rust's words.
      expect(w.cloud.probes.find((p) => p.id === "aws:role_exists")?.title).toBe("The role exists");
      ch.onmessage({ event: "waiting", id: "aws:role_exists", title: "The role exists", message: "waiting for IAM" });
      expect(w.cloud.probes.find((p) => p.id === "aws:role_exists")?.message).toBe("waiting for IAM");
      ch.onmessage({ event: "finished", probe: probe("aws:role_exists", "pass") });
      return {
        probes: [probe("aws:credentials", "pass"), probe("aws:role_exists", "pass"), probe("aws:vendor_assume_role", "skip")],
        verdict: "pass",
      };
    });
    w = await wizardOnAws();
    await w.cloud.runTest();
    expect(seenWhileRunning).toEqual(["aws:credentials:pass", "aws:role_exists:running"]);
    expect(w.cloud.testState).toBe("done");
    expect(w.cloud.probes.map((p) => p.status)).toEqual(["pass", "pass", "skip"]);
    expect(w.cloud.verdict).toBe("pass"); // Rust's verdict, kept as sent
  });

  it("an error that stops the whole test is shown as such", async () => {
    const err = { code: "validation", message: "aws.account_id: …", field: "aws.account_id", fix: null };
    backend((cmd) => (cmd === "verify_plan" ? Promise.reject(err) : undefined));
    const w = await wizardOnAws();
    await w.cloud.runTest();
    expect(w.cloud.testState).toBe("error");
    expect(w.cloud.testError).toEqual(err);
  });
});

describe("Apply on Google Cloud and Azure", () => {
  /** The window's "Sign in with Google" as Rust answers it: who this computer acts as, before and after. */
  function googleSignIn() {
    const who = "dana@example.com (signed in with Google in Trustbridge)";
    const state = {
      signedIn: false,
      /** What happens while Google's page is open (the person moves on, say). */
      meanwhile: async () => {},
      async answer(cmd: string): Promise<unknown> {
        if (cmd === "cloud_sign_ins")
          return { gcp: state.signedIn ? who : null, azure: null, gcp_can_sign_in: true, azure_can_sign_in: false };
        if (cmd === "gcp_sign_in") {
          state.signedIn = true;
          await state.meanwhile();
          return who;
        }
        return undefined;
      },
    };
    return state;
  }

  const DRY = { cloud: "gcp", acting_as: "admin@example.com (gcloud application-default login)", dry_run: true, notes: [], preflight: [],
    changes: [{ summary: "create service account sa@p.iam.gserviceaccount.com", detail: [] }] };

  async function onGcp() {
    const w = new Wizard();
    await w.init();
    w.answers.clouds = ["gcp"];
    w.answers.gcp.project_id = "my-project";
    return w;
  }

  it("with a sign-in, arrival on the export page asks who and previews; Apply asks Rust to apply for real", async () => {
    backend((cmd, args) => {
      if (cmd === "cloud_sign_ins") return { gcp: "admin@example.com (gcloud application-default login)", azure: null };
      if (cmd === "apply_cloud") return { ...DRY, dry_run: args.dryRun };
    });
    const w = await onGcp();
    await w.cloud.detectCloudSignIns();
    await vi.waitFor(() => expect(w.cloud.cloudRuns.gcp.preview).not.toBeNull());
    expect(calls("apply_cloud")).toEqual([{ plan: w.plan, cloud: "gcp", dryRun: true, withCredentials: false, ignorePreflight: false }]);
    expect(w.cloud.cloudRuns.azure.preview).toBeNull();
    // The vendor signs in with a key and none is stored: the same Apply makes it ("Apply and create the key").
    expect(w.cloud.createsCredentials("gcp")).toBe(true);
    await w.cloud.applyCloudNow("gcp");
    expect(calls("apply_cloud")[1]).toEqual({ plan: w.plan, cloud: "gcp", dryRun: false, withCredentials: true, ignorePreflight: false });
    expect(w.cloud.cloudRuns.gcp.applied?.dry_run).toBe(false);
  });

  it("an apply that made the key shows it stored (and asks for no second key); a failed creation is shown, the apply kept", async () => {
    const stored = { kind: "gcp", stored: true, key_id: "k1", principal: "sa@p.iam.gserviceaccount.com", scope: "my-project" };
    let answer: Record<string, unknown> = { credentials: stored, credentials_error: null };
    backend((cmd, args) => {
      if (cmd === "apply_cloud") return { ...DRY, dry_run: args.dryRun, credentials: null, credentials_error: null, ...(args.dryRun ? {} : answer) };
      if (cmd === "credentials_status") return answer.credentials ? [stored] : [];
    });
    const w = await onGcp();
    await w.cloud.applyCloudNow("gcp");
    expect(w.cloud.credentialRuns.gcp.status?.stored).toBe(true);
    expect(w.cloud.createsCredentials("gcp")).toBe(false);
    expect(calls("credentials_status").length).toBe(1);
    const refused = { code: "gcp.permission_denied", message: "keys are disabled", field: null, fix: null };
    answer = { credentials: null, credentials_error: refused };
    const w2 = await onGcp();
    await w2.cloud.applyCloudNow("gcp");
    expect(w2.cloud.cloudRuns.gcp.applied?.dry_run).toBe(false);
    expect(w2.cloud.credentialRuns.gcp.error).toEqual(refused);
    expect(w2.cloud.createsCredentials("gcp")).toBe(true);
  });

  it("an organization policy that blocks: Apply is refused until Apply anyway is ticked, for this plan only", async () => {
    const blocked = { code: "gcp.preflight_blocked", message: "apply refused: iam.disableServiceAccountKeyCreation", field: null, fix: null };
    backend((cmd, args) => {
      if (cmd === "apply_cloud") {
        if (!args.dryRun && !args.ignorePreflight) throw blocked;
        return { ...DRY, dry_run: args.dryRun };
      }
    });
    const w = await onGcp();
    await w.cloud.applyCloudNow("gcp");
    expect(w.cloud.cloudRuns.gcp.error?.code).toBe("gcp.preflight_blocked");
    expect(w.cloud.cloudRuns.gcp.applied).toBeNull();
    w.cloud.setIgnoreGcpPreflight(true);
    // Another plan (the project changed): the choice does not carry over.
    w.answers.gcp.project_id = "other-project";
    expect(w.cloud.ignoreGcpPreflight).toBe(false);
    await w.cloud.applyCloudNow("gcp");
    expect(calls("apply_cloud").at(-1)?.ignorePreflight).toBe(false);
    w.cloud.setIgnoreGcpPreflight(true);
    await w.cloud.applyCloudNow("gcp");
    expect(calls("apply_cloud").at(-1)?.ignorePreflight).toBe(true);
    expect(w.cloud.cloudRuns.gcp.applied?.dry_run).toBe(false);
    // Never on Azure: its apply has no pre-flight to override.
    await w.cloud.applyCloudNow("azure");
    expect(calls("apply_cloud").at(-1)).toMatchObject({ cloud: "azure", ignorePreflight: false });
  });

  it("without a sign-in nothing is previewed, and a cancelled apply is an error on the page, not a crash", async () => {
    backend((cmd) => {
      if (cmd === "cloud_sign_ins") return { gcp: null, azure: null };
    });
    const w = await onGcp();
    await w.cloud.detectCloudSignIns();
    expect(calls("apply_cloud")).toEqual([]);
    backend((cmd) => {
      if (cmd === "apply_cloud") throw { code: "apply.cancelled", message: "nothing was applied", field: null, fix: null };
    });
    await w.cloud.applyCloudNow("gcp");
    expect(w.cloud.cloudRuns.gcp.error?.code).toBe("apply.cancelled");
    expect(w.cloud.cloudRuns.gcp.applied).toBeNull();
  });

  it("'Accept and apply' on Check your answers once the sign-in listed the projects: a dry run of this arrival, then Apply", async () => {
    const google = googleSignIn();
    google.signedIn = true;
    backend(async (cmd, args) => {
      if (cmd === "gcp_list") return { names: ["my-project"], truncated: false, acting_as: "dana@example.com" };
      if (cmd === "apply_cloud") return { ...DRY, dry_run: args.dryRun };
      return google.answer(cmd);
    });
    const w = await onGcp();
    await w.goTo("check");
    expect(w.checkApplies).toBe(false); // nothing listed yet: the export page offers the sign-in
    await w.goTo("gcp-identity");
    await vi.waitFor(() => expect(w.cloud.gcpPicks.actingAs("projects")).not.toBeNull());
    await w.goTo("check");
    expect(w.checkApplies).toBe(true);
    await w.continue();
    expect(w.step).toBe("export");
    await vi.waitFor(() => expect(calls("apply_cloud").map((a) => a?.dryRun)).toEqual([true, false]));
  });

  it("signs in with Google from the window, then asks again who it acts as and previews there", async () => {
    const google = googleSignIn();
    backend(async (cmd, args) => {
      if (cmd === "apply_cloud") return { ...DRY, dry_run: args.dryRun };
      return google.answer(cmd);
    });
    const w = await onGcp();
    // On a question page: signed in, but nothing is asked of the plan nor dry-run there.
    await w.goTo("gcp-identity");
    await w.cloud.signInCloud("gcp");
    expect(calls("cloud_sign_ins")).toEqual([]);
    await w.goTo("export");
    await vi.waitFor(() => expect(w.cloud.signIns?.gcp).toContain("dana@example.com"));
    google.signedIn = false;
    await w.cloud.detectCloudSignIns();
    expect(w.cloud.signIns?.gcp).toBeNull();
    // On the export page: who it acts as is asked again (the dry run made on arrival stays).
    await w.cloud.signInCloud("gcp");
    expect(calls("gcp_sign_in")).toEqual([{ platform: w.plan.platform }, { platform: w.plan.platform }]);
    expect(w.cloud.cloudSignIn).toBeNull();
    expect(w.cloud.signIns?.gcp).toContain("dana@example.com");
    await vi.waitFor(() => expect(w.cloud.cloudRuns.gcp.preview).not.toBeNull());
  });

  it("'Sign in with Google and apply': the dry run as that sign-in, then Apply at once — not when nothing changes or pre-flight blocks", async () => {
    const google = googleSignIn();
    let dry: Record<string, unknown> = DRY;
    backend(async (cmd, args) => {
      if (cmd === "apply_cloud") return args.dryRun ? dry : { ...DRY, dry_run: false };
      return google.answer(cmd);
    });
    const onExport = async () => {
      const w = await onGcp();
      await w.goTo("export");
      return w;
    };
    const w = await onExport();
    await w.cloud.signInCloud("gcp", true);
    expect(calls("apply_cloud").map((a) => a?.dryRun)).toEqual([true, false]);
    expect(w.cloud.cloudRuns.gcp.applied?.dry_run).toBe(false);

    // Pre-flight found an organization policy that would stop the vendor: the page shows it, no apply.
    const blocking = { code: "preflight.gcp_org_policy", severity: "blocking", resource: null, message: "keys are forbidden", fix: "go keyless" };
    for (const [what, answer] of [
      ["blocked", { ...DRY, preflight: [blocking] }],
      ["nothing to change", { ...DRY, changes: [] }],
    ] as const) {
      invoke.mockClear();
      google.signedIn = false;
      dry = answer;
      const w2 = await onExport();
      await w2.cloud.signInCloud("gcp", true);
      expect(calls("apply_cloud").map((a) => a?.dryRun), what).toEqual([true]);
      expect(w2.cloud.cloudRuns.gcp.applied, what).toBeNull();
    }

    // The person left the export page while signing in: no dialog on another page.
    invoke.mockClear();
    google.signedIn = false;
    dry = DRY;
    const w3 = await onExport();
    google.meanwhile = () => w3.goTo("check");
    await w3.cloud.signInCloud("gcp", true);
    expect(calls("apply_cloud").filter((a) => a?.dryRun === false)).toEqual([]);
    expect(w3.cloud.cloudRuns.gcp.applied).toBeNull();
  });

  it("shows the Azure code while it waits; a refusal is shown, a cancel is not an error", async () => {
    let release: (v: string) => void = () => {};
    backend((cmd) => {
      if (cmd === "cloud_sign_ins") return { gcp: null, azure: null, gcp_can_sign_in: false, azure_can_sign_in: true };
      if (cmd === "azure_sign_in_start") return { user_code: "F7QX-K2LM", verification_uri: "https://microsoft.com/devicelogin", expires_in_s: 900 };
      if (cmd === "azure_sign_in_wait") return new Promise<string>((r) => (release = r));
    });
    const w = await onGcp();
    const done = w.cloud.signInCloud("azure");
    await vi.waitFor(() => expect(w.cloud.cloudSignIn?.device?.user_code).toBe("F7QX-K2LM"));
    expect(calls("azure_sign_in_open")).toHaveLength(1);
    release("erin@contoso.example (signed in to Azure in Trustbridge)");
    await done;
    expect(w.cloud.cloudSignIn).toBeNull();

    backend((cmd) => {
      if (cmd === "azure_sign_in_start") throw { code: "azure.sign_in_failed", message: "declined", field: null, fix: null };
    });
    await w.cloud.signInCloud("azure");
    expect(w.cloud.cloudSignIn?.error?.code).toBe("azure.sign_in_failed");

    backend((cmd) => {
      if (cmd === "azure_sign_in_start") throw { code: "sign_in.cancelled", message: "cancelled", field: null, fix: null };
    });
    await w.cloud.signInCloud("azure");
    expect(w.cloud.cloudSignIn).toBeNull();
  });

  it("creates the vendor's key after an apply and reads the keyring's list again; Cancel is an error on the page", async () => {
    const STORED = { kind: "gcp", stored: true, key_id: "0123456789abcdef", principal: "ml3@p.iam.gserviceaccount.com", scope: "p" };
    backend((cmd) => {
      if (cmd === "create_cloud_credentials") return STORED;
      if (cmd === "credentials_status") return [STORED];
    });
    const w = await onGcp();
    await w.cloud.createCredentials("gcp");
    expect(calls("create_cloud_credentials")).toEqual([{ plan: w.plan, cloud: "gcp" }]);
    expect(w.cloud.credentialRuns.gcp.status?.stored).toBe(true);
    expect(w.cloud.credentials).toEqual([STORED]);
    backend((cmd) => {
      if (cmd === "create_cloud_credentials") throw { code: "credentials.cancelled", message: "nothing was created", field: null, fix: null };
    });
    await w.cloud.createCredentials("azure");
    expect(w.cloud.credentialRuns.azure.error?.code).toBe("credentials.cancelled");
    expect(w.cloud.credentialRuns.azure.running).toBe(false);
  });

  it("removes the vendor's access: the apply there is forgotten and the keyring is read again; Cancel removes nothing", async () => {
    const REMOVED = { ...DRY, dry_run: false, revoke: true, notes: ["The key kept for ML cube in this computer's keyring no longer opens anything and was deleted from it."] };
    backend((cmd, args) => {
      if (cmd === "revoke_cloud") return REMOVED;
      if (cmd === "apply_cloud") return { ...DRY, dry_run: args.dryRun };
      if (cmd === "credentials_status") return [];
    });
    const w = await onGcp();
    await w.cloud.applyCloudNow("gcp");
    expect(w.cloud.cloudRuns.gcp.applied).not.toBeNull();
    await w.cloud.revokeCloudNow("gcp");
    expect(calls("revoke_cloud")).toEqual([{ plan: w.plan, cloud: "gcp" }]);
    expect(w.cloud.revokeRuns.gcp.removed?.revoke).toBe(true);
    expect(w.cloud.cloudRuns.gcp.applied).toBeNull();
    expect(w.cloud.cloudRuns.gcp.preview).toBeNull();
    expect(calls("credentials_status").length).toBeGreaterThan(0);
    backend((cmd) => {
      if (cmd === "revoke_cloud") throw { code: "revoke.cancelled", message: "nothing was removed", field: null, fix: null };
    });
    await w.cloud.revokeCloudNow("azure");
    expect(w.cloud.revokeRuns.azure.error?.code).toBe("revoke.cancelled");
    expect(w.cloud.revokeRuns.azure.running).toBe(false);
  });
});

describe("Google Cloud's pick lists", () => {
  /** Rust's `gcp_list` for a sign-in that sees `projects`, and per project its buckets and topics. */
  function lists(projects: string[], per: Record<string, { buckets: string[]; topics: string[] }>, signedIn = true) {
    return (cmd: string, args: Args) => {
      if (cmd !== "gcp_list") return undefined;
      if (!signedIn) throw { code: "gcp.no_credentials", message: "no sign-in" };
      const what = args.what as { what: string; project?: string };
      const names = what.what === "projects" ? projects : (per[what.project ?? ""]?.[what.what as "buckets" | "topics"] ?? []);
      return { names, truncated: false, acting_as: "dana@example.com (signed in with Google in Trustbridge)" };
    };
  }

  async function onGcpPages() {
    const w = new Wizard();
    await w.init();
    w.answers.clouds = ["gcp"];
    return w;
  }

  it("lists the projects on arrival, fills the only one, then that project's buckets and topics — each once", async () => {
    backend(lists(["ml-prod"], { "ml-prod": { buckets: ["training"], topics: ["retrain"] } }));
    const w = await onGcpPages();
    await w.goTo("gcp-identity");
    await vi.waitFor(() => expect(w.answers.gcp.project_id).toBe("ml-prod"));
    expect(w.cloud.gcpPicks.actingAs("projects")).toContain("dana@example.com");
    await w.goTo("gcp-storage");
    await vi.waitFor(() => expect(w.answers.gcp.storage.map((r) => r.name)).toEqual(["training"]));
    expect(calls("gcp_list").at(-1)).toEqual({ what: { what: "buckets", project: "ml-prod" } });
    await w.goTo("gcp-events");
    await vi.waitFor(() => expect(w.answers.gcp.events.map((r) => r.name)).toEqual(["retrain"]));
    // Emptied on purpose: coming back lists again but fills nothing (awaited: the answer is in).
    w.answers.gcp.events[0].name = "";
    await w.goTo("gcp-storage");
    await w.goTo("gcp-events");
    await w.cloud.gcpPicks.list("topics");
    expect(w.cloud.gcpPicks.names("topics")).toEqual(["retrain"]);
    expect(w.answers.gcp.events[0].name).toBe("");
  });

  it("fills nothing on a page visited before (left empty then), nor for a project changed while listing", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    const answer = lists(["ml-prod"], { "ml-prod": { buckets: ["training"], topics: ["retrain"] } });
    backend(async (cmd, args) => {
      if (cmd === "gcp_list" && (args.what as { what: string }).what === "buckets") await held;
      return answer(cmd, args);
    });
    const w = await onGcpPages();
    w.answers.gcp.project_id = "ml-prod";
    await w.goTo("gcp-events");
    await w.cloud.gcpPicks.list("topics");
    w.answers.gcp.events[0].name = "";
    // The buckets of ml-prod are being listed when the person changes the project.
    await w.goTo("gcp-storage");
    w.answers.gcp.project_id = "other-project";
    release();
    await vi.waitFor(() => expect(calls("gcp_list").length).toBe(3));
    await new Promise((r) => setTimeout(r, 10));
    expect(w.answers.gcp.storage[0].name).toBe("");
    // A second visit of the events page, the list complete: still nothing filled.
    w.answers.gcp.project_id = "ml-prod";
    await w.goTo("gcp-events");
    await w.cloud.gcpPicks.list("topics");
    expect(w.answers.gcp.events[0].name).toBe("");
  });

  it("several listed: offered, none chosen; another project's list is not offered for this one", async () => {
    backend(lists(["a-project", "b-project"], { "a-project": { buckets: ["one", "two"], topics: [] } }));
    const w = await onGcpPages();
    await w.goTo("gcp-identity");
    await vi.waitFor(() => expect(w.cloud.gcpPicks.names("projects")).toEqual(["a-project", "b-project"]));
    expect(w.answers.gcp.project_id).toBe("");
    w.answers.gcp.project_id = "a-project";
    await w.goTo("gcp-storage");
    await vi.waitFor(() => expect(w.cloud.gcpPicks.names("buckets")).toEqual(["one", "two"]));
    expect(w.answers.gcp.storage[0].name).toBe("");
    w.answers.gcp.project_id = "b-project";
    expect(w.cloud.gcpPicks.names("buckets")).toEqual([]);
  });

  it("nobody signed in: no list, and the sign-in made on the project page lists them at once", async () => {
    const state = { signedIn: false };
    backend((cmd, args) => {
      if (cmd === "gcp_sign_in") {
        state.signedIn = true;
        return "dana@example.com (signed in with Google in Trustbridge)";
      }
      return lists(["only-one"], {}, state.signedIn)(cmd, args);
    });
    const w = await onGcpPages();
    await w.goTo("gcp-identity");
    await vi.waitFor(() => expect(w.cloud.gcpPicks.error?.code).toBe("gcp.no_credentials"));
    expect(w.cloud.gcpPicks.actingAs("projects")).toBeNull();
    await w.cloud.signInCloud("gcp");
    expect(calls("gcp_sign_in")).toEqual([{ platform: w.plan.platform }]);
    await vi.waitFor(() => expect(w.answers.gcp.project_id).toBe("only-one"));
    expect(w.cloud.gcpPicks.error).toBeNull();
  });
});

describe("Azure's pick lists", () => {
  const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
  /** Rust's `azure_list` for a sign-in (once `signedIn`) that sees one of everything, except two groups when `groups` says so. */
  function azureWorld(groups = ["ml-rg"]) {
    const state = { signedIn: false };
    const answer = (cmd: string, args: Args): unknown => {
      if (cmd === "azure_sign_in_start") return { user_code: "F7QX-K2LM", verification_uri: "https://microsoft.com/devicelogin", expires_in_s: 900 };
      if (cmd === "azure_sign_in_wait") {
        state.signedIn = true;
        return "erin@contoso.example (signed in to Azure in Trustbridge)";
      }
      if (cmd !== "azure_list") return undefined;
      if (!state.signedIn) throw { code: "azure.no_credentials", message: "nobody is signed in to Azure in Trustbridge", field: null, fix: null };
      const what = (args.what as { what: string }).what;
      const names: Record<string, string[]> = {
        subscriptions: [SUB], resource_groups: groups, storage_accounts: ["acct1"], containers: ["training"], topics: ["retrain-events"],
      };
      return { names: names[what], truncated: false, acting_as: "erin@contoso.example", tenant: TENANT };
    };
    return { state, answer };
  }

  async function onAzurePages() {
    const w = new Wizard();
    await w.init();
    w.answers.clouds = ["azure"];
    return w;
  }

  it("signed in on the subscription page: the tenant, the only subscription, group, account, container and topic fill themselves", async () => {
    const world = azureWorld();
    backend(world.answer);
    const w = await onAzurePages();
    await w.goTo("azure-identity");
    await vi.waitFor(() => expect(w.cloud.azurePicks.error?.code).toBe("azure.no_credentials"));
    expect(calls("azure_list").length).toBe(1);
    w.cloud.azurePicks.refresh("azure-identity"); // a page's effect runs again: a failure is not asked again
    expect(calls("azure_list").length).toBe(1);
    await w.cloud.signInCloud("azure");
    expect(calls("azure_sign_in_start")).toEqual([{ platform: w.plan.platform, tenant: null }]);
    await vi.waitFor(() => expect(w.answers.azure.resource_group).toBe("ml-rg"));
    expect([w.answers.azure.tenant_id, w.answers.azure.subscription_id]).toEqual([TENANT, SUB]);
    expect(w.cloud.azurePicks.actingAs()).toBe("erin@contoso.example");
    await w.goTo("azure-storage");
    await vi.waitFor(() => expect(w.answers.azure.storage).toEqual([{ storage_account: "acct1", container: "training" }]));
    expect(calls("azure_list").at(-1)).toEqual({ what: { what: "containers", subscription: SUB, resource_group: "ml-rg", storage_account: "acct1" } });
    await w.goTo("azure-events");
    await vi.waitFor(() => expect(w.answers.azure.events.map((r) => r.name)).toEqual(["retrain-events"]));
    // Each list once: coming back asks nothing again.
    const n = calls("azure_list").length;
    await w.goTo("azure-identity");
    await w.goTo("azure-storage");
    expect(calls("azure_list").length).toBe(n);
  });

  it("a sign-in of another tenant than the one answered is not the plan's: no 'Accept and apply', the sign-in is offered again", async () => {
    const world = azureWorld();
    backend(world.answer);
    const w = await onAzurePages();
    await w.goTo("azure-identity");
    await w.cloud.signInCloud("azure");
    await vi.waitFor(() => expect(w.answers.azure.resource_group).toBe("ml-rg"));
    expect(w.cloud.azurePicks.actingAs()).toBe("erin@contoso.example");
    w.answers.azure.tenant_id = TENANT.toUpperCase();
    expect(w.cloud.azurePicks.actingAs()).toBe("erin@contoso.example");
    w.answers.azure.tenant_id = "11111111-2222-3333-4444-555555555555";
    expect(w.cloud.azurePicks.actingAs()).toBeNull();
    await w.goTo("check");
    expect(w.checkApplies).toBe(false);
    w.answers.azure.tenant_id = TENANT;
    expect(w.checkApplies).toBe(true);
    // Start again: nothing of this sign-in's lists is kept.
    w.cloud.reset();
    expect([w.cloud.azurePicks.actingAs(), w.cloud.azurePicks.names("resource_groups")]).toEqual([null, []]);
  });

  it("several groups: offered, none chosen, and nothing is listed under a group that was not picked from the list", async () => {
    const world = azureWorld(["ml-rg", "other-rg"]);
    world.state.signedIn = true;
    backend(world.answer);
    const w = await onAzurePages();
    await w.goTo("azure-identity");
    await vi.waitFor(() => expect(w.cloud.azurePicks.names("resource_groups")).toEqual(["ml-rg", "other-rg"]));
    expect(w.answers.azure.resource_group).toBe("");
    w.answers.azure.resource_group = "ml-r"; // half typed
    await w.goTo("azure-storage");
    expect(calls("azure_list").map((a) => (a?.what as { what: string }).what)).toEqual(["subscriptions", "resource_groups"]);
    w.answers.azure.resource_group = "other-rg";
    w.cloud.azurePicks.refresh("azure-storage");
    await vi.waitFor(() => expect(w.answers.azure.storage[0].storage_account).toBe("acct1"));
  });
});
