//! Verify: the connectivity test. Probes run concurrently, each bounded by the timeout, and each
//! ends as `{id, status, duration_ms, message, fix}`; progress is reported live through a callback.
//!
//! Customer side: credentials, role, trust policy, permissions, buckets, event buses.
//! Vendor side (when vendor credentials are configured): AssumeRole with the external id (waiting,
//! bounded, for IAM propagation), the negative trust tests, then reads and publishes as the vendor.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use aws_sdk_iam::types::PolicyEvaluationDecisionType;
use aws_sdk_s3::error::ProvideErrorMetadata;
use trustbridge_core::model::{Role, RoleSet};
use trustbridge_core::policy::{Effect, Grant, PolicyDocument};
use trustbridge_core::validate::{Resolved, ResolvedAws};

use super::roleset::{attached, read_inline, read_role};
use super::{aws_section, describe_grant, mentions_vendor, parse_policy, AwsSettings, Credentials, Session, VendorCredentials};
use crate::error::CloudError;

use crate::probe::{Check, Cloud, ProbeId};
pub use crate::probe::{Outcome, ProbeEvent, ProbeResult, ProbeStatus, Progress};

/// An AWS probe failure the connectivity test names by its probe id (no error code of its own).
fn failed(message: impl Into<String>, fix: impl Into<String>) -> Outcome {
    Outcome::Fail { code: None, message: message.into(), fix: Some(fix.into()) }
}

type Boxed<'a> = Pin<Box<dyn Future<Output = Vec<ProbeResult>> + Send + 'a>>;

async fn probe(id: ProbeId, bound: Duration, progress: Progress<'_>, body: impl Future<Output = Outcome>) -> ProbeResult {
    crate::probe::run(id, bound, progress, body).await
}

fn id(check: Check) -> ProbeId {
    ProbeId::new(Cloud::Aws, check)
}

fn id_on(check: Check, target: &str) -> ProbeId {
    ProbeId::on(Cloud::Aws, check, target)
}

const APPLY_FIX: &str = "run `trustbridge apply --plan …` to restore it (it only changes what differs)";

/// Runs the connectivity test. Results come back in a stable order; progress is reported live.
/// The role's trust and permissions are compared with the model's role (`RoleSet::from_vendor`,
/// the one apply and every export render); the plan gives the rest (the vendor, buckets, buses).
pub async fn verify(r: &Resolved, settings: &AwsSettings, progress: Progress<'_>) -> Result<Vec<ProbeResult>, CloudError> {
    let a = aws_section(r)?;
    let set = RoleSet::from_vendor(r).ok_or(CloudError::NoSection { cloud: "aws" })?;
    let [role] = set.roles.as_slice() else { return Err(CloudError::NoSection { cloud: "aws" }) };
    let s = Session::connect(a, settings).await;
    let t = settings.timeout;
    let mut probes: Vec<Boxed<'_>> = Vec::new();
    let s = &s;

    probes.push(Box::pin(async move { vec![probe(id(Check::Credentials), t, progress, credentials(s, a)).await] }));
    probes.push(Box::pin(async move { vec![probe(id(Check::RoleExists), t, progress, role_exists(s, a, role)).await] }));
    probes.push(Box::pin(async move { vec![probe(id(Check::TrustPolicy), t, progress, trust(s, a, role)).await] }));
    probes.push(Box::pin(async move { vec![probe(id(Check::Permissions), t, progress, permissions(s, a, role)).await] }));
    let mut buckets: Vec<&str> = a.storage.iter().map(|x| x.bucket.as_str()).collect();
    buckets.dedup();
    for b in buckets {
        probes.push(Box::pin(async move { vec![probe(id_on(Check::Bucket, b), t, progress, bucket(s, a, b)).await] }));
    }
    for bus in &a.event_buses {
        probes.push(Box::pin(async move { vec![probe(id_on(Check::EventBus, bus), t, progress, event_bus(s, bus)).await] }));
    }
    if let Some(v) = &settings.vendor {
        probes.push(Box::pin(vendor_side(s, a, v, progress)));
    }
    let all = futures_util::future::join_all(probes).await;
    Ok(all.into_iter().flatten().collect())
}

