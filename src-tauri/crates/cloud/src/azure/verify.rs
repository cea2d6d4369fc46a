//! The Azure connectivity test with the customer's service-principal secret.
//!
//! 1. `azure:credentials` — the secret's tenant is the plan's, and the client-credentials grant
//!    returns tokens (storage, and Event Grid when the plan has topics).
//! 2. `azure:container:<account>/<container>` — listing one blob works (proves Storage Blob Data Reader).
//! 3. `azure:topic:<name>` — one test event (`Trustbridge.ConnectivityTest`) is accepted by the topic
//!    (proves EventGrid Data Sender). The topic endpoint comes from [`AzureSettings::event_grid_endpoints`]
//!    or is looked up through Azure Resource Manager.
//!
//! Probes run concurrently once there is a token, each under its own timeout. Every failure names
//! the exact `az` command that fixes it.

use std::future::Future;
use std::pin::Pin;
use std::time::{SystemTime, UNIX_EPOCH};

use trustbridge_core::validate::{Resolved, ResolvedAzure};
use trustbridge_secrets::{AzureClientSecret, Sensitive};

use super::time::{http_date, rfc3339};
use super::token;
use super::AzureSettings;
use crate::error::CloudError;
use crate::http::{self, check_endpoint, describe_reqwest, enc, snippet};
use crate::probe::{run as probe, Check, Cloud, Code, Kind, Outcome, ProbeId, ProbeResult, Progress};

/// The Blob service version sent (bearer tokens need 2017-11-09 or later).
pub const BLOB_API_VERSION: &str = "2021-12-02";
/// Event Grid data-plane API version.
pub const EVENTGRID_API_VERSION: &str = "2018-01-01";
/// The event type of the connectivity test's one event.
pub const TEST_EVENT_TYPE: &str = "Trustbridge.ConnectivityTest";

/// The az command that assigns `role` to the app on `scope`.
pub fn role_cmd(app_id: &str, role: &str, scope: &str) -> String {
    format!("az role assignment create --assignee-object-id $(az ad sp show --id {app_id} --query id -o tsv) --assignee-principal-type ServicePrincipal --role \"{role}\" --scope {scope}")
}

/// Runs the Azure connectivity test with `secret` (from the keyring).
pub async fn verify(
    r: &Resolved,
    secret: &AzureClientSecret,
    settings: &AzureSettings,
    progress: Progress<'_>,
) -> Result<Vec<ProbeResult>, CloudError> {
    let z = r.azure.as_ref().ok_or(CloudError::NoSection { cloud: "azure" })?;
    let t = settings.timeout;
    let http = match http::client(t, &settings.extra_roots_pem) {
        Ok(c) => c,
        Err(m) => {
            let o = Outcome::fail(Code::azure(Kind::Tls), m, "check the extra CA certificate (PEM) you configured");
            return Ok(vec![probe(ProbeId::new(Cloud::Azure, Check::Credentials), t, progress, async { o }).await]);
        }
    };
    let mut storage_token: Option<Sensitive<String>> = None;
    let mut eg_token: Option<Sensitive<String>> = None;
    let cred = probe(ProbeId::new(Cloud::Azure, Check::Credentials), t, progress, async {
        if let Err(why) = settings.check() {
            return Outcome::fail(
                Code::azure(Kind::Endpoint),
                why,
                "correct or unset the variable named above: credentials go only to https URLs, or over plain http to 127.0.0.1, [::1] or localhost (emulators and test doubles), never to a URL with a user name or password",
            );
        }
        if let Err(e) = secret.check_plan(&z.tenant_id) {
            return Outcome::Fail { code: Some(e.error_code().into()), message: e.to_string(), fix: e.fix() };
        }
        if !z.containers.is_empty() || z.topics.is_empty() {
            match token::access_token(&http, &settings.authority, secret, token::STORAGE_SCOPE).await {
                Ok(tk) => storage_token = Some(tk),
                Err(o) => return o,
            }
        }
        if !z.topics.is_empty() {
            match token::access_token(&http, &settings.authority, secret, token::EVENTGRID_SCOPE).await {
                Ok(tk) => eg_token = Some(tk),
                Err(o) => return o,
            }
        }
        Outcome::Pass(format!("signed in as app {} in tenant {}", secret.app_id, secret.tenant))
    })
    .await;
    let ok = cred.status == crate::probe::ProbeStatus::Pass;
    let mut results = vec![cred];
    if !ok {
        let why = "skipped: no access token (see azure:credentials)";
        for (a, c) in &z.containers {
            results.push(
                probe(ProbeId::on(Cloud::Azure, Check::Container, format!("{a}/{c}")), t, progress, async { Outcome::Skip(why.into()) })
                    .await,
            );
        }
        for tp in &z.topics {
            results
                .push(probe(ProbeId::on(Cloud::Azure, Check::Topic, tp.as_str()), t, progress, async { Outcome::Skip(why.into()) }).await);
        }
        return Ok(results);
    }
    type Boxed<'a> = Pin<Box<dyn Future<Output = ProbeResult> + Send + 'a>>;
    let mut probes: Vec<Boxed<'_>> = Vec::new();
    let http = &http;
    if let Some(tok) = storage_token.as_ref() {
        for (a, c) in &z.containers {
            probes.push(Box::pin(probe(
                ProbeId::on(Cloud::Azure, Check::Container, format!("{a}/{c}")),
                t,
                progress,
                container(http, settings, tok, z, secret, a, c),
            )));
        }
    }
    if let Some(tok) = eg_token.as_ref() {
        for tp in &z.topics {
            probes.push(Box::pin(probe(
                ProbeId::on(Cloud::Azure, Check::Topic, tp.as_str()),
                t,
                progress,
                topic(http, settings, tok, z, secret, tp),
            )));
        }
    }
    results.extend(futures_util::future::join_all(probes).await);
    Ok(results)
}

