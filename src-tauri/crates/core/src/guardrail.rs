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
        GcpOrgPolicyUnreadable = "preflight.gcp_org_policy_unreadable" => "Give the account that applies the Organization Policy Viewer role (roles/orgpolicy.policyViewer) on the project, or ask your administrator to check the constraints named.",
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

fn name_of(st: &AnyStatement, i: usize) -> String {
    st.sid.clone().map_or_else(|| format!("statement {}", i + 1), |s| format!("statement {s}"))
}

fn who(req: &Request) -> &'static str {
    match req.actor {
        Actor::Vendor => "the vendor",
        Actor::VendorSignIn => "the vendor's sign-in",
        Actor::Apply => "apply (your credentials)",
    }
}

/// A finding about the plan's AWS account.
fn aws_finding(facts: &Facts, code: GuardCode, severity: GuardSeverity, resource: &str, message: String, fix: String) -> GuardFinding {
    GuardFinding {
        code,
        cloud: "aws".into(),
        account_id: Some(facts.account_id.clone()),
        resource: Some(resource.to_string()),
        severity,
        message,
        fix,
    }
}

/// The SCPs on one level of the path from the root to the account.
#[derive(Debug, Clone)]
pub struct ScpLevel {
    /// "root r-…", "OU ou-… (Name)", "account 123…".
    pub level: String,
    /// (policy name, its statements) for every SCP attached there.
    pub policies: Vec<(String, Vec<AnyStatement>)>,
}

/// The other way out of a policy at `level`: a policy attached to the account itself is detached
/// from it; one on a parent is left by moving the account out from under that OU or root.
fn way_out(level: &str, policy: &str) -> String {
    if level.starts_with("account ") {
        format!("to detach {policy} from the account")
    } else {
        format!("to move the account out of {level}")
    }
}

/// Evaluates the SCPs on the path (root first) against every request.
pub fn scp_findings(path: &[ScpLevel], requests: &[Request], facts: &Facts) -> Vec<GuardFinding> {
    let mut out = Vec::new();
    let finding = |code, severity, resource: &str, message, fix| aws_finding(facts, code, severity, resource, message, fix);
    for req in requests {
        for level in path {
            let mut allowed = Match::No;
            for (policy, statements) in &level.policies {
                for (i, st) in statements.iter().enumerate() {
                    let m = statement_matches(st, req, facts);
                    if st.deny {
                        match m {
                            Match::Yes => out.push(finding(
                                GuardCode::ScpDenies,
                                GuardSeverity::Blocking,
                                policy,
                                format!(
                                    "The service control policy {policy} on {} denies {} {} on {} ({}).",
                                    level.level,
                                    who(req),
                                    req.action,
                                    req.resource,
                                    name_of(st, i)
                                ),
                                format!(
                                    "Ask your AWS Organizations administrator to exempt {} from {policy}'s {}, or {}.",
                                    req.principal_arn.as_deref().unwrap_or("the role"),
                                    name_of(st, i),
                                    way_out(&level.level, policy)
                                ),
                            )),
                            Match::Maybe(why) => out.push(finding(
                                GuardCode::ScpMayDeny,
                                GuardSeverity::Warning,
                                policy,
                                format!(
                                    "The service control policy {policy} on {} may deny {} {} on {}: it does when {why} ({}).",
                                    level.level,
                                    who(req),
                                    req.action,
                                    req.resource,
                                    name_of(st, i)
                                ),
                                format!("Check with your AWS Organizations administrator whether {why} holds for these requests."),
                            )),
                            Match::No => {}
                        }
                    } else if allowed != Match::Yes {
                        allowed = match m {
                            Match::Yes => Match::Yes,
                            Match::Maybe(w) => Match::Maybe(w),
                            Match::No => allowed,
                        };
                    }
                }
            }
            match allowed {
                Match::Yes => {}
                Match::Maybe(why) => out.push(finding(
                    GuardCode::ScpMayDeny,
                    GuardSeverity::Warning,
                    &level.level,
                    format!("The service control policies on {} allow {} {} only when {why}.", level.level, who(req), req.action),
                    format!("Check with your AWS Organizations administrator whether {why} holds for these requests."),
                )),
                Match::No => out.push(finding(
                    GuardCode::ScpNotAllowed,
                    GuardSeverity::Blocking,
                    &level.level,
                    format!(
                        "No service control policy on {} allows {} {}: SCPs are allow-lists, so it is denied.",
                        level.level,
                        who(req),
                        req.action
                    ),
                    format!("Ask your AWS Organizations administrator to allow {} in an SCP attached to {}.", req.action, level.level),
                )),
            }
        }
    }
    out
}

