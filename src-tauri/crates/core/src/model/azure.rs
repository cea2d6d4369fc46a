//! Azure's part of the one model: the service principal, and its role assignments, each exactly
//! scoped (a container, an Event Grid topic), and the mark that says which app registration
//! Trustbridge made. The az scripts (`render::azure`), Terraform, Pulumi, the summary, the native
//! confirmation and the apply engine (`cloud::azure::apply`) all read this one model.

use serde::Serialize;

use crate::validate::ResolvedAzure;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    pub role: String,
    pub role_definition_id: String,
    pub scope: String,
    pub principal_type: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AzureModel {
    pub tenant_id: String,
    pub subscription_id: String,
    pub service_principal_name: String,
    pub role_assignments: Vec<RoleAssignment>,
}

pub fn model(z: &ResolvedAzure) -> AzureModel {
    let mut out = Vec::new();
    let def = |id: &str| format!("/subscriptions/{}/providers/Microsoft.Authorization/roleDefinitions/{id}", z.subscription_id);
    for (acct, cont) in &z.containers {
        for r in &z.profile.container_roles {
            out.push(RoleAssignment {
                role: r.name.clone(),
                role_definition_id: def(&r.id),
                scope: z.container_scope(acct, cont),
                principal_type: "ServicePrincipal".into(),
            });
        }
    }
    for t in &z.topics {
        for r in &z.profile.topic_roles {
            out.push(RoleAssignment {
                role: r.name.clone(),
                role_definition_id: def(&r.id),
                scope: z.topic_scope(t),
                principal_type: "ServicePrincipal".into(),
            });
        }
    }
    AzureModel {
        tenant_id: z.tenant_id.clone(),
        subscription_id: z.subscription_id.clone(),
        service_principal_name: z.service_principal_name.clone(),
        role_assignments: out,
    }
}

/// The namespace of role-assignment names (UUID v5, RFC 9562): Trustbridge's apply and the
/// exported scripts both name an assignment by the UUID v5 of `scope|role definition id|principal
/// object id` (lower case) in it, so a re-run is a no-op and revoke can tell its own assignments
/// from others on a shared principal (the vendor's enterprise app).
pub const ASSIGNMENT_NAMESPACE: [u8; 16] = [0x6f, 0x1c, 0x2e, 0x0a, 0x8b, 0x3d, 0x4e, 0x51, 0x9a, 0x7c, 0x2d, 0x44, 0x0b, 0x61, 0x73, 0x9e];

/// The `notes` Trustbridge writes on an app registration it creates, and requires before it
/// changes, adds a secret to, or deletes one: a same-named app someone else made is never used.
pub fn app_mark(integration: &str) -> String {
    format!("managed-by=trustbridge integration={integration}")
}
