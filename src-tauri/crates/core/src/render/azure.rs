//! Azure: the service principal's role assignments, exactly scoped; the az scripts.

use crate::model::azure::{app_mark, AzureModel};
use crate::render::sh::{lit, quote, var, Script, Word};
use crate::validate::ResolvedAzure;

/// The shell function `ra_name SCOPE ROLE_DEFINITION_ID PRINCIPAL` that prints that name (SHA-1
/// by `sha1sum`, or `shasum` on macOS).
fn assignment_name_fn(s: &mut Script) {
    s.comment("An assignment's name: the UUID v5 of 'scope|role definition|principal' (lower case) in Trustbridge's")
        .comment("namespace, as Trustbridge's own apply names it, so a re-run is a no-op and revoke removes only these.")
        .raw("sha1() { if command -v sha1sum >/dev/null 2>&1; then sha1sum; else shasum -a 1; fi; }")
        .raw("ra_name() {")
        .raw("  local h")
        .raw("  h=\"$( { printf '\\157\\034\\056\\012\\213\\075\\116\\121\\232\\174\\055\\104\\013\\141\\163\\236'; printf '%s|%s|%s' \"$1\" \"$2\" \"$3\" | tr '[:upper:]' '[:lower:]'; } | sha1 | cut -c1-32)\"")
        .raw("  printf '%s-%s-5%s-%x%s-%s\\n' \"${h:0:8}\" \"${h:8:4}\" \"${h:13:3}\" \"$(( (0x${h:16:1} & 3) | 8 ))\" \"${h:17:3}\" \"${h:20:12}\"")
        .raw("}");
}

/// What `az role assignment list` prints for each assignment of the principal (a tab between
/// fields): its id, name, scope, role definition id, `yes` when it has a condition (else `no`), and
/// `ours` when its description is `mark` (`other` when it has another, `none` when it has none):
/// a condition's or description's own text,
/// which may hold tabs and new lines, never reaches the script's reading.
pub fn list_query(mark: &str) -> String {
    let literal = mark.replace('\\', "\\\\").replace('\'', "\\'");
    format!("[].[id,name,scope,roleDefinitionId,(condition && 'yes') || 'no',(description == '{literal}' && 'ours') || (description && 'other') || 'none']")
}