fn net(what: &str, url: &str, e: &reqwest::Error, fix: &str) -> Outcome {
    Outcome::fail(Code::azure(Kind::Network), format!("{what}: could not reach {url}: {}", describe_reqwest(e)), fix)
}

async fn container(
    http: &reqwest::Client,
    s: &AzureSettings,
    tok: &Sensitive<String>,
    z: &ResolvedAzure,
    secret: &AzureClientSecret,
    account: &str,
    c: &str,
) -> Outcome {
    let url = format!("{}/{}?restype=container&comp=list&maxresults=1", s.blob_base(account), enc(c));
    if let Err(why) = check_endpoint(&url) {
        return Outcome::fail(Code::azure(Kind::Endpoint), why, "set an https blob endpoint");
    }
    let res = format!("container {c} in storage account {account}");
    let resp = http::send_retrying(
        http.get(&url).bearer_auth(tok.expose()).header("x-ms-version", BLOB_API_VERSION).header("x-ms-date", http_date(SystemTime::now())),
    )
    .await;
    let resp = match resp {
        Ok(r) => r,
        Err(e) => {
            return net(
                &res,
                &url,
                &e,
                &format!("check the storage account name ('{account}': `az storage account show --name {account} --query primaryEndpoints.blob`), your network and proxy"),
            )
        }
    };
    let status = resp.status();
    let err_code = resp.headers().get("x-ms-error-code").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let text = resp.text().await.unwrap_or_default();
    let scope = z.container_scope(account, c);
    let role = z.profile.container_roles.first().map(|r| r.name.clone()).unwrap_or_else(|| "Storage Blob Data Reader".into());
    match status.as_u16() {
        200 => Outcome::Pass(format!("listed {res} ({role} works)")),
        404 => Outcome::fail(
            Code::azure(Kind::ContainerNotFound),
            format!("{res} does not exist ({})", if err_code.is_empty() { "404" } else { &err_code }),
            format!("create it (`az storage container create --account-name {account} --name {c} --auth-mode login`) or correct the plan"),
        ),
        403 if err_code == "AuthorizationFailure" && text.contains("network") => Outcome::fail(
            Code::azure(Kind::NetworkRules),
            format!("{res}: the storage account's firewall refused this machine ({err_code})"),
            format!("allow the vendor's network: `az storage account network-rule add --account-name {account} --ip-address ADDRESS`"),
        ),
        403 => Outcome::fail(
            Code::azure(Kind::PermissionMissing),
            format!(
                "{res}: the service principal may not list blobs ({}), it lacks {role}",
                if err_code.is_empty() { "403" } else { &err_code }
            ),
            format!("{} (role assignments can take a few minutes to apply)", role_cmd(&secret.app_id, &role, &scope)),
        ),
        401 => Outcome::fail(
            Code::azure(Kind::TokenRejected),
            format!("{res}: the storage service rejected the token ({err_code}): {}", snippet(&text)),
            "run the test again; if it persists, check the authority and tenant",
        ),
        _ => Outcome::fail(
            Code::azure(Kind::StorageError),
            format!("{res}: {status} {err_code}: {}", snippet(&text)),
            "run the test again; if it persists, check the account in the Azure portal",
        ),
    }
}