async fn credentials(s: &Session, a: &ResolvedAws) -> Outcome {
    match s.caller_identity().await {
        Ok(me) if me.account == a.account_id => Outcome::Pass(format!("signed in as {} (account {})", me.arn, me.account)),
        Ok(me) => CloudError::AccountMismatch { expected: a.account_id.clone(), actual: me.account, arn: me.arn }.into(),
        Err(e) => e.into(),
    }
}

async fn role_exists(s: &Session, a: &ResolvedAws, role: &Role) -> Outcome {
    match read_role(s, &role.name).await {
        Ok(Some(cur)) => {
            let owner = if cur.managed { "managed by trustbridge" } else { "not tagged as trustbridge's (shared role)" };
            Outcome::Pass(format!("{} exists, {owner}", a.role_arn()))
        }
        Ok(None) => failed(format!("role {} does not exist", a.role_arn()), "run `trustbridge apply --plan …` to create it"),
        Err(e) => e.into(),
    }
}

/// `StringEquals:sts:externalid=…` values in a grant's canonical condition.
fn external_ids(g: &Grant) -> Vec<String> {
    g.condition
        .split(';')
        .filter_map(|part| part.strip_prefix("StringEquals:sts:externalid="))
        .flat_map(|v| v.split('|').map(str::to_string).collect::<Vec<_>>())
        .collect()
}

/// The trust policy must trust the vendor exactly as the model's role (`want`) does: no `*`, the
/// conditions present, nothing broader.
pub(crate) fn check_trust(doc: &PolicyDocument, want: &PolicyDocument, a: &ResolvedAws) -> Result<String, (String, String)> {
    let actual = doc.grants();
    let fix = APPLY_FIX.replace("it ", "the trust policy ");
    if let Some(g) = actual.iter().find(|g| g.effect == Effect::Allow && (g.principal == "*" || g.principal == "AWS:*")) {
        return Err((format!("the trust policy lets anyone assume the role ({})", describe_grant(g)), fix));
    }
    let want = want.grants();
    let vendor: BTreeSet<Grant> =
        actual.iter().filter(|g| g.effect == Effect::Allow && mentions_vendor(g, &a.vendor_account)).cloned().collect();
    if vendor.is_empty() {
        return Err((format!("the trust policy does not trust the vendor account {}", a.vendor_account), fix));
    }
    if vendor == want {
        let how = match (&a.external_id, a.principal_patterns.is_empty()) {
            (Some(_), true) => "with the external id condition".to_string(),
            (Some(_), false) => format!("with the external id and {} principal pattern(s)", a.principal_patterns.len()),
            (None, _) => format!("limited to {} principal pattern(s)", a.principal_patterns.len()),
        };
        let others = actual.len() - vendor.len();
        let note = if others > 0 { format!("; it also has {others} grant(s) for others (shared role)") } else { String::new() };
        return Ok(format!("trusts {} {how}, nothing broader{note}", a.vendor_root()));
    }
    if let Some(x) = &a.external_id {
        let got: BTreeSet<String> = vendor.iter().flat_map(external_ids).collect();
        if !got.is_empty() && !got.contains(x) {
            let got: Vec<String> = got.into_iter().collect();
            return Err((
                format!("the trust policy requires external id '{}', but the plan's external id is '{x}'", got.join("', '")),
                format!("{fix}, or give the vendor the external id the role expects"),
            ));
        }
        if vendor.iter().any(|g| external_ids(g).is_empty()) {
            return Err(("the trust policy lets the vendor assume the role without the external id (broader than the plan)".into(), fix));
        }
    }
    let missing: Vec<String> = want.difference(&vendor).map(describe_grant).collect();
    let extra: Vec<String> = vendor.difference(&want).map(describe_grant).collect();
    let mut m = "the trust policy differs from the plan".to_string();
    if !extra.is_empty() {
        m.push_str(&format!("; broader than planned: {}", extra.join("; ")));
    }
    if !missing.is_empty() {
        m.push_str(&format!("; missing: {}", missing.join("; ")));
    }
    Err((m, fix))
}

