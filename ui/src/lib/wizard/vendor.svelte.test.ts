// Registration with the vendor's API in the wizard (ML cube): the "Connect to {vendor}" page (the
// URL and the API key, which goes to the keyring and nowhere else), Apply = register then apply
// (the vendor-issued ids kept in the answers even when the apply fails), Export registers first,
// the "Send to {vendor}" step, the test that runs on arrival. IPC is mocked at @tauri-apps/api/core.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MLCUBE } from "./fixtures.test-util";
import type { Plan } from "../ipc/bindings/Plan";

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
const calls = (name: string) => (invoke.mock.calls as Call[]).filter(([c]) => c === name).map(([, a]) => a as Args);

const API_KEY = "canary-api-key-7f3a-never-kept";
const CALLER = { account: "123456789012", arn: "arn:aws:iam::123456789012:user/alice" };
const ISSUED = "mlcube-issued-external-id-42";
const stored = { kind: "vendor-api-key", stored: true, key_id: null, principal: "sha256:0a1b2c3d", scope: null };
const notStored = { ...stored, stored: false, principal: null };

/** What register_vendor answers: the plan with the vendor's ids recorded for the clouds asked for. */
function registered(plan: Plan, clouds: string[]) {
  const p = structuredClone(plan);
  const all = clouds.length === 0 ? ["aws", "gcp", "azure"] : clouds;
  const steps = [];
  if (p.aws && all.includes("aws")) {
    p.aws.external_id = ISSUED;
    p.aws.vendor_credentials_id = "cred-aws-1";
    steps.push({ cloud: "aws", action: "registered", name: "CLOUD_01", credentials_id: "cred-aws-1", message: "registered role … at ML cube Platform" });
  }
  if (p.gcp && all.includes("gcp")) {
    p.gcp.vendor_credentials_id = "cred-gcp-1";
    steps.push({ cloud: "gcp", action: "registered", name: "CLOUD_01_GCP", credentials_id: "cred-gcp-1", message: "sent the key" });
  }
  if (p.azure && all.includes("azure")) {
    p.azure.vendor_credentials_id = "cred-az-1";
    steps.push({ cloud: "azure", action: "registered", name: "CLOUD_01_AZURE", credentials_id: "cred-az-1", message: "sent the SP" });
  }
  return { steps, plan: p };
}

function backend(extra: (cmd: string, args: Args) => unknown = () => undefined) {
  invoke.mockImplementation(async (cmd: string, args: Args) => {
    const r = await extra(cmd, args);
    if (r !== undefined) return r;
    switch (cmd) {
      case "list_profiles":
        return [MLCUBE];
      case "load_draft":
        return null;
      case "validate_plan":
        return [];
      case "vendor_key_status":
        return notStored;
      case "store_credentials":
        return stored;
      case "register_vendor":
        return registered(args.plan as Plan, args.clouds as string[]);
      case "apply_aws":
        return { caller: CALLER, role_arn: "arn:aws:iam::123456789012:role/mlcube-platform-access", dry_run: args.dryRun, changes: [] };
      case "verify_plan":
        return { probes: [], verdict: "nothing_proven" };
      default:
        return null;
    }
  });
}

/** The ML cube wizard filled in for `clouds`, standing on the page after the cloud pages. */
async function wizardAt(clouds: ("aws" | "gcp" | "azure")[]) {
  const w = new Wizard();
  await w.init();
  w.answers.integration.project_id = "p1";
  w.answers.clouds = clouds;
  w.answers.aws.account_id = "123456789012";
  w.answers.aws.storage[0].bucket = "data";
  w.answers.gcp.project_id = "gp-123456";
  w.answers.gcp.storage[0].name = "b";
  w.answers.azure.tenant_id = "t";
  w.answers.azure.subscription_id = "s";
  w.answers.azure.resource_group = "rg";
  await w.goTo("vendor");
  return w;
}

beforeEach(() => invoke.mockReset());
afterEach(() => vi.clearAllMocks());

