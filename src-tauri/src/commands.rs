//! `#[tauri::command]` adapters: a few lines each, no logic of their own.

use trustbridge_core::Profile;

use crate::ipc::{AppInfo, Cloud, IpcError, ProfileSummary};

#[tauri::command]
pub fn app_info() -> AppInfo {
    AppInfo { name: "Trustbridge".into(), version: env!("CARGO_PKG_VERSION").into() }
}

#[tauri::command]
pub fn list_profiles() -> Result<Vec<ProfileSummary>, IpcError> {
    Ok(Profile::builtins().iter().map(summary).collect())
}

pub fn summary(p: &Profile) -> ProfileSummary {
    let clouds = p
        .clouds()
        .into_iter()
        .map(|c| match c {
            "aws" => Cloud::Aws,
            "gcp" => Cloud::Gcp,
            _ => Cloud::Azure,
        })
        .collect();
    ProfileSummary { id: p.id.clone(), display_name: p.display_name.clone(), description: p.description.clone(), clouds }
}
