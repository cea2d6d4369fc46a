// Issue 14: a customer with no gcloud and no Azure CLI signs in to Google Cloud and Azure from the
// window and applies there as themselves. The vendor's profile file (imported through the native
// picker, accepted in Rust's dialog) provides its sign-in clients. "Sign in with Google": Rust opens
// Google's page — here a stand-in `xdg-open` fetches it with curl as a browser would, and Google's
// redirect comes back to Trustbridge's loopback listener; "Sign in to Azure": the device code is
// shown and confirmed. Then the dry run, the native confirmation, the apply, the vendor's key and
// client secret made into the real keyring, Send, and the connectivity test (Google Cloud's probes
// green). Against the marked TEST
// DOUBLES of Google's OAuth + IAM APIs and of Entra ID + Microsoft Graph + Resource Manager
// (src-tauri/crates/cloud/tests/doubles/{gcp_iam,azure_arm}.rs, served by the rig; no emulator of
// them exists here). Afterwards the session's files are searched for the refresh tokens and the
// device code: 0 hits.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { e2e, REPO } from "./harness.mjs";
import { Flow, waitForStart } from "./flow.mjs";
import { answerGcpAndAzure, BUCKET, CONTAINER_SCOPE, GCP_TOPIC, ML_PROJECT, PROJECT, SA_EMAIL, TENANT, TOPIC_SCOPE } from "./cloud-world.mjs";
import {
  answerDialog, pickFileInDialog, APPLY_AZURE_TITLE, APPLY_GCP_TITLE, CREATE_AZURE_SECRET_TITLE, CREATE_GCP_KEY_TITLE, PROFILE_PICKER_TITLE, UNSIGNED_PROFILE_TITLE,
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
  azure_apply: { tenant: TENANT, scopes: [CONTAINER_SCOPE, TOPIC_SCOPE], sign_in: true },
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
    await answerGcpAndAzure(f, { name: "SIGNIN_01", vendorUrl: rig.vendor_url, apiKey: API_KEY });

    // No sign-in on this computer: the page offers to sign in here.
    for (const [cloud, label] of [["gcp", "Sign in with Google"], ["azure", "Sign in to Azure"]]) {
      const button = await t.waitFor(async () => {
        const el = await b.$(`[data-testid="sign-in-${cloud}-button"]`);
        return (await el.isExisting()) && el;
      }, `the export page offers "${label}"`);
      t.check((await button.getText()).trim() === label, `the button says "${label}"`, await button.getText());
      t.check(!(await b.$(`[data-testid="apply-${cloud}"]`).isExisting()), `no Apply on ${cloud} before signing in`);
    }
    await f.shot("sign-in-offered");

    await f.click("sign-in-gcp-button");
    await t.waitFor(async () => (await b.$('[data-testid="apply-gcp-changes"]')).isExisting(), "after Google's page comes back, the dry run on Google Cloud is shown", { timeout: 30000 });
    let text = await (await b.$('[data-testid="apply-gcp"]')).getText();
    t.check(text.includes("dana@example.com"), "it says who signed in with Google", text);

    await f.click("sign-in-azure-button");
    // The double confirms the code at once; the code may be on screen only for a moment.
    await t.waitFor(async () => (await b.$('[data-testid="apply-azure-changes"]')).isExisting(), "after the code is confirmed, the dry run on Azure is shown", { timeout: 30000 });
    text = await (await b.$('[data-testid="apply-azure"]')).getText();
    t.check(text.includes("erin@contoso.example"), "it says who signed in to Azure", text);
    await f.shot("signed-in-dry-runs");

    for (const [cloud, name, title] of [["gcp", "Google Cloud", APPLY_GCP_TITLE], ["azure", "Azure", APPLY_AZURE_TITLE]]) {
      await f.click(`apply-${cloud}-button`);
      await answerDialog(t, "cloud-signin", title, "confirm", { label: `${cloud}-apply` });
      native += 1;
      await t.waitFor(async () => (await (await b.$(`[data-testid="apply-${cloud}"]`)).getText()).includes("Applied these changes"), `applied on ${name}`);
    }
    await f.shot("applied");
    const gcp = await rig.ask("gcp_apply");
    t.check(gcp.service_accounts.includes(SA_EMAIL), "the service account exists", JSON.stringify(gcp));
    const azure = await rig.ask("azure_apply");
    t.check(azure.apps.includes("ML3PlatformSP") && azure.assignments === 2, "the app registration exists with its two role assignments", JSON.stringify(azure));

    // The vendor's key and client secret: made by each cloud as that person, kept in the keyring.
    for (const [cloud, title, what] of [["gcp", CREATE_GCP_KEY_TITLE, "key"], ["azure", CREATE_AZURE_SECRET_TITLE, "client secret"]]) {
      await f.click(`create-${cloud}-button`);
      await answerDialog(t, "cloud-signin", title, "confirm", { key: "y", label: `${cloud}-create` });
      native += 1;
      await t.waitFor(async () => (await b.$(`[data-testid="create-${cloud}-stored"]`)).isExisting(), `the ${what} is in the keyring`);
    }
    await f.shot("credentials-created");
    const made = await rig.ask("gcp_apply");
    t.check(made.keys_created === 1, "Google Cloud made one key", JSON.stringify(made));

    // On to the credentials (both stored), Send to the vendor, and the connectivity test with the
    // key Google made: its Google Cloud probes pass against the double (the token grant's signature
    // checked, the bucket's and topic's permissions as the apply granted them). Azure's data-plane
    // probes need Azurite and an Event Grid double wired to this rig, which they are not: logged.
    await f.continue("credentials");
    const statusText = async (kind) => (await (await b.$(`[data-testid="credentials-${kind}-status"]`)).getText()).trim().toLowerCase();
    await t.waitFor(async () => !(await statusText("gcp")).includes("not stored") && !(await statusText("azure")).includes("not stored"), "the credentials page says both are stored");
    await f.continue("send");
    await f.click("send-now");
    const sent = await t.waitFor(async () => {
      const r = await b.$('[data-testid="send-steps"], [data-testid="send-error"]');
      return (await r.isExisting()) && `${await r.getAttribute("data-testid")} ${await r.getText()}`;
    }, "the Send page reports what it did", { timeout: 30000 });
    t.check(sent.startsWith("send-steps"), "the key and the secret were sent to the vendor from the keyring", sent);
    await f.continue("test");
    await t.waitFor(async () => (await b.$('[data-testid="test-verdict"], [data-testid="test-error"]')).isExisting(), "the connectivity test ends", { timeout: 60000 });
    const probes = await b.execute(() =>
      [...document.querySelectorAll('[data-testid^="probe-"]')].map((e) => `${e.getAttribute("data-testid").slice(6)}=${e.getAttribute("data-status")}`),
    );
    const gcpProbes = ["gcp:credentials", `gcp:bucket:${BUCKET}`, `gcp:topic:${GCP_TOPIC}`, "gcp:vendor_registration"];
    t.check(gcpProbes.every((id) => probes.includes(`${id}=pass`)), "every Google Cloud probe passes with the key made from the window", probes.join(" "));
    console.log(`# azure probes (not wired to this rig): ${probes.filter((p) => p.startsWith("azure:")).join(" ")}`);
    await f.shot("test");
    console.log(`# user-actions launch→Google Cloud probes green, no CLI (imported profile, both clouds answered, native answers included): ${f.actions + native}`);

    const hits = canaryFiles(SECRETS);
    t.check(hits.length === 0, "no refresh token or device code in any file of the session or the logs", JSON.stringify(hits));
  },
  { application: appWrapper({ ...rig.env, PATH: `${bin}:${process.env.PATH}` }, { name: "trustbridge-cloud-signin.sh" }) },
);
