//! Signing in to Google Cloud and Azure from the window, for people without gcloud or the Azure
//! CLI (Tauri-free): "Sign in with Google" (the browser, a loopback redirect, PKCE:
//! `trustbridge_cloud::gcp::signin`) and Entra ID's device code (`trustbridge_cloud::azure::signin`),
//! each with the OAuth client the vendor profile provides (none is shipped). What is kept — a
//! refresh token — lives in this process's memory only, never on disk, in a log or in the page;
//! apply on that cloud then acts as that person ([`ApiSignIns::gcp`], [`ApiSignIns::azure`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use trustbridge_cloud::azure::credential::AzureAdmin;
use trustbridge_cloud::azure::list::{self as azure_list, AzureList};
use trustbridge_cloud::azure::signin::{DeviceSignIn, ORGANIZATIONS};
use trustbridge_cloud::azure::AzureSettings;
use trustbridge_cloud::gcp::credential::AdminCredential;
use trustbridge_cloud::gcp::list;
use trustbridge_cloud::gcp::signin::BrowserSignIn;
use trustbridge_cloud::gcp::GcpSettings;
use trustbridge_core::profile::Profile;
use trustbridge_core::validate::rules;
use trustbridge_secrets::Sensitive;

use trustbridge_cloud::CloudCode;

use crate::errors::{AppCode, ErrorCode};
use crate::ipc::IpcError;

/// The plan's field an Azure sign-in's tenant is answered in.
const TENANT_FIELD: &str = "azure.tenant_id";

/// How long the window waits for the person to finish a browser sign-in.
const BROWSER_WAIT: Duration = Duration::from_secs(600);

/// What to list on Google Cloud: the projects, or a project's buckets or Pub/Sub topics.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[serde(tag = "what", rename_all = "lowercase")]
pub enum GcpList {
    Projects,
    Buckets { project: String },
    Topics { project: String },
}

/// A pick list from Google Cloud: the names the sign-in sees (only names a plan may hold, sorted),
/// whether there were more than Trustbridge reads, and who listed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct GcpListing {
    pub names: Vec<String>,
    pub truncated: bool,
    pub acting_as: String,
}

/// What to list on Azure: the subscriptions, or what a subscription, resource group or storage
/// account holds.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum AzureListRequest {
    Subscriptions,
    ResourceGroups { subscription: String },
    StorageAccounts { subscription: String, resource_group: String },
    Containers { subscription: String, resource_group: String, storage_account: String },
    Topics { subscription: String, resource_group: String },
}

impl AzureListRequest {
    fn as_list(&self) -> AzureList<'_> {
        match self {
            AzureListRequest::Subscriptions => AzureList::Subscriptions,
            AzureListRequest::ResourceGroups { subscription } => AzureList::ResourceGroups { subscription },
            AzureListRequest::StorageAccounts { subscription, resource_group } => {
                AzureList::StorageAccounts { subscription, resource_group }
            }
            AzureListRequest::Containers { subscription, resource_group, storage_account } => {
                AzureList::Containers { subscription, resource_group, storage_account }
            }
            AzureListRequest::Topics { subscription, resource_group } => AzureList::Topics { subscription, resource_group },
        }
    }
}

/// A pick list from Azure (as [`GcpListing`]), and the tenant of the sign-in that listed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AzureListing {
    pub names: Vec<String>,
    pub truncated: bool,
    pub acting_as: String,
    pub tenant: String,
}

/// A device sign-in under way: what the person is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AzureDevice {
    /// The code to enter on Microsoft's page.
    pub user_code: String,
    pub verification_uri: String,
    pub expires_in_s: u64,
}

/// The Google Cloud and Azure sign-ins of this run of the window, and those under way.
#[derive(Default)]
pub struct ApiSignIns {
    gcp: Mutex<Option<Arc<AdminCredential>>>,
    /// (tenant, credential): a sign-in is for one tenant.
    azure: Mutex<Option<(String, Arc<AzureAdmin>)>>,
    gcp_pending: Mutex<Option<BrowserSignIn>>,
    azure_pending: Mutex<Option<DeviceSignIn>>,
    /// Per cloud: moved on by every cancel, sign-out and new sign-in of that cloud, and wakes its
    /// wait; an answer to an older sign-in is dropped. Google's and Azure's run side by side.
    gcp_turn: Turn,
    azure_turn: Turn,
}

#[derive(Default)]
struct Turn {
    generation: AtomicU64,
    cancel: tokio::sync::Notify,
}

