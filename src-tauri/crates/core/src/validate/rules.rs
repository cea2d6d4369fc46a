//! One function per field rule. Each returns `Err(rule)` where `rule` is the plain statement of
//! the rule the value broke; callers add the field path and the value.

pub const PARTITIONS: &[&str] = &["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-eusc"];

pub type Rule = Result<(), String>;

fn fail<T>(msg: impl Into<String>) -> Result<T, String> {
    Err(msg.into())
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn len_between(v: &str, min: usize, max: usize, what: &str) -> Rule {
    let n = v.chars().count();
    if n < min || n > max {
        return fail(format!("{what} must be {min}-{max} characters long (this is {n})"));
    }
    Ok(())
}

pub fn aws_account_id(v: &str) -> Rule {
    if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        fail("an AWS account id is exactly 12 digits")
    }
}

/// A StackSet deployment target: an organizational unit (`ou-` + 4–32 lower-case letters or
/// digits + `-` + 8–32 more) or the organization's root (`r-` + 4–32).
pub fn organization_target(v: &str) -> Rule {
    let ok =
        |part: &str, min: usize| (min..=32).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let valid = if let Some(rest) = v.strip_prefix("ou-") {
        matches!(rest.split_once('-'), Some((root, unit)) if ok(root, 4) && ok(unit, 8))
    } else if let Some(rest) = v.strip_prefix("r-") {
        ok(rest, 4)
    } else {
        false
    };
    if valid {
        Ok(())
    } else {
        fail("an organizational unit id looks like 'ou-ab12-cd34ef56', the root's like 'r-ab12'")
    }
}

pub fn partition(v: &str) -> Rule {
    if PARTITIONS.contains(&v) {
        Ok(())
    } else {
        fail(format!("must be one of {}", PARTITIONS.join(", ")))
    }
}

/// The partition a region name belongs to, if it is shaped like a region.
pub fn region_partition(region: &str) -> Option<&'static str> {
    let parts: Vec<&str> = region.split('-').collect();
    if parts.len() < 3 {
        return None;
    }
    let last = parts[parts.len() - 1];
    let shaped = (1..=2).contains(&last.len())
        && last.bytes().all(|b| b.is_ascii_digit())
        && parts[..parts.len() - 1].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()));
    if !shaped {
        return None;
    }
    Some(match (parts[0], parts[1]) {
        ("cn", _) => "aws-cn",
        ("us", "gov") => "aws-us-gov",
        ("us", "iso") => "aws-iso",
        ("us", "isob") => "aws-iso-b",
        ("eusc", _) => "aws-eusc",
        (_, p) if p.starts_with("iso") => "unsupported",
        _ => "aws",
    })
}

pub fn aws_region(v: &str, partition: &str) -> Rule {
    match region_partition(v) {
        None => fail("an AWS region looks like 'eu-west-1'"),
        Some("unsupported") => fail("this region's partition is not supported"),
        Some(p) if PARTITIONS.contains(&partition) && p != partition => {
            fail(format!("region belongs to partition '{p}', not the plan's partition '{partition}'"))
        }
        Some(_) => Ok(()),
    }
}

/// An IAM name: 1 to `max` of letters, digits and + = , . @ _ -.
fn iam_name(v: &str, max: usize, what: &str) -> Rule {
    len_between(v, 1, max, what)?;
    if !v.chars().all(|c| is_word(c) || "+=,.@-".contains(c)) {
        return fail(format!("{what} may contain only letters, digits and + = , . @ _ -"));
    }
    Ok(())
}

pub fn aws_role_name(v: &str) -> Rule {
    iam_name(v, 64, "a role name")
}

/// A customer-managed or inline policy's name.
pub fn aws_policy_name(v: &str) -> Rule {
    iam_name(v, 128, "a policy name")
}

pub fn aws_role_path(v: &str) -> Rule {
    len_between(v, 1, 512, "a role path")?;
    if v == "/" {
        return Ok(());
    }
    if !(v.starts_with('/') && v.ends_with('/') && v.len() >= 3) {
        return fail("a role path is '/' or starts and ends with '/', like '/vendors/'");
    }
    if !v.chars().all(|c| ('\u{21}'..='\u{7e}').contains(&c)) {
        return fail("a role path may contain only printable ASCII without spaces");
    }
    Ok(())
}

