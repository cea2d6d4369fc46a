// The role-pack path applied in the real window to a real moto server: the account and partition
// come from this computer's (moto) credentials, the MLSpace variables are filled in, "Show what would
// change" lists the changes without making them, "Apply these changes" creates the five roles and the
// customer-managed policies (read back with boto3), and a second dry run has nothing to change.
import { readFileSync } from "node:fs";
import { e2e } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";
import { boto, motoWrapper, startMoto, stopMoto } from "./moto.mjs";
import { answerDialog, APPLY_PACK_TITLE } from "./native.mjs";

const ACCOUNT = "123456789012"; // moto's default account
const REGION = "us-east-1";
// The MLSpace fixture's variables, except the account and partition (they come from GetCallerIdentity).
const FIXTURE = JSON.parse(readFileSync(new URL("../fixtures/packs/mlspace.json", import.meta.url), "utf8"));
const VALUES = Object.fromEntries(Object.entries(FIXTURE.variables).filter(([name]) => name !== "AWS_ACCOUNT" && name !== "AWS_PARTITION"));
const ROLES = ["mlspace-notebook-role", "mlspace-app-role", "mlspace-system-role", "mlspace-s3-reader-role", "mlspace-apigateway-cloudwatch-role"];

// Real accounts always have the AWS-managed policies the pack attaches; moto loads them only when asked.
const moto = await startMoto({ MOTO_IAM_LOAD_MANAGED_POLICIES: "true" });
process.on("exit", () => stopMoto(moto.child));
console.log(`# moto_server pid ${moto.child.pid} on ${moto.url}`);

