// Profiles shaped like the built-in ones, and answers for many AWS accounts (for unit tests).
import type { ProfileSummary } from "../ipc/bindings/ProfileSummary";
import { applyProfileDefaults, emptyAnswers, emptyOrg, type Answers, type OrgAnswers } from "./answers";

export const MLCUBE: ProfileSummary = {
  id: "mlcube",
  display_name: "ML cube Platform",
  description: "",
  clouds: ["aws", "gcp", "azure"],
  defaults: {
    aws_role_name: "mlcube-platform-access",
    aws_external_id: "required",
    aws_vendor_account_from_plan: false,
    aws_publishes_events: true,
    gcp_service_account: "ml3-platform-sa",
    gcp_publishes_events: true,
    gcp_keyless: false,
    gcp_sign_in: false,
    azure_service_principal_name: "ML3PlatformSP",
    azure_publishes_events: true,
    azure_keyless: false,
    azure_sign_in: false,
    gcp_bucket_roles: ["Storage Object Viewer"],
    gcp_topic_roles: ["Pub/Sub Publisher"],
    azure_container_roles: ["Storage Blob Data Reader"],
    azure_topic_roles: ["EventGrid Data Sender"],
  },
  registration: {
    vendor_issues_external_id: true,
    needs_api_url: true,
    api_url: null,
    api_key_help: "Create an API key in the ML cube Platform web app.",
    uploads_gcp: true,
    uploads_azure: true,
  },
};

export const JFROG: ProfileSummary = {
  id: "jfrog-ml",
  display_name: "JFrog ML",
  description: "",
  clouds: ["aws"],
  defaults: {
    aws_role_name: "qwak-access-role",
    aws_external_id: "none",
    aws_vendor_account_from_plan: false,
    aws_publishes_events: false,
    gcp_service_account: null,
    gcp_publishes_events: false,
    gcp_keyless: false,
    gcp_sign_in: false,
    azure_service_principal_name: null,
    azure_publishes_events: false,
    azure_keyless: false,
    azure_sign_in: false,
    gcp_bucket_roles: [],
    gcp_topic_roles: [],
    azure_container_roles: [],
    azure_topic_roles: [],
  },
  registration: null,
};

export const CUSTOM: ProfileSummary = {
  id: "custom",
  display_name: "Custom vendor",
  description: "",
  clouds: ["aws", "gcp", "azure"],
  defaults: {
    aws_role_name: "vendor-platform-access",
    aws_external_id: "optional",
    aws_vendor_account_from_plan: true,
    aws_publishes_events: true,
    gcp_service_account: "vendor-platform-sa",
    gcp_publishes_events: true,
    gcp_keyless: true,
    gcp_sign_in: false,
    azure_service_principal_name: "VendorPlatformSP",
    azure_publishes_events: true,
    azure_keyless: true,
    azure_sign_in: false,
    gcp_bucket_roles: ["Storage Object Viewer"],
    gcp_topic_roles: ["Pub/Sub Publisher"],
    azure_container_roles: ["Storage Blob Data Reader"],
    azure_topic_roles: ["EventGrid Data Sender"],
  },
  registration: null,
};

/** Two member accounts of the tests' organization. */
export const MEMBER_A = "210987654321";
export const MEMBER_B = "345678901234";

/** JFrog ML's answers for many AWS accounts, signed in to the management account 123456789012. */
export function orgAnswersWith(org: Partial<OrgAnswers>): Answers {
  const a = emptyAnswers();
  a.platform = "jfrog-ml";
  applyProfileDefaults(a, JFROG, null);
  a.clouds = ["aws"];
  a.integration.project_id = "p";
  a.aws.account_id = "123456789012";
  a.aws.org = { ...emptyOrg(), on: true, ...org };
  return a;
}
