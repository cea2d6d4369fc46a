// Signing in to AWS from the window, on a computer with no AWS CLI set up, against a real
// moto server and the rig's TEST DOUBLES (ML cube's API; the AWS access portal — IAM Identity
// Center's OIDC device flow and portal API, tests/doubles/aws_sso.rs, where the person "confirms" at
// once). The app starts with moto's endpoint and no credentials at all. The account id is typed;
// the set-up question preselects export (nothing found), the person chooses apply; the apply page
// says the computer is not signed in. Pasted access-portal credentials with a line missing are
// refused in Rust at the field; the whole Option 1 text signs in ("Acting as …", the dry run made),
// and the pasted text is gone from the page. Back to "this computer's own" (none). Then the access
// portal in the browser: the address, the code shown (with AWS's page, which Rust opens only when
// xdg-open exists here; logged, not asserted), the account and role listed, "Use this role":
// the dry run runs as that role, Apply (confirmed in Rust's native dialog) creates the role in moto.
// Afterwards no pasted secret, portal token or role secret is in any file of the session.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { e2e } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";
import { boto, startMoto, stopMoto } from "./moto.mjs";
import { answerDialog, APPLY_TITLE } from "./native.mjs";
import { appWrapper, canaryFiles, motoEnv, startRig } from "./rig.mjs";

const ACCOUNT = "123456789012"; // moto's default account
const REGION = "us-east-1";
const BUCKET = "signin-e2e-training-data";
const PROJECT = "fraud-detection";
const API_KEY = `mlc-${randomBytes(12).toString("hex")}`;
const PASTED_SECRET = `CANARYpasted${randomBytes(14).toString("hex")}`; // 40 characters
const PASTED_TOKEN = `IQoJCANARYtoken${randomBytes(24).toString("base64").replace(/[^A-Za-z0-9]/g, "A")}`;