/// The shell functions that read the principal's assignments once (`read_assignments`: `LISTING`),
/// tell whether a planned one is held with a condition (`conditioned SCOPE ROLE_ID`), and remove
/// the ones the plan no longer lists (`drop_unlisted`), by the app's rule
/// (`cloud::azure::apply::dropped_assignments`): only this integration's own (Trustbridge's name,
/// its mark in the description, no condition), deleted at the path their checked scope and name
/// make. The others are named (all on our own app; on the vendor's shared app, only those with
/// Trustbridge's name) and kept. A listing that cannot be read is said; nothing is removed then.
/// Needs `ra_name` and `$SP_OBJECT_ID`.
fn assignment_fns(s: &mut Script, integration: &str, z: &ResolvedAzure, m: &AzureModel) {
    let planned: Vec<String> =
        m.role_assignments.iter().map(|ra| format!("{}|{}", ra.scope, ra.role_definition_id).to_lowercase()).collect();
    // Our own app registration is this integration's alone: an assignment of Trustbridge's name
    // and no mark there was made before Trustbridge marked them (the app's rule too).
    let ours = if z.is_keyless() { "[ \"$mark\" = ours ]" } else { "{ [ \"$mark\" = ours ] || [ \"$mark\" = none ]; }" };
    s.comment("The plan's assignments, 'scope|role definition' in lower case, one a line.")
        .set("PLANNED", &planned.join("\n"))
        .set("SUB_SCOPE", &format!("/subscriptions/{}", z.subscription_id).to_lowercase())
        .raw("lower() { printf '%s' \"$1\" | tr '[:upper:]' '[:lower:]'; }")
        .raw("shown() { printf '%q' \"$1\"; }")
        .raw("LISTING=\"\"")
        .raw("LISTED=0")
        .raw("read_assignments() {")
        .raw(&format!(
            "  if LISTING=\"$(az role assignment list --assignee \"$SP_OBJECT_ID\" --all --query {} -o tsv)\"; then",
            quote(&list_query(&app_mark(integration)))
        ))
        .raw("    LISTED=1")
        .raw("  else")
        .raw("    echo \"Could not list the service principal's role assignments in the subscription: those the plan no longer lists were not looked for.\" >&2")
        .raw("    LISTING=\"\"")
        .raw("  fi")
        .raw("  LISTING=\"${LISTING//$'\\r'/}\"")
        .raw("}")
        .comment("Whether the principal holds role $2 at exactly scope $1 with a condition (never replaced: that would drop it);")
        .comment("without the subscription's listing, asked at that scope, and taken as yes when that cannot be read either.")
        .raw("conditioned() {")
        .raw("  local id name scope role condition mark")
        .raw("  if [ \"$LISTED\" = 0 ]; then")
        .raw("    [ \"$(az role assignment list --assignee \"$SP_OBJECT_ID\" --scope \"$1\" --role \"$2\" --query \"length(not_null([?condition], ''))\" -o tsv)\" != 0 ]")
        .raw("    return")
        .raw("  fi")
        .raw("  while IFS=$'\\t' read -r -u 3 id name scope role condition mark; do")
        .raw("    if [ \"$condition\" = yes ] && [ \"$(lower \"$scope|$role\")\" = \"$(lower \"$1|$2\")\" ]; then return 0; fi")
        .raw("  done 3< <(printf '%s\\n' \"$LISTING\")")
        .raw("  return 1")
        .raw("}")
        .raw("drop_unlisted() {")
        .raw("  local LC_ALL=C id name scope role condition mark path")
        .raw("  while IFS=$'\\t' read -r -u 3 id name scope role condition mark; do")
        .raw("    [ -n \"$id\" ] || continue")
        .raw("    if grep -Fxq -- \"$(lower \"$scope|$role\")\" <<<\"$PLANNED\"; then continue; fi")
        .raw("    path=\"$scope/providers/Microsoft.Authorization/roleAssignments/$name\"")
        .raw("    if [ \"$(lower \"$name\")\" = \"$(ra_name \"$scope\" \"$role\" \"$SP_OBJECT_ID\")\" ]; then")
        .raw("      case \"$scope$role\" in")
        .raw("        *[!A-Za-z0-9/._\\(\\)-]*|*..*|*//*|*/./*|*/.) echo \"Kept a role assignment of the service principal whose scope holds unexpected characters: look at it in the portal.\" >&2; continue ;;")
        .raw("      esac")
        .raw(&format!("      if {ours} && [ \"$condition\" = no ] && [ \"$(lower \"$id\")\" = \"$(lower \"$path\")\" ]; then"))
        .raw("        case \"$(lower \"$scope\")\" in")
        .raw("          \"$SUB_SCOPE\"/?*)")
        .raw("            az role assignment delete --ids \"$path\"")
        .raw("            echo \"Removed $role on $scope: the plan no longer lists it.\"")
        .raw("            continue ;;")
        .raw("        esac")
        .raw("      fi")
        .raw("      echo \"Kept $role on $scope: Trustbridge made it, but not for this integration as it is now (another integration, an earlier version, a condition someone set, or an id that is not its scope and name). Remove it in the portal if nothing needs it.\" >&2");
    if !z.is_keyless() {
        s.raw("    else")
            .raw("      echo \"Kept $(shown \"$role\") on $(shown \"$scope\"): the plan does not list it, and Trustbridge did not make it. Remove it in the portal if the vendor should not have it.\" >&2");
    }
    s.raw("    fi").raw("  done 3< <(printf '%s\\n' \"$LISTING\")").raw("}");
}

/// An OData string literal (Microsoft Graph `$filter`): single quotes doubled, inside quotes.
pub fn odata_string(v: &str) -> String {
    format!("'{}'", v.replace('\'', "''"))
}

/// The exact-name filter for app registrations (`displayName eq '…'`, not a prefix match).
pub fn app_filter(name: &str) -> String {
    format!("displayName eq {}", odata_string(name))
}