/// `arn:PARTITION:iam::ACCOUNT|aws:policy/PATH/NAME`, as a permissions boundary.
pub fn permissions_boundary_arn(v: &str, partition: &str) -> Rule {
    if !v.starts_with(&format!("arn:{partition}:iam::")) {
        return Err(format!("a permissions boundary is an IAM policy ARN starting 'arn:{partition}:iam::'"));
    }
    policy_arn(v, partition)
}

/// `arn:PARTITION:iam::ACCOUNT|aws:policy/PATH/NAME`: one policy, no wildcard.
pub fn policy_arn(v: &str, partition: &str) -> Rule {
    let rest = v
        .strip_prefix(&format!("arn:{partition}:iam::"))
        .ok_or_else(|| format!("an IAM policy ARN starts with 'arn:{partition}:iam::'"))?;
    let (acct, res) = rest.split_once(':').ok_or("missing ':policy/…' part")?;
    if acct != "aws" && aws_account_id(acct).is_err() {
        return fail("the account part must be 12 digits (or 'aws' for an AWS managed policy)");
    }
    let name = res.strip_prefix("policy/").ok_or("the resource part must start with 'policy/'")?;
    let base = name.rsplit('/').next().unwrap_or("");
    if base.is_empty() || base.len() > 128 || !base.chars().all(|c| is_word(c) || "+=,.@-".contains(c)) {
        return fail("the policy name must be 1-128 characters of letters, digits and + = , . @ _ -");
    }
    if !name.chars().all(|c| is_word(c) || "+=,.@-/".contains(c)) {
        return fail("a policy path may contain only letters, digits and + = , . @ _ - /");
    }
    Ok(())
}

pub fn external_id(v: &str) -> Rule {
    len_between(v, 2, 1224, "an external id")?;
    if !v.chars().all(|c| is_word(c) || "+=,.@:/-".contains(c)) {
        return fail("an external id may contain only letters, digits and + = , . @ : / _ -");
    }
    Ok(())
}

fn looks_like_ipv4(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() == 4 && parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

pub fn s3_bucket(v: &str) -> Rule {
    len_between(v, 3, 63, "a bucket name")?;
    if !v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-') {
        return fail("a bucket name may contain only lowercase letters, digits, '.' and '-'");
    }
    let (first, last) = (v.as_bytes()[0], v.as_bytes()[v.len() - 1]);
    if !first.is_ascii_alphanumeric() || !last.is_ascii_alphanumeric() {
        return fail("a bucket name must start and end with a letter or digit");
    }
    if v.contains("..") {
        return fail("a bucket name must not contain two adjacent periods");
    }
    if looks_like_ipv4(v) {
        return fail("a bucket name must not look like an IP address");
    }
    for p in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if v.starts_with(p) {
            return fail(format!("a bucket name must not start with '{p}'"));
        }
    }
    for s in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if v.ends_with(s) {
            return fail(format!("a bucket name must not end with '{s}'"));
        }
    }
    Ok(())
}

/// An S3 key prefix that narrows a grant: no IAM wildcards or policy variables, which would widen it.
pub fn s3_prefix(v: &str) -> Rule {
    if v.is_empty() || v.len() > 1024 {
        return fail("a prefix must be 1-1024 bytes (leave it out to grant the whole bucket)");
    }
    if v.starts_with('/') {
        return fail("a prefix must not start with '/' (S3 keys have no leading slash)");
    }
    if v.contains('*') || v.contains('?') || v.contains("${") {
        return fail("a prefix must not contain '*', '?' or '${' (they would widen the grant)");
    }
    if v.chars().any(|c| c.is_control()) {
        return fail("a prefix must not contain control characters");
    }
    Ok(())
}

