// The Google Cloud + Azure world of the apply scripts (cloud-apply, cloud-signin): the project,
// tenant, subscription and scopes the rig's doubles hold, and the wizard's answers for them, typed
// like a person from the clouds question to the export page.

export const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
export const PROJECT = "ml-data-123456";
export const SA_EMAIL = `ml3-platform-sa@${PROJECT}.iam.gserviceaccount.com`;
export const CONTAINER_SCOPE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/ml-rg/providers/Microsoft.Storage/storageAccounts/devstoreaccount1/blobServices/default/containers/training`;
export const TOPIC_SCOPE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/ml-rg/providers/Microsoft.EventGrid/topics/retrain-events`;
export const STORAGE_ACCOUNT = "devstoreaccount1"; // Azurite's account (the rig's data plane)
export const AZURE_CONTAINER = "training";
export const AZURE_TOPIC = "retrain-events";
export const ML_PROJECT = "churn";
export const BUCKET = "churn-training-data";
export const GCP_TOPIC = "retrain-requests";

/** From the start page's integration name to the export page: both clouds, one bucket and topic each,
 *  the vendor's API URL (unless `vendorUrl` is null) and key. */
export async function answerGcpAndAzure(f, { name, vendorUrl, apiKey }) {
  await answerClouds(f, { name, vendorUrl, apiKey, clouds: ["gcp", "azure"] });
}

/** The same for `clouds` (Google Cloud, Azure or both), typed like a person. */
export async function answerClouds(f, { name, vendorUrl, apiKey, clouds }) {
  const gcp = clouds.includes("gcp");
  const azure = clouds.includes("azure");
  await f.fill("integration.name", name);
  await f.continue("clouds");
  if (gcp) await f.choose("Google Cloud");
  if (azure) await f.choose("Azure");
  if (gcp) {
    await f.continue("gcp-identity");
    await f.fill("gcp.project_id", PROJECT);
    await f.continue("gcp-storage");
    await f.fill("gcp.storage[0].bucket", BUCKET);
    await f.continue("gcp-events");
    await f.fill("gcp.events[0].topic", GCP_TOPIC);
  }
  if (azure) {
    await f.continue("azure-identity");
    await f.fill("azure.tenant_id", TENANT);
    await f.fill("azure.subscription_id", SUBSCRIPTION);
    await f.fill("azure.resource_group", "ml-rg");
    await f.continue("azure-storage");
    await f.fill("azure.storage[0].storage_account", STORAGE_ACCOUNT);
    await f.fill("azure.storage[0].container", AZURE_CONTAINER);
    await f.continue("azure-events");
    await f.fill("azure.events[0].topic", AZURE_TOPIC);
  }
  await f.continue("vendor");
  // null: the vendor's address is its profile's (or TRUSTBRIDGE_VENDOR_API_URL's), not typed.
  if (vendorUrl) await f.fill("integration.api_url", vendorUrl);
  await f.typeInto("#f-vendor-api-key", apiKey);
  await f.projectListed(ML_PROJECT);
  await f.continue("check");
  await f.continue("export");
}
