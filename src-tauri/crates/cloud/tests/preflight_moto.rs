//! Guardrail pre-flight against a real moto server holding a real AWS Organization: the
//! management account (moto's default 123456789012) creates the organization, a member account,
//! an OU with a service control policy, and the member's buckets, KMS key and event bus are made
//! with the member's own credentials (moto acts in the account of an assumed role's credentials).
//!
//! What moto does not do like AWS (checked, see the notes in the module): it lets a member account
//! call ListParents / ListPoliciesForTarget (answering "not found" instead of access denied), and
//! it does not enforce SCPs at all — so these tests prove that pre-flight *reads and evaluates*
//! the policies moto serves; the evaluation rules themselves are unit-tested in
//! `core/src/guardrail/` against AWS's documented semantics.

mod common;

use aws_sdk_organizations::types::PolicyType;
use common::*;
use trustbridge_cloud::aws::preflight::preflight;
use trustbridge_cloud::aws::{AwsSettings, Credentials, Session};
use trustbridge_core::guardrail::GuardSeverity;

const CMK_BUCKET: &str = "cmk-encrypted-training-data";

struct Org {
    member: String,
    member_creds: Credentials,
    ou: String,
}

async fn organization(mgmt: &Session) -> Org {
    let org = aws_sdk_organizations::Client::new(&mgmt.conf);
    org.create_organization().feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All).send().await.unwrap();
    let created = org.create_account().account_name("data").email("data@example.com").send().await.unwrap();
    let member = created.create_account_status().and_then(|s| s.account_id()).unwrap().to_string();
    let root = org.list_roots().send().await.unwrap().roots()[0].id().unwrap().to_string();
    let ou = org.create_organizational_unit().parent_id(&root).name("Data").send().await.unwrap();
    let ou = ou.organizational_unit().unwrap().id().unwrap().to_string();
    org.move_account().account_id(&member).source_parent_id(&root).destination_parent_id(&ou).send().await.unwrap();
    let member_creds = member_credentials(mgmt, &member).await;
    Org { member, member_creds, ou }
}

async fn scp(mgmt: &Session, name: &str, content: &str, target: &str) {
    let org = aws_sdk_organizations::Client::new(&mgmt.conf);
    let p =
        org.create_policy().name(name).description(name).r#type(PolicyType::ServiceControlPolicy).content(content).send().await.unwrap();
    let id = p.policy().unwrap().policy_summary().unwrap().id().unwrap().to_string();
    org.attach_policy().policy_id(id).target_id(target).send().await.unwrap();
}

/// The SCP "NoObjectReads" (a deny of `s3:GetObject`) on `target`.
async fn no_object_reads(mgmt: &Session, target: &str) {
    scp(
        mgmt,
        "NoObjectReads",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoGet","Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}"#,
        target,
    )
    .await;
}

/// The organization, and its member signed in (the management account's credentials may read its
/// SCPs) with its own bucket and event bus: the member's settings and session.
async fn member_with_bucket_and_bus(moto: &Moto) -> (Org, AwsSettings, Session) {
    let mgmt = Session::for_region(REGION, &settings(&moto.url())).await;
    let org = organization(&mgmt).await;
    let s = member_settings(moto, &org, true);
    let member = Session::for_region(REGION, &s).await;
    create_bucket(&member, BUCKET).await;
    member.events.create_event_bus().name(BUS).send().await.unwrap();
    (org, s, member)
}

/// A customer managed key in `member` whose key policy lets only the account's Admin role use it
/// (no delegation to IAM); its ARN.
async fn admin_only_key(kms: &aws_sdk_kms::Client, member: &str) -> String {
    let admin_only = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"AdminOnly","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{member}:role/Admin"}},"Action":"kms:*","Resource":"*"}}]}}"#
    );
    let key = kms.create_key().policy(admin_only).send().await.unwrap();
    key.key_metadata().unwrap().arn().unwrap().to_string()
}

