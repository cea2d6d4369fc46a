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
}

/// Every command error crosses as `{code, message, field, fix}`; the UI maps `code`, never text.
#[derive(Debug, Clone, Serialize, TS)]
pub struct IpcError {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
    pub fix: Option<String>,
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
    vec![one::<AppInfo>(), one::<Cloud>(), one::<ProfileSummary>(), one::<IpcError>()]
}