async fn trust(s: &Session, a: &ResolvedAws, role: &Role) -> Outcome {
    match read_role(s, &role.name).await {
        Ok(Some(cur)) => match check_trust(&cur.trust, &role.trust.policy, a) {
            Ok(m) => Outcome::Pass(m),
            Err((m, fix)) => failed(m, fix),
        },
        Ok(None) => Outcome::Skip(format!("role {} does not exist (see role_exists)", role.name)),
        Err(e) => e.into(),
    }
}

/// SimulatePrincipalPolicy for the grants that need no condition context; `Err` says why not.
async fn simulate(s: &Session, a: &ResolvedAws, want: &BTreeSet<Grant>) -> Result<Vec<String>, String> {
    let mut by_resource: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for g in want.iter().filter(|g| g.condition.is_empty()) {
        by_resource.entry(g.resource.as_str()).or_default().push(g.action.clone());
    }
    let role_arn = a.role_arn();
    let mut denied = Vec::new();
    for (resource, actions) in by_resource {
        let out = s
            .iam
            .simulate_principal_policy()
            .policy_source_arn(&role_arn)
            .set_action_names(Some(actions))
            .resource_arns(resource)
            .customize()
            .config_override(aws_sdk_iam::config::Builder::default().retry_config(aws_config::retry::RetryConfig::disabled()))
            .send()
            .await
            .map_err(|e| s.classify("iam:SimulatePrincipalPolicy", e).to_string())?;
        for r in out.evaluation_results() {
            if *r.eval_decision() != PolicyEvaluationDecisionType::Allowed {
                denied.push(format!("{} on {} ({})", r.eval_action_name(), resource, r.eval_decision().as_str()));
            }
        }
    }
    Ok(denied)
}

async fn permissions(s: &Session, a: &ResolvedAws, model: &Role) -> Outcome {
    let want: BTreeSet<Grant> = model.inline.iter().flat_map(|d| d.policy.grants()).collect();
    let role = model.name.as_str();
    let cur = match read_role(s, role).await {
        Ok(Some(c)) => c,
        Ok(None) => return Outcome::Skip(format!("role {role} does not exist (see role_exists)")),
        Err(e) => return e.into(),
    };
    // Inline documents, attached managed policies and the simulator, all at once.
    let inline = futures_util::future::join_all(cur.inline.iter().map(|name| read_inline(s, role, name)));
    let managed = async {
        let arns: Vec<String> = attached(s, role).await?.into_iter().collect();
        let docs = futures_util::future::join_all(arns.iter().map(|arn| async move {
            let p = s.iam.get_policy().policy_arn(arn).send().await.map_err(|e| s.classify("iam:GetPolicy", e))?;
            let v = p.policy().and_then(|p| p.default_version_id()).unwrap_or("v1").to_string();
            let pv =
                s.iam.get_policy_version().policy_arn(arn).version_id(v).send().await.map_err(|e| s.classify("iam:GetPolicyVersion", e))?;
            let text = pv.policy_version().and_then(|x| x.document()).unwrap_or_default();
            parse_policy(text).map_err(|m| CloudError::Service {
                action: "iam:GetPolicyVersion".into(),
                code: "UnreadablePolicy".into(),
                message: format!("{arn}: {m}"),
            })
        }))
        .await;
        docs.into_iter().collect::<Result<Vec<PolicyDocument>, CloudError>>()
    };
    let (inline, managed, simulated) = tokio::join!(inline, managed, simulate(s, a, &want));
    let mut actual: BTreeSet<Grant> = BTreeSet::new();
    for d in inline {
        match d {
            Ok(Some(d)) => actual.extend(d.grants()),
            Ok(None) => {}
            Err(e) => return e.into(),
        }
    }
    match managed {
        Ok(docs) => actual.extend(docs.iter().flat_map(|d| d.grants())),
        Err(e) => return e.into(),
    }
    let allows: BTreeSet<Grant> = actual.iter().filter(|g| g.effect == Effect::Allow).cloned().collect();
    let missing: Vec<String> = want.difference(&allows).map(describe_grant).collect();
    let extra: Vec<String> = allows.difference(&want).map(describe_grant).collect();
    let simulated = match simulated {
        Ok(denied) if !denied.is_empty() => {
            return failed(
                format!("IAM's policy simulator denies: {}", denied.join("; ")),
                "check the permissions boundary and any SCP for these actions; then re-run verify",
            );
        }
        Ok(_) => Ok(()),
        Err(why) => Err(why),
    };
    match (missing.is_empty(), extra.is_empty()) {
        (true, true) => match simulated {
            Ok(()) => Outcome::Pass(format!(
                "{} grant(s) cover every required action and resource, nothing more; confirmed by SimulatePrincipalPolicy",
                want.len()
            )),
            // The documents match, but nothing asked IAM whether a boundary or SCP denies them.
            Err(why) => Outcome::Partial {
                message: format!(
                    "{} grant(s) cover every required action and resource, nothing more (read from the policies; IAM's policy simulator was unavailable: {why})",
                    want.len()
                ),
                unchecked: "whether a permissions boundary or service control policy denies these actions: the guardrail pre-flight before apply reads those".into(),
            },
        },
        (false, _) => failed(format!("the role lacks: {}", missing.join("; ")), APPLY_FIX.replace("it ", "the inline policies ")),
        (true, false) => failed(
            format!("the role grants more than the plan needs: {}", extra.join("; ")),
            "remove the extra statements or policies from the role (trustbridge only manages its own inline policies)",
        ),
    }
}

