//! TEST DOUBLE of the AWS access portal (IAM Identity Center), for which no emulator exists here:
//! the SSO OIDC API (`RegisterClient`, `StartDeviceAuthorization`, `CreateToken` — restJson1, POST
//! `/client/register`, `/device_authorization`, `/token`) and the portal API (`ListAccounts`,
//! `ListAccountRoles`, `GetRoleCredentials` — GET `/assignment/accounts`, `/assignment/roles`,
//! `/federation/credentials` with the `x-amz-sso_bearer_token` header), following the published API
//! references: request and response members, 400 errors named by `x-amzn-ErrorType`
//! (`AuthorizationPendingException`, `SlowDownException`, `ExpiredTokenException`,
//! `AccessDeniedException`) with the OAuth `error` body, 401 `UnauthorizedException` for a wrong
//! token, `nextToken` pagination. The role credentials it issues are ones moto accepts.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::{json, serve, Double, Request, Response};

/// What the person does in the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Person {
    /// Confirms after this many polls; the poll after the first pending one is told to slow down.
    Confirms {
        after_polls: usize,
    },
    Refuses,
    /// Never confirms: the device code expires (the double says so on the second poll).
    Away,
}

pub const ACCESS_TOKEN: &str = "CANARYssoACCESStoken-never-shown";
pub const CLIENT_SECRET: &str = "CANARYssoCLIENTsecret-never-shown";
pub const ROLE_SECRET: &str = "CANARYssoROLEsecretCANARYssoROLEsecret00";

#[derive(Default)]
struct State {
    polls: usize,
}

fn error(kind: &str, oauth: &str) -> Response {
    let mut r = json(400, serde_json::json!({"error": oauth, "error_description": kind}));
    r.headers.push(("x-amzn-errortype".into(), kind.into()));
    r
}

fn query(path: &str) -> BTreeMap<String, String> {
    path.split_once('?')
        .map(|(_, q)| q.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect())
        .unwrap_or_default()
}

/// The double. `accounts`: (id, name, roles); `ListAccounts` answers one account per page.
pub async fn sso_double(person: Person, accounts: Vec<(&'static str, &'static str, Vec<&'static str>)>) -> Double {
    let state = Arc::new(Mutex::new(State::default()));
    serve(move |req: Request| {
        let route = req.path.split('?').next().unwrap_or_default().to_string();
        let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
        match (req.method.as_str(), route.as_str()) {
            ("POST", "/client/register") => {
                if body["clientType"] != "public" || body["clientName"].as_str().is_none() {
                    return error("InvalidClientMetadataException", "invalid_client_metadata");
                }
                json(200, serde_json::json!({"clientId": "client-1", "clientSecret": CLIENT_SECRET, "clientIdIssuedAt": 1, "clientSecretExpiresAt": 4102444800u64}))
            }
            ("POST", "/device_authorization") => {
                if body["clientSecret"] != CLIENT_SECRET || body["startUrl"].as_str().is_none() {
                    return error("InvalidClientException", "invalid_client");
                }
                json(200, serde_json::json!({"deviceCode": "device-1", "userCode": "WDJB-MJHT", "verificationUri": "https://device.sso.eu-west-1.amazonaws.com/",
                    "verificationUriComplete": "https://device.sso.eu-west-1.amazonaws.com/?user_code=WDJB-MJHT", "expiresIn": 600, "interval": 1}))
            }
            ("POST", "/token") => {
                if body["grantType"] != "urn:ietf:params:oauth:grant-type:device_code" || body["deviceCode"] != "device-1" || body["clientSecret"] != CLIENT_SECRET {
                    return error("InvalidGrantException", "invalid_grant");
                }
                let polls = {
                    let mut s = state.lock().unwrap();
                    s.polls += 1;
                    s.polls
                };
                match person {
                    Person::Refuses => error("AccessDeniedException", "access_denied"),
                    Person::Away if polls >= 2 => error("ExpiredTokenException", "expired_token"),
                    Person::Away => error("AuthorizationPendingException", "authorization_pending"),
                    Person::Confirms { after_polls } if polls > after_polls => {
                        json(200, serde_json::json!({"accessToken": ACCESS_TOKEN, "tokenType": "Bearer", "expiresIn": 28800}))
                    }
                    Person::Confirms { .. } if polls == 2 => error("SlowDownException", "slow_down"),
                    Person::Confirms { .. } => error("AuthorizationPendingException", "authorization_pending"),
                }
            }
            ("GET", _) if req.header("x-amz-sso_bearer_token") != Some(ACCESS_TOKEN) => {
                let mut r = json(401, serde_json::json!({"message": "Session token not found or invalid"}));
                r.headers.push(("x-amzn-errortype".into(), "UnauthorizedException".into()));
                r
            }
            ("GET", "/assignment/accounts") => {
                let q = query(&req.path);
                let i: usize = q.get("next_token").and_then(|t| t.strip_prefix("page-")).and_then(|n| n.parse().ok()).unwrap_or(0);
                let Some((id, name, _)) = accounts.get(i) else { return json(200, serde_json::json!({"accountList": []})) };
                let mut v = serde_json::json!({"accountList": [{"accountId": id, "accountName": name, "emailAddress": "aws@example.com"}]});
                if i + 1 < accounts.len() {
                    v["nextToken"] = format!("page-{}", i + 1).into();
                }
                json(200, v)
            }
            ("GET", "/assignment/roles") => {
                let q = query(&req.path);
                let account = q.get("account_id").cloned().unwrap_or_default();
                let roles: Vec<serde_json::Value> = accounts
                    .iter()
                    .filter(|(id, _, _)| *id == account)
                    .flat_map(|(id, _, roles)| roles.iter().map(move |r| serde_json::json!({"roleName": r, "accountId": id})))
                    .collect();
                json(200, serde_json::json!({"roleList": roles}))
            }
            ("GET", "/federation/credentials") => {
                let q = query(&req.path);
                let known = accounts.iter().any(|(id, _, roles)| Some(&id.to_string()) == q.get("account_id") && roles.iter().any(|r| Some(&r.to_string()) == q.get("role_name")));
                if !known {
                    let mut r = json(403, serde_json::json!({"message": "No access"}));
                    r.headers.push(("x-amzn-errortype".into(), "ForbiddenException".into()));
                    return r;
                }
                let expiration = (std::time::SystemTime::now() + std::time::Duration::from_secs(3600)).duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
                json(200, serde_json::json!({"roleCredentials": {"accessKeyId": "ASIASSOEXAMPLE123456", "secretAccessKey": ROLE_SECRET,
                    "sessionToken": "CANARYssoSESSIONtoken", "expiration": expiration}}))
            }
            _ => json(404, serde_json::json!({"message": "no such route in the double"})),
        }
    })
    .await
}