/// `APP_IDS` = the appIds of the app registrations named exactly `$SP_NAME`; `APP_COUNT` their number.
fn find_apps(s: &mut Script) {
    s.capture(
        "APP_IDS",
        &[lit("az"), lit("ad"), lit("app"), lit("list"), lit("--filter"), var("APP_FILTER"), lit("--query"), lit("[].appId"), lit("-o"), lit("tsv")],
    )
    .raw("APP_COUNT=\"$(printf '%s' \"$APP_IDS\" | grep -c . || true)\"")
    .raw("if [ \"$APP_COUNT\" -gt 1 ]; then")
    .raw("  echo \"$APP_COUNT app registrations are named $SP_NAME: this script will not guess which one is the vendor's. Delete the extra ones in Entra ID, or choose another azure.service_principal_name.\" >&2")
    .raw("  exit 1")
    .raw("fi");
}

/// Stops unless the app `$APP_ID` is named `$SP_NAME` and carries `$APP_MARK` in its notes.
fn require_ours(s: &mut Script) {
    s.capture("APP_NAME", &[lit("az"), lit("ad"), lit("app"), lit("show"), lit("--id"), var("APP_ID"), lit("--query"), lit("displayName"), lit("-o"), lit("tsv")])
        .capture("APP_NOTES", &[lit("az"), lit("ad"), lit("app"), lit("show"), lit("--id"), var("APP_ID"), lit("--query"), lit("notes"), lit("-o"), lit("tsv")])
        .raw("if [ \"$APP_NAME\" != \"$SP_NAME\" ] || [ \"$APP_NOTES\" != \"$APP_MARK\" ]; then")
        .raw("  echo \"App registration $APP_ID ('$APP_NAME') is not marked '$APP_MARK': Trustbridge did not create it for this integration, so this script will not change, add a secret to, or delete it. Choose another azure.service_principal_name.\" >&2")
        .raw("  exit 1")
        .raw("fi");
}

/// The names and marks both scripts use.
fn identity_vars(s: &mut Script, integration: &str, z: &ResolvedAzure) {
    s.set("SP_NAME", &z.service_principal_name)
        .set("APP_FILTER", &app_filter(&z.service_principal_name))
        .set("APP_MARK", &app_mark(integration));
}

fn header(s: &mut Script, z: &ResolvedAzure) {
    s.set("TENANT", &z.tenant_id)
        .set("SUBSCRIPTION", &z.subscription_id)
        .blank()
        .run(&[lit("az"), lit("account"), lit("set"), lit("--subscription"), var("SUBSCRIPTION")])
        .raw("if [ \"$(az account show --query tenantId -o tsv)\" != \"$TENANT\" ]; then")
        .raw("  echo \"The signed-in subscription is not in tenant $TENANT. Run: az login --tenant $TENANT\" >&2")
        .raw("  exit 1")
        .raw("fi");
}

