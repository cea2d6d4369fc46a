//! The profiles of the shared AWS config files (`~/.aws/config`, `~/.aws/credentials`, or the
//! files `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE` name), read with the SDK's own parser so
//! that the list is exactly what the SDK would sign with: the wizard's profile picker. Only names
//! and what kind of sign-in each is come out; a key in the credentials file never does.

use std::path::PathBuf;

use aws_runtime::env_config::file::{EnvConfigFileKind as ProfileFileKind, EnvConfigFiles as ProfileFiles};
use aws_types::os_shim_internal::{Env, Fs};
use serde::Serialize;

use crate::error::CloudError;

/// How a profile signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "AwsProfileKind"))]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    /// IAM Identity Center (`sso_session` or `sso_start_url`): needs a current SSO sign-in.
    Sso,
    /// Assumes a role from another profile or source (`role_arn`: role chaining).
    AssumeRole,
    /// Runs a program for credentials (`credential_process`).
    Process,
    /// A web identity token file (`web_identity_token_file`).
    WebIdentity,
    /// Access keys in the credentials file.
    Keys,
    /// None of these (e.g. only a region): the SDK's chain decides.
    Other,
}

/// One profile: its name, how it signs in, and its region when it names one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AwsProfile {
    pub name: String,
    pub kind: ProfileKind,
    pub region: Option<String>,
}

/// Which files to read: the SDK's defaults (and its environment variables), or the two given
/// instead (a given file that does not exist is read as empty, as a missing default file is).
pub fn profile_files(config: Option<&PathBuf>, credentials: Option<&PathBuf>) -> ProfileFiles {
    // The SDK's default files unless a file is given instead (the builder includes none by default,
    // and panics on an empty set).
    let mut b = ProfileFiles::builder().include_default_config_file(true).include_default_credentials_file(true);
    for (given, kind) in [(config, ProfileFileKind::Config), (credentials, ProfileFileKind::Credentials)] {
        let Some(path) = given else { continue };
        b = match kind {
            ProfileFileKind::Config => b.include_default_config_file(false),
            _ => b.include_default_credentials_file(false),
        };
        // The builder refuses an empty set (a panic): a missing file is read as empty contents.
        b = if path.is_file() { b.with_file(kind, path) } else { b.with_contents(kind, "") };
    }
    b.build()
}

/// Every profile of `files`, sorted by name. Missing files are no profiles, not an error; a file
/// the SDK cannot parse is [`CloudError::NoCredentials`] with the parser's reason.
pub async fn list(files: &ProfileFiles) -> Result<Vec<AwsProfile>, CloudError> {
    let set = aws_config::profile::load(&Fs::real(), &Env::real(), files, None)
        .await
        .map_err(|e| CloudError::NoCredentials { message: format!("the AWS config files could not be read: {e}") })?;
    let mut out: Vec<AwsProfile> = set
        .profiles()
        .filter_map(|name| {
            let p = set.get_profile(name)?;
            let has = |k: &str| p.get(k).is_some_and(|v| !v.trim().is_empty());
            let kind = if has("sso_session") || has("sso_start_url") {
                ProfileKind::Sso
            } else if has("role_arn") {
                ProfileKind::AssumeRole
            } else if has("credential_process") {
                ProfileKind::Process
            } else if has("web_identity_token_file") {
                ProfileKind::WebIdentity
            } else if has("aws_access_key_id") {
                ProfileKind::Keys
            } else {
                ProfileKind::Other
            };
            Some(AwsProfile { name: name.to_string(), kind, region: p.get("region").map(str::to_string) })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_picker_lists_every_profile_with_how_it_signs_in_and_never_a_key() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let credentials = dir.path().join("credentials");
        std::fs::write(
            &config,
            "[default]\nregion = eu-west-1\n\n[profile dev-sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\n\n\
             [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\n\
             [profile chained]\nrole_arn = arn:aws:iam::111122223333:role/Ops\nsource_profile = keys\n\n\
             [profile proc]\ncredential_process = /usr/bin/get-creds\n",
        )
        .unwrap();
        std::fs::write(
            &credentials,
            // Not a real key: assembled, so that no key-shaped literal is in the source.
            format!(
                "[keys]\naws_access_key_id = {}EXAMPLEKEY123456\naws_secret_access_key = CANARYsecretCANARYsecretCANARYsecret0123\n",
                "AKIA"
            ),
        )
        .unwrap();
        let got = list(&profile_files(Some(&config), Some(&credentials))).await.unwrap();
        let kinds: Vec<(&str, ProfileKind)> = got.iter().map(|p| (p.name.as_str(), p.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("chained", ProfileKind::AssumeRole),
                ("default", ProfileKind::Other),
                ("dev-sso", ProfileKind::Sso),
                ("keys", ProfileKind::Keys),
                ("proc", ProfileKind::Process)
            ]
        );
        assert_eq!(got[1].region.as_deref(), Some("eu-west-1"));
        let shown = serde_json::to_string(&got).unwrap();
        assert!(!shown.contains("CANARY") && !shown.contains("AKIAEXAMPLE"), "{shown}");
        // The SDK's default files (whatever this machine has): read, never a panic.
        assert!(list(&profile_files(None, None)).await.is_ok());
        // No files: no profiles, not an error.
        let none = list(&profile_files(Some(&dir.path().join("nope")), Some(&dir.path().join("nope2")))).await.unwrap();
        assert!(none.is_empty());
    }
}
