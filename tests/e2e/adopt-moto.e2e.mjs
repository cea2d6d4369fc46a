// Adopting an existing role in the wizard, against a real moto server and the rig's ML cube API
// double (TEST DOUBLE). The account already has an untagged role "legacy-ml-role" of its own (trusted
// by EC2, with a broad inline policy). With that role name, the dry run on arrival is refused
// (aws.role_not_ours) and the page explains it, with an explicit, unchecked "Adopt the existing role"
// checkbox. Ticking it makes the dry run again with adopt: the page lists the role's existing
// policy and warns that it grants more than the answers. Apply asks in the native dialog raised by
// Rust, which says the role is adopted (answered with xdotool); only then is the role registered
// with ML cube and changed. Read back from moto: the vendor is added to its trust, EC2's statement
// and the old policy stay, and the role is tagged as adopted.
import { randomBytes } from "node:crypto";
import { e2e } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";
import { boto, startMoto, stopMoto } from "./moto.mjs";
import { answerDialog, APPLY_TITLE, dialogWindows } from "./native.mjs";
import { appWrapper, motoEnv, startRig } from "./rig.mjs";

const ACCOUNT = "123456789012"; // moto's default account
const REGION = "us-east-1";
const BUCKET = "adopt-e2e-training-data";
const ROLE = "legacy-ml-role";
const PROJECT = "fraud-detection";
const MLCUBE_ACCOUNT = "883313729965";
const API_KEY = `mlc-${randomBytes(12).toString("hex")}`;

const moto = await startMoto();
process.on("exit", () => stopMoto(moto.child));
const EC2_TRUST = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] };
const BROAD = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] };
boto(
  moto.url,
  REGION,
  `import json
boto3.client("s3", **kw).create_bucket(Bucket=${JSON.stringify(BUCKET)})
iam = boto3.client("iam", **kw)
iam.create_role(RoleName=${JSON.stringify(ROLE)}, AssumeRolePolicyDocument=json.dumps(${JSON.stringify(EC2_TRUST)}))
iam.put_role_policy(RoleName=${JSON.stringify(ROLE)}, PolicyName="legacy-admin", PolicyDocument=json.dumps(${JSON.stringify(BROAD)}))`,
);
const rig = await startRig({ vendor: { api_key: API_KEY, projects: [PROJECT] } });
process.on("exit", () => rig.stop());
console.log(`# moto_server pid ${moto.child.pid} on ${moto.url}; the untagged role ${ROLE} seeded`);
const { env, unset } = motoEnv(moto.url, REGION);

/** The role as moto has it: trust statements, tags, inline policy names. */
function readRole() {
  return JSON.parse(
    boto(
      moto.url,
      REGION,
      `import json, urllib.parse
iam = boto3.client("iam", **kw)
r = iam.get_role(RoleName=${JSON.stringify(ROLE)})["Role"]
d = r["AssumeRolePolicyDocument"]
d = d if isinstance(d, dict) else json.loads(urllib.parse.unquote(d))
print(json.dumps({"trust": d, "tags": {t["Key"]: t["Value"] for t in r.get("Tags", [])},
  "inline": iam.list_role_policies(RoleName=${JSON.stringify(ROLE)})["PolicyNames"]}))`,
    ),
  );
}

