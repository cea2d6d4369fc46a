// Keyless sign-in in the wizard: a vendor that supports it (the custom profile) gets a "How should
// the vendor sign in?" page per cloud with keyless preselected and explained; a missing vendor role
// is refused at its field; the export holds Workload Identity Federation and the admin-consent link
// and no secret; there is no credentials page; the connectivity test says why it cannot sign in.
import { readFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { e2e } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";
import { answerDialog, EXPORT_TITLE } from "./native.mjs";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const VENDOR_APP = "11111111-2222-3333-4444-555555555555";

await e2e("keyless", async (t) => {
  const f = new Flow(t);
  const b = t.browser;
  t.require((await waitForStart(t)) === "start", "starts on the first question");
  await f.choose("Custom vendor");
  await f.fill("integration.project_id", "acme-ml");
  await f.continue("clouds");
  await f.choose("Google Cloud");
  await f.choose("Azure");
  await f.continue("gcp-identity");
  await f.fill("gcp.project_id", "acme-data-prod");
  await f.continue("gcp-access");

  const checked = async (path) => b.execute((id) => document.getElementById(id)?.checked ?? null, `f-${path.replace(/[^A-Za-z0-9]+/g, "-")}-0`);
  t.check((await checked("gcp.access")) === true, "keyless is preselected for Google Cloud");
  t.check((await f.heading()) === "How should the vendor sign in?", "the Custom profile is 'the vendor', not 'Custom vendor'", await f.heading());
  const page = await f.screenText();
  t.check(page.includes("Without a key (recommended)") && page.includes("iam.disableServiceAccountKeyCreation"), "the page recommends keyless and says why", page.slice(0, 400));
  await f.fill("gcp.workload_identity.vendor_aws_account_id", "210987654321");
  await f.continue(null);
  await t.waitFor(async () => (await b.$("#f-gcp-workload-identity-vendor-role-name-error")).isExisting(), "a missing vendor role is refused at its field");
  t.check((await f.errorSummary())?.includes("vendor's IAM role name"), "the error summary names the role field in words", await f.errorSummary());
  await f.shot("gcp-access-error");
  await f.fill("gcp.workload_identity.vendor_role_name", "acme-platform-workers");
  await f.shot("gcp-access");
  await f.continue("gcp-storage");
  await f.fill("gcp.storage[0].bucket", "acme-training");
  await f.continue("gcp-events");
  await f.continue("azure-identity");
  await f.fill("azure.tenant_id", TENANT);
  await f.fill("azure.subscription_id", "0b1f6471-1bf0-4dda-aec3-cb9272f09590");
  await f.fill("azure.resource_group", "acme-rg");
  await f.continue("azure-access");
  t.check((await checked("azure.access")) === true, "keyless is preselected for Azure");
  await f.fill("azure.vendor_app_id", VENDOR_APP);
  await f.shot("azure-access");
  await f.continue("azure-storage");
  await f.fill("azure.storage[0].storage_account", "acmestorage");
  await f.fill("azure.storage[0].container", "training");
  await f.continue("azure-events");
  await f.continue("check");
  await t.waitFor(async () => (await b.$('[data-testid="grants"]')).isExisting(), "check your answers shows what is granted");
  const check = await f.screenText();
  t.check(check.includes("Workload Identity Federation for role acme-platform-workers"), "check your answers shows the GCP sign-in");
  t.check(check.includes(`admin consent to the vendor's app ${VENDOR_APP}`), "check your answers shows the Azure sign-in");
  await f.shot("check");

  await f.continue("export");
  t.check(await (await b.$('[data-testid="open-azure-admin-consent"]')).isExisting(), "a button opens the admin-consent page (URL built in Rust from the plan)");
  const parent = join(process.env.HOME, "exports-keyless");
  mkdirSync(parent, { recursive: true });
  await f.fill("export.folder", parent);
  await f.click("export-typed");
  // A typed folder is confirmed in the native dialog Rust raises ("Write N files to …?").
  await answerDialog(t, "keyless", EXPORT_TITLE, "confirm", { key: "w", label: "export" });
  f.actions += 1;
  const dir = await t.waitFor(async () => {
    const d = await b.$('[data-testid="export-dir"]');
    return (await d.isExisting()) && (await d.getText()).trim();
  }, "the export reports its folder");
  const read = (p) => readFileSync(join(dir, p), "utf8");
  const gcpSetup = read("gcp/setup.sh");
  t.check(gcpSetup.includes("workload-identity-pools create") && gcpSetup.includes("create-cred-config") && !gcpSetup.includes("keys create"), "gcp/setup.sh federates the vendor's role and creates no key");
  t.check(gcpSetup.includes("acme-platform-workers") && gcpSetup.includes("210987654321"), "the provider is scoped to the vendor's account and role");
  const azSetup = read("azure/setup.sh");
  t.check(azSetup.includes(`adminconsent?client_id=${VENDOR_APP}`) && !azSetup.includes("create-for-rbac"), "azure/setup.sh gives the admin-consent link and creates no secret");
  const plan = JSON.parse(read("plan.json"));
  t.check(plan.gcp.workload_identity?.vendor_role_name === "acme-platform-workers" && plan.azure.vendor_app_id === VENDOR_APP, "plan.json records both keyless choices");

  // No credentials page: Continue goes straight to the connectivity test, which runs on arrival.
  await f.continue("test");
  await t.waitFor(async () => (await b.$('[data-testid="test-verdict"]')).isExisting(), "the connectivity test ends", { timeout: 30000 });
  const probes = await b.execute(() =>
    [...document.querySelectorAll('[data-testid^="probe-"]')].map((e) => `${e.getAttribute("data-testid").slice(6)}=${e.getAttribute("data-status")}`),
  );
  t.check(probes.join(" ") === "gcp:keyless=skip azure:keyless=skip", "each keyless cloud is skipped with a reason, not failed for a missing secret", probes.join(" "));
  const verdict = await b.$('[data-testid="test-verdict"]');
  t.check((await verdict.getAttribute("data-result")) === "none", "with every check skipped the verdict is not green", await verdict.getText());
  await f.shot("test");
});