await e2e(
  "pack-moto",
  async (t) => {
    const f = new Flow(t);
    const b = t.browser;
    const v = (name) => `variables.${name}`;
    try {
      t.require((await waitForStart(t)) === "start", "starts on the first question");
      await f.click("start-pack");
      await f.waitStep("pack-choose");
      await t.waitFor(async () => (await b.$$('input[name="pack"]')).length > 0, "the packs are offered");
      await f.choose("AWS MLSpace role pack");
      await f.continue("pack-variables");
      const account = await t.waitFor(async () => (await f.value(v("AWS_ACCOUNT"))) || false, "AWS_ACCOUNT is filled in from the AWS credentials (GetCallerIdentity)");
      t.check(account === ACCOUNT, "it is moto's account", account);
      t.check((await f.value(v("AWS_PARTITION"))) === "aws", "the partition comes from the caller's ARN");
      for (const [name, value] of Object.entries(VALUES)) await f.fill(v(name), value);
      await f.continue("pack-check");
      await t.waitFor(async () => (await b.$('[data-testid="pack-roles"]')).isExisting(), "check your answers lists the roles");
      await f.continue("pack-route");
      await f.chooseRoute("apply", { selected: "apply" }); // credentials for the pack's account: preselected
      t.check(!(await (await b.$('[data-testid="export-typed"]')).isExisting()), "only the route chosen is shown: no export on the apply page");

      await f.click("apply-preview-button");
      const changes = await t.waitFor(async () => {
        const l = await b.$('[data-testid="apply-changes"]');
        return (await l.isExisting()) && (await l.getText());
      }, "the dry run lists the changes", { timeout: 30000 });
      t.check(ROLES.every((r) => changes.includes(r)), "every role is in the dry run", changes.slice(0, 400));
      t.check((await (await b.$('[data-testid="apply-caller"]')).getText()).includes(ACCOUNT), "it says which account it acts in");
      const before = JSON.parse(boto(moto.url, REGION, `import json; print(json.dumps([r["RoleName"] for r in boto3.client("iam", **kw).list_roles()["Roles"]]))`));
      t.check(ROLES.every((r) => !before.includes(r)), "the dry run changed nothing", JSON.stringify(before));
      await f.shot("dry-run");

      // Rust asks in a native dialog first: Cancel applies nothing.
      const roleNames = () => JSON.parse(boto(moto.url, REGION, `import json; print(json.dumps([r["RoleName"] for r in boto3.client("iam", **kw).list_roles()["Roles"]]))`));
      await f.click("apply-now");
      await answerDialog(t, "pack-moto", APPLY_PACK_TITLE, "cancel", { label: "apply-cancel" });
      await t.waitFor(async () => (await b.$('[data-testid="apply-cancelled"]')).isExisting(), "Cancel: the page says nothing was applied", { timeout: 30000 });
      t.check(ROLES.every((r) => !roleNames().includes(r)), "Cancel applied nothing: no role in moto", JSON.stringify(roleNames()));
      await f.shot("apply-cancelled");

      await f.click("apply-now");
      await answerDialog(t, "pack-moto", APPLY_PACK_TITLE, "confirm", { label: "apply" });
      await t.waitFor(
        async () => (await (await b.$('[data-testid="apply-result"]')).isExisting()) || (await (await b.$('[data-testid="apply-error"]')).isExisting()),
        "apply ends",
        { timeout: 60000 },
      );
      const failure = await b.$('[data-testid="apply-error"]');
      if (await failure.isExisting()) t.check(false, "apply succeeds", await failure.getText());
      const title = await (await b.$('[data-testid="apply-result"]')).getText();
      t.check(title.includes("Applied"), "the result says Applied", title);
      const after = JSON.parse(boto(moto.url, REGION, `import json
iam = boto3.client("iam", **kw)
roles = [r["RoleName"] for r in iam.list_roles()["Roles"]]
policies = [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]]
print(json.dumps({"roles": roles, "policies": policies}))`));
      t.check(ROLES.every((r) => after.roles.includes(r)), "the five roles exist in moto", JSON.stringify(after.roles));
      t.check(after.policies.some((p) => p.includes("permission-boundary") || p.includes("boundary")), "the permissions boundary policy exists", JSON.stringify(after.policies));
      await f.shot("applied");

      // Check the roles: the pack read back from moto, every role and policy matching; then a
      // policy someone attaches by hand is named as drift (apply never takes it off).
      const checked = async (what) => {
        await f.click("pack-check");
        await t.waitFor(async () => (await (await b.$('[data-testid="pack-check-result"]')).isExisting()) || (await (await b.$('[data-testid="pack-check-error"]')).isExisting()), what, { timeout: 30000 });
        return b.execute(() => [...document.querySelectorAll('[data-testid="pack-check-result"] li')].map((li) => [li.dataset.testid, li.dataset.status, li.textContent]));
      };
      const rows = await checked("the check of the roles ends");
      t.check(rows.length >= ROLES.length && rows.every(([, status]) => status === "pass"), "every role and policy matches the pack", JSON.stringify(rows).slice(0, 600));
      await t.waitFor(async () => (await b.execute(() => document.activeElement?.id)) === "pack-check-result", "the result takes focus");
      const summary = await (await b.$('[data-testid="pack-check-summary"]')).getText();
      t.check(summary === `All ${rows.length} match the pack.`, "the result says first how many match", summary);
      boto(moto.url, REGION, `boto3.client("iam", **kw).attach_role_policy(RoleName=${JSON.stringify(ROLES[0])}, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")`);
      await t.waitFor(async () => !(await (await b.$('[data-testid="pack-check"]')).getAttribute("disabled")), "the check can run again");
      const again = await checked("the check runs again");
      const drift = again.find(([id]) => id === `pack-check-aws:role:${ROLES[0]}`);
      t.check(drift?.[1] === "fail" && drift[2].includes("AdministratorAccess") && drift[2].includes("not in the pack"), "a policy attached by hand is named as drift", JSON.stringify(drift));
      t.check(again.filter(([, status]) => status === "fail").length === 1, "only that role differs", JSON.stringify(again).slice(0, 600));
      const summaryAgain = await (await b.$('[data-testid="pack-check-summary"]')).getText();
      t.check(summaryAgain === `${again.length - 1} of ${again.length} match the pack; 1 differs or could not be checked.`, "the summary counts the one that differs", summaryAgain);
      await f.shot("roles-checked");

      await f.click("apply-preview-button");
      await t.waitFor(async () => (await b.$('[data-testid="apply-nothing"]')).isExisting(), "a second dry run has nothing to change", { timeout: 30000 });
      // Applied in an earlier visit: with nothing to change, the check is offered too.
      t.check(await (await b.$('[data-testid="pack-check"]')).isExisting(), "with nothing to change, Check the roles is offered");
      await f.shot("nothing-to-change");
    } finally {
      stopMoto(moto.child);
    }
  },
  { application: motoWrapper(moto.url, REGION) },
);