await e2e(
  "adopt-moto",
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
      // Signed in to AWS (moto): the first page says so, and AWS becomes the clouds answer when it is
      // left; the clouds question folds into Check your answers, one screen less.
      await f.awsDetectedOnStart(ACCOUNT);
      // The account page, which asks nothing else for ML cube, folds into Check your answers too; the
      // role's name is changed there (below).
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
      await f.click('[data-testid="change-aws.role_name"]');
      await f.waitStep("aws-identity");
      t.check((await f.value("aws.account_id")) === ACCOUNT, "the account id was filled in from the AWS credentials");
      await f.fill("aws.role_name", ROLE);
      await f.continue("check");
      await t.waitFor(async () => (await b.$('[data-testid="grants"]')).isExisting(), "check your answers, with the role's name");
      await f.continue("export"); // credentials for the plan's account: apply preselected, the question folded into Check your answers

      // The dry run on arrival: the role exists and Trustbridge did not create it.
      const refusal = await t.waitFor(async () => {
        const e = await b.$('[data-testid="apply-error"]');
        return (await e.isExisting()) && `${await e.getAttribute("data-code")} ${(await e.getText()).replace(/\s+/g, " ")}`;
      }, "the dry run on arrival is refused", { timeout: 30000 });
      t.check(refusal.startsWith("aws.role_not_ours"), "with aws.role_not_ours", refusal);
      t.check(refusal.includes("Trustbridge did not create it. Nothing was changed."), "in plain words", refusal);
      t.check(refusal.includes("or adopt this role below") && !refusal.includes("trustbridge apply"), "the fix is what to do in this window, not a command line", refusal);
      const adopt = await text("adopt");
      t.check(adopt?.includes(`The role ${ROLE} already exists`), "the page explains the existing role", adopt);
      t.check(
        adopt?.includes("ML cube Platform is added to the role's trust") && adopt.includes("Everything the role can already do stays as it is"),
        "it says what adopting means",
        adopt,
      );
      const box = await f.el('[data-testid="adopt-checkbox"]');
      t.check(!(await box.isSelected()), "the adopt checkbox is not ticked");
      t.check((await b.$('label[for="adopt-role"]').then((l) => l.getText())) === `Adopt the existing role ${ROLE}`, "its label names the role");
      t.check(!(await (await b.$('[data-testid="apply-now"]')).isExisting()), "nothing can be applied yet");
      t.check(Object.keys(readRole().tags).length === 0, "the role is untouched (no tags)");
      t.check((await rig.ask("vendor")).registrations.length === 0, "nothing is registered with ML cube");
      await f.shot("role-not-ours");

      // Tick it: the dry run again, with adopt, lists what the role already has and warns.
      await f.choose(`Adopt the existing role ${ROLE}`);
      const existing = await t.waitFor(async () => text("adopt-existing"), "the dry run with adopt lists the role's existing policies", { timeout: 30000 });
      t.check(await box.isSelected(), "the checkbox is ticked");
      t.check(existing.includes("inline policy legacy-admin") && /s3:\*/.test(existing), "the existing inline policy and what it grants", existing);
      const warnings = await text("apply-warnings");
      t.check(warnings?.includes("legacy-admin") && warnings.includes("grants more than the plan"), "a warning says it grants more than the answers", warnings);
      const changes = await text("apply-changes");
      t.check(changes?.includes(`update trust policy of ${ROLE}`) && changes.includes(`tag role ${ROLE}`), "the changes: add the vendor to the trust, tag it as adopted", changes);
      t.check(!(await (await b.$('[data-testid="apply-error"]')).isExisting()), "no refusal now");
      await f.shot("adopt-dry-run", '[data-testid="adopt"]');
      await f.shot("adopt-existing", '[data-testid="apply-preview"]');

      // Apply: the native confirmation says the role is adopted; nothing is registered before the yes.
      await f.click("apply-now");
      const dialogUp = await t.waitFor(async () => dialogWindows(APPLY_TITLE).length === 1, "the native confirmation is up");
      t.check(dialogUp && (await rig.ask("vendor")).registrations.length === 0, "nothing is registered with ML cube while the dialog asks");
      await answerDialog(t, "adopt-moto", APPLY_TITLE, "confirm", { label: "apply-adopt" });
      const landed = await t.waitFor(async () => {
        if (await (await b.$('form[data-step="test"]')).isExisting()) return "test";
        const e = await text("apply-error");
        return e ? `error: ${e}` : false;
      }, "apply moves on to the connectivity test", { timeout: 60000 });
      t.require(landed === "test", "the adopted role is applied", landed);

      // Read back: the vendor in its trust, EC2 kept, the old policy kept, tagged as adopted.
      const role = readRole();
      const stmts = role.trust.Statement;
      t.check(stmts.some((s) => JSON.stringify(s.Principal).includes("ec2.amazonaws.com")), "EC2's trust statement stays", JSON.stringify(stmts));
      const vendor = stmts.find((s) => JSON.stringify(s.Principal).includes(`arn:aws:iam::${MLCUBE_ACCOUNT}:root`));
      const issued = (await rig.ask("vendor")).registrations.find((r) => r.type === "aws")?.external_id;
      t.check(!!vendor && vendor.Condition?.StringEquals?.["sts:ExternalId"] === issued, "ML cube is added to its trust with the external id it issued", JSON.stringify(stmts));
      t.check(role.tags["trustbridge-adopted"] === "true" && role.tags["managed-by"] === "trustbridge", "the role is tagged as adopted", JSON.stringify(role.tags));
      t.check(role.inline.includes("legacy-admin"), "its own policy stays", JSON.stringify(role.inline));
      await f.shot("adopted-test");

      // Back: the result; a second dry run (still adopting) has nothing to change.
      await f.click("back");
      await f.waitStep("export");
      const result = await text("apply-result");
      t.check(result?.includes("Applied") && result.includes(`role/${ROLE}`), "Back shows the applied result", result);
      await f.click("apply-preview-button");
      await t.waitFor(async () => (await b.$('[data-testid="apply-nothing"]')).isExisting(), "a second dry run finds nothing to change", { timeout: 30000 });
    } finally {
      stopMoto(moto.child);
      await rig.stop();
    }
  },
  { application: appWrapper(env, { name: "trustbridge-adopt.sh", unset }) },
);
