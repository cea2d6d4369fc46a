// Typed wrappers, one per Rust command. Names and shapes follow `src-tauri/src/commands.rs` and
// `src-tauri/src/commands_cloud.rs`.
import { Channel } from "@tauri-apps/api/core";
import { call, type IpcError } from "./index";
import type { AppInfo } from "./bindings/AppInfo";
import type { Boot } from "./bindings/Boot";
import type { ApplyResult } from "./bindings/ApplyResult";
import type { AwsAccount } from "./bindings/AwsAccount";
import type { AwsBucketFacts } from "./bindings/AwsBucketFacts";
import type { ApiCloud } from "./bindings/ApiCloud";
import type { CloudApplyResult } from "./bindings/CloudApplyResult";
import type { CloudSignIns } from "./bindings/CloudSignIns";
import type { AzureDevice } from "./bindings/AzureDevice";
import type { GcpList } from "./bindings/GcpList";
import type { AzureListRequest } from "./bindings/AzureListRequest";
import type { AzureListing } from "./bindings/AzureListing";
import type { GcpListing } from "./bindings/GcpListing";
import type { AwsProfile } from "./bindings/AwsProfile";
import type { AwsSignedIn } from "./bindings/AwsSignedIn";
import type { SsoAccount } from "./bindings/SsoAccount";
import type { SsoDevice } from "./bindings/SsoDevice";
import type { Cloud } from "./bindings/Cloud";
import type { CredentialStatus } from "./bindings/CredentialStatus";
import type { VendorProject } from "./bindings/VendorProject";
import type { VerifyReport } from "./bindings/VerifyReport";
import type { ProbeUpdate } from "./bindings/ProbeUpdate";
import type { Draft } from "./bindings/Draft";
import type { ExportResult } from "./bindings/ExportResult";
import type { Plan } from "./bindings/Plan";
import type { Preview } from "./bindings/Preview";
import type { ProfileSummary } from "./bindings/ProfileSummary";
import type { ImportedProfile } from "./bindings/ImportedProfile";
import type { RegisterResult } from "./bindings/RegisterResult";
import type { SecretKind } from "./bindings/SecretKind";
import type { Organization } from "./bindings/Organization";
import type { OrgAccountRow } from "./bindings/OrgAccountRow";
import type { OrgApplyResult } from "./bindings/OrgApplyResult";
import type { StackInstanceRow } from "./bindings/StackInstanceRow";
import type { OrgStepEvent } from "./bindings/OrgStepEvent";
import type { OrgProbeUpdate } from "./bindings/OrgProbeUpdate";
import type { MemberResources } from "./bindings/MemberResources";
import type { StackSetResult } from "./bindings/StackSetResult";
import type { OrgVerifyRow } from "./bindings/OrgVerifyRow";
import type { AwsRevokeResult } from "./bindings/AwsRevokeResult";

