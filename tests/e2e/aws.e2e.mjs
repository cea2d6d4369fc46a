// (a) The full ML cube AWS path, launch → export, then the exported files read from disk. ML cube
// issues the external id: the "Connect to ML cube" page takes its API's URL and the API key, and the
// export registers the role with the TEST DOUBLE of ML cube's API (in the rig, rig.mjs) first.
// No AWS credentials here (aws-moto.e2e.mjs and mlcube-register.e2e.mjs apply against moto).
// Counts user actions from launch to export (printed as "# user-actions launch→export: N").
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { e2e, OUT } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";
import { answerDialog, EXPORT_TITLE } from "./native.mjs";
import { appWrapper, startRig } from "./rig.mjs";

const ACCOUNT = "123456789012";
const BUCKET = "my-company-data-bucket";
const API_KEY = `mlc-${randomBytes(12).toString("hex")}`;
const rig = await startRig({ vendor: { api_key: API_KEY, projects: ["fraud-detection"] } });
process.on("exit", () => rig.stop());

await e2e("aws", async (t) => {
  const f = new Flow(t);
  const parent = join(process.env.HOME, "exports-aws");
  mkdirSync(parent, { recursive: true });

  t.require((await waitForStart(t)) === "start", "starts on the first question");
  await f.choose("ML cube Platform");
  await f.shot("start");
  await f.continue("clouds");

  t.check((await (await t.browser.$('[data-testid="progress"]')).getText()).includes("Step 2: Clouds"), "step indicator: Step 2: Clouds");
  await f.select("AWS");
  await f.shot("clouds");
  await f.continue("aws-identity");

  // ML cube issues the external id: no field, no id made here; the page says so.
  const issuedBy = await t.waitFor(async () => {
    const e = await t.browser.$('[data-testid="external-id-vendor-issued"]');
    return (await e.isExisting()) && (await e.getText());
  }, "the page says ML cube issues the external ID");
  t.check(issuedBy.includes("ML cube Platform issues the external ID when Trustbridge registers this role with it"), "in those words", issuedBy);
  t.check(!(await (await t.browser.$("#f-aws-external-id")).isExisting()), "there is no external-id field");
  t.check((await f.value("aws.role_name")) === "mlcube-platform-access", "the role name is the vendor's default");
  t.check((await f.value("aws.region")) === "us-east-1", "the region has a default");
  await f.fill("aws.account_id", ACCOUNT);
  await f.shot("aws-identity");
  await f.continue("aws-storage");

  await f.fill("aws.storage[0].bucket", BUCKET);
  await f.shot("aws-storage");
  // The events question needs no input (the default bus): Check your answers shows it instead.
  await f.continue("vendor");

  await f.fill("integration.api_url", rig.vendor_url);
  const key = await f.el("#f-vendor-api-key");
  await key.click();
  await key.addValue(API_KEY);
  f.actions += 1;
  await f.projectListed("fraud-detection");
  await f.shot("vendor");
  await f.continue("check");

  const grants = await t.waitFor(async () => {
    const g = await t.browser.$('[data-testid="grants"]');
    return (await g.isExisting()) && (await g.getText());
  }, "check your answers shows what is granted");
  t.check(grants.includes(BUCKET), "the grants name the bucket", grants);
  const answers = await (await t.browser.$('[data-testid="answers-AWS"]')).getText();
  t.check(answers.includes(ACCOUNT) && answers.includes(BUCKET), "the AWS answers are listed", answers);
  t.check(/Event buses\s+default/.test(answers), "the event bus defaults to 'default' (shown on check your answers)", answers);
  const changeLinks = await t.browser.$$('[data-testid^="change-"]');
  t.check(changeLinks.length >= 8, "every answer has a Change link", `${changeLinks.length}`);
  const trust = await (await t.browser.$('[data-testid="check-code-3"]')).isExisting();
  t.check(trust, "the generated documents are shown");
  const spans = await t.browser.execute(() => document.querySelectorAll("pre.code span.tok-key").length);
  t.check(spans > 0, "documents are syntax highlighted", `${spans} key spans`);
  const lint = await t.browser.execute(() => !!document.querySelector('[data-testid="lint"], [data-testid="lint-clean"]'));
  t.check(lint, "check your answers reports the offline policy checks");
  // Copy to the clipboard: the button says whether it worked (the real clipboard of the Xvfb display).
  // The documents are behind one "Show the N documents" disclosure (not counted: reading, not answering).
  await t.browser.$('[data-testid="check-documents-toggle"]').then((e) => e.click());
  await t.browser.$('[data-testid="check-copy-3"]').then((e) => e.click());
  const copied = await t.waitFor(async () => (await (await t.browser.$("#check-copied-3")).getText()).trim(), "the copy button reports its result");
  t.check(copied === "Copied", "copying the trust policy works", copied);
  await f.shot("check");
  await f.shot("check-documents", '[data-testid="grants"]');
  await f.shot("check-trust-policy", '[data-testid="check-doc-3"]');

  // Change link: back to the bucket page, then Continue returns to Check your answers.
  await t.browser.$('[data-testid="change-aws.storage[0].bucket"]').then((e) => e.click());
  await f.waitStep("aws-storage");
  const focused = await f.focusedTestId();
  t.check(focused === "f-aws-storage-0-bucket", "Change focuses the field", focused);
  await t.browser.$('[data-testid="continue"]').then((e) => e.click());
  await f.waitStep("check");
  await t.waitFor(async () => (await t.browser.$('[data-testid="grants"]')).isExisting(), "back on check your answers after a change");

  // The events question, skipped on the way (its answer needed no input), is one Change link away.
  await t.browser.$('[data-testid="change-aws.events"]').then((e) => e.click());
  await f.waitStep("aws-events");
  t.check((await f.focusedTestId()) === "f-aws-events-0-event-bus-name", "Change opens the events page at the field", await f.focusedTestId());
  t.check((await f.value("aws.events[0].event_bus_name")) === "default", "the event bus defaults to 'default'");
  await f.shot("aws-events");
  await t.browser.$('[data-testid="continue"]').then((e) => e.click());
  await f.waitStep("check");
  await t.waitFor(async () => (await t.browser.$('[data-testid="grants"]')).isExisting(), "back on check your answers after the events page");

  // One question before the page that does it: apply from this computer (run against moto in
  // aws-moto.e2e.mjs) or export. No AWS credentials here: export is preselected.
  await f.continue("route");
  t.check((await f.heading()) === "How do you want to set this up?", "the set-up question is asked", await f.heading());
  const applyHint = await (await f.el("#f-route-0-hint")).getText();
  t.check(applyHint.includes("AWS credentials on this computer") && !/\d{12}/.test(applyHint), "apply from this computer says what it uses (no credentials found: no account named)", applyHint);
  await f.shot("route");
  await f.chooseRoute("export", { selected: "export" });
  t.check((await f.heading()) === "Export the setup files", "the page is titled after the route", await f.heading());
  t.check(!(await (await t.browser.$('[data-testid="apply-preview-button"]')).isExisting()), "only the route chosen is shown: nothing to apply on the export page");
  t.check(await (await t.browser.$('[data-testid="export-continue"]')).isExisting(), "the export page says to continue once the setup has run");
  t.check(await (await t.browser.$('[data-testid="open-aws-console"]')).isExisting(), "a button opens the AWS console");
  t.check(await (await t.browser.$('[data-testid="export-registers"]')).isExisting(), "the page says exporting registers the role with ML cube first");
  await f.fill("export.folder", parent);
  await f.click("export-typed");
  // A typed folder is confirmed in the native dialog Rust raises ("Write N files to …?").
  await answerDialog(t, "aws", EXPORT_TITLE, "confirm", { key: "w", label: "export" });
  f.actions += 1;
  const dir = await t.waitFor(async () => {
    const d = await t.browser.$('[data-testid="export-dir"]');
    return (await d.isExisting()) && (await d.getText()).trim();
  }, "the export reports its folder", { timeout: 30000 });
  const registrations = (await rig.ask("vendor")).registrations;
  t.require(registrations.length === 1 && registrations[0].role_arn === `arn:aws:iam::${ACCOUNT}:role/mlcube-platform-access`, "exporting registered the role ARN with ML cube", JSON.stringify(registrations));
  const externalId = registrations[0].external_id;
  t.check(/^[\w+=,.@:/-]{2,}$/.test(externalId ?? ""), "ML cube issued an external id with the allowed characters", externalId);
  const actions = f.actions;
  console.log(`# user-actions launch→export: ${actions}`);
  writeFileSync(join(OUT, "aws-actions.txt"), `${actions}\n`);
  await f.shot("export");

  // The files on disk.
  t.require(dir.startsWith(parent), "the bundle is a new folder inside the chosen one", dir);
  const read = (p) => readFileSync(join(dir, p), "utf8");
  const trustPolicy = JSON.parse(read("aws/trust-policy.json"));
  const trustText = JSON.stringify(trustPolicy);
  t.check(trustText.includes("arn:aws:iam::883313729965:root"), "trust policy trusts ML cube's account", trustText);
  t.check(trustText.includes("sts:ExternalId") && trustText.includes(externalId), "trust policy requires the external id ML cube issued");
  const storage = JSON.stringify(JSON.parse(read("aws/storage-policy.json")));
  t.check(storage.includes(`arn:aws:s3:::${BUCKET}`) && storage.includes(`arn:aws:s3:::${BUCKET}/*`), "storage policy names the bucket and its objects");
  t.check(!storage.includes('"*"') && !storage.includes("s3:*"), "storage policy has no wildcard action or resource");
  const events = JSON.stringify(JSON.parse(read("aws/events-policy.json")));
  t.check(events.includes(`arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`), "events policy names the default bus", events);
  const plan = JSON.parse(read("plan.json"));
  t.check(plan.platform === "mlcube" && plan.aws.account_id === ACCOUNT && plan.integration.project_id === "fraud-detection", "plan.json holds the answers");
  t.check(plan.aws.external_id === externalId && plan.aws.vendor_credentials_id === registrations[0].credentials_id && plan.integration.api_url === rig.vendor_url, "plan.json holds ML cube's ids and the API URL (never the key)");
  t.check(!JSON.stringify(plan).includes(API_KEY), "plan.json has no API key");
  const handoff = read("handoff.json");
  t.check(handoff.includes(`arn:aws:iam::${ACCOUNT}:role/mlcube-platform-access`), "handoff.json gives the role ARN", handoff);
  t.check((statSync(join(dir, "aws/setup.sh")).mode & 0o111) !== 0, "aws/setup.sh is executable");
  t.check(read("SUMMARY.md").length > 100, "SUMMARY.md is written");

  await f.continue("test");
  t.check(await (await t.browser.$('[data-testid="run-test"]')).isExisting(), "the connectivity test can be run (against moto in aws-moto.e2e.mjs)");
  await f.shot("test");
  await f.continue("done");
  const handoffShown = await t.waitFor(async () => {
    const h = await t.browser.$('[data-testid="handoff"]');
    return (await h.isExisting()) && (await h.getText());
  }, "the done page shows the hand-off JSON");
  t.check(handoffShown.includes("mlcube-platform-access"), "the hand-off names the role");
  const doneText = await f.screenText();
  t.check(doneText.includes("aws/revoke.sh"), "the done page says how to revoke");
  t.check(
    (await t.browser.$('[data-testid="done-not-ready"]').isExisting()) && !(await t.browser.$('[data-testid="done-ready"]').isExisting()) && !doneText.includes("ready to hand over"),
    "the done page does not claim the setup is ready: the connectivity test never ran",
    doneText,
  );
  t.check(doneText.includes("run aws/setup.sh from"), "exported, not applied: the next step is the exported aws/setup.sh", doneText);
  await f.shot("done");

  // Back from done goes to the previous step.
  await f.click("back");
  await f.waitStep("test");
}, { application: appWrapper({}, { name: "trustbridge-aws.sh", unset: ["TRUSTBRIDGE_VENDOR_API_URL"] }) });
await rig.stop();
