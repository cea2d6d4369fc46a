//! The organization the signed-in account belongs to, as the wizard's "Which accounts?" page shows
//! it: the root, its organizational units nested as AWS keeps them, and the accounts in each
//! (Organizations `DescribeOrganization`, `ListRoots`, `ListOrganizationalUnitsForParent`,
//! `ListAccountsForParent`, every page). Read only. Only the management account (or a delegated
//! administrator) may list an organization; any other caller gets `Ok(None)`-like answers said in
//! plain words, never a guess.
//!
//! What AWS answers is checked like a typed answer before it reaches the page: ids by the plan's
//! own rules (an id that fails them is left out and counted), names bounded and stripped of
//! control characters. The walk is bounded (OUs nest at most five deep under the root; at most
//! [`MAX_UNITS`] units and [`MAX_ACCOUNTS`] accounts are read), so a huge or hostile answer cannot
//! keep the wizard waiting or fill its memory.

use aws_sdk_organizations::error::ProvideErrorMetadata;
use serde::Serialize;
use trustbridge_core::validate::rules;

use super::{AwsSettings, Session};
use crate::CloudError;

/// At most this many organizational units are read (AWS allows 2,000 per organization; the page
/// is for picking, not for auditing).
pub const MAX_UNITS: usize = 500;
/// At most this many accounts are read.
pub const MAX_ACCOUNTS: usize = 2_000;
/// OUs nest at most five levels under the root (AWS Organizations quotas).
const MAX_DEPTH: usize = 5;
/// At most this many pages per parent and list: a hostile answer that keeps handing out tokens
/// (of pages whose ids are all refused, say) cannot keep the walk going.
const MAX_PAGES: usize = 100;

/// One account of the organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrgAccount {
    pub id: String,
    pub name: String,
    /// ACTIVE (only active accounts can take a role; others are shown, not offered).
    pub active: bool,
}

/// The root or an organizational unit, with what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrgUnit {
    /// `r-…` (the root) or `ou-…`.
    pub id: String,
    pub name: String,
    pub accounts: Vec<OrgAccount>,
    pub units: Vec<OrgUnit>,
}

impl OrgUnit {
    /// Every account in this unit and the units under it.
    pub fn all_accounts(&self) -> Vec<&OrgAccount> {
        let mut out: Vec<&OrgAccount> = self.accounts.iter().collect();
        for u in &self.units {
            out.extend(u.all_accounts());
        }
        out
    }
}

/// What could be learnt about the caller's organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Organization {
    /// The caller's account is in no organization.
    None,
    /// In an organization, but its structure could not be listed by these credentials (a member
    /// account, or a role without `organizations:List*`): why, in plain words.
    Unlisted { organization_id: String, management_account: String, why: String },
    /// The whole tree as far as it was read.
    Tree {
        organization_id: String,
        management_account: String,
        /// The caller is the management account (service-managed StackSets are deployed from it, or
        /// from a delegated administrator).
        caller_is_management: bool,
        root: OrgUnit,
        /// Units or accounts AWS answered with an id that fails the plan's rules, or past the
        /// bounds: left out, counted here so the page can say so.
        left_out: usize,
    },
}

fn bounded(v: &str) -> String {
    v.chars().filter(|c| !c.is_control()).take(128).collect()
}

/// Reads the organization of the credentials' caller (who it is and the organization are asked
/// at once).
pub async fn organization(region: &str, settings: &AwsSettings) -> Result<Organization, CloudError> {
    let s = Session::for_region(region, settings).await;
    let org = aws_sdk_organizations::Client::new(&s.conf);
    let describe = s.call("organizations:DescribeOrganization", || async {
        match org.describe_organization().send().await {
            Ok(o) => Ok(Some(o)),
            Err(e) if e.as_service_error().and_then(|x| x.code()) == Some("AWSOrganizationsNotInUseException") => Ok(None),
            Err(e) => Err(s.classify("organizations:DescribeOrganization", e)),
        }
    });
    let (caller, described) = tokio::join!(s.caller_identity(), describe);
    let caller_account = caller?.account;
    let described = described?;
    let Some(o) = described.and_then(|d| d.organization().cloned()) else { return Ok(Organization::None) };
    let organization_id = bounded(o.id().unwrap_or_default());
    let management_account = o.master_account_id().map(bounded).unwrap_or_default();
    let unlisted = |why: String| Organization::Unlisted {
        organization_id: organization_id.clone(),
        management_account: management_account.clone(),
        why,
    };
    let roots = match s
        .call("organizations:ListRoots", || async { org.list_roots().send().await.map_err(|e| s.classify("organizations:ListRoots", e)) })
        .await
    {
        Ok(r) => r,
        Err(e) => return refusal(e, &management_account).map(unlisted),
    };
    let Some(root) = roots.roots().first() else { return Ok(unlisted("the organization answered without a root".into())) };
    let root_id = root.id().unwrap_or_default().to_string();
    if rules::organization_target(&root_id).is_err() {
        return Ok(unlisted(format!("the organization's root id '{}' is not an AWS root id", bounded(&root_id))));
    }
    let mut walk = Walk { s: &s, org: &org, units: 0, accounts: 0, left_out: 0 };
    let tree = match walk.unit(root_id, bounded(root.name().unwrap_or("Root")), 0).await {
        Ok(t) => t,
        Err(e) => return refusal(e, &management_account).map(unlisted),
    };
    Ok(Organization::Tree {
        caller_is_management: caller_account == management_account,
        organization_id,
        management_account,
        root: tree,
        left_out: walk.left_out,
    })
}

