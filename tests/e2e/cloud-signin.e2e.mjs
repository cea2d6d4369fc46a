// Issue 14: a customer with no gcloud and no Azure CLI signs in to Google Cloud and Azure from the
// window and applies there as themselves. The vendor's profile file (imported through the native
// picker, accepted in Rust's dialog) provides its sign-in clients. "Sign in with Google": Rust opens
// Google's page — here a stand-in `xdg-open` fetches it with curl as a browser would, and Google's
// redirect comes back to Trustbridge's loopback listener; "Sign in to Azure": the device code is
// shown and confirmed. Then the dry run, the native confirmation, the apply, the vendor's key and
// client secret made into the real keyring, Send, the connectivity test (every probe of both clouds
// green), and "Remove access" on each cloud (confirmed natively; the key and secret leave the
// keyring). Against the marked TEST DOUBLES of Google's OAuth + IAM APIs and of Entra ID + Microsoft
// Graph + Resource Manager + an Event Grid topic (src-tauri/crates/cloud/tests/doubles/{gcp_iam,
// azure_arm}.rs, served by the rig; no emulator of them exists here) and real Azurite. Afterwards
// the session's files are searched for the refresh tokens, the device code, the key and the client
// secret the clouds made: 0 hits.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { e2e, REPO } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";
import {
  answerGcpAndAzure, AZURE_CONTAINER, AZURE_TOPIC, BUCKET, CONTAINER_SCOPE, GCP_TOPIC, ML_PROJECT, PROJECT, SA_EMAIL, STORAGE_ACCOUNT, TENANT, TOPIC_SCOPE,
} from "./cloud-world.mjs";
import {
  answerDialog, pickFileInDialog, APPLY_AZURE_TITLE, APPLY_GCP_TITLE, PROFILE_PICKER_TITLE, REVOKE_AZURE_TITLE,
  REVOKE_GCP_TITLE, UNSIGNED_PROFILE_TITLE,
} from "./native.mjs";
import { appWrapper, canaryFiles, startRig } from "./rig.mjs";

const API_KEY = `mlc-canary-${randomBytes(12).toString("hex")}`;
// The doubles' values (src-tauri/crates/cloud/tests/doubles/{gcp_iam,azure_arm}.rs).
const GOOGLE_CLIENT = "1234567890-vendor.apps.googleusercontent.com";
const GOOGLE_CLIENT_SECRET = "GOCSPX-desktop-secret-canary";
const AZURE_CLIENT = "22222222-3333-4444-5555-666666666666";
const SECRETS = ["1//signed-in-refresh-canary-77c1", "0.refresh-canary-5d2a", "device-code-canary-0e1f"];

const home = process.env.HOME;
const bin = join(home, "bin");
mkdirSync(bin, { recursive: true });
// The "browser": fetches the page it is given and follows its redirects (no real browser here).
writeFileSync(join(bin, "xdg-open"), '#!/bin/sh\nexec curl -sfL -o /dev/null --max-time 20 "$1"\n');
chmodSync(join(bin, "xdg-open"), 0o755);

// The vendor's profile file: ML cube's, with its Google and Azure sign-in clients.
const profile = JSON.parse(readFileSync(join(REPO, "src-tauri/crates/core/profiles/mlcube.json"), "utf8"));
profile.id = "mlcube-signin";
profile.display_name = "ML cube (sign-in)";
profile.gcp.sign_in = { client_id: GOOGLE_CLIENT, client_secret: GOOGLE_CLIENT_SECRET };
profile.azure.sign_in_client_id = AZURE_CLIENT;
mkdirSync(join(home, "vendor-files"), { recursive: true });
const profileFile = join(home, "vendor-files", "mlcube-signin.json");
writeFileSync(profileFile, `${JSON.stringify(profile, null, 2)}\n`);

const rig = await startRig({
  gcp_apply: { project: PROJECT, sign_in: true, buckets: [BUCKET], topics: [GCP_TOPIC] },
  azure_apply: {
    tenant: TENANT,
    scopes: [CONTAINER_SCOPE, TOPIC_SCOPE],
    sign_in: true,
    // Real Azurite holds the container; the topic's double admits the app only with the Data Sender role apply assigns.
    data: { containers: [`${STORAGE_ACCOUNT}/${AZURE_CONTAINER}`], topics: [[AZURE_TOPIC, TOPIC_SCOPE]] },
  },
  vendor: { api_key: API_KEY, projects: [ML_PROJECT] },
});
process.on("exit", () => rig.stop());

