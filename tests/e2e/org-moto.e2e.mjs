// Many AWS accounts of an organization in the real window, against a real moto server
// holding a real AWS Organization: the management account (moto's default 123456789012) creates
// it, a unit "Training" and two member accounts in it (each gets OrganizationAccountAccessRole, as
// AWS does); each member's bucket is made with the member's own credentials (boto3, assumed role).
// The second member already has a role of JFrog ML's name that Trustbridge did not make.
// The window: JFrog ML, "Choose accounts of my organization" on the storage page, the tree, a
// bucket per account, Check your answers, the dry run's table, Apply (Rust's native dialog), the
// second account failing alone, its owner removing the foreign role, "Retry the failed account"
// (asked again), then the connectivity test per account, all green. Read back through boto3.
// moto's gap (as in org_moto.rs): AssumeRole does not check that the member role exists.
import { e2e } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";
import { boto, MEMBER_PY as MEMBER, seedOrganization, startMoto, stopMoto } from "./moto.mjs";
import { answerDialog, APPLY_ORG_TITLE, REVOKE_AWS_ORG_TITLE } from "./native.mjs";
import { appWrapper, motoEnv } from "./rig.mjs";

const MANAGEMENT = "123456789012";
const REGION = "us-east-1";
const ROLE = "qwak-access-role"; // JFrog ML's role name


/** The organization, and a role of JFrog ML's name in the second member that Trustbridge did not make. */
function seed(url) {
  const extra = `member(ids[1], "iam").create_role(RoleName=${JSON.stringify(ROLE)}, AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}')`;
  return seedOrganization(url, REGION, 2, extra).ids;
}

/** The trust policy of JFrog ML's role in `account`, read through the member itself ("" when none). */
function trustIn(url, account) {
  return boto(
    url,
    REGION,
    `${MEMBER}
import json
try:
    print(json.dumps(member(${JSON.stringify(account)}, "iam").get_role(RoleName=${JSON.stringify(ROLE)})["Role"]["AssumeRolePolicyDocument"]))
except Exception:
    print("")`,
  ).trim();
}

const moto = await startMoto();
process.on("exit", () => stopMoto(moto.child));
let A = "";
let B = "";
try {
  [A, B] = seed(moto.url);
} catch (e) {
  stopMoto(moto.child);
  console.log(`not ok - seed moto's organization: ${e.message}`);
  process.exit(1);
}
console.log(`# moto_server pid ${moto.child.pid} on ${moto.url}; member accounts ${A} ${B}`);
const { env, unset } = motoEnv(moto.url, REGION);

