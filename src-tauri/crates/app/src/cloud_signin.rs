//! Signing in to Google Cloud and Azure from the window, for people without gcloud or the Azure
//! CLI (Tauri-free): "Sign in with Google" (the browser, a loopback redirect, PKCE:
//! `trustbridge_cloud::gcp::signin`) and Entra ID's device code (`trustbridge_cloud::azure::signin`),
//! each with the OAuth client the vendor profile provides (none is shipped). What is kept — a
//! refresh token — lives in this process's memory only, never on disk, in a log or in the page;
//! apply on that cloud then acts as that person ([`ApiSignIns::gcp`], [`ApiSignIns::azure`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use trustbridge_cloud::azure::credential::AzureAdmin;
use trustbridge_cloud::azure::signin::DeviceSignIn;
use trustbridge_cloud::azure::AzureSettings;
use trustbridge_cloud::gcp::credential::AdminCredential;
use trustbridge_cloud::gcp::signin::BrowserSignIn;
use trustbridge_cloud::gcp::GcpSettings;
use trustbridge_core::validate::Resolved;
use trustbridge_secrets::Sensitive;

use crate::errors::AppCode;
use crate::ipc::IpcError;

/// How long the window waits for the person to finish a browser sign-in.
const BROWSER_WAIT: Duration = Duration::from_secs(600);

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
    /// Starts "Sign in with Google" with the plan's vendor profile client: the page to open.
    pub async fn gcp_start(&self, r: &Resolved, settings: &GcpSettings) -> Result<String, IpcError> {
        let g = r.gcp.as_ref().ok_or_else(|| unavailable("Google Cloud"))?;
        let c = g.profile.sign_in.as_ref().ok_or_else(|| unavailable("Google"))?;
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

    /// Starts Entra ID's device-code sign-in for the plan's tenant: the code to show.
    pub async fn azure_start(&self, r: &Resolved, settings: &AzureSettings) -> Result<AzureDevice, IpcError> {
        let z = r.azure.as_ref().ok_or_else(|| unavailable("Azure"))?;
        let client = z.profile.sign_in_client_id.as_ref().ok_or_else(|| unavailable("Azure"))?;
        let generation = self.azure_turn.next();
        let http = trustbridge_cloud::http::client(settings.timeout, &settings.extra_roots_pem).map_err(no_https)?;
        let d = DeviceSignIn::start(&http, settings, &z.tenant_id, client).await.map_err(|e| IpcError::from(&e))?;
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
