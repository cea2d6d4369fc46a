// Many AWS accounts through a CloudFormation StackSet, in the real window, against a real moto
// server holding a real AWS Organization (the management account, moto's default 123456789012, makes
// a unit "Training" and two member accounts in it; each member's bucket is made with the member's
// own credentials). The window: JFrog ML, "Choose accounts of my organization", "A CloudFormation
// StackSet over organizational units", the unit's "Deploy the role to every account in Training"
// and one account with its bucket; Continue without a unit first (Rust's rule, at the page); Check
// your answers names the StackSet and the unit; no apply-or-export question; the export page says
// how to deploy it; the exported StackSet template targets the unit and grants the account's bucket
// only in that account (read back from the files).
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { e2e } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";
import { boto, startMoto, stopMoto } from "./moto.mjs";
import { answerDialog, EXPORT_TITLE } from "./native.mjs";
import { appWrapper, motoEnv } from "./rig.mjs";

const MANAGEMENT = "123456789012";
const REGION = "us-east-1";

function seed(url) {
  const out = boto(
    url,
    REGION,
    `def member(account, service):
    c = boto3.client("sts", **kw).assume_role(RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="seed")["Credentials"]
    return boto3.client(service, endpoint_url=kw["endpoint_url"], aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
org = boto3.client("organizations", **kw)
org.create_organization(FeatureSet="ALL")
root = org.list_roots()["Roots"][0]["Id"]
ou = org.create_organizational_unit(ParentId=root, Name="Training")["OrganizationalUnit"]["Id"]
ids = []
for i in range(2):
    a = org.create_account(AccountName=f"team-{i}", Email=f"team{i}@example.com")["CreateAccountStatus"]["AccountId"]
    org.move_account(AccountId=a, SourceParentId=root, DestinationParentId=ou)
    member(a, "s3").create_bucket(Bucket=f"org-data-{a}")
    ids.append(a)
print(" ".join([ou] + ids))`,
  );
  return out.trim().split(" ");
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

      // No apply-or-export question: the StackSet is exported.
      await f.click("continue");
      await f.waitStep("export");
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
    } finally {
      stopMoto(moto.child);
    }
  },
  { application: appWrapper(env, { name: "trustbridge-on-moto-org-stackset.sh", unset }) },
);
