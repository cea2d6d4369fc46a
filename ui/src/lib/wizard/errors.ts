// Field labels and the sentence shown for a validation problem. Rust decides what is wrong (by
// field and code); this only words it for a person. Pure.
import type { IpcError } from "../ipc/bindings/IpcError";

const LABELS: Record<string, string> = {
  platform: "platform",
  "integration.name": "integration name",
  "integration.project_id": "project ID on the platform",
  "integration.api_url": "platform's API URL",
  "vendor.api_key": "API key",
  clouds: "cloud",
  "aws.account_id": "AWS account ID",
  "aws.region": "AWS region",
  "aws.role_name": "role name",
  "aws.role_path": "role path",
  "aws.partition": "AWS partition",
  "aws.permissions_boundary_arn": "permissions boundary",
  "aws.external_id": "external ID",
  "aws.vendor.account_id": "vendor's AWS account ID",
  "aws.vendor.principal_patterns": "vendor role patterns",
  "gcp.project_id": "Google Cloud project ID",
  "gcp.service_account": "service account ID",
  "gcp.workload_identity": "sign-in method",
  "gcp.workload_identity.vendor_aws_account_id": "vendor's AWS account ID",
  "gcp.workload_identity.vendor_role_name": "vendor's IAM role name",
  "gcp.workload_identity.pool_id": "workload identity pool ID",
  "azure.vendor_app_id": "vendor's application (client) ID",
  "azure.tenant_id": "tenant ID",
  "azure.subscription_id": "subscription ID",
  "azure.resource_group": "resource group",
  "azure.service_principal_name": "service principal name",
  "aws.storage": "buckets",
  "aws.events": "event buses",
  "aws.trust_policy": "trust policy",
  "gcp.storage": "buckets",
  "gcp.events": "topics",
  "azure.storage": "containers",
  "azure.events": "topics",
  plan: "clouds",
  aws: "AWS",
  gcp: "Google Cloud",
  azure: "Azure",
};

const LIST_ITEMS: Record<string, string> = {
  "aws.storage": "bucket",
  "aws.events": "event bus",
  "gcp.storage": "bucket",
  "gcp.events": "topic",
  "azure.storage": "container",
  "azure.events": "topic",
};

const ROW_LABELS: Record<string, string> = {
  "aws.storage.bucket": "bucket name",
  "aws.storage.prefix": "prefix",
  "aws.storage.kms_key_arn": "KMS key ARN",
  "aws.events.event_bus_name": "event bus name",
  "gcp.storage.bucket": "bucket name",
  "gcp.events.topic": "topic name",
  "azure.storage.storage_account": "storage account",
  "azure.storage.container": "container name",
  "azure.events.topic": "topic name",
};

/** A lower-case label for a field path, e.g. `aws.storage[1].bucket` → "bucket name (2)". */
export function labelFor(path: string): string {
  if (LABELS[path]) return LABELS[path];
  const m = /^(\w+)\.(\w+)\[(\d+)\]\.(\w+)$/.exec(path);
  if (m) {
    const label = ROW_LABELS[`${m[1]}.${m[2]}.${m[4]}`] ?? m[4];
    return Number(m[3]) === 0 ? label : `${label} (${Number(m[3]) + 1})`;
  }
  const item = /^(\w+\.\w+)\[(\d+)\]$/.exec(path);
  if (item && LIST_ITEMS[item[1]]) return `${LIST_ITEMS[item[1]]} ${Number(item[2]) + 1}`;
  return path;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * The sentence for one validation problem. `value` is what the person typed at that field
 * (empty → "Enter the …"), `input` the field the error is shown at.
 */
export function fieldMessage(error: IpcError, input: string | null, value: string): string {
  if (input && value.trim() === "" && error.code.startsWith("validation.") && error.field === input) {
    if (input === "platform") return "Select the platform you are connecting";
    return `Enter the ${labelFor(input)}`;
  }
  let text = error.message;
  // Rust words problems as `field.path: rule (got 'value')`: show a label instead of the path.
  if (error.field && text.startsWith(`${error.field}: `)) {
    text = `${capitalise(labelFor(error.field))}: ${text.slice(error.field.length + 2)}`;
  }
  return text;
}
