use super::*;

const ROLE: &str = "arn:aws:iam::111122223333:role/mlcube-platform-access";

fn facts() -> Facts {
    Facts {
        account_id: "111122223333".into(),
        region: "eu-west-1".into(),
        iam_region: "us-east-1".into(),
        org_id: Some("o-abc123".into()),
        no_org: false,
        vendor_account: Some("444455556666".into()),
    }
}

fn vendor(action: &str, resource: &str) -> Request {
    Request { actor: Actor::Vendor, action: action.into(), resource: resource.into(), principal_arn: Some(ROLE.into()) }
}

fn doc(statements: &str) -> Vec<AnyStatement> {
    parse_any(&format!(r#"{{"Version":"2012-10-17","Statement":{statements}}}"#)).unwrap()
}

fn level(name: &str, policies: &[(&str, &str)]) -> ScpLevel {
    ScpLevel { level: name.into(), policies: policies.iter().map(|(n, d)| (n.to_string(), doc(d))).collect() }
}

const FULL: &str = r#"[{"Effect":"Allow","Action":"*","Resource":"*"}]"#;

fn codes(f: &[GuardFinding]) -> Vec<(&'static str, GuardSeverity)> {
    f.iter().map(|x| (x.code.as_str(), x.severity)).collect()
}

/// The fix names a way out that exists: a policy on the account itself is detached from it
/// (an account cannot be moved out of itself); one on an OU is left by moving the account.
#[test]
fn the_fix_detaches_an_accounts_own_policy_and_moves_the_account_out_of_an_ou() {
    let deny = r#"[{"Sid":"NoGet","Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]"#;
    let req = [vendor("s3:GetObject", "arn:aws:s3:::data/*")];
    let path = [level("root r-1", &[("Full", FULL)]), level("OU ou-1-aaaa (Training)", &[("Full", FULL), ("OuDeny", deny)])];
    let on_ou = scp_findings(&path, &req, &facts());
    assert_eq!(codes(&on_ou), [("preflight.scp_denies", GuardSeverity::Blocking)]);
    assert!(on_ou[0].fix.ends_with("or to move the account out of OU ou-1-aaaa (Training)."), "{}", on_ou[0].fix);
    let path = [level("root r-1", &[("Full", FULL)]), level("account 111122223333", &[("Full", FULL), ("Mine", deny)])];
    let on_account = scp_findings(&path, &req, &facts());
    assert_eq!(codes(&on_account), [("preflight.scp_denies", GuardSeverity::Blocking)]);
    assert!(on_account[0].fix.ends_with("or to detach Mine from the account."), "{}", on_account[0].fix);
    assert!(!on_account[0].fix.contains("out of account"), "{}", on_account[0].fix);
}

#[test]
fn wildcards_follow_iam() {
    assert!(wildcard("s3:Get*", "s3:GetObject", false));
    assert!(wildcard("S3:get*", "s3:GetObject", true));
    assert!(!wildcard("S3:get*", "s3:GetObject", false));
    assert!(wildcard("arn:aws:s3:::b/*", "arn:aws:s3:::b/data/*", false));
    assert!(wildcard("s3:?etObject", "s3:GetObject", false));
    assert!(!wildcard("s3:Put*", "s3:GetObject", true));
    assert!(wildcard("*", "", false));
    assert!(!wildcard("a*b*c", "abca", false));
}

/// AWS's identity perimeter RCP (the data perimeter examples), as a customer writes it.
fn perimeter(extra: &str) -> String {
    format!(
        r#"[{{"Sid":"EnforceOrgIdentities","Effect":"Deny","Principal":"*","Action":["s3:*","kms:*","sts:AssumeRole"],"Resource":"*",
        "Condition":{{"StringNotEqualsIfExists":{{"aws:PrincipalOrgID":"o-abc123"{extra}}},"BoolIfExists":{{"aws:PrincipalIsAWSService":"false"}}}}}}]"#
    )
}