await e2e(
  "org-moto",
  async (t) => {
    const f = new Flow(t);
    const b = t.browser;
    // The figure (≤ 15 user actions to onboard a unit): every click, filled field and native answer
    // on the straight path; this script's deliberate detours (an empty Continue, a cancelled Apply,
    // the retry after the planted failure) are counted apart and left out.
    let detours = 0;
    let nativeAnswers = 0;
    const status = (id) => b.execute((i) => document.querySelector(`[data-testid="org-row-${i}"]`)?.getAttribute("data-status") ?? null, id);
    try {
      t.require((await waitForStart(t)) === "start", "starts on the first question");
      await f.choose("JFrog ML");
      await f.fill("integration.project_id", "org-e2e");
      await f.click("continue");
      const first = await t.waitFor(async () => {
        const s = await b.execute(() => document.querySelector("form[data-step]")?.getAttribute("data-step") ?? null);
        return (s === "aws-identity" || s === "aws-storage") && s;
      }, "an AWS question follows");
      if (first === "aws-identity") await f.continue("aws-storage");

      // "Buckets in several accounts": the way to the organization, under More options.
      await f.click('[data-testid="org-offer"] summary');
      await f.click("org-many-accounts");
      await f.waitStep("aws-accounts");
      await t.waitFor(async () => (await b.$(`[data-testid="org-account-${A}"]`)).isExisting(), "the organization's accounts are listed (ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent)", { timeout: 30000 });
      const unit = await (await b.$('fieldset[data-testid^="org-unit-ou-"]')).getText();
      t.check(unit.includes("Training") && unit.includes(A) && unit.includes(B), "the members are listed under their unit", unit);
      t.check(await (await b.$(`[data-testid="org-account-${MANAGEMENT}"]`)).isExisting(), "the management account is offered too");
      await f.shot("accounts");
      // Continue with no account: the rule is Rust's, the message at the page.
      await f.click("continue");
      detours += 1;
      const summary = await f.errorSummary();
      t.check(/account/i.test(summary), "no account chosen: the error summary says so", summary);
      // The whole unit at once: "Choose all 2 accounts in Training".
      const ou = (await (await b.$('fieldset[data-testid^="org-unit-ou-"]')).getAttribute("data-testid")).slice("org-unit-".length);
      await f.click(`org-unit-all-${ou}`);
      const chosen = await b.execute(() => [...document.querySelectorAll('input[id^="org-account-"]')].filter((e) => e.checked).map((e) => e.id.slice(12)));
      t.check(chosen.includes(A) && chosen.includes(B), "both accounts of the unit are chosen with one action", JSON.stringify(chosen));
      for (const id of [A, B]) {
        const i = id === A ? 0 : 1;
        // The account's own buckets, listed through its member role (ListBuckets as that role).
        const offered = await t.waitFor(async () => {
          const o = await b.execute((x) => [...document.querySelectorAll(`#org-buckets-${x} option`)].map((e) => e.value), id);
          return o.length > 0 && o;
        }, `the bucket field of ${id} offers that account's buckets`, { timeout: 20000 });
        t.check(JSON.stringify(offered) === JSON.stringify([`org-data-${id}`]), `only ${id}'s own bucket is offered`, JSON.stringify(offered));
        await f.fill(`aws.accounts[${i}].storage[0].bucket`, `org-data-${id}`);
      }
      await f.shot("accounts-chosen");
      await f.continue("check");
      await t.waitFor(async () => (await b.$('[data-testid="grants"]')).isExisting(), "check your answers shows what is granted");
      const answers = await (await b.$('[data-testid="answers-AWS"]')).getText();
      t.check(answers.includes("Management account") && answers.includes(MANAGEMENT), "the management account is on check your answers", answers);
      t.check(/Account 1\s+\d{12}/.test(answers) && answers.includes(A) && answers.includes(`org-data-${A}`) && answers.includes(B) && answers.includes(`org-data-${B}`), "each account with its bucket", answers);
      t.check((await (await b.$('[data-testid="continue"]')).getText()) !== "Accept and apply", "no straight Accept and apply: the accounts' table comes first");
      await f.shot("check");
      await f.click("continue");
      const next = await t.waitFor(async () => {
        const s = await b.execute(() => document.querySelector("form[data-step]")?.getAttribute("data-step") ?? null);
        return (s === "route" || s === "export") && s;
      }, "the set-up question or the apply page follows");
      if (next === "route") await f.chooseRoute("apply", { selected: "apply" });

      // The dry run's table, on arrival: the first account would get the role, the second would fail.
      await t.waitFor(async () => (await status(A)) === "done" && (await status(B)) === "failed", "the dry run's table: one row per account", { timeout: 60000 });
      const dry = await (await b.$('[data-testid="org-table"]')).getText();
      t.check(/Would make \d changes?/.test(dry) && dry.includes("Would fail"), "what each account would get, and which would fail", dry);
      t.check(trustIn(moto.url, A) === "", "the dry run changed nothing");
      await f.shot("dry-run");

      // Apply: Rust's native confirmation first. Escape: nothing applied, the dry run stays.
      await f.click("org-apply");
      await answerDialog(t, "org-moto", APPLY_ORG_TITLE, "cancel", { label: "apply-org-cancel" });
      detours += 1; // the click; its native answer is not in f.actions
      await t.waitFor(async () => (await b.$('[data-testid="org-cancelled"]')).isExisting(), "Escape: the page says nothing was applied");
      t.check(trustIn(moto.url, A) === "" && (await status(A)) === "done", "nothing applied; the dry run's table stays");
      // Apply again, yes: each account's row as it ends.
      await f.click("org-apply");
      await answerDialog(t, "org-moto", APPLY_ORG_TITLE, "confirm", { label: "apply-org" });
      nativeAnswers += 1;
      await t.waitFor(async () => (await b.$('[data-testid="org-summary"]')).isExisting(), "the apply's summary", { timeout: 60000 });
      const after = await (await b.$('[data-testid="org-summary"]')).getText();
      t.check(after.includes("1 of 2 accounts set up") && after.includes(B), "one account set up, the other failing, named", after);
      const why = await (await b.$(`[data-testid="org-row-${B}"]`)).getText();
      t.check(/Trustbridge did not create|not ours|did not make/i.test(why), "the failing account says why (a role Trustbridge did not make)", why);
      const trust = trustIn(moto.url, A);
      t.check(trust.includes("sts:AssumeRole"), `the role is in ${A}, read back through the member`, trust);
      t.check(!trustIn(moto.url, B).includes("AssumeRole"), "the foreign role was not changed");
      await f.shot("applied-one-failing", '[data-testid="org-table"]');

      // Its owner removes the foreign role; "Retry the failed account" works on that account only.
      boto(moto.url, REGION, `${MEMBER}\nmember(${JSON.stringify(B)}, "iam").delete_role(RoleName=${JSON.stringify(ROLE)})`);
      await f.click("org-retry");
      detours += 1; // the click; its native answer is not in f.actions
      await answerDialog(t, "org-moto", APPLY_ORG_TITLE, "confirm", { label: "retry-org" });
      // Every account set up: the connectivity test page follows and tests each account.
      await f.waitStep("test", 60000);
      const verdict = await t.waitFor(async () => {
        const el = await b.$('[data-testid="org-test-summary"]');
        return (await el.isExisting()) && (await el.getText());
      }, "the connectivity test of every account", { timeout: 60000 });
      t.check(verdict.includes("2 of 2 accounts ready"), "every account green", verdict);
      t.check(trustIn(moto.url, B).includes("sts:AssumeRole"), `the role is in ${B} after the retry`);
      for (const id of [A, B]) {
        const v = await b.execute((i) => document.querySelector(`[data-testid="org-test-${i}"]`)?.getAttribute("data-verdict"), id);
        t.check(v === "pass" || v === "partial", `${id}: its own verdict`, String(v));
      }
      await f.shot("tested");
      const straight = f.actions - detours + nativeAnswers;
      console.log(`# user-actions launch → every account of a unit green: ${straight} (${f.actions} clicks and fields here, ${detours} of them detours, + ${nativeAnswers} native answer)`);
      t.check(straight <= 15, "onboarding a whole unit takes at most 15 user actions (native answers counted)", `${straight}`);

      // Remove access from every account, from the apply page: Rust names each account with what
      // goes in its native dialog. Escape: nothing removed. Alt+R: the role is gone from both
      // members, read back through each member itself, and the table says what went.
      const stepNow = () => b.execute(() => document.querySelector("form[data-step]")?.getAttribute("data-step") ?? null);
      for (let i = 0; i < 4 && (await stepNow()) !== "export"; i++) {
        const was = await stepNow();
        await f.click("back");
        await t.waitFor(async () => (await stepNow()) !== was, "Back leaves the page");
      }
      await f.waitStep("export");
      await f.click("org-revoke");
      await answerDialog(t, "org-moto", REVOKE_AWS_ORG_TITLE, "cancel", { label: "revoke-org-cancel" });
      await t.waitFor(async () => (await b.$('[data-testid="org-revoke-cancelled"]')).isExisting(), "Escape: the page says nothing was removed");
      t.check(trustIn(moto.url, A).includes("sts:AssumeRole") && trustIn(moto.url, B).includes("sts:AssumeRole"), "a cancelled removal removed nothing");
      await f.click("org-revoke");
      await answerDialog(t, "org-moto", REVOKE_AWS_ORG_TITLE, "confirm", { key: "r", label: "revoke-org" });
      const removed = await t.waitFor(async () => {
        const el = await b.$('[data-testid="org-revoke-summary"]');
        return (await el.isExisting()) && (await el.getText());
      }, "the removal's summary", { timeout: 60000 });
      t.check(removed.includes("removed from 2 accounts"), "access removed from both accounts", removed);
      for (const id of [A, B]) {
        const st = await (await b.$(`[data-testid="org-revoke-status-${id}"]`)).getText();
        t.check(/^Removed: \d changes?$/.test(st.trim()), `${id}: what went`, st);
        t.check(trustIn(moto.url, id) === "", `the role is gone from ${id}, read back through the member`);
      }
      await f.shot("revoked", '[data-testid="org-revoke-table"]');
    } finally {
      stopMoto(moto.child);
    }
  },
  { application: appWrapper(env, { name: "trustbridge-on-moto-org.sh", unset }) },
);