const moto = await startMoto();
process.on("exit", () => stopMoto(moto.child));
boto(moto.url, REGION, `boto3.client("s3", **kw).create_bucket(Bucket=${JSON.stringify(BUCKET)})`);
const rig = await startRig({ vendor: { api_key: API_KEY, projects: [PROJECT] }, sso: { accounts: [[ACCOUNT, "Data science", ["AdministratorAccess"]]] } });
process.on("exit", () => rig.stop());
const moto_ = motoEnv(moto.url, REGION);
// No credentials on this computer: only the endpoint (and no config files).
const env = { ...moto_.env, ...rig.env };
delete env.AWS_ACCESS_KEY_ID;
delete env.AWS_SECRET_ACCESS_KEY;
const unset = [...moto_.unset, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
// "Open the AWS page" in the browser: a recorder instead of a browser (xdg-open's generic mode runs $BROWSER).
const OPENED = join(process.env.HOME, "browser-opened.txt");
const recorder = join(process.env.HOME, "browser-recorder.sh");
writeFileSync(recorder, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${OPENED}'\n`);
chmodSync(recorder, 0o755);
env.BROWSER = recorder;

await e2e(
  "aws-signin",
  async (t) => {
    const f = new Flow(t);
    const b = t.browser;
    const text = async (testid) => {
      const e = await b.$(`[data-testid="${testid}"]`);
      return (await e.isExisting()) ? (await e.getText()).replace(/\s+/g, " ") : null;
    };
    try {
      t.require((await waitForStart(t)) === "start", "starts on the first question");
      await f.choose("ML cube Platform");
      await f.continue("clouds");
      await f.select("AWS");
      await f.continue("aws-identity");
      await f.fill("aws.account_id", ACCOUNT);
      await f.continue("aws-storage");
      await f.fill("aws.storage[0].bucket", BUCKET);
      await f.continue("vendor");
      await f.fill("integration.api_url", rig.vendor_url);
      const key = await f.el("#f-vendor-api-key");
      await key.click();
      await key.addValue(API_KEY);
      await f.projectListed(PROJECT);
      await f.continue("check");
      await t.waitFor(async () => (await b.$('[data-testid="grants"]')).isExisting(), "check your answers");
      await f.continue("route");
      const applyHint = await (await f.el("#f-route-0-hint")).getText();
      t.check(applyHint.includes("sign in to AWS on the next page"), "with no credentials, the apply answer says you can sign in on the next page", applyHint);
      await f.chooseRoute("apply", { selected: "export" }); // nothing found on this computer: export preselected

      const who = await t.waitFor(async () => (await text("aws-signin-who")) || false, "the apply page says who Trustbridge acts as");
      t.check(who.includes("not signed in to AWS"), "this computer is not signed in", who);
      await f.shot("signin-none");

      // Paste: the access portal's Option 1, first with the secret key's line left out.
      await f.click('[data-testid="aws-signin-paste"] + label');
      const exportLines = (secret) =>
        [`export AWS_ACCESS_KEY_ID="ASIAZZZZEXAMPLE7WXYZ"`, secret ? `export AWS_SECRET_ACCESS_KEY="${PASTED_SECRET}"` : null, `export AWS_SESSION_TOKEN="${PASTED_TOKEN}"`]
          .filter(Boolean)
          .join("\n");
      const area = await f.el('[data-testid="aws-signin-pasted"]');
      await area.setValue(exportLines(false));
      t.check((await b.execute(() => getComputedStyle(document.querySelector('[data-testid="aws-signin-pasted"]')).webkitTextSecurity)) === "disc", "the pasted text is shown as dots");
      await f.click("aws-signin-use-pasted");
      const refused = await t.waitFor(async () => (await text("aws-signin")).includes("Part of the credentials is missing") && (await text("aws-signin")), "a paste with a line missing is refused at the field");
      t.check(!refused.includes("ASIAZZZZ") && !refused.includes(PASTED_TOKEN), "the refusal quotes nothing pasted", refused);
      await (await f.el('[data-testid="aws-signin-pasted"]')).setValue(exportLines(true));
      await f.click("aws-signin-use-pasted");
      const pastedWho = await t.waitFor(async () => {
        const w = await text("aws-signin-who");
        return w?.includes("credentials pasted from the AWS access portal") && w;
      }, "signed in with the pasted credentials", { timeout: 30000 });
      t.check(pastedWho.includes(`account ${ACCOUNT}`), "acting in moto's account", pastedWho);
      t.check(!(await b.execute(() => document.body.innerText + [...document.querySelectorAll("textarea,input")].map((e) => e.value).join(" "))).includes(PASTED_SECRET), "the pasted secret is not on the page any more");
      await t.waitFor(async () => (await b.$('[data-testid="apply-preview"]')).isExisting(), "the dry run is made as the new identity", { timeout: 30000 });
      await f.shot("signin-pasted");

      // Back to this computer's own (none), then the access portal in the browser.
      await f.click("aws-signin-out");
      await t.waitFor(async () => (await text("aws-signin-who"))?.includes("not signed in to AWS"), "back to this computer's own sign-in: none");
      await f.click('[data-testid="aws-signin-portal"] + label');
      await f.fill("aws.sso_start_url", "https://d-1234567890.awsapps.com/start");
      await f.fill("aws.sso_region", "eu-west-1");
      await f.click("aws-signin-start");
      // The code to confirm is shown while Rust waits (the double confirms at AWS's first poll, 1 s on).
      const code = await t.waitFor(async () => (await text("aws-signin-code")) || false, "the code to confirm is shown", { interval: 50, timeout: 5000 });
      t.check(code.includes("WDJB-MJHT") && code.includes("device.sso.eu-west-1.amazonaws.com"), "with the code and AWS's page", code);
      const role = await t.waitFor(async () => (await b.$('[data-testid="aws-signin-role-AdministratorAccess"]')).isExisting(), "the portal's accounts and roles are listed once the code is confirmed", { timeout: 30000 });
      t.check(role, "the role is offered");
      t.check((await text("aws-signin")).includes("Data science"), "with the account's name");
      await f.shot("signin-portal-roles");
      // Rust opened AWS's page with the code filled in (recorded when xdg-open is installed here).
      console.log(`# browser asked to open: ${existsSync(OPENED) ? readFileSync(OPENED, "utf8").trim() : "(no xdg-open on this machine)"}`);
      await f.click("aws-signin-use-role");
      const portalWho = await t.waitFor(async () => {
        const w = await text("aws-signin-who");
        return w?.includes("signed in through the AWS access portal") && w;
      }, "signed in through the access portal", { timeout: 30000 });
      t.check(portalWho.includes(`account ${ACCOUNT}`), "acting in moto's account", portalWho);
      await t.waitFor(async () => (await b.$('[data-testid="apply-now"]')).isExisting(), "the dry run as the portal role offers Apply", { timeout: 30000 });

      // Apply as the portal role, confirmed in Rust's native dialog.
      await f.click("apply-now");
      await answerDialog(t, "aws-signin", APPLY_TITLE, "confirm", { label: "apply" });
      const landed = await t.waitFor(async () => {
        if (await (await b.$('form[data-step="test"]')).isExisting()) return "test";
        const e = await b.$('[data-testid="apply-error"]');
        return (await e.isExisting()) ? `error: ${await e.getText()}` : false;
      }, "apply moves on to the connectivity test", { timeout: 60000 });
      t.require(landed === "test", "applied as the portal role", landed);
      const roles = JSON.parse(boto(moto.url, REGION, `import json; print(json.dumps([r["RoleName"] for r in boto3.client("iam", **kw).list_roles()["Roles"]]))`));
      t.check(roles.includes("mlcube-platform-access"), "moto has the role", JSON.stringify(roles));
    } finally {
      stopMoto(moto.child);
      await rig.stop();
    }
    const hits = canaryFiles([PASTED_SECRET, PASTED_TOKEN, "CANARYssoACCESStoken", "CANARYssoCLIENTsecret", "CANARYssoROLEsecret"]);
    t.check(hits.length === 0, "no pasted secret, portal token or role secret in any file of the session", JSON.stringify(hits));
  },
  { application: appWrapper(env, { name: "trustbridge-signin.sh", unset }) },
);
