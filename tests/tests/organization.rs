//! Organization-wide AWS plans (`aws.organization` + `aws.accounts`): every field validated at its
//! own path, each account resolved exactly as the single-account plan it amounts to, and single-account
//! plans unchanged.

mod common;

use common::*;
use serde_json::{json, Value};
use trustbridge_core::validate::{OrgEngine, DEFAULT_MEMBER_ROLE};
use trustbridge_core::{render, validate, Plan};

fn problems_of(v: &Value) -> Vec<trustbridge_core::validate::Problem> {
    let plan = Plan::from_json(&v.to_string()).unwrap_or_else(|e| panic!("should parse: {e}"));
    match validate(&plan, None) {
        Ok(_) => panic!("accepted, but it is invalid: {v:#}"),
        Err(p) => p,
    }
}

fn org(name: &str) -> Value {
    serde_json::from_str(&plan_text(name)).unwrap()
}

#[test]
fn a_member_role_plan_resolves_every_account_like_a_single_account_plan() {
    let r = resolved("org-member-role.json");
    assert!(r.aws.is_none(), "an organization-wide plan has no single account");
    let o = r.aws_org.as_ref().expect("organization");
    assert_eq!(o.engine, OrgEngine::MemberRole);
    assert_eq!(o.management_account_id, "123456789012");
    assert_eq!(o.member_role_name, DEFAULT_MEMBER_ROLE);
    assert_eq!(o.max_concurrency, 8);
    let ids: Vec<&str> = r.aws_accounts().iter().map(|a| a.account_id.as_str()).collect();
    assert_eq!(ids, ["210987654321", "345678901234"]);
    assert_eq!(o.member_role_arn(&o.accounts[0]), "arn:aws:iam::210987654321:role/OrganizationAccountAccessRole");
    // The account without a region of its own takes the plan's.
    assert_eq!(o.accounts[0].region, "eu-west-1");
    assert_eq!(o.accounts[1].region, "us-east-1");

    // Each account is exactly what the equivalent single-account plan resolves to: same documents,
    // same scripts and templates, byte for byte.
    for a in &o.accounts {
        let one = r.for_account(a);
        let mut single = org("org-member-role.json");
        let m = single["aws"].as_object_mut().unwrap();
        m.remove("organization");
        let accounts = m.remove("accounts").unwrap();
        let entry = accounts.as_array().unwrap().iter().find(|x| x["account_id"] == a.account_id.as_str()).unwrap().clone();
        m.insert("account_id".into(), entry["account_id"].clone());
        if let Some(region) = entry.get("region") {
            m.insert("region".into(), region.clone());
        }
        m.insert("storage".into(), entry["storage"].clone());
        m.insert("events".into(), entry.get("events").cloned().unwrap_or(json!([])));
        let single = validate(&Plan::from_json(&single.to_string()).unwrap(), None).unwrap();
        assert_eq!(one.plan, single.plan, "{}", a.account_id);
        let (ours, theirs) = (render::render(&one), render::render(&single));
        let names = |b: &render::Bundle| b.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
        assert_eq!(names(&ours), names(&theirs));
        for (x, y) in ours.files.iter().zip(&theirs.files) {
            assert_eq!(x.content, y.content, "{} of {}", x.path, a.account_id);
        }
    }

    // The organization's export holds each account's bundle under aws/accounts/<id>/: every AWS
    // file the account's single-account plan exports, the same bytes, and nothing else there.
    let bundle = render::render(&r);
    for a in &o.accounts {
        let prefix = format!("aws/accounts/{}/", a.account_id);
        let mut held: Vec<(String, String)> = bundle
            .files
            .iter()
            .filter_map(|f| f.path.strip_prefix(&prefix).map(|rest| (format!("aws/{rest}"), f.content.clone())))
            .collect();
        let mut single: Vec<(String, String)> = render::render(&r.for_account(a))
            .files
            .into_iter()
            .filter(|f| f.path.starts_with("aws/"))
            .map(|f| (f.path, f.content))
            .collect();
        held.sort();
        single.sort();
        assert!(!held.is_empty(), "{prefix}: no files");
        assert_eq!(held, single, "{prefix}");
    }
}

