//! Benchmark baseline (tests/bench/aws.sh): a bare aws-sdk-rust program that makes the calls
//! `trustbridge apply` makes for one new role with two inline policies — the guardrail pre-flight's
//! reads first (organization, bucket policy and encryption, event bus) — and nothing else: no plan,
//! no validation, no evaluation, no diff, no error mapping. The bench runs both against the same moto server and
//! prints the ratio of their whole-process times.
//!
//!   bare_apply ROLE_NAME TRUST_POLICY.json STORAGE_POLICY.json EVENTS_POLICY.json INTEGRATION BUCKET BUS
//!
//! Credentials, region and endpoint come from the environment, as for `trustbridge apply`.

use aws_sdk_iam::types::Tag;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [role, trust, storage, events, integration, bucket, bus] = args.as_slice() else {
        return Err("usage: bare_apply ROLE TRUST.json STORAGE.json EVENTS.json INTEGRATION BUCKET BUS".into());
    };
    let read = |p: &str| std::fs::read_to_string(p);
    let config = aws_config::load_from_env().await;
    let sts = aws_sdk_sts::Client::new(&config);
    let iam = aws_sdk_iam::Client::new(&config);

    sts.get_caller_identity().send().await?;
    // Pre-flight's reads (their answers are not looked at here: "no organization", "no policy").
    let _ = aws_sdk_organizations::Client::new(&config).describe_organization().send().await;
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&config).force_path_style(true).build());
    let _ = s3.get_bucket_policy().bucket(bucket).send().await;
    let _ = s3.get_bucket_encryption().bucket(bucket).send().await;
    let _ = aws_sdk_eventbridge::Client::new(&config).describe_event_bus().name(bus).send().await;
    if iam.get_role().role_name(role).send().await.is_ok() {
        return Err(format!("role {role} already exists").into());
    }
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build();
    iam.create_role()
        .role_name(role)
        .path("/")
        .assume_role_policy_document(read(trust)?)
        .description(format!("Access for ML cube Platform (integration {integration})"))
        .tags(tag("managed-by", "trustbridge")?)
        .tags(tag("trustbridge-integration", integration)?)
        .send()
        .await?;
    for (name, file) in [("trustbridge-storage-read", storage), ("trustbridge-events-publish", events)] {
        iam.put_role_policy().role_name(role).policy_name(name).policy_document(read(file)?).send().await?;
    }
    Ok(())
}