fn is_uuid(v: &str) -> bool {
    let groups: Vec<&str> = v.split('-').collect();
    groups.len() == 5 && [8, 4, 4, 4, 12].iter().zip(&groups).all(|(n, g)| g.len() == *n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `arn:PARTITION:kms:REGION:ACCOUNT:key/UUID` (or `key/mrk-…` for a multi-Region key).
pub fn kms_key_arn(v: &str, partition: &str, region: &str) -> Rule {
    let parts: Vec<&str> = v.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || parts[2] != "kms" {
        return fail("a KMS key ARN looks like 'arn:aws:kms:eu-west-1:123456789012:key/<key-id>'");
    }
    if parts[1] != partition {
        return fail(format!("the key's partition must be the plan's partition '{partition}'"));
    }
    if parts[3] != region {
        return fail(format!("the key must be in the plan's region '{region}' (SSE-KMS keys live in the bucket's region)"));
    }
    aws_account_id(parts[4])?;
    let id = parts[5].strip_prefix("key/").ok_or("must name a key ('key/…'); aliases cannot be used in a policy Resource")?;
    let mrk = id.strip_prefix("mrk-").map(|h| h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit())).unwrap_or(false);
    if !(is_uuid(id) || mrk) {
        return fail("the key id must be a UUID or 'mrk-' and 32 hex digits");
    }
    Ok(())
}

pub fn event_bus_name(v: &str) -> Rule {
    len_between(v, 1, 256, "an event bus name")?;
    if !v.chars().all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c)) {
        return fail("an event bus name may contain only letters, digits and / . _ -");
    }
    if v.contains('/') && !v.starts_with("aws.partner/") {
        return fail("only partner event buses (aws.partner/…) contain '/'");
    }
    Ok(())
}

/// An `aws:PrincipalArn` pattern: must stay inside the vendor's account.
pub fn principal_pattern(v: &str, partition: &str, vendor_account: &str) -> Rule {
    let prefix = format!("arn:{partition}:iam::{vendor_account}:");
    let rest = v.strip_prefix(&prefix).ok_or_else(|| format!("a principal pattern must start with '{prefix}' (the vendor's account)"))?;
    if !(rest.starts_with("role/") || rest.starts_with("user/")) {
        return fail("a principal pattern must name 'role/…' or 'user/…'");
    }
    let name = &rest[5..];
    if name.is_empty() || name.chars().all(|c| c == '*' || c == '?') {
        return fail("a principal pattern must name some roles, not every one ('role/*')");
    }
    if v.len() > 2048 || !v.chars().all(|c| is_word(c) || "+=,.@-/*?:".contains(c)) {
        return fail("a principal pattern may contain only ARN characters and the wildcards * ?");
    }
    Ok(())
}

/// `service:Action`, no wildcards.
pub fn is_specific_action(v: &str, service: &str) -> bool {
    match v.split_once(':') {
        Some((s, a)) => s == service && !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric()),
        None => false,
    }
}

fn gcp_lower_kebab(v: &str, what: &str) -> Rule {
    let b = v.as_bytes();
    if b.is_empty() || !b[0].is_ascii_lowercase() {
        return fail(format!("{what} must start with a lowercase letter"));
    }
    if !b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-') {
        return fail(format!("{what} may contain only lowercase letters, digits and '-'"));
    }
    if b[b.len() - 1] == b'-' {
        return fail(format!("{what} must not end with '-'"));
    }
    Ok(())
}

pub fn gcp_project_id(v: &str) -> Rule {
    len_between(v, 6, 30, "a project id")?;
    gcp_lower_kebab(v, "a project id")?;
    if v.contains("google") {
        return fail("a project id must not contain 'google'");
    }
    Ok(())
}

pub fn gcp_service_account_id(v: &str) -> Rule {
    len_between(v, 6, 30, "a service-account id")?;
    gcp_lower_kebab(v, "a service-account id")
}

/// A valid service-account id close to what the user typed (`ml3PlatformServiceAccount` →
/// `ml3-platform-service-account`).
pub fn suggest_service_account_id(v: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in v.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
            prev_lower = true;
        } else {
            out.push('-');
            prev_lower = false;
        }
    }
    let mut s: String = out.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    while !s.is_empty() && !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        s.remove(0);
    }
    s.truncate(30);
    let s = s.trim_end_matches('-').to_string();
    if s.len() < 6 {
        let base = if s.is_empty() { "vendor".to_string() } else { s };
        let joined = format!("{base}-access-sa");
        joined.chars().take(30).collect::<String>().trim_end_matches('-').to_string()
    } else {
        s
    }
}

pub fn gcs_bucket(v: &str) -> Rule {
    let max = if v.contains('.') { 222 } else { 63 };
    len_between(v, 3, max, "a bucket name")?;
    if !v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)) {
        return fail("a bucket name may contain only lowercase letters, digits, '-', '_' and '.'");
    }
    let (first, last) = (v.as_bytes()[0], v.as_bytes()[v.len() - 1]);
    if !first.is_ascii_alphanumeric() || !last.is_ascii_alphanumeric() {
        return fail("a bucket name must start and end with a letter or digit");
    }
    if v.split('.').any(|c| c.is_empty() || c.len() > 63) {
        return fail("each dot-separated part of a bucket name must be 1-63 characters");
    }
    if v.starts_with("goog") || v.contains("google") {
        return fail("a bucket name must not start with 'goog' or contain 'google'");
    }
    if looks_like_ipv4(v) {
        return fail("a bucket name must not look like an IP address");
    }
    Ok(())
}

