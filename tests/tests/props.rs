//! Property tests: every valid plan renders to valid JSON within IAM limits; every invalid field
//! is reported at its path.

mod common;

use proptest::prelude::*;
use trustbridge_core::plan::*;
use trustbridge_core::policy::{INLINE_POLICIES_AGGREGATE_MAX, TRUST_POLICY_MAX};
use trustbridge_core::render::aws;
use trustbridge_core::{render, validate};

fn bucket() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9-]{1,40}[a-z0-9]".prop_filter("not an IP, no reserved prefixes or suffixes", |b| {
        !b.starts_with("xn--") && !b.starts_with("sthree-") && !b.ends_with("-s3alias") && !b.ends_with("--ol-s3") && !b.ends_with("--x-s3")
    })
}

fn aws_plan() -> impl Strategy<Value = Plan> {
    (
        "[0-9]{12}",
        prop::sample::select(vec!["eu-west-1", "us-east-1", "ap-southeast-2"]),
        "[A-Za-z0-9+=,.@_-]{1,64}",
        "[A-Za-z0-9+=,.@:/_-]{2,200}",
        prop::collection::vec((bucket(), prop::option::of("[a-z0-9/_.-]{1,30}")), 1..25),
        prop::collection::vec("[A-Za-z0-9._-]{1,40}", 0..5),
    )
        .prop_map(|(acct, region, role, ext, buckets, buses)| {
            let mut seen = std::collections::BTreeSet::new();
            let storage = buckets
                .into_iter()
                .filter(|(b, p)| seen.insert(format!("{b}/{}", p.clone().unwrap_or_default())))
                .map(|(bucket, prefix)| S3Storage { bucket, prefix: prefix.filter(|p| !p.starts_with('/')), kms_key_arn: None })
                .collect();
            let mut seen = std::collections::BTreeSet::new();
            let events = buses.into_iter().filter(|b| seen.insert(b.clone())).map(|event_bus_name| EventBus { event_bus_name }).collect();
            Plan {
                version: 1,
                platform: "mlcube".into(),
                integration: Integration { name: "AWS_01".into(), project_id: "p".into(), default: false, api_url: None },
                aws: Some(AwsPlan {
                    partition: "aws".into(),
                    account_id: acct,
                    region: region.into(),
                    role_name: Some(role),
                    role_path: "/".into(),
                    permissions_boundary_arn: None,
                    external_id: Some(ext),
                    vendor: None,
                    vendor_credentials_id: None,
                    storage,
                    events,
                    organization: None,
                    accounts: Vec::new(),
                }),
                gcp: None,
                azure: None,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn valid_plans_render_valid_json_within_iam_limits(plan in aws_plan()) {
        let r = validate(&plan, None);
        let r = match r {
            Ok(r) => r,
            Err(problems) => {
                // The only acceptable refusal of a well-formed plan is an IAM size limit.
                prop_assert!(problems.iter().all(|p| p.rule.contains("IAM limit")), "{:#?}", problems);
                return Ok(());
            }
        };
        let docs = aws::documents(r.aws.as_ref().unwrap());
        prop_assert!(docs.trust.iam_size() <= TRUST_POLICY_MAX);
        let inline: usize = docs.inline().iter().map(|(_, d)| d.iam_size()).sum();
        prop_assert!(inline <= INLINE_POLICIES_AGGREGATE_MAX);
        for f in render(&r).files {
            if f.path.ends_with(".json") {
                prop_assert!(serde_json::from_str::<serde_json::Value>(&f.content).is_ok(), "{}", f.path);
            }
        }
        // Round trip: the exported plan is the plan.
        let again = Plan::from_json(&plan.to_json_pretty()).unwrap();
        prop_assert_eq!(again, plan);
    }

    #[test]
    fn an_invalid_field_is_always_reported_at_its_path(
        plan in aws_plan(),
        which in 0usize..6,
        junk in "[ !#$%&*<>?|~\\\\]{1,5}",
    ) {
        let mut plan = plan;
        let a = plan.aws.as_mut().unwrap();
        let field = match which {
            0 => { a.account_id.push_str(&junk); "aws.account_id" }
            1 => { a.region = format!("{junk}{}", a.region); "aws.region" }
            2 => { a.role_name = Some(format!("{}{junk}", a.role_name.clone().unwrap())); "aws.role_name" }
            3 => { a.external_id = Some(format!("{junk}{}", a.external_id.clone().unwrap())); "aws.external_id" }
            4 => { a.storage[0].bucket.push_str(&junk); "aws.storage[0].bucket" }
            _ => { a.role_path = format!("/{junk}"); "aws.role_path" }
        };
        let problems = validate(&plan, None).expect_err("invalid plan accepted");
        prop_assert!(problems.iter().any(|p| p.field == field), "{} not in {:#?}", field, problems);
    }
}
