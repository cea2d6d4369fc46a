// Many AWS accounts through a CloudFormation StackSet, in the real window, against a real moto
// server holding a real AWS Organization (the management account, moto's default 123456789012, makes
// a unit "Training" and two member accounts in it; each member's bucket is made with the member's
// own credentials). The window: JFrog ML, "Choose accounts of my organization", "A CloudFormation
// StackSet over organizational units", the unit's "Deploy the role to every account in Training"
// and one account with its bucket; Continue without a unit first (Rust's rule, at the page); Check
// your answers names the StackSet and the unit. Export: the page says how to deploy it, and the
// exported StackSet targets the unit and grants the account's bucket only in that account (read
// back from the files). Then Back, "Apply from this computer": the StackSet's dry run (pre-flight in
// the listed account, what deploying would do), Deploy, Rust's native dialog (Escape first: nothing
// deployed), each account's stack, and the role in both accounts of the unit, read back through each
// member itself (boto3); the connectivity test of the listed account follows, green.
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { e2e } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";
import { boto, MEMBER_PY as MEMBER, seedOrganization, startMoto, stopMoto } from "./moto.mjs";
import { answerDialog, APPLY_STACK_SET_TITLE, EXPORT_TITLE } from "./native.mjs";
import { appWrapper, motoEnv } from "./rig.mjs";

const REGION = "us-east-1";
const ROLE = "qwak-access-role"; // JFrog ML's role name


/** The role's inline policy documents in `account`, read through the member itself (null: no role). */
function grantsIn(url, account) {
  const out = boto(
    url,
    REGION,
    `${MEMBER}
import json
iam = member(${JSON.stringify(account)}, "iam")
try:
    iam.get_role(RoleName=${JSON.stringify(ROLE)})
    names = iam.list_role_policies(RoleName=${JSON.stringify(ROLE)})["PolicyNames"]
    print(json.dumps([json.dumps(iam.get_role_policy(RoleName=${JSON.stringify(ROLE)}, PolicyName=n)["PolicyDocument"]) for n in names]))
except iam.exceptions.NoSuchEntityException:
    print("null")`,
  );
  return JSON.parse(out.trim());
}

function seed(url) {
  const { ou, ids } = seedOrganization(url, REGION, 2);
  return [ou, ...ids];
}

const moto = await startMoto();
process.on("exit", () => stopMoto(moto.child));
let OU = "";
let A = "";
let B = "";
try {
  [OU, A, B] = seed(moto.url);
} catch (e) {
  stopMoto(moto.child);
  console.log(`not ok - seed moto's organization: ${e.message}`);
  process.exit(1);
}
console.log(`# moto_server pid ${moto.child.pid} on ${moto.url}; unit ${OU}, member accounts ${A} ${B}`);
const { env, unset } = motoEnv(moto.url, REGION);
const parent = join(process.env.HOME, "exports-org-stackset");
mkdirSync(parent, { recursive: true });