#[test]
fn an_identity_perimeter_rcp_blocks_the_vendors_sign_in_but_not_the_roles_own_reads() {
    let path = [level("root r-1", &[("RCPFullAWSAccess", FULL), ("Perimeter", &perimeter(""))])];
    let requests = [
        vendor_sign_in_request(ROLE),
        vendor("s3:GetObject", "arn:aws:s3:::b/*"),
        vendor("events:PutEvents", "arn:aws:events:eu-west-1:111122223333:event-bus/x"),
        Request { actor: Actor::Apply, action: "iam:CreateRole".into(), resource: ROLE.into(), principal_arn: None },
    ];
    let f = rcp_findings(&path, &requests, &facts());
    // The role's sessions are this organization's principals; the vendor's own principal is not.
    assert_eq!(codes(&f), [("preflight.rcp_denies", GuardSeverity::Blocking)], "{f:#?}");
    assert!(
        f[0].message.contains("sts:AssumeRole") && f[0].message.contains("Perimeter") && f[0].message.contains("root r-1"),
        "{}",
        f[0].message
    );
    assert!(f[0].fix.contains("444455556666") && f[0].fix.contains("aws:PrincipalAccount"), "{}", f[0].fix);
    // The same path's Allow-only RCPFullAWSAccess alone: nothing.
    assert!(rcp_findings(&[level("root r-1", &[("RCPFullAWSAccess", FULL)])], &requests, &facts()).is_empty());
}

