// (b) The Google Cloud and Azure paths to export (both clouds at once: the task list shows), then
// the exported files read from disk.
import { mkdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { e2e } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";

await e2e("gcp-azure", async (t) => {
  const f = new Flow(t);
  const b = t.browser;
  const parent = join(process.env.HOME, "exports-gcp-azure");
  mkdirSync(parent, { recursive: true });

  t.require((await waitForStart(t)) === "start", "starts on the first question");
  await f.choose("ML cube Platform");
  await f.fill("integration.project_id", "churn");
  await f.fill("integration.name", "MULTI_01");
  await f.continue("clouds");
  await f.choose("Google Cloud");
  await f.choose("Azure");
  await f.continue("gcp-identity");

  const tasks = await (await b.$('[data-testid="progress"]')).getText();
  t.check(/Google Cloud\s*In progress/.test(tasks) && /Azure\s*Not started/.test(tasks), "a task list shows each cloud's status", tasks);
  t.check((await f.value("gcp.service_account")) === "ml3-platform-sa", "the service account is the vendor's default");
  await f.fill("gcp.project_id", "ml-data-123456");
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

  const tasks2 = await (await b.$('[data-testid="progress"]')).getText();
  t.check(/Google Cloud\s*Completed/.test(tasks2) && /Azure\s*In progress/.test(tasks2), "the task list marks Google Cloud completed", tasks2);
  await f.fill("azure.tenant_id", TENANT);
  await f.fill("azure.subscription_id", SUBSCRIPTION);
  await f.fill("azure.resource_group", "ml-rg");
  await f.shot("azure-identity");
  await f.continue("azure-storage");
  await f.fill("azure.storage[0].storage_account", "churnstore");
  await f.fill("azure.storage[0].container", "training");
  await f.shot("azure-storage");
  await f.continue("azure-events");
  await f.fill("azure.events[0].topic", "");
  await f.shot("azure-events");
  await f.continue("check");
  await t.waitFor(async () => (await b.$('[data-testid="grants"]')).isExisting(), "check your answers shows what is granted");
  const page = await f.screenText();
  t.check(page.includes("churn-labels") && page.includes("churnstore/training"), "both clouds' answers are listed");
  await f.shot("check");
  await f.continue("export");
  t.check(await (await b.$('[data-testid="open-gcp-cloud-shell"]')).isExisting(), "a button opens Google Cloud Shell");
  t.check(await (await b.$('[data-testid="open-azure-cloud-shell"]')).isExisting(), "a button opens Azure Cloud Shell");
  await f.fill("export.folder", parent);
  await f.click("export-typed");
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
  t.check(roles.includes(SUBSCRIPTION) && roles.includes("churnstore") && roles.includes("training"), "azure/role-assignments.json scopes the container");
  t.check(read("azure/setup.sh").includes("ServicePrincipal"), "azure/setup.sh sets the principal type");
  const plan = JSON.parse(read("plan.json"));
  t.check(plan.azure.events.length === 0 && !plan.aws, "plan.json: no Azure topic (left empty), no AWS section");

  await f.continue("credentials");
  t.check(await (await b.$('[data-testid="credentials-unavailable"]')).isExisting(), "credentials say plainly they are not available yet");
  await f.shot("credentials");
  await f.continue("test");
  await f.continue("done");
  await t.waitFor(async () => (await b.$('[data-testid="handoff"]')).isExisting(), "the done page shows the hand-off JSON");
  const done = await f.screenText();
  t.check(done.includes("gcp/revoke.sh") && done.includes("azure/revoke.sh"), "the done page says how to revoke in both clouds");
  await f.shot("done");
});
