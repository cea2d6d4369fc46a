//! Guardrail pre-flight, the part that decides: would a service control policy (SCP), a resource
//! control policy (RCP), a bucket policy, a KMS key policy or an event bus policy stop the vendor
//! (or stop apply) even though the role grants exactly what it should? The cloud crate reads the policies (Organizations, S3, KMS,
//! EventBridge); this module evaluates them against the requests the plan implies, without network.
//!
//! The evaluation follows IAM's policy evaluation logic as AWS documents it ("Policy evaluation
//! logic", "SCP evaluation", "Condition operators"):
//! - an explicit `Deny` that matches the request wins everywhere;
//! - SCPs are allow-lists too: at every level from the root to the account, some attached SCP must
//!   `Allow` the action, or it is implicitly denied; SCPs never apply to the management account;
//! - RCPs limit what may be done to the account's resources, by anyone — the vendor's own principal
//!   assuming the role included (`sts:AssumeRole`, the request a data perimeter most often denies:
//!   the vendor is outside the customer's organization). They hold `Deny` statements only (the
//!   allow-all `RCPFullAWSAccess` aside), cover a list of services (S3, STS, KMS, SQS, Secrets
//!   Manager, …) and, like SCPs, never apply to the management account;
//! - a statement matches when its principal (resource policies), action (`Action` / `NotAction`,
//!   case-insensitive wildcards), resource (`Resource` / `NotResource`, wildcards) and every
//!   condition match. Conditions on keys whose value is known before the request is made
//!   ([`Facts`]) are decided; any other condition makes the statement "may deny", never "denies".
//!
//! Every input here is a document from the customer's cloud, so it is read leniently and never
//! trusted: a statement this module cannot read is reported as such, never skipped in silence.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::policy::PolicyDocument;

crate::error_codes! {
    /// What pre-flight can find. Severity is per finding (see [`GuardSeverity`]).
    pub enum GuardCode {
        ScpDenies = "preflight.scp_denies" => "Ask your AWS Organizations administrator to exempt the role (or the action) from the service control policy named, or to move the account to an OU without it.",
        ScpNotAllowed = "preflight.scp_not_allowed" => "Ask your AWS Organizations administrator to attach a service control policy that allows the action at the level named (SCPs are allow-lists too).",
        ScpMayDeny = "preflight.scp_may_deny" => "Check the condition named with your AWS Organizations administrator: if it is true for the vendor's requests, the policy denies them.",
        ScpUnreadable = "preflight.scp_unreadable" => "Run pre-flight with credentials of the organization's management (or delegated administrator) account, or ask its administrator to check the service control policies.",
        ScpNotApplicable = "preflight.scp_not_applicable" => "Nothing to do: service control policies do not apply here.",
        RcpDenies = "preflight.rcp_denies" => "Ask your AWS Organizations administrator to exempt the vendor (its AWS account, or the role) from the resource control policy named, or to move the account to an OU without it.",
        RcpMayDeny = "preflight.rcp_may_deny" => "Check the condition named with your AWS Organizations administrator: if it is true for the vendor's requests, the resource control policy denies them.",
        RcpUnreadable = "preflight.rcp_unreadable" => "Run pre-flight with credentials of the organization's management (or delegated administrator) account, or ask its administrator to check the resource control policies.",
        BucketPolicyDenies = "preflight.bucket_policy_denies" => "Add an exception for the vendor's role to the bucket policy's Deny statement named, or widen its condition.",
        BucketPolicyMayDeny = "preflight.bucket_policy_may_deny" => "Check the bucket policy's condition named: if it is true for the vendor's requests, it denies them.",
        KmsKeyNotInPlan = "preflight.kms_key_not_in_plan" => "Add the bucket's KMS key ARN to the plan (storage kms_key_arn), so that the role may decrypt through S3.",
        KmsNoDelegation = "preflight.kms_no_iam_delegation" => "Add the statement shown to the key policy, so that IAM policies in the account (the role's) can grant use of the key.",
        KmsKeyPolicyDenies = "preflight.kms_key_policy_denies" => "Add an exception for the vendor's role to the key policy's Deny statement named.",
        KmsKeyPolicyMayDeny = "preflight.kms_key_policy_may_deny" => "Check the key policy's condition named: if it is true for the vendor's requests, it denies them.",
        BusPolicyDenies = "preflight.bus_policy_denies" => "Add an exception for the vendor's role to the event bus policy's Deny statement named.",
        BusPolicyMayDeny = "preflight.bus_policy_may_deny" => "Check the event bus policy's condition named: if it is true for the vendor's requests, it denies them.",
        Unreadable = "preflight.unreadable" => "Give the credentials apply uses read access to the resource named (or check that it exists), then run pre-flight again.",
        GcpKeyCreationDisabled = "preflight.gcp_key_creation_disabled" => "Choose keyless access for Google Cloud (Workload Identity Federation: no key at all), or ask your organization policy administrator to exempt the project from the constraint named.",
        GcpAwsAccountNotAllowed = "preflight.gcp_aws_account_not_allowed" => "Ask your organization policy administrator to allow the vendor's AWS account in iam.workloadIdentityPoolAwsAccounts for the project, or use a key instead of keyless access.",
        GcpPolicyMembersRestricted = "preflight.gcp_policy_members_restricted" => "Ask your organization policy administrator to add the member named to allowedMemberSubjects of iam.managed.allowedPolicyMembers for the project (or to exempt the project); otherwise the binding apply makes is refused.",
        GcpMemberDomainsRestricted = "preflight.gcp_member_domains_restricted" => "Ask your organization policy administrator whether iam.allowedPolicyMemberDomains admits the keyless principal named; if not, exempt the project or use a key instead.",
        GcpOrgPolicyUnreadable = "preflight.gcp_org_policy_unreadable" => "Give the account that applies the Organization Policy Viewer role (roles/orgpolicy.policyViewer) on the project, or ask your administrator to check the constraints named. If the message says the API is disabled or needs a quota project: enable the Organization Policy API in the project it names, or run gcloud auth application-default set-quota-project with a project where it is enabled.",
        UnparsablePolicy = "preflight.unparsable_policy" => "Check the policy named in the console: Trustbridge could not read it, so it could not tell whether it denies the vendor.",
    }
}