/// The key policy becomes AWS's default: the account's IAM policies decide who uses the key.
async fn delegate_to_iam(kms: &aws_sdk_kms::Client, key_arn: &str, member: &str) {
    kms.put_key_policy()
        .key_id(key_arn)
        .policy_name("default")
        .policy(format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, trustbridge_core::guardrail::delegation_statement("aws", member)))
        .send()
        .await
        .unwrap();
}

fn member_plan(member: &str, buckets: &[(&str, Option<&str>)]) -> trustbridge_core::validate::Resolved {
    let storage: Vec<String> = buckets
        .iter()
        .map(|(b, k)| match k {
            Some(k) => format!(r#"{{"bucket":"{b}","kms_key_arn":"{k}"}}"#),
            None => format!(r#"{{"bucket":"{b}"}}"#),
        })
        .collect();
    resolved(&format!(
        r#"{{"version":1,"platform":"mlcube","integration":{{"name":"AWS_01","project_id":"p"}},
        "aws":{{"account_id":"{member}","region":"{REGION}","role_name":"mlcube-platform-access","external_id":"{EXTERNAL_ID}",
        "storage":[{}],"events":[{{"event_bus_name":"{BUS}"}}]}}}}"#,
        storage.join(",")
    ))
}

fn member_settings(moto: &Moto, org: &Org, mgmt_readable: bool) -> AwsSettings {
    AwsSettings {
        credentials: Some(org.member_creds.clone()),
        org_credentials: mgmt_readable.then(|| creds("testing", "testing")),
        ..settings(&moto.url())
    }
}

fn codes(rep: &trustbridge_cloud::aws::preflight::PreflightReport, severity: GuardSeverity) -> Vec<String> {
    rep.findings.iter().filter(|f| f.severity == severity).map(|f| f.code.as_str().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finds_the_scps_bucket_policy_and_key_policy_that_would_deny() {
    let moto = Moto::start();
    let mgmt = Session::for_region(REGION, &settings(&moto.url())).await;
    let org = organization(&mgmt).await;
    no_object_reads(&mgmt, &org.ou).await;
    scp(
        &mgmt,
        "NoRoleCreation",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["iam:CreateRole"],"Resource":"*"}]}"#,
        &org.member,
    )
    .await;

    // The member's own resources, made with its own credentials.
    let s = member_settings(&moto, &org, true);
    let member = Session::for_region(REGION, &s).await;
    create_bucket(&member, BUCKET).await;
    create_bucket(&member, CMK_BUCKET).await;
    member.events.create_event_bus().name(BUS).send().await.unwrap();
    let org_only = org_only_policy(BUCKET, "OrgOnly");
    member.s3.put_bucket_policy().bucket(BUCKET).policy(org_only).send().await.unwrap();
    let kms = aws_sdk_kms::Client::new(&member.conf);
    let key_arn = admin_only_key(&kms, &org.member).await;
    let rule = aws_sdk_s3::types::ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(
            aws_sdk_s3::types::ServerSideEncryptionByDefault::builder()
                .sse_algorithm(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
                .kms_master_key_id(&key_arn)
                .build()
                .unwrap(),
        )
        .build();
    member
        .s3
        .put_bucket_encryption()
        .bucket(CMK_BUCKET)
        .server_side_encryption_configuration(aws_sdk_s3::types::ServerSideEncryptionConfiguration::builder().rules(rule).build().unwrap())
        .send()
        .await
        .unwrap();

    // The plan does not name the key: the role could not decrypt, and the key policy does not delegate.
    let r = member_plan(&org.member, &[(BUCKET, None), (CMK_BUCKET, None)]);
    let rep = preflight(&r, &s).await.unwrap();
    let blocking = codes(&rep, GuardSeverity::Blocking);
    let text = format!("{:#?}", rep.findings);
    assert!(rep.blocking());
    let find = |code: &str, needle: &str| rep.findings.iter().any(|f| f.code.as_str() == code && f.message.contains(needle));
    assert!(
        find("preflight.scp_denies", "NoObjectReads") && find("preflight.scp_denies", "s3:GetObject"),
        "the OU's SCP denies the vendor's reads: {text}"
    );
    assert!(
        find("preflight.scp_denies", "NoRoleCreation") && find("preflight.scp_denies", "iam:CreateRole"),
        "the account's SCP denies apply: {text}"
    );
    assert!(find("preflight.bucket_policy_denies", BUCKET), "the bucket admits only another organization: {text}");
    assert!(find("preflight.kms_key_not_in_plan", CMK_BUCKET), "{text}");
    assert!(find("preflight.kms_no_iam_delegation", &key_arn), "{text}");
    let delegation = rep.findings.iter().find(|f| f.code.as_str() == "preflight.kms_no_iam_delegation").unwrap();
    assert!(delegation.fix.contains(&format!("arn:aws:iam::{}:root", org.member)), "the fix is the statement to add: {}", delegation.fix);
    assert_eq!(
        blocking.iter().filter(|c| c.as_str() == "preflight.scp_denies").count(),
        // s3:GetObject on each bucket's objects (the vendor) and iam:CreateRole (apply);
        // FullAWSAccess allows the rest.
        3,
        "{text}"
    );
    assert!(rep.checked.iter().any(|c| c.contains(&format!("OU {}", org.ou)) && c.contains("root r-")), "{:#?}", rep.checked);
    assert!(rep.findings.iter().all(|f| f.account_id.as_deref() == Some(org.member.as_str()) && f.cloud == "aws"));

    // Naming the key in the plan and delegating to IAM clears both KMS findings.
    delegate_to_iam(&kms, &key_arn, &org.member).await;
    let r = member_plan(&org.member, &[(BUCKET, None), (CMK_BUCKET, Some(&key_arn))]);
    let rep = preflight(&r, &s).await.unwrap();
    assert!(!rep.findings.iter().any(|f| f.code.as_str().starts_with("preflight.kms")), "{:#?}", rep.findings);
}

