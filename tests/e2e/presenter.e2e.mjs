// (e) Presenter mode: no identifier of the plan (account ids, external id, tenant, subscription, the
// project at the vendor, buckets, KMS key, resource group, storage account) nor the export folder
// anywhere a person or a screen reader gets it — page text, the values of fields shown as text, and
// the names and descriptions assistive technology reads (aria-label, title, alt, placeholder) — on
// every page of the flow, also while a field has focus; larger type. ML cube issues the external id: the
// export registers the role with the TEST DOUBLE of ML cube's API (rig.mjs), and the id it issued
// must be masked from then on.
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Key } from "webdriverio";
import { e2e } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";
import { answerDialog, EXPORT_TITLE } from "./native.mjs";
import { appWrapper, startRig } from "./rig.mjs";

const ACCOUNT = "123456789012";
const API_KEY = `mlc-${randomBytes(12).toString("hex")}`;
const rig = await startRig({ vendor: { api_key: API_KEY, projects: ["demo-project-4711"] } });
process.on("exit", () => rig.stop());

await e2e("presenter", async (t) => {
  const f = new Flow(t);
  const b = t.browser;
  const parent = join(process.env.HOME, "exports-presenter");
  mkdirSync(parent, { recursive: true });
  let secrets = [ACCOUNT, "demo-project-4711"];

  /** What reaches a person or a screen reader: the page's text, the fields shown as text (a
   * password field's value is read as dots), and the accessible names and descriptions. */
  const exposed = () =>
    b.execute(() => {
      const fields = [...document.querySelectorAll("input, textarea")].filter((e) => e.type !== "password").map((e) => e.value);
      const names = [...document.querySelectorAll("[aria-label], [title], [alt], [placeholder], [aria-valuetext]")].flatMap((e) =>
        ["aria-label", "title", "alt", "placeholder", "aria-valuetext"].map((a) => e.getAttribute(a) ?? ""),
      );
      return [document.body.innerText, ...fields, ...names].join("\n");
    });

  async function clean(where) {
    // No blur first: a focused field must not show its value either.
    const text = await exposed();
    const leaks = secrets.filter((s) => text.includes(s));
    const anyAccount = /(?<!\d)\d{12}(?!\d)/.exec(text);
    t.check(leaks.length === 0 && !anyAccount, `presenter mode: nothing sensitive on ${where}`, `${leaks.join(", ")} ${anyAccount ?? ""}`);
  }

  t.require((await waitForStart(t)) === "start", "starts on the first question");
  const before = await b.execute(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  await b.keys([Key.Ctrl, Key.Shift, "P"]); // webdriverio releases the modifiers afterwards
  await t.waitFor(async () => (await (await b.$('[data-testid="presenter-toggle"]')).getAttribute("aria-pressed")) === "true", "Ctrl+Shift+P turns presenter mode on");
  const after = await b.execute(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  t.check(after > before, "presenter mode uses larger type", `${before}px → ${after}px`);

  await f.choose("ML cube Platform");
  await clean("the start page, with the project field focused");
  await f.continue("clouds");
  await f.select("AWS");
  await f.choose("Azure");
  await clean("the clouds page");
  await f.continue("aws-identity");
  t.check(!(await (await b.$("#f-aws-external-id")).isExisting()), "no external id yet: ML cube issues it");
  await f.fill("aws.account_id", ACCOUNT);
  await clean("the AWS account page");
  const field = await f.el("#f-aws-account-id");
  t.check((await field.getAttribute("type")) === "password", "the account id field hides its value (read as dots)");
  await field.click();
  t.check(
    (await b.execute(() => document.activeElement?.id)) === "f-aws-account-id" && (await field.getAttribute("type")) === "password",
    "focusing the field does not reveal the account id",
  );
  await clean("the AWS account page, with the account id field focused");
  await f.shot("aws-identity");
  await f.continue("aws-storage");
  secrets.push("demo-bucket-4711", "demo-rg-4711", "demostore4711", parent);
  await f.fill("aws.storage[0].bucket", "demo-bucket-4711");
  // The bucket's own key is an expert answer: under "More options".
  await f.click('[data-testid="bucket-0"] summary');
  await f.fill("aws.storage[0].kms_key_arn", `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
  await clean("the bucket page (KMS key ARN holds the account id)");
  await f.continue("azure-identity"); // the AWS events answer (the default bus) needs no page
  const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
  secrets.push(TENANT, SUB);
  await f.fill("azure.tenant_id", TENANT);
  await f.fill("azure.subscription_id", SUB);
  await f.fill("azure.resource_group", "demo-rg-4711");
  await clean("the Azure page");
  await f.shot("azure-identity");
  await f.continue("azure-storage");
  await f.fill("azure.storage[0].storage_account", "demostore4711");
  await clean("the Azure storage page");
  await f.fill("azure.storage[0].container", "data");
  await f.continue("azure-events");
  await clean("the Azure events page");
  await f.continue("vendor");
  await f.fill("integration.api_url", rig.vendor_url);
  const key = await f.el("#f-vendor-api-key");
  await key.click();
  await key.addValue(API_KEY);
  await f.projectListed("demo-project-4711");
  await clean("the Connect to ML cube page");
  await f.shot("vendor");
  await f.continue("check");
  await t.waitFor(async () => (await b.$('[data-testid="grants"]')).isExisting(), "check your answers shows the documents");
  await b.$('[data-testid="check-documents-toggle"]').then((e) => e.click()); // the documents are masked too
  await clean("check your answers (answers, grants, documents)");
  await f.shot("check");
  await f.shot("check-documents-masked", '[data-testid="grants"]');
  await f.continue("route");
  await clean("the set-up question");
  await f.chooseRoute("export", { selected: "export" }); // no AWS credentials here
  await f.fill("export.folder", parent);
  await f.click("export-typed");
  // A typed folder is confirmed in the native dialog Rust raises ("Write N files to …?").
  await answerDialog(t, "presenter", EXPORT_TITLE, "confirm", { key: "w", label: "export" });
  f.actions += 1;
  await t.waitFor(async () => (await b.$('[data-testid="export-dir"]')).isExisting(), "exported", { timeout: 30000 });
  // The export registered the role with ML cube, which issued the external id: hidden from now on.
  const issued = (await rig.ask("vendor")).registrations.find((r) => r.type === "aws")?.external_id;
  t.require(typeof issued === "string" && issued.length > 0, "ML cube issued the external id at the export");
  secrets.push(issued);
  await b.execute(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
  await clean("the export page with every document open");
  await f.shot("export");
  await f.continue("credentials");
  await clean("the credentials page (the service principal command)");
  await f.continue("send");
  await clean("the Send to ML cube page");
  await f.continue("test");
  await clean("the connectivity test page");
  await f.continue("done");
  await t.waitFor(async () => (await b.$('[data-testid="handoff"]')).isExisting(), "the done page shows the hand-off");
  await clean("the done page (hand-off JSON)");
  await f.shot("done");

  // Off again: the values come back.
  await f.click("presenter-toggle");
  // The search itself sees these values when they are there (so its 0 hits above mean something).
  const text = await exposed();
  t.check(
    text.includes(ACCOUNT) && text.includes(issued) && text.includes("demo-project-4711"),
    "presenter mode off shows the account id, ML cube's external id and the project again (the leak search finds them)",
  );
}, { application: appWrapper({}, { name: "trustbridge-presenter.sh", unset: ["TRUSTBRIDGE_VENDOR_API_URL"] }) });
await rig.stop();