async fn bucket(s: &Session, a: &ResolvedAws, b: &str) -> Outcome {
    let head = s
        .call("s3:HeadBucket", || async {
            s.s3.head_bucket().bucket(b).expected_bucket_owner(&a.account_id).send().await.map_err(|e| s.classify("s3:HeadBucket", e))
        })
        .await;
    match head {
        Ok(_) => {}
        Err(CloudError::NotFound { .. }) => {
            return failed(
                format!("bucket {b} does not exist"),
                format!("create bucket {b} in account {} (region {}), or correct aws.storage in the plan", a.account_id, a.region),
            )
        }
        Err(CloudError::AccessDenied { .. }) => {
            return failed(
                format!("bucket {b} exists but is not owned by account {} (or you may not read it)", a.account_id),
                "use a bucket in your own account, or sign in with s3:ListBucket on it",
            )
        }
        Err(e) => return e.into(),
    }
    let planned_keys: Vec<&str> = a.storage.iter().filter(|x| x.bucket == b).filter_map(|x| x.kms_key_arn.as_deref()).collect();
    let enc = s.s3.get_bucket_encryption().bucket(b).expected_bucket_owner(&a.account_id).send().await;
    let rule = enc
        .as_ref()
        .ok()
        .and_then(|o| o.server_side_encryption_configuration())
        .and_then(|c| c.rules().first())
        .and_then(|r| r.apply_server_side_encryption_by_default());
    match rule {
        Some(d) if d.sse_algorithm().as_str().starts_with("aws:kms") => {
            let key = d.kms_master_key_id().unwrap_or("the AWS managed key aws/s3");
            if planned_keys.is_empty() {
                return failed(
                    format!("bucket {b} encrypts with SSE-KMS ({key}), but the plan grants no kms:Decrypt: the vendor could list but not read objects"),
                    format!("set kms_key_arn for {b} in aws.storage to the key's ARN and re-run `trustbridge apply`"),
                );
            }
            if !planned_keys.iter().any(|k| k.ends_with(key) || key.ends_with(k.rsplit('/').next().unwrap_or(k))) {
                return Outcome::Partial {
                    message: format!("bucket {b} exists in account {}; it encrypts with SSE-KMS key {key}", a.account_id),
                    unchecked: format!(
                        "whether {key} is the plan's key {} (an alias and an ARN cannot be compared here): if not, the vendor cannot decrypt",
                        planned_keys.join(", ")
                    ),
                };
            }
            Outcome::Pass(format!("bucket {b} exists in account {}; SSE-KMS with the planned key", a.account_id))
        }
        Some(d) => {
            Outcome::Pass(format!("bucket {b} exists in account {}; default encryption {}", a.account_id, d.sse_algorithm().as_str()))
        }
        // No default encryption configured: objects are not KMS-encrypted, nothing more to check.
        None if matches!(&enc, Err(e) if e.as_service_error().and_then(|x| x.code()) == Some("ServerSideEncryptionConfigurationNotFoundError")) => {
            Outcome::Pass(format!("bucket {b} exists in account {}; no default encryption configured", a.account_id))
        }
        None => Outcome::Partial {
            message: format!("bucket {b} exists in account {}", a.account_id),
            unchecked: "its default encryption (s3:GetEncryptionConfiguration was refused or failed): if it uses SSE-KMS, the vendor also needs kms:Decrypt on that key".into(),
        },
    }
}

