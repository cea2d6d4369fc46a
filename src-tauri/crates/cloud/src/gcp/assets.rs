//! Where else the plan's service account is bound: on buckets of other projects, which Cloud
//! Storage cannot list from the plan's project (it lists buckets by project). Read through Cloud
//! Resource Manager v1 `projects.getAncestry` (the project's folders and organization) and Cloud
//! Asset Inventory v1 `searchAllIamPolicies` (query `policy:"EMAIL"`, asset type
//! `storage.googleapis.com/Bucket`) over the widest of those scopes the sign-in may search: the
//! organization, else the folders below it, from the top. A project in no organization or folder
//! has nothing wider to search. Asset Inventory's index can lag a change by minutes, and its answer
//! is input like any other: only bucket names the plan's rule accepts are kept, and each is read
//! live before anything is removed (`apply::outside_plan`). Reads only.

use serde_json::Value;
use trustbridge_core::validate::rules;

use super::apply::{refusal, Api};
use super::list::pages;
use crate::error::CloudError;
use crate::http::enc;
use crate::listing::tidy;

/// The asset type of a Cloud Storage bucket, and its resource names' prefix, in Asset Inventory.
const BUCKET_TYPE: &str = "storage.googleapis.com/Bucket";
const BUCKET_PREFIX: &str = "//storage.googleapis.com/";

/// What the search found: the buckets whose policy names the account (any project in the scope,
/// the plan's own included), and what to tell (a scope that could not be searched, a long answer).
#[derive(Debug, Default)]
pub(super) struct Elsewhere {
    pub buckets: Vec<String>,
    pub notes: Vec<String>,
}

/// The buckets in the project's organization (or the widest folder the sign-in may search) whose
/// IAM policy binds `email`.
pub(super) async fn buckets_binding(api: &Api<'_>, project: &str, email: &str) -> Elsewhere {
    let not_looked = |why: String| format!("buckets of other projects were not looked at for the vendor's grants: {why}");
    let scopes = match ancestry(api, project).await {
        Ok(s) => s,
        Err(e) => return Elsewhere { buckets: Vec::new(), notes: vec![not_looked(e.to_string())] },
    };
    // What would let a scope be searched: the API enabled where the search is billed, and the
    // permission on the scope.
    let needs = |scope: &str| {
        let api_where = match &api.billed {
            Some(p) => format!("in project {p} (the search is billed to your application-default login's quota project, else the plan's)"),
            None => "in the project the search is billed to (the service account's, or the sign-in's OAuth client's)".into(),
        };
        format!("with the Cloud Asset API enabled {api_where} and cloudasset.assets.searchAllIamPolicies on {scope} (roles/cloudasset.viewer), it can be")
    };
    let mut refused: Option<(&str, CloudError)> = None;
    for scope in scopes.iter().rev() {
        match search(api, scope, email).await {
            Ok((buckets, truncated)) => {
                let mut notes = Vec::new();
                if let Some((top, e)) = refused {
                    notes.push(format!(
                        "buckets of other projects were looked at in {scope} only, for the vendor's grants: {top} could not be searched ({e}); {}",
                        needs(top)
                    ));
                }
                if truncated {
                    notes.push(format!("the search of {scope} found more policies naming the vendor's account than Trustbridge reads: buckets after them were not looked at"));
                }
                return Elsewhere { buckets, notes };
            }
            Err(e) => {
                refused.get_or_insert((scope, e));
            }
        }
    }
    let notes = match refused {
        Some((top, e)) => vec![not_looked(format!("{top} could not be searched ({e}); {}", needs(top)))],
        None => Vec::new(),
    };
    Elsewhere { buckets: Vec::new(), notes }
}

/// The folders and organization above `project`, nearest first (`folders/N`, `organizations/N`).
/// An id that is not a number is not used (it would go into a URL).
async fn ancestry(api: &Api<'_>, project: &str) -> Result<Vec<String>, CloudError> {
    let url = format!("{}/v1/projects/{}:getAncestry", api.s.crm_endpoint.trim_end_matches('/'), enc(project));
    let action = format!("read the folders and organization of project {project}");
    let a = api.call(reqwest::Method::POST, &url, Some(&Value::Object(Default::default())), &action).await?;
    if !a.ok() {
        return Err(refusal(&action, &a));
    }
    Ok(scopes(&a.body))
}

fn scopes(answer: &Value) -> Vec<String> {
    answer["ancestor"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| {
            let id = a["resourceId"]["id"].as_str().filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))?;
            match a["resourceId"]["type"].as_str()? {
                "folder" => Some(format!("folders/{id}")),
                "organization" => Some(format!("organizations/{id}")),
                _ => None,
            }
        })
        .collect()
}

/// The buckets in `scope` whose policy binds `email`; `true` when there were more pages.
async fn search(api: &Api<'_>, scope: &str, email: &str) -> Result<(Vec<String>, bool), CloudError> {
    let first = format!(
        "{}/v1/{scope}:searchAllIamPolicies?query={}&assetTypes={}&pageSize=500",
        api.s.asset_endpoint.trim_end_matches('/'),
        enc(&format!("policy:\"{email}\"")),
        enc(BUCKET_TYPE)
    );
    let action = format!("search {scope} for IAM policies naming {email}");
    let (names, truncated) = pages(api, &first, true, &action, buckets_of).await?;
    Ok((tidy(names, rules::gcs_bucket), truncated))
}

fn buckets_of(page: &Value) -> Vec<String> {
    page["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["assetType"] == BUCKET_TYPE)
        .filter_map(|r| r["resource"].as_str()?.strip_prefix(BUCKET_PREFIX).map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_numbered_folders_and_organizations_are_searched() {
        let answer = json!({"ancestor": [
            {"resourceId": {"type": "project", "id": "ml-prod"}},
            {"resourceId": {"type": "folder", "id": "456"}},
            {"resourceId": {"type": "folder", "id": "../../v1/projects/x"}},
            {"resourceId": {"type": "organization", "id": "123"}},
            {"resourceId": {"type": "organization", "id": ""}},
        ]});
        assert_eq!(scopes(&answer), vec!["folders/456".to_string(), "organizations/123".to_string()]);
        assert!(scopes(&json!({})).is_empty());
    }

    #[test]
    fn only_buckets_are_taken_from_the_search() {
        let page = json!({"results": [
            {"resource": "//storage.googleapis.com/shared-data", "assetType": "storage.googleapis.com/Bucket"},
            {"resource": "//pubsub.googleapis.com/projects/p/topics/t", "assetType": "pubsub.googleapis.com/Topic"},
            {"resource": "//storage.googleapis.com/Bad Name", "assetType": "storage.googleapis.com/Bucket"},
            {"resource": "//compute.googleapis.com/x", "assetType": "storage.googleapis.com/Bucket"},
        ]});
        let names = tidy(buckets_of(&page), rules::gcs_bucket);
        assert_eq!(names, vec!["shared-data".to_string()]);
    }
}
