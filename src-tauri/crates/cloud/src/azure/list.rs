//! What the customer's own Azure sign-in can see, for the wizard's pick lists before any plan
//! exists, through Resource Manager: the enabled subscriptions (`Subscriptions - List`), a
//! subscription's resource groups (`Resource Groups - List`), a group's storage accounts
//! (`Storage Accounts - List By Resource Group`), an account's blob containers (`Blob Containers -
//! List`) and a group's Event Grid topics (`Topics - List By Resource Group`). Read only; every
//! listing follows `nextLink` — only to the Resource Manager endpoint the token is for — up to
//! [`MAX_PAGES`] pages, and keeps only the names the plan's own rules accept ([`crate::listing`]).

use serde_json::Value;
use trustbridge_core::validate::rules;

use super::apply::refusal;
use super::credential::{acting_as, AzureAdmin, MANAGEMENT_RESOURCE};
use super::AzureSettings;
use crate::error::{ApiFailure, CloudError};
use crate::http::{self, enc, snippet, JsonApi};
use crate::listing::{tidy, Listing, MAX_PAGES};
use crate::probe::Cloud;

/// The api-versions each list is documented with.
const SUBSCRIPTIONS_API: &str = "2022-12-01";
const RESOURCE_GROUPS_API: &str = "2021-04-01";
const STORAGE_API: &str = "2023-05-01";
const EVENT_GRID_API: &str = "2022-06-15";

