// (b) The Google Cloud and Azure paths to export (both clouds at once: the task list shows), the
// exported files read from disk, the credentials stored in the keyring, and a green connectivity test
// against the real gcp-storage-emulator and Azurite (https, --oauth basic) plus the marked TEST DOUBLES
// for Google's token endpoint (verifies the RS256 signature), Pub/Sub, Entra ID and Event Grid; then
// "Send to ML cube": the key and the service principal go from the keyring to the TEST DOUBLE of ML
// cube's API, which the rig checks received them field for field. Those run in the rig
// (src-tauri/crates/cloud/examples/e2e_rig.rs, through rig.mjs); the app is started through a wrapper
// that points it at them. Then a canary search of every file of the session: 0 hits (the API key too).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { e2e } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";
import { answerDialog, EXPORT_TITLE } from "./native.mjs";
import { appWrapper, canaryFiles, startRig } from "./rig.mjs";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const APP_ID = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const AZURE_CANARY = `canary-azure-${process.pid}-never-shown`;
const PROJECT = "ml-data-123456";
const SA_EMAIL = `ml3-platform-sa@${PROJECT}.iam.gserviceaccount.com`;
const STORAGE_ACCOUNT = "devstoreaccount1"; // Azurite's account
const KEY_FILE = join(process.env.HOME, "Downloads", "ml3-platform-sa-key.json");
const ML_PROJECT = "churn";
// ML cube's API key: made per run, typed into the window, never in a file or argv.
const API_KEY = `mlc-canary-${randomBytes(12).toString("hex")}`;
mkdirSync(join(process.env.HOME, "Downloads"), { recursive: true });

const rig = await startRig({
  gcp: { project: PROJECT, client_email: SA_EMAIL, buckets: ["churn-training-data", "churn-labels"], topics: ["retrain-requests"], key_file: KEY_FILE },
  azure: { tenant: TENANT, app_id: APP_ID, secret: AZURE_CANARY, containers: [`${STORAGE_ACCOUNT}/training`], topics: ["retrain-events"] },
  vendor: { api_key: API_KEY, projects: [ML_PROJECT] },
});
console.log(`# rig pid ${rig.rig.pid}: ${Object.keys(rig.env).join(", ")}; ML cube API double on ${rig.vendor_url}`);
process.on("exit", () => rig.stop());