#[test]
fn aws_s_confused_deputy_rcp_never_touches_the_roles_own_reads() {
    // AWS's data perimeter example "EnforceConfusedDeputyProtection": only AWS services acting
    // for another account or organization are denied; the role's sessions are not a service.
    let deputy = r#"[{"Sid":"EnforceConfusedDeputyProtection","Effect":"Deny","Principal":"*","Action":["s3:*","kms:*"],"Resource":"*",
        "Condition":{"StringNotEqualsIfExists":{"aws:SourceOrgID":"o-abc123"},"Null":{"aws:SourceAccount":"false"},"Bool":{"aws:PrincipalIsAWSService":"true"}}}]"#;
    let requests = [
        vendor("s3:GetObject", "arn:aws:s3:::b/*"),
        vendor("kms:Decrypt", "arn:aws:kms:eu-west-1:111122223333:key/k"),
        vendor_sign_in_request(ROLE),
    ];
    let f = rcp_findings(&[level("root r-1", &[("Deputy", deputy)])], &requests, &facts());
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn an_rcp_exempting_the_vendors_account_passes_and_an_undecidable_one_is_a_warning() {
    let exempt = perimeter(r#","aws:PrincipalAccount":["444455556666"]"#);
    let f = rcp_findings(&[level("root r-1", &[("Perimeter", &exempt)])], &[vendor_sign_in_request(ROLE)], &facts());
    assert!(f.is_empty(), "the vendor's account is exempt: {f:#?}");
    // Another organization listed: it may be the vendor's (not known here).
    let partner = r#"[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":["o-abc123","o-partner1"]}}}]"#;
    let f = rcp_findings(&[level("OU ou-1-a", &[("Partners", partner)])], &[vendor_sign_in_request(ROLE)], &facts());
    assert_eq!(codes(&f), [("preflight.rcp_may_deny", GuardSeverity::Warning)], "{f:#?}");
    // A tag on the role the customer may set (AWS's example excludes roles tagged dp:exclude:identity).
    let tagged = perimeter(r#","aws:ResourceTag/dp:exclude:identity":"true""#);
    let f = rcp_findings(&[level("root r-1", &[("Perimeter", &tagged)])], &[vendor_sign_in_request(ROLE)], &facts());
    assert_eq!(codes(&f), [("preflight.rcp_may_deny", GuardSeverity::Warning)], "{f:#?}");
    assert!(f[0].message.contains("dp:exclude:identity"), "{}", f[0].message);
    // Denying only this organization's principals, or plain HTTP: never the vendor.
    let odd = r#"[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}},
        {"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]"#;
    let f = rcp_findings(&[level("root r-1", &[("Odd", odd)])], &[vendor_sign_in_request(ROLE)], &facts());
    assert!(f.is_empty(), "{f:#?}");
    // Without an organization id known, the vendor's organization cannot be told apart: a warning.
    let unknown = Facts { org_id: None, ..facts() };
    let f = rcp_findings(&[level("root r-1", &[("Perimeter", &perimeter(""))])], &[vendor_sign_in_request(ROLE)], &unknown);
    assert_eq!(codes(&f), [("preflight.rcp_may_deny", GuardSeverity::Warning)], "{f:#?}");
}

#[test]
fn an_scp_denying_an_action_the_vendor_needs_blocks() {
    let path = [
        level("root r-1", &[("FullAWSAccess", FULL)]),
        level(
            "OU ou-1-a (Data)",
            &[("FullAWSAccess", FULL), ("NoReads", r#"[{"Sid":"NoGet","Effect":"Deny","Action":"s3:Get*","Resource":"*"}]"#)],
        ),
    ];
    let f = scp_findings(&path, &[vendor("s3:getobject", "arn:aws:s3:::b/data/*"), vendor("s3:listbucket", "arn:aws:s3:::b")], &facts());
    assert_eq!(codes(&f), [("preflight.scp_denies", GuardSeverity::Blocking)]);
    assert!(f[0].message.contains("NoReads") && f[0].message.contains("ou-1-a") && f[0].message.contains("NoGet"), "{}", f[0].message);
}

#[test]
fn not_action_denies_everything_else() {
    let path =
        [level("root r-1", &[("FullAWSAccess", FULL), ("OnlyEc2", r#"[{"Effect":"Deny","NotAction":["ec2:*","s3:*"],"Resource":"*"}]"#)])];
    let f = scp_findings(
        &path,
        &[vendor("s3:GetObject", "arn:aws:s3:::b/*"), vendor("events:PutEvents", "arn:aws:events:eu-west-1:111122223333:event-bus/x")],
        &facts(),
    );
    assert_eq!(codes(&f), [("preflight.scp_denies", GuardSeverity::Blocking)]);
    assert!(f[0].message.contains("events:PutEvents"));
}

#[test]
fn scps_are_allow_lists_at_every_level() {
    let path = [
        level("root r-1", &[("FullAWSAccess", FULL)]),
        level("OU ou-1-a", &[("OnlyS3", r#"[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]"#)]),
    ];
    let f = scp_findings(
        &path,
        &[vendor("s3:GetObject", "arn:aws:s3:::b/*"), vendor("events:PutEvents", "arn:aws:events:eu-west-1:1:event-bus/x")],
        &facts(),
    );
    assert_eq!(codes(&f), [("preflight.scp_not_allowed", GuardSeverity::Blocking)]);
    assert!(f[0].message.contains("events:PutEvents") && f[0].message.contains("ou-1-a"));
}

#[test]
fn decidable_conditions_are_decided_and_others_are_may_deny() {
    let region_lock = r#"[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}}]"#;
    let path = [level("root r-1", &[("FullAWSAccess", FULL), ("Regions", region_lock)])];
    assert!(scp_findings(&path, &[vendor("s3:GetObject", "arn:aws:s3:::b/*")], &facts()).is_empty(), "eu-west-1 is allowed");
    let mut us = facts();
    us.region = "us-east-1".into();
    assert_eq!(
        codes(&scp_findings(&path, &[vendor("s3:GetObject", "arn:aws:s3:::b/*")], &us)),
        [("preflight.scp_denies", GuardSeverity::Blocking)]
    );

    // Exempting roles by ARN pattern: decided from the role's ARN.
    let exempt = r#"[{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/mlcube-*"}}}]"#;
    let path = [level("root r-1", &[("FullAWSAccess", FULL), ("Exempt", exempt)])];
    assert!(scp_findings(&path, &[vendor("s3:GetObject", "arn:aws:s3:::b/*")], &facts()).is_empty());

    // A tag condition cannot be known in advance.
    let tagged = r#"[{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"data"}}}]"#;
    let path = [level("root r-1", &[("FullAWSAccess", FULL), ("Tagged", tagged)])];
    let f = scp_findings(&path, &[vendor("s3:GetObject", "arn:aws:s3:::b/*")], &facts());
    assert_eq!(codes(&f), [("preflight.scp_may_deny", GuardSeverity::Warning)]);
    assert!(f[0].message.contains("aws:PrincipalTag/team"), "{}", f[0].message);
}

#[test]
fn a_deny_on_part_of_the_prefix_may_deny() {
    let path = [level(
        "root r-1",
        &[("FullAWSAccess", FULL), ("Secret", r#"[{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/data/secret/*"}]"#)],
    )];
    let f = scp_findings(&path, &[vendor("s3:GetObject", "arn:aws:s3:::b/data/*")], &facts());
    assert_eq!(codes(&f), [("preflight.scp_may_deny", GuardSeverity::Warning)]);
    let f = scp_findings(&path, &[vendor("s3:GetObject", "arn:aws:s3:::other/*")], &facts());
    assert!(f.is_empty());
}

#[test]
fn bucket_policies_org_and_vpc_conditions() {
    let org = doc(
        r#"[{"Sid":"OrgOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-other"}}}]"#,
    );
    let reqs = [vendor("s3:GetObject", "arn:aws:s3:::b/data/*")];
    let f = resource_policy_findings(ResourcePolicy::Bucket, "b", &org, &reqs, &facts());
    assert_eq!(codes(&f), [("preflight.bucket_policy_denies", GuardSeverity::Blocking)]);
    assert!(f[0].fix.contains(ROLE));
    // The role's own organization: the condition is false, nothing denied.
    let mut own = facts();
    own.org_id = Some("o-other".into());
    assert!(resource_policy_findings(ResourcePolicy::Bucket, "b", &org, &reqs, &own).is_empty());
    // Unknown organization: may deny.
    let mut unknown = facts();
    unknown.org_id = None;
    assert_eq!(
        codes(&resource_policy_findings(ResourcePolicy::Bucket, "b", &org, &reqs, &unknown)),
        [("preflight.bucket_policy_may_deny", GuardSeverity::Warning)]
    );

    // The vendor never comes through the customer's VPC endpoint; TLS-only is always met.
    let vpce = doc(
        r#"[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}},
                      {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]"#,
    );
    assert_eq!(
        codes(&resource_policy_findings(ResourcePolicy::Bucket, "b", &vpce, &reqs, &facts())),
        [("preflight.bucket_policy_denies", GuardSeverity::Blocking)]
    );

    // A deny for another principal does not hit; NotPrincipal exempts the vendor's sessions only
    // when it lists the account, the role and its sessions (AWS's NotPrincipal-with-Deny rule).
    let session = "arn:aws:sts::111122223333:assumed-role/mlcube-platform-access/vendor-session";
    let others = doc(&format!(
        r#"[{{"Effect":"Deny","Principal":{{"AWS":"arn:aws:iam::999999999999:root"}},"Action":"s3:*","Resource":"*"}},
            {{"Effect":"Deny","NotPrincipal":{{"AWS":["arn:aws:iam::111122223333:root","{ROLE}","{session}"]}},"Action":"s3:*","Resource":"*"}}]"#
    ));
    assert!(resource_policy_findings(ResourcePolicy::Bucket, "b", &others, &reqs, &facts()).is_empty());
    let role_only =
        doc(&format!(r#"[{{"Sid":"RoleOnly","Effect":"Deny","NotPrincipal":{{"AWS":"{ROLE}"}},"Action":"s3:*","Resource":"*"}}]"#));
    let f = resource_policy_findings(ResourcePolicy::Bucket, "b", &role_only, &reqs, &facts());
    assert_eq!(codes(&f), [("preflight.bucket_policy_may_deny", GuardSeverity::Warning)], "the role alone does not exempt its sessions");
    let account_only = doc(r#"[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"}]"#);
    assert_eq!(
        codes(&resource_policy_findings(ResourcePolicy::Bucket, "b", &account_only, &reqs, &facts())),
        [("preflight.bucket_policy_denies", GuardSeverity::Blocking)]
    );
}

#[test]
fn key_policies_delegate_or_not() {
    let default = doc(
        r#"[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]"#,
    );
    assert!(key_policy_delegates(&default, "aws", "111122223333", ROLE));
    let admin_only =
        doc(r#"[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Admin"},"Action":"kms:*","Resource":"*"}]"#);
    assert!(!key_policy_delegates(&admin_only, "aws", "111122223333", ROLE));
    let direct = doc(&format!(r#"[{{"Effect":"Allow","Principal":{{"AWS":"{ROLE}"}},"Action":["kms:Decrypt"],"Resource":"*"}}]"#));
    assert!(key_policy_delegates(&direct, "aws", "111122223333", ROLE));
    let st: Vec<AnyStatement> = parse_any(&format!(r#"{{"Statement":[{}]}}"#, delegation_statement("aws", "111122223333"))).unwrap();
    assert!(key_policy_delegates(&st, "aws", "111122223333", ROLE), "the statement we tell people to add works");
}

#[test]
fn unreadable_documents_say_where() {
    assert!(parse_any("{").unwrap_err().contains("not JSON"));
    assert_eq!(
        parse_any(r#"{"Statement":[{"Effect":"Deny","Resource":"*"}]}"#).unwrap_err(),
        "Statement[0]: needs exactly one of Action and NotAction"
    );
    assert_eq!(parse_any(r#"{"Statement":[{"Effect":"Maybe","Action":"*"}]}"#).unwrap_err(), "Statement[0]: Effect \"Maybe\"");
    assert!(parse_any(r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}"#).is_ok(), "one statement as an object");
}

#[test]
fn apply_requests_know_only_user_and_root_principals() {
    let r = apply_requests(ROLE, "arn:aws:iam::111122223333:user/alice", true);
    assert!(r.iter().all(|x| x.principal_arn.as_deref() == Some("arn:aws:iam::111122223333:user/alice")));
    assert!(r.iter().any(|x| x.action == "iam:PutRolePermissionsBoundary"));
    let r = apply_requests(ROLE, "arn:aws:sts::111122223333:assumed-role/Admin/alice@example.com", false);
    assert!(r.iter().all(|x| x.principal_arn.is_none()));
    let deny_create =
        [level("root r-1", &[("FullAWSAccess", FULL), ("NoRoles", r#"[{"Effect":"Deny","Action":"iam:CreateRole","Resource":"*"}]"#)])];
    let f = scp_findings(&deny_create, &r, &facts());
    assert_eq!(codes(&f), [("preflight.scp_denies", GuardSeverity::Blocking)]);
    assert!(f[0].message.contains("apply (your credentials)"));
}

#[test]
fn arn_operators_match_part_by_part_and_arn_equals_takes_wildcards() {
    assert!(arn_like("arn:aws:iam::*:role/mlcube-*", ROLE));
    assert!(!arn_like("arn:aws:iam::*role/mlcube-platform-access", ROLE), "a star never spans a colon");
    let f = |op: &str, v: &str| {
        let st = doc(&format!(
            r#"[{{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{{"{op}":{{"aws:PrincipalArn":"{v}"}}}}}}]"#
        ));
        codes(&resource_policy_findings(ResourcePolicy::Bucket, "b", &st, &[vendor("s3:GetObject", "arn:aws:s3:::b/*")], &facts()))
    };
    assert_eq!(f("ArnEquals", "arn:aws:iam::*:role/mlcube-*"), [("preflight.bucket_policy_denies", GuardSeverity::Blocking)]);
    assert!(f("ArnNotEquals", "arn:aws:iam::*:role/mlcube-*").is_empty(), "an exemption with a wildcard exempts");
    assert!(f("StringEquals", "arn:aws:iam::*:role/mlcube-*").is_empty(), "StringEquals takes no wildcard");
}

#[test]
fn absent_keys_if_exists_null_and_not_resource() {
    let run = |cond: &str| {
        let st = doc(&format!(r#"[{{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{cond}}}]"#));
        codes(&resource_policy_findings(ResourcePolicy::Bucket, "b", &st, &[vendor("s3:GetObject", "arn:aws:s3:::b/*")], &facts()))
    };
    let blocks = [("preflight.bucket_policy_denies", GuardSeverity::Blocking)];
    // The vendor's requests carry no aws:SourceVpce.
    assert_eq!(run(r#"{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}"#), blocks, "negated operator, absent key: matches");
    assert!(run(r#"{"StringEquals":{"aws:SourceVpce":"vpce-1"}}"#).is_empty(), "positive operator, absent key: no match");
    assert_eq!(run(r#"{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}"#), blocks, "IfExists, absent key: matches");
    assert_eq!(run(r#"{"Null":{"aws:SourceVpce":"true"}}"#), blocks);
    assert!(run(r#"{"Null":{"aws:SourceVpce":"false"}}"#).is_empty());
    assert!(run(r#"{"Bool":{"aws:SecureTransport":[false]}}"#).is_empty(), "a boolean list is read, and TLS is always on");
    let nr = doc(r#"[{"Effect":"Deny","Principal":"*","Action":"s3:*","NotResource":"arn:aws:s3:::b/public/*"}]"#);
    let hit = |res: &str| codes(&resource_policy_findings(ResourcePolicy::Bucket, "b", &nr, &[vendor("s3:GetObject", res)], &facts()));
    assert!(hit("arn:aws:s3:::b/public/*").is_empty(), "NotResource covers the request: no match");
    assert_eq!(hit("arn:aws:s3:::b/*"), [("preflight.bucket_policy_may_deny", GuardSeverity::Warning)], "partly outside NotResource");
    assert_eq!(hit("arn:aws:s3:::b/data/*"), blocks);
}

#[test]
fn partial_overlaps_anywhere_in_the_pattern_may_deny() {
    let path = |res: &str| {
        [level(
            "root r-1",
            &[("FullAWSAccess", FULL), ("Conf", &format!(r#"[{{"Effect":"Deny","Action":"s3:GetObject","Resource":"{res}"}}]"#))],
        )]
    };
    let f = |res: &str, req: &str| codes(&scp_findings(&path(res), &[vendor("s3:GetObject", req)], &facts()));
    assert_eq!(f("arn:aws:s3:::*/confidential/*", "arn:aws:s3:::b/data/*"), [("preflight.scp_may_deny", GuardSeverity::Warning)]);
    assert_eq!(
        f("arn:aws:s3:::b/data/?", "arn:aws:s3:::b/data/*"),
        [("preflight.scp_may_deny", GuardSeverity::Warning)],
        "? covers one character only"
    );
    assert_eq!(f("arn:aws:s3:::b/*", "arn:aws:s3:::b/data/*"), [("preflight.scp_denies", GuardSeverity::Blocking)]);
    assert!(f("arn:aws:s3:::other/*", "arn:aws:s3:::b/data/*").is_empty());
    assert!(globs_intersect("a*c", "ab*") && !globs_intersect("a*c", "b*") && globs_intersect("*", ""));
}

#[test]
fn iam_calls_are_in_the_partition_s_iam_region() {
    let lock = r#"[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}}]"#;
    let path = [level("root r-1", &[("FullAWSAccess", FULL), ("EuOnly", lock)])];
    let reqs = apply_requests(ROLE, "arn:aws:iam::111122223333:user/alice", false);
    let f = scp_findings(&path, &reqs, &facts());
    assert!(
        !f.is_empty() && f.iter().all(|x| x.code == GuardCode::ScpDenies),
        "a region lock without an IAM exemption blocks apply: {f:#?}"
    );
    assert!(scp_findings(&path, &[vendor("s3:GetObject", "arn:aws:s3:::b/*")], &facts()).is_empty(), "the vendor reads in eu-west-1");
    assert_eq!(iam_region("aws-cn"), "cn-north-1");
}
