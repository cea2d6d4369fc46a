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
import { answerGcpAndAzure, BUCKET, CONTAINER_SCOPE, GCP_TOPIC, ML_PROJECT, PROJECT, SA_EMAIL, TENANT, TOPIC_SCOPE } from "./cloud-world.mjs";
import { answerDialog, APPLY_AZURE_TITLE, APPLY_GCP_TITLE, noDialog } from "./native.mjs";
import { appWrapper, startRig } from "./rig.mjs";

const API_KEY = `mlc-canary-${randomBytes(12).toString("hex")}`;
mkdirSync(join(process.env.HOME, "work"), { recursive: true });

const rig = await startRig({
  gcp_apply: {
    project: PROJECT,
    adc_file: join(process.env.HOME, "work", "adc.json"),
    buckets: [BUCKET],
    topics: [GCP_TOPIC],
    // The project forbids service account keys (an organization policy): pre-flight blocks.
    org_policies: { "iam.disableServiceAccountKeyCreation": { rules: [{ enforce: true }] } },
  },
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
    await answerGcpAndAzure(f, { name: "APPLY_01", vendorUrl: rig.vendor_url, apiKey: API_KEY });

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
      if (cloud === "gcp") {
        // Pre-flight: the dry run names the policy, and Apply is refused before anything is asked,
        // until "Apply anyway" is ticked.
        const found = await (await b.$('[data-testid="preflight-gcp-findings"]')).getText();
        t.check(found.includes("Will stop it") && found.includes("iam.disableServiceAccountKeyCreation") && found.includes("How to fix it"), "the organization policy is listed with its fix", found);
        await f.click("apply-gcp-button");
        const refused = await t.waitFor(async () => {
          const e = await b.$('[data-testid="apply-gcp-error"]');
          return (await e.isExisting()) && `${await e.getAttribute("data-code")} ${await e.getText()}`;
        }, "Apply on Google Cloud is refused by pre-flight");
        t.check(refused.startsWith("gcp.preflight_blocked") && refused.includes("Apply anyway") && !refused.includes("--ignore-preflight"), "the refusal says what to do in the window", refused);
        noDialog(t, title, "nothing was asked");
        t.check((await rig.ask("gcp_apply")).service_accounts.length === 0, "refused: nothing applied", "");
        await f.shot("gcp-preflight-blocked", `[data-testid="apply-gcp"]`);
        await f.click("ignore-preflight-gcp-checkbox");
      }
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
    t.check((gcp.members[`bucket/${BUCKET}`] ?? []).includes(`serviceAccount:${SA_EMAIL}`), "it may read the bucket", JSON.stringify(gcp.members));
    const azure = await rig.ask("azure_apply");
    t.check(azure.apps.includes("ML3PlatformSP") && azure.assignments === 2, "the app registration exists with its two role assignments", JSON.stringify(azure));
  },
  { application: appWrapper(rig.env, { name: "trustbridge-cloud-apply.sh" }) },
);