/// The services whose resources resource control policies cover (AWS Organizations' user guide,
/// "Resource control policies": the list at their launch, and those added since).
pub const RCP_SERVICES: &[&str] = &["s3", "sts", "kms", "sqs", "secretsmanager", "ecr", "aoss", "cognito-idp", "logs", "dynamodb"];

/// The vendor's own principal assuming the role: the one request of the vendor made before it is
/// the role, and the one an identity perimeter of the customer's organization denies.
pub fn vendor_sign_in_request(role_arn: &str) -> Request {
    Request { actor: Actor::VendorSignIn, action: "sts:AssumeRole".into(), resource: role_arn.to_string(), principal_arn: None }
}

/// Evaluates the resource control policies on the path (root first) against the vendor's
/// requests on resources of the services RCPs cover (its sign-in included). Only `Deny`
/// statements count: RCPs grant nothing, and `RCPFullAWSAccess` allows everything everywhere.
pub fn rcp_findings(path: &[ScpLevel], requests: &[Request], facts: &Facts) -> Vec<GuardFinding> {
    let covered = |r: &Request| {
        let service = r.action.split(':').next().unwrap_or_default().to_ascii_lowercase();
        r.actor != Actor::Apply && RCP_SERVICES.contains(&service.as_str())
    };
    let mut out = Vec::new();
    for req in requests.iter().filter(|r| covered(r)) {
        for level in path {
            for (policy, statements) in &level.policies {
                for (i, st) in statements.iter().enumerate().filter(|(_, st)| st.deny) {
                    let exempt = match req.actor {
                        Actor::VendorSignIn => match &facts.vendor_account {
                            Some(v) => format!("the vendor's AWS account {v} (an aws:PrincipalAccount exception)"),
                            None => "the vendor's AWS account".to_string(),
                        },
                        _ => format!("the role {}", req.principal_arn.as_deref().unwrap_or("the role")),
                    };
                    let (code, severity, message, fix) = match statement_matches(st, req, facts) {
                        Match::No => continue,
                        Match::Yes => (
                            GuardCode::RcpDenies,
                            GuardSeverity::Blocking,
                            format!("The resource control policy {policy} on {} denies {} {} on {} ({}).", level.level, who(req), req.action, req.resource, name_of(st, i)),
                            format!("Ask your AWS Organizations administrator to exempt {exempt} from {policy}'s {}, or {}.", name_of(st, i), way_out(&level.level, policy)),
                        ),
                        Match::Maybe(why) => (
                            GuardCode::RcpMayDeny,
                            GuardSeverity::Warning,
                            format!("The resource control policy {policy} on {} may deny {} {} on {}: it does when {why} ({}).", level.level, who(req), req.action, req.resource, name_of(st, i)),
                            format!("Check with your AWS Organizations administrator whether {why} holds for these requests; if it does, exempt {exempt}."),
                        ),
                    };
                    out.push(aws_finding(facts, code, severity, policy, message, fix));
                }
            }
        }
    }
    out
}

/// What kind of resource policy a document is, for the findings' wording and codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourcePolicy {
    Bucket,
    KmsKey,
    EventBus,
}

