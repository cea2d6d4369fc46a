// (c) Invalid input shows the field error and blocks Continue; hostile text renders inert.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { appDataDir, e2e } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";

const XSS = "<img src=x onerror=alert(1)>";

await e2e("invalid", async (t) => {
  const f = new Flow(t);
  const b = t.browser;
  t.require((await waitForStart(t)) === "start", "starts on the first question");

  // Keyboard only: Tab to the first radio, choose with Space, type an integration name, Enter submits.
  // (ML cube lists the key's projects on its Connect page: its first page asks no project id.)
  await b.execute(() => document.getElementById("page-heading")?.focus());
  await b.keys(["Tab"]);
  const first = await f.focusedTestId();
  t.check(first === "f-platform-0", "Tab reaches the first vendor radio", first);
  const outline = await b.execute(() => getComputedStyle(document.activeElement.nextElementSibling, "::before").boxShadow);
  t.check(outline && outline !== "none", "the focused radio has a visible focus ring", outline);
  await b.keys([" "]);
  await b.keys(["Tab", "Tab"]);
  t.check((await f.focusedTestId()) === "start-import-profile", "next, Tab reaches \"Use a vendor profile file…\" (another vendor choice)", await f.focusedTestId());
  await b.keys(["Tab"]);
  t.check((await f.focusedTestId()) === "f-integration-name", "Tab reaches the integration name field", await f.focusedTestId());
  await b.keys(["bad name!"]);
  await b.keys(["Enter"]);
  await t.waitFor(async () => (await f.errorSummary()) !== null, "Enter submits and shows the error summary");
  let summary = await f.errorSummary();
  t.check(
    summary.includes("Enter an integration name that uses only letters, numbers, underscores, full stops and hyphens.") && !summary.includes("(got"),
    "the summary says what is wrong in the field's own words, without echoing the value",
    summary,
  );
  t.check((await f.focusedTestId()) === "error-summary", "the error summary takes focus");
  const described = await (await b.$("#f-integration-name")).getAttribute("aria-describedby");
  t.check(described.includes("f-integration-name-error"), "the field is described by its error", described);
  t.check((await b.$('form[data-step="start"]').then((e) => e.isExisting())), "Continue is blocked: still on the first page");
  await f.shot("start-error");

  // The summary link moves focus to the field.
  await (await b.$('[data-testid="error-summary"] a')).click();
  t.check((await f.focusedTestId()) === "f-integration-name", "the summary link focuses the field");
  await f.fill("integration.name", "GOOD_01");
  await f.continue("clouds");
  await f.continue(null);
  await t.waitFor(async () => (await f.errorSummary())?.includes("cloud"), "no cloud chosen: an error asks for one");
  await f.select("AWS");
  await f.continue("aws-identity");

  await f.fill("aws.account_id", "12345");
  await f.continue(null);
  await t.waitFor(async () => (await b.$("#f-aws-account-id-error")).isExisting(), "a short account id shows an inline error");
  const inline = await (await b.$("#f-aws-account-id-error")).getText();
  t.check(/12 digits/.test(inline), "the inline error says 12 digits", inline);
  t.check(await b.$('form[data-step="aws-identity"]').then((e) => e.isExisting()), "Continue is blocked on the account page");
  await f.shot("account-error");
  await f.fill("aws.account_id", "123456789012");
  await f.continue("aws-storage");

  // A hostile bucket name: Rust refuses it; the page shows it as text and runs nothing.
  await f.fill("aws.storage[0].bucket", XSS);
  await f.continue(null);
  await t.waitFor(async () => (await b.$("#f-aws-storage-0-bucket-error")).isExisting(), "the hostile bucket name is refused by Rust validation");
  summary = await f.errorSummary();
  t.check(summary.includes("Enter a bucket name that uses only lower-case letters, numbers, full stops and hyphens.") && !summary.includes(XSS), "the error summary says what to enter, without echoing the name", summary);
  t.check((await f.value("aws.storage[0].bucket")) === XSS, "the field keeps the name as literal text", await f.value("aws.storage[0].bucket"));
  const imgs = await b.execute(() => document.querySelectorAll("img").length);
  t.check(imgs === 0, "no <img> element was created", `${imgs}`);
  t.check(await b.$('form[data-step="aws-storage"]').then((e) => e.isExisting()), "Continue is blocked on the bucket page");
  await f.shot("xss-inert");

  // Partly fixed: a second bad row keeps the first row's error away.
  await f.fill("aws.storage[0].bucket", "ok-bucket-name");
  await f.click("add-row");
  await f.fill("aws.storage[1].prefix", "data/*");
  await f.continue(null);
  await t.waitFor(async () => (await b.$("#f-aws-storage-1-prefix-error")).isExisting(), "a wildcard prefix in row 2 is shown at row 2");
  t.check(!(await (await b.$("#f-aws-storage-0-bucket-error")).isExisting()), "row 1 has no error any more");
  t.check(await (await b.$("#f-aws-storage-1-bucket-error")).isExisting(), "row 2's empty bucket is reported too (Rust reports every problem at once)");
  await f.shot("row-error");

  // A saved draft that is invalid where the person never looks again (edited on disk): Check your
  // answers validates the whole plan and links each problem to the page that asks for it.
  mkdirSync(appDataDir(), { recursive: true });
  const plan = {
    version: 1, platform: "mlcube", integration: { name: "X_1", project_id: "p" },
    aws: { account_id: "999", region: "us-east-1", external_id: "ext-id-123456", storage: [{ bucket: "fine-bucket" }] },
  };
  await t.crashAndRestart();
  writeFileSync(join(appDataDir(), "draft.json"), JSON.stringify({ version: 1, step: "check", plan }));
  await t.crashAndRestart();
  t.require((await waitForStart(t)) === "resume", "the edited draft is offered");
  await f.click("resume");
  await f.waitStep("check");
  await t.waitFor(
    async () => (await f.errorSummary())?.includes("Enter an AWS account ID that is exactly 12 digits."),
    "check your answers lists the problem in words that say which field (and cloud)",
  );
  t.check(!(await (await t.browser.$('[data-testid="grants"]')).isExisting()), "no documents are shown for an invalid plan");
  await f.shot("check-error");
  await (await t.browser.$('[data-testid="error-summary"] a')).click();
  await f.waitStep("aws-identity");
  t.check((await f.focusedTestId()) === "f-aws-account-id", "the link opens the account page at the field", await f.focusedTestId());
  await f.fill("aws.account_id", "123456789012");
  await f.continue("check");
  await t.waitFor(async () => (await t.browser.$('[data-testid="grants"]')).isExisting(), "fixed: Continue returns to check your answers with the documents");
});