pub fn pubsub_topic(v: &str) -> Rule {
    len_between(v, 3, 255, "a topic id")?;
    if !v.as_bytes()[0].is_ascii_alphabetic() {
        return fail("a topic id must start with a letter");
    }
    if !v.chars().all(|c| c.is_ascii_alphanumeric() || "-_.~+%".contains(c)) {
        return fail("a topic id may contain only letters, digits and - _ . ~ + %");
    }
    if v.starts_with("goog") {
        return fail("a topic id must not start with 'goog'");
    }
    Ok(())
}

/// Workload identity pool ids: 4-32 of lowercase letters, digits and '-'; not starting with 'gcp-'.
pub fn wif_pool_id(v: &str) -> Rule {
    len_between(v, 4, 32, "a pool id")?;
    gcp_lower_kebab(v, "a pool id")?;
    if v.starts_with("gcp-") {
        return fail("a pool id must not start with 'gcp-' (reserved by Google)");
    }
    Ok(())
}

pub fn guid(v: &str) -> Rule {
    if is_uuid(v) {
        Ok(())
    } else {
        fail("must be a GUID like 00000000-0000-0000-0000-000000000000")
    }
}

pub fn resource_group(v: &str) -> Rule {
    len_between(v, 1, 90, "a resource group name")?;
    if !v.chars().all(|c| c.is_alphanumeric() || "_()-.".contains(c)) {
        return fail("a resource group name may contain only letters, digits and _ ( ) - .");
    }
    if v.ends_with('.') {
        return fail("a resource group name must not end with '.'");
    }
    Ok(())
}

pub fn storage_account(v: &str) -> Rule {
    len_between(v, 3, 24, "a storage account name")?;
    if !v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
        return fail("a storage account name may contain only lowercase letters and digits");
    }
    Ok(())
}

pub fn blob_container(v: &str) -> Rule {
    len_between(v, 3, 63, "a container name")?;
    if !v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return fail("a container name may contain only lowercase letters, digits and '-'");
    }
    if !v.as_bytes()[0].is_ascii_alphanumeric() || v.ends_with('-') {
        return fail("a container name must start and end with a letter or digit");
    }
    if v.contains("--") {
        return fail("a container name must not contain two hyphens in a row");
    }
    Ok(())
}

pub fn event_grid_topic(v: &str) -> Rule {
    len_between(v, 3, 50, "an Event Grid topic name")?;
    if !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return fail("an Event Grid topic name may contain only letters, digits and '-'");
    }
    Ok(())
}

/// A display name or label typed by a person: no control characters.
pub fn display_name(v: &str, max: usize) -> Rule {
    if v.trim().is_empty() {
        return fail("must not be empty");
    }
    len_between(v, 1, max, "a name")?;
    if v.chars().any(|c| c.is_control()) {
        return fail("must not contain control characters");
    }
    Ok(())
}

/// A display name that reaches Terraform and Pulumi as a string literal: free text, but no
/// template sequence. `${` and `%{` are never needed in a name, and one that Terraform would
/// evaluate unless escaped is refused rather than trusted to every renderer's escaping (the HCL
/// writer escapes them anyway).
pub fn iac_display_name(v: &str, max: usize) -> Rule {
    display_name(v, max)?;
    if v.contains("${") || v.contains("%{") {
        return fail("must not contain '${' or '%{' (template sequences in Terraform)");
    }
    Ok(())
}

/// A label that ends up in shell scripts and tags: a conservative character set.
pub fn integration_name(v: &str) -> Rule {
    len_between(v, 1, 64, "an integration name")?;
    if !v.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)) {
        return fail("an integration name may contain only letters, digits and _ . -");
    }
    Ok(())
}

pub fn platform_project_id(v: &str) -> Rule {
    len_between(v, 1, 128, "a project id")?;
    if !v.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)) {
        return fail("a project id may contain only letters, digits and _ . -");
    }
    Ok(())
}