export type { AppInfo } from "./bindings/AppInfo";
export type { Organization } from "./bindings/Organization";
export type { AwsRevokeResult } from "./bindings/AwsRevokeResult";
export type { OrgUnit } from "./bindings/OrgUnit";
export type { OrgAccount } from "./bindings/OrgAccount";
export type { OrgAccountRow } from "./bindings/OrgAccountRow";
export type { OrgApplyResult } from "./bindings/OrgApplyResult";
export type { OrgVerifyRow } from "./bindings/OrgVerifyRow";
export type { StackInstanceRow } from "./bindings/StackInstanceRow";
export type { OrgStep } from "./bindings/OrgStep";
export type { OrgStepEvent } from "./bindings/OrgStepEvent";
export type { OrgProbeUpdate } from "./bindings/OrgProbeUpdate";
export type { StackSetResult } from "./bindings/StackSetResult";
export type { Boot } from "./bindings/Boot";
export type { ApplyChange } from "./bindings/ApplyChange";
export type { ApplyResult } from "./bindings/ApplyResult";
export type { AwsAccount } from "./bindings/AwsAccount";
export type { AwsBucketFacts } from "./bindings/AwsBucketFacts";
export type { ApiCloud } from "./bindings/ApiCloud";
export type { CloudApplyResult } from "./bindings/CloudApplyResult";
export type { CloudSignIns } from "./bindings/CloudSignIns";
export type { AzureDevice } from "./bindings/AzureDevice";
export type { GcpList } from "./bindings/GcpList";
export type { AzureListRequest } from "./bindings/AzureListRequest";
export type { AzureListing } from "./bindings/AzureListing";
export type { GcpListing } from "./bindings/GcpListing";
export type { AwsProfile } from "./bindings/AwsProfile";
export type { AwsSignedIn } from "./bindings/AwsSignedIn";
export type { SsoAccount } from "./bindings/SsoAccount";
export type { SsoDevice } from "./bindings/SsoDevice";
export type { CredentialStatus } from "./bindings/CredentialStatus";
export type { Probe } from "./bindings/Probe";
export type { Verdict } from "./bindings/Verdict";
export type { VerifyReport } from "./bindings/VerifyReport";
export type { ProbeUpdate } from "./bindings/ProbeUpdate";
export type { Cloud } from "./bindings/Cloud";
export type { Draft } from "./bindings/Draft";
export type { ExportResult } from "./bindings/ExportResult";
export type { Plan } from "./bindings/Plan";
export type { Preview } from "./bindings/Preview";
export type { PreviewFile } from "./bindings/PreviewFile";
export type { ProfileSummary } from "./bindings/ProfileSummary";
export type { ImportedProfile } from "./bindings/ImportedProfile";
export type { RegisterResult } from "./bindings/RegisterResult";
export type { RegisterStep } from "./bindings/RegisterStep";
export type { RegistrationSummary } from "./bindings/RegistrationSummary";
export type { RolePolicy } from "./bindings/RolePolicy";
export type { ChangeKind } from "./bindings/ChangeKind";
export type { LintFinding } from "./bindings/LintFinding";
export type { ProbeStatus } from "./bindings/ProbeStatus";
/** What `store_credentials` stores: a GCP key, an Azure service principal, or the vendor's API key. */
export type { SecretKind } from "./bindings/SecretKind";
export type { Severity } from "./bindings/Severity";

/** Name and version of the running app. */
export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>("app_info");
}

/** The vendor profiles the app knows (built-in ones first). */
export function listProfiles(): Promise<ProfileSummary[]> {
  return call<ProfileSummary[]>("list_profiles");
}

/**
 * "Use a vendor profile file…": Rust raises the native file picker itself (the page names no file),
 * reads the file and its .minisig, checks the signature then the content, and answers who the
 * profile says it is, what it grants and how it is signed. Cancel: `profile.import_cancelled`.
 */
export function importProfile(): Promise<ImportedProfile> {
  return call<ImportedProfile>("import_profile");
}

/** An imported profile by its `imported:…` id (after a restart: verified again, not accepted). */
export function importedProfile(id: string): Promise<ImportedProfile> {
  return call<ImportedProfile>("imported_profile", { id });
}

/**
 * "Use it anyway" on the warning page: Rust asks the person in its own native dialog (with the key
 * fingerprint); only their yes there makes the profile usable. Cancel: `profile.accept_cancelled`.
 */
export function acceptUnsignedProfile(id: string): Promise<ImportedProfile> {
  return call<ImportedProfile>("accept_unsigned_profile", { id });
}

/** A fresh external id from the OS CSPRNG. */
export function newExternalId(): Promise<string> {
  return call<string>("new_external_id");
}

/**
 * Validates the plan in Rust. `fields` limits the answer to problems under those field-path
 * prefixes (the current step's fields); an empty array means valid.
 */
export function validatePlan(plan: Plan, fields?: readonly string[]): Promise<IpcError[]> {
  return call<IpcError[]>("validate_plan", fields ? { plan, fields } : { plan });
}

/** The generated documents and the plain-language "what this grants" lines. */
export function preview(plan: Plan): Promise<Preview> {
  return call<Preview>("preview", { plan });
}

/**
 * Writes the bundle into a NEW folder under `parent`. A folder chosen with `pickFolder` is written
 * to at once; a typed one is confirmed first in a native dialog that Rust raises ("Write N files
 * to …?"): Cancel rejects with `export.cancelled` and nothing is written.
 */
export function exportBundle(plan: Plan, parent: string): Promise<ExportResult> {
  return call<ExportResult>("export_bundle", { plan, parent });
}

export function saveDraft(draft: Draft): Promise<void> {
  return call<void>("save_draft", { draft });
}

export function loadDraft(): Promise<Draft | null> {
  return call<Draft | null>("load_draft");
}

/** The global the window's initialization script (Rust's `boot::script`) sets before any page script. */
const BOOT_GLOBAL = "__TRUSTBRIDGE_BOOT__";

