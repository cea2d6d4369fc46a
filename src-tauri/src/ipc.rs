//! Types that cross the IPC boundary. Declared once here; TypeScript bindings are generated
//! from them into `ui/src/lib/ipc/bindings/` and a test fails when the committed ones are stale.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    Aws,
    Gcp,
    Azure,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ProfileSummary {
    pub id: String,
    pub display_name: String,
    pub description: String,
    pub clouds: Vec<Cloud>,
    pub defaults: ProfileDefaults,
}

/// What the wizard pre-fills and asks for, from the vendor profile.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ProfileDefaults {
    pub aws_role_name: Option<String>,
    /// `required`, `optional` or `none`; null when the vendor has no AWS support.
    pub aws_external_id: Option<String>,
    /// True when the customer must enter the vendor's AWS account (custom vendor).
    pub aws_vendor_account_from_plan: bool,
    pub aws_publishes_events: bool,
    pub gcp_service_account: Option<String>,
    pub gcp_publishes_events: bool,
    pub azure_service_principal_name: Option<String>,
    pub azure_publishes_events: bool,
}

/// One generated document, for the check-your-answers page.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PreviewFile {
    pub path: String,
    pub content: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Preview {
    pub files: Vec<PreviewFile>,
    /// "What this grants", one plain-language line each.
    pub grants: Vec<String>,
    /// Offline lint of the generated documents.
    pub findings: Vec<LintFinding>,
}

/// One lint finding (`severity`: error, warning or info).
#[derive(Debug, Clone, Serialize, TS)]
pub struct LintFinding {
    pub severity: String,
    pub code: String,
    pub document: String,
    pub message: String,
    pub fix: String,
}

impl From<&trustbridge_core::lint::Finding> for LintFinding {
    fn from(f: &trustbridge_core::lint::Finding) -> LintFinding {
        let severity = serde_json::to_value(f.severity).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        LintFinding { severity, code: f.code.clone(), document: f.document.clone(), message: f.message.clone(), fix: f.fix.clone() }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ExportResult {
    pub dir: String,
    pub files: Vec<String>,
}

/// Every command error crosses as `{code, message, field, fix}`; the UI maps `code`, never text.
#[derive(Debug, Clone, Serialize, TS)]
pub struct IpcError {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
    pub fix: Option<String>,
}

impl IpcError {
    pub fn new(code: &str, message: impl Into<String>) -> IpcError {
        IpcError { code: code.to_string(), message: message.into(), field: None, fix: None }
    }
}

impl From<trustbridge_core::CoreError> for IpcError {
    fn from(e: trustbridge_core::CoreError) -> IpcError {
        IpcError { code: e.code().to_string(), message: e.to_string(), field: None, fix: None }
    }
}

impl From<&trustbridge_core::Problem> for IpcError {
    fn from(p: &trustbridge_core::Problem) -> IpcError {
        IpcError { code: p.code(), message: p.to_string(), field: Some(p.field.clone()), fix: p.fix.clone() }
    }
}

/// The generated TypeScript files: (file name, contents).
pub fn typescript_bindings() -> Vec<(String, String)> {
    fn one<T: TS + 'static>() -> (String, String) {
        let cfg = ts_rs::Config::default();
        (format!("{}.ts", T::name(&cfg)), T::export_to_string(&cfg).expect("ts export"))
    }
    use trustbridge_core::plan;
    vec![
        one::<AppInfo>(),
        one::<Cloud>(),
        one::<ProfileSummary>(),
        one::<ProfileDefaults>(),
        one::<IpcError>(),
        one::<PreviewFile>(),
        one::<Preview>(),
        one::<LintFinding>(),
        one::<ExportResult>(),
        one::<crate::state::Draft>(),
        one::<plan::Plan>(),
        one::<plan::Integration>(),
        one::<plan::AwsPlan>(),
        one::<plan::AwsVendor>(),
        one::<plan::S3Storage>(),
        one::<plan::EventBus>(),
        one::<plan::GcpPlan>(),
        one::<plan::GcsStorage>(),
        one::<plan::GcpWorkloadIdentity>(),
        one::<plan::PubSubTopic>(),
        one::<plan::AzurePlan>(),
        one::<plan::BlobContainer>(),
        one::<plan::EventGridTopic>(),
    ]
}