impl Serialize for GuardCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// How much a finding matters. `Blocking` stops apply unless the person overrides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum GuardSeverity {
    /// The request will be denied: what the vendor needs, or what apply does.
    Blocking,
    /// It may be denied: it depends on something Trustbridge cannot know in advance.
    Warning,
    /// Worth knowing; nothing will be denied because of it.
    Info,
}

/// One pre-flight finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuardFinding {
    pub code: GuardCode,
    /// `aws` or `gcp` (Google Cloud's organization policies; Azure's guardrails are not checked yet).
    pub cloud: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The policy, bucket, key or bus the finding is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub severity: GuardSeverity,
    pub message: String,
    pub fix: String,
}

/// Who makes a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The vendor, through the role.
    Vendor,
    /// The vendor's own principal (in its AWS account), assuming the role: `sts:AssumeRole` on it.
    VendorSignIn,
    /// Apply, with the customer's credentials on this computer.
    Apply,
}

/// One request the plan implies: who does what on what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub actor: Actor,
    pub action: String,
    /// The resource ARN; may end in `*` (every object under a prefix).
    pub resource: String,
    /// `aws:PrincipalArn` of the request (the role's ARN for the vendor).
    pub principal_arn: Option<String>,
}

/// What is known about every request before it is made, to decide conditions.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub account_id: String,
    pub region: String,
    /// Where IAM calls are made (`us-east-1`, `cn-north-1`, `us-gov-west-1`): apply's
    /// `aws:RequestedRegion` for `iam:` actions.
    pub iam_region: String,
    /// The organization the account belongs to, when known.
    pub org_id: Option<String>,
    /// The account is not in an organization (so `aws:PrincipalOrgID` is absent).
    pub no_org: bool,
    /// The vendor's AWS account: `aws:PrincipalAccount` of its sign-in (`sts:AssumeRole`).
    pub vendor_account: Option<String>,
}