pub fn setup_sh(integration: &str, z: &ResolvedAzure, m: &AzureModel) -> String {
    let mut s = Script::new(
        "Azure: create the vendor's service principal and assign it exactly the roles the plan lists.",
        &[
            "Needs: az CLI signed in (Cloud Shell in bash mode works) with rights to create app registrations",
            "and role assignments (Owner or User Access Administrator on the scopes). Safe to re-run. Reading the",
            "subscription's role assignments (Reader there) lets it remove those an earlier plan gave and this one dropped.",
        ],
    );
    header(&mut s, z);
    if let Some(app) = &z.vendor_app_id {
        s.blank()
            .comment("1. Keyless: the vendor's own multi-tenant app. No app registration and no secret are created here.")
            .set("APP_ID", app)
            .echo("A Global Administrator (or Privileged Role Administrator) of the tenant must consent once, in a browser:")
            .echo(&format!("  {}", admin_consent_url(&z.tenant_id, app)))
            .raw("if ! az ad sp show --id \"$APP_ID\" >/dev/null 2>&1; then")
            .run_indented(&[lit("az"), lit("ad"), lit("sp"), lit("create"), lit("--id"), var("APP_ID"), lit("--output"), lit("none")])
            .raw("fi");
    } else {
        identity_vars(&mut s, integration, z);
        s.blank().comment(
            "1. The app registration (exactly this name, marked in its notes) and its service principal. No secret is created here.",
        );
        find_apps(&mut s);
        s.raw("if [ \"$APP_COUNT\" = 0 ]; then")
            .raw("  APP_ID=\"$(az ad app create --display-name \"$SP_NAME\" --query appId -o tsv)\"")
            .run_indented(&[
                lit("az"),
                lit("ad"),
                lit("app"),
                lit("update"),
                lit("--id"),
                var("APP_ID"),
                lit("--set"),
                Word::LitVar("notes=".into(), "APP_MARK".into()),
            ])
            .raw("else")
            .raw("  APP_ID=\"$APP_IDS\"")
            .raw("fi");
        require_ours(&mut s);
        s.raw("if ! az ad sp show --id \"$APP_ID\" >/dev/null 2>&1; then")
            .run_indented(&[lit("az"), lit("ad"), lit("sp"), lit("create"), lit("--id"), var("APP_ID"), lit("--output"), lit("none")])
            .raw("fi")
            .comment("revoke.sh reads the app id from here (it is not a secret).")
            .raw("printf '%s\\n' \"$APP_ID\" > app-id.txt");
    }
    s.capture(
        "SP_OBJECT_ID",
        &[lit("az"), lit("ad"), lit("sp"), lit("show"), lit("--id"), var("APP_ID"), lit("--query"), lit("id"), lit("-o"), lit("tsv")],
    )
    .blank()
    .comment("2. Role assignments, each on its exact scope (role-assignments.json lists the same).");
    assignment_name_fn(&mut s);
    assignment_fns(&mut s, integration, z, m);
    s.set("ASSIGNMENT_MARK", &app_mark(integration))
        .raw("read_assignments")
        .comment("A new principal can take a minute to replicate (PrincipalNotFound): retry a few times.")
        .raw("assign() {")
        .raw("  if conditioned \"$2\" \"$3\"; then")
        .raw("    echo \"An assignment of $1 on $2 with a condition exists for the service principal (or its assignments there could not be read): this script does not change it (that would drop the condition). Remove its condition (or the assignment) in the portal, then run this again.\" >&2")
        .raw("    return 1")
        .raw("  fi")
        .raw("  for attempt in 1 2 3 4 5 6; do")
        .raw("    if az role assignment create --name \"$(ra_name \"$2\" \"$3\" \"$SP_OBJECT_ID\")\" --description \"$ASSIGNMENT_MARK\" --assignee-object-id \"$SP_OBJECT_ID\" --assignee-principal-type ServicePrincipal --role \"$3\" --scope \"$2\" --output none; then return 0; fi")
        .raw("    echo \"Waiting for the service principal to replicate (attempt $attempt of 6)...\" >&2")
        .raw("    sleep 10")
        .raw("  done")
        .raw("  return 1")
        .raw("}");
    for ra in &m.role_assignments {
        s.run(&[lit("assign"), lit(&ra.role), lit(&ra.scope), lit(&ra.role_definition_id)]);
    }
    s.blank()
        .comment("3. Assignments this integration made that the plan no longer lists (a container or topic dropped from it) go.")
        .raw("drop_unlisted");
    if z.is_keyless() {
        s.raw("echo \"Done. Roles assigned to the vendor's enterprise app $APP_ID; no secret exists.\"");
        return s.finish();
    }
    s.blank()
        .comment("4. Credentials for the vendor. Run with CREATE_SECRET=1 to add a one-year client secret; it is printed")
        .comment("once in the create-for-rbac format. Paste it into the Trustbridge wizard (Credentials step) and nowhere else.")
        .raw("if [ \"${CREATE_SECRET:-0}\" = 1 ]; then")
        .run_indented(&[
            lit("az"),
            lit("ad"),
            lit("app"),
            lit("credential"),
            lit("reset"),
            lit("--id"),
            var("APP_ID"),
            lit("--append"),
            lit("--display-name"),
            lit("trustbridge"),
            lit("--years"),
            lit("1"),
            lit("--query"),
            lit("{appId:appId,displayName:displayName,password:password,tenant:tenant}"),
            lit("-o"),
            lit("json"),
        ])
        .raw("fi")
        .raw("echo \"Done. Service principal $SP_NAME, appId $APP_ID.\"");
    s.finish()
}

/// The URL an administrator opens once to consent to the vendor's multi-tenant app.
pub fn admin_consent_url(tenant: &str, app: &str) -> String {
    format!("https://login.microsoftonline.com/{tenant}/adminconsent?client_id={app}")
}

