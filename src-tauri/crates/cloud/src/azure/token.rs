//! Microsoft Entra client-credentials grant (OAuth 2.0 v2 endpoint), authority overridable.

use trustbridge_secrets::{AzureClientSecret, Sensitive};

use crate::http::{check_endpoint, form, request_token, snippet};
use crate::probe::{Cloud, Code, Kind, Outcome};

pub const STORAGE_SCOPE: &str = "https://storage.azure.com/.default";
pub const EVENTGRID_SCOPE: &str = "https://eventgrid.azure.net/.default";
pub const MANAGEMENT_SCOPE: &str = "https://management.azure.com/.default";

/// The fix for a rejected or expired secret.
pub fn reset_fix(app_id: &str) -> String {
    format!(
        "make a new client secret (`az ad app credential reset --id {app_id} --display-name trustbridge`) and store the JSON it prints (`… | trustbridge secrets set --plan PLAN --kind azure`); then remove the old secret"
    )
}

/// Gets an access token for `scope`. On failure: the probe outcome to report.
pub async fn access_token(
    http: &reqwest::Client,
    authority: &str,
    secret: &AzureClientSecret,
    scope: &str,
) -> Result<Sensitive<String>, Outcome> {
    let url = format!("{}/{}/oauth2/v2.0/token", authority.trim_end_matches('/'), secret.tenant);
    if let Err(why) = check_endpoint(&url) {
        return Err(Outcome::fail(
            Code::azure(Kind::Authority),
            format!("authority: {why}"),
            "use https://login.microsoftonline.com (or your cloud's https authority)",
        ));
    }
    let body = Sensitive::new(form(&[
        ("client_id", &secret.app_id),
        ("client_secret", secret.password().expose()),
        ("scope", scope),
        ("grant_type", "client_credentials"),
    ]));
    let refused = match request_token(http, &url, &body, Cloud::Azure, "check the authority URL").await? {
        Ok(token) => return Ok(token),
        Err(r) => r,
    };
    let status = refused.status;
    let v = refused.body;
    let text = refused.text;
    let desc = v["error_description"].as_str().unwrap_or_default();
    let first_line = desc.lines().next().unwrap_or_default().to_string();
    let codes: Vec<i64> = v["error_codes"].as_array().map(|a| a.iter().filter_map(|c| c.as_i64()).collect()).unwrap_or_default();
    let has = |c: i64| codes.contains(&c) || desc.contains(&format!("AADSTS{c}:"));
    let app = &secret.app_id;
    let tenant = &secret.tenant;
    Err(if has(7000215) {
        Outcome::fail(
            Code::azure(Kind::SecretRejected),
            format!("Entra ID rejected the client secret of app {app} ({first_line})"),
            reset_fix(app),
        )
    } else if has(7000222) {
        Outcome::fail(
            Code::azure(Kind::SecretExpired),
            format!("the client secret of app {app} has expired ({first_line})"),
            reset_fix(app),
        )
    } else if has(700016) || has(7000229) {
        Outcome::fail(
            Code::azure(Kind::AppNotFound),
            format!("app {app} has no service principal in tenant {tenant} ({first_line})"),
            format!("check the tenant (`az ad sp show --id {app}`); if the app is multi-tenant, create its service principal here: `az ad sp create --id {app}`"),
        )
    } else if has(90002) || has(900023) {
        Outcome::fail(
            Code::azure(Kind::TenantNotFound),
            format!("tenant {tenant} was not found ({first_line})"),
            "check azure.tenant_id in the plan: `az account show --query tenantId -o tsv`",
        )
    } else {
        Outcome::fail(
            Code::azure(Kind::TokenFailed),
            format!("the token endpoint answered {status}: {}", snippet(&text)),
            "check the authority URL and your network; then run the test again",
        )
    })
}