impl Facts {
    /// The value of a condition key for a request: `Known(Some)` present, `Known(None)` absent
    /// from the request context, `Unknown` not decidable before the request is made.
    fn value(&self, key: &str, req: &Request) -> Known {
        if req.actor == Actor::VendorSignIn {
            return self.vendor_sign_in(key);
        }
        match key.to_ascii_lowercase().as_str() {
            "aws:principalarn" => req.principal_arn.clone().map_or(Known::Unknown, |a| Known::Value(Some(a))),
            "aws:principalaccount" | "aws:resourceaccount" => Known::Value(Some(self.account_id.clone())),
            "aws:requestedregion" if req.action.to_ascii_lowercase().starts_with("iam:") => Known::Value(Some(self.iam_region.clone())),
            "aws:requestedregion" => Known::Value(Some(self.region.clone())),
            // Every AWS SDK and the aws CLI sign over TLS.
            "aws:securetransport" => Known::Value(Some("true".into())),
            "aws:principalorgid" => match (&self.org_id, self.no_org) {
                (Some(o), _) => Known::Value(Some(o.clone())),
                (None, true) => Known::Value(None),
                (None, false) => Known::Unknown,
            },
            // The role's sessions and apply's caller are principals, never an AWS service.
            "aws:principalisawsservice" => Known::Value(Some("false".into())),
            "aws:principaltype" => match req.actor {
                Actor::Vendor => Known::Value(Some("AssumedRole".into())),
                Actor::Apply | Actor::VendorSignIn => Known::Unknown,
            },
            // The vendor calls from its own network, never through the customer's VPC endpoints.
            "aws:sourcevpce" | "aws:sourcevpc" if req.actor == Actor::Vendor => Known::Value(None),
            _ => Known::Unknown,
        }
    }
}

