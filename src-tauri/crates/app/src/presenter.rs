//! Presenter mode in the native dialogs Rust raises: the same identifiers the page hides
//! (`ui/src/lib/wizard/mask.ts`) are hidden in a confirmation's text while the window is in
//! presenter mode — the plan's own values (project, buckets, KMS keys, service accounts, storage
//! accounts, containers, topics, buses, the resource group, the project at the vendor), any 12-digit
//! AWS account id, any GUID (Azure tenant and subscription ids), the person in a caller ARN and a
//! home folder's owner. Tauri-free and pure.
//!
//! The webview turns presenter mode on and off, and the webview is untrusted: a hostile page could
//! turn it on to hide what a confirmation names. So a masked confirmation says that it is masked,
//! and how to read it in full (turn presenter mode off); and what is approved is the confirmation
//! as built, never the masked text.

use trustbridge_core::validate::Resolved;

/// What replaces a hidden value (the page's `MASK`).
pub const MASK: &str = "••••••";

/// The line a masked confirmation ends with.
pub const NOTE: &str = "Presenter mode is on: account numbers, names and other identifiers are hidden here too. To read them before you answer, choose Cancel, turn presenter mode off and try again.";

/// Names too generic to hide (the page's `NOT_IDENTIFYING`): masking them would garble the text,
/// and they identify nobody.
const NOT_IDENTIFYING: [&str; 4] = ["default", "data", "events", "test"];

/// The identifiers of a vendor plan that the page hides in presenter mode.
pub fn identifiers(r: &Resolved) -> Vec<String> {
    let mut out = every_value(r);
    out.retain(|v| !NOT_IDENTIFYING.contains(&v.trim().to_ascii_lowercase().as_str()));
    out
}

fn every_value(r: &Resolved) -> Vec<String> {
    let mut out = vec![r.plan.integration.project_id.clone()];
    // Every AWS account the plan sets up: the single account, or each of an organization's.
    for a in r.aws_accounts() {
        // (The external id is never in a dialog's text, and a vendor-issued one arrives between the
        // dry run and the apply: it is no part of what is hidden, so the approval stays the same.)
        out.push(a.account_id.clone());
        for s in &a.storage {
            out.push(s.bucket.clone());
            out.extend(s.kms_key_arn.iter().cloned());
        }
        out.extend(a.event_buses.iter().filter(|b| b.as_str() != "default").cloned());
    }
    if let Some(o) = &r.aws_org {
        out.push(o.management_account_id.clone());
    }
    if let Some(g) = &r.gcp {
        out.push(g.project_id.clone());
        out.push(g.service_account_email());
        out.extend(g.buckets.iter().cloned());
        out.extend(g.topics.iter().cloned());
    }
    if let Some(z) = &r.azure {
        out.extend([z.tenant_id.clone(), z.subscription_id.clone(), z.resource_group.clone()]);
        for (account, container) in &z.containers {
            out.extend([account.clone(), container.clone()]);
        }
        out.extend(z.topics.iter().cloned());
    }
    out
}

/// `text` with every identifier hidden: the `values` given (ASCII case-insensitive, three characters
/// or more, as whole tokens — not inside a longer name, so a value cannot blank out a word of the
/// text around it; inside ARNs and paths they are tokens), then any GUID, any 12-digit account id,
/// the person in a caller ARN and a home folder's owner.
pub fn mask(text: &str, values: &[String]) -> String {
    let mut values: Vec<&str> = values.iter().map(String::as_str).filter(|v| v.chars().count() >= 3).collect();
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    values.dedup();
    let mut out = hide_values(text, &values);
    out = hide_guids(&out);
    out = hide_account_ids(&out);
    out = hide_org_ids(&out);
    out = hide_after(&out, &[":user/", ":federated-user/"], false, |rest| rest.rfind('/').map_or(0, |i| i + 1));
    out = hide_after(&out, &[":assumed-role/"], false, |rest| rest.find('/').map_or(rest.len(), |i| i + 1));
    hide_after(&out, &["/home/", "/Users/"], true, |_| 0)
}