/// What to list; the names it is under are checked by the plan's rules before any URL is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AzureList<'a> {
    Subscriptions,
    ResourceGroups { subscription: &'a str },
    StorageAccounts { subscription: &'a str, resource_group: &'a str },
    Containers { subscription: &'a str, resource_group: &'a str, storage_account: &'a str },
    Topics { subscription: &'a str, resource_group: &'a str },
}

fn err(kind: ApiFailure, action: &str, message: String) -> CloudError {
    CloudError::Api { cloud: Cloud::Azure, kind, action: action.into(), message }
}

fn checked(what: &str, value: &str, rule: fn(&str) -> rules::Rule) -> Result<String, CloudError> {
    rule(value)
        .map(|()| enc(value))
        .map_err(|why| err(ApiFailure::Api, "list what Azure holds", format!("'{}' is not a {what}: {why}", snippet(value))))
}

/// What [`AzureList::target`] gives.
type Target = (String, &'static str, fn(&str) -> rules::Rule, String);

impl AzureList<'_> {
    /// The path under Resource Manager, its api-version, the rule its names follow, and what it lists.
    fn target(&self) -> Result<Target, CloudError> {
        let group = |s: &str, g: &str| -> Result<String, CloudError> {
            Ok(format!(
                "/subscriptions/{}/resourceGroups/{}",
                checked("subscription id", s, rules::guid)?,
                checked("resource group", g, rules::resource_group)?
            ))
        };
        Ok(match self {
            AzureList::Subscriptions => ("/subscriptions".into(), SUBSCRIPTIONS_API, rules::guid, "list your Azure subscriptions".into()),
            AzureList::ResourceGroups { subscription } => (
                format!("/subscriptions/{}/resourcegroups", checked("subscription id", subscription, rules::guid)?),
                RESOURCE_GROUPS_API,
                rules::resource_group,
                format!("list the resource groups of subscription {subscription}"),
            ),
            AzureList::StorageAccounts { subscription, resource_group } => (
                format!("{}/providers/Microsoft.Storage/storageAccounts", group(subscription, resource_group)?),
                STORAGE_API,
                rules::storage_account,
                format!("list the storage accounts of resource group {resource_group}"),
            ),
            AzureList::Containers { subscription, resource_group, storage_account } => (
                format!(
                    "{}/providers/Microsoft.Storage/storageAccounts/{}/blobServices/default/containers",
                    group(subscription, resource_group)?,
                    checked("storage account", storage_account, rules::storage_account)?
                ),
                STORAGE_API,
                rules::blob_container,
                format!("list the containers of storage account {storage_account}"),
            ),
            AzureList::Topics { subscription, resource_group } => (
                format!("{}/providers/Microsoft.EventGrid/topics", group(subscription, resource_group)?),
                EVENT_GRID_API,
                rules::event_grid_topic,
                format!("list the Event Grid topics of resource group {resource_group}"),
            ),
        })
    }
}

/// The next page of a Resource Manager list (`nextLink`), if any: followed only at `root`, the
/// endpoint the token is for (same scheme, host and port), so the token goes nowhere else.
pub(super) fn next_page(root: &str, page: &Value, action: &str) -> Result<Option<String>, CloudError> {
    match page["nextLink"].as_str().filter(|l| !l.is_empty()) {
        Some(next) if same_origin(root, next) => Ok(Some(next.to_string())),
        Some(next) => Err(err(
            ApiFailure::Api,
            action,
            format!("Resource Manager's next page is at another address ({}); it was not followed", snippet(next)),
        )),
        None => Ok(None),
    }
}

/// Whether `next` is at the same scheme, host and port as `root` (the default port filled in).
fn same_origin(root: &str, next: &str) -> bool {
    match (reqwest::Url::parse(root), reqwest::Url::parse(next)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin() && b.username().is_empty() && b.password().is_none(),
        _ => false,
    }
}

/// The names on one page: subscriptions by id (enabled ones), everything else by name.
fn names(list: &AzureList<'_>, page: &Value) -> Vec<String> {
    let items = page["value"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .filter_map(|v| match list {
            AzureList::Subscriptions => {
                // Warned and PastDue subscriptions still work; Disabled and Deleted ones do not.
                (!matches!(v["state"].as_str(), Some("Disabled" | "Deleted")))
                    .then(|| v["subscriptionId"].as_str().map(str::to_string))
                    .flatten()
            }
            _ => v["name"].as_str().map(str::to_string),
        })
        .collect()
}

/// Lists `what` as `cred` (its Resource Manager token), following `nextLink` within the endpoint.
pub async fn list(cred: &AzureAdmin, settings: &AzureSettings, what: &AzureList<'_>) -> Result<Listing, CloudError> {
    let (path, api_version, rule, action) = what.target()?;
    settings.check().map_err(|why| err(ApiFailure::Api, "check the Azure endpoints", why))?;
    let http = http::client(settings.timeout, &settings.extra_roots_pem).map_err(|m| err(ApiFailure::Unreachable, "set up HTTPS", m))?;
    let token = cred.token(&http, settings, MANAGEMENT_RESOURCE).await?;
    let acting_as = acting_as(cred, &token);
    let api = JsonApi::new(http, Cloud::Azure, 0);
    let root = settings.management_endpoint.trim_end_matches('/');
    let mut url = format!("{root}{path}?api-version={api_version}");
    let mut out = Vec::new();
    for _ in 0..MAX_PAGES {
        let a = api.call(&token, reqwest::Method::GET, &url, None, &action).await?;
        if !a.ok() {
            return Err(refusal(&action, &a));
        }
        out.extend(names(what, &a.body));
        match next_page(root, &a.body, &action)? {
            Some(next) => url = next,
            None => return Ok(Listing { names: tidy(out, rule), truncated: false, acting_as }),
        }
    }
    Ok(Listing { names: tidy(out, rule), truncated: true, acting_as })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_before_a_url_is_built() {
        let bad = AzureList::StorageAccounts { subscription: "0b1f6471-1bf0-4dda-aec3-cb9272f09590", resource_group: "rg/../../x" };
        let e = bad.target().unwrap_err();
        assert!(e.to_string().contains("is not a resource group"), "{e}");
        let e = AzureList::ResourceGroups { subscription: "not-a-guid" }.target().unwrap_err();
        assert!(e.to_string().contains("is not a subscription id"), "{e}");
        let (path, v, _, _) = AzureList::Containers {
            subscription: "0b1f6471-1bf0-4dda-aec3-cb9272f09590",
            resource_group: "ml-rg",
            storage_account: "acct1",
        }
        .target()
        .unwrap();
        assert_eq!(
            path,
            "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/ml-rg/providers/Microsoft.Storage/storageAccounts/acct1/blobServices/default/containers"
        );
        assert_eq!(v, STORAGE_API);
    }

    #[test]
    fn a_next_page_is_followed_only_at_the_endpoint() {
        let root = "https://management.azure.com";
        assert!(same_origin(root, "https://management.azure.com/subscriptions?api-version=1&%24skiptoken=2"));
        assert!(same_origin(root, "https://MANAGEMENT.azure.com:443/subscriptions"));
        for bad in [
            "https://management.azure.com.evil.example/x",
            "http://management.azure.com/x",
            "https://u:p@management.azure.com/x",
            "/relative",
        ] {
            assert!(!same_origin(root, bad), "{bad}");
        }
    }

    #[test]
    fn disabled_subscriptions_are_not_offered() {
        let page = serde_json::json!({"value": [
            {"subscriptionId": "0b1f6471-1bf0-4dda-aec3-cb9272f09590", "state": "Enabled"},
            {"subscriptionId": "11111111-1bf0-4dda-aec3-cb9272f09590", "state": "Disabled"},
            {"subscriptionId": "22222222-1bf0-4dda-aec3-cb9272f09590", "state": "PastDue"}]});
        assert_eq!(
            names(&AzureList::Subscriptions, &page),
            vec!["0b1f6471-1bf0-4dda-aec3-cb9272f09590".to_string(), "22222222-1bf0-4dda-aec3-cb9272f09590".to_string()]
        );
    }
}
