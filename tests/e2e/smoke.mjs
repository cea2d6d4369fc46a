// Smoke test: the real app starts, shows its first page, and gets the vendor profiles from Rust.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { appDataDir, e2e } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";

await e2e("smoke", async (t) => {
  const b = t.browser;
  const f = new Flow(t);

  const title = await t.waitFor(async () => (await b.getTitle()) || false, "the page has a title", { timeout: 10000 });
  t.check(title.endsWith("Trustbridge"), 'document title ends with "Trustbridge"', `got ${JSON.stringify(title)}`);

  t.require((await waitForStart(t)) === "start", "a fresh start shows the first question, not the resume page");
  t.check((await b.getTitle()) === "Your platform – Trustbridge", "the title names the page", await b.getTitle());
  t.check((await f.heading()).length > 0, "the page has a heading");

  const labels = await b.$$('label[for^="f-platform-"]');
  const labelTexts = [];
  for (const label of labels) labelTexts.push((await label.getText()).trim());
  t.check(labelTexts.length >= 1 && labelTexts.every((s) => s.length > 0), "every vendor radio has a visible label", JSON.stringify(labelTexts));
  t.check(labelTexts.includes("ML cube Platform"), "the vendor list comes from Rust's built-in profiles", JSON.stringify(labelTexts));

  const legend = (await (await b.$("fieldset legend")).getText()).trim();
  t.check(legend === "Which platform are you connecting?", "the radios' legend asks which platform", `got ${JSON.stringify(legend)}`);

  const version = await b.$('[data-testid="version"]');
  await t.waitFor(() => version.isExisting(), "app_info answered (version in the footer)", { fatal: false });
  if (await version.isExisting()) {
    t.check(/^Trustbridge \d+\.\d+\.\d+/.test((await version.getText()).trim()), "the footer names the app and its version");
  }
  t.check((await (await b.$('[data-testid="progress"]')).getText()).startsWith("Step 1: "), "the page says where you are (Step 1: …; no total before the path is known)");

  // Continue with nothing chosen: an error summary appears and takes focus.
  await f.click("continue");
  const summary = await b.$('[data-testid="error-summary"]');
  await t.waitFor(() => summary.isDisplayed(), "Continue without answers shows the error summary");
  t.check((await f.focusedTestId()) === "error-summary", "the error summary has focus", await f.focusedTestId());
  t.check((await summary.getAttribute("role")) === "alert", "the error summary is announced (role=alert)");
  const text = await f.errorSummary();
  t.check(text.includes("Select the platform you are connecting"), "it asks for the platform", text);
  t.check(text.includes("Enter your project ID on the platform"), "it asks for the project id", text);
  t.check(await (await b.$("#f-platform-error")).isExisting(), "the platform error is shown at the radios");
  t.check((await b.getTitle()).startsWith("Error: "), "the title starts with Error: while problems show", await b.getTitle());
  await t.screenshot("1-errors");

  // Nothing was answered: nothing is autosaved, so the next launch does not offer to resume.
  await new Promise((r) => setTimeout(r, 800));
  t.check(!existsSync(join(appDataDir(), "draft.json")), "an untouched wizard saves no draft");
});