await e2e(
  "cloud-signin",
  async (t) => {
    const f = new Flow(t);
    const b = t.browser;
    let native = 0;
    t.require((await waitForStart(t)) === "start", "starts on the first question");
    await f.click("start-import-profile");
    await pickFileInDialog(t, "cloud-signin", PROFILE_PICKER_TITLE, profileFile, { label: "picker" });
    native += 1;
    await t.waitFor(async () => (await b.$('[data-testid="profile-warning-heading"]')).isExisting(), "the unsigned file goes to the warning page");
    await f.click("profile-accept");
    await answerDialog(t, "cloud-signin", UNSIGNED_PROFILE_TITLE, "confirm", { key: "u", label: "accept" });
    native += 1;
    await f.waitStep("start");
    // ML cube's address is its profile's; this run's ML cube is the rig's double, named the way
    // support names another one (TRUSTBRIDGE_VENDOR_API_URL), so nothing is typed for it.
    await answerGcpAndAzure(f, { name: "SIGNIN_01", vendorUrl: null, apiKey: API_KEY });

    // No sign-in on this computer: the page offers to sign in here, and to apply as that sign-in.
    for (const [cloud, label] of [["gcp", "Sign in with Google and apply"], ["azure", "Sign in to Azure and apply"]]) {
      const button = await t.waitFor(async () => {
        const el = await b.$(`[data-testid="sign-in-${cloud}-button"]`);
        return (await el.isExisting()) && el;
      }, `the export page offers "${label}"`);
      t.check((await button.getText()).trim() === label, `the button says "${label}"`, await button.getText());
      t.check(!(await b.$(`[data-testid="apply-${cloud}"]`).isExisting()), `no Apply on ${cloud} before signing in`);
    }
    await f.shot("sign-in-offered");

    // "Sign in … and apply": Google's page comes back (Azure: the code is confirmed), the dry run
    // runs as that person, and Rust's native dialog follows at once; one yes applies and has the
    // cloud make the vendor's key (client secret) as that person, straight into the keyring.
    for (const [cloud, name, title, what, who] of [
      ["gcp", "Google Cloud", APPLY_GCP_TITLE, "key", "dana@example.com"],
      ["azure", "Azure", APPLY_AZURE_TITLE, "client secret", "erin@contoso.example"],
    ]) {
      await f.click(`sign-in-${cloud}-button`);
      await answerDialog(t, "cloud-signin", title, "confirm", { label: `${cloud}-apply`, timeout: 60000 });
      native += 1;
      await t.waitFor(async () => (await (await b.$(`[data-testid="apply-${cloud}"]`)).getText()).includes("Applied these changes"), `applied on ${name}`);
      const text = await (await b.$(`[data-testid="apply-${cloud}"]`)).getText();
      t.check(text.includes(who), `it says who signed in to ${name}`, text);
      await t.waitFor(async () => (await b.$(`[data-testid="create-${cloud}-stored"]`)).isExisting(), `the ${what} is in the keyring`);
    }
    await f.shot("applied");
    const gcp = await rig.ask("gcp_apply");
    t.check(gcp.service_accounts.includes(SA_EMAIL), "the service account exists", JSON.stringify(gcp));
    const azure = await rig.ask("azure_apply");
    t.check(azure.apps.includes("ML3PlatformSP") && azure.assignments === 2, "the app registration exists with its two role assignments", JSON.stringify(azure));
    t.check(!(await b.$('[data-testid="create-gcp-button"]').isExisting()), "no second key is offered");
    const made = await rig.ask("gcp_apply");
    t.check(made.keys_created === 1, "Google Cloud made one key", JSON.stringify(made));

    // On to the credentials (both stored), Send to the vendor, and the connectivity test with the
    // key Google made and the client secret Entra ID made: every probe passes against the doubles
    // (Google's token grant's signature checked, the bucket's and topic's permissions as the apply
    // granted them; Entra's grant for the app's secret, the container in real Azurite, the topic
    // admitting the app only with the Data Sender role apply assigned).
    // Both are in the keyring: the credentials page has nothing left to ask and folds, and the
    // export page's Continue sends them to the vendor and goes on to the test (one action).
    const statusText = async (kind) => (await (await b.$(`[data-testid="credentials-${kind}-status"]`)).getText()).trim().toLowerCase();
    const go = (await (await b.$('[data-testid="continue"]')).getText()).trim();
    t.check(go.startsWith("Send to ") && go.endsWith(" and test the connection"), "Continue says it sends and tests", go);
    t.check((await (await b.$('[data-testid="export-sends"]')).getText()).includes("keyring"), "the page says what it sends, from where");
    await f.continue("test");
    await t.waitFor(async () => (await b.$('[data-testid="test-verdict"], [data-testid="test-error"]')).isExisting(), "the connectivity test ends", { timeout: 60000 });
    const probes = await b.execute(() =>
      [...document.querySelectorAll('[data-testid^="probe-"]')].map((e) => `${e.getAttribute("data-testid").slice(6)}=${e.getAttribute("data-status")}`),
    );
    const gcpProbes = ["gcp:credentials", `gcp:bucket:${BUCKET}`, `gcp:topic:${GCP_TOPIC}`, "gcp:vendor_registration"];
    t.check(gcpProbes.every((id) => probes.includes(`${id}=pass`)), "every Google Cloud probe passes with the key made from the window", probes.join(" "));
    const azureProbes = ["azure:credentials", `azure:container:${STORAGE_ACCOUNT}/${AZURE_CONTAINER}`, `azure:topic:${AZURE_TOPIC}`, "azure:vendor_registration"];
    t.check(azureProbes.every((id) => probes.includes(`${id}=pass`)), "every Azure probe passes with the client secret made from the window", probes.join(" "));
    await f.shot("test");
    console.log(`# user-actions launch→both clouds' probes green, no CLI (imported profile, both clouds answered, native answers included): ${f.actions + native}`);

    // Remove access, from the export page: Rust finds what it made, names it in a native dialog,
    // removes it, and deletes the key and the secret (which no longer open anything) from the keyring.
    for (const step of ["send", "export"]) {
      await f.click("back");
      await f.waitStep(step);
      if (step === "send") {
        const sent = await (await b.$('[data-testid="send-steps"]')).getText();
        t.check(sent.includes("Google Cloud") && sent.includes("Azure"), "the Send page says what was sent to the vendor from the keyring", sent);
      }
    }
    for (const [cloud, name, title] of [["gcp", "Google Cloud", REVOKE_GCP_TITLE], ["azure", "Azure", REVOKE_AZURE_TITLE]]) {
      const button = await t.waitFor(async () => {
        const el = await b.$(`[data-testid="revoke-${cloud}-button"]`);
        return (await el.isExisting()) && el;
      }, `the export page offers to remove the access on ${name}`, { timeout: 30000 });
      t.check((await button.getText()).trim() === `Remove access to ${name}`, "the button says what it does", await button.getText());
      await f.click(`revoke-${cloud}-button`);
      await answerDialog(t, "cloud-signin", title, "confirm", { key: "r", label: `${cloud}-revoke` });
      const done = await t.waitFor(async () => {
        const el = await b.$(`[data-testid="revoke-${cloud}-done"], [data-testid="revoke-${cloud}-error"]`);
        return (await el.isExisting()) && `${await el.getAttribute("data-testid")} ${await el.getText()}`;
      }, `the removal on ${name} reports what it did`, { timeout: 30000 });
      t.check(done.startsWith(`revoke-${cloud}-done`) && done.includes(`'s access to ${name}:`), `the vendor's access to ${name} is removed`, done);
      t.check(done.includes("was deleted from it"), "the page says the dead key or secret left the keyring", done);
      t.check(
        !(await b.$(`[data-testid="revoke-${cloud}-button"]`).isExisting()) && !(await b.$(`[data-testid="apply-${cloud}-changes"]`).isExisting()),
        `after the removal, ${name}'s box shows what was removed, not the old apply`,
      );
    }
    await f.shot("removed-gcp", `[data-testid="apply-gcp"]`);
    const after = await rig.ask("gcp_apply");
    t.check(after.service_accounts.length === 0 && after.roles.length === 0, "Google Cloud: the service account and the custom role are gone", JSON.stringify(after));
    const azureAfter = await rig.ask("azure_apply");
    t.check(azureAfter.apps.length === 0 && azureAfter.assignments === 0, "Azure: the app registration and its assignments are gone", JSON.stringify(azureAfter));
    await f.continue("credentials");
    await t.waitFor(async () => (await statusText("gcp")).includes("not stored") && (await statusText("azure")).includes("not stored"), "the credentials page says neither is stored any more");

    const canaries = await rig.ask("canaries");
    t.check(canaries.length === 2, "the rig names the key line and the client secret the clouds made", `${canaries.length}`);
    const hits = canaryFiles([...SECRETS, ...canaries]);
    t.check(hits.length === 0, "no refresh token, device code, key or client secret in any file of the session or the logs", JSON.stringify(hits));
  },
  {
    application: appWrapper(
      { ...rig.env, TRUSTBRIDGE_VENDOR_API_URL: rig.vendor_url, PATH: `${bin}:${process.env.PATH}` },
      { name: "trustbridge-cloud-signin.sh" },
    ),
  },
);
