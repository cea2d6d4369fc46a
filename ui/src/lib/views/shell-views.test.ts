// The Google Cloud and Azure hand-offs, rendered (server-side, no window): the Credentials and Export
// pages say how to run each command or script in the cloud's shell in the browser, with the plan's
// real values (masked in presenter mode); a refused key is shown at its box and in the wizard's error
// summary, whose link leads to the box. IPC is mocked at @tauri-apps/api/core.
import type { Component } from "svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args), Channel: class {} }));
const { render } = await import("svelte/server");
const CredentialsView = (await import("./CredentialsView.svelte")).default;
const ExportView = (await import("./ExportView.svelte")).default;
const ErrorSummary = (await import("../components/ErrorSummary.svelte")).default;
const { wizard: w } = await import("../wizard/wizard.svelte");
const { MESSAGES } = await import("../ipc/messages");

const PROJECT = "acme-data-prod";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const EMAIL = `ml3-platform-sa@${PROJECT}.iam.gserviceaccount.com`;
/** The page rendered with the wizard it takes (the app passes the same one). */
const html = (c: Component<{ wizard: typeof w }>) => render(c, { props: { wizard: w } }).body;
/** The page's text as a person reads it (tags dropped, entities decoded). */
const text = (page: string) =>
  page.replace(/<!--.*?-->/g, "").replace(/<[^>]+>/g, " ").replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/\s+/g, " ");

beforeEach(() => {
  invoke.mockReset();
  invoke.mockResolvedValue(null);
  w.answers.clouds = ["gcp", "azure"];
  w.answers.gcp.project_id = PROJECT;
  w.answers.gcp.service_account = "ml3-platform-sa";
  w.answers.azure.tenant_id = TENANT;
  w.answers.azure.subscription_id = "11111111-2222-3333-4444-555555555555";
  w.answers.azure.resource_group = "ml-rg";
  w.answers.azure.service_principal_name = "ML3PlatformSP";
  w.answers.route = null;
  w.presenter = false;
  w.exports.exported = null;
  w.errors = [];
  w.step = "credentials";
});

describe("Credentials: how to create the key or secret in the cloud's shell", () => {
  it("names the real service account, project and tenant (no placeholder) and says how, step by step", () => {
    const page = text(html(CredentialsView));
    expect(page).toContain(`--iam-account=${EMAIL} --project=${PROJECT}`);
    expect(page).not.toContain("SERVICE_ACCOUNT_EMAIL");
    expect(page).toContain("https://shell.cloud.google.com");
    expect(page).toContain("cloudshell download key.json");
    expect(page).toContain("press Enter");
    expect(page).toContain("https://shell.azure.com");
    expect(page).toContain(`in the tenant ${TENANT}`);
    expect(page).toContain("az ad sp create-for-rbac --name ML3PlatformSP");
    const raw = html(CredentialsView);
    for (const id of ["credentials-gcp-command", "credentials-azure-command", "credentials-open-gcp-cloud-shell", "credentials-open-azure-cloud-shell"]) {
      expect(raw).toContain(`data-testid="${id}"`);
    }
  });

  it("masks the plan's values in presenter mode", () => {
    w.presenter = true;
    const page = text(html(CredentialsView));
    expect(page).not.toContain(PROJECT);
    expect(page).not.toContain(TENANT);
    expect(page).toContain("cloudshell download key.json");
  });
});

