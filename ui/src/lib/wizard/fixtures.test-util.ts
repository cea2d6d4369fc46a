// Profiles shaped like the built-in ones (for unit tests).
import type { ProfileSummary } from "../ipc/bindings/ProfileSummary";

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
    azure_service_principal_name: "ML3PlatformSP",
    azure_publishes_events: true,
    azure_keyless: false,
  },
  registration: {
    vendor_issues_external_id: true,
    needs_api_url: true,
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
    azure_service_principal_name: null,
    azure_publishes_events: false,
    azure_keyless: false,
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
    azure_service_principal_name: "VendorPlatformSP",
    azure_publishes_events: true,
    azure_keyless: true,
  },
  registration: null,
};