/**
 * What the first page needs: the app's name and version, the built-in vendor profiles and the
 * autosaved draft. The window hands it to the page in its initialization script, so the first page
 * is drawn in the same task that mounts the app, with no IPC round trip and no wait for a promise
 * (WebKitGTK runs the page's first promise continuations only after the load event). It is taken
 * once, and only on the window's first load: after a reload it may be stale (a draft autosaved
 * since), so then, on a second call, and wherever it is absent (tests, `vite dev`) it is asked for
 * from Rust (`askBoot`).
 */
export function handedBoot(): Boot | null {
  const handed = takeHanded();
  // For the launch benchmark (tests/e2e/measure.mjs): which way the first page's data came.
  performance.mark(handed ? "trustbridge-boot-handed" : "trustbridge-boot-asked");
  return handed;
}

/** The same data asked for from Rust (three commands, at once). */
export async function askBoot(): Promise<Boot> {
  const [app, profiles, draft] = await Promise.all([
    appInfo().catch(() => null),
    listProfiles(),
    loadDraft().catch(() => null),
  ]);
  return { app, profiles, draft };
}

/** [`handedBoot`], else [`askBoot`]. */
export async function boot(): Promise<Boot> {
  return handedBoot() ?? (await askBoot());
}

function takeHanded(): Boot | null {
  const global = globalThis as unknown as Record<string, unknown>;
  const value = global[BOOT_GLOBAL];
  if (value === undefined) return null;
  delete global[BOOT_GLOBAL];
  if (typeof value !== "object" || value === null || !Array.isArray((value as Boot).profiles)) return null;
  return firstLoad() ? (value as Boot) : null;
}

/** True on the window's first load (not a reload, nor a return through history). */
function firstLoad(): boolean {
  const entry = performance.getEntriesByType?.("navigation")[0] as PerformanceNavigationTiming | undefined;
  if (entry) return entry.type === "navigate";
  // Navigation Timing level 1: TYPE_NAVIGATE is 0.
  const legacy = (performance as unknown as { navigation?: { type: number } }).navigation;
  return legacy ? legacy.type === 0 : false;
}

export function clearDraft(): Promise<void> {
  return call<void>("clear_draft");
}

export type ConsoleTarget = "aws-console" | "gcp-cloud-shell" | "azure-cloud-shell" | "azure-admin-consent";

/**
 * Opens the AWS console / Google Cloud Shell / Azure Cloud Shell in the browser (Rust allowlist);
 * `azure-admin-consent` opens the admin-consent page built in Rust from the (validated) plan.
 */
export function openConsole(target: ConsoleTarget, plan?: Plan): Promise<void> {
  return call<void>("open_console", { target, plan: plan ?? null });
}

/**
 * The native folder picker, raised by Rust (the page cannot open native dialogs itself). Resolves
 * with the chosen folder, or null when cancelled; exporting into it asks nothing more.
 */
export function pickFolder(): Promise<string | null> {
  return call<string | null>("pick_export_folder");
}

// ---------------------------------------------------------------------------------------------
// The cloud: AWS account detection and apply, the connectivity test (every cloud, live), the
// GCP / Azure credentials in the OS keyring. The webview never calls a cloud; Rust does.
// ---------------------------------------------------------------------------------------------

/** Who the AWS credentials on this machine belong to, and the buckets / event buses they can see. */
export function awsIdentity(region?: string): Promise<AwsAccount> {
  return call<AwsAccount>("aws_identity", region ? { region } : {});
}

/**
 * What Rust reads about one bucket instead of asking (read only, best effort): the region it lives
 * in and the customer managed KMS key of its default encryption.
 */
export function awsBucketFacts(region: string | undefined, bucket: string): Promise<AwsBucketFacts> {
  return call<AwsBucketFacts>("aws_bucket_facts", region ? { region, bucket } : { bucket });
}

/** The profiles of this computer's AWS config files, for the profile picker (never a key). */
export function awsProfiles(): Promise<AwsProfile[]> {
  return call("aws_profiles");
}

/** Signs the window's AWS calls with one of those profiles (Rust checks it with AWS first). */
export function awsUseProfile(name: string, region?: string): Promise<AwsSignedIn> {
  return call("aws_use_profile", { name, region: region ?? null });
}

/**
 * Signs the window's AWS calls with temporary credentials pasted from the AWS access portal
 * (Option 1 or 2 of "Access keys"). Rust parses and checks them with AWS and keeps them in memory
 * only; the answer is who they are, never the secret.
 */
