// The wizard's "deploy a role pack" path in the real window: start → "Deploy an AWS role pack
// instead" → MLSpace → a required variable left empty and one invalid (errors at the fields and in
// the focused summary) → fixed → check your answers shows the roles, the policy checks and the
// documents → a Change link and back → export to a folder under $HOME → the files read from disk:
// every role's trust policy exists and no {PLACEHOLDER} is left.
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { e2e } from "./harness.mjs";
import { fieldId, Flow, waitForStart } from "./flow.mjs";
import { answerDialog, dialogWindows, EXPORT_TITLE, pickFolderInDialog } from "./native.mjs";

const ACCOUNT = "123456789012";
const VALUES = {
  AWS_PARTITION: "aws",
  AWS_REGION: "us-east-1",
  MLSPACE_KMS_KEY_ID: "eeecf0d8-44f3-4b29-8b78-55de1b5dc153",
  MLSPACE_PRIVATE_SUBNET_1: "subnet-0a11b2c3333dd44e5",
  MLSPACE_PRIVATE_SUBNET_2: "subnet-XYZ", // invalid at first
  MLSPACE_PRIVATE_SUBNET_3: "subnet-0a11b2c3333dd44e7",
  MLSPACE_VPC_SECURITY_GROUP: "sg-0123456789abcdef0",
  EMR_DEFAULT_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/EMR_DefaultRole`,
  EMR_EC2_INSTANCE_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/EMR_EC2_DefaultRole`,
  ENDPOINT_CONFIG_INSTANCE_CONSTRAINT_POLICY_ARN: `arn:aws:iam::${ACCOUNT}:policy/MLSpace-endpoint-config-instance-constraint`,
  JOB_INSTANCE_CONSTRAINT_POLICY_ARN: `arn:aws:iam::${ACCOUNT}:policy/MLSpace-job-instance-constraint`,
};
const ROLES = ["mlspace-notebook-role", "mlspace-app-role", "mlspace-system-role", "mlspace-s3-reader-role", "mlspace-apigateway-cloudwatch-role"];
/** A `{NAME}` placeholder (not a shell/Terraform `${…}` or CloudFormation `${AWS::…}` reference). */
const PLACEHOLDER = /(?<!\$)\{[A-Z][A-Z0-9_]*\}/;

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