/// A refusal to list the structure is an answer (why, in plain words); any other failure (a
/// timeout, throttling, the network) stays an error, so the page can offer to try again.
fn refusal(e: CloudError, management: &str) -> Result<String, CloudError> {
    match e {
        CloudError::AccessDenied { .. } | CloudError::DeniedBy { .. } => Ok(format!(
            "these credentials may not list the organization's accounts: sign in to the management account ({management}) or a delegated administrator to pick them here"
        )),
        other => Err(other),
    }
}

struct Walk<'a> {
    s: &'a Session,
    org: &'a aws_sdk_organizations::Client,
    units: usize,
    accounts: usize,
    left_out: usize,
}

impl Walk<'_> {
    /// One unit: its accounts, then its child units (depth first, in AWS's order).
    fn unit(&mut self, id: String, name: String, depth: usize) -> futures_util::future::BoxFuture<'_, Result<OrgUnit, CloudError>> {
        Box::pin(async move {
            let accounts = self.accounts_of(&id).await?;
            let mut units = Vec::new();
            if depth < MAX_DEPTH {
                for (child, child_name) in self.children_of(&id).await? {
                    units.push(self.unit(child, child_name, depth + 1).await?);
                }
            }
            Ok(OrgUnit { id, name, accounts, units })
        })
    }

    async fn accounts_of(&mut self, parent: &str) -> Result<Vec<OrgAccount>, CloudError> {
        let (s, org) = (self.s, self.org);
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            let page = s
                .call("organizations:ListAccountsForParent", || async {
                    org.list_accounts_for_parent()
                        .parent_id(parent)
                        .set_next_token(token.clone())
                        .send()
                        .await
                        .map_err(|e| s.classify("organizations:ListAccountsForParent", e))
                })
                .await?;
            for a in page.accounts() {
                let id = a.id().unwrap_or_default();
                if rules::aws_account_id(id).is_err() || self.accounts >= MAX_ACCOUNTS {
                    self.left_out += 1;
                    continue;
                }
                self.accounts += 1;
                out.push(OrgAccount {
                    id: id.to_string(),
                    name: bounded(a.name().unwrap_or_default()),
                    // `State` replaces the retired `Status`; an account that says neither is not offered.
                    active: a.state().map(|st| st.as_str()).or(a.status().map(|st| st.as_str())) == Some("ACTIVE"),
                });
            }
            let next = page.next_token().map(str::to_string);
            pages += 1;
            if next.is_none() || next == token || pages >= MAX_PAGES || self.accounts >= MAX_ACCOUNTS {
                break;
            }
            token = next;
        }
        Ok(out)
    }

    async fn children_of(&mut self, parent: &str) -> Result<Vec<(String, String)>, CloudError> {
        let (s, org) = (self.s, self.org);
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            let page = s
                .call("organizations:ListOrganizationalUnitsForParent", || async {
                    org.list_organizational_units_for_parent()
                        .parent_id(parent)
                        .set_next_token(token.clone())
                        .send()
                        .await
                        .map_err(|e| s.classify("organizations:ListOrganizationalUnitsForParent", e))
                })
                .await?;
            for u in page.organizational_units() {
                let id = u.id().unwrap_or_default();
                if rules::organization_target(id).is_err() || !id.starts_with("ou-") || self.units >= MAX_UNITS {
                    self.left_out += 1;
                    continue;
                }
                self.units += 1;
                out.push((id.to_string(), bounded(u.name().unwrap_or_default())));
            }
            let next = page.next_token().map(str::to_string);
            pages += 1;
            if next.is_none() || next == token || pages >= MAX_PAGES || self.units >= MAX_UNITS {
                break;
            }
            token = next;
        }
        Ok(out)
    }
}