await e2e("gcp-azure", async (t) => {
  const f = new Flow(t);
  const b = t.browser;
  const parent = join(process.env.HOME, "exports-gcp-azure");
  mkdirSync(parent, { recursive: true });

  // The canary search must be able to find what it looks for: a planted control first.
  const control = join(process.env.HOME, "canary-control.txt");
  writeFileSync(control, `control ${AZURE_CANARY} ${API_KEY}\n`);
  t.require(canaryFiles([AZURE_CANARY]).includes(control) && canaryFiles([API_KEY]).includes(control), "the canary search finds a planted copy of the secrets");
  rmSync(control);

  t.require((await waitForStart(t)) === "start", "starts on the first question");
  await f.choose("ML cube Platform");
  await f.fill("integration.name", "MULTI_01");
  await f.continue("clouds");
  await f.choose("Google Cloud");
  await f.choose("Azure");
  await f.continue("gcp-identity");

  const tasks = await b.execute(() => document.querySelector('[data-testid="progress-tasks"]').textContent);
  t.check(/Google Cloud\s*In progress/.test(tasks) && /Azure\s*Not started/.test(tasks), "a task list shows each cloud's status", tasks);
  t.check((await f.value("gcp.service_account")) === "ml3-platform-sa", "the service account is the vendor's default");
  await f.fill("gcp.project_id", PROJECT);
  await f.shot("gcp-identity");
  await f.continue("gcp-storage");
  await f.fill("gcp.storage[0].bucket", "churn-training-data");
  await f.click("add-row");
  await f.fill("gcp.storage[1].bucket", "churn-labels");
  await f.shot("gcp-storage");
  await f.continue("gcp-events");
  await f.fill("gcp.events[0].topic", "retrain-requests");
  await f.shot("gcp-events");
  await f.continue("azure-identity");

  const tasks2 = await b.execute(() => document.querySelector('[data-testid="progress-tasks"]').textContent);
  t.check(/Google Cloud\s*Completed/.test(tasks2) && /Azure\s*In progress/.test(tasks2), "the task list marks Google Cloud completed", tasks2);
  await f.fill("azure.tenant_id", TENANT);
  await f.fill("azure.subscription_id", SUBSCRIPTION);
  await f.fill("azure.resource_group", "ml-rg");
  await f.shot("azure-identity");
  await f.continue("azure-storage");
  await f.fill("azure.storage[0].storage_account", STORAGE_ACCOUNT);
  await f.fill("azure.storage[0].container", "training");
  await f.shot("azure-storage");
  await f.continue("azure-events");
  await f.fill("azure.events[0].topic", "retrain-events");
  await f.shot("azure-events");
  await f.continue("vendor");

  // Connect to ML cube: its API's URL and the API key (to the keyring; the key field is a password field).
  const tasks3 = await b.execute(() => document.querySelector('[data-testid="progress-tasks"]').textContent);
  t.check(/Connect to ML cube Platform\s*In progress/.test(tasks3) && /Azure\s*Completed/.test(tasks3), "the task list has the Connect section", tasks3);
  await f.fill("integration.api_url", rig.vendor_url);
  const keyField = await f.el("#f-vendor-api-key");
  await keyField.click();
  await keyField.addValue(API_KEY);
  f.actions += 1;
  await f.projectListed(ML_PROJECT);
  await f.shot("vendor");
  await f.continue("check");
  await t.waitFor(async () => (await b.$('[data-testid="grants"]')).isExisting(), "check your answers shows what is granted");
  const page = await f.screenText();
  t.check(page.includes("churn-labels") && page.includes(`${STORAGE_ACCOUNT}/training`), "both clouds' answers are listed");
  t.check(page.includes(rig.vendor_url) && page.includes("Stored in your system keyring"), "the API URL and the stored key are listed");
  await f.shot("check");
  await f.continue("export");
  t.check(await (await b.$('[data-testid="open-gcp-cloud-shell"]')).isExisting(), "a button opens Google Cloud Shell");
  t.check(await (await b.$('[data-testid="open-azure-cloud-shell"]')).isExisting(), "a button opens Azure Cloud Shell");
  await f.fill("export.folder", parent);
  await f.click("export-typed");
  // A typed folder is confirmed in the native dialog Rust raises ("Write N files to …?").
  await answerDialog(t, "gcp-azure", EXPORT_TITLE, "confirm", { key: "w", label: "export" });
  f.actions += 1;
  const dir = await t.waitFor(async () => {
    const d = await b.$('[data-testid="export-dir"]');
    return (await d.isExisting()) && (await d.getText()).trim();
  }, "the export reports its folder");
  await f.shot("export");

  const read = (p) => readFileSync(join(dir, p), "utf8");
  t.check(!existsSync(join(dir, "aws")), "no AWS files for a GCP + Azure plan");
  const bindings = read("gcp/bindings.json");
  t.check(bindings.includes("churn-training-data") && bindings.includes("churn-labels") && bindings.includes("retrain-requests"), "gcp/bindings.json covers both buckets and the topic");
  t.check(bindings.includes("ml3-platform-sa@ml-data-123456.iam.gserviceaccount.com"), "bindings name the service account", bindings.slice(0, 300));
  const roles = read("azure/role-assignments.json");
  t.check(roles.includes(SUBSCRIPTION) && roles.includes(STORAGE_ACCOUNT) && roles.includes("training"), "azure/role-assignments.json scopes the container");
  t.check(read("azure/setup.sh").includes("ServicePrincipal"), "azure/setup.sh sets the principal type");
  const plan = JSON.parse(read("plan.json"));
  t.check(plan.azure.events[0]?.topic === "retrain-events" && !plan.aws, "plan.json: the Azure topic, no AWS section");

  // Credentials: paste → validated against the plan → OS keyring (the run's unlocked gnome-keyring)
  // → only "Stored" and the fingerprint on screen; the pasted secrets are nowhere afterwards.
  await f.continue("credentials");
  // (The tag is upper-cased by CSS; compare case-insensitively.)
  const statusText = async (kind) => (await (await b.$(`[data-testid="credentials-${kind}-status"]`)).getText()).trim().toLowerCase();
  await t.waitFor(async () => (await statusText("gcp")).includes("not stored") && (await statusText("azure")).includes("not stored"), "both clouds say their credentials are not stored");
  const gcpCommand = await (await b.$('[data-testid="credentials-gcp-command"]')).getText();
  t.check(
    gcpCommand.includes(`--iam-account=ml3-platform-sa@${PROJECT}.iam.gserviceaccount.com`) && !gcpCommand.includes("SERVICE_ACCOUNT_EMAIL"),
    "the key command names the plan's service account (no placeholder)",
    gcpCommand,
  );
  await f.shot("credentials");
  const paste = async (kind, json) => {
    const el = await f.el(`[data-testid="credentials-${kind}-json"]`);
    await b.execute((e, v) => {
      e.value = v;
      e.dispatchEvent(new Event("input", { bubbles: true }));
    }, el, json);
    f.actions += 1;
  };
  const azureJson = (tenant) => JSON.stringify({ appId: APP_ID, displayName: "ML3PlatformSP", password: AZURE_CANARY, tenant }, null, 2);
  await paste("azure", azureJson("11111111-2222-3333-4444-555555555555"));
  await f.click("credentials-azure-store");
  const refusal = await t.waitFor(async () => {
    const p = await b.$('[data-testid="credentials-azure-problem"]');
    return (await p.isExisting()) && (await p.getText());
  }, "a service principal of another tenant is refused");
  t.check(refusal.includes(TENANT) && !refusal.includes(AZURE_CANARY), "the refusal names the plan's tenant, never the secret", refusal);
  t.check((await statusText("azure")).includes("not stored"), "nothing was stored");
  await f.shot("credentials-refused");
  await paste("azure", azureJson(TENANT));
  await f.click("credentials-azure-store");
  const azureStatus = await t.waitFor(async () => {
    const st = await statusText("azure");
    return st.includes("stored") && !st.includes("not stored") && st;
  }, "the Azure secret is stored");
  t.check(azureStatus.includes(APP_ID), "the status shows the appId fingerprint", azureStatus);
  t.check((await (await f.el('[data-testid="credentials-azure-json"]')).getValue()) === "", "the field is cleared after storing");

  // The GCP key (made by the rig, whose token double holds its public half) is picked as a file
  // (WebDriver sends the path to the file input); picking stores it.
  const { private_key: pem, private_key_id: KEY_ID } = JSON.parse(readFileSync(KEY_FILE, "utf8"));
  await (await f.el('[data-testid="credentials-gcp-file"]')).setValue(KEY_FILE);
  f.actions += 1;
  const gcpStatus = await t.waitFor(async () => {
    const st = await statusText("gcp");
    return st.includes("stored") && !st.includes("not stored") && st;
  }, "the GCP key is stored");
  t.check(gcpStatus.includes(SA_EMAIL) && gcpStatus.includes(KEY_ID.slice(0, 12).toLowerCase()), "the status shows the key id and client_email", gcpStatus);
  await f.shot("credentials-stored");

  t.check((await (await f.el('[data-testid="credentials-gcp-json"]')).getValue()) === "", "the field is empty after the picked file was stored");
  rmSync(KEY_FILE); // as the page tells the user to
  // Canary: neither secret is in the page (text, fields, source) nor in any file of the private session.
  const pemBody = pem.split("\n")[5];
  const pageNow = `${await f.screenText()}\n${await b.getPageSource()}`;
  t.check(!pageNow.includes(AZURE_CANARY) && !pageNow.includes(pemBody), "the pasted secrets are not in the page afterwards");
  const hits = canaryFiles([AZURE_CANARY, pemBody]);
  t.check(hits.length === 0, "the secrets are in no file of the app data, config, cache or home dir", hits.join(", "));
  const stored = spawnSync("secret-tool", ["search", "--all", "service", "dev.trustbridge.wizard/debug"], { encoding: "utf8" });
  t.check(stored.status === 0 && `${stored.stdout}${stored.stderr}`.includes("MULTI_01"), "the keyring holds entries for the integration", `${stored.status} ${stored.stderr}`);

  // Presenter mode hides the key id and tenant in the fingerprints.
  await f.click("presenter-toggle");
  const masked = await t.waitFor(async () => {
    const st = await statusText("azure");
    return !st.includes(TENANT.toLowerCase()) && st;
  }, "presenter mode masks the tenant in the fingerprint", { fatal: false });
  t.check(!(await statusText("gcp")).includes(KEY_ID.slice(0, 12).toLowerCase()), "presenter mode masks the key id", String(masked));
  const security = await b.execute(() => getComputedStyle(document.querySelector('[data-testid="credentials-azure-json"]')).webkitTextSecurity);
  t.check(security === "disc", "presenter mode hides what is typed or pasted into the key field", String(security));
  await f.shot("credentials-presenter");
  await f.click("presenter-toggle");

  // Send to ML cube: one button; Rust reads both from the keyring and registers them with the double.
  await f.continue("send");
  t.check((await f.heading()) === "Send to ML cube Platform", "the Send page names the vendor", await f.heading());
  await f.shot("send");
  await f.click("send-now");
  const sent = await t.waitFor(async () => {
    const r = await b.$('[data-testid="send-steps"], [data-testid="send-error"]');
    return (await r.isExisting()) && `${await r.getAttribute("data-testid")} ${await r.getText()}`;
  }, "the Send page reports what it did", { timeout: 30000 });
  t.check(sent.startsWith("send-steps"), "sending worked", sent);
  const sentClouds = await b.execute(() => [...document.querySelectorAll('[data-testid="send-steps"] li')].map((e) => `${e.dataset.cloud}:${e.dataset.action}`));
  t.check(JSON.stringify(sentClouds) === JSON.stringify(["gcp:registered", "azure:registered"]), "each cloud's step is shown with its message", JSON.stringify(sentClouds));
  const vendor = await rig.ask("vendor");
  const byType = Object.fromEntries(vendor.registrations.map((r) => [r.type, r]));
  t.check(vendor.gcp_account_info_equal === true, "ML cube received the GCP key field for field as the rig made it");
  t.check(vendor.azure_credentials_equal === true, "ML cube received the Azure service principal (appId, password, tenant) as pasted");
  t.check(vendor.all_keyed === true, "every request carried the typed API key");
  t.check(
    byType.gcp?.client_email === SA_EMAIL && byType.gcp?.name === "MULTI_01_GCP" && byType.azure?.app_id === APP_ID && byType.azure?.name === "MULTI_01_AZURE" &&
      byType.gcp?.project_id === ML_PROJECT && vendor.registrations.length === 2,
    "registered under the plan's names, in the plan's ML cube project",
    JSON.stringify(vendor.registrations),
  );
  const sendPage = `${await f.screenText()}\n${await b.getPageSource()}`;
  t.check(!sendPage.includes(AZURE_CANARY) && !sendPage.includes(pemBody) && !sendPage.includes(API_KEY), "no secret on the Send page");
  await f.shot("send-done");

  await f.continue("test");
  // The test (run on arrival) reads the stored credentials back from the keyring and signs in to the
  // rig's token doubles; every probe must pass: storage against the real emulators, topics against
  // the doubles, the registrations read back from ML cube.
  await t.waitFor(async () => (await b.$('[data-testid="test-verdict"], [data-testid="test-error"]')).isExisting(), "the connectivity test ends", { timeout: 60000 });
  const probes = await b.execute(() =>
    [...document.querySelectorAll('[data-testid^="probe-"]')].map((e) => `${e.getAttribute("data-testid").slice(6)}=${e.getAttribute("data-status")}`),
  );
  const expected = [
    "gcp:credentials", "gcp:bucket:churn-training-data", "gcp:bucket:churn-labels", "gcp:topic:retrain-requests",
    "azure:credentials", `azure:container:${STORAGE_ACCOUNT}/training`, "azure:topic:retrain-events",
  ];
  // Sent to ML cube above: the registrations are read back from its API.
  const registered = ["gcp:vendor_registration", "azure:vendor_registration"];
  t.check(
    expected.every((id) => probes.includes(`${id}=pass`)) &&
      registered.every((id) => probes.includes(`${id}=pass`)) &&
      probes.length === expected.length + registered.length,
    "the connectivity test is green: every GCP and Azure probe passes against the emulators",
    probes.join(" "),
  );
  const verdict = await b.$('[data-testid="test-verdict"]');
  t.check((await verdict.isExisting()) && (await verdict.getAttribute("data-result")) === "pass", "the verdict: the connectivity test passed", (await verdict.isExisting()) ? await verdict.getText() : "no verdict");
  const testPage = `${await f.screenText()}\n${await b.getPageSource()}`;
  t.check(!testPage.includes(AZURE_CANARY) && !testPage.includes(pemBody) && !testPage.includes(API_KEY), "no secret in the test results");
  await f.shot("test");
  await f.continue("done");
  await t.waitFor(async () => (await b.$('[data-testid="handoff"]')).isExisting(), "the done page shows the hand-off JSON");
  const done = await f.screenText();
  t.check(done.includes("gcp/revoke.sh") && done.includes("azure/revoke.sh"), "the done page says how to revoke in both clouds");
  await f.shot("done");

  // Canary, once more at the end of the whole path (export, keyring, test): neither secret is in any
  // file of the session: home (export folder included), app data, config, cache, runtime, temp dir, logs.
  const endHits = canaryFiles([AZURE_CANARY, pemBody, API_KEY]);
  t.check(endHits.length === 0, "after sending and the connectivity test the secrets and the API key are in no file of the session (export folder, temp dir and logs included)", endHits.join(", "));
}, { application: appWrapper(rig.env, { name: "trustbridge-on-emulators.sh", unset: ["TRUSTBRIDGE_VENDOR_API_URL"] }) });
await rig.stop();
