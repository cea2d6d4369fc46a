//! What the wizard can learn about a bucket instead of asking the person: the region it lives in
//! (GetBucketLocation) and the customer managed KMS key its default encryption uses
//! (GetBucketEncryption, then KMS DescribeKey for the key's ARN). Best effort and read only: what
//! the credentials may not read is said, never guessed. What AWS answers is checked like a typed
//! answer (the region's shape, the key ARN's rule) before it is offered.

use serde::Serialize;
use trustbridge_core::validate::rules;

use super::{AwsSettings, Session};
use crate::CloudError;

/// A bucket's region and the customer managed key of its default encryption, as far as they could
/// be read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BucketFacts {
    /// The bucket's region (`us-east-1` for S3's empty location constraint).
    pub region: Option<String>,
    /// The ARN of the customer managed KMS key the bucket encrypts with by default; None when the
    /// default encryption is not KMS, uses the AWS managed key (nothing to grant), or was unread.
    pub kms_key_arn: Option<String>,
    /// What was read, in plain words (for the page's hint).
    pub found: Vec<String>,
    /// What could not be read, in plain words.
    pub unread: Vec<String>,
}

/// A value AWS answered, for a sentence on the page: printable characters only, at most 120.
fn bounded(v: &str) -> String {
    let clean: String = v.chars().filter(|c| !c.is_control()).take(120).collect();
    if v.chars().count() > 120 {
        format!("{clean}…")
    } else {
        clean
    }
}

/// S3's location constraint → the region: empty is us-east-1, the legacy `EU` is eu-west-1.
pub fn location_region(constraint: Option<&str>) -> String {
    match constraint.unwrap_or_default() {
        "" => "us-east-1".into(),
        "EU" => "eu-west-1".into(),
        r => r.into(),
    }
}

/// Reads `bucket`'s region and default KMS key with the session's credentials (`region`: where to
/// ask first). Fails only when the credentials cannot be used at all; a refusal on this bucket is
/// a line of `unread`.
pub async fn bucket_facts(region: &str, partition: &str, bucket: &str, settings: &AwsSettings) -> Result<BucketFacts, CloudError> {
    let s = Session::for_region(region, settings).await;
    let mut facts = BucketFacts::default();
    let location = s
        .call("s3:GetBucketLocation", || async {
            s.s3.get_bucket_location().bucket(bucket).send().await.map_err(|e| s.classify("s3:GetBucketLocation", e))
        })
        .await;
    let at = match location {
        Ok(o) => {
            let r = location_region(o.location_constraint().map(|c| c.as_str()));
            if rules::aws_region(&r, partition).is_ok() {
                facts.found.push(format!("{bucket} is in {r}"));
                facts.region = Some(r.clone());
                r
            } else {
                facts.unread.push(format!("the region of {bucket} (AWS answered a name that is not a region of this partition)"));
                region.to_string()
            }
        }
        Err(
            e @ (CloudError::NoCredentials { .. }
            | CloudError::InvalidClientToken { .. }
            | CloudError::ExpiredToken { .. }
            | CloudError::SsoExpired { .. }
            | CloudError::Network { .. }
            | CloudError::Timeout { .. }),
        ) => return Err(e),
        Err(_) => {
            facts.unread.push(format!("the region of {bucket}"));
            region.to_string()
        }
    };
    let s = if at == region { s } else { Session::for_region(&at, settings).await };
    let key = match s.default_kms_key(bucket).await {
        Ok(k) => k,
        Err(_) => {
            facts.unread.push(format!("the default encryption of {bucket}"));
            return Ok(facts);
        }
    };
    let Some(key) = key else {
        facts.found.push(format!("{bucket} is not encrypted with a KMS key by default"));
        return Ok(facts);
    };
    let kms = aws_sdk_kms::Client::new(&s.conf);
    let described = s
        .call("kms:DescribeKey", || async { kms.describe_key().key_id(&key).send().await.map_err(|e| s.classify("kms:DescribeKey", e)) })
        .await;
    match described.ok().and_then(|d| d.key_metadata().cloned()) {
        Some(m) if m.key_manager() == Some(&aws_sdk_kms::types::KeyManagerType::Customer) => {
            let arn = m.arn().unwrap_or_default().to_string();
            if rules::kms_key_arn(&arn, partition, &at).is_ok() {
                facts.found.push(format!("{bucket} is encrypted with the customer managed KMS key {arn}"));
                facts.kms_key_arn = Some(arn);
            } else {
                facts.unread.push(format!("the KMS key of {bucket} (AWS answered '{}', not a key ARN in {at})", bounded(&arn)));
            }
        }
        Some(_) => facts.found.push(format!("{bucket} is encrypted with the AWS managed key (nothing to grant)")),
        None => facts.unread.push(format!("the KMS key '{}' that encrypts {bucket}", bounded(&key))),
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_location_constraints_name_their_region() {
        assert_eq!(location_region(None), "us-east-1");
        assert_eq!(location_region(Some("")), "us-east-1");
        assert_eq!(location_region(Some("EU")), "eu-west-1");
        assert_eq!(location_region(Some("ap-southeast-2")), "ap-southeast-2");
    }
}
