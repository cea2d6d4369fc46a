//! A typed model of IAM policy documents: rendered to JSON for export and apply, parsed back for
//! semantic comparison (goldens, verify). Never built from string templates.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub const POLICY_VERSION: &str = "2012-10-17";

/// IAM limits (whitespace not counted).
pub const TRUST_POLICY_MAX: usize = 2048;
pub const INLINE_POLICIES_AGGREGATE_MAX: usize = 10240;
pub const MANAGED_POLICY_MAX: usize = 6144;

/// A JSON value that may be one string or a list of strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn from_vec(mut v: Vec<String>) -> OneOrMany {
        if v.len() == 1 {
            OneOrMany::One(v.remove(0))
        } else {
            OneOrMany::Many(v)
        }
    }
    pub fn values(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// `"*"` or `{"AWS": …, "Service": …, "Federated": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Principal {
    Everyone(String),
    Typed(BTreeMap<String, OneOrMany>),
}

/// Condition operator → key → values.
pub type Condition = BTreeMap<String, BTreeMap<String, OneOrMany>>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    #[serde(rename = "Sid", default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(rename = "Effect")]
    pub effect: Effect,
    #[serde(rename = "Principal", default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<Principal>,
    #[serde(rename = "Action")]
    pub action: OneOrMany,
    #[serde(rename = "Resource", default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<OneOrMany>,
    #[serde(rename = "Condition", default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDocument {
    #[serde(rename = "Version")]
    pub version: String,
    #[serde(rename = "Statement")]
    pub statement: Vec<Statement>,
}

/// One elementary permission: who (for trust policies) may do what on what, under which conditions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grant {
    pub effect: Effect,
    pub principal: String,
    pub action: String,
    pub resource: String,
    /// Canonical rendering of the statement's conditions (`op:key=v1|v2;…`), empty when none.
    pub condition: String,
}

impl Statement {
    pub fn allow(sid: &str, actions: Vec<String>) -> Statement {
        Statement {
            sid: Some(sid.to_string()),
            effect: Effect::Allow,
            principal: None,
            action: OneOrMany::from_vec(actions),
            resource: None,
            condition: None,
        }
    }
    pub fn on(mut self, resources: Vec<String>) -> Statement {
        self.resource = Some(OneOrMany::from_vec(resources));
        self
    }
    pub fn principal(mut self, kind: &str, values: Vec<String>) -> Statement {
        let mut m = BTreeMap::new();
        m.insert(kind.to_string(), OneOrMany::from_vec(values));
        self.principal = Some(Principal::Typed(m));
        self
    }
    pub fn when(mut self, op: &str, key: &str, values: Vec<String>) -> Statement {
        self.condition
            .get_or_insert_with(BTreeMap::new)
            .entry(op.to_string())
            .or_default()
            .insert(key.to_string(), OneOrMany::from_vec(values));
        self
    }

    fn condition_key(&self) -> String {
        let Some(cond) = &self.condition else { return String::new() };
        let mut parts = Vec::new();
        for (op, keys) in cond {
            for (k, v) in keys {
                let mut vals = v.values();
                vals.sort();
                // Condition keys are case-insensitive in IAM.
                parts.push(format!("{op}:{}={}", k.to_ascii_lowercase(), vals.join("|")));
            }
        }
        parts.sort();
        parts.join(";")
    }
}

impl PolicyDocument {
    pub fn new(statement: Vec<Statement>) -> PolicyDocument {
        PolicyDocument { version: POLICY_VERSION.to_string(), statement }
    }

    /// Pretty JSON as exported (two-space indent, trailing newline).
    pub fn to_pretty_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("policy serializes");
        s.push('\n');
        s
    }

    /// Size as IAM counts it: compact JSON without whitespace.
    pub fn iam_size(&self) -> usize {
        serde_json::to_string(self).expect("policy serializes").chars().filter(|c| !c.is_whitespace()).count()
    }

    /// Parses a policy as AWS returns or a person writes it (URL-decoding is the caller's job).
    pub fn parse(text: &str) -> Result<PolicyDocument, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Who a trust policy admits: each principal's value without its type (`AWS:`, `Service:`, …),
    /// once each, sorted.
    pub fn trusted_principals(&self) -> Vec<String> {
        let who: BTreeSet<String> =
            self.grants().into_iter().map(|g| g.principal.split_once(':').map(|(_, v)| v.to_string()).unwrap_or(g.principal)).collect();
        who.into_iter().collect()
    }

    /// The document as a set of elementary grants, for semantic comparison (Sid, order, one-vs-many
    /// and action case do not matter).
    pub fn grants(&self) -> BTreeSet<Grant> {
        let mut out = BTreeSet::new();
        for st in &self.statement {
            let principals: Vec<String> = match &st.principal {
                None => vec![String::new()],
                Some(Principal::Everyone(s)) => vec![s.clone()],
                Some(Principal::Typed(m)) => m.iter().flat_map(|(k, v)| v.values().into_iter().map(move |x| format!("{k}:{x}"))).collect(),
            };
            let resources = st.resource.as_ref().map(|r| r.values()).unwrap_or_else(|| vec![String::new()]);
            let cond = st.condition_key();
            for p in &principals {
                for a in st.action.values() {
                    for r in &resources {
                        out.insert(Grant {
                            effect: st.effect,
                            principal: p.clone(),
                            action: a.to_ascii_lowercase(),
                            resource: r.clone(),
                            condition: cond.clone(),
                        });
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_or_many_and_sid_do_not_change_grants() {
        let a = PolicyDocument::parse(r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*"]}]}"#).unwrap();
        let b = PolicyDocument::parse(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["S3:GetObject"],"Resource":"arn:aws:s3:::b/*"}]}"#,
        )
        .unwrap();
        assert_eq!(a.grants(), b.grants());
    }

    /// IAM counts a policy's characters without whitespace, against documented quotas (IAM and STS
    /// quotas: role trust policy 2,048; a role's inline policies together 10,240; a managed policy
    /// 6,144). The expected size is counted outside this code: the document exactly as Trustbridge
    /// sends it (`COMPACT`, one-element lists as strings) is 121 characters (`len()` of the
    /// literal), and the same document written with spaces and newlines, as a person would, is the
    /// same 121.
    #[test]
    fn size_ignores_whitespace() {
        const COMPACT: &str =
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
        assert_eq!(COMPACT.len(), 121);
        let spaced = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [ {\n    \"Sid\": \"A\", \"Effect\": \"Allow\",\n    \"Action\": \"s3:GetObject\",\n    \"Resource\": \"arn:aws:s3:::b/*\"\n  } ]\n}\n";
        let built = PolicyDocument::new(vec![Statement::allow("A", vec!["s3:GetObject".into()]).on(vec!["arn:aws:s3:::b/*".into()])]);
        assert_eq!(serde_json::to_string(&built).unwrap(), COMPACT, "what is sent");
        assert_eq!(built.iam_size(), 121);
        assert_eq!(PolicyDocument::parse(spaced).unwrap().iam_size(), 121);
        assert_eq!((TRUST_POLICY_MAX, INLINE_POLICIES_AGGREGATE_MAX, MANAGED_POLICY_MAX), (2048, 10240, 6144), "AWS's documented quotas");
    }
}