impl Facts {
    /// The vendor's own request assuming the role: made from its AWS account, outside this
    /// organization, over TLS, from its own network.
    fn vendor_sign_in(&self, key: &str) -> Known {
        match key.to_ascii_lowercase().as_str() {
            "aws:principalaccount" => self.vendor_account.clone().map_or(Known::Unknown, |a| Known::Value(Some(a))),
            "aws:resourceaccount" => Known::Value(Some(self.account_id.clone())),
            // Another organization's id, or none (a vendor in no organization): never this one's.
            "aws:principalorgid" => self.org_id.clone().map_or(Known::Unknown, Known::NotThis),
            "aws:principalisawsservice" => Known::Value(Some("false".into())),
            "aws:securetransport" => Known::Value(Some("true".into())),
            "aws:sourcevpce" | "aws:sourcevpc" => Known::Value(None),
            _ => Known::Unknown,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Known {
    Value(Option<String>),
    /// Absent, or present with another value than this one (which values are not known).
    NotThis(String),
    Unknown,
}

/// Whether a statement applies to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    Yes,
    No,
    /// It applies if the named condition is true, which cannot be decided in advance.
    Maybe(String),
}

/// A policy statement as a customer's document may write it (`NotAction`, `NotResource`,
/// `NotPrincipal`, conditions), read leniently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnyStatement {
    pub sid: Option<String>,
    pub deny: bool,
    pub action: Option<Vec<String>>,
    pub not_action: Option<Vec<String>>,
    pub resource: Option<Vec<String>>,
    pub not_resource: Option<Vec<String>>,
    /// `None` = no Principal element (SCPs, identity policies).
    pub principal: Option<Vec<String>>,
    pub not_principal: Option<Vec<String>>,
    /// operator → key → values.
    pub condition: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

fn strings(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => Some(s.clone()),
                Value::Bool(b) => Some(b.to_string()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Value::Bool(b) => Some(vec![b.to_string()]),
        Value::Number(n) => Some(vec![n.to_string()]),
        _ => None,
    }
}

/// `"*"` or `{"AWS": …, "Service": …}` → its values (`*` for everyone).
fn principals(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Object(m) => {
            let mut out = Vec::new();
            for x in m.values() {
                out.extend(strings(x)?);
            }
            Some(out)
        }
        _ => None,
    }
}

/// Reads a policy document from a customer's cloud. `Err` names what could not be read.
pub fn parse_any(text: &str) -> Result<Vec<AnyStatement>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let list = match v.get("Statement") {
        Some(Value::Array(a)) => a.clone(),
        Some(o @ Value::Object(_)) => vec![o.clone()],
        _ => return Err("no Statement list".into()),
    };
    list.iter()
        .enumerate()
        .map(|(i, st)| {
            let bad = |what: &str| format!("Statement[{i}]: {what}");
            let effect = st.get("Effect").and_then(Value::as_str).ok_or_else(|| bad("no Effect"))?;
            let deny = match effect {
                "Deny" => true,
                "Allow" => false,
                other => return Err(bad(&format!("Effect {other:?}"))),
            };
            let field = |name: &str| -> Result<Option<Vec<String>>, String> {
                st.get(name).map(|x| strings(x).ok_or_else(|| bad(&format!("{name} is not a string or list")))).transpose()
            };
            let action = field("Action")?;
            let not_action = field("NotAction")?;
            if action.is_none() == not_action.is_none() {
                return Err(bad("needs exactly one of Action and NotAction"));
            }
            let mut condition = BTreeMap::new();
            if let Some(c) = st.get("Condition") {
                let ops = c.as_object().ok_or_else(|| bad("Condition is not an object"))?;
                for (op, keys) in ops {
                    let keys = keys.as_object().ok_or_else(|| bad(&format!("Condition {op} is not an object")))?;
                    let mut m = BTreeMap::new();
                    for (k, vals) in keys {
                        m.insert(k.clone(), strings(vals).ok_or_else(|| bad(&format!("Condition {op} {k} has no values")))?);
                    }
                    condition.insert(op.clone(), m);
                }
            }
            Ok(AnyStatement {
                sid: st.get("Sid").and_then(Value::as_str).map(str::to_string),
                deny,
                action,
                not_action,
                resource: field("Resource")?,
                not_resource: field("NotResource")?,
                principal: st.get("Principal").map(|p| principals(p).ok_or_else(|| bad("Principal is not readable"))).transpose()?,
                not_principal: st
                    .get("NotPrincipal")
                    .map(|p| principals(p).ok_or_else(|| bad("NotPrincipal is not readable")))
                    .transpose()?,
                condition,
            })
        })
        .collect()
}

/// IAM's wildcard match: `*` any run, `?` one character.
pub fn wildcard(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = if ignore_case {
        (pattern.to_lowercase().chars().collect(), text.to_lowercase().chars().collect())
    } else {
        (pattern.chars().collect(), text.chars().collect())
    };
    glob(&p, &t, |pc, tc| pc == '?' || pc == tc)
}

