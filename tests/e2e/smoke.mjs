// Smoke test: the real app starts, shows its first page, and gets the vendor profiles from Rust.
import { e2e } from "./harness.mjs";

await e2e("smoke", async (t) => {
  const b = t.browser;

  // The document is ours (the embedded ui/dist, not a blank or error page).
  const title = await t.waitFor(async () => (await b.getTitle()) || false, "the page has a title", {
    timeout: 10000,
  });
  t.check(title === "Trustbridge", 'document title is "Trustbridge"', `got ${JSON.stringify(title)}`);

  const heading = await b.$("h1");
  await t.waitFor(() => heading.isDisplayed(), "the heading is visible", { timeout: 10000 });
  const headingText = (await heading.getText()).trim();
  t.check(headingText === "Trustbridge", 'heading reads "Trustbridge"', `got ${JSON.stringify(headingText)}`);

  // The radio list needs the real `list_profiles` command. An error summary means the IPC call
  // failed: report its text instead of waiting for the time-out.
  const outcome = await t.waitFor(
    async () => {
      const radios = await b.$$('input[type="radio"]');
      if (radios.length > 0) return { radios: radios.length };
      const summary = await b.$('[data-testid="error-summary"]');
      if (await summary.isExisting()) return { error: (await summary.getText()).replace(/\s+/g, " ") };
      const none = await b.$('[data-testid="no-profiles"]');
      if (await none.isExisting()) return { error: "list_profiles returned no profiles" };
      return false;
    },
    "list_profiles answered",
    { timeout: 20000 },
  );
  t.require(!outcome.error, "the vendor profiles loaded without an error", outcome.error);
  t.require(outcome.radios >= 1, "at least one vendor radio is rendered", `got ${outcome.radios}`);
  console.log(`# ${outcome.radios} vendor profile(s)`);

  const legend = (await (await b.$("fieldset legend")).getText()).trim();
  t.check(
    legend === "Which platform are you connecting?",
    "the radios' legend asks which platform",
    `got ${JSON.stringify(legend)}`,
  );

  const labels = await b.$$("label.radios__label");
  const labelTexts = [];
  for (const label of labels) labelTexts.push((await label.getText()).trim());
  t.check(
    labelTexts.length === outcome.radios && labelTexts.every((s) => s.length > 0),
    "every radio has a visible label",
    JSON.stringify(labelTexts),
  );
  console.log(`# profiles: ${labelTexts.join(" | ")}`);

  // The footer shows the version from the real `app_info` command.
  const version = await b.$('[data-testid="version"]');
  await t.waitFor(() => version.isExisting(), "app_info answered (version in the footer)", {
    fatal: false,
  });
  if (await version.isExisting()) {
    const text = (await version.getText()).trim();
    t.check(/^Trustbridge \d+\.\d+\.\d+/.test(text), "the footer names the app and its version", text);
  }

  await t.screenshot("1-start");

  // Continue with nothing chosen: an error summary appears and takes focus.
  const cont = await b.$('[data-testid="continue"]');
  await cont.click();
  const summary = await b.$('[data-testid="error-summary"]');
  await t.waitFor(() => summary.isDisplayed(), "Continue without a choice shows the error summary");
  const focused = await b.execute(
    () => document.activeElement?.getAttribute("data-testid") ?? document.activeElement?.tagName,
  );
  t.check(focused === "error-summary", "the error summary has focus", `focus is on ${focused}`);
  t.check(
    (await summary.getAttribute("role")) === "alert",
    "the error summary is announced (role=alert)",
  );
  await t.screenshot("2-error");

  // Choose the first platform and continue: the error goes, the honest "next steps" note shows.
  await (await b.$("label.radios__label")).click();
  const checked = await b.execute(() => document.querySelectorAll('input[type="radio"]:checked').length);
  t.check(checked === 1, "clicking a label selects its radio", `${checked} checked`);
  await cont.click();
  const next = await b.$('[data-testid="next-steps"]');
  await t.waitFor(() => next.isDisplayed(), "Continue with a choice shows the next-steps note");
  t.check(!(await summary.isExisting()), "the error summary is gone after a valid choice");
  t.check(
    (await next.getText()).includes(labelTexts[0]),
    "the note names the chosen platform",
    await next.getText(),
  );
  await t.screenshot("3-continue");
});
