// ML cube on AWS, the whole way: the wizard registers the role with ML cube's API (the TEST DOUBLE
// of it in the rig, src-tauri/crates/cloud/tests/doubles/vendor_api.rs: ML cube issues the external
// id) and creates the role on a real moto server, in ONE apply; the connectivity test is green with
// aws:vendor_registration passing. The API key is typed into the window (never argv, never a file);
// afterwards it is in no file of the session (a planted control proves the search finds it).
// Prints "# user-actions launch→green test (ML cube on AWS, including registration): N".
import { spawnSync } from "node:child_process";
import { Key } from "webdriverio";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { appDataDir, e2e, OUT } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";
import { boto, startMoto, stopMoto } from "./moto.mjs";
import { appWrapper, canaryFiles, motoEnv, startRig } from "./rig.mjs";
import { answerDialog, APPLY_TITLE, dialogWindows } from "./native.mjs";

const ACCOUNT = "123456789012"; // moto's default account
const REGION = "us-east-1";
const BUCKET = "mlcube-e2e-training-data";
const PROJECT = "fraud-detection";
const MLCUBE_ACCOUNT = "883313729965";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/mlcube-platform-access`;
// Made here, per run: never in a file, never in argv (the rig gets it through its stdin pipe).
const API_KEY = `mlc-canary-${randomBytes(12).toString("hex")}`;

const moto = await startMoto();
process.on("exit", () => stopMoto(moto.child));
boto(moto.url, REGION, `boto3.client("s3", **kw).create_bucket(Bucket=${JSON.stringify(BUCKET)})`);
const rig = await startRig({ vendor: { api_key: API_KEY, projects: [PROJECT] } });
process.on("exit", () => rig.stop());
console.log(`# moto_server pid ${moto.child.pid} on ${moto.url}; rig pid ${rig.rig.pid}, ML cube API double on ${rig.vendor_url}`);
const { env, unset } = motoEnv(moto.url, REGION);

/** Types a secret into a field (one user action) without ever printing it. */
async function typeSecret(f, field, text) {
  const el = await f.el(`#f-${field.replace(/[^A-Za-z0-9]+/g, "-")}`);
  await el.scrollIntoView({ block: "center" });
  await el.click();
  await el.clearValue();
  await el.addValue(text);
  f.actions += 1;
  f.t.check((await el.getValue()) === text, `typed the API key into ${field}`, "the field holds something else");
}

