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
import { e2e } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";
import { answerGcpAndAzure, AZURE_CONTAINER, AZURE_TOPIC, BUCKET, GCP_TOPIC, SA_EMAIL, STORAGE_ACCOUNT } from "./cloud-world.mjs";
import { answerDialog, REVOKE_AZURE_TITLE, REVOKE_GCP_TITLE } from "./native.mjs";
import { canaryFiles } from "./rig.mjs";
import { API_KEY, importSignInProfile, probesAfterTest, SECRETS, signInAndApply, signInWorld } from "./signin-world.mjs";

const { rig, profileFile, application } = await signInWorld("trustbridge-cloud-signin.sh");

await e2e(
  "cloud-signin",
  async (t) => {
    const f = new Flow(t);
    const b = t.browser;
    let native = 0;
    t.require((await waitForStart(t)) === "start", "starts on the first question");
    native += await importSignInProfile(t, f, "cloud-signin", profileFile);
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

    // "Sign in … and apply": the dry run as that person, then Rust's native dialog at once.
    for (const cloud of ["gcp", "azure"]) native += await signInAndApply(t, f, "cloud-signin", cloud);
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
    const probes = await probesAfterTest(t);
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
  { application },
);
