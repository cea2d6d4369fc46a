//! The AWS China (`aws-cn`) and GovCloud (`aws-us-gov`) partitions against a real moto server
//! started with `MOTO_ACCOUNT_ID` (so the account is not moto's default) in each partition's own
//! region: apply creates the role with the partition's ARNs (read back from moto, which derives the
//! partition from the region), verify is green, revoke removes it. The partition-specific parts —
//! ARNs in every document, the vendor's account for the partition, `kms:ViaService`'s DNS suffix
//! (`amazonaws.com.cn`) — are what a plan for the standard partition would get wrong.

mod common;

use common::*;
use trustbridge_cloud::aws::{apply, revoke, url_decode, verify, ProbeEvent, ProbeStatus, Session};

const ACCOUNT: &str = "210987654321";
const VENDOR: &str = "883313729965";

fn plan_in(partition: &str, region: &str) -> trustbridge_core::validate::Resolved {
    resolved(&format!(
        r#"{{"version":1,"platform":"custom","integration":{{"name":"PART_01","project_id":"p"}},
        "aws":{{"partition":"{partition}","account_id":"{ACCOUNT}","region":"{region}","role_name":"vendor-access",
        "external_id":"{EXTERNAL_ID}","vendor":{{"account_id":"{VENDOR}"}},
        "storage":[{{"bucket":"{partition}-training-data","kms_key_arn":"arn:{partition}:kms:{region}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}],
        "events":[{{"event_bus_name":"retrain"}}]}}}}"#
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn china_and_govcloud_plans_apply_verify_and_revoke_with_their_partitions_arns() {
    let moto = Moto::start_with(&[("MOTO_ACCOUNT_ID", ACCOUNT)]);
    for (partition, region, dns) in [("aws-cn", "cn-north-1", "amazonaws.com.cn"), ("aws-us-gov", "us-gov-west-1", "amazonaws.com")] {
        let r = plan_in(partition, region);
        let s = settings(&moto.url());
        let a = r.aws.as_ref().unwrap();
        let sess = Session::connect(a, &s).await;
        let bucket = format!("{partition}-training-data");
        let conf = aws_sdk_s3::types::CreateBucketConfiguration::builder()
            .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(region))
            .build();
        sess.s3.create_bucket().bucket(&bucket).create_bucket_configuration(conf).send().await.expect("create bucket");
        sess.events.create_event_bus().name("retrain").send().await.expect("create bus");

        let rep = apply(&r, &s, false).await.unwrap_or_else(|e| panic!("{partition}: {e}"));
        assert_eq!(rep.caller.account, ACCOUNT, "{partition}: moto acts in MOTO_ACCOUNT_ID");
        let arn = format!("arn:{partition}:iam::{ACCOUNT}:role/vendor-access");
        assert_eq!(rep.role_arn, arn);

        // Read back from moto: the role's ARN and the documents name the partition, nowhere `arn:aws:`.
        let role = sess.iam.get_role().role_name("vendor-access").send().await.unwrap();
        let role = role.role().unwrap();
        assert_eq!(role.arn(), arn, "{partition}: moto's own ARN for the role");
        let trust = url_decode(role.assume_role_policy_document().unwrap());
        assert!(trust.contains(&format!("arn:{partition}:iam::{VENDOR}:root")), "{partition}: {trust}");
        let storage = sess.iam.get_role_policy().role_name("vendor-access").policy_name("trustbridge-storage-read").send().await.unwrap();
        let storage = url_decode(storage.policy_document());
        assert!(
            storage.contains(&format!("arn:{partition}:s3:::{bucket}")) && storage.contains(&format!("s3.{region}.{dns}")),
            "{partition}: {storage}"
        );
        let events = sess.iam.get_role_policy().role_name("vendor-access").policy_name("trustbridge-events-publish").send().await.unwrap();
        let events = url_decode(events.policy_document());
        assert!(events.contains(&format!("arn:{partition}:events:{region}:{ACCOUNT}:event-bus/retrain")), "{partition}: {events}");
        for doc in [&trust, &storage, &events] {
            assert!(!doc.contains("arn:aws:"), "{partition}: a standard-partition ARN in {doc}");
        }

        let probes = verify(&r, &s, &|_: ProbeEvent| {}).await.unwrap();
        let failing: Vec<_> = probes.iter().filter(|p| p.status == ProbeStatus::Fail).collect();
        assert!(failing.is_empty(), "{partition}: {failing:#?}");
        // moto has no policy simulator: the permissions probe is checked only partly, the rest pass.
        let partly: Vec<&str> = probes.iter().filter(|p| p.status == ProbeStatus::Partial).map(|p| p.id.as_str()).collect();
        assert_eq!(partly, ["aws:permissions"], "{partition}: {probes:#?}");
        assert!(probes.iter().filter(|p| p.status == ProbeStatus::Pass).count() >= 5, "{partition}: {probes:#?}");

        revoke(&r, &s, false).await.unwrap_or_else(|f| panic!("{partition}: {}", f.error));
        assert!(sess.iam.get_role().role_name("vendor-access").send().await.is_err(), "{partition}: revoked");
    }
}