/// The `Deny` statements of a resource policy (bucket, key, bus) that would hit a request. (Its
/// `Allow` statements do not matter: the role is in the same account, so its own policy grants.)
pub fn resource_policy_findings(
    kind: ResourcePolicy,
    resource: &str,
    statements: &[AnyStatement],
    requests: &[Request],
    facts: &Facts,
) -> Vec<GuardFinding> {
    let (denies, may, what) = match kind {
        ResourcePolicy::Bucket => (GuardCode::BucketPolicyDenies, GuardCode::BucketPolicyMayDeny, "bucket policy"),
        ResourcePolicy::KmsKey => (GuardCode::KmsKeyPolicyDenies, GuardCode::KmsKeyPolicyMayDeny, "key policy"),
        ResourcePolicy::EventBus => (GuardCode::BusPolicyDenies, GuardCode::BusPolicyMayDeny, "event bus policy"),
    };
    let mut out = Vec::new();
    for req in requests {
        for (i, st) in statements.iter().enumerate().filter(|(_, s)| s.deny) {
            let (code, severity, message) = match statement_matches(st, req, facts) {
                Match::No => continue,
                Match::Yes => (
                    denies,
                    GuardSeverity::Blocking,
                    format!("The {what} of {resource} denies {} {} ({}).", who(req), req.action, name_of(st, i)),
                ),
                Match::Maybe(why) => (
                    may,
                    GuardSeverity::Warning,
                    format!("The {what} of {resource} may deny {} {}: it does when {why} ({}).", who(req), req.action, name_of(st, i)),
                ),
            };
            let role = req.principal_arn.as_deref().unwrap_or("the role");
            let fix = format!(
                "Exempt the role from {}: add the condition {{\"ArnNotEquals\": {{\"aws:PrincipalArn\": \"{role}\"}}}} to it (or widen the condition it has).",
                name_of(st, i)
            );
            out.push(aws_finding(facts, code, severity, resource, message, fix));
        }
    }
    out
}

/// Whether a KMS key policy lets IAM policies of `account` grant use of the key: a statement
/// allowing the account's root (or the account id) `kms:Decrypt` (`kms:*`) on `*`, with no
/// condition, or allowing the role itself directly.
pub fn key_policy_delegates(statements: &[AnyStatement], partition: &str, account: &str, role_arn: &str) -> bool {
    let root = format!("arn:{partition}:iam::{account}:root");
    statements.iter().any(|st| {
        !st.deny
            && st.condition.is_empty()
            && st.principal.as_ref().is_some_and(|p| p.iter().any(|x| *x == root || *x == account || *x == role_arn))
            && st.action.as_ref().is_some_and(|a| a.iter().any(|x| wildcard(x, "kms:Decrypt", true)))
            && st.resource.as_ref().is_none_or(|r| r.iter().any(|x| x == "*"))
    })
}

/// The statement to add to a key policy so the role's IAM policy can use the key.
pub fn delegation_statement(partition: &str, account: &str) -> String {
    let st = serde_json::json!({
        "Sid": "EnableIAMUserPermissions",
        "Effect": "Allow",
        "Principal": {"AWS": format!("arn:{partition}:iam::{account}:root")},
        "Action": "kms:*",
        "Resource": "*"
    });
    serde_json::to_string(&st).unwrap_or_default()
}

/// The vendor's requests: every action and resource the role's inline policies allow.
pub fn vendor_requests(role_arn: &str, inline: &[&PolicyDocument]) -> Vec<Request> {
    let mut out: Vec<Request> = Vec::new();
    // Statement by statement (not `grants()`, which lowercases): findings name actions as IAM does.
    for st in inline.iter().flat_map(|d| &d.statement).filter(|st| st.effect == crate::policy::Effect::Allow) {
        let resources = st.resource.as_ref().map(|r| r.values()).unwrap_or_else(|| vec!["*".to_string()]);
        for action in st.action.values() {
            for resource in &resources {
                let r = Request {
                    actor: Actor::Vendor,
                    action: action.clone(),
                    resource: resource.clone(),
                    principal_arn: Some(role_arn.to_string()),
                };
                if !out.contains(&r) {
                    out.push(r);
                }
            }
        }
    }
    out
}

