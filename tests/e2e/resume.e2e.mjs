// (d) kill -9 the app mid-flow, start it again, resume: every answer is intact; a reload resumes
// the latest draft, not the one the window handed to its first page.
import { e2e } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";

await e2e("resume", async (t) => {
  const f = new Flow(t);
  t.require((await waitForStart(t)) === "start", "starts on the first question");
  await f.choose("Custom vendor");
  await f.fill("integration.project_id", "resume-proj");
  await f.fill("integration.name", "RESUME_01");
  await f.continue("clouds");
  await f.select("AWS");
  await f.continue("aws-identity");
  await f.fill("aws.account_id", "123456789012");
  await f.fill("aws.region", "eu-central-1");
  await f.fill("aws.vendor.account_id", "210987654321");
  await f.fill("aws.vendor.principal_patterns", "arn:aws:iam::210987654321:role/acme-*");
  await f.fill("aws.external_id", "customer-4711");
  await f.continue("aws-storage");
  await f.fill("aws.storage[0].bucket", "first-bucket");
  await f.fill("aws.storage[0].prefix", "training/");
  await f.click("add-row");
  // Typed but not continued: the debounced autosave must keep it.
  await f.fill("aws.storage[1].bucket", "second-bucket");
  await new Promise((r) => setTimeout(r, 1000));
  await f.shot("before-kill");

  await t.crashAndRestart();
  t.require((await waitForStart(t)) === "resume", "after the crash the wizard offers to resume");
  const text = await f.screenText();
  t.check(text.includes("Resume where you left off") && text.includes("Start again"), "both choices are offered");
  await f.shot("resume-offer");
  await f.click("resume");
  await f.waitStep("aws-storage");
  t.check((await f.value("aws.storage[0].bucket")) === "first-bucket", "bucket 1 is intact");
  t.check((await f.value("aws.storage[0].prefix")) === "training/", "its prefix is intact");
  t.check((await f.value("aws.storage[1].bucket")) === "second-bucket", "bucket 2 (typed, never continued) is intact");
  await f.shot("resumed");

  await f.click("back");
  await f.waitStep("aws-identity");
  t.check((await f.value("aws.account_id")) === "123456789012", "account id intact");
  t.check((await f.value("aws.region")) === "eu-central-1", "region intact");
  t.check((await f.value("aws.vendor.account_id")) === "210987654321", "vendor account intact");
  t.check((await f.value("aws.vendor.principal_patterns")) === "arn:aws:iam::210987654321:role/acme-*", "vendor patterns intact");
  t.check((await f.value("aws.external_id")) === "customer-4711", "external id intact (not regenerated)");
  await f.click("back");
  await f.waitStep("clouds");
  t.check(await t.browser.execute(() => document.getElementById("f-clouds-0").checked), "AWS still chosen");
  await f.click("back");
  await f.waitStep("start");
  t.check((await f.value("integration.project_id")) === "resume-proj", "project id intact");
  t.check((await f.value("integration.name")) === "RESUME_01", "integration name intact");
  t.check(await t.browser.execute(() => document.querySelector('input[name="platform"]:checked')?.value) === "custom", "vendor intact");

  // Start again forgets everything.
  await t.crashAndRestart();
  t.require((await waitForStart(t)) === "resume", "a second restart offers to resume again");
  await f.click("start-again");
  await f.waitStep("start");
  t.check((await f.value("integration.project_id")) === "", "Start again clears the answers");

  // A reload takes the draft autosaved since the window opened, never the one handed to the first
  // page at launch (that one still holds "resume-proj"): resuming shows what was typed last.
  await f.fill("integration.project_id", "reloaded-proj");
  await new Promise((r) => setTimeout(r, 1000));
  await t.browser.refresh();
  t.require((await waitForStart(t)) === "resume", "after a reload the wizard offers the draft autosaved since launch");
  await f.click("resume");
  await f.waitStep("start");
  t.check((await f.value("integration.project_id")) === "reloaded-proj", "the reload resumed what was typed after launch, not the launch-time draft");

  // The role-pack path autosaves too: a variable typed (never continued) and a default cleared on
  // purpose survive kill -9, and resume lands on the pack's page.
  await f.click("start-pack");
  await f.waitStep("pack-choose");
  await f.choose("AWS MLSpace role pack");
  await f.continue("pack-variables");
  await f.fill("variables.AWS_ACCOUNT", "123456789012");
  await f.fill("variables.MLSPACE_APP_ROLE_NAME", "");
  await new Promise((r) => setTimeout(r, 1000));
  await t.crashAndRestart();
  t.require((await waitForStart(t)) === "resume", "after a crash in the pack path the wizard offers to resume");
  t.check((await f.screenText()).includes("Role pack: Fill in the variables"), "the offer names the pack page");
  await f.click("resume");
  await f.waitStep("pack-variables");
  t.check((await f.value("variables.AWS_ACCOUNT")) === "123456789012", "the typed pack variable is intact");
  t.check((await f.value("variables.MLSPACE_APP_ROLE_NAME")) === "", "the cleared default stays cleared");
  t.check((await f.value("variables.MLSPACE_SYSTEM_ROLE_NAME")) === "mlspace-system-role", "the other defaults are there");
  await f.shot("pack-resumed");
});
