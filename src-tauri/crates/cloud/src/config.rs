//! Every environment variable Trustbridge reads, in one table ([`ENV`]), and the one way the cloud
//! crate reads them ([`var`]). The README's "Environment variables" table is this table (a test
//! compares them), and a test fails when source code reads a variable that is not listed here.
//!
//! Environment variables are input like any other: endpoint overrides pass the credential-URL
//! rule before anything is sent (the settings' `check`), and a problem is returned as a warning or
//! an error, never printed by this library.

/// One environment variable: its name, who reads it, and what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvVar {
    pub name: &'static str,
    /// `aws`, `gcp`, `azure`, `vendor`, `all` (every HTTP cloud), `app` (the window), `cli`.
    pub scope: &'static str,
    pub meaning: &'static str,
}

/// Every variable Trustbridge itself reads. The AWS SDK reads its own (`AWS_PROFILE`,
/// `AWS_REGION`, `AWS_ENDPOINT_URL`, SSO, `credential_process`, …) as documented by AWS; the two
/// listed here are the ones Trustbridge's code reads directly.
pub const ENV: &[EnvVar] = &[
    EnvVar { name: "AWS_PROFILE", scope: "aws", meaning: "the AWS profile whose credentials apply, verify and revoke use (the SDK's default chain otherwise)" },
    EnvVar { name: "AWS_ENDPOINT_URL_S3", scope: "aws", meaning: "an S3 endpoint override (emulators): S3 is then addressed path-style" },
    EnvVar { name: "TRUSTBRIDGE_AWS_SSO_ENDPOINT_URL", scope: "aws", meaning: "the window's AWS access portal sign-in: one endpoint for IAM Identity Center's OIDC and portal APIs instead of AWS's (a test double); https, or http to loopback" },
    EnvVar { name: "TRUSTBRIDGE_AWS_ORG_PROFILE", scope: "aws", meaning: "pre-flight: an AWS profile of the organization's management (or delegated administrator) account, to read the service control policies (`--org-profile`)" },
    EnvVar { name: "TRUSTBRIDGE_VENDOR_PROFILE", scope: "aws", meaning: "demo/support mode: an AWS profile of the vendor, for the vendor-side probes (AssumeRole with the external id)" },
    EnvVar { name: "TRUSTBRIDGE_VENDOR_ACCESS_KEY_ID", scope: "aws", meaning: "demo/support mode: the vendor's access key id (with the secret key below), instead of a profile" },
    EnvVar { name: "TRUSTBRIDGE_VENDOR_SECRET_ACCESS_KEY", scope: "aws", meaning: "demo/support mode: the vendor's secret access key" },
    EnvVar { name: "TRUSTBRIDGE_VENDOR_SESSION_TOKEN", scope: "aws", meaning: "demo/support mode: the vendor's session token, for temporary credentials" },
    EnvVar { name: "STORAGE_EMULATOR_HOST", scope: "gcp", meaning: "the Cloud Storage endpoint (Google's client libraries' emulator variable); https, or http to loopback only" },
    EnvVar { name: "PUBSUB_EMULATOR_HOST", scope: "gcp", meaning: "the Pub/Sub endpoint (Google's emulator variable); https, or http to loopback only" },
    EnvVar { name: "TRUSTBRIDGE_GCP_TOKEN_URI", scope: "gcp", meaning: "the OAuth token endpoint instead of the key's token_uri; https, or http to loopback only" },
    EnvVar { name: "TRUSTBRIDGE_GCP_AUTH_URI", scope: "gcp", meaning: "Google's OAuth authorization page that \"Sign in with Google\" opens; https, or http to loopback only" },
    EnvVar { name: "GOOGLE_APPLICATION_CREDENTIALS", scope: "gcp", meaning: "apply and revoke on Google Cloud: the Application Default Credentials file to act with (Google's own variable); otherwise gcloud's `application_default_credentials.json`" },
    EnvVar { name: "HOME", scope: "gcp", meaning: "the home folder, where gcloud's configuration folder (~/.config/gcloud) is looked for when CLOUDSDK_CONFIG is not set" },
    EnvVar { name: "CLOUDSDK_CONFIG", scope: "gcp", meaning: "gcloud's configuration folder (gcloud's own variable), where the Application Default Credentials file is looked for; otherwise ~/.config/gcloud" },
    EnvVar { name: "TRUSTBRIDGE_GCP_IAM_ENDPOINT", scope: "gcp", meaning: "the IAM API root for apply and revoke (a test double); https, or http to loopback only" },
    EnvVar { name: "TRUSTBRIDGE_GCP_RESOURCE_MANAGER_ENDPOINT", scope: "gcp", meaning: "the Cloud Resource Manager API root for apply and revoke (a test double); https, or http to loopback only" },
    EnvVar { name: "TRUSTBRIDGE_GCP_ORG_POLICY_ENDPOINT", scope: "gcp", meaning: "the Organization Policy API root for pre-flight (a test double); https, or http to loopback only" },
    EnvVar { name: "TRUSTBRIDGE_GCP_ASSET_ENDPOINT", scope: "gcp", meaning: "the Cloud Asset API root for apply and revoke, which search it for the vendor's grants on buckets of other projects (a test double); https, or http to loopback only" },
    EnvVar { name: "AZURE_AUTHORITY_HOST", scope: "azure", meaning: "the Entra ID authority (sovereign clouds, tests); https, or http to loopback only" },
    EnvVar { name: "TRUSTBRIDGE_AZURE_BLOB_ENDPOINT", scope: "azure", meaning: "the Blob endpoint (Azurite); `{account}` is replaced by the storage account" },
    EnvVar { name: "TRUSTBRIDGE_AZURE_MANAGEMENT_ENDPOINT", scope: "azure", meaning: "the Resource Manager endpoint" },
    EnvVar { name: "TRUSTBRIDGE_AZURE_GRAPH_ENDPOINT", scope: "azure", meaning: "the Microsoft Graph endpoint for apply and revoke (a test double); https, or http to loopback only" },
    EnvVar { name: "AZURE_TENANT_ID", scope: "azure", meaning: "apply and revoke on Azure as a service principal (the Azure SDKs' variable), with the two below; otherwise the Azure CLI's sign-in (`az account get-access-token`)" },
    EnvVar { name: "AZURE_CLIENT_ID", scope: "azure", meaning: "that service principal's application (client) id" },
    EnvVar { name: "AZURE_CLIENT_SECRET", scope: "azure", meaning: "that service principal's client secret (read into memory, never written or shown)" },
    EnvVar { name: "PATH", scope: "azure", meaning: "where the Azure CLI (`az`) is found, for apply's Azure sign-in without the AZURE_* variables (the window offers Apply on Azure only when it is there)" },
    EnvVar { name: "TRUSTBRIDGE_AZURE_EVENTGRID_ENDPOINTS", scope: "azure", meaning: "Event Grid topic endpoints, `topic=https://…` separated by commas, instead of asking Resource Manager" },
    EnvVar { name: "TRUSTBRIDGE_VENDOR_API_URL", scope: "vendor", meaning: "the vendor's registration API, instead of the plan's integration.api_url" },
    EnvVar { name: "TRUSTBRIDGE_CA_FILE", scope: "all", meaning: "extra trusted CA certificates (PEM) for Google Cloud, Azure and the vendor's API (a TLS-inspecting proxy, an emulator); unreadable → a warning, none trusted" },
    EnvVar { name: "TRUSTBRIDGE_SIGNING_KEY_PASSWORD", scope: "cli", meaning: "the password of the vendor's profile-signing key (`trustbridge profile sign|keygen`); otherwise asked at the terminal" },
    EnvVar { name: "WEBKIT_DISABLE_DMABUF_RENDERER", scope: "app", meaning: "WebKitGTK's own; set to 1 by the window unless already set (saves ≈80 MB for a form-only window)" },
    EnvVar { name: "WEBKIT_DISABLE_COMPOSITING_MODE", scope: "app", meaning: "WebKitGTK's own; set to 1 by the window unless already set" },
];

