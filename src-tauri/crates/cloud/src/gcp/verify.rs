//! The Google Cloud connectivity test with the customer's service-account key.
//!
//! 1. `gcp:credentials` — the key matches the plan, and the JWT-bearer grant (RS256) to the key's
//!    `token_uri` returns an access token.
//! 2. `gcp:bucket:<name>` — the bucket exists and `testIamPermissions` grants what the vendor
//!    profile's bucket roles need (by default `storage.objects.get`, `storage.objects.list`), and a
//!    one-object list succeeds (live proof).
//! 3. `gcp:topic:<name>` — the topic exists and `testIamPermissions` grants `pubsub.topics.publish`.
//!
//! Bucket and topic probes run concurrently once there is a token, each under its own timeout.
//! Every missing permission is named with the exact `gcloud` command that grants it.
//! Endpoints are overridable ([`GcpSettings`]; `STORAGE_EMULATOR_HOST`, `PUBSUB_EMULATOR_HOST`).

use std::future::Future;
use std::pin::Pin;

use trustbridge_core::validate::{Resolved, ResolvedGcp};
use trustbridge_secrets::{GcpServiceAccountKey, Sensitive};

use super::{token, GcpSettings};
use crate::error::CloudError;
use crate::http::{self, check_endpoint, describe_reqwest, enc, snippet};
use crate::probe::{run as probe, Check, Cloud, Code, Kind, Outcome, ProbeId, ProbeResult, Progress};

/// What to do about an endpoint that breaks the credential-URL rule.
const ENDPOINT_FIX: &str = "correct or unset the variable named above: credentials go only to https URLs, or over plain http to 127.0.0.1, [::1] or localhost (emulators), never to a URL with a user name or password";

/// Permissions a predefined role grants, for the ones vendor profiles use. `None`: unknown role.
pub fn role_permissions(role: &str) -> Option<&'static [&'static str]> {
    Some(match role {
        "roles/storage.objectViewer" => &["storage.objects.get", "storage.objects.list"],
        "roles/storage.legacyObjectReader" => &["storage.objects.get"],
        "roles/storage.legacyBucketReader" => &["storage.buckets.get", "storage.objects.list"],
        "roles/storage.objectCreator" => &["storage.objects.create"],
        "roles/storage.objectUser" | "roles/storage.objectAdmin" => {
            &["storage.objects.get", "storage.objects.list", "storage.objects.create", "storage.objects.delete", "storage.objects.update"]
        }
        "roles/pubsub.publisher" | "roles/pubsub.editor" | "roles/pubsub.admin" => &["pubsub.topics.publish"],
        _ => return None,
    })
}

const BUCKET_DEFAULT: &[&str] = &["storage.objects.get", "storage.objects.list"];
const TOPIC_DEFAULT: &[&str] = &["pubsub.topics.publish"];

/// What to test on a resource given the profile's roles, and which role grants each permission.
fn wanted(roles: &[String], default: &[&str], default_role: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for r in roles {
        for p in role_permissions(r).unwrap_or_default() {
            if !out.iter().any(|(q, _)| q == p) {
                out.push((p.to_string(), r.clone()));
            }
        }
    }
    if out.is_empty() {
        let role = roles.first().cloned().unwrap_or_else(|| default_role.to_string());
        out = default.iter().map(|p| (p.to_string(), role.clone())).collect();
    }
    out
}

/// The gcloud command that grants `role` on a bucket.
pub fn bucket_grant_cmd(bucket: &str, sa_email: &str, role: &str) -> String {
    format!("gcloud storage buckets add-iam-policy-binding gs://{bucket} --member=serviceAccount:{sa_email} --role={role}")
}

/// The gcloud command that grants `role` on a topic.
pub fn topic_grant_cmd(project: &str, topic: &str, sa_email: &str, role: &str) -> String {
    format!("gcloud pubsub topics add-iam-policy-binding {topic} --project={project} --member=serviceAccount:{sa_email} --role={role}")
}

