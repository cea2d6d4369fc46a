import { describe, expect, it } from "vitest";
import { azureSecretSteps, gcpKeySteps, scriptInBrief, scriptSteps, type ShellStep } from "./shell";

const all = (steps: ShellStep[]) => steps.map((s) => `${s.text} ${s.code ?? ""}`).join("\n");
/** Nothing a person would have to replace: no SERVICE_ACCOUNT_EMAIL, <project>, YOUR_… */
const PLACEHOLDER = /\b[A-Z]+_[A-Z_]+\b|<[a-z-]+>|\bYOUR[_ ]/;

describe("how to run something in a cloud shell, step by step", () => {
  it("Google Cloud setup: open Cloud Shell (where), upload the folder (how), type the command, press Enter", () => {
    const steps = scriptSteps("gcp", { folder: "/home/a/tb-1", script: "setup.sh", button: true, project: "acme-data-prod" });
    const text = all(steps);
    expect(steps[0].text).toContain("https://shell.cloud.google.com");
    expect(steps[0].text).toContain('choose "Open Google Cloud Shell" on this page');
    expect(steps[0].text).toContain("in the project acme-data-prod");
    expect(steps[1].text).toBe("Upload the gcp folder in /home/a/tb-1: at the top of the terminal, choose More (⋮), then Upload, then choose the folder.");
    expect(steps[2]).toEqual({ text: "Type this command (or copy and paste it) and press Enter:", code: "cd gcp && bash setup.sh", testid: undefined });
    expect(text).toContain('Wait until it prints "Done."');
    expect(text).not.toMatch(PLACEHOLDER);
    expect(text).not.toContain("credential-config.json");
    // Keyless: the file for the vendor comes back from Cloud Shell too.
    const keyless = scriptSteps("gcp", { folder: null, script: "setup.sh", button: true, keyless: true, vendor: "Acme" });
    expect(keyless.at(-1)).toMatchObject({ code: "cloudshell download credential-config.json" });
    expect(keyless[1].text).toContain("the gcp folder of the exported files");
  });

  it("Azure setup: open Azure Cloud Shell in the plan's tenant (Bash), upload setup.sh, type bash setup.sh", () => {
    const steps = scriptSteps("azure", { folder: "/home/a/tb-1", script: "setup.sh", button: false, tenant: "72f988bf-86f1-41af-91ab-2d7cd011db47" });
    expect(steps[0].text).toBe(
      "Open Azure Cloud Shell: go to https://shell.azure.com in your browser. Sign in with an account that can create app registrations and role assignments in the tenant 72f988bf-86f1-41af-91ab-2d7cd011db47. If it asks, choose Bash.",
    );
    expect(steps[1].text).toContain("choose Manage files (or the Upload/Download files button), then Upload, then choose setup.sh in the azure folder in /home/a/tb-1");
    expect(steps[2].code).toBe("bash setup.sh");
    expect(all(steps)).not.toMatch(PLACEHOLDER);
    const keyless = scriptSteps("azure", { folder: null, script: "setup.sh", button: true, keyless: true });
    expect(keyless.at(-1)?.text).toContain('"Open the admin-consent page"');
    expect(scriptSteps("azure", { folder: null, script: "revoke.sh", button: false }).map((s) => s.code).filter(Boolean)).toEqual(["bash revoke.sh"]);
  });

  it("credentials: the real service account and project in the command, how to bring key.json back, and to delete it", () => {
    const email = "ml3-platform-sa@acme-data-prod.iam.gserviceaccount.com";
    const command = `gcloud iam service-accounts keys create key.json --iam-account=${email} --project=acme-data-prod`;
    const steps = gcpKeySteps(command, email, { project: "acme-data-prod" }, "credentials-gcp-command");
    expect(steps[1]).toMatchObject({ code: command, testid: "credentials-gcp-command" });
    expect(steps[1].text).toContain(email);
    expect(steps.map((s) => s.code).filter(Boolean)).toEqual([command, "cloudshell download key.json", "rm key.json"]);
    expect(all(steps)).toContain("https://shell.cloud.google.com");
    expect(all(steps)).not.toMatch(PLACEHOLDER);
    const azure = azureSecretSteps("az ad sp create-for-rbac --name ML3PlatformSP", { tenant: "t-1" }, "credentials-azure-command");
    expect(azure[0].text).toContain("https://shell.azure.com");
    expect(azure[1]).toMatchObject({ code: "az ad sp create-for-rbac --name ML3PlatformSP", testid: "credentials-azure-command" });
    expect(azure[2].text).toContain("from { to }");
  });

  it("says the same in one sentence for the Done page", () => {
    expect(scriptInBrief("gcp", "/home/a/tb", "setup.sh")).toBe(
      "open Google Cloud Shell at https://shell.cloud.google.com, upload the gcp folder from /home/a/tb (More ⋮, then Upload), then type cd gcp && bash setup.sh and press Enter",
    );
    expect(scriptInBrief("azure", "the exported folder", "revoke.sh")).toBe(
      "open Azure Cloud Shell at https://shell.azure.com, upload azure/revoke.sh from the exported folder (Manage files, then Upload), then type bash revoke.sh and press Enter",
    );
  });
});