/// A variable's value; empty or whitespace-only counts as unset. In debug builds, reading a
/// variable that is not in [`ENV`] is a bug (the table must stay complete).
pub fn var(name: &str) -> Option<String> {
    debug_assert!(ENV.iter().any(|v| v.name == name), "environment variable {name} is not in config::ENV");
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Extra trust roots from `TRUSTBRIDGE_CA_FILE`, and a warning when it is set but unreadable.
pub fn extra_roots() -> (Vec<Vec<u8>>, Option<String>) {
    let Some(path) = var("TRUSTBRIDGE_CA_FILE") else { return (Vec::new(), None) };
    match std::fs::read(&path) {
        Ok(pem) => (vec![pem], None),
        Err(e) => (Vec::new(), Some(format!("TRUSTBRIDGE_CA_FILE {path}: {e}; no extra CA certificate is trusted"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `"NAME"` a source file of this workspace passes to an environment read is in [`ENV`]
    /// (the files are read from disk, so a new read without a table row fails here).
    #[test]
    fn the_table_lists_every_variable_the_code_reads() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut missing = Vec::new();
        let mut files = Vec::new();
        for dir in ["crates/cloud/src", "crates/secrets/src", "crates/app/src", "src"] {
            collect(&root.join(dir), &mut files);
        }
        assert!(files.len() > 20, "found the sources: {}", files.len());
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for (i, line) in text.lines().enumerate() {
                let reads = ["env::var(\"", "env::var_os(\"", "config::var(\"", " var(\""];
                for r in reads {
                    let mut rest = line;
                    while let Some(at) = rest.find(r) {
                        let tail = &rest[at + r.len()..];
                        let name: String = tail.chars().take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_').collect();
                        if name.len() > 3 && !ENV.iter().any(|v| v.name == name) && !line.trim_start().starts_with("//") {
                            missing.push(format!("{}:{}: {name}", f.display(), i + 1));
                        }
                        rest = tail;
                    }
                }
            }
        }
        assert!(missing.is_empty(), "read but not in config::ENV: {missing:#?}");
    }

    /// Every environment read goes through [`var`] (so the table above and the test before see it):
    /// no `std::env::var`, `var_os` or `home_dir` anywhere else in the library and app code.
    #[test]
    fn nothing_reads_the_environment_around_the_table() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = Vec::new();
        for dir in ["crates/cloud/src", "crates/core/src", "crates/secrets/src", "crates/app/src", "src"] {
            collect(&root.join(dir), &mut files);
        }
        let this = std::path::Path::new(file!()).file_name().unwrap();
        let mut around = Vec::new();
        for f in files.iter().filter(|f| f.file_name() != Some(this)) {
            let text = std::fs::read_to_string(f).unwrap();
            for (i, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                if ["env::var(", "env::var_os(", "env::home_dir("].iter().any(|r| code.contains(r)) {
                    around.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
                }
            }
        }
        assert!(around.is_empty(), "environment read around config::var: {around:#?}");
    }

    fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                collect(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    /// The README documents exactly this table (name and scope, in this order).
    #[test]
    fn the_readme_table_is_this_table() {
        let readme = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../README.md")).unwrap();
        let section = readme.split("### Environment variables").nth(1).expect("README has an Environment variables section");
        let rows: Vec<(String, String)> = section
            .lines()
            .skip_while(|l| !l.starts_with("| `"))
            .take_while(|l| l.starts_with("| `"))
            .map(|l| {
                let cells: Vec<&str> = l.split('|').map(str::trim).collect();
                (cells[1].trim_matches('`').to_string(), cells[2].to_string())
            })
            .collect();
        let want: Vec<(String, String)> = ENV.iter().map(|v| (v.name.to_string(), v.scope.to_string())).collect();
        assert_eq!(rows, want, "README's table differs from config::ENV");
    }
}