/// Runs the GCP connectivity test with `key` (from the keyring). Results come back in a stable
/// order; progress is reported live.
pub async fn verify(
    r: &Resolved,
    key: &GcpServiceAccountKey,
    settings: &GcpSettings,
    progress: Progress<'_>,
) -> Result<Vec<ProbeResult>, CloudError> {
    let g = r.gcp.as_ref().ok_or(CloudError::NoSection { cloud: "gcp" })?;
    let t = settings.timeout;
    let sa = g.service_account_email();
    let http = match http::client(t, &settings.extra_roots_pem) {
        Ok(c) => c,
        Err(m) => {
            let o = Outcome::fail(Code::gcp(Kind::Tls), m, "check the extra CA certificate (PEM) you configured");
            return Ok(vec![probe(ProbeId::new(Cloud::Gcp, Check::Credentials), t, progress, async { o }).await]);
        }
    };
    let token_uri = settings.token_uri.clone().unwrap_or_else(|| key.token_uri.clone());

    let mut token: Option<Sensitive<String>> = None;
    let cred = probe(ProbeId::new(Cloud::Gcp, Check::Credentials), t, progress, async {
        if let Err(why) = settings.check() {
            return Outcome::fail(Code::gcp(Kind::Endpoint), why, ENDPOINT_FIX);
        }
        if let Err(e) = key.check_plan(&g.project_id, Some(&sa)) {
            return Outcome::Fail { code: Some(e.error_code().into()), message: e.to_string(), fix: e.fix() };
        }
        match token::access_token(&http, key, &token_uri, &sa).await {
            Ok(tok) => {
                token = Some(tok);
                Outcome::Pass(format!("signed in as {} (key {})", key.client_email, key.private_key_id))
            }
            Err(o) => o,
        }
    })
    .await;
    let mut results = vec![cred];

    type Boxed<'a> = Pin<Box<dyn Future<Output = ProbeResult> + Send + 'a>>;
    let mut probes: Vec<Boxed<'_>> = Vec::new();
    let mut buckets: Vec<&String> = g.buckets.iter().collect();
    buckets.dedup();
    let Some(tok) = token.as_ref() else {
        let why = "skipped: no access token (see gcp:credentials)";
        for b in buckets {
            results.push(probe(ProbeId::on(Cloud::Gcp, Check::Bucket, b.as_str()), t, progress, async { Outcome::Skip(why.into()) }).await);
        }
        for tp in &g.topics {
            results.push(probe(ProbeId::on(Cloud::Gcp, Check::Topic, tp.as_str()), t, progress, async { Outcome::Skip(why.into()) }).await);
        }
        return Ok(results);
    };
    let (http, sa) = (&http, sa.as_str());
    for b in buckets {
        probes.push(Box::pin(probe(
            ProbeId::on(Cloud::Gcp, Check::Bucket, b.as_str()),
            t,
            progress,
            bucket(http, settings, tok, g, sa, b),
        )));
    }
    for tp in &g.topics {
        probes.push(Box::pin(probe(
            ProbeId::on(Cloud::Gcp, Check::Topic, tp.as_str()),
            t,
            progress,
            topic(http, settings, tok, g, sa, tp),
        )));
    }
    results.extend(futures_util::future::join_all(probes).await);
    Ok(results)
}

async fn get_json(
    http: &reqwest::Client,
    url: &str,
    token: &Sensitive<String>,
    body: Option<serde_json::Value>,
) -> Result<(reqwest::StatusCode, serde_json::Value, String), Outcome> {
    if let Err(why) = check_endpoint(url) {
        return Err(Outcome::fail(Code::gcp(Kind::Endpoint), why, "set an https endpoint (plain http only to 127.0.0.1 for emulators)"));
    }
    let req = match body {
        Some(b) => http.post(url).json(&b),
        None => http.get(url),
    };
    let resp = http::send_retrying(req.bearer_auth(token.expose())).await.map_err(|e| {
        Outcome::fail(
            Code::gcp(Kind::Network),
            format!("could not reach {url}: {}", describe_reqwest(&e)),
            "check your network connection and proxy (HTTPS_PROXY); it is safe to re-run",
        )
    })?;
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    let v = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    Ok((status, v, text))
}