await e2e(
  "org-stackset",
  async (t) => {
    const f = new Flow(t);
    const b = t.browser;
    const step = () => b.execute(() => document.querySelector("form[data-step]")?.getAttribute("data-step") ?? null);
    try {
      t.require((await waitForStart(t)) === "start", "starts on the first question");
      await f.choose("JFrog ML");
      await f.fill("integration.project_id", "org-stackset-e2e");
      await f.click("continue");
      const first = await t.waitFor(async () => {
        const s = await step();
        return (s === "aws-identity" || s === "aws-storage") && s;
      }, "an AWS question follows");
      if (first === "aws-identity") await f.continue("aws-storage");
      await f.click('[data-testid="org-offer"] summary');
      await f.click("org-many-accounts");
      await f.waitStep("aws-accounts");
      await t.waitFor(async () => (await b.$(`[data-testid="org-account-${A}"]`)).isExisting(), "the organization's accounts are listed", { timeout: 30000 });
      t.check(!(await (await b.$(`[data-testid="org-target-${OU}"]`)).isExisting()), "no unit targets while each account is set up through its member role");

      // A StackSet: the units become targets.
      await f.click("org-engine-stack-set");
      await t.waitFor(async () => (await b.$(`[data-testid="org-target-${OU}"]`)).isExisting(), "each unit can be chosen as the StackSet's target");
      await f.click(`org-account-${A}`);
      await f.fill("aws.accounts[0].storage[0].bucket", `org-data-${A}`);
      // Continue without a unit: Rust's rule, at the page.
      await f.click("continue");
      const summary = await f.errorSummary();
      t.check(/organizational units|unit/i.test(summary), "no unit chosen: the error summary says so", summary);
      await f.click(`org-target-${OU}`);
      await f.shot("stack-set-chosen");
      await f.continue("check");
      await t.waitFor(async () => (await b.$('[data-testid="grants"]')).isExisting(), "check your answers shows what is granted");
      const answers = await (await b.$('[data-testid="answers-AWS"]')).getText();
      t.check(answers.includes("Deployed by") && answers.includes("StackSet") && answers.includes(OU), "check your answers names the StackSet and its unit", answers);
      t.check(answers.includes(A) && answers.includes(`org-data-${A}`) && !answers.includes(B), "the account chosen, with its bucket, and no other", answers);
      await f.shot("check");

      // Export first. (This computer is signed in to the plan's account, so apply is preselected
      // and the set-up question folded into Check your answers: its Change link opens it.)
      if (await (await b.$('[data-testid="change-route"]')).isExisting()) await f.click("change-route");
      else await f.click("continue");
      await f.chooseRoute("export");
      t.check((await f.heading()) === "Export the setup files", "the last page exports", await f.heading());
      const how = await (await b.$('[data-testid="export-stack-set"]')).getText();
      t.check(how.includes("aws/stackset/deploy.sh") && how.includes("management account"), "the page says how to deploy the StackSet", how);
      t.check(!(await (await b.$('[data-testid="org-table"]')).isExisting()), "nothing is applied from this window");
      await f.fill("export.folder", parent);
      await f.click("export-typed");
      await answerDialog(t, "org-stackset", EXPORT_TITLE, "confirm", { key: "w", label: "export" });
      const dir = await t.waitFor(async () => {
        const d = await b.$('[data-testid="export-dir"]');
        return (await d.isExisting()) && (await d.getText()).trim();
      }, "the export reports its folder", { timeout: 30000 });
      await f.shot("exported");

      // The files: the StackSet deploys to the unit, with automatic deployment, and grants the
      // account's bucket only where AWS::AccountId is that account.
      const files = readdirSync(join(dir, "aws", "stackset"));
      t.check(files.includes("deploy.sh") && files.includes("revoke.sh") && files.includes("stackset.tf"), "the StackSet's files are exported", files.join(" "));
      const deploy = readFileSync(join(dir, "aws", "stackset", "deploy.sh"), "utf8");
      t.check(deploy.includes(OU) && deploy.includes("SERVICE_MANAGED"), "deploy.sh targets the unit, service-managed", deploy.slice(0, 400));
      const template = files.find((n) => /\.(json|ya?ml)$/.test(n));
      const text = template ? readFileSync(join(dir, "aws", "stackset", template), "utf8") : "";
      t.check(text.includes(`org-data-${A}`) && text.includes(A) && !text.includes(`org-data-${B}`), "the template grants the chosen account's bucket, conditioned on that account", template ?? "no template");

      // Then from this computer: Back to the set-up question, "Apply from this computer".
      await f.click("back");
      await f.chooseRoute("apply");
      t.check((await (await b.$('[data-testid="stack-set-intro"]')).isExisting()), "the StackSet's own page, not the member-role table");
      const dry = await t.waitFor(async () => {
        const el = await b.$('[data-testid="stack-set-result"]');
        return (await el.isExisting()) && (await el.getAttribute("data-state")) === "dry-run" && (await el.getText());
      }, "the StackSet's dry run", { timeout: 60000 });
      t.check(dry.includes("create the StackSet") && dry.includes(A), "what deploying would do, and pre-flight in the listed account", dry);
      t.check(grantsIn(moto.url, A) === null, "the dry run deployed nothing");
      await f.shot("stack-set-dry-run");
      await f.click("stack-set-apply");
      await answerDialog(t, "org-stackset", APPLY_STACK_SET_TITLE, "cancel", { label: "deploy-cancel" });
      await t.waitFor(async () => (await b.$('[data-testid="stack-set-cancelled"]')).isExisting(), "Escape: the page says nothing was deployed");
      t.check(grantsIn(moto.url, A) === null && grantsIn(moto.url, B) === null, "a cancelled deploy deployed nothing");
      await f.click("stack-set-apply");
      await answerDialog(t, "org-stackset", APPLY_STACK_SET_TITLE, "confirm", { key: "d", label: "deploy" });
      // Every stack set up: the connectivity test page follows and tests the listed account.
      await f.waitStep("test", 90000);
      const verdict = await t.waitFor(async () => {
        const el = await b.$('[data-testid="org-test-summary"]');
        return (await el.isExisting()) && (await el.getText());
      }, "the connectivity test of the listed account", { timeout: 60000 });
      t.check(verdict.includes("1 of 1 account"), "the listed account is green", verdict);
      const inA = grantsIn(moto.url, A);
      t.check(Array.isArray(inA) && inA.length === 1 && inA[0].includes(`org-data-${A}`), `the role in ${A}, with its own bucket, read back through the member`, JSON.stringify(inA));
      const inB = grantsIn(moto.url, B);
      t.check(Array.isArray(inB) && inB.length === 0, `the role in ${B} (in the unit, not listed), with nothing to read`, JSON.stringify(inB));
      await f.shot("stack-set-tested");
    } finally {
      stopMoto(moto.child);
    }
  },
  { application: appWrapper(env, { name: "trustbridge-on-moto-org-stackset.sh", unset }) },
);