/// Glob matching with `*` in `p` for any run of `t`, and `one(p_char, t_char)` deciding a single
/// position (`?`, literals): iterative, backtracking to the last star — linear in practice, no
/// recursion, so a hostile pattern cannot exhaust the stack.
fn glob(p: &[char], t: &[char], one: impl Fn(char, char) -> bool) -> bool {
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && one(p[pi], t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// How a statement's resource pattern meets a request's resource (a pattern too: `…/data/*` is
/// every object under `data/`): covers all of it, some of it, or none.
fn resource_meets(pattern: &str, requested: &str) -> Match {
    if covers(pattern, requested) {
        Match::Yes
    } else if globs_intersect(pattern, requested) {
        Match::Maybe(format!("Resource {pattern} (part of {requested})"))
    } else {
        Match::No
    }
}

/// Every string `inner` matches is matched by `outer` (both IAM wildcards). `inner`'s `*` can only
/// be covered by a `*` of `outer` (never by `?` or a literal), its `?` by `?` or `*`.
pub fn covers(outer: &str, inner: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (outer.chars().collect(), inner.chars().collect());
    glob(&p, &t, |pc, tc| tc != '*' && (pc == '?' || (pc == tc && tc != '?')))
}

/// Some string is matched by both patterns (IAM wildcards `*` and `?`).
pub fn globs_intersect(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (la, lb) = (a.len(), b.len());
    // reach[i][j]: the prefixes a[..i] and b[..j] can match a common string. Dynamic programming
    // over both patterns: O(la × lb), no recursion.
    let mut reach = vec![vec![false; lb + 1]; la + 1];
    reach[0][0] = true;
    for i in 0..=la {
        for j in 0..=lb {
            if !reach[i][j] {
                continue;
            }
            if i < la && a[i] == '*' {
                reach[i + 1][j] = true; // a's star matches nothing more
                if j < lb {
                    reach[i][j + 1] = true; // …or b's next symbol too
                }
            }
            if j < lb && b[j] == '*' {
                reach[i][j + 1] = true;
                if i < la {
                    reach[i + 1][j] = true;
                }
            }
            if i < la && j < lb && a[i] != '*' && b[j] != '*' && (a[i] == b[j] || a[i] == '?' || b[j] == '?') {
                reach[i + 1][j + 1] = true;
            }
        }
    }
    reach[la][lb]
}

/// IAM's `ArnLike`: each of the six colon-separated parts matched on its own (the last keeps its
/// colons), so `*` never spans a part boundary.
pub fn arn_like(pattern: &str, arn: &str) -> bool {
    let (p, a): (Vec<&str>, Vec<&str>) = (pattern.splitn(6, ':').collect(), arn.splitn(6, ':').collect());
    p.len() == a.len() && p.iter().zip(&a).all(|(p, a)| wildcard(p, a, false))
}

fn principal_matches(values: &[String], req: &Request, account: &str) -> bool {
    values.iter().any(|p| {
        p == "*"
            || req.principal_arn.as_deref() == Some(p.as_str())
            || *p == account
            || p.strip_prefix("arn:").and_then(|r| r.split(':').nth(3)).is_some_and(|acct| acct == account && p.ends_with(":root"))
    })
}

fn all(parts: impl IntoIterator<Item = Match>) -> Match {
    let mut maybe = None;
    for m in parts {
        match m {
            Match::No => return Match::No,
            Match::Maybe(w) if maybe.is_none() => maybe = Some(w),
            _ => {}
        }
    }
    maybe.map_or(Match::Yes, Match::Maybe)
}

/// One condition (operator, key, values) against a request. Unknown operators are undecidable.
fn condition(op: &str, key: &str, values: &[String], req: &Request, facts: &Facts) -> Match {
    let described = || format!("{op} {key} {}", values.join(", "));
    if op.contains(':') {
        // ForAnyValue:/ForAllValues: multi-valued keys: not decided here.
        return Match::Maybe(described());
    }
    let (base, if_exists) = match op.strip_suffix("IfExists") {
        Some(b) => (b, true),
        None => (op, false),
    };
    let actual = match facts.value(key, req) {
        Known::Unknown => return Match::Maybe(described()),
        Known::Value(v) => v,
        Known::NotThis(ours) => {
            // Decided only when both cases agree: the key absent, and present with a value that
            // is none of the listed ones (which holds only when every listed value is exactly ours).
            let absent = decide(base, if_exists, values, None);
            let exact = values.iter().all(|v| *v == ours && !v.contains(['*', '?']));
            let present = if exact { decide(base, if_exists, values, Some(format!("{ours}-not"))) } else { Match::Maybe(described()) };
            return if absent == present { absent } else { Match::Maybe(described()) };
        }
    };
    match decide(base, if_exists, values, actual) {
        Match::Maybe(_) => Match::Maybe(described()),
        m => m,
    }
}

/// A condition's operator (`base`, without `IfExists`) on a known value (`None`: absent).
fn decide(base: &str, if_exists: bool, values: &[String], actual: Option<String>) -> Match {
    if base == "Null" {
        // `Null: true` matches when the key is absent, `Null: false` when it is present.
        let absent = actual.is_none();
        return if values.iter().any(|v| v.eq_ignore_ascii_case(if absent { "true" } else { "false" })) { Match::Yes } else { Match::No };
    }
    let negated = base.contains("Not");
    let Some(actual) = actual else {
        // Absent from the request: IfExists and negated operators match, the others do not.
        return if if_exists || negated { Match::Yes } else { Match::No };
    };
    let hit = |f: &dyn Fn(&str) -> bool| values.iter().any(|v| f(v));
    let positive = match base {
        "StringEquals" | "StringNotEquals" => hit(&|v| v == actual),
        "StringEqualsIgnoreCase" | "StringNotEqualsIgnoreCase" => hit(&|v| v.eq_ignore_ascii_case(&actual)),
        "StringLike" | "StringNotLike" => hit(&|v| wildcard(v, &actual, false)),
        // ArnEquals is ArnLike (IAM: "ArnEquals, ArnLike: case-sensitive matching of the ARN; each
        // of the six colon-delimited components is checked separately and can include wildcards").
        "ArnEquals" | "ArnNotEquals" | "ArnLike" | "ArnNotLike" => hit(&|v| arn_like(v, &actual)),
        "Bool" => hit(&|v| v.eq_ignore_ascii_case(&actual)),
        _ => return Match::Maybe(String::new()),
    };
    if positive != negated {
        Match::Yes
    } else {
        Match::No
    }
}

/// Whether `st` applies to `req`. `account` is the customer's (for `Principal` account forms).
pub fn statement_matches(st: &AnyStatement, req: &Request, facts: &Facts) -> Match {
    if let Some(p) = &st.principal {
        if !principal_matches(p, req, &facts.account_id) {
            return Match::No;
        }
    }
    let mut not_principal_doubt = None;
    if let Some(p) = &st.not_principal {
        // The vendor calls as an assumed-role session of the role. AWS: with Deny, NotPrincipal
        // exempts a role's sessions only when it lists the session, the role and the account; a
        // list naming the role alone still denies its sessions.
        let account = p
            .iter()
            .any(|x| *x == facts.account_id || x.strip_suffix(":root").is_some_and(|r| r.ends_with(&format!("::{}", facts.account_id))));
        let role = req.principal_arn.as_ref().is_some_and(|r| p.contains(r));
        let session = p.iter().any(|x| x.contains(":assumed-role/"));
        match (account, role || session) {
            (true, true) if !st.deny || session => return Match::No,
            (true, true) => {
                not_principal_doubt =
                    Some("NotPrincipal lists the role but not its session (AWS then denies the role's sessions)".to_string())
            }
            (true, false) if !st.deny => return Match::No,
            (false, true) => {
                not_principal_doubt =
                    Some("NotPrincipal lists the role without its account (AWS then denies the role's sessions)".to_string())
            }
            _ => {}
        }
    }
    let action = match (&st.action, &st.not_action) {
        (Some(a), _) => a.iter().any(|p| wildcard(p, &req.action, true)),
        (None, Some(n)) => !n.iter().any(|p| wildcard(p, &req.action, true)),
        (None, None) => false,
    };
    if !action {
        return Match::No;
    }
    let resource = match (&st.resource, &st.not_resource) {
        (Some(r), _) => {
            let each: Vec<Match> = r.iter().map(|p| resource_meets(p, &req.resource)).collect();
            if each.contains(&Match::Yes) {
                Match::Yes
            } else {
                each.into_iter().find(|m| matches!(m, Match::Maybe(_))).unwrap_or(Match::No)
            }
        }
        (None, Some(n)) => {
            if n.iter().any(|p| wildcard(p, &req.resource, false)) {
                Match::No
            } else if n.iter().any(|p| resource_meets(p, &req.resource) != Match::No) {
                Match::Maybe(format!("NotResource {} (part of {})", n.join(", "), req.resource))
            } else {
                Match::Yes
            }
        }
        // No Resource element: SCPs may omit it only with NotResource; treat as every resource.
        (None, None) => Match::Yes,
    };
    let conditions = st.condition.iter().flat_map(|(op, keys)| keys.iter().map(move |(k, v)| condition(op, k, v, req, facts)));
    all(std::iter::once(resource).chain(not_principal_doubt.map(Match::Maybe)).chain(conditions))
}

mod findings;
pub use findings::*;

#[cfg(test)]
mod tests;
