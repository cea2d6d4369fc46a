//! A trust policy a vendor's API hands back (ML cube: `trust_policy` in the registration answer) is
//! untrusted input. It is accepted only when it is exactly the shape Trustbridge itself would
//! write: `sts:AssumeRole`, allowed to the profile's vendor account only, every statement
//! conditioned on one `sts:ExternalId`, nothing else. What is kept from it is the external id; the
//! role's trust is then rendered by [`crate::render::aws::trust_policy`] from the plan, so the
//! document applied is ours, and equal in effect to the vendor's.

use serde_json::{Map, Value};

use crate::policy::TRUST_POLICY_MAX;
use crate::validate::{rules, show_value, ResolvedAws};

/// Why a vendor's trust policy was refused: the rule, and the document as received (escaped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustRefused {
    pub rule: String,
    pub document: String,
}

impl std::fmt::Display for TrustRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}; the document received:\n{}", self.rule, self.document)
    }
}

/// Largest document read at all (the IAM limit is far lower; this bounds the work).
const MAX_TEXT: usize = 16 * 1024;

/// The external id carried by the vendor's trust policy `text`, if the document is acceptable for `a`.
pub fn external_id_from_vendor_trust(text: &str, a: &ResolvedAws) -> Result<String, TrustRefused> {
    let shown = || {
        if text.len() > MAX_TEXT {
            return format!("({} bytes, not shown)", text.len());
        }
        match serde_json::from_str::<Value>(text) {
            // Re-serialized: control characters come out escaped.
            Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_default(),
            Err(_) => show_value(text),
        }
    };
    let refuse = |rule: String| TrustRefused { rule, document: shown() };
    if text.len() > MAX_TEXT {
        return Err(refuse(format!("the document is larger than {MAX_TEXT} bytes")));
    }
    let doc: Value = serde_json::from_str(text).map_err(|e| refuse(format!("the document is not JSON ({e})")))?;
    let compact = serde_json::to_string(&doc).unwrap_or_default();
    let size = compact.chars().filter(|c| !c.is_whitespace()).count();
    if size > TRUST_POLICY_MAX {
        return Err(refuse(format!("the document is {size} characters; IAM allows {TRUST_POLICY_MAX} for a trust policy")));
    }
    let top = doc.as_object().ok_or_else(|| refuse("the document is not a JSON object".into()))?;
    only_keys(top, &["Version", "Id", "Statement"], "the document").map_err(refuse)?;
    if top.get("Version").and_then(Value::as_str) != Some("2012-10-17") {
        return Err(refuse("Version must be \"2012-10-17\"".into()));
    }
    let statements: Vec<&Value> = match top.get("Statement") {
        Some(Value::Array(v)) if !v.is_empty() && v.len() <= 10 => v.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => return Err(refuse("Statement must be one statement or a list of 1 to 10".into())),
    };
    let vendor_root = a.vendor_root();
    let mut id: Option<String> = None;
    for (i, st) in statements.iter().enumerate() {
        let at = format!("Statement[{i}]");
        let st = st.as_object().ok_or_else(|| refuse(format!("{at} is not an object")))?;
        only_keys(st, &["Sid", "Effect", "Principal", "Action", "Condition"], &at).map_err(refuse)?;
        if st.get("Effect").and_then(Value::as_str) != Some("Allow") {
            return Err(refuse(format!("{at}.Effect must be \"Allow\"")));
        }
        let actions = one_or_list(st.get("Action")).ok_or_else(|| refuse(format!("{at}.Action must be a string or a list of strings")))?;
        if actions.len() != 1 || !actions[0].eq_ignore_ascii_case("sts:AssumeRole") {
            return Err(refuse(format!("{at}.Action must be exactly sts:AssumeRole")));
        }
        let principal =
            st.get("Principal").and_then(Value::as_object).ok_or_else(|| refuse(format!("{at}.Principal must be {{\"AWS\": …}}")))?;
        only_keys(principal, &["AWS"], &format!("{at}.Principal")).map_err(refuse)?;
        let who = one_or_list(principal.get("AWS")).ok_or_else(|| refuse(format!("{at}.Principal.AWS must be a string")))?;
        if who.len() != 1 || !(who[0] == vendor_root || who[0] == a.vendor_account) {
            return Err(refuse(format!(
                "{at}.Principal.AWS must be exactly the vendor's account {vendor_root} (the vendor profile's account for partition {})",
                a.partition.name
            )));
        }
        let cond = st
            .get("Condition")
            .and_then(Value::as_object)
            .ok_or_else(|| refuse(format!("{at} has no Condition: it must require sts:ExternalId")))?;
        only_keys(cond, &["StringEquals"], &format!("{at}.Condition")).map_err(refuse)?;
        let eq = cond
            .get("StringEquals")
            .and_then(Value::as_object)
            .ok_or_else(|| refuse(format!("{at}.Condition.StringEquals must be an object")))?;
        if eq.len() != 1 {
            return Err(refuse(format!("{at}.Condition.StringEquals must hold sts:ExternalId only")));
        }
        let (key, value) = eq.iter().next().ok_or_else(|| refuse(format!("{at}.Condition.StringEquals is empty")))?;
        if !key.eq_ignore_ascii_case("sts:ExternalId") {
            return Err(refuse(format!("{at}.Condition.StringEquals must hold sts:ExternalId only")));
        }
        let values = one_or_list(Some(value)).ok_or_else(|| refuse(format!("{at}: sts:ExternalId must be a string")))?;
        if values.len() != 1 {
            return Err(refuse(format!("{at}: sts:ExternalId must be one value")));
        }
        let x = values[0];
        rules::external_id(x).map_err(|r| refuse(format!("{at}: the external id is not valid: {r}")))?;
        match &id {
            Some(prev) if prev != x => return Err(refuse("the statements carry different external ids".into())),
            _ => id = Some(x.to_string()),
        }
    }
    id.ok_or_else(|| refuse("no statement".into()))
}

