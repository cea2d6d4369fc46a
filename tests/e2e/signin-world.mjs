// A computer with no gcloud and no Azure CLI (cloud-signin, cloud-signin-each): the vendor's profile
// file with its Google and Azure sign-in clients, a stand-in browser, and the rig's marked TEST
// DOUBLES of Google's OAuth + IAM APIs and of Entra ID + Microsoft Graph + Resource Manager + an
// Event Grid topic (src-tauri/crates/cloud/tests/doubles/{gcp_iam,azure_arm}.rs; no emulator of
// them exists here) with real Azurite; and the steps both scripts take through the window.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { e2e, REPO } from "./harness.mjs";
import { fieldId, Flow, waitForStart } from "./flow.mjs";
import { AZURE_CONTAINER, AZURE_TOPIC, BUCKET, CONTAINER_SCOPE, GCP_TOPIC, ML_PROJECT, PROJECT, STORAGE_ACCOUNT, SUBSCRIPTION, TENANT, TOPIC_SCOPE } from "./cloud-world.mjs";
import { answerDialog, pickFileInDialog, APPLY_AZURE_TITLE, APPLY_GCP_TITLE, PROFILE_PICKER_TITLE, UNSIGNED_PROFILE_TITLE } from "./native.mjs";
import { appWrapper, startRig } from "./rig.mjs";

export const API_KEY = `mlc-canary-${randomBytes(12).toString("hex")}`;
// The doubles' values (src-tauri/crates/cloud/tests/doubles/{gcp_iam,azure_arm}.rs).
const GOOGLE_CLIENT = "1234567890-vendor.apps.googleusercontent.com";
const GOOGLE_CLIENT_SECRET = "GOCSPX-desktop-secret-canary";
const AZURE_CLIENT = "22222222-3333-4444-5555-666666666666";
export const SECRETS = ["1//signed-in-refresh-canary-77c1", "0.refresh-canary-5d2a", "device-code-canary-0e1f"];

/** Writes the profile file and the stand-in browser, starts the rig: what the app is started with. */
export async function signInWorld(wrapperName) {
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
  // ML cube's address is its profile's; this run's ML cube is the rig's double, named the way
  // support names another one (TRUSTBRIDGE_VENDOR_API_URL), so nothing is typed for it.
  const application = appWrapper({ ...rig.env, TRUSTBRIDGE_VENDOR_API_URL: rig.vendor_url, PATH: `${bin}:${process.env.PATH}` }, { name: wrapperName });
  return { rig, profileFile, application };
}

/** "Use a vendor profile file…": picked in the native picker, accepted in Rust's dialog. Returns the native answers (2). */
export async function importSignInProfile(t, f, name, profileFile) {
  const b = t.browser;
  await f.click("start-import-profile");
  await pickFileInDialog(t, name, PROFILE_PICKER_TITLE, profileFile, { label: "picker" });
  await t.waitFor(async () => (await b.$('[data-testid="profile-warning-heading"]')).isExisting(), "the unsigned file goes to the warning page");
  await f.click("profile-accept");
  await answerDialog(t, name, UNSIGNED_PROFILE_TITLE, "confirm", { key: "u", label: "accept" });
  await f.waitStep("start");
  return 2;
}

/** Waits until the field of plan path `field` holds `value`, filled from a pick list (no action). */
async function filledIn(t, field, value, what) {
  const got = await t.waitFor(
    async () => {
      const el = await t.browser.$(`#${fieldId(field)}`);
      return (await el.isExisting()) && (await el.getValue()) === value && value;
    },
    what,
    { timeout: 30000 },
  );
  t.check(got === value, what, got);
}

/**
 * The cloud's questions with its sign-in made on its first page (no gcloud, no Azure CLI here):
 * what the person's account holds is listed, and each list of one fills its answer — Google Cloud:
 * the project, then its bucket and topic; Azure: the tenant (the sign-in's), the subscription and
 * resource group, then the storage account, its container and the topic (the rig's world has one
 * of each). The integration's name is left as proposed. Then "Connect to ML cube" (the API key
 * typed) and Check your answers, whose button is then "Accept and apply".
 */
async function answerSignedInFirst(t, f, cloud) {
  await f.continue("clouds");
  await f.choose(cloud === "gcp" ? "Google Cloud" : "Azure");
  await f.continue(`${cloud}-identity`);
  await f.click(`${cloud}-picks-sign-in-button`);
  if (cloud === "gcp") {
    await filledIn(t, "gcp.project_id", PROJECT, "the only project the sign-in sees is filled in");
  } else {
    await filledIn(t, "azure.tenant_id", TENANT, "the tenant is the sign-in's");
    await filledIn(t, "azure.subscription_id", SUBSCRIPTION, "the only subscription is filled in");
    await filledIn(t, "azure.resource_group", "ml-rg", "the subscription's only resource group is filled in");
  }
  const as = await (await t.browser.$(`[data-testid="${cloud}-picks-as"]`)).getText();
  t.check(as.includes(cloud === "gcp" ? "dana@example.com" : "erin@contoso.example"), "the page says whose lists these are", as);
  await f.shot(`${cloud}-identity-listed`);
  await f.continue(`${cloud}-storage`);
  if (cloud === "gcp") {
    await filledIn(t, "gcp.storage[0].bucket", BUCKET, "the project's only bucket is filled in");
  } else {
    await filledIn(t, "azure.storage[0].storage_account", STORAGE_ACCOUNT, "the group's only storage account is filled in");
    await filledIn(t, "azure.storage[0].container", AZURE_CONTAINER, "the account's only container is filled in");
  }
  await f.continue(`${cloud}-events`);
  await filledIn(t, `${cloud}.events[0].topic`, cloud === "gcp" ? GCP_TOPIC : AZURE_TOPIC, "the only topic is filled in");
  await f.continue("vendor");
  await f.typeInto("#f-vendor-api-key", API_KEY);
  await f.projectListed(ML_PROJECT);
  await f.continue("check");
  const go = (await (await t.browser.$('[data-testid="continue"]')).getText()).trim();
  t.check(go === "Accept and apply", "signed in already, Check your answers applies", go);
  await f.continue("export");
}