describe("Connect to the vendor", () => {
  it("comes after the cloud pages, before Check your answers; Send comes after Credentials", async () => {
    backend();
    const w = await wizardAt(["aws", "gcp", "azure"]);
    const s = w.steps;
    expect(s.indexOf("vendor")).toBe(s.indexOf("check") - 1);
    expect(s.indexOf("azure-events")).toBeLessThan(s.indexOf("vendor"));
    expect(s.slice(s.indexOf("credentials"))).toEqual(["credentials", "send", "test", "done"]);
    expect(w.sendClouds).toEqual(["gcp", "azure"]);
    expect(w.inputs).toEqual(["integration.api_url", "vendor.api_key", "integration.project_id"]);
  });

  it("asks for the URL and the key; Continue is blocked without them", async () => {
    backend();
    const w = await wizardAt(["aws"]);
    await w.continue();
    expect(w.step).toBe("vendor");
    expect(w.errorAt("integration.api_url")).toBe("Enter the ML cube Platform API URL.");
    expect(w.errorAt("vendor.api_key")).toBe("Enter the API key.");
    expect(w.summary.map((s) => s.href)).toEqual(["#f-integration-api-url", "#f-vendor-api-key"]);
    expect(calls("store_credentials")).toHaveLength(0);
    expect(calls("validate_plan").at(-1)).toMatchObject({ fields: ["integration.api_url", "integration.project_id"] });
  });

  it("stores the typed key in the keyring once, clears it, and never saves it", async () => {
    backend();
    const w = await wizardAt(["aws"]);
    w.answers.integration.api_url = "https://api.mlcube.example";
    w.cloud.vendorKey = API_KEY;
    await w.continue();
    expect(w.step).toBe("check");
    expect(calls("store_credentials")).toEqual([expect.objectContaining({ kind: "vendor-api-key", json: API_KEY })]);
    expect(w.cloud.vendorKey).toBe("");
    expect(w.cloud.vendorKeyStored?.principal).toBe("sha256:0a1b2c3d");
    const saved = calls("save_draft");
    expect(saved.at(-1)).toMatchObject({ draft: { step: "check", plan: { integration: { api_url: "https://api.mlcube.example" } } } });
    const everything = JSON.stringify({ saved, answers: w.answers, plan: w.plan, validated: calls("validate_plan") });
    expect(everything).not.toContain(API_KEY);
  });

  it("with a key already stored, Continue needs none; a key typed but not continued is forgotten", async () => {
    backend((cmd) => (cmd === "vendor_key_status" ? stored : undefined));
    const w = await wizardAt(["aws"]);
    await vi.waitFor(() => expect(w.cloud.vendorKeyStored?.stored).toBe(true));
    w.answers.integration.api_url = "http://127.0.0.1:9999";
    w.cloud.vendorKey = API_KEY;
    await w.back();
    expect(w.cloud.vendorKey).toBe("");
    await w.goTo("vendor");
    await w.continue();
    expect(w.step).toBe("check");
    expect(calls("store_credentials")).toHaveLength(0);
  });

  it("lists the key's projects: a single one is the answer, several are offered, a refusal is said", async () => {
    const one = [{ project_id: "fraud-detection", name: "Fraud detection" }];
    let listed: unknown = one;
    backend((cmd) => (cmd === "vendor_projects" ? (listed instanceof Error ? Promise.reject(listed) : listed) : undefined));
    const w = await wizardAt(["aws"]);
    w.answers.integration.project_id = "";
    w.cloud.vendorKey = API_KEY;
    await w.cloud.loadProjects();
    // The typed key goes to Rust with the page's answers (no plan: it is not complete yet), and only there.
    expect(calls("vendor_projects").at(-1)).toEqual({ platform: "mlcube", integration: w.answers.integration.name, apiUrl: null, key: API_KEY });
    expect(w.answers.integration.project_id).toBe("fraud-detection");
    expect(JSON.stringify({ answers: w.answers, plan: w.plan })).not.toContain(API_KEY);
    // Asked again for the same key: not called again.
    await w.cloud.loadProjects();
    expect(calls("vendor_projects")).toHaveLength(1);

    // Another key, several projects: none is chosen for the person; a typed answer is never replaced.
    listed = [...one, { project_id: "churn", name: "Churn" }];
    w.answers.integration.project_id = "";
    w.cloud.vendorKey = `${API_KEY}-2`;
    await w.cloud.loadProjects();
    expect(w.cloud.vendorProjects?.map((p) => p.project_id)).toEqual(["fraud-detection", "churn"]);
    expect(w.answers.integration.project_id).toBe("");

    // Refused (a wrong key): said at the project field's hint, the id can be typed.
    listed = Object.assign(new Error("401"), { code: "vendor.unauthorized", message: "the key was refused", field: null, fix: null });
    w.cloud.vendorKey = `${API_KEY}-3`;
    await w.cloud.loadProjects();
    expect(w.cloud.vendorProjects).toBeNull();
    expect(w.cloud.vendorProjectsError?.code).toBe("vendor.unauthorized");
  });

  it("a listing under way for the same key is waited for (a quick Continue); nothing kept holds the key", async () => {
    let answer: (v: unknown) => void = () => {};
    backend((cmd) => (cmd === "vendor_projects" ? new Promise((r) => (answer = r)) : undefined));
    const w = await wizardAt(["aws"]);
    w.answers.integration.project_id = "";
    w.cloud.vendorKey = API_KEY;
    const first = w.cloud.loadProjects();
    let second = false;
    const again = w.cloud.loadProjects().then(() => (second = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(second).toBe(false); // waits for the first, asks nothing new
    expect(calls("vendor_projects")).toHaveLength(1);
    answer([{ project_id: "solo", name: "Solo" }]);
    await Promise.all([first, again]);
    expect(w.answers.integration.project_id).toBe("solo");
    const field = (k: string) => String((w.cloud as unknown as Record<string, unknown>)[k]);
    expect(field("projectsFor")).not.toContain(API_KEY); // the listing's cache is keyed by a count, not the key
    w.cloud.forgetTypedKey();
    expect([field("vendorKey"), field("lastKey"), field("projectsFor")].join(" ")).not.toContain(API_KEY);
  });

  it("Continue right after the key is typed waits for the project list, then checks the page", async () => {
    backend((cmd) => (cmd === "vendor_projects" ? [{ project_id: "only-one", name: "Only one" }] : undefined));
    const w = await wizardAt(["aws"]);
    w.answers.integration.project_id = "";
    w.answers.integration.api_url = "https://api.mlcube.example";
    w.cloud.vendorKey = API_KEY;
    await w.continue();
    expect(w.step).toBe("check");
    expect(w.answers.integration.project_id).toBe("only-one");
    expect(calls("vendor_projects").at(-1)).toMatchObject({ apiUrl: "https://api.mlcube.example", key: API_KEY });
  });

  it("with a key stored, the projects are listed on arrival with that key (none is sent)", async () => {
    backend((cmd) => (cmd === "vendor_key_status" ? stored : cmd === "vendor_projects" ? [{ project_id: "p9", name: "P9" }] : undefined));
    const w = await wizardAt(["aws"]);
    await vi.waitFor(() => expect(calls("vendor_projects")).toHaveLength(1));
    expect(calls("vendor_key_status").at(-1)).toEqual({ platform: "mlcube", integration: w.answers.integration.name, apiUrl: null });
    expect(calls("vendor_projects").at(-1)).toMatchObject({ key: null });
    expect(w.answers.integration.project_id).toBe("p1"); // answered already: kept
  });

  it("a key the keyring refuses is shown at the field, and the page stays", async () => {
    const refusal = { code: "keyring.unavailable", message: "no keyring", field: null, fix: "unlock it" };
    backend((cmd) => (cmd === "store_credentials" ? Promise.reject(refusal) : undefined));
    const w = await wizardAt(["aws"]);
    w.answers.integration.api_url = "https://api.mlcube.example";
    w.cloud.vendorKey = API_KEY;
    await w.continue();
    expect(w.step).toBe("vendor");
    expect(w.errorAt("vendor.api_key")).toBe("The system keyring is locked or unavailable, so secrets cannot be stored.");
    expect(w.summary.map((s) => s.text)).toContain("unlock it");
  });

  it("routes a bad URL found on Check your answers to this page", async () => {
    backend();
    const w = await wizardAt(["aws"]);
    expect(w.steps).toContain("vendor");
    await w.change("integration.api_url");
    expect(w.step).toBe("vendor");
    expect(w.returnToCheck).toBe(true);
  });
});

describe("Apply and export for a vendor that issues the external id", () => {
  it("applies in one action: registers the role, keeps the vendor's ids in the answers, then applies with them", async () => {
    backend();
    const w = await wizardAt(["aws"]);
    expect(w.externalIdPending).toBe(true);
    await w.cloud.previewApply();
    expect(calls("apply_aws")[0]).toMatchObject({ dryRun: true });
    expect(calls("register_vendor")).toHaveLength(0); // a dry run registers nothing
    await w.cloud.applyNow();
    expect(calls("register_vendor")[0]).toMatchObject({ clouds: ["aws"], dryRun: false });
    const applied = calls("apply_aws")[1];
    expect(applied).toMatchObject({ dryRun: false, plan: { aws: { external_id: ISSUED, vendor_credentials_id: "cred-aws-1" } } });
    expect(w.answers.aws.external_id).toBe(ISSUED);
    expect(w.externalIdPending).toBe(false);
    expect(w.cloud.awsRegistration.steps[0].action).toBe("registered");
    expect(calls("save_draft").at(-1)).toMatchObject({ draft: { plan: { aws: { external_id: ISSUED, vendor_credentials_id: "cred-aws-1" } } } });
  });

  it("asks for the native confirmation before registering; Cancel registers and applies nothing", async () => {
    const cancelled = { code: "apply.cancelled", message: "nothing was applied", field: null, fix: null };
    backend((cmd) => (cmd === "confirm_apply" ? Promise.reject(cancelled) : undefined));
    const w = await wizardAt(["aws"]);
    await w.cloud.previewApply();
    await w.cloud.applyNow();
    expect(calls("confirm_apply")).toEqual([expect.objectContaining({ adopt: false, plan: expect.objectContaining({ aws: expect.anything() }) })]);
    expect(calls("register_vendor")).toHaveLength(0);
    expect(calls("apply_aws").filter((a) => a.dryRun === false)).toHaveLength(0);
    expect(w.cloud.applyRun.error).toEqual(cancelled);
    expect(w.cloud.applyRun.preview).not.toBeNull(); // the dry run stays on screen: Apply can be chosen again
    expect(w.cloud.applyPhase).toBeNull();
    expect(calls("verify_plan")).toHaveLength(0); // nothing applied: no moving on to the test

    backend();
    await w.cloud.applyNow();
    const order = (invoke.mock.calls as Call[]).map(([c]) => c).filter((c) => ["confirm_apply", "register_vendor", "apply_aws"].includes(c));
    expect(order.slice(-3)).toEqual(["confirm_apply", "register_vendor", "apply_aws"]);
  });

  it("keeps the ids when the apply fails after registering", async () => {
    const denied = { code: "aws.access_denied", message: "denied", field: null, fix: "ask an admin" };
    backend((cmd, args) => (cmd === "apply_aws" && !args.dryRun ? Promise.reject(denied) : undefined));
    const w = await wizardAt(["aws"]);
    await w.cloud.applyNow();
    expect(w.cloud.applyRun.error).toEqual(denied);
    expect(w.answers.aws.vendor_credentials_id).toBe("cred-aws-1");
    expect(w.plan.aws?.external_id).toBe(ISSUED);
    expect(calls("save_draft").at(-1)).toMatchObject({ draft: { plan: { aws: { external_id: ISSUED } } } });
  });

  it("a refused registration stops before anything is applied", async () => {
    const refused = { code: "vendor.trust_refused", message: "Principal * …", field: null, fix: "contact ML cube" };
    backend((cmd) => (cmd === "register_vendor" ? Promise.reject(refused) : undefined));
    const w = await wizardAt(["aws"]);
    await w.cloud.applyNow();
    expect(w.cloud.applyRun.error).toEqual(refused);
    expect(w.cloud.awsRegistration.error).toEqual(refused);
    expect(calls("apply_aws").filter((a) => a.dryRun === false)).toHaveLength(0);
    expect(w.answers.aws.external_id).toBe("");
  });

  it("registerAws (used by Export) answers with the plan holding the vendor's external id", async () => {
    backend();
    const w = await wizardAt(["aws"]);
    const plan = await w.cloud.registerAws();
    expect(plan.aws?.external_id).toBe(ISSUED);
    expect(w.plan.aws?.external_id).toBe(ISSUED);
  });

  it("on arrival at Apply to AWS with AWS credentials, the dry run is shown straight away", async () => {
    backend((cmd) => (cmd === "aws_identity" ? { caller: CALLER, buckets: [], event_buses: [] } : undefined));
    const w = await wizardAt(["aws"]);
    await w.cloud.detectAws();
    await w.goTo("export");
    await vi.waitFor(() => expect(w.cloud.applyRun.preview).not.toBeNull());
    expect(calls("apply_aws")).toEqual([expect.objectContaining({ dryRun: true })]);
  });
});

describe("Accept and apply (the last question before applying)", () => {
  const signedIn = (extra: (cmd: string, args: Args) => unknown = () => undefined) => (cmd: string, args: Args) =>
    cmd === "aws_identity" ? { caller: CALLER, buckets: [], event_buses: [] } : extra(cmd, args);
  const applied = () => calls("apply_aws").filter((a) => a.dryRun === false);

  it("with apply preselected and AWS the only cloud, Check's button applies: the dry run, then Rust's native confirmation, then apply", async () => {
    backend(signedIn((cmd, args) => (cmd === "apply_aws" ? { caller: CALLER, role_arn: "arn:aws:iam::123456789012:role/x", dry_run: args.dryRun, changes: [{ kind: "create" }], existing: null, warnings: [], preflight: [] } : undefined)));
    const w = await wizardAt(["aws"]);
    await w.cloud.detectAws();
    await w.goTo("check");
    expect(w.checkApplies).toBe(true);
    await w.continue();
    await vi.waitFor(() => expect(applied()).toHaveLength(1));
    const order = (invoke.mock.calls as Call[]).map(([c, a]) => (c === "apply_aws" ? `apply_aws:${a?.dryRun}` : c)).filter((c) => c.startsWith("apply_aws") || c === "confirm_apply");
    expect(order).toEqual(["apply_aws:true", "confirm_apply", "apply_aws:false"]);
  });

  it("the confirmation waits for the person when the dry run needs them: pre-flight blocks, or nothing to change; with another cloud Check only continues", async () => {
    const blocking = { code: "aws.scp_denies", cloud: "aws", account_id: null, resource: null, severity: "blocking", message: "denied", fix: "f" };
    const warning = { ...blocking, severity: "warning", message: "may be denied" };
    for (const [changes, preflight] of [[[{ kind: "create" }], [blocking]], [[{ kind: "create" }], [warning]], [[], []]] as const) {
      invoke.mockReset();
      backend(signedIn((cmd, args) => (cmd === "apply_aws" ? { caller: CALLER, role_arn: "r", dry_run: args.dryRun, changes, existing: null, warnings: [], preflight } : undefined)));
      const w = await wizardAt(["aws"]);
      await w.cloud.detectAws();
      await w.goTo("check");
      await w.continue();
      expect(w.step).toBe("export");
      await vi.waitFor(() => expect(w.cloud.applyRun.preview).not.toBeNull());
      await new Promise((r) => setTimeout(r, 10));
      expect(calls("confirm_apply")).toHaveLength(0);
      expect(applied()).toHaveLength(0);
    }
    invoke.mockReset();
    backend(signedIn());
    const w = await wizardAt(["aws", "gcp"]);
    await w.cloud.detectAws();
    await w.goTo("check");
    expect(w.checkApplies).toBe(false);
  });

  it("leaving the apply page before its dry run is in (and coming back another way): no confirmation is asked", async () => {
    let answer: (v: unknown) => void = () => {};
    backend(signedIn((cmd, args) => (cmd === "apply_aws" && args.dryRun ? new Promise((r) => (answer = r)) : undefined)));
    const w = await wizardAt(["aws"]);
    await w.cloud.detectAws();
    await w.goTo("check");
    await w.continue();
    expect(w.step).toBe("export");
    await w.back();
    await w.goTo("export"); // back again, not through Accept and apply
    answer({ caller: CALLER, role_arn: "r", dry_run: true, changes: [{ kind: "create" }], existing: null, warnings: [], preflight: [] });
    await new Promise((r) => setTimeout(r, 10));
    expect(calls("confirm_apply")).toHaveLength(0);
  });
});

describe("How do you want to set this up? (apply from this computer or export)", () => {
  const identity = (account: string | null) => (cmd: string) => {
    if (cmd !== "aws_identity") return undefined;
    if (!account) return Promise.reject({ code: "aws.no_credentials", message: "no credentials", field: null, fix: null });
    return { caller: { account, arn: `arn:aws:iam::${account}:user/alice` }, buckets: [], event_buses: [] };
  };
  const dryRuns = () => calls("apply_aws").filter((a) => a.dryRun === true);
  const lastDraft = () => (calls("save_draft").at(-1) as { draft: { step: string; plan: Record<string, unknown> } }).draft;

  /**
   * From Check your answers to the question: Continue; or, with credentials for the plan's account
   * (looked up since the first page), apply is preselected and the question is folded into Check
   * your answers (tested with the account page's fold in cloud.svelte.test.ts): its Change link.
   */
  async function onQuestion(clouds: ("aws" | "gcp" | "azure")[]) {
    const w = await wizardAt(clouds);
    await w.cloud.detectAws();
    await w.goTo("check");
    if (w.reachable.includes("route") && !w.steps.includes("route")) await w.change("route");
    else await w.continue();
    await new Promise((r) => setTimeout(r, 0)); // the detection on arrival ends
    return w;
  }

  it("comes after Check your answers when the plan has AWS; apply is preselected with credentials for its account", async () => {
    backend(identity("123456789012"));
    const w = await onQuestion(["aws"]);
    expect(w.step).toBe("route");
    expect(w.title("route")).toBe("How to set up");
    expect(w.route).toBe("apply");
    expect(w.answers.route).toBeNull(); // preselected, not yet answered
    await w.continue();
    expect(w.step).toBe("export");
    expect(w.title("export")).toBe("Apply to AWS");
    // The answer is remembered, in the answers and in the draft saved with the next page.
    expect(w.answers.route).toBe("apply");
    expect(lastDraft()).toMatchObject({ step: "export", plan: { route: "apply" } });
    // Apply chosen: the dry run is shown on arrival.
    await vi.waitFor(() => expect(dryRuns()).toHaveLength(1));
    // Never in the plan Rust validates or exports.
    expect(w.plan).not.toHaveProperty("route");
  });

  it("export is preselected without credentials, or with credentials for another account", async () => {
    for (const account of [null, "210987654321"]) {
      invoke.mockReset();
      backend(identity(account));
      const w = await onQuestion(["aws"]);
      expect(w.step).toBe("route");
      expect(w.route).toBe("export");
      await w.continue();
      expect(w.step).toBe("export");
      expect(w.title("export")).toBe("Export the setup files");
      expect(lastDraft().plan.route).toBe("export");
    }
  });

  it("the person's answer wins over the preselection; export shows no dry run; Back shows the answer", async () => {
    backend(identity("123456789012"));
    const w = await onQuestion(["aws"]);
    expect(w.route).toBe("apply");
    w.setRoute("export");
    w.setRoute("something else"); // not an answer: ignored
    expect(w.route).toBe("export");
    await w.continue();
    expect(w.step).toBe("export");
    await new Promise((r) => setTimeout(r, 0));
    expect(dryRuns()).toHaveLength(0);
    await w.back();
    expect(w.step).toBe("route");
    expect(w.route).toBe("export");
    await w.back();
    expect(w.step).toBe("check");
  });

  it("is not asked without AWS: Check your answers leads to the export", async () => {
    backend(identity("123456789012"));
    const w = await onQuestion(["gcp", "azure"]);
    expect(w.steps).not.toContain("route");
    expect(w.step).toBe("export");
    expect(w.route).toBe("export");
    expect(w.title("export")).toBe("Export the setup files");
  });

  it("a resumed draft keeps the answer", async () => {
    const w0 = await (async () => {
      backend(identity(null));
      const w = await onQuestion(["aws"]);
      w.setRoute("apply");
      await w.continue();
      return w;
    })();
    expect(w0.answers.route).toBe("apply");
    const draft = JSON.parse(JSON.stringify(lastDraft()));
    invoke.mockReset();
    backend((cmd) => (cmd === "load_draft" ? { version: 1, ...draft } : identity(null)(cmd)));
    const w = new Wizard();
    await w.init();
    expect(w.screen).toBe("resume");
    await w.resume();
    expect(w.step).toBe("export");
    expect(w.answers.route).toBe("apply");
    expect(w.route).toBe("apply"); // no credentials found now, but the answer stays
    // Start again forgets it.
    await w.startAgain();
    expect(w.answers.route).toBeNull();
  });
});

describe("Send to the vendor", () => {
  it("registers the GCP key and the Azure service principal and shows each step", async () => {
    backend();
    const w = await wizardAt(["gcp", "azure"]);
    expect(w.steps).toContain("send");
    await w.cloud.sendToVendor();
    expect(calls("register_vendor")[0]).toMatchObject({ clouds: ["gcp", "azure"], dryRun: false });
    expect(w.cloud.sendRun.steps.map((s) => s.cloud)).toEqual(["gcp", "azure"]);
    expect(w.answers.gcp.vendor_credentials_id).toBe("cred-gcp-1");
    expect(w.plan.azure?.vendor_credentials_id).toBe("cred-az-1");
  });

  it("shows the error with its fix, and keeps nothing half-done", async () => {
    const bad = { code: "vendor.unauthorized", message: "401", field: null, fix: "store a new API key" };
    backend((cmd) => (cmd === "register_vendor" ? Promise.reject(bad) : undefined));
    const w = await wizardAt(["azure"]);
    await w.cloud.sendToVendor();
    expect(w.cloud.sendRun).toEqual({ running: false, steps: [], error: bad });
  });

  it("has no Send page for a keyless cloud", async () => {
    backend();
    const w = await wizardAt(["aws"]);
    expect(w.steps).not.toContain("send");
  });
});

describe("Connectivity test", () => {
  it("runs on arrival, once", async () => {
    backend();
    const w = await wizardAt(["aws"]);
    await w.goTo("test");
    await vi.waitFor(() => expect(w.cloud.testState).toBe("done"));
    await w.goTo("test");
    expect(calls("verify_plan")).toHaveLength(1);
  });
});

describe("After Apply", () => {
  const change = { kind: "create_role", summary: "create role mlcube-platform-access", detail: [] };
  const applying = (cmd: string, args: Args) =>
    cmd === "apply_aws"
      ? { caller: CALLER, role_arn: "arn:aws:iam::123456789012:role/mlcube-platform-access", dry_run: args.dryRun, changes: [change] }
      : undefined;

  it("goes straight to the connectivity test, which runs on arrival; Back shows the applied result", async () => {
    backend(applying);
    const w = await wizardAt(["aws"]);
    await w.goTo("export");
    await w.cloud.previewApply();
    await w.cloud.applyNow();
    expect(w.step).toBe("test");
    expect(calls("save_draft").at(-1)).toMatchObject({ draft: { step: "test" } });
    await vi.waitFor(() => expect(w.cloud.testState).toBe("done"));
    expect(calls("verify_plan")).toHaveLength(1);
    expect(w.cloud.applyRun.applied?.dry_run).toBe(false);
    await w.back();
    expect(w.step).toBe("export");
    expect(w.cloud.applyRun.applied?.changes).toHaveLength(1); // still on screen, no new dry run
    expect(calls("apply_aws").filter((a) => a.dryRun === true)).toHaveLength(1);
  });

  it("runs the test again after a second apply", async () => {
    backend(applying);
    const w = await wizardAt(["aws"]);
    await w.goTo("test");
    await vi.waitFor(() => expect(w.cloud.testState).toBe("done"));
    await w.goTo("export");
    await w.cloud.applyNow();
    expect(w.step).toBe("test");
    await vi.waitFor(() => expect(calls("verify_plan")).toHaveLength(2));
  });

  it("stays on the page when the apply fails, on a dry run, and with other clouds still to export", async () => {
    const denied = { code: "aws.access_denied", message: "denied", field: null, fix: "ask an admin" };
    backend((cmd, args) => (cmd === "apply_aws" && !args.dryRun ? Promise.reject(denied) : applying(cmd, args)));
    const w = await wizardAt(["aws"]);
    await w.goTo("export");
    await w.cloud.previewApply();
    expect(w.step).toBe("export");
    await w.cloud.applyNow();
    expect(w.step).toBe("export");
    expect(w.cloud.applyRun.error).toEqual(denied);

    invoke.mockReset();
    backend(applying);
    const both = await wizardAt(["aws", "azure"]);
    await both.goTo("export");
    await both.cloud.applyNow();
    expect(both.cloud.applyRun.applied).not.toBeNull();
    expect(both.step).toBe("export");
    expect(calls("verify_plan")).toHaveLength(0);
  });
});

describe("The events question when its answer needs no input", () => {
  it("is skipped (the default bus); Check's Change opens it and Continue returns to Check", async () => {
    backend();
    const w = await wizardAt(["aws"]);
    expect(w.steps).not.toContain("aws-events");
    expect(w.reachable).toContain("aws-events");
    await w.goTo("aws-storage");
    await w.continue();
    expect(w.step).toBe("vendor");
    await w.goTo("check");
    await w.change("aws.events");
    expect(w.step).toBe("aws-events");
    expect(w.returnToCheck).toBe(true);
    expect(w.steps).toContain("aws-events");
    expect(w.inputs).toEqual(["aws.events[0].event_bus_name"]);
    await w.continue();
    expect(calls("validate_plan").at(-1)).toMatchObject({ fields: ["aws.events"] });
    expect(w.step).toBe("check");
    expect(w.steps).not.toContain("aws-events");
  });

  it("Back on the opened page returns to Check", async () => {
    backend();
    const w = await wizardAt(["aws"]);
    await w.goTo("check");
    await w.change("aws.events");
    await w.back();
    expect(w.step).toBe("check");
  });

  it("a non-default answer keeps the page on the way", async () => {
    backend();
    const w = await wizardAt(["aws"]);
    await w.goTo("check");
    await w.change("aws.events");
    w.answers.aws.events = [{ name: "orders" }];
    await w.continue();
    expect(w.step).toBe("check");
    expect(w.steps).toContain("aws-events");
    await w.goTo("aws-storage");
    await w.continue();
    expect(w.step).toBe("aws-events");
  });

  it("a problem at the field links to the page from Check your answers", async () => {
    const bad = {
      code: "validation.aws.events.event_bus_name",
      message: "aws.events[0].event_bus_name: an event bus name may contain only letters, digits and / . _ - (got 'a b')",
      field: "aws.events[0].event_bus_name",
      fix: null,
    };
    backend((cmd) => (cmd === "validate_plan" ? [bad] : undefined));
    const w = await wizardAt(["aws"]);
    await w.goTo("check");
    await w.loadPreview();
    expect(w.steps).toContain("aws-events");
    const link = w.summary.find((s) => s.onselect);
    // Named in words that say which cloud, never by the page it is on.
    expect(link?.text).toBe("Enter a name for the AWS event bus that uses only letters, numbers and the characters / . _ -.");
    link?.onselect?.();
    await vi.waitFor(() => expect(w.step).toBe("aws-events"));
    expect(w.returnToCheck).toBe(true);
  });

  it("a draft saved on the page resumes there", async () => {
    backend((cmd) =>
      cmd === "load_draft"
        ? { version: 1, step: "aws-events", plan: { version: 1, platform: "mlcube", integration: { name: "CLOUD_01", project_id: "p" }, aws: { account_id: "123456789012", region: "us-east-1", storage: [{ bucket: "b" }], events: [{ event_bus_name: "default" }] } } }
        : undefined,
    );
    const w = new Wizard();
    await w.init();
    expect(w.screen).toBe("resume");
    await w.resume();
    expect(w.step).toBe("aws-events");
  });
});