export function awsUseCredentials(text: string, region?: string): Promise<AwsSignedIn> {
  return call("aws_use_credentials", { text, region: region ?? null });
}

/**
 * Starts signing in through the AWS access portal (IAM Identity Center): the code to confirm on
 * AWS's page. Then `awsSsoOpen` opens that page, `awsSsoWait` waits for the person's yes and lists
 * the accounts and roles, and `awsSsoUse` signs the window's AWS calls as the role picked.
 */
export function awsSsoStart(startUrl: string, region: string): Promise<SsoDevice> {
  return call("aws_sso_start", { startUrl, region });
}

export function awsSsoOpen(): Promise<void> {
  return call("aws_sso_open");
}

export function awsSsoWait(): Promise<SsoAccount[]> {
  return call("aws_sso_wait");
}

export function awsSsoUse(accountId: string, roleName: string, region?: string): Promise<AwsSignedIn> {
  return call("aws_sso_use", { accountId, roleName, region: region ?? null });
}

/** Ends the access portal sign-in under way: `awsSsoWait` rejects with `aws.sso_cancelled`. */
export function awsSsoCancel(): Promise<void> {
  return call("aws_sso_cancel");
}

/** Back to this computer's own AWS credentials. */
export function awsSignOut(): Promise<void> {
  return call("aws_sign_out");
}

/** Who the window acts as when the person signed in here; null: this computer's own credentials. */
export function awsSignedIn(): Promise<AwsSignedIn | null> {
  return call("aws_signed_in");
}

/**
 * Creates or updates the IAM role and its policies; with `dryRun`, only says what would change.
 * `adopt`: take over an existing role Trustbridge did not create (without it, such a role is
 * refused with `aws.role_not_ours`); its dry run lists the role's existing policies and warnings.
 * Applying for real is confirmed in a native dialog raised by Rust (unless `confirmApply` just
 * confirmed exactly this): Cancel rejects with `apply.cancelled` and nothing is applied.
 * Rust runs the guardrail pre-flight first (the dry run's `preflight`); a blocking finding rejects
 * with `aws.preflight_blocked` unless `ignorePreflight` (the person chose "apply anyway").
 */
export function applyAws(plan: Plan, dryRun: boolean, adopt = false, ignorePreflight = false): Promise<ApplyResult> {
  return call<ApplyResult>("apply_aws", { plan, dryRun, adopt, ignorePreflight });
}

/**
 * The AWS Organization of the account this computer is signed in to, for "Which accounts?": its
 * units and accounts when these credentials may list them, else why not (read only).
 */
export function awsOrganization(region: string | null): Promise<Organization> {
  return call<Organization>("aws_organization", { region });
}

/** The buckets member `account` holds, as its member role sees them (read only; for a pick list). */
export function awsMemberResources(account: string, memberRole: string | null, partition: string, region: string): Promise<MemberResources> {
  return call<MemberResources>("aws_member_resources", { account, memberRole, partition, region });
}

/**
 * An organization-wide plan applied (or, with `dryRun`, read) in every listed account, or only in
 * `only` (a retry of the failed ones). `onRow` is called as each account ends. Applying for real is
 * confirmed in Rust's native dialog (Cancel rejects with `apply.cancelled`, nothing applied).
 */
export function applyAwsOrg(
  plan: Plan,
  dryRun: boolean,
  only: string[] | null,
  onRow: (row: OrgAccountRow) => void,
  ignorePreflight = false,
  onStepEvent: (e: OrgStepEvent) => void = () => {},
): Promise<OrgApplyResult> {
  const onEvent = new Channel<OrgAccountRow>();
  onEvent.onmessage = onRow;
  const onStep = new Channel<OrgStepEvent>();
  onStep.onmessage = onStepEvent;
  return call<OrgApplyResult>("apply_aws_org", { plan, dryRun, only, ignorePreflight, onEvent, onStep });
}

/**
 * The plan's StackSet (engine `stack-set`): with `dryRun`, pre-flight in each listed account and what
 * deploying would do (nothing changes); else Rust asks in its native dialog first, then deploys it,
 * each account's stack sent to `onInstance` as its status changes. `ignorePreflight`: "Apply anyway"
 * (the dialog names each blocking finding, and only those are gone past).
 */
export function applyAwsStackSet(
  plan: Plan,
  dryRun: boolean,
  onInstance: (row: StackInstanceRow) => void,
  ignorePreflight = false,
): Promise<StackSetResult> {
  const onEvent = new Channel<StackInstanceRow>();
  onEvent.onmessage = onInstance;
  return call<StackSetResult>("apply_aws_stack_set", { plan, dryRun, ignorePreflight, onEvent });
}