async fn topic(
    http: &reqwest::Client,
    s: &AzureSettings,
    tok: &Sensitive<String>,
    z: &ResolvedAzure,
    secret: &AzureClientSecret,
    tp: &str,
) -> Outcome {
    let scope = z.topic_scope(tp);
    let role = z.profile.topic_roles.first().map(|r| r.name.clone()).unwrap_or_else(|| "EventGrid Data Sender".into());
    let create = format!(
        "create it (`az eventgrid topic create --name {tp} --resource-group {} --location LOCATION`) or correct the plan",
        z.resource_group
    );
    let endpoint = match s.event_grid_endpoints.get(tp) {
        Some(e) => e.clone(),
        None => match lookup_endpoint(http, s, z, secret, tp).await {
            Ok(e) => e,
            Err(o) => return o,
        },
    };
    let sep = if endpoint.contains('?') { '&' } else { '?' };
    let url = format!("{endpoint}{sep}api-version={EVENTGRID_API_VERSION}");
    if let Err(why) = check_endpoint(&url) {
        return Outcome::fail(Code::azure(Kind::Endpoint), why, "set the topic's https endpoint");
    }
    let now = SystemTime::now();
    let id = format!("trustbridge-{}", now.duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos());
    let event = serde_json::json!([{
        "id": id,
        "eventType": TEST_EVENT_TYPE,
        "subject": "trustbridge/connectivity-test",
        "eventTime": rfc3339(now),
        "data": {"note": "sent by trustbridge verify to prove the publish permission; safe to ignore"},
        "dataVersion": "1.0"
    }]);
    let resp =
        match http::send_retrying(http.post(&url).bearer_auth(tok.expose()).json(&event)).await {
            Ok(r) => r,
            Err(e) => return net(
                &format!("topic {tp}"),
                &endpoint,
                &e,
                "check the topic endpoint (`az eventgrid topic show --name TOPIC -g RG --query endpoint -o tsv`), your network and proxy",
            ),
        };
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    match status.as_u16() {
        200 => Outcome::Pass(format!("topic {tp} accepted a test event ({TEST_EVENT_TYPE}; {role} works)")),
        401 | 403 => Outcome::fail(
            Code::azure(Kind::PermissionMissing),
            format!("topic {tp}: the service principal may not publish ({status}), it lacks {role}: {}", snippet(&text)),
            format!("{} (role assignments can take a few minutes to apply)", role_cmd(&secret.app_id, &role, &scope)),
        ),
        404 => Outcome::fail(Code::azure(Kind::TopicNotFound), format!("topic {tp} does not exist at {endpoint}"), create),
        _ => Outcome::fail(
            Code::azure(Kind::EventgridError),
            format!("topic {tp}: {status}: {}", snippet(&text)),
            "run the test again; if it persists, check the topic in the Azure portal",
        ),
    }
}

/// The topic's endpoint through Azure Resource Manager (needs read access to the topic).
async fn lookup_endpoint(
    http: &reqwest::Client,
    s: &AzureSettings,
    z: &ResolvedAzure,
    secret: &AzureClientSecret,
    tp: &str,
) -> Result<String, Outcome> {
    let scope = z.topic_scope(tp);
    let tok = token::access_token(http, &s.authority, secret, token::MANAGEMENT_SCOPE).await?;
    let url = format!("{}{scope}?api-version=2022-06-15", s.management_endpoint.trim_end_matches('/'));
    if let Err(why) = check_endpoint(&url) {
        return Err(Outcome::fail(Code::azure(Kind::Endpoint), why, "set an https management endpoint"));
    }
    let resp = http::send_retrying(http.get(&url).bearer_auth(tok.expose()))
        .await
        .map_err(|e| net(&format!("topic {tp}"), &url, &e, "check your network and proxy"))?;
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    match (status.as_u16(), v["properties"]["endpoint"].as_str()) {
        (200, Some(e)) => Ok(e.to_string()),
        (404, _) => Err(Outcome::fail(
            Code::azure(Kind::TopicNotFound),
            format!("topic {tp} does not exist in resource group {}", z.resource_group),
            format!("create it (`az eventgrid topic create --name {tp} --resource-group {} --location LOCATION`) or correct the plan", z.resource_group),
        )),
        _ => Err(Outcome::fail(
            Code::azure(Kind::TopicEndpointUnknown),
            format!("topic {tp}: could not look up its endpoint ({status}); the service principal may not read the topic"),
            format!(
                "give the endpoint: TRUSTBRIDGE_AZURE_EVENTGRID_ENDPOINTS={tp}=$(az eventgrid topic show --name {tp} --resource-group {} --query endpoint -o tsv); or let it read the topic: {}",
                z.resource_group,
                role_cmd(&secret.app_id, "Reader", &scope)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_command_is_exact() {
        assert_eq!(
            role_cmd("0b1c", "Storage Blob Data Reader", "/subscriptions/s/x"),
            "az role assignment create --assignee-object-id $(az ad sp show --id 0b1c --query id -o tsv) --assignee-principal-type ServicePrincipal --role \"Storage Blob Data Reader\" --scope /subscriptions/s/x"
        );
    }
}