await e2e("pack", async (t) => {
  const f = new Flow(t);
  const b = t.browser;
  const parent = join(process.env.HOME, "exports-pack");
  mkdirSync(parent, { recursive: true });
  const v = (name) => `variables.${name}`;

  t.require((await waitForStart(t)) === "start", "starts on the first question");
  await f.click("start-pack");
  await f.waitStep("pack-choose");
  t.check((await f.heading()) === "Which role pack do you want to deploy?", "the pack path asks which pack");
  await t.waitFor(async () => (await b.$$('input[name="pack"]')).length === 4, "the four built-in packs are offered (from Rust)");
  t.check((await b.getTitle()).startsWith("Choose a role pack"), "the page title names the page", await b.getTitle());

  // Continue with nothing chosen: the summary and the radios say so.
  await f.continue(null);
  const noPack = await t.waitFor(() => f.errorSummary(), "Continue without a pack shows the error summary");
  t.check(noPack.includes("Select the role pack to deploy"), "the summary asks to select a pack", noPack);
  await f.choose("AWS MLSpace role pack");
  await f.shot("choose");
  await f.continue("pack-variables");

  t.check((await f.value(v("MLSPACE_APP_ROLE_NAME"))) === "mlspace-app-role", "defaults are prefilled");
  t.check((await f.value(v("AWS_ACCOUNT"))) === "", "required variables start empty");
  const groups = await b.execute(() => [...document.querySelectorAll("fieldset legend")].map((l) => l.textContent.trim()));
  t.check(groups.includes("Network") && groups.includes("Where the roles are created"), "variables are grouped", JSON.stringify(groups));
  const hint = await (await b.$(`#${fieldId(v("AWS_ACCOUNT"))}-hint`)).getText();
  t.check(hint.includes("{AWS_ACCOUNT}") && hint.includes("123456789012"), "the hint gives the pack's description, an example and the placeholder", hint);

  for (const [name, value] of Object.entries(VALUES)) await f.fill(v(name), value);
  await f.continue(null);
  const summary = await t.waitFor(() => f.errorSummary(), "Continue with an empty and an invalid variable shows the error summary");
  t.check(summary.includes("Enter the AWS account ID"), "the summary names the empty variable", summary);
  t.check(summary.includes("Enter private subnet 2 in the correct format, like subnet-0123456789abcdef0."), "the summary says what to enter, in the field's words", summary);
  t.check((await f.focusedTestId()) === "error-summary", "the error summary takes focus");
  const accountError = await (await b.$(`[data-testid="${fieldId(v("AWS_ACCOUNT"))}-error"]`)).getText();
  t.check(accountError.includes("Enter the AWS account ID"), "the error is shown at the empty field", accountError);
  const subnetError = await (await b.$(`[data-testid="${fieldId(v("MLSPACE_PRIVATE_SUBNET_2"))}-error"]`)).getText();
  t.check(subnetError.includes("Enter private subnet 2 in the correct format"), "the error is shown at the invalid field", subnetError);
  const described = await (await b.$(`#${fieldId(v("AWS_ACCOUNT"))}`)).getAttribute("aria-describedby");
  t.check(described?.includes(`${fieldId(v("AWS_ACCOUNT"))}-error`), "the field is described by its error", described);
  t.check((await f.heading()) === "Fill in the variables" && (await b.getTitle()).startsWith("Error: "), "still on the variables page, title starts with Error:");
  await f.shot("variables-errors");
  // The summary's link moves focus to the field.
  await (await b.$('[data-testid="error-summary"] a')).click();
  t.check((await f.focusedTestId()) === fieldId(v("AWS_ACCOUNT")), "the summary link focuses the field");

  await f.fill(v("AWS_ACCOUNT"), ACCOUNT);
  await f.fill(v("MLSPACE_PRIVATE_SUBNET_2"), "subnet-0a11b2c3333dd44e6");
  await f.continue("pack-check");

  const roles = await t.waitFor(async () => {
    const r = await b.$('[data-testid="pack-roles"]');
    return (await r.isExisting()) && (await r.getText());
  }, "check your answers lists the roles");
  for (const role of ROLES) t.check(roles.includes(role), `the roles include ${role}`);
  t.check(roles.includes("sagemaker.amazonaws.com"), "each role says who may assume it", roles);
  const answers = await b.execute(() => [...document.querySelectorAll('[data-testid^="pack-answers-"]')].map((e) => e.textContent).join("\n"));
  t.check(answers.includes(ACCOUNT) && answers.includes("sg-0123456789abcdef0") && answers.includes("the default"), "every answer is listed, defaults marked");
  const changes = await b.$$('[data-testid^="change-"]');
  t.check(changes.length === 16, "every variable (and the pack) has a Change link", `${changes.length}`);
  t.check(await (await b.$('[data-testid="lint"]')).isExisting(), "the policy checks show the reference policies' warnings");
  const docs = await b.$$('[data-testid^="check-doc-"]');
  t.check(docs.length >= 15, "every generated document is shown", `${docs.length}`);
  const spans = await b.execute(() => document.querySelectorAll("pre.code span.tok-key").length);
  t.check(spans > 0, "documents are syntax highlighted", `${spans} key spans`);
  // The documents are behind one "Show the N documents" disclosure: open it, so what is read below includes them.
  await b.$('[data-testid="check-documents-toggle"]').then((e) => e.click());
  const pageText = await f.screenText();
  t.check(!PLACEHOLDER.test(pageText.replace(/\{PLACEHOLDER\}/g, "")), "no placeholder is left in what is shown", pageText.match(PLACEHOLDER)?.[0]);
  await f.shot("check");

  // Presenter mode hides the account id and the KMS key id everywhere on the page (documents included).
  await f.click("presenter-toggle");
  const masked = await f.screenText();
  t.check(!masked.includes(ACCOUNT) && !masked.includes(VALUES.MLSPACE_KMS_KEY_ID), "presenter mode masks the account and key ids on the check page");
  await f.click("presenter-toggle");
  t.check((await f.screenText()).includes(ACCOUNT), "presenter mode off shows them again");

  // Change the region, come back to the check page.
  await f.click(`change-${v("AWS_REGION")}`);
  await f.waitStep("pack-variables");
  t.check((await f.focusedTestId()) === fieldId(v("AWS_REGION")), "Change focuses the field");
  await f.fill(v("AWS_REGION"), "eu-west-1");
  await f.continue("pack-check");
  await t.waitFor(async () => (await b.$('[data-testid="pack-roles"]')).isExisting(), "back on check your answers after a change");
  const region = await (await b.$('[data-testid="pack-answers-Where the roles are created"]')).getText();
  t.check(region.includes("eu-west-1"), "the changed answer is shown", region);

  // The same set-up question as the vendor wizard's (apply first); no AWS credentials here: export is preselected.
  await f.continue("pack-route");
  t.check((await f.heading()) === "How do you want to set this up?", "the pack path asks how to set it up", await f.heading());
  t.check(await (await b.$('[data-testid="route-apply"]')).isExisting(), "it offers to apply from this computer (run against moto in pack-moto.e2e.mjs)");
  await f.chooseRoute("export", { selected: "export" });
  t.check((await f.heading()) === "Export the setup files", "the page is titled after the route", await f.heading());
  t.check(!(await (await b.$('[data-testid="apply-preview-button"]')).isExisting()), "only the route chosen is shown: nothing to apply on the export page");
  await f.fill("pack-export.folder", "not/absolute");
  await f.click("export-typed");
  const relErr = await t.waitFor(() => f.errorSummary(), "a relative folder is refused");
  t.check(relErr.includes("full path"), "the summary asks for a full path", relErr);
  await f.fill("pack-export.folder", parent);
  await f.click("export-typed");
  // A typed folder is confirmed in the native dialog Rust raises ("Write N files to …?").
  await answerDialog(t, "pack", EXPORT_TITLE, "confirm", { key: "w", label: "export" });
  f.actions += 1;
  const dir = await t.waitFor(async () => {
    const d = await b.$('[data-testid="export-dir"]');
    return (await d.isExisting()) && (await d.getText()).trim();
  }, "the export reports its folder");
  await f.shot("export");
  console.log(`# user-actions launch→pack export: ${f.actions}`);

  // The files on disk.
  t.require(dir === join(parent, "trustbridge-mlspace"), "the bundle is a new folder inside the chosen one", dir);
  const all = files(dir).map((p) => relative(dir, p)).sort();
  for (const role of ROLES) t.check(all.includes(`aws/roles/${role}/trust-policy.json`), `${role}'s trust policy is exported`);
  for (const p of ["SUMMARY.md", "plan.json", "aws/setup.sh", "aws/revoke.sh", "aws/cloudformation.yaml", "aws/main.tf", "aws/managed-policies/mlspace-project-user-permission-boundary.json"])
    t.check(all.includes(p), `${p} is exported`);
  // A pack placeholder is `{AWS_…}`; the scripts' shell variable `${AWS_REGION:-…}` is not one.
  const left = all.filter((p) => {
    const text = readFileSync(join(dir, p), "utf8");
    return PLACEHOLDER.test(text) || /(^|[^$])\{AWS_/.test(text);
  });
  t.check(left.length === 0, "every placeholder is substituted in every file", JSON.stringify(left));
  const plan = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8"));
  t.check(plan.pack === "mlspace" && plan.variables.AWS_ACCOUNT === ACCOUNT && plan.variables.AWS_REGION === "eu-west-1", "plan.json holds the answers", JSON.stringify(plan));
  const trust = readFileSync(join(dir, "aws/roles/mlspace-notebook-role/trust-policy.json"), "utf8");
  t.check(trust.includes("sagemaker.amazonaws.com"), "the notebook role is trusted by SageMaker", trust);
  const policies = all.filter((p) => p.startsWith("aws/managed-policies/")).map((p) => readFileSync(join(dir, p), "utf8")).join("\n");
  t.check(policies.includes(`arn:aws:kms:eu-west-1:${ACCOUNT}:key/${VALUES.MLSPACE_KMS_KEY_ID}`), "the KMS key ARN is filled in from region, account and key id");
  t.check(policies.includes(VALUES.MLSPACE_PRIVATE_SUBNET_1) && policies.includes(VALUES.MLSPACE_VPC_SECURITY_GROUP), "subnets and security group are filled in");
  t.check((statSync(join(dir, "aws/setup.sh")).mode & 0o111) !== 0, "aws/setup.sh is executable");
  const listed = await (await b.$('[data-testid="export-files"]')).getText();
  t.check(listed.includes("aws/roles/mlspace-app-role/trust-policy.json"), "the page lists the exported files");

  // "Export again to another folder": the native folder picker, raised by Rust; the folder chosen
  // there is written to without a second question.
  const picked = join(process.env.HOME, "exports-pack-picked");
  mkdirSync(picked, { recursive: true });
  await f.click("choose-folder");
  await pickFolderInDialog(t, "pack", picked);
  const dir2 = await t.waitFor(async () => {
    const d = await b.$('[data-testid="export-dir"]');
    const text = (await d.isExisting()) && (await d.getText()).trim();
    return text && text !== dir && text;
  }, "the export reports the picked folder", { timeout: 30000 });
  t.check(dir2 === join(picked, "trustbridge-mlspace"), "the bundle is a new folder inside the picked one", dir2);
  t.check(dialogWindows(EXPORT_TITLE).length === 0, "no confirmation for a folder chosen in the picker");
  t.check(readdirSync(dir2).includes("SUMMARY.md"), "written to disk");

  // Back to the vendor wizard's start page.
  await f.click("pack-finish");
  t.check((await waitForStart(t)) === "start", "Back to the start returns to the first question");
  t.check((await b.getTitle()) === "Your platform – Trustbridge", "the start page has its own title again", await b.getTitle());
});