/** Removes the plan's StackSet after Rust's native dialog: its stacks (and the roles), then the StackSet. */
export function revokeAwsStackSet(plan: Plan, onInstance: (row: StackInstanceRow) => void): Promise<StackSetResult> {
  const onEvent = new Channel<StackInstanceRow>();
  onEvent.onmessage = onInstance;
  return call<StackSetResult>("revoke_aws_stack_set", { plan, onEvent });
}

/**
 * Removes the vendor's access from every listed account: Rust reads what would go in each, names
 * every account with it in its native dialog, then removes only that. One row per account.
 */
export function revokeAwsOrg(plan: Plan): Promise<OrgAccountRow[]> {
  return call<OrgAccountRow[]>("revoke_aws_org", { plan });
}

/** The connectivity test in every listed account (or only in `only`), `onRow` as each account ends. */
export function verifyAwsOrg(
  plan: Plan,
  only: string[] | null,
  onRow: (row: OrgVerifyRow) => void,
  onProbeUpdate: (u: OrgProbeUpdate) => void = () => {},
): Promise<OrgVerifyRow[]> {
  const onEvent = new Channel<OrgVerifyRow>();
  onEvent.onmessage = onRow;
  const onProbe = new Channel<OrgProbeUpdate>();
  onProbe.onmessage = onProbeUpdate;
  return call<OrgVerifyRow[]>("verify_aws_org", { plan, only, onEvent, onProbe });
}

/**
 * Removes the vendor's access on AWS: Rust reads what Trustbridge made (nothing there: nothing is
 * asked, `changes` is empty), names it in its native dialog (Cancel rejects with
 * `revoke.cancelled`), then removes exactly that (`aws.revoke_changed` when the role changed since).
 */
export function revokeAws(plan: Plan): Promise<AwsRevokeResult> {
  return call<AwsRevokeResult>("revoke_aws", { plan });
}

/** Who this computer can act as on Google Cloud and Azure for the plan (null: no sign-in there). */
export function cloudSignIns(plan: Plan): Promise<CloudSignIns> {
  return call<CloudSignIns>("cloud_sign_ins", { plan });
}

/**
 * "Sign in with Google" with the vendor profile's client (`platform`: the plan's vendor): Rust opens Google's page in the browser
 * and resolves, with who signed in, when it comes back (rejects with `sign_in.cancelled` after
 * `cloudSignInCancel`). The credential stays in Rust's memory.
 */
export function gcpSignIn(platform: string): Promise<string> {
  return call<string>("gcp_sign_in", { platform });
}

/**
 * What Google Cloud shows the window's sign-in (else this computer's gcloud application-default
 * login): the projects, or a project's buckets or topics, names only — for the pick lists.
 */
export function gcpList(what: GcpList): Promise<GcpListing> {
  return call<GcpListing>("gcp_list", { what });
}

/** Starts the Azure device sign-in with the vendor profile's client (`tenant`: the one answered, else any work or school account): the code to show. */
export function azureSignInStart(platform: string, tenant: string | null): Promise<AzureDevice> {
  return call<AzureDevice>("azure_sign_in_start", { platform, tenant });
}

/**
 * What Resource Manager shows the window's Azure sign-in (subscriptions, resource groups, storage
 * accounts, containers, topics), names only, and the sign-in's tenant — for the pick lists.
 */
export function azureList(what: AzureListRequest): Promise<AzureListing> {
  return call<AzureListing>("azure_list", { what });
}

/** Opens Microsoft's page of the device sign-in under way. */
export function azureSignInOpen(): Promise<void> {
  return call("azure_sign_in_open");
}

/** Resolves, with who signed in, once the person entered the code on Microsoft's page. */
export function azureSignInWait(): Promise<string> {
  return call<string>("azure_sign_in_wait");
}

/**
 * Creates the vendor's key (Google Cloud) or client secret (Azure) as the window's sign-in, after
 * the person's yes in a native dialog Rust raises (Cancel rejects with `credentials.cancelled`),
 * straight into the OS keyring: resolves with its status, never the secret.
 */
export function createCloudCredentials(plan: Plan, cloud: ApiCloud): Promise<CredentialStatus> {
  return call<CredentialStatus>("create_cloud_credentials", { plan, cloud });
}

