// The wizard's Continue: validated in Rust with the step's fields, autosaved with the next step,
// blocked by any problem. IPC is mocked at @tauri-apps/api/core (the only Tauri door).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MLCUBE } from "./fixtures.test-util";
import type { ProfileSummary } from "../ipc/bindings/ProfileSummary";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args) }));
vi.stubGlobal("window", { scrollTo() {} });
vi.stubGlobal("document", { getElementById: () => null });

const { Wizard } = await import("./wizard.svelte");

type Call = [string, Record<string, unknown> | undefined];
const calls = (name: string) => (invoke.mock.calls as Call[]).filter(([c]) => c === name).map(([, a]) => a);

/** A vendor that takes the customer's external id (no registration API). */
const NO_REGISTRATION: ProfileSummary = { ...MLCUBE, id: "acme", display_name: "Acme", registration: null };

function backend(problems: (args: Record<string, unknown>) => unknown[] = () => [], profile: ProfileSummary = MLCUBE) {
  invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
    switch (cmd) {
      case "list_profiles":
        return [profile];
      case "load_draft":
        return null;
      case "validate_plan":
        return problems(args);
      case "new_external_id":
        return "generated-external-id-0123456789";
      default:
        return null;
    }
  });
}

beforeEach(() => invoke.mockReset());
afterEach(() => vi.clearAllMocks());

describe("Continue", () => {
  it("validates the step's fields in Rust, saves the draft with the next step, moves on", async () => {
    backend();
    const w = new Wizard();
    await w.init();
    expect(w.screen).toBe("wizard");
    expect(w.answers.platform).toBe("mlcube"); // the only profile is preselected
    await w.continue();
    // ML cube lists the key's projects on "Connect to ML cube": the project is asked there, not here.
    expect(calls("validate_plan")[0]).toMatchObject({ fields: ["platform", "integration.name", "integration.default", "version"] });
    expect(calls("save_draft")[0]).toMatchObject({ draft: { version: 1, step: "clouds" } });
    expect(w.step).toBe("clouds");

    w.answers.clouds = ["aws"];
    await w.continue();
    expect(w.step).toBe("aws-identity");
    // ML cube issues the external id at registration: none is made here.
    expect(w.answers.aws.external_id).toBe("");
    expect(calls("new_external_id")).toHaveLength(0);
    expect(w.inputs).not.toContain("aws.external_id");
  });

  it("a vendor without a registration API gets an external id made in Rust, as before", async () => {
    backend(() => [], NO_REGISTRATION);
    const w = new Wizard();
    await w.init();
    w.answers.integration.project_id = "p1";
    await w.continue();
    w.answers.clouds = ["aws"];
    await w.continue();
    expect(w.step).toBe("aws-identity");
    expect(w.answers.aws.external_id).toBe("generated-external-id-0123456789");
    expect(w.inputs).toContain("aws.external_id");
    expect(w.steps).not.toContain("vendor");
  });

  it("a problem blocks Continue, shows at its field, and nothing is saved", async () => {
    // A vendor without a registration API: the project is asked on the first page.
    backend(
      (args) =>
        (args.fields as string[] | undefined)?.includes("integration")
          ? [{ code: "validation.integration.project_id", message: "integration.project_id: a project id may contain only letters, digits and _ . - (got 'x y')", field: "integration.project_id", fix: null }]
          : [],
      NO_REGISTRATION,
    );
    const w = new Wizard();
    await w.init();
    w.answers.integration.project_id = "x y";
    await w.continue();
    expect(w.step).toBe("start");
    expect(calls("save_draft")).toHaveLength(0);
    expect(w.errorAt("integration.project_id")).toBe("Your project ID on the platform must use only letters, numbers, underscores, full stops and hyphens.");
    expect(w.summary[0].text).toBe(w.errorAt("integration.project_id"));
    expect(w.summary[0]).toMatchObject({ href: "#f-integration-project-id" });
    expect(w.attempts).toBe(1);
  });

  it("presenter mode masks messages and values", async () => {
    backend();
    const w = new Wizard();
    await w.init();
    w.answers.aws.account_id = "123456789012";
    // The switch tells Rust too: its native dialogs hide identifiers as the page does.
    w.togglePresenter();
    expect(calls("set_presenter").at(-1)).toEqual({ on: true });
    w.presenter = true;
    expect(w.show("arn:aws:iam::123456789012:role/x")).toBe("arn:aws:iam::••••••:role/x");
  });

  it("resumes a saved draft at its step with its answers", async () => {
    backend();
    invoke.mockImplementation(async (cmd: string) =>
      cmd === "list_profiles"
        ? [MLCUBE]
        : cmd === "load_draft"
          ? { version: 1, step: "aws-storage", plan: { version: 1, platform: "mlcube", integration: { name: "N", project_id: "p" }, aws: { account_id: "123456789012", region: "eu-west-1", external_id: "e-1", storage: [{ bucket: "b" }] } } }
          : null,
    );
    const w = new Wizard();
    await w.init();
    expect(w.screen).toBe("resume");
    await w.resume();
    expect(w.step).toBe("aws-storage");
    expect(w.answers.aws.storage[0].bucket).toBe("b");
    expect(w.answers.aws.external_id).toBe("e-1");
  });
});