async fn event_bus(s: &Session, bus: &str) -> Outcome {
    let got = s
        .call("events:DescribeEventBus", || async {
            s.events.describe_event_bus().name(bus).send().await.map_err(|e| s.classify("events:DescribeEventBus", e))
        })
        .await;
    match got {
        Ok(o) => Outcome::Pass(format!("event bus {} exists", o.arn().unwrap_or(bus))),
        Err(CloudError::NotFound { .. }) => failed(
            format!("event bus {bus} does not exist in region {}", s.region),
            format!("create it (`aws events create-event-bus --name {bus} --region {}`), or correct aws.events in the plan", s.region),
        ),
        Err(e) => e.into(),
    }
}

/// The vendor side, run as the vendor: assume the role (positive and negative), then use it.
async fn vendor_side<'a>(s: &'a Session, a: &'a ResolvedAws, v: &'a VendorCredentials, progress: Progress<'a>) -> Vec<ProbeResult> {
    let vendor = match v {
        VendorCredentials::Profile(p) => s.with_credentials(Some(p), None).await,
        VendorCredentials::Static(c) => s.with_credentials(None, Some(c.clone())).await,
    };
    let t = s.settings.timeout;
    let role_arn = a.role_arn();
    let propagation = s.settings.propagation;
    // The positive AssumeRole waits (bounded) for propagation; each attempt is bounded by `t`.
    let assume_bound = propagation.max_total + t * 2;
    let positive = async {
        let mut creds = None;
        let r = probe(id(Check::VendorAssumeRole), assume_bound, progress, async {
            let start = Instant::now();
            let res = crate::retry::retry(
                propagation,
                |e| matches!(e, CloudError::AccessDenied { .. }),
                |w| {
                    progress(ProbeEvent::Waiting {
                        id: id(Check::VendorAssumeRole),
                        message: format!(
                            "waiting for IAM to make {role_arn} assumable (attempt {}, next in {} s)",
                            w.attempt,
                            w.delay.as_secs_f32()
                        ),
                    })
                },
                |_| assume(&vendor, &role_arn, a.external_id.as_deref(), t),
            )
            .await;
            match res {
                Ok(c) => {
                    creds = Some(c);
                    Outcome::Pass(format!(
                        "the vendor assumed {role_arn}{}",
                        if a.external_id.is_some() { " with the external id" } else { "" }
                    ))
                }
                Err(CloudError::AccessDenied { message, .. }) => {
                    CloudError::RoleNotAssumableYet { role_arn: role_arn.clone(), waited: start.elapsed(), message }.into()
                }
                Err(e) => e.into(),
            }
        })
        .await;
        (r, creds)
    };
    let negative = |check: Check, external_id: Option<String>, what: &'static str| {
        let vendor = &vendor;
        let role_arn = &role_arn;
        async move {
            probe(id(check), t, progress, async move {
                match assume(vendor, role_arn, external_id.as_deref(), t).await {
                    Err(CloudError::AccessDenied { .. } | CloudError::DeniedBy { .. }) => {
                        Outcome::Pass(format!("refused {what}, as it must be"))
                    }
                    Ok(_) => failed(
                        format!("the role can be assumed {what}: the trust policy is broader than planned"),
                        "run `trustbridge apply --plan …` to restore the external id condition in the trust policy",
                    ),
                    Err(e) => e.into(),
                }
            })
            .await
        }
    };
    let mut out = Vec::new();
    let (pos, wrong, none) = match &a.external_id {
        Some(x) => {
            let (p, w, n) = tokio::join!(
                positive,
                negative(Check::VendorWrongExternalId, Some(format!("{x}-wrong")), "with a wrong external id"),
                negative(Check::VendorNoExternalId, None, "without an external id")
            );
            (p, Some(w), Some(n))
        }
        None => (positive.await, None, None),
    };
    let (pos_result, creds) = pos;
    out.push(pos_result);
    out.extend(wrong);
    out.extend(none);

    let skipped = |id: ProbeId| ProbeResult {
        id,
        status: ProbeStatus::Skip,
        duration_ms: 0,
        message: "needs vendor_assume_role to pass first".into(),
        fix: None,
        code: None,
    };
    let Some(creds) = creds else {
        for st in &a.storage {
            out.push(skipped(id_on(Check::VendorListObjects, &st.bucket)));
        }
        for bus in &a.event_buses {
            out.push(skipped(id_on(Check::VendorPutEvents, bus)));
        }
        return out;
    };
    let assumed = s.with_credentials(None, Some(creds)).await;
    let assumed = &assumed;
    let mut dependents: Vec<Boxed<'_>> = Vec::new();
    for st in &a.storage {
        let id = id_on(Check::VendorListObjects, &st.bucket);
        dependents.push(Box::pin(async move {
            vec![
                probe(id, t, progress, async move {
                    let res = assumed
                        .call("s3:ListObjectsV2", || async {
                            assumed
                                .s3
                                .list_objects_v2()
                                .bucket(&st.bucket)
                                .max_keys(1)
                                .set_prefix(st.prefix.clone())
                                .send()
                                .await
                                .map_err(|e| assumed.classify("s3:ListObjectsV2", e))
                        })
                        .await;
                    match res {
                        Ok(o) => Outcome::Pass(format!(
                            "as the vendor, listed s3://{}/{} ({} object(s) seen)",
                            st.bucket,
                            st.prefix.as_deref().unwrap_or(""),
                            o.key_count().unwrap_or(0)
                        )),
                        Err(e) => e.into(),
                    }
                })
                .await,
            ]
        }));
    }
    for bus in &a.event_buses {
        let id = id_on(Check::VendorPutEvents, bus);
        dependents.push(Box::pin(async move {
            vec![
                probe(id, t, progress, async move {
                    let entry = aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                        .event_bus_name(bus)
                        .source("trustbridge.connectivity-test")
                        .detail_type("Trustbridge connectivity test")
                        .detail("{\"test\":true}")
                        .build();
                    let res = assumed
                        .call("events:PutEvents", || async {
                            assumed
                                .events
                                .put_events()
                                .entries(entry.clone())
                                .send()
                                .await
                                .map_err(|e| assumed.classify("events:PutEvents", e))
                        })
                        .await;
                    match res {
                        Ok(o) if o.failed_entry_count() == 0 => Outcome::Pass(format!("as the vendor, published a test event to {bus}")),
                        Ok(o) => {
                            let why: Vec<String> = o
                                .entries()
                                .iter()
                                .filter_map(|e| e.error_code().map(|c| format!("{c}: {}", e.error_message().unwrap_or_default())))
                                .collect();
                            failed(
                                format!("PutEvents answered 200 but {} entry failed ({})", o.failed_entry_count(), why.join("; ")),
                                "check the event bus policy and that the bus exists in the plan's region",
                            )
                        }
                        Err(e) => e.into(),
                    }
                })
                .await,
            ]
        }));
    }
    out.extend(futures_util::future::join_all(dependents).await.into_iter().flatten());
    out
}