/// A key the plan names for a bucket whose default encryption is not KMS (objects encrypted with
/// it one by one): its key policy is read all the same, and one that does not delegate to IAM
/// blocks, with the statement to add; once it delegates, nothing is found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_the_plan_names_is_checked_even_when_it_is_not_the_buckets_default() {
    let moto = Moto::start();
    let (org, s, member) = member_with_bucket_and_bus(&moto).await;
    let kms = aws_sdk_kms::Client::new(&member.conf);
    let key_arn = admin_only_key(&kms, &org.member).await;

    let r = member_plan(&org.member, &[(BUCKET, Some(&key_arn))]);
    let rep = preflight(&r, &s).await.unwrap();
    let kms_findings: Vec<_> = rep.findings.iter().filter(|f| f.code.as_str().starts_with("preflight.kms")).collect();
    assert_eq!(kms_findings.len(), 1, "{:#?}", rep.findings);
    assert_eq!(kms_findings[0].code.as_str(), "preflight.kms_no_iam_delegation");
    assert_eq!(kms_findings[0].severity, GuardSeverity::Blocking);
    assert!(kms_findings[0].message.contains(&key_arn) && kms_findings[0].message.contains(BUCKET), "{:#?}", kms_findings[0]);
    assert!(kms_findings[0].fix.contains(&format!("arn:aws:iam::{}:root", org.member)), "{}", kms_findings[0].fix);
    assert!(rep.checked.iter().any(|c| c == &format!("default encryption of {BUCKET}: not KMS")), "{:#?}", rep.checked);
    assert!(rep.checked.iter().any(|c| c == &format!("key policy of {key_arn}")), "{:#?}", rep.checked);

    delegate_to_iam(&kms, &key_arn, &org.member).await;
    let rep = preflight(&r, &s).await.unwrap();
    assert!(rep.findings.is_empty(), "{:#?}", rep.findings);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_member_account_has_nothing_to_report_and_unreadable_scps_are_said() {
    let moto = Moto::start();
    let (org, s, _) = member_with_bucket_and_bus(&moto).await;
    let r = member_plan(&org.member, &[(BUCKET, None)]);
    let rep = preflight(&r, &s).await.unwrap();
    assert!(rep.findings.is_empty(), "FullAWSAccess only, no resource policies: {:#?}", rep.findings);
    assert!(rep.checked.iter().any(|c| c.starts_with("service control policies: root r-")), "{:#?}", rep.checked);
    assert!(rep.checked.iter().any(|c| c == &format!("bucket policy of {BUCKET}: none")), "{:#?}", rep.checked);
    assert!(rep.checked.iter().any(|c| c == &format!("event bus policy of {BUS}: none")), "{:#?}", rep.checked);

    // Without the management account's credentials the member cannot read its SCPs (nor RCPs): said, not passed.
    // (Real AWS answers AccessDenied; moto answers "not found" — both are a failed read.)
    let alone = member_settings(&moto, &org, false);
    let rep = preflight(&r, &alone).await.unwrap();
    assert_eq!(codes(&rep, GuardSeverity::Warning), ["preflight.scp_unreadable", "preflight.rcp_unreadable"], "{:#?}", rep.findings);
    assert!(!rep.blocking());

    // The management account itself: SCPs do not apply to it.
    let mine = member_plan("123456789012", &[("management-training-data", None)]);
    seed(&mine, &settings(&moto.url())).await;
    let rep = preflight(&mine, &settings(&moto.url())).await.unwrap();
    assert_eq!(codes(&rep, GuardSeverity::Info), ["preflight.scp_not_applicable"], "{:#?}", rep.findings);
    assert!(rep.findings.iter().all(|f| f.severity == GuardSeverity::Info), "{:#?}", rep.findings);
}