await e2e(
  "mlcube-register",
  async (t) => {
    const f = new Flow(t);
    const b = t.browser;
    const text = async (testid) => {
      const e = await b.$(`[data-testid="${testid}"]`);
      return (await e.isExisting()) ? (await e.getText()).replace(/\s+/g, " ") : null;
    };

    // The canary search must be able to find the key: a planted control first.
    const control = join(process.env.HOME, "canary-control.txt");
    writeFileSync(control, `control ${API_KEY}\n`);
    t.require(canaryFiles([API_KEY]).includes(control), "the canary search finds a planted copy of the API key");
    rmSync(control);
    // A clean keyring for this app (earlier scripts of the run store keys for the same integration name).
    spawnSync("secret-tool", ["clear", "service", "dev.trustbridge.wizard/debug"]);

    t.require((await waitForStart(t)) === "start", "starts on the first question");
    await f.choose("ML cube Platform");
    // Signed in to AWS (moto): the first page says so, and AWS becomes the clouds answer when it is
    // left; the clouds question folds into Check your answers, one screen less.
    await f.awsDetectedOnStart(ACCOUNT);
    // The detected account is all the account page would ask (ML cube issues the external id): it is
    // folded into Check your answers, where a Change link opens it (below).
    await f.continue("aws-storage");
    await f.fill("aws.storage[0].bucket", BUCKET);
    // The events question needs no input (the default bus): it is on Check your answers, not a page.
    await f.continue("vendor");

    // Connect to ML cube: the API's URL and the API key (a password field, never autosaved).
    t.check((await f.heading()) === "Connect to ML cube Platform", "the Connect page names the vendor", await f.heading());
    t.check(!(await (await b.$('[data-testid="vendor-key-stored"]')).isExisting()), "no API key is stored yet");
    const keyField = await f.el("#f-vendor-api-key");
    t.check((await keyField.getAttribute("type")) === "password", "the API key field is a password field");
    const hint = await (await f.el("#f-vendor-api-key-hint")).getText();
    t.check(hint.includes("UPDATE_PROJECT_INFORMATION"), "the hint says where to get an API key (the profile's help)", hint);
    await f.continue(null);
    const empty = await t.waitFor(async () => f.errorSummary(), "Continue without the key and the project shows the error summary");
    t.check(empty.includes("Enter the API key") && empty.includes("Enter your project ID on the platform") && !empty.includes("API URL"), "the key and the project are asked for (ML cube's address is built in)", empty);
    t.check((await f.focusedTestId()) === "error-summary", "the error summary takes focus", await f.focusedTestId());
    await f.shot("vendor-errors");
    f.actions -= 1; // the deliberate empty Continue is not part of the figure
    await f.fill("integration.api_url", rig.vendor_url);
    await typeSecret(f, "vendor.api_key", API_KEY);
    await f.projectListed(PROJECT);
    await f.shot("vendor");
    await f.continue("check");

    await t.waitFor(async () => (await b.$('[data-testid="grants"]')).isExisting(), "check your answers shows what is granted");
    const answers = await text("answers-Your platform");
    t.check(answers.includes(rig.vendor_url) && answers.includes("Stored in your system keyring"), "check your answers lists the API URL and that the key is stored", answers);
    const awsAnswers = await text("answers-AWS");
    t.check(awsAnswers.includes("Issued by ML cube Platform when the role is registered"), "the external ID is the one ML cube will issue", awsAnswers);
    t.check(await (await b.$('[data-testid="change-integration.api_url"]')).isExisting(), "the API URL has a Change link");
    t.check(/Event buses\s*default \(the event bus every AWS account has\)/.test(awsAnswers), "check your answers shows the default event bus", awsAnswers);
    t.check(await (await b.$('[data-testid="change-aws.events"]')).isExisting(), "the event bus has a Change link");
    await f.shot("check");
    await f.shot("check-aws-events", '[data-testid="answers-AWS"]');
    // The folded account page, opened by its Change link (a detour, not counted): ML cube issues the external ID.
    const beforeDetour = f.actions;
    await f.click('[data-testid="change-aws.account_id"]');
    await f.waitStep("aws-identity");
    t.check((await f.value("aws.account_id")) === ACCOUNT, "the account id was filled in from the AWS credentials");
    t.check(!(await (await b.$("#f-aws-external-id")).isExisting()), "no external-id field: ML cube issues it");
    const issuedBy = await text("external-id-vendor-issued");
    t.check(
      issuedBy === "ML cube Platform issues the external ID when Trustbridge registers this role with it; you do not need to make one.",
      "the account page says ML cube issues the external ID",
      issuedBy,
    );
    await f.shot("identity");
    await f.continue("check");
    await t.waitFor(async () => (await b.$('[data-testid="grants"]')).isExisting(), "back on check your answers");
    f.actions = beforeDetour;
    // "How do you want to set this up?": apply is preselected (credentials for the plan's account), so
    // the question is folded into Check your answers, whose button is "Accept and apply": the apply
    // page shows the dry run, and Rust's native confirmation follows it.
    t.check((await (await b.$('[data-testid="continue"]')).getText()) === "Accept and apply", "Check your answers' button is Accept and apply");
    await f.continue("export");

    // With AWS credentials present, the dry run is on screen at once: registration first, then 3 changes.
    const preview = await t.waitFor(async () => text("apply-preview"), "the dry run is shown on arrival (AWS credentials present)", { timeout: 30000 });
    const line = await text("apply-register-line");
    t.check(line?.startsWith("Would register the role with ML cube Platform; ML cube Platform issues the external ID"), "the dry run says it registers with ML cube first", line);
    t.check(preview.includes(`(account ${ACCOUNT})`), "it shows the acting identity", preview);
    t.check((await b.$$('[data-testid="apply-changes"] > li')).length === 3, "three changes: the role and two inline policies");
    t.check(rig.vendor_url && (await rig.ask("vendor")).registrations.length === 0, "a dry run registers nothing");
    await f.shot("apply-dry-run", '[data-testid="apply-preview"]');

    // ONE apply, no button to press: confirmed in the native dialog Rust raises after the dry run
    // (nothing is registered before the yes), registers the role ARN (ML cube answers with its trust
    // policy and external id), then creates the role, and goes straight on to the connectivity test
    // (which runs on arrival).
    await t.waitFor(async () => dialogWindows(APPLY_TITLE).length === 1, "Accept and apply asks in a native dialog, after the dry run");
    t.check((await rig.ask("vendor")).registrations.length === 0, "nothing is registered with ML cube while the dialog asks");
    await answerDialog(t, "mlcube-register", APPLY_TITLE, "confirm", { label: "apply" });
    f.actions += 1;
    const landed = await t.waitFor(async () => {
      if (await (await b.$('form[data-step="test"]')).isExisting()) return "test";
      const problem = await text("apply-error");
      return problem ? `error: ${problem}` : false;
    }, "apply moves on to the connectivity test", { timeout: 60000 });
    t.require(landed === "test", "no registration or apply error: the connectivity test page comes next", landed);
    await t.waitFor(async () => (await f.focusedTestId()) === "page-heading", "the test page's heading takes focus");
    const appliedLine = await text("test-applied");
    t.check(
      appliedLine?.includes(ROLE_ARN) && appliedLine.includes("registered with ML cube Platform") && appliedLine.includes("3 changes"),
      "the test page says what was applied and registered",
      appliedLine,
    );
    const report = await rig.ask("vendor");
    const aws = report.registrations.filter((r) => r.type === "aws");
    t.require(aws.length === 1, "ML cube holds exactly one AWS registration", JSON.stringify(report.registrations));
    const reg = aws[0];
    t.check(reg.role_arn === ROLE_ARN && reg.project_id === PROJECT && reg.name === "CLOUD_01", "registered: the plan's role ARN, project and name", JSON.stringify(reg));
    t.check(report.all_keyed, "every request to ML cube carried the typed API key");
    const issued = reg.external_id;
    t.require(typeof issued === "string" && issued.length >= 2, "ML cube issued an external id", String(issued));
    const trust = JSON.parse(
      boto(moto.url, REGION, `import json, urllib.parse
d = boto3.client("iam", **kw).get_role(RoleName="mlcube-platform-access")["Role"]["AssumeRolePolicyDocument"]
print(json.dumps(d if isinstance(d, dict) else json.loads(urllib.parse.unquote(d))))`),
    );
    const stmt = trust.Statement[0];
    t.check(
      trust.Statement.length === 1 && stmt.Condition?.StringEquals?.["sts:ExternalId"] === issued && JSON.stringify(stmt.Principal).includes(`arn:aws:iam::${MLCUBE_ACCOUNT}:root`),
      "the role's trust (read back from moto) lets in ML cube's account with the external id ML cube issued",
      JSON.stringify(trust),
    );
    const draft = JSON.parse(readFileSync(join(appDataDir(), "draft.json"), "utf8"));
    t.check(draft.plan.aws.external_id === issued && draft.plan.aws.vendor_credentials_id === reg.credentials_id, "the autosaved answers hold ML cube's external id and credentials id", JSON.stringify(draft.plan.aws));
    // The set-up question was folded (apply preselected) and Check your answers continued with it: kept.
    t.check(draft.plan.route === "apply", "the autosaved draft remembers the set-up answer continued with (apply)", JSON.stringify(draft.plan.route));

    // The connectivity test runs on arrival.
    const verdict = await t.waitFor(async () => {
      const v = await b.$('[data-testid="test-verdict"]');
      return (await v.isExisting()) && (await v.getAttribute("data-result"));
    }, "the connectivity test ends", { timeout: 90000 });
    const actions = f.actions;
    console.log(`# user-actions launch→green test (ML cube on AWS, including registration): ${actions}`);
    t.check(actions <= 10, "launch → green test in at most 10 user actions (the clouds, account and set-up questions folded, Accept and apply; ML cube's address typed here, under More options: 2 of them)", `${actions}`);
    writeFileSync(join(OUT, "mlcube-register-actions.txt"), `${actions}\n`);
    const probes = await b.execute(() =>
      [...document.querySelectorAll('[data-testid^="probe-"]')].map((e) => ({
        id: e.getAttribute("data-testid").slice("probe-".length),
        status: e.getAttribute("data-status"),
        text: e.innerText,
      })),
    );
    console.log(`# probes: ${probes.map((p) => `${p.id}=${p.status}`).join(" ")}`);
    t.check(verdict === "partial", "the connectivity test passed, one check only partly (moto has no policy simulator)", JSON.stringify(probes.filter((p) => p.status === "fail")));
    const passed = probes.filter((p) => p.status === "pass").map((p) => p.id);
    for (const id of ["aws:credentials", "aws:role_exists", "aws:trust_policy", `aws:bucket:${BUCKET}`, "aws:event_bus:default", "aws:vendor_registration"]) {
      t.check(passed.includes(id), `probe ${id} passed`);
    }
    const regProbe = probes.find((p) => p.id === "aws:vendor_registration");
    t.check(regProbe?.text.includes("Registered with ML cube Platform: AWS"), "the registration probe is named in words", regProbe?.text);
    t.check(probes.every((p) => p.status === "pass" || (p.id === "aws:permissions" && p.status === "partial") || (p.status === "skip" && p.id.startsWith("aws:vendor_"))), "every other probe passed (vendor-side ones skipped: no vendor credentials)");
    // moto has no policy simulator: the permissions check is made only partly, and the page says so.
    const perms = probes.find((p) => p.id === "aws:permissions");
    t.check(perms?.status === "partial" && /partly checked/i.test(perms.text) && perms.text.includes("Not checked:"), "the permissions check is marked partly checked, with what was not checked", perms?.text);
    const verdictText = await (await b.$('[data-testid="test-verdict"]')).getText();
    t.check(verdictText.includes("Your side is ready, but 1 check was made only partly"), "the verdict says what was proven: our side, one check partly", verdictText);
    t.check(verdictText.includes("will confirm the connection from its side"), "the verdict says the vendor confirms its side", verdictText);
    await f.shot("test-green");
    await f.shot("test-probes", '[data-testid="probes"]');

    // Done after Apply and a green test: the green panel, and no setup.sh to run (nothing was exported).
    await f.continue("done");
    await t.waitFor(async () => (await b.$('[data-testid="done-steps"]')).isExisting(), "the done page");
    const doneText = await f.screenText();
    t.check(await (await b.$('[data-testid="done-ready"]')).isExisting(), "Done after a green test shows the green panel", doneText);
    t.check(!doneText.includes("setup.sh") && doneText.includes("AWS: applied from this computer"), "Done after Apply names no setup.sh to run", doneText);
    await f.shot("done-applied");
    await f.click("back");
    await f.waitStep("test");

    // Presenter mode masks the account id in what was applied (the line is new on this page).
    await b.keys([Key.Ctrl, Key.Shift, "P"]);
    await t.waitFor(async () => (await (await b.$('[data-testid="presenter-toggle"]')).getAttribute("aria-pressed")) === "true", "Ctrl+Shift+P turns presenter mode on");
    const masked = await text("test-applied");
    t.check(!!masked && !masked.includes(ACCOUNT) && masked.includes("mlcube-platform-access"), "presenter mode: the applied role's account id is masked on the test page", masked);
    await f.shot("test-applied-presenter");
    await b.keys([Key.Ctrl, Key.Shift, "P"]);
    await t.waitFor(async () => (await (await b.$('[data-testid="presenter-toggle"]')).getAttribute("aria-pressed")) === "false", "and off again");

    // Back: the applied result, what was registered and ML cube's external id are still on the page.
    await f.click("back");
    await f.waitStep("export");
    const result = await text("apply-result");
    t.check(result?.includes("Applied") && result.includes(ROLE_ARN), "Back shows the applied result: the role ARN", result);
    const registered = await text("apply-registered");
    t.check(!!registered && registered.length > 0, "the page shows what was registered with ML cube", registered);
    t.check((await text("apply-external-id"))?.includes(issued), "the page shows the external ID ML cube issued");
    t.check((await b.$$('[data-testid="apply-done"] > li')).length === 3, "and the 3 changes made");
    await f.shot("applied", '[data-testid="apply-result"]');

    // Apply again: ML cube's registration is kept and nothing changes in AWS.
    await f.click("apply-preview-button");
    await t.waitFor(async () => (await b.$('[data-testid="apply-nothing"]')).isExisting(), "a second dry run finds nothing to change");
    t.check(!(await (await b.$('[data-testid="apply-register-line"]')).isExisting()), "and nothing to register");
    t.check((await rig.ask("vendor")).registrations.length === 1, "still one registration at ML cube");
    await f.shot("apply-nothing-to-change");

    // The key is stored: the Connect page says so (a digest, never a part of it) and needs no new one.
    await f.click("back");
    await f.waitStep("check");
    await f.click('[data-testid="change-vendor.api_key"]');
    await f.waitStep("vendor");
    const storedLine = await t.waitFor(async () => text("vendor-key-stored"), "the Connect page says a key is stored");
    t.check(
      /An API key is stored \(sha256:[0-9a-f]{6,}\), for (\S+) — it is sent to that address only; paste a new one to replace it\./.test(storedLine) &&
        storedLine.includes(rig.vendor_url),
      "with its digest and the address it was given for (the only one it goes to)",
      storedLine,
    );
    t.check((await f.focusedTestId()) === "f-vendor-api-key", "Change focuses the key field", await f.focusedTestId());
    t.check((await (await f.el("#f-vendor-api-key")).getValue()) === "", "the key field is empty (never echoed)");
    await f.shot("vendor-key-stored");
    await f.continue("check");

    // Canary: the API key is nowhere: not in the page, not in any file of the session.
    const page = `${await f.screenText()}\n${await b.getPageSource()}`;
    t.check(!page.includes(API_KEY), "the API key is not in the page");
    const hits = canaryFiles([API_KEY]);
    t.check(hits.length === 0, "the API key is in no file of the session (home, app data, XDG dirs, temp dir, logs)", hits.join(", "));
  },
  { application: appWrapper(env, { name: "trustbridge-mlcube.sh", unset }) },
);
await rig.stop();
stopMoto(moto.child);
