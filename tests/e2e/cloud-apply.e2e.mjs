// Issue 14: apply on Google Cloud and Azure from the window, with this computer's sign-in (an
// authorized user's Application Default Credentials file; an Azure service principal in the
// environment), against the marked TEST DOUBLES of Google's IAM-related APIs and of Entra ID +
// Microsoft Graph + Resource Manager role assignments (src-tauri/crates/cloud/tests/doubles/
// {gcp_iam,azure_arm}.rs, served by the rig; no emulator of them exists here). The export page
// says who this computer acts as, shows the dry run, and applies after the native confirmation Rust
// raises (Cancel applies nothing); the rig then reports what the doubles hold.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { e2e } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";
import { answerDialog, APPLY_AZURE_TITLE, APPLY_GCP_TITLE } from "./native.mjs";
import { appWrapper, startRig } from "./rig.mjs";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const PROJECT = "ml-data-123456";
const SA_EMAIL = `ml3-platform-sa@${PROJECT}.iam.gserviceaccount.com`;
const CONTAINER_SCOPE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/ml-rg/providers/Microsoft.Storage/storageAccounts/mlstore/blobServices/default/containers/training`;
const TOPIC_SCOPE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/ml-rg/providers/Microsoft.EventGrid/topics/retrain-events`;
const API_KEY = `mlc-canary-${randomBytes(12).toString("hex")}`;
const ML_PROJECT = "churn";
mkdirSync(join(process.env.HOME, "work"), { recursive: true });

const rig = await startRig({
  gcp_apply: { project: PROJECT, adc_file: join(process.env.HOME, "work", "adc.json"), buckets: ["churn-training-data"], topics: ["retrain-requests"] },
  azure_apply: { tenant: TENANT, scopes: [CONTAINER_SCOPE, TOPIC_SCOPE] },
  vendor: { api_key: API_KEY, projects: [ML_PROJECT] },
});
process.on("exit", () => rig.stop());

await e2e(
  "cloud-apply",
  async (t) => {
    const f = new Flow(t);
    const b = t.browser;
    t.require((await waitForStart(t)) === "start", "starts on the first question");
    await f.choose("ML cube Platform");
    await f.fill("integration.project_id", ML_PROJECT);
    await f.fill("integration.name", "APPLY_01");
    await f.continue("clouds");
    await f.choose("Google Cloud");
    await f.choose("Azure");
    await f.continue("gcp-identity");
    await f.fill("gcp.project_id", PROJECT);
    await f.continue("gcp-storage");
    await f.fill("gcp.storage[0].bucket", "churn-training-data");
    await f.continue("gcp-events");
    await f.fill("gcp.events[0].topic", "retrain-requests");
    await f.continue("azure-identity");
    await f.fill("azure.tenant_id", TENANT);
    await f.fill("azure.subscription_id", SUBSCRIPTION);
    await f.fill("azure.resource_group", "ml-rg");
    await f.continue("azure-storage");
    await f.fill("azure.storage[0].storage_account", "mlstore");
    await f.fill("azure.storage[0].container", "training");
    await f.continue("azure-events");
    await f.fill("azure.events[0].topic", "retrain-events");
    await f.continue("vendor");
    await f.fill("integration.api_url", rig.vendor_url);
    const keyField = await f.el("#f-vendor-api-key");
    await keyField.click();
    await keyField.addValue(API_KEY);
    await f.continue("check");
    await f.continue("export");

    for (const [cloud, name, title, n, who] of [
      ["gcp", "Google Cloud", APPLY_GCP_TITLE, 5, "admin@example.com"],
      ["azure", "Azure", APPLY_AZURE_TITLE, 4, "service principal"],
    ]) {
      const panel = await t.waitFor(async () => {
        const p = await b.$(`[data-testid="apply-${cloud}"]`);
        return (await p.isExisting()) && (await b.$(`[data-testid="apply-${cloud}-changes"]`).isExisting()) && p;
      }, `the export page offers to apply to ${name}, with the dry run`);
      const text = await panel.getText();
      t.check(text.includes(who), `it says who this computer acts as on ${name}`, text);
      const items = await b.$$(`[data-testid="apply-${cloud}-changes"] > li`);
      t.check(items.length === n, `the dry run lists ${n} changes on ${name}`, `${items.length}: ${text}`);
      await f.shot(`${cloud}-dry-run`);
      // Cancel in Rust's dialog: nothing applied.
      await f.click(`apply-${cloud}-button`);
      await answerDialog(t, "cloud-apply", title, "cancel", { label: `${cloud}-cancel` });
      await t.waitFor(async () => (await b.$(`[data-testid="apply-${cloud}-error"]`)).isExisting(), `Cancel is reported on ${name}`);
      const held = await rig.ask(`${cloud}_apply`);
      t.check(cloud === "gcp" ? held.service_accounts.length === 0 : held.apps.length === 0, `Cancel applied nothing on ${name}`, JSON.stringify(held));
      await f.click(`apply-${cloud}-button`);
      await answerDialog(t, "cloud-apply", title, "confirm", { label: `${cloud}-apply` });
      await t.waitFor(async () => (await (await b.$(`[data-testid="apply-${cloud}"]`)).getText()).includes("Applied these changes"), `applied on ${name}`);
      await f.shot(`${cloud}-applied`);
    }
    const gcp = await rig.ask("gcp_apply");
    t.check(gcp.service_accounts.includes(SA_EMAIL), "the service account exists", JSON.stringify(gcp));
    t.check((gcp.members["bucket/churn-training-data"] ?? []).includes(`serviceAccount:${SA_EMAIL}`), "it may read the bucket", JSON.stringify(gcp.members));
    const azure = await rig.ask("azure_apply");
    t.check(azure.apps.includes("ML3PlatformSP") && azure.assignments === 2, "the app registration exists with its two role assignments", JSON.stringify(azure));
  },
  { application: appWrapper(rig.env, { name: "trustbridge-cloud-apply.sh" }) },
);