impl Turn {
    /// Ends what is under way: a new generation, the wait woken.
    fn next(&self) -> u64 {
        self.cancel.notify_waiters();
        self.generation.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn now(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }
}

/// Microsoft's device-code pages (the only Azure sign-in pages the window opens).
pub fn azure_page_allowed(url: &str) -> bool {
    ["https://microsoft.com/devicelogin", "https://login.microsoftonline.com/", "https://aka.ms/devicelogin"]
        .iter()
        .any(|p| url.starts_with(p))
}

fn unavailable(cloud: &str) -> IpcError {
    IpcError::new(AppCode::SignInUnavailable, format!("the vendor profile has no {cloud} sign-in client"))
}

fn no_https(m: String) -> IpcError {
    IpcError::new(AppCode::OpenFailed, m)
}

impl ApiSignIns {
    /// Starts "Sign in with Google" with the vendor profile's client: the page to open. Only the
    /// profile is needed (the wizard signs in on the project question, before a plan is complete).
    pub async fn gcp_start(&self, profile: &Profile, settings: &GcpSettings) -> Result<String, IpcError> {
        let c = profile.gcp.as_ref().and_then(|g| g.sign_in.as_ref()).ok_or_else(|| unavailable("Google"))?;
        let generation = self.gcp_turn.next();
        let s =
            BrowserSignIn::start(settings, &c.client_id, Sensitive::new(c.client_secret.clone())).await.map_err(|e| IpcError::from(&e))?;
        let url = s.url.clone();
        let mut p = self.gcp_pending.lock().map_err(|_| cancelled())?;
        if self.gcp_turn.now() != generation {
            return Err(cancelled());
        }
        *p = Some(s);
        Ok(url)
    }

    /// Waits for the browser to come back (bounded), then keeps the credential: who it is.
    pub async fn gcp_wait(&self, settings: &GcpSettings) -> Result<String, IpcError> {
        // Listening for a cancel before anything is taken: one that comes in between is not missed.
        let cancelled_wait = self.gcp_turn.cancel.notified();
        tokio::pin!(cancelled_wait);
        cancelled_wait.as_mut().enable();
        let generation = self.gcp_turn.now();
        let s = self.gcp_pending.lock().ok().and_then(|mut p| p.take()).ok_or_else(not_started)?;
        let http = trustbridge_cloud::http::client(settings.timeout, &settings.extra_roots_pem).map_err(no_https)?;
        let cred = tokio::select! {
            r = tokio::time::timeout(BROWSER_WAIT, s.finish(&http, settings)) => match r {
                Ok(r) => r.map_err(|e| IpcError::from(&e))?,
                Err(_) => return Err(IpcError::new(AppCode::SignInCancelled, "the browser sign-in was not finished within 10 minutes")),
            },
            () = cancelled_wait => return Err(cancelled()),
        };
        let who = cred.describe();
        let mut kept = self.gcp.lock().map_err(|_| cancelled())?;
        if self.gcp_turn.now() != generation {
            return Err(cancelled());
        }
        *kept = Some(Arc::new(cred));
        Ok(who)
    }

    /// Starts Entra ID's device-code sign-in with the vendor profile's client: the code to show.
    /// `tenant`: the one answered (checked as a GUID), else none yet — any work or school account
    /// (`organizations`), whose tenant is then the token's.
    pub async fn azure_start(&self, profile: &Profile, tenant: Option<&str>, settings: &AzureSettings) -> Result<AzureDevice, IpcError> {
        let client = profile.azure.as_ref().and_then(|z| z.sign_in_client_id.as_ref()).ok_or_else(|| unavailable("Azure"))?;
        let tenant = match tenant.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => {
                rules::guid(t).map_err(|why| IpcError {
                    field: Some(TENANT_FIELD.into()),
                    ..IpcError::new(
                        ErrorCode::validation(TENANT_FIELD),
                        format!("{TENANT_FIELD}: {why} (got '{}')", trustbridge_core::validate::show_value(t)),
                    )
                })?;
                t.to_string()
            }
            None => ORGANIZATIONS.to_string(),
        };
        let generation = self.azure_turn.next();
        let http = trustbridge_cloud::http::client(settings.timeout, &settings.extra_roots_pem).map_err(no_https)?;
        let d = DeviceSignIn::start(&http, settings, &tenant, client).await.map_err(|e| IpcError::from(&e))?;
        let shown = AzureDevice {
            user_code: d.user_code.clone(),
            verification_uri: d.verification_uri.clone(),
            expires_in_s: d.expires_in.as_secs(),
        };
        let mut p = self.azure_pending.lock().map_err(|_| cancelled())?;
        if self.azure_turn.now() != generation {
            return Err(cancelled());
        }
        *p = Some(d);
        Ok(shown)
    }

    /// Microsoft's page of the device sign-in under way, when it is one the window may open.
    pub fn azure_page(&self) -> Option<String> {
        let p = self.azure_pending.lock().ok()?;
        let url = p.as_ref()?.verification_uri.clone();
        azure_page_allowed(&url).then_some(url)
    }

