//! What the customer's own Google sign-in can see, for the wizard's pick lists before any plan
//! exists: the projects (Cloud Resource Manager v1 `projects.list`, active ones), a project's
//! buckets (Cloud Storage JSON v1 `buckets.list`) and its Pub/Sub topics (`projects.topics.list`).
//! Read only; every listing follows `nextPageToken` up to [`MAX_PAGES`] pages and keeps only the
//! names the plan's own rules accept ([`crate::listing`]).

use serde_json::Value;
use trustbridge_core::validate::rules;

use super::apply::{connect, refusal, Api};
use super::credential::AdminCredential;
use super::GcpSettings;
use crate::error::{ApiFailure, CloudError};
use crate::http::enc;
use crate::listing::{tidy, Listing, MAX_PAGES};
use crate::probe::Cloud;

fn root(e: &str) -> &str {
    e.trim_end_matches('/')
}

/// Follows `nextPageToken` from `first` (a URL with a query already), collecting `pick` of each
/// page's items. `billed`: an API that bills the caller ([`Api::billed_call`]).
pub(super) async fn pages(
    api: &Api<'_>,
    first: &str,
    billed: bool,
    action: &str,
    pick: impl Fn(&Value) -> Vec<String>,
) -> Result<(Vec<String>, bool), CloudError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let url = match &token {
            Some(t) => format!("{first}&pageToken={}", enc(t)),
            None => first.to_string(),
        };
        let a = if billed {
            api.billed_call(reqwest::Method::GET, &url, action).await?
        } else {
            api.call(reqwest::Method::GET, &url, None, action).await?
        };
        if !a.ok() {
            return Err(refusal(action, &a));
        }
        out.extend(pick(&a.body));
        match a.body["nextPageToken"].as_str().filter(|t| !t.is_empty()) {
            Some(t) => token = Some(t.to_string()),
            None => return Ok((out, false)),
        }
    }
    Ok((out, true))
}

fn bad_project(project: &str) -> Option<CloudError> {
    rules::gcp_project_id(project).err().map(|why| CloudError::Api {
        cloud: Cloud::Gcp,
        kind: ApiFailure::Api,
        action: "list what the project holds".into(),
        message: format!("'{}' is not a project id: {why}", crate::http::snippet(project)),
    })
}

/// The active projects the sign-in can see (project ids).
pub async fn projects(cred: &AdminCredential, settings: &GcpSettings) -> Result<Listing, CloudError> {
    let (api, acting_as) = connect(cred, settings).await?;
    let first = format!("{}/v1/projects?filter={}", root(&settings.crm_endpoint), enc("lifecycleState:ACTIVE"));
    let (names, truncated) = pages(&api, &first, false, "list your Google Cloud projects", |b| {
        b["projects"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["lifecycleState"].as_str().is_none_or(|s| s == "ACTIVE"))
                    .filter_map(|p| p["projectId"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    })
    .await?;
    Ok(Listing { names: tidy(names, rules::gcp_project_id), truncated, acting_as })
}

/// The buckets of `project` (names).
pub async fn buckets(cred: &AdminCredential, settings: &GcpSettings, project: &str) -> Result<Listing, CloudError> {
    if let Some(e) = bad_project(project) {
        return Err(e);
    }
    let (api, acting_as) = connect(cred, settings).await?;
    let (names, truncated) = bucket_names(&api, project).await?;
    Ok(Listing { names, truncated, acting_as })
}

/// The buckets of `project` the plan's rule accepts, as `api`; `true` when there were more pages.
pub(super) async fn bucket_names(api: &Api<'_>, project: &str) -> Result<(Vec<String>, bool), CloudError> {
    let first =
        format!("{}/storage/v1/b?project={}&fields={}", root(&api.s.storage_endpoint), enc(project), enc("items(name),nextPageToken"));
    let action = format!("list the buckets of project {project}");
    let (names, truncated) = pages(api, &first, false, &action, |b| {
        b["items"].as_array().map(|is| is.iter().filter_map(|i| i["name"].as_str().map(str::to_string)).collect()).unwrap_or_default()
    })
    .await?;
    Ok((tidy(names, rules::gcs_bucket), truncated))
}

/// The Pub/Sub topics of `project` (topic ids, not full names).
pub async fn topics(cred: &AdminCredential, settings: &GcpSettings, project: &str) -> Result<Listing, CloudError> {
    if let Some(e) = bad_project(project) {
        return Err(e);
    }
    let (api, acting_as) = connect(cred, settings).await?;
    let (names, truncated) = topic_names(&api, project).await?;
    Ok(Listing { names, truncated, acting_as })
}

/// The topic ids of `project` the plan's rule accepts, as `api`; `true` when there were more pages.
pub(super) async fn topic_names(api: &Api<'_>, project: &str) -> Result<(Vec<String>, bool), CloudError> {
    let first = format!("{}/v1/projects/{}/topics?pageSize=100", root(&api.s.pubsub_endpoint), enc(project));
    let prefix = format!("projects/{project}/topics/");
    let action = format!("list the Pub/Sub topics of project {project}");
    let (names, truncated) = pages(api, &first, false, &action, |b| {
        b["topics"]
            .as_array()
            .map(|ts| ts.iter().filter_map(|t| t["name"].as_str()?.strip_prefix(prefix.as_str()).map(str::to_string)).collect())
            .unwrap_or_default()
    })
    .await?;
    Ok((tidy(names, rules::pubsub_topic), truncated))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_id_is_checked_before_it_is_put_in_a_url() {
        let e = bad_project("../../v1/projects").expect("refused");
        assert!(e.to_string().contains("is not a project id"), "{e}");
        assert!(bad_project("my-project-123").is_none());
    }
}