describe("Credentials: a refused key", () => {
  const refusal = {
    code: "secrets.azure.tenant_mismatch",
    message: `the credentials are for tenant 00000000-0000-0000-0000-000000000000, not ${TENANT}`,
    field: "credentials.azure",
    fix: `Create the secret in the tenant ${TENANT}.`,
  };

  it("is shown at its box and in the error summary at the top, which links to the box and takes focus", async () => {
    invoke.mockImplementation(async (cmd: string) => (cmd === "store_credentials" ? Promise.reject(refusal) : null));
    const attempts = w.attempts;
    expect(await w.storeCredentials("azure", '{"appId":"a"}')).toBe(false);
    // The error summary (the one every page shows above its form) lists it, linked to the box…
    expect(w.summary).toEqual([
      { text: MESSAGES["secrets.azure.tenant_mismatch"], href: "#f-credentials-azure" },
      { text: refusal.fix },
    ]);
    // …and is asked to take focus again (ErrorSummary's focusKey).
    expect(w.attempts).toBe(attempts + 1);
    const box = render(ErrorSummary, { props: { errors: w.summary, focusKey: w.attempts } }).body;
    expect(box).toContain('data-testid="error-summary"');
    expect(box).toContain('href="#f-credentials-azure"');
    expect(box).toContain("There is a problem");
    // The box the link leads to, with the inline error and Rust's problem (its test ids kept).
    const page = html(CredentialsView);
    expect(page).toContain('id="f-credentials-azure"');
    expect(page).toContain('data-testid="credentials-azure-problem"');
    expect(page).toContain('id="credentials-azure-error"');
    expect(text(page)).toContain(`Error: ${MESSAGES["secrets.azure.tenant_mismatch"]}`);
    expect(page).not.toContain('data-testid="credentials-gcp-problem"');
  });

  it("keeps the summary in page order, masks it in presenter mode, and clears a box's problem once stored", async () => {
    const gcpRefusal = { code: "secrets.gcp.project_mismatch", message: "other project", field: "credentials.gcp", fix: null };
    invoke.mockImplementation(async (cmd: string, args: { kind: string }) =>
      cmd === "store_credentials" ? Promise.reject(args.kind === "gcp" ? gcpRefusal : refusal) : null,
    );
    await w.storeCredentials("azure", "{}");
    await w.storeCredentials("gcp", "{}");
    expect(w.summary.map((s) => s.href ?? null)).toEqual(["#f-credentials-gcp", "#f-credentials-azure", null]);
    w.presenter = true;
    expect(w.summary.map((s) => s.text).join(" ")).not.toContain(TENANT);
    const stored = { kind: "gcp", stored: true, key_id: "k", principal: EMAIL, scope: PROJECT };
    invoke.mockImplementation(async (cmd: string) => (cmd === "store_credentials" ? stored : null));
    expect(await w.storeCredentials("gcp", "{}")).toBe(true);
    expect(w.errors.map((e) => e.field)).toEqual(["credentials.azure"]);
  });

  it("a file too large to be a key is refused the same way, before anything is sent", () => {
    w.refuseCredentials("gcp", { code: "secrets.too_large", message: "too large", field: null, fix: null });
    expect(w.summary).toEqual([{ text: MESSAGES["secrets.too_large"], href: "#f-credentials-gcp" }]);
    expect(invoke).not.toHaveBeenCalledWith("store_credentials", expect.anything());
  });
});

describe("Export: how to run the setup script in Google Cloud Shell and Azure Cloud Shell", () => {
  it("says where to open the shell, how to upload the exported files, what to type, with the real folder and values", () => {
    w.step = "export";
    w.exports.exported = { dir: "/home/alice/trustbridge-acme", files: ["gcp/setup.sh", "azure/setup.sh"] };
    let page = text(html(ExportView));
    expect(page).toContain("https://shell.cloud.google.com");
    expect(page).toContain("Upload the gcp folder in /home/alice/trustbridge-acme");
    expect(page).toContain("cd gcp && bash setup.sh");
    expect(page).toContain(`in the project ${PROJECT}`);
    expect(page).toContain("https://shell.azure.com");
    expect(page).toContain("choose Manage files (or the Upload/Download files button), then Upload, then choose setup.sh in the azure folder in /home/alice/trustbridge-acme");
    expect(page).toContain(`in the tenant ${TENANT}`);
    expect(page).not.toContain("paste it into the cloud shell");
    const raw = html(ExportView);
    for (const id of ["open-gcp-cloud-shell", "open-azure-cloud-shell", "export-gcp-steps", "export-azure-steps", "export-continue"]) {
      expect(raw).toContain(`data-testid="${id}"`);
    }
    w.presenter = true;
    page = text(html(ExportView));
    expect(page).not.toContain("alice");
    expect(page).not.toContain(PROJECT);
    expect(page).not.toContain(TENANT);
  });
});