    /// Waits until the person enters the code (or refuses, or it expires), then keeps the
    /// credential for the tenant: who it is.
    pub async fn azure_wait(&self, settings: &AzureSettings) -> Result<String, IpcError> {
        let cancelled_wait = self.azure_turn.cancel.notified();
        tokio::pin!(cancelled_wait);
        cancelled_wait.as_mut().enable();
        let generation = self.azure_turn.now();
        let d = self.azure_pending.lock().ok().and_then(|mut p| p.take()).ok_or_else(not_started)?;
        let http = trustbridge_cloud::http::client(settings.timeout, &settings.extra_roots_pem).map_err(no_https)?;
        let cred = tokio::select! {
            r = d.finish(&http, settings) => r.map_err(|e| IpcError::from(&e))?,
            () = cancelled_wait => return Err(cancelled()),
        };
        let (tenant, who) = match &cred {
            AzureAdmin::SignedIn { tenant, account, .. } => {
                (tenant.clone(), account.clone().unwrap_or_else(|| "your Azure account".into()))
            }
            _ => return Err(cancelled()),
        };
        let mut kept = self.azure.lock().map_err(|_| cancelled())?;
        if self.azure_turn.now() != generation {
            return Err(cancelled());
        }
        *kept = Some((tenant, Arc::new(cred)));
        Ok(format!("{who} (signed in to Azure in Trustbridge)"))
    }

    /// Ends the sign-ins under way; what was kept stays.
    pub fn cancel(&self) {
        self.gcp_turn.next();
        self.azure_turn.next();
        if let Ok(mut p) = self.gcp_pending.lock() {
            *p = None;
        }
        if let Ok(mut p) = self.azure_pending.lock() {
            *p = None;
        }
    }

    /// Forgets both sign-ins (and ends any under way).
    pub fn sign_out(&self) {
        self.cancel();
        if let Ok(mut k) = self.gcp.lock() {
            *k = None;
        }
        if let Ok(mut k) = self.azure.lock() {
            *k = None;
        }
    }

    /// The Google sign-in made here, if any.
    pub fn gcp(&self) -> Option<Arc<AdminCredential>> {
        self.gcp.lock().ok()?.clone()
    }

    /// Who acts on Google Cloud: the sign-in made here, else this computer's Application Default
    /// Credentials, or why there is neither.
    pub fn gcp_or_adc(&self) -> Result<Arc<AdminCredential>, IpcError> {
        match self.gcp() {
            Some(c) => Ok(c),
            None => AdminCredential::from_env().map(Arc::new).map_err(|e| IpcError::from(&e)),
        }
    }

    /// What the Google sign-in can see, for the wizard's pick lists: the projects, or a project's
    /// buckets or topics (`project` checked by the plan's rule before it goes anywhere).
    pub async fn gcp_list(&self, what: &GcpList, settings: &GcpSettings) -> Result<GcpListing, IpcError> {
        let cred = self.gcp_or_adc()?;
        let l = match what {
            GcpList::Projects => list::projects(&cred, settings).await,
            GcpList::Buckets { project } => list::buckets(&cred, settings, project).await,
            GcpList::Topics { project } => list::topics(&cred, settings, project).await,
        }
        .map_err(|e| IpcError::from(&e))?;
        Ok(GcpListing { names: l.names, truncated: l.truncated, acting_as: l.acting_as })
    }

    /// What Azure's Resource Manager shows the window's Azure sign-in (whatever its tenant), for
    /// the wizard's pick lists; the names it is under are checked by the plan's rules first.
    pub async fn azure_list(&self, what: &AzureListRequest, settings: &AzureSettings) -> Result<AzureListing, IpcError> {
        let (tenant, cred) = self
            .azure
            .lock()
            .ok()
            .and_then(|k| k.clone())
            .ok_or_else(|| IpcError::new(CloudCode::AzureNoCredentials, "nobody is signed in to Azure in Trustbridge"))?;
        let l = azure_list::list(&cred, settings, &what.as_list()).await.map_err(|e| IpcError::from(&e))?;
        Ok(AzureListing { names: l.names, truncated: l.truncated, acting_as: l.acting_as, tenant })
    }

    /// The Azure sign-in made here for `tenant`, if any.
    pub fn azure(&self, tenant: &str) -> Option<Arc<AzureAdmin>> {
        let k = self.azure.lock().ok()?;
        k.as_ref().filter(|(t, _)| t.eq_ignore_ascii_case(tenant)).map(|(_, c)| c.clone())
    }
}

fn cancelled() -> IpcError {
    IpcError::new(AppCode::SignInCancelled, "the sign-in was cancelled")
}

fn not_started() -> IpcError {
    IpcError::new(AppCode::SignInNotStarted, "no sign-in is under way")
}