/// Many accounts of one organization share what pre-flight read of it (`AwsSettings::org_reads`,
/// which `org::for_each_account` sets): the second account's pre-flight reads none of the OU's and
/// root's policies again, and finds exactly what a pre-flight reading everything itself finds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_organizations_policies_are_read_once_for_many_accounts() {
    let moto = Moto::start();
    let mgmt = Session::for_region(REGION, &settings(&moto.url())).await;
    let org = organization(&mgmt).await;
    no_object_reads(&mgmt, &org.ou).await;
    let alone = member_settings(&moto, &org, true);
    let member = Session::for_region(REGION, &alone).await;
    create_bucket(&member, BUCKET).await;
    member.events.create_event_bus().name(BUS).send().await.unwrap();
    let r = member_plan(&org.member, &[(BUCKET, None)]);
    let own = preflight(&r, &alone).await.unwrap();
    assert!(codes(&own, GuardSeverity::Blocking).contains(&"preflight.scp_denies".to_string()), "{:#?}", own.findings);

    let reads = std::sync::Arc::new(trustbridge_cloud::aws::preflight::OrgReads::default());
    let shared = AwsSettings { org_reads: Some(reads.clone()), ..alone.clone() };
    let first = preflight(&r, &shared).await.unwrap();
    assert_eq!(reads.hits(), 0, "nothing read before");
    let second = preflight(&r, &shared).await.unwrap();
    // Two parents (the account's OU, the OU's root) and three levels × {SCPs, RCPs}.
    assert_eq!(reads.hits(), 8, "{reads:?}");
    for rep in [&first, &second] {
        assert_eq!(
            serde_json::to_value(&rep.findings).unwrap(),
            serde_json::to_value(&own.findings).unwrap(),
            "the same findings as reading everything"
        );
        assert_eq!(rep.checked, own.checked);
    }
}

