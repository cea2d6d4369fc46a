// A vendor profile file in the real window: "Use a vendor profile file…" makes Rust raise the native
// file picker (the page names no file); the file is chosen there with the keyboard. A file without
// a signature → the warning page says "No signature" → "Choose another vendor" drops it. A file
// signed by a key Trustbridge does not trust (made here with `trustbridge profile keygen|sign`) →
// the warning page shows who it claims to be, the key fingerprint and what it would grant → "Use it
// anyway" raises Rust's native confirmation: Escape keeps it unused (the page says so), Alt+U makes
// it a vendor choice, selected → the AWS pages → Check your answers. The copy Rust keeps is 0600.
import { mkdirSync, readdirSync, statSync, writeFileSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { appDataDir, e2e, REPO } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";
import { answerDialog, pickFileInDialog, PROFILE_PICKER_TITLE, UNSIGNED_PROFILE_TITLE } from "./native.mjs";

const VENDOR_ACCOUNT = "210987654321";

/** The custom profile as Acme's own file: AWS only, a fixed vendor account, an external id, no events. */
function acmeProfile(dir, name) {
  const p = JSON.parse(readFileSync(join(REPO, "src-tauri/crates/core/profiles/custom.json"), "utf8"));
  p.id = "acme";
  p.display_name = "Acme ML";
  p.description = "Acme ML's training platform.";
  delete p.gcp;
  delete p.azure;
  p.aws.vendor_accounts = { "*": VENDOR_ACCOUNT };
  p.aws.external_id = "required";
  p.aws.event_bus_actions = [];
  const file = join(dir, name);
  writeFileSync(file, `${JSON.stringify(p, null, 2)}\n`);
  return file;
}

await e2e("import-profile", async (t) => {
  const f = new Flow(t);
  const b = t.browser;
  const dir = join(process.env.HOME, "vendor-files");
  mkdirSync(dir, { recursive: true });
  const unsigned = acmeProfile(dir, "acme-unsigned.json");
  const signed = acmeProfile(dir, "acme.json");
  // The vendor's key: not one Trustbridge trusts (the compiled-in list is empty; nothing is added).
  const cli = (...args) =>
    spawnSync(process.env.TRUSTBRIDGE_BIN, args, {
      encoding: "utf8",
      env: { ...process.env, TRUSTBRIDGE_SIGNING_KEY_PASSWORD: "e2e-signing-password", DISPLAY: "" },
      timeout: 60000,
    });
  const keygen = cli("profile", "keygen", "--out", join(dir, "keys"));
  t.require(keygen.status === 0, "the vendor makes a signing key (trustbridge profile keygen)", keygen.stderr);
  const sign = cli("profile", "sign", "--key", join(dir, "keys", "trustbridge-profile.key"), signed);
  t.require(sign.status === 0, "the vendor signs its profile (trustbridge profile sign)", sign.stderr);
  const keyId = readFileSync(join(dir, "keys", "trustbridge-profile.pub"), "utf8").match(/[0-9A-F]{16}/)?.[0];
  t.require(Boolean(keyId), "the public key file names the key id", keyId);

  t.require((await waitForStart(t)) === "start", "starts on the first question");
  const vendors = async () => b.execute(() => [...document.querySelectorAll('input[name="platform"]')].map((i) => i.labels?.[0]?.textContent?.trim()));
  t.check(!(await vendors()).includes("Acme ML"), "only the built-in vendors are offered at first", JSON.stringify(await vendors()));

  // 1. No signature: the warning page says so; "Choose another vendor" drops the file.
  await f.click("start-import-profile");
  await pickFileInDialog(t, "import-profile", PROFILE_PICKER_TITLE, unsigned, { label: "picker-unsigned" });
  await t.waitFor(async () => (await b.$('[data-testid="profile-warning-heading"]')).isExisting(), "an unsigned file goes to the warning page");
  const fingerprint = async () => (await (await b.$('[data-testid="profile-key-fingerprint"]')).getText()).trim();
  t.check((await fingerprint()) === "No signature", "the warning page says there is no signature", await fingerprint());
  let page = await f.screenText();
  t.check(page.includes("not signed by a key Trustbridge trusts"), "the warning says it is not signed by a trusted key");
  t.check(page.includes("Acme ML (profile ID acme)"), "the page says who the file claims to be");
  t.check(page.includes("s3:ListBucket, s3:GetObject"), "the page says what it would grant");
  t.check((await b.getTitle()).startsWith("Vendor profile not signed"), "the page title names the page", await b.getTitle());
  await f.shot("warning-unsigned");
  await f.click("profile-choose-another");
  await f.waitStep("start");
  t.check(!(await vendors()).includes("Acme ML"), "after Choose another vendor the file is not a choice");

  // 2. Signed by a key Trustbridge does not trust: the fingerprint is shown; the yes is Rust's dialog's.
  await f.click("start-import-profile");
  await pickFileInDialog(t, "import-profile", PROFILE_PICKER_TITLE, signed, { label: "picker-signed" });
  await t.waitFor(async () => (await b.$('[data-testid="profile-warning-heading"]')).isExisting(), "an unknown-key file goes to the warning page");
  t.check((await fingerprint()) === keyId, "the warning page shows the key fingerprint", `${await fingerprint()} vs ${keyId}`);
  page = await f.screenText();
  t.check(page.includes("Signed by a key Trustbridge does not trust") && page.includes("Compare this key fingerprint"), "the page says the key is not trusted and how to check it");
  await f.shot("warning-unknown-key");

  await f.click("profile-accept");
  await answerDialog(t, "import-profile", UNSIGNED_PROFILE_TITLE, "cancel", { label: "accept-cancel" });
  const cancelled = await t.waitFor(() => f.errorSummary(), "Cancel in Rust's dialog shows the error summary");
  t.check(cancelled.includes("You chose Cancel in the confirmation, so the vendor profile file is not used"), "the page says the file is not used", cancelled);
  t.check((await f.focusedTestId()) === "error-summary", "the error summary takes focus");
  t.check(await (await b.$('[data-testid="profile-warning-heading"]')).isExisting(), "still on the warning page");
  await f.shot("warning-cancelled");

  await f.click("profile-accept");
  await answerDialog(t, "import-profile", UNSIGNED_PROFILE_TITLE, "confirm", { key: "u", label: "accept" });
  await f.waitStep("start");
  t.check((await vendors()).includes("Acme ML"), "after the yes in Rust's dialog the file is a vendor choice");
  const selected = await b.execute(() => document.querySelector('input[name="platform"]:checked')?.labels?.[0]?.textContent?.trim());
  t.check(selected === "Acme ML", "and it is selected", selected);
  page = await f.screenText();
  t.check(page.includes(`NOT signed by a key Trustbridge trusts (key ${keyId})`), "the choice says it is not signed by a trusted key");
  await f.shot("start-imported");

  // 3. The wizard goes on with it as with any vendor, up to Check your answers.
  await f.fill("integration.project_id", "acme-proj");
  await f.fill("integration.name", "ACME_01");
  await f.continue("aws-identity");
  await f.fill("aws.account_id", "123456789012");
  await f.fill("aws.region", "eu-west-1");
  await f.continue("aws-storage");
  await f.fill("aws.storage[0].bucket", "acme-training-data");
  await f.continue("check");
  await t.waitFor(async () => (await b.$('[data-testid="grants"]')).isExisting(), "Check your answers shows what is granted");
  await b.$('[data-testid="check-documents-toggle"]').then((e) => e.click()); // the vendor's account is in the documents
  page = await f.screenText();
  t.check(page.includes("acme-training-data") && page.includes(VENDOR_ACCOUNT), "Check your answers lists the bucket and the vendor's account from the file");
  await f.shot("check");

  // The copy Rust keeps for a resume: 0600 files in a 0700 folder.
  const kept = join(appDataDir(), "profiles");
  const mode = (p) => statSync(p).mode & 0o777;
  t.check(mode(kept) === 0o700, "the kept copies' folder is 0700", mode(kept).toString(8));
  const files = readdirSync(kept);
  t.check(files.length >= 2 && files.every((x) => mode(join(kept, x)) === 0o600), "the kept profile files are 0600", JSON.stringify(files));
  // Each pick in the file picker and each answer in a native dialog is one more action (4).
  console.log(`# user-actions launch→check your answers (imported, unknown key, with the native yes): ${f.actions + 4}`);
});