describe("which clouds need a secret", () => {
  it("follows Rust's preview of the plan as it is, and the answers' estimate before or after a change", async () => {
    let needs: string[] = [];
    backend();
    const inner = invoke.getMockImplementation()!;
    invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) =>
      cmd === "preview" ? { files: [], grants: [], findings: [], needs_secret: needs } : inner(cmd, args),
    );
    const w = new Wizard();
    await w.init();
    w.answers.clouds = ["gcp", "azure"];
    // Before any preview: both clouds sign in with a key (not keyless), so Credentials and Send show.
    expect(w.secretClouds).toEqual(["gcp", "azure"]);
    expect(w.steps).toContain("credentials");

    // Rust says only Azure takes a secret: the step graph, the Credentials page and Send follow it.
    needs = ["azure", "vendor-api-key"];
    await w.loadPreview();
    expect(calls("preview")).toHaveLength(1);
    expect(w.secretClouds).toEqual(["azure"]);
    expect(w.sendClouds).toEqual(["azure"]);
    needs = [];
    await w.loadPreview();
    expect(w.secretClouds).toEqual([]);
    expect(w.steps).not.toContain("credentials");
    expect(w.steps).not.toContain("send");

    // A changed answer makes that preview another plan's: the estimate stands in until the next one.
    w.answers.gcp.project_id = "another-project";
    expect(w.secretClouds).toEqual(["gcp", "azure"]);
    expect(w.steps).toContain("credentials");

    // Both in the keyring (Apply made them): nothing left to do on Credentials, the page folds;
    // one of them gone again (Remove access): it is back.
    const sa = `${w.plan.gcp!.service_account}@another-project.iam.gserviceaccount.com`;
    const status = (kind: string, stored: boolean, principal: string | null = kind === "gcp" ? sa : null, scope: string | null = kind === "azure" ? w.plan.azure!.tenant_id : "another-project") =>
      ({ kind, stored, key_id: null, principal, scope }) as never;
    w.cloud.credentials = [status("gcp", true), status("azure", false)];
    expect(w.steps).toContain("credentials");
    w.cloud.credentials = [status("gcp", true), status("azure", true)];
    expect(w.steps).not.toContain("credentials");
    expect(w.steps).toContain("send");
    w.cloud.credentials = [status("gcp", false), status("azure", true)];
    expect(w.steps).toContain("credentials");
    // A key kept from answers that pointed at another project (or a secret of another tenant): the page stays.
    w.cloud.credentials = [status("gcp", true, "ml3-platform-sa@my-project.iam.gserviceaccount.com"), status("azure", true)];
    expect(w.steps).toContain("credentials");
    w.cloud.credentials = [status("gcp", true), status("azure", true, null, "00000000-0000-0000-0000-000000000000")];
    expect(w.steps).toContain("credentials");
  });
});


describe("Send to the vendor and test, from the export page", () => {
  it("once the key is in the keyring, Continue sends it and goes on to the test; a failed send lands on Send", async () => {
    let refuse = false;
    backend();
    const inner = invoke.getMockImplementation()!;
    invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
      if (cmd === "register_vendor") {
        if (refuse) throw { code: "vendor.unauthorized", message: "the key was refused", field: null, fix: null };
        return { plan: args.plan, steps: [{ cloud: "gcp", action: "created", message: "registered" }] };
      }
      return inner(cmd, args);
    });
    const w = new Wizard();
    await w.init();
    w.answers.clouds = ["gcp"];
    w.answers.gcp.project_id = "my-project";
    await w.goTo("export");
    // No key stored yet: Continue leads to the Credentials page, as before; nothing is sent.
    expect(w.sendsOnContinue).toBe(false);
    const sa = `${w.plan.gcp!.service_account}@my-project.iam.gserviceaccount.com`;
    w.cloud.credentials = [{ kind: "gcp", stored: true, key_id: "k1", principal: sa, scope: "my-project" } as never];
    expect(w.steps).not.toContain("credentials");
    expect(w.sendsOnContinue).toBe(true);
    await w.continue();
    expect(calls("register_vendor")).toHaveLength(1);
    expect(calls("register_vendor")[0]).toMatchObject({ clouds: ["gcp"], dryRun: false });
    expect(w.step).toBe("test");
    // A send already under way (a second click): Continue waits for it and reads its outcome.
    await w.goTo("export");
    const first = w.cloud.sendToVendor();
    await w.continue();
    await first;
    expect(calls("register_vendor")).toHaveLength(2);
    expect(w.step).toBe("test");
    // Back on the export page, a send the vendor refuses: the Send page shows why.
    await w.goTo("export");
    refuse = true;
    await w.continue();
    expect(w.step).toBe("send");
    expect(w.cloud.sendRun.error?.code).toBe("vendor.unauthorized");
    // A key kept for another service account: not this plan's, so nothing is sent from the export page.
    await w.goTo("export");
    w.cloud.credentials = [{ kind: "gcp", stored: true, key_id: "k1", principal: "other@my-project.iam.gserviceaccount.com", scope: "my-project" } as never];
    expect(w.sendsOnContinue).toBe(false);
  });
});