/// Issue 13: a resource control policy (moto serves them, with the default RCPFullAWSAccess on
/// every target) making an identity perimeter for the member account's resources denies the
/// vendor's own principal `sts:AssumeRole` on the role: blocking, with the exception to ask for.
/// Exempting the vendor's AWS account clears it. (moto does not enforce RCPs either: this proves
/// they are read and evaluated.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_identity_perimeter_rcp_blocks_the_vendors_sign_in_until_its_account_is_exempt() {
    let moto = Moto::start();
    let mgmt = Session::for_region(REGION, &settings(&moto.url())).await;
    let org = organization(&mgmt).await;
    let client = aws_sdk_organizations::Client::new(&mgmt.conf);
    let org_id = client.describe_organization().send().await.unwrap().organization().unwrap().id().unwrap().to_string();
    let s = member_settings(&moto, &org, true);
    let member = Session::for_region(REGION, &s).await;
    create_bucket(&member, BUCKET).await;
    member.events.create_event_bus().name(BUS).send().await.unwrap();
    let r = member_plan(&org.member, &[(BUCKET, None)]);
    let vendor_account = r.aws.as_ref().unwrap().vendor_account.clone();
    let perimeter = |exempt: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"EnforceOrgIdentities","Effect":"Deny","Principal":"*",
            "Action":["s3:*","sts:AssumeRole"],"Resource":"*","Condition":{{"StringNotEqualsIfExists":{{"aws:PrincipalOrgID":"{org_id}"{exempt}}},
            "BoolIfExists":{{"aws:PrincipalIsAWSService":"false"}}}}}}]}}"#
        )
    };
    let p = client
        .create_policy()
        .name("IdentityPerimeter")
        .description("data perimeter")
        .r#type(PolicyType::ResourceControlPolicy)
        .content(perimeter(""))
        .send()
        .await
        .unwrap();
    let id = p.policy().unwrap().policy_summary().unwrap().id().unwrap().to_string();
    client.attach_policy().policy_id(&id).target_id(&org.ou).send().await.unwrap();

    let rep = preflight(&r, &s).await.unwrap();
    let text = format!("{:#?}", rep.findings);
    assert_eq!(codes(&rep, GuardSeverity::Blocking), ["preflight.rcp_denies"], "only the vendor's sign-in is denied: {text}");
    let f = &rep.findings[0];
    assert!(
        f.message.contains("IdentityPerimeter") && f.message.contains("sts:AssumeRole") && f.message.contains(&org.ou),
        "{}",
        f.message
    );
    assert!(f.fix.contains(&vendor_account), "the fix names the vendor's account to exempt: {}", f.fix);
    assert!(rep.checked.iter().any(|c| c.starts_with("resource control policies: root r-") && c.contains(&org.ou)), "{:#?}", rep.checked);

    // The vendor's account exempted (AWS's example: an aws:PrincipalAccount exception): nothing found.
    client
        .update_policy()
        .policy_id(&id)
        .content(perimeter(&format!(r#","aws:PrincipalAccount":["{vendor_account}"]"#)))
        .send()
        .await
        .unwrap();
    let rep = preflight(&r, &s).await.unwrap();
    assert!(rep.findings.is_empty(), "{:#?}", rep.findings);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_bus_policy_denying_put_events_blocks_and_no_organization_is_said() {
    let moto = Moto::start();
    let s = settings(&moto.url());
    let r = plan();
    seed(&r, &s).await;
    let sess = Session::for_region(REGION, &s).await;
    let role = r.aws.as_ref().unwrap().role_arn();
    let deny = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"NoVendor","Effect":"Deny","Principal":{{"AWS":"{role}"}},"Action":"events:PutEvents","Resource":"arn:aws:events:{REGION}:123456789012:event-bus/{BUS}"}}]}}"#
    );
    sess.events.put_permission().event_bus_name(BUS).policy(deny).send().await.unwrap();
    let rep = preflight(&r, &s).await.unwrap();
    assert_eq!(codes(&rep, GuardSeverity::Blocking), ["preflight.bus_policy_denies"], "{:#?}", rep.findings);
    assert_eq!(codes(&rep, GuardSeverity::Info), ["preflight.scp_not_applicable"], "not in an organization: {:#?}", rep.findings);
    assert!(rep.findings.iter().any(|f| f.message.contains("not in an AWS Organization")));

    // Another account's credentials are refused before anything is read.
    let other = resolved(&plan_json("210987654321"));
    let e = preflight(&other, &s).await.unwrap_err();
    assert_eq!(e.code(), "aws.account_mismatch");
}