/// Ends a token: what the page's patterns stop at.
fn ends_token(c: char) -> bool {
    c.is_whitespace() || "\"',;()<>".contains(c)
}

/// Continues a name: a value next to one of these is part of a longer name, not the value.
fn in_name(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

fn hide_values(text: &str, values: &[&str]) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    'scan: while i < text.len() {
        let starts_token = text[..i].chars().next_back().is_none_or(|c| !in_name(c));
        for v in values.iter().filter(|_| starts_token) {
            let lv = v.to_ascii_lowercase();
            let ends_token = |end: usize| text[end..].chars().next().is_none_or(|c| !in_name(c));
            if lower[i..].starts_with(&lv) && ends_token(i + lv.len()) {
                out.push_str(MASK);
                i += lv.len();
                continue 'scan;
            }
        }
        let Some(c) = text[i..].chars().next() else { break };
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// `text` with every maximal run of characters `in_run` accepts replaced by [`MASK`] when
/// `hidden` says so.
fn hide_runs(text: &str, in_run: impl Fn(char) -> bool, hidden: impl Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        out.push_str(if hidden(run) { MASK } else { run.as_str() });
        run.clear();
    };
    for c in text.chars() {
        if in_run(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Runs of exactly 12 ASCII digits.
fn hide_account_ids(text: &str) -> String {
    hide_runs(text, |c| c.is_ascii_digit(), |run| run.len() == 12)
}

/// An AWS Organizations id: the organization (`o-`), its root (`r-`), an organizational unit
/// (`ou-…-…`), a service control policy (`p-`; AWS's own `p-FullAWSAccess` is public): the page's
/// `ORG_ID`.
fn is_org_id(token: &str) -> bool {
    let alnum = |s: &str, min: usize, max: usize, extra: &[char]| {
        (min..=max).contains(&s.len()) && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(&c))
    };
    if let Some(rest) = token.strip_prefix("ou-") {
        return rest.split_once('-').is_some_and(|(a, b)| alnum(a, 4, 32, &[]) && alnum(b, 8, 32, &[]));
    }
    match token.split_once('-') {
        Some(("o", rest)) => alnum(rest, 10, 32, &[]),
        Some(("r", rest)) => alnum(rest, 4, 32, &[]),
        Some(("p", rest)) => alnum(rest, 8, 128, &['_']),
        _ => false,
    }
}

/// Tokens (runs of letters, digits, `-` and `_`) that are AWS Organizations ids.
fn hide_org_ids(text: &str) -> String {
    hide_runs(text, in_name, is_org_id)
}

fn is_guid(s: &str) -> bool {
    s.len() == 36 && s.char_indices().all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { c == '-' } else { c.is_ascii_hexdigit() })
}

fn hide_guids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < text.len() {
        let boundary_before = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if boundary_before && text.is_char_boundary(i) && i + 36 <= text.len() && text.is_char_boundary(i + 36) {
            let candidate = &text[i..i + 36];
            let boundary_after = i + 36 == text.len() || !bytes[i + 36].is_ascii_alphanumeric();
            if boundary_after && is_guid(candidate) {
                out.push_str(MASK);
                i += 36;
                continue;
            }
        }
        let Some(c) = text[i..].chars().next() else { break };
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// After each `marker`, keeps `keep(token)` bytes of the token that follows (up to a `/` too, with
/// `to_slash`) and hides the rest.
fn hide_after(text: &str, markers: &[&str], to_slash: bool, keep: impl Fn(&str) -> usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    'scan: while i < text.len() {
        for m in markers {
            if text[i..].starts_with(m) {
                let start = i + m.len();
                let token_len = text[start..].find(|c| ends_token(c) || (to_slash && c == '/')).unwrap_or(text.len() - start);
                let token = &text[start..start + token_len];
                let kept = keep(token).min(token.len());
                out.push_str(m);
                out.push_str(&token[..kept]);
                if kept < token.len() {
                    out.push_str(MASK);
                }
                i = start + token_len;
                continue 'scan;
            }
        }
        let Some(c) = text[i..].chars().next() else { break };
        out.push(c);
        i += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_what_the_page_hides_and_keeps_the_rest_readable() {
        let text = "Create the IAM role mlcube-platform-access (arn:aws:iam::123456789012:role/mlcube-platform-access) \
            as arn:aws:sts::123456789012:assumed-role/Admin/alice@example.com, reading every object in the S3 bucket \
            Acme-Training-Data; tenant 72f988bf-86f1-41af-91ab-2d7cd011db47; files to /home/alice/exports; \
            IAM user arn:aws:iam::210987654321:user/ops/bob.";
        let out = mask(text, &["acme-training-data".into(), "ab".into()]);
        for hidden in ["123456789012", "alice@example.com", "Acme-Training-Data", "72f988bf", "/home/alice", "210987654321", "bob"] {
            assert!(!out.contains(hidden), "{hidden} in {out}");
        }
        for kept in ["mlcube-platform-access", "assumed-role/Admin/", ":user/ops/", "/home/••••••/exports", "S3 bucket ••••••"]
        {
            assert!(out.contains(kept), "{kept} not in {out}");
        }
        // AWS Organizations ids, as the page hides them; AWS's own policy and ordinary words stay.
        assert_eq!(
            mask("SCP p-examplescp1 (DenyRegions) on ou-ab12-cdef3456 under r-ab12 of o-a1b2c3d4e5; p-FullAWSAccess allows; for-example, or-else", &[]),
            "SCP •••••• (DenyRegions) on •••••• under •••••• of ••••••; p-FullAWSAccess allows; for-example, or-else"
        );
        // Not an account id: 11 or 13 digits; not a GUID: part of a longer word.
        assert_eq!(mask("12345678901 1234567890123", &[]), "12345678901 1234567890123");
        let long = "x72f988bf-86f1-41af-91ab-2d7cd011db47";
        assert_eq!(mask(long, &[]), long);
        // Values too short to be identifiers are left alone; text with other scripts survives,
        // next to a hidden value too.
        assert_eq!(mask("a ab — é", &["ab".into()]), "a ab — é");
        assert_eq!(mask("to /home/josé/tb-1 — données:acme-data/é", &["acme-data".into()]), "to /home/••••••/tb-1 — données:••••••/é");
        // Whole tokens only: a value never blanks out part of a longer word of the text.
        assert_eq!(
            mask("attach AdministratorAccess to the bucket admin-logs", &["admin".into(), "administrator".into()]),
            "attach AdministratorAccess to the bucket admin-logs"
        );
        assert_eq!(mask("the bucket admin, and admin/x", &["admin".into()]), "the bucket ••••••, and ••••••/x");
    }

    #[test]
    fn a_vendor_plans_identifiers_are_its_values() {
        let plan = trustbridge_core::Plan::from_json(
            r#"{"version":1,"platform":"mlcube","integration":{"name":"TB_1","project_id":"fraud-detection"},
                "aws":{"account_id":"123456789012","region":"us-east-1","storage":[{"bucket":"acme-data","kms_key_arn":"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}],
                       "events":[{"event_bus_name":"default"},{"event_bus_name":"retrain"}]}}"#,
        )
        .unwrap();
        let r = trustbridge_core::validate(&plan, None).unwrap();
        let ids = identifiers(&r);
        for v in ["fraud-detection", "123456789012", "acme-data", "retrain"] {
            assert!(ids.iter().any(|i| i == v), "{v} in {ids:?}");
        }
        assert!(!ids.iter().any(|i| i == "default"), "the bus every account has is not an identifier");
        let generic = trustbridge_core::Plan::from_json(
            r#"{"version":1,"platform":"mlcube","integration":{"name":"TB_1","project_id":"test"},
                "aws":{"account_id":"123456789012","region":"us-east-1","storage":[{"bucket":"data"}],"events":[{"event_bus_name":"events"}]}}"#,
        )
        .unwrap();
        let ids = identifiers(&trustbridge_core::validate(&generic, None).unwrap());
        assert_eq!(ids, ["123456789012"], "generic names identify nobody (the page's rule)");
    }
}