#[test]
fn a_stack_set_plan_names_its_organizational_units() {
    let r = resolved("org-stack-set.json");
    let o = r.aws_org.as_ref().unwrap();
    assert_eq!(o.engine, OrgEngine::StackSet);
    assert_eq!(o.organizational_units, ["ou-ab12-cd34ef56", "ou-ab12-99887766"]);
    assert_eq!(o.max_concurrency, 4);
}

#[test]
fn every_bad_organization_field_is_reported_at_its_path_with_the_rule_and_the_value() {
    // (what, plan, a change at a JSON pointer (None removes it), the field reported, a word of the rule, the value shown)
    type Case = (&'static str, &'static str, &'static str, Option<Value>, &'static str, &'static str, &'static str);
    let cases: Vec<Case> = vec![
        (
            "unknown engine",
            "org-member-role.json",
            "/aws/organization/engine",
            Some(json!("loop")),
            "aws.organization.engine",
            "member-role, stack-set",
            "loop",
        ),
        ("engine of the wrong type", "org-member-role.json", "/aws/organization/engine", Some(json!(7)), "", "", ""),
        (
            "OU id malformed",
            "org-stack-set.json",
            "/aws/organization/organizational_units/0",
            Some(json!("ou-XY")),
            "aws.organization.organizational_units[0]",
            "organizational unit",
            "ou-XY",
        ),
        (
            "root id malformed",
            "org-stack-set.json",
            "/aws/organization/organizational_units/1",
            Some(json!("r-")),
            "aws.organization.organizational_units[1]",
            "root",
            "r-",
        ),
        (
            "OU listed twice",
            "org-stack-set.json",
            "/aws/organization/organizational_units/1",
            Some(json!("ou-ab12-cd34ef56")),
            "aws.organization.organizational_units[1]",
            "twice",
            "ou-ab12-cd34ef56",
        ),
        (
            "stack-set without OUs",
            "org-stack-set.json",
            "/aws/organization/organizational_units",
            None,
            "aws.organization.organizational_units",
            "at least one",
            "[]",
        ),
        (
            "member-role with OUs",
            "org-member-role.json",
            "/aws/organization/organizational_units",
            Some(json!(["ou-ab12-cd34ef56"])),
            "aws.organization.organizational_units",
            "stack-set",
            "ou-ab12-cd34ef56",
        ),
        ("member-role without accounts", "org-member-role.json", "/aws/accounts", None, "aws.accounts", "at least one", "[]"),
        (
            "member role name with a space",
            "org-member-role.json",
            "/aws/organization/member_role_name",
            Some(json!("Org Access")),
            "aws.organization.member_role_name",
            "role name",
            "Org Access",
        ),
        (
            "member role is the vendor's role",
            "org-member-role.json",
            "/aws/organization/member_role_name",
            Some(json!("mlcube-platform-access")),
            "aws.organization.member_role_name",
            "vendor's role",
            "mlcube-platform-access",
        ),
        (
            "concurrency 0",
            "org-member-role.json",
            "/aws/organization/max_concurrency",
            Some(json!(0)),
            "aws.organization.max_concurrency",
            "between 1 and 50",
            "0",
        ),
        (
            "concurrency 51",
            "org-member-role.json",
            "/aws/organization/max_concurrency",
            Some(json!(51)),
            "aws.organization.max_concurrency",
            "between 1 and 50",
            "51",
        ),
        ("concurrency negative", "org-member-role.json", "/aws/organization/max_concurrency", Some(json!(-1)), "", "", ""),
        (
            "member account id short",
            "org-member-role.json",
            "/aws/accounts/1/account_id",
            Some(json!("3456")),
            "aws.accounts[1].account_id",
            "12 digits",
            "3456",
        ),
        (
            "member account is the vendor's",
            "org-member-role.json",
            "/aws/accounts/0/account_id",
            Some(json!("883313729965")),
            "aws.accounts[0].account_id",
            "vendor's account",
            "883313729965",
        ),
        (
            "member account listed twice",
            "org-member-role.json",
            "/aws/accounts/1/account_id",
            Some(json!("210987654321")),
            "aws.accounts[1]",
            "twice",
            "210987654321",
        ),
        (
            "member region malformed",
            "org-member-role.json",
            "/aws/accounts/1/region",
            Some(json!("Virginia")),
            "aws.accounts[1].region",
            "region",
            "Virginia",
        ),
        (
            "member bucket malformed",
            "org-member-role.json",
            "/aws/accounts/0/storage/0/bucket",
            Some(json!("Team_A")),
            "aws.accounts[0].storage[0].bucket",
            "bucket",
            "Team_A",
        ),
        (
            "member prefix malformed",
            "org-member-role.json",
            "/aws/accounts/0/storage/0/prefix",
            Some(json!("/abs")),
            "aws.accounts[0].storage[0].prefix",
            "prefix",
            "/abs",
        ),
        (
            "member KMS key in another region",
            "org-member-role.json",
            "/aws/accounts/1/region",
            Some(json!("eu-west-1")),
            "aws.accounts[1].storage[0].kms_key_arn",
            "region",
            "arn:aws:kms:us-east-1",
        ),
        (
            "member bus malformed",
            "org-member-role.json",
            "/aws/accounts/0/events/0/event_bus_name",
            Some(json!("bad bus")),
            "aws.accounts[0].events[0].event_bus_name",
            "bus",
            "bad bus",
        ),
        (
            "member account with nothing to grant",
            "org-member-role.json",
            "/aws/accounts/1/storage",
            Some(json!([])),
            "aws.accounts[1].storage",
            "nothing to grant",
            "[]",
        ),
        (
            "top-level storage beside accounts",
            "org-member-role.json",
            "/aws/storage",
            Some(json!([{"bucket": "stray-bucket"}])),
            "aws.storage",
            "aws.accounts",
            "1",
        ),
        ("stack-set without accounts", "org-stack-set.json", "/aws/accounts", None, "aws.accounts", "at least one account", "[]"),
        (
            "customer managed boundary",
            "org-member-role.json",
            "/aws/permissions_boundary_arn",
            Some(json!("arn:aws:iam::123456789012:policy/b")),
            "aws.permissions_boundary_arn",
            "AWS managed policy",
            "arn:aws:iam::123456789012:policy/b",
        ),
        (
            "accounts without an organization",
            "mlcube-aws.json",
            "/aws/accounts",
            Some(json!([{"account_id": "210987654321", "storage": [{"bucket": "b-one"}]}])),
            "aws.accounts",
            "aws.organization",
            "1",
        ),
        ("unknown organization field", "org-member-role.json", "/aws/organization/delegate", Some(json!(true)), "", "", ""),
    ];
    for (what, name, ptr, value, field, rule, shown) in cases {
        let mut v = org(name);
        let (parent, key) = ptr.rsplit_once('/').unwrap();
        let target = v.pointer_mut(parent).unwrap_or_else(|| panic!("{what}: {parent}"));
        match (target, value) {
            (Value::Object(m), Some(x)) => {
                m.insert(key.into(), x);
            }
            (Value::Object(m), None) => {
                m.remove(key);
            }
            (Value::Array(a), Some(x)) => a[key.parse::<usize>().unwrap()] = x,
            _ => panic!("{what}"),
        }
        if field.is_empty() {
            // A wrong JSON type or an unknown field: refused when read, naming where.
            let e = Plan::from_json(&v.to_string()).expect_err(what).to_string();
            assert!(e.contains("aws.organization"), "{what}: names the place: {e}");
            continue;
        }
        let problems = problems_of(&v);
        let hit = problems
            .iter()
            .find(|p| p.field == field || (field.ends_with(']') && p.field.starts_with(field)))
            .unwrap_or_else(|| panic!("{what}: no problem at {field}: {problems:#?}"));
        let line = hit.to_string();
        assert!(line.contains(rule), "{what}: the rule ({rule}): {line}");
        assert!(line.contains(&format!("(got '{shown}")), "{what}: the value: {line}");
        assert!(hit.code().starts_with("validation."), "{what}");
    }
}

#[test]
fn single_account_plans_stay_valid_and_unchanged() {
    for name in ["mlcube-aws.json", "three-clouds.json", "custom.json", "aws-kms-prefix.json"] {
        let r = resolved(name);
        assert!(r.aws_org.is_none(), "{name}");
        assert_eq!(r.aws_accounts().len(), usize::from(r.aws.is_some()), "{name}");
        // Written back without the new fields.
        let text = r.plan.to_json_pretty();
        assert!(!text.contains("organization") && !text.contains("\"accounts\""), "{name}");
    }
}