pub fn revoke_sh(integration: &str, z: &ResolvedAzure, m: &AzureModel) -> String {
    let mut s = Script::new(
        "Azure: revoke the vendor's access.",
        &[
            "Deletes the role assignments, then the app registration (and with it the service principal and its secrets),",
            "only if it is the one Trustbridge created for this integration (exact name, marked in its notes).",
            "The app id comes from APP_ID, else app-id.txt (written by setup.sh), else an exact-name lookup.",
        ],
    );
    header(&mut s, z);
    if let Some(app) = &z.vendor_app_id {
        s.set("APP_ID", app);
    } else {
        identity_vars(&mut s, integration, z);
        s.raw("APP_ID=\"${APP_ID:-}\"")
            .raw("if [ -z \"$APP_ID\" ] && [ -f app-id.txt ]; then APP_ID=\"$(head -n 1 app-id.txt)\"; fi")
            .raw("if [ -z \"$APP_ID\" ]; then");
        find_apps(&mut s);
        s.raw("  if [ \"$APP_COUNT\" = 0 ]; then echo \"No app registration named $SP_NAME: nothing to revoke.\"; exit 0; fi")
            .raw("  APP_ID=\"$APP_IDS\"")
            .raw("fi");
        require_ours(&mut s);
    }
    if z.is_keyless() {
        // The vendor's app is shared (other integrations, the tenant's own grants): only the
        // assignments setup.sh or Trustbridge's apply made, by their names, are removed, and the
        // enterprise app the tenant's administrator consented to stays.
        s.raw("SP_ERR=\"$(mktemp)\"")
            .raw("if ! SP_OBJECT_ID=\"$(az ad sp show --id \"$APP_ID\" --query id -o tsv 2>\"$SP_ERR\")\"; then")
            .raw("  case \"$(cat \"$SP_ERR\")\" in")
            .raw("    *'does not exist'*) rm -f \"$SP_ERR\"; echo \"The vendor's app $APP_ID has no enterprise app here: nothing to revoke.\"; exit 0 ;;")
            .raw("    *) cat \"$SP_ERR\" >&2; rm -f \"$SP_ERR\"; exit 1 ;;")
            .raw("  esac")
            .raw("fi")
            .raw("rm -f \"$SP_ERR\"")
            .comment("Another integration that gave the vendor's app the same role on the same scope shares this one assignment")
            .comment("(Azure holds one per role, principal and scope): revoke it only when no integration needs it any more.");
        assignment_name_fn(&mut s);
        for ra in &m.role_assignments {
            s.comment(&format!("{} on its scope, only the one Trustbridge made", ra.role)).raw(&format!(
                "az role assignment delete --ids {}\"$(ra_name {} {} \"$SP_OBJECT_ID\")\"",
                quote(&format!("{}/providers/Microsoft.Authorization/roleAssignments/", ra.scope)),
                quote(&ra.scope),
                quote(&ra.role_definition_id)
            ));
        }
        s.comment("What an earlier plan of this integration gave and this one no longer lists goes too.");
        assignment_fns(&mut s, integration, z, m);
        s.raw("read_assignments").raw("drop_unlisted");
        s.echo("Access revoked. The vendor's enterprise app stays (your administrator consented to it): remove it in Entra ID if the vendor should not sign in here at all.");
        return s.finish();
    }
    for ra in &m.role_assignments {
        s.run(&[
            lit("az"),
            lit("role"),
            lit("assignment"),
            lit("delete"),
            lit("--assignee"),
            var("APP_ID"),
            lit("--role"),
            lit(&ra.role),
            lit("--scope"),
            lit(&ra.scope),
        ]);
    }
    // What an earlier plan gave and this one no longer lists goes before the app: an assignment
    // outlives its deleted principal ("Identity not found").
    s.comment("What an earlier plan gave and this one no longer lists goes too (the service principal's, while it exists).");
    assignment_name_fn(&mut s);
    assignment_fns(&mut s, integration, z, m);
    s.raw("if SP_OBJECT_ID=\"$(az ad sp show --id \"$APP_ID\" --query id -o tsv)\"; then")
        .raw("  read_assignments")
        .raw("  drop_unlisted")
        .raw("else")
        .raw("  echo \"The app's service principal could not be read: role assignments the plan no longer lists were not looked for.\" >&2")
        .raw("fi");
    s.run(&[lit("az"), lit("ad"), lit("app"), lit("delete"), lit("--id"), var("APP_ID")]);
    s.echo("Access revoked.");
    s.finish()
}