/// What apply calls on the role (the IAM actions of `trustbridge apply`, in `cloud/src/aws/apply.rs`).
pub const APPLY_ACTIONS: &[&str] = &[
    "iam:GetRole",
    "iam:CreateRole",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:ListRoleTags",
    "iam:UpdateAssumeRolePolicy",
    "iam:ListRolePolicies",
    "iam:GetRolePolicy",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:DeleteRolePermissionsBoundary",
];

/// Apply's requests on the role, by the caller (`caller_arn` as STS names it; `aws:PrincipalArn`
/// is known only for IAM users and the root: an assumed role's path is not in its session ARN).
pub fn apply_requests(role_arn: &str, caller_arn: &str, boundary: bool) -> Vec<Request> {
    let principal = (caller_arn.contains(":user/") || caller_arn.ends_with(":root")).then(|| caller_arn.to_string());
    APPLY_ACTIONS
        .iter()
        .copied()
        .chain(boundary.then_some("iam:PutRolePermissionsBoundary"))
        .map(|a| Request { actor: Actor::Apply, action: a.to_string(), resource: role_arn.to_string(), principal_arn: principal.clone() })
        .collect()
}

/// The region IAM (a global service) is called in, per partition: apply's `aws:RequestedRegion`.
pub fn iam_region(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "cn-north-1",
        "aws-us-gov" => "us-gov-west-1",
        "aws-iso" => "us-iso-east-1",
        "aws-iso-b" => "us-isob-east-1",
        _ => "us-east-1",
    }
}

/// The findings that stop apply (the one place that says which do).
pub fn blocking(findings: &[GuardFinding]) -> impl Iterator<Item = &GuardFinding> {
    findings.iter().filter(|f| f.severity == GuardSeverity::Blocking)
}

#[cfg(test)]
mod tests {
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
        let f =
            scp_findings(&path, &[vendor("s3:getobject", "arn:aws:s3:::b/data/*"), vendor("s3:listbucket", "arn:aws:s3:::b")], &facts());
        assert_eq!(codes(&f), [("preflight.scp_denies", GuardSeverity::Blocking)]);
        assert!(f[0].message.contains("NoReads") && f[0].message.contains("ou-1-a") && f[0].message.contains("NoGet"), "{}", f[0].message);
    }

    #[test]
    fn not_action_denies_everything_else() {
        let path = [level(
            "root r-1",
            &[("FullAWSAccess", FULL), ("OnlyEc2", r#"[{"Effect":"Deny","NotAction":["ec2:*","s3:*"],"Resource":"*"}]"#)],
        )];
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
        let tagged =
            r#"[{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"data"}}}]"#;
        let path = [level("root r-1", &[("FullAWSAccess", FULL), ("Tagged", tagged)])];
        let f = scp_findings(&path, &[vendor("s3:GetObject", "arn:aws:s3:::b/*")], &facts());
        assert_eq!(codes(&f), [("preflight.scp_may_deny", GuardSeverity::Warning)]);
        assert!(f[0].message.contains("aws:PrincipalTag/team"), "{}", f[0].message);
    }

    #[test]
    fn a_deny_on_part_of_the_prefix_may_deny() {
        let path = [level(
            "root r-1",
            &[
                ("FullAWSAccess", FULL),
                ("Secret", r#"[{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/data/secret/*"}]"#),
            ],
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
        assert_eq!(
            codes(&f),
            [("preflight.bucket_policy_may_deny", GuardSeverity::Warning)],
            "the role alone does not exempt its sessions"
        );
        let account_only =
            doc(r#"[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"}]"#);
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
}