/// A vendor API base URL, checked for shape here (no network, no URL library in core): https (or
/// http to this machine), no spaces or control characters, no userinfo, query or fragment. The
/// cloud crate parses it again with the one credential-URL rule before any request carries the key.
pub fn api_base_url(v: &str) -> Rule {
    if v.len() > 2048 || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must be one URL of at most 2048 characters, without spaces or control characters".into());
    }
    let (https, rest) = match (v.strip_prefix("https://"), v.strip_prefix("http://")) {
        (Some(r), _) => (true, r),
        (None, Some(r)) => (false, r),
        _ => return Err("must be an https URL".into()),
    };
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        return Err("may not carry a user name or password (user@host)".into());
    }
    if v.contains(['?', '#']) {
        return Err("may not carry a query (?) or fragment (#)".into());
    }
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    if host.is_empty() {
        return Err("must name a host".into());
    }
    if !https && !matches!(host.to_ascii_lowercase().as_str(), "127.0.0.1" | "localhost" | "[::1]") {
        return Err("must be an https URL (plain http only to 127.0.0.1 or localhost)".into());
    }
    Ok(())
}

/// An id the vendor's API gave an integration's credentials: 1-128 of `A-Z a-z 0-9 _ . : -`
/// (it becomes part of a URL path).
pub fn vendor_credentials_id(v: &str) -> Rule {
    if v.is_empty() || v.len() > 128 || !v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-')) {
        return Err("1-128 characters of A-Z, a-z, 0-9, '_', '.', ':' and '-'".into());
    }
    if v == "." || v == ".." {
        return Err("may not be '.' or '..'".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_service_account_is_invalid_and_suggestion_is_valid() {
        assert!(gcp_service_account_id("ml3PlatformServiceAccount").is_err());
        let s = suggest_service_account_id("ml3PlatformServiceAccount");
        assert_eq!(s, "ml3-platform-service-account");
        assert!(gcp_service_account_id(&s).is_ok());
        let long = "x".repeat(80);
        for odd in ["", "A", "__", "9abc", long.as_str(), "Ünïcode Name", "a-b"] {
            let s = suggest_service_account_id(odd);
            assert!(gcp_service_account_id(&s).is_ok(), "{odd:?} → {s:?}");
        }
    }

    #[test]
    fn regions_map_to_partitions() {
        assert_eq!(region_partition("eu-west-1"), Some("aws"));
        assert_eq!(region_partition("cn-north-1"), Some("aws-cn"));
        assert_eq!(region_partition("us-gov-west-1"), Some("aws-us-gov"));
        assert_eq!(region_partition("us-isob-east-1"), Some("aws-iso-b"));
        assert_eq!(region_partition("us-iso-east-1"), Some("aws-iso"));
        assert_eq!(region_partition("eusc-de-east-1"), Some("aws-eusc"));
        assert_eq!(region_partition("eu-west"), None);
        assert_eq!(region_partition("EU-west-1"), None);
        assert!(aws_region("cn-north-1", "aws").is_err());
        assert!(aws_region("eu-isoe-west-1", "aws").is_err());
    }

    #[test]
    fn bucket_rules() {
        for ok in ["my-company-data-bucket", "abc", "a.b-c1"] {
            assert!(s3_bucket(ok).is_ok(), "{ok}");
        }
        for bad in
            ["ab", "My-Bucket", "-abc", "abc-", "a..b", "192.168.1.1", "xn--abc", "abc-s3alias", "a_b", "<img src=x onerror=alert(1)>"]
        {
            assert!(s3_bucket(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kms_rules() {
        let ok = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        assert!(kms_key_arn(ok, "aws", "eu-west-1").is_ok());
        assert!(kms_key_arn(ok, "aws", "us-east-1").is_err());
        assert!(kms_key_arn(ok, "aws-cn", "eu-west-1").is_err());
        assert!(kms_key_arn("arn:aws:kms:eu-west-1:123456789012:alias/x", "aws", "eu-west-1").is_err());
        assert!(kms_key_arn("arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab", "aws", "eu-west-1").is_ok());
    }

    #[test]
    fn principal_patterns_stay_in_the_vendor_account() {
        assert!(principal_pattern("arn:aws:iam::377488441568:role/qwak-eks-base*", "aws", "377488441568").is_ok());
        assert!(principal_pattern("arn:aws:iam::*:role/x", "aws", "377488441568").is_err());
        assert!(principal_pattern("arn:aws:iam::377488441568:role/*", "aws", "377488441568").is_err());
        assert!(principal_pattern("*", "aws", "377488441568").is_err());
    }
}