/// One AssumeRole as the vendor, bounded by `t`.
async fn assume(vendor: &Session, role_arn: &str, external_id: Option<&str>, t: Duration) -> Result<Credentials, CloudError> {
    let call = vendor
        .sts
        .assume_role()
        .role_arn(role_arn)
        .role_session_name("trustbridge-verify")
        .duration_seconds(900)
        .set_external_id(external_id.map(str::to_string))
        .send();
    let out = match tokio::time::timeout(t, call).await {
        Ok(r) => r.map_err(|e| vendor.classify("sts:AssumeRole", e))?,
        Err(_) => return Err(CloudError::Timeout { action: "sts:AssumeRole".into(), after: t }),
    };
    let c = out.credentials().ok_or_else(|| CloudError::Service {
        action: "sts:AssumeRole".into(),
        code: "NoCredentials".into(),
        message: "no credentials in the answer".into(),
    })?;
    Ok(Credentials::new(c.access_key_id(), c.secret_access_key(), Some(c.session_token().to_string()), None, "trustbridge-assumed-role"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustbridge_core::{validate, Plan};

    fn resolved(text: &str) -> Resolved {
        validate(&Plan::from_json(text).unwrap(), None).unwrap()
    }

    const PLAN: &str = r#"{"version":1,"platform":"mlcube","integration":{"name":"AWS_01","project_id":"p"},
      "aws":{"account_id":"123456789012","region":"eu-west-1","external_id":"abcdefgh12345678",
      "storage":[{"bucket":"data-bucket"}],"events":[{"event_bus_name":"retrain"}]}}"#;

    #[test]
    fn trust_check_accepts_the_rendered_policy_and_names_a_changed_external_id() {
        let r = resolved(PLAN);
        let a = r.aws.as_ref().unwrap();
        let set = RoleSet::from_vendor(&r).unwrap();
        let want = &set.roles[0].trust.policy;
        assert!(check_trust(want, want, a).is_ok());
        let tampered = PolicyDocument::parse(&want.to_pretty_json().replace("abcdefgh12345678", "other-id")).unwrap();
        let (m, fix) = check_trust(&tampered, want, a).unwrap_err();
        assert!(m.contains("external id 'other-id'"), "{m}");
        assert!(fix.contains("trustbridge apply"));
        let anyone = PolicyDocument::parse(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#,
        )
        .unwrap();
        assert!(check_trust(&anyone, want, a).unwrap_err().0.contains("anyone"));
        let no_condition = PolicyDocument::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::883313729965:root"},"Action":"sts:AssumeRole"}]}"#).unwrap();
        assert!(check_trust(&no_condition, want, a).unwrap_err().0.contains("without the external id"));
    }

    #[test]
    fn probe_results_serialize_with_the_pinned_shape() {
        let r = ProbeResult {
            id: id(Check::RoleExists),
            status: ProbeStatus::Fail,
            duration_ms: 12,
            message: "m".into(),
            fix: Some("f".into()),
            code: None,
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v, serde_json::json!({"id":"aws:role_exists","status":"fail","duration_ms":12,"message":"m","fix":"f"}));
        let e = serde_json::to_value(ProbeEvent::Started { id: id_on(Check::Bucket, "b") }).unwrap();
        assert_eq!(e, serde_json::json!({"event":"started","id":"aws:bucket:b"}));
        let f = serde_json::to_value(ProbeEvent::Finished(r)).unwrap();
        assert_eq!(f["event"], "finished");
        assert_eq!(f["status"], "fail");
    }
}