fn granted(v: &serde_json::Value) -> Vec<String> {
    v["permissions"].as_array().map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

fn denied(code: Code, resource: &str, status: reqwest::StatusCode, text: &str, fix: String) -> Outcome {
    Outcome::fail(code, format!("{resource}: refused ({status}): {}", snippet(text)), fix)
}

/// Names every missing permission with the command that grants it.
fn missing_outcome(resource: &str, missing: &[(String, String)], cmd: impl Fn(&str) -> String) -> Outcome {
    let names: Vec<&str> = missing.iter().map(|(p, _)| p.as_str()).collect();
    let mut roles: Vec<&str> = missing.iter().map(|(_, r)| r.as_str()).collect();
    roles.dedup();
    let cmds: Vec<String> = roles.iter().map(|r| cmd(r)).collect();
    Outcome::fail(
        Code::gcp(Kind::PermissionMissing),
        format!("{resource}: the service account lacks {}", names.join(", ")),
        format!("grant it (IAM changes can take a minute to apply): {}", cmds.join(" ; ")),
    )
}

async fn bucket(http: &reqwest::Client, s: &GcpSettings, tok: &Sensitive<String>, g: &ResolvedGcp, sa: &str, b: &str) -> Outcome {
    let want = wanted(&g.profile.bucket_roles, BUCKET_DEFAULT, "roles/storage.objectViewer");
    let base = format!("{}/storage/v1/b/{}", s.storage_endpoint.trim_end_matches('/'), enc(b));
    let q: Vec<String> = want.iter().map(|(p, _)| format!("permissions={}", enc(p))).collect();
    let (status, v, text) = match get_json(http, &format!("{base}/iam/testPermissions?{}", q.join("&")), tok, None).await {
        Ok(x) => x,
        Err(o) => return o,
    };
    let first_role = want.first().map(|(_, r)| r.clone()).unwrap_or_default();
    match status.as_u16() {
        200 => {}
        404 => {
            return Outcome::fail(
                Code::gcp(Kind::BucketNotFound),
                format!("bucket gs://{b} does not exist"),
                format!(
                    "create it (`gcloud storage buckets create gs://{b} --project={}`) or correct the bucket name in the plan",
                    g.project_id
                ),
            )
        }
        401 => {
            return denied(
                Code::gcp(Kind::TokenRejected),
                &format!("gs://{b}"),
                status,
                &text,
                "run the test again; if it persists, create a new key".into(),
            )
        }
        _ => return denied(Code::gcp(Kind::BucketError), &format!("gs://{b}"), status, &text, bucket_grant_cmd(b, sa, &first_role)),
    }
    let got = granted(&v);
    let missing: Vec<(String, String)> = want.iter().filter(|(p, _)| !got.contains(p)).cloned().collect();
    if !missing.is_empty() {
        return missing_outcome(&format!("gs://{b}"), &missing, |r| bucket_grant_cmd(b, sa, r));
    }
    // Live proof: list at most one object.
    if want.iter().any(|(p, _)| p == "storage.objects.list") {
        match get_json(http, &format!("{base}/o?maxResults=1&fields=kind"), tok, None).await {
            Ok((st, _, _)) if st.is_success() => {}
            Ok((st, _, text)) => {
                return denied(
                    Code::gcp(Kind::PermissionMissing),
                    &format!("listing gs://{b}"),
                    st,
                    &text,
                    bucket_grant_cmd(b, sa, &first_role),
                )
            }
            Err(o) => return o,
        }
    }
    let names: Vec<&str> = want.iter().map(|(p, _)| p.as_str()).collect();
    Outcome::Pass(format!("gs://{b} exists; granted {}; listing works", names.join(", ")))
}

async fn topic(http: &reqwest::Client, s: &GcpSettings, tok: &Sensitive<String>, g: &ResolvedGcp, sa: &str, tp: &str) -> Outcome {
    let want = wanted(&g.profile.topic_roles, TOPIC_DEFAULT, "roles/pubsub.publisher");
    let url =
        format!("{}/v1/projects/{}/topics/{}:testIamPermissions", s.pubsub_endpoint.trim_end_matches('/'), enc(&g.project_id), enc(tp));
    let perms: Vec<&str> = want.iter().map(|(p, _)| p.as_str()).collect();
    let (status, v, text) = match get_json(http, &url, tok, Some(serde_json::json!({ "permissions": perms }))).await {
        Ok(x) => x,
        Err(o) => return o,
    };
    let first_role = want.first().map(|(_, r)| r.clone()).unwrap_or_default();
    let res = format!("topic projects/{}/topics/{tp}", g.project_id);
    match status.as_u16() {
        200 => {}
        404 => {
            return Outcome::fail(
                Code::gcp(Kind::TopicNotFound),
                format!("{res} does not exist"),
                format!("create it (`gcloud pubsub topics create {tp} --project={}`) or correct the topic name in the plan", g.project_id),
            )
        }
        401 => {
            return denied(
                Code::gcp(Kind::TokenRejected),
                &res,
                status,
                &text,
                "run the test again; if it persists, create a new key".into(),
            )
        }
        403 if text.contains("SERVICE_DISABLED") || text.contains("has not been used") => {
            return denied(
                Code::gcp(Kind::ApiDisabled),
                &res,
                status,
                &text,
                format!("gcloud services enable pubsub.googleapis.com --project={}", g.project_id),
            )
        }
        // The Pub/Sub emulator (PUBSUB_EMULATOR_HOST) implements no IAM methods and answers 501
        // UNIMPLEMENTED: nothing about the grant can be learned there, so nothing is claimed.
        501 => {
            return Outcome::Skip(format!(
                "{res}: the Pub/Sub endpoint {} does not implement testIamPermissions (HTTP 501, as the Pub/Sub emulator answers), so whether {sa} may publish was not checked",
                s.pubsub_endpoint
            ))
        }
        _ => return denied(Code::gcp(Kind::TopicError), &res, status, &text, topic_grant_cmd(&g.project_id, tp, sa, &first_role)),
    }
    let got = granted(&v);
    let missing: Vec<(String, String)> = want.iter().filter(|(p, _)| !got.contains(p)).cloned().collect();
    if !missing.is_empty() {
        return missing_outcome(&res, &missing, |r| topic_grant_cmd(&g.project_id, tp, sa, r));
    }
    Outcome::Pass(format!("{res} exists; granted {}", perms.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wanted_permissions_follow_the_profile_roles() {
        let w = wanted(&["roles/storage.objectViewer".into()], BUCKET_DEFAULT, "x");
        assert_eq!(w.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(), ["storage.objects.get", "storage.objects.list"]);
        let w = wanted(&["roles/custom.unknown".into()], BUCKET_DEFAULT, "x");
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].1, "roles/custom.unknown");
        assert_eq!(
            wanted(&[], TOPIC_DEFAULT, "roles/pubsub.publisher"),
            [("pubsub.topics.publish".to_string(), "roles/pubsub.publisher".to_string())]
        );
    }

    #[test]
    fn missing_permissions_are_named_with_the_exact_command() {
        let o = missing_outcome("gs://b", &[("storage.objects.list".into(), "roles/storage.objectViewer".into())], |r| {
            bucket_grant_cmd("b", "sa@p.iam.gserviceaccount.com", r)
        });
        let Outcome::Fail { code, message, fix } = o else { panic!() };
        assert_eq!(code.as_deref(), Some("gcp.permission_missing"));
        assert!(message.contains("storage.objects.list"));
        assert!(fix.unwrap().contains(
            "gcloud storage buckets add-iam-policy-binding gs://b --member=serviceAccount:sa@p.iam.gserviceaccount.com --role=roles/storage.objectViewer"
        ));
    }
}