fn only_keys(o: &Map<String, Value>, allowed: &[&str], at: &str) -> Result<(), String> {
    match o.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => {
            Err(format!("{at} has '{}', which Trustbridge does not accept from a vendor (allowed: {})", show_value(k), allowed.join(", ")))
        }
        None => Ok(()),
    }
}

/// A string, or a list of strings.
fn one_or_list(v: Option<&Value>) -> Option<Vec<&str>> {
    match v? {
        Value::String(s) => Some(vec![s.as_str()]),
        Value::Array(items) => items.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;

    fn resolved() -> ResolvedAws {
        let plan = Plan::from_json(
            r#"{"version":1,"platform":"mlcube","integration":{"name":"AWS_01","project_id":"p1"},
                "aws":{"account_id":"210987654321","region":"eu-west-1","storage":[{"bucket":"my-data"}]}}"#,
        )
        .unwrap();
        let r = crate::validate(&plan, None).unwrap();
        let a = r.aws.unwrap();
        assert!(a.external_id_pending, "ML cube issues the external id");
        a
    }

    fn doc(principal: Value, condition: Option<Value>) -> String {
        let mut st = serde_json::json!({"Sid": "Statement1", "Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"});
        if let Some(c) = condition {
            st["Condition"] = c;
        }
        serde_json::json!({"Version": "2012-10-17", "Statement": [st]}).to_string()
    }

    fn ext(x: &str) -> Value {
        serde_json::json!({"StringEquals": {"sts:ExternalId": x}})
    }

    #[test]
    fn the_guides_shape_is_accepted_and_yields_the_vendors_id() {
        let a = resolved();
        let good = doc(serde_json::json!({"AWS": "arn:aws:iam::883313729965:root"}), Some(ext("vendor-minted-0123")));
        assert_eq!(external_id_from_vendor_trust(&good, &a).unwrap(), "vendor-minted-0123");
        let bare = doc(serde_json::json!({"AWS": ["883313729965"]}), Some(ext("x-1234")));
        assert_eq!(external_id_from_vendor_trust(&bare, &a).unwrap(), "x-1234");
    }

    #[test]
    fn anything_broader_or_stranger_is_refused_and_shown() {
        let a = resolved();
        let root = serde_json::json!({"AWS": "arn:aws:iam::883313729965:root"});
        let cases: Vec<(String, &str)> = vec![
            (doc(serde_json::json!("*"), Some(ext("abc123"))), "Principal must be"),
            (doc(serde_json::json!({"AWS": "*"}), Some(ext("abc123"))), "Principal.AWS must be exactly"),
            (doc(serde_json::json!({"AWS": "arn:aws:iam::111122223333:root"}), Some(ext("abc123"))), "Principal.AWS must be exactly"),
            (
                doc(serde_json::json!({"AWS": ["arn:aws:iam::883313729965:root", "arn:aws:iam::111122223333:root"]}), Some(ext("abc123"))),
                "exactly",
            ),
            (doc(serde_json::json!({"Service": "ec2.amazonaws.com"}), Some(ext("abc123"))), "has 'Service'"),
            (doc(root.clone(), None), "has no Condition"),
            (doc(root.clone(), Some(serde_json::json!({"StringLike": {"sts:ExternalId": "*"}}))), "has 'StringLike'"),
            (
                doc(root.clone(), Some(serde_json::json!({"StringEquals": {"sts:ExternalId": "a", "aws:SourceIp": "1.2.3.4"}}))),
                "sts:ExternalId only",
            ),
            (doc(root.clone(), Some(ext("has space"))), "not valid"),
            (doc(root.clone(), Some(serde_json::json!({"StringEquals": {"sts:ExternalId": ["a1", "b2"]}}))), "one value"),
            (doc(root.clone(), Some(ext("abc123"))).replace("sts:AssumeRole", "sts:*"), "exactly sts:AssumeRole"),
            (doc(root.clone(), Some(ext("abc123"))).replace("\"Allow\"", "\"Deny\""), "Effect"),
            (doc(root.clone(), Some(ext("abc123"))).replace("\"Action\"", "\"NotAction\""), "has 'NotAction'"),
            ("not json".into(), "not JSON"),
            ("[]".into(), "not a JSON object"),
            (serde_json::json!({"Version": "2008-10-17", "Statement": []}).to_string(), "Version"),
            (doc(root.clone(), Some(ext(&"x".repeat(3000)))), "IAM allows"),
        ];
        for (text, want) in cases {
            let e = external_id_from_vendor_trust(&text, &a).expect_err(&text);
            assert!(e.rule.contains(want), "{text}\n→ {}", e.rule);
            assert!(!e.document.is_empty());
        }
        // Two statements with different ids, and an extra statement for everyone.
        let two = serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": root, "Action": "sts:AssumeRole", "Condition": ext("one-1")},
            {"Effect": "Allow", "Principal": root, "Action": "sts:AssumeRole", "Condition": ext("two-2")}]});
        assert!(external_id_from_vendor_trust(&two.to_string(), &a).unwrap_err().rule.contains("different external ids"));
        let extra = serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": root, "Action": "sts:AssumeRole", "Condition": ext("one-1")},
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]});
        assert!(external_id_from_vendor_trust(&extra.to_string(), &a).is_err());
        // Control characters in the document are shown escaped.
        let e = external_id_from_vendor_trust("{\"Version\":\"x\u{1b}[2J\"}", &a).unwrap_err();
        assert!(!e.document.contains('\u{1b}'), "{}", e.document);
    }
}