/** Ends a Google or Azure sign-in under way. */
export function cloudSignInCancel(): Promise<void> {
  return call("cloud_sign_in_cancel");
}

/** Forgets the Google and Azure sign-ins made in the window. */
export function cloudSignOut(): Promise<void> {
  return call("cloud_sign_out");
}

/**
 * A dry run (`dryRun`) or an apply of the plan's Google Cloud or Azure section with this
 * computer's sign-in. Applying for real is confirmed in a native dialog raised by Rust; Cancel
 * rejects with `apply.cancelled` and nothing is applied. On Google Cloud, an organization policy
 * that would stop the vendor rejects with `gcp.preflight_blocked` unless `ignorePreflight`.
 */
export function applyCloud(
  plan: Plan,
  cloud: ApiCloud,
  dryRun: boolean,
  withCredentials = false,
  ignorePreflight = false,
): Promise<CloudApplyResult> {
  return call<CloudApplyResult>("apply_cloud", { plan, cloud, dryRun, withCredentials, ignorePreflight });
}

/**
 * Removes the vendor's access on Google Cloud or Azure with this computer's sign-in: Rust finds
 * what Trustbridge made for this integration (a dry run), asks in a native dialog naming exactly
 * that (nothing found: nothing asked), removes it and deletes the vendor's key or client secret
 * from the keyring. Cancel rejects with `revoke.cancelled` and nothing is removed.
 */
export function revokeCloud(plan: Plan, cloud: ApiCloud): Promise<CloudApplyResult> {
  return call<CloudApplyResult>("revoke_cloud", { plan, cloud });
}

/**
 * Asks the person to confirm applying `plan` in a native dialog raised by Rust (the text is built
 * there from the validated plan). Resolves when they chose Apply (the next `applyAws` of exactly
 * this plan then asks nothing more); rejects with `apply.cancelled` when they did not.
 */
export function confirmApply(plan: Plan, adopt: boolean, ignorePreflight = false): Promise<void> {
  return call<void>("confirm_apply", { plan, adopt, ignorePreflight });
}

/**
 * Runs the connectivity test for every cloud in the plan. `onUpdate` is called live as each probe
 * starts and finishes; resolves with every result.
 */
export function verifyPlan(plan: Plan, onUpdate: (update: ProbeUpdate) => void): Promise<VerifyReport> {
  const onEvent = new Channel<ProbeUpdate>();
  onEvent.onmessage = onUpdate;
  return call<VerifyReport>("verify_plan", { plan, onEvent });
}

/**
 * Sends a GCP key / Azure service-principal JSON to Rust ONCE: it is validated against the plan,
 * stored in the OS keyring and never sent back. Resolves with the fingerprint only.
 */
export function storeCredentials(plan: Plan, kind: SecretKind, json: string): Promise<CredentialStatus> {
  return call<CredentialStatus>("store_credentials", { plan, kind, json });
}

/** Whether each cloud's credentials are stored (GCP and Azure sections of the plan), with fingerprints. */
export function credentialsStatus(plan: Plan): Promise<CredentialStatus[]> {
  return call<CredentialStatus[]>("credentials_status", { plan });
}

/** Presenter mode on or off, for the native dialogs Rust raises (they hide identifiers as the page does). */
export function setPresenter(on: boolean): Promise<void> {
  return call<void>("set_presenter", { on });
}

/** Whether the vendor's API key is stored in the OS keyring for this integration (a digest only). */
export function vendorKeyStatus(platform: string, integration: string, apiUrl: string | null): Promise<CredentialStatus> {
  return call<CredentialStatus>("vendor_key_status", { platform, integration, apiUrl });
}

/**
 * The vendor's projects the API key may see (the pick list on "Connect to {vendor}"): `key` as
 * typed on the page (checked in Rust and dropped, never stored by this call), or null for the stored one.
 */
export function vendorProjects(platform: string, integration: string, apiUrl: string | null, key: string | null): Promise<VendorProject[]> {
  return call<VendorProject[]>("vendor_projects", { platform, integration, apiUrl, key });
}

/**
 * Registers the plan's `clouds` (none: all) with the vendor's API, with the API key and the GCP /
 * Azure credentials from the OS keyring (they never pass through the webview). Resolves with what
 * happened and the plan with the vendor's ids (and, for AWS, the external id it issued) recorded.
 */
export function registerVendor(plan: Plan, clouds: readonly Cloud[], dryRun: boolean): Promise<RegisterResult> {
  return call<RegisterResult>("register_vendor", { plan, clouds, dryRun });
}