/**
 * After "Accept and apply": the apply page's dry run as the sign-in made earlier, then at once
 * Rust's native dialog (the changes, and the key or client secret it will make). Returns the
 * native answers (1).
 */
async function acceptedApply(t, name, cloud) {
  const b = t.browser;
  const [cloudName, title, who] = cloud === "gcp" ? ["Google Cloud", APPLY_GCP_TITLE, "dana@example.com"] : ["Azure", APPLY_AZURE_TITLE, "erin@contoso.example"];
  await answerDialog(t, name, title, "confirm", { label: `${cloud}-apply`, timeout: 60000 });
  await t.waitFor(async () => (await (await b.$(`[data-testid="apply-${cloud}"]`)).getText()).includes("Applied these changes"), `applied on ${cloudName}`);
  const text = await (await b.$(`[data-testid="apply-${cloud}"]`)).getText();
  t.check(text.includes(who), `it says who signed in to ${cloudName}`, text);
  await t.waitFor(async () => (await b.$(`[data-testid="create-${cloud}-stored"]`)).isExisting(), `the vendor's credential for ${cloudName} is in the keyring`);
  return 1;
}

/**
 * "Sign in … and apply" on the export page: the cloud's sign-in page comes back (Azure: the code is
 * confirmed), the dry run runs as that person, Rust's native dialog follows at once; one yes
 * applies and has the cloud make the vendor's key (client secret) into the keyring. Returns the
 * native answers (1).
 */
export async function signInAndApply(t, f, name, cloud) {
  await f.click(`sign-in-${cloud}-button`);
  return acceptedApply(t, name, cloud);
}

/** The connectivity test's probes, as `id=status`, once it ends. */
export async function probesAfterTest(t) {
  const b = t.browser;
  await t.waitFor(async () => (await b.$('[data-testid="test-verdict"], [data-testid="test-error"]')).isExisting(), "the connectivity test ends", { timeout: 60000 });
  return b.execute(() =>
    [...document.querySelectorAll('[data-testid^="probe-"]')].map((e) => `${e.getAttribute("data-testid").slice(6)}=${e.getAttribute("data-status")}`),
  );
}

/**
 * Issue 14's figure for one cloud (cloud-signin-gcp, cloud-signin-azure): from launch to a green
 * connectivity test on `cloud` alone, with no CLI — the vendor's profile file imported, the
 * cloud's sign-in made on its first question page (its lists fill the answers), "Accept and apply"
 * on Check your answers with Rust's native yes, then "Send to … and test the connection". The
 * browser's side of a sign-in (Google's consent page, the Azure code entered at Microsoft) is the
 * rig's and is not counted. Prints "# user-actions launch→green test, <cloud> only, no CLI (…): N".
 */
export async function oneCloudToGreen(cloud) {
  const name = `cloud-signin-${cloud}`;
  const { profileFile, application } = await signInWorld(`trustbridge-${name}.sh`);
  const [cloudName, probesWanted] =
    cloud === "gcp"
      ? ["Google Cloud", ["gcp:credentials", `gcp:bucket:${BUCKET}`, `gcp:topic:${GCP_TOPIC}`, "gcp:vendor_registration"]]
      : ["Azure", ["azure:credentials", `azure:container:${STORAGE_ACCOUNT}/${AZURE_CONTAINER}`, `azure:topic:${AZURE_TOPIC}`, "azure:vendor_registration"]];
  await e2e(
    name,
    async (t) => {
      const f = new Flow(t);
      t.require((await waitForStart(t)) === "start", "starts on the first question");
      let native = await importSignInProfile(t, f, name, profileFile);
      await answerSignedInFirst(t, f, cloud);
      native += await acceptedApply(t, name, cloud);
      const go = (await (await t.browser.$('[data-testid="continue"]')).getText()).trim();
      t.check(go.endsWith(" and test the connection"), "Continue sends and tests", go);
      await f.continue("test");
      const probes = await probesAfterTest(t);
      t.check(probesWanted.every((id) => probes.includes(`${id}=pass`)), `every ${cloudName} probe passes`, probes.join(" "));
      await f.shot("test");
      console.log(`# user-actions launch→green test, ${cloudName} only, no CLI (imported profile, native answers included): ${f.actions + native}`);
    },
    { application },
  );
}
