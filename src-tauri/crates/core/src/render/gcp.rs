//! Google Cloud: service account, optional custom role, IAM bindings; the gcloud scripts.

use crate::model::gcp::{
    role_mark, service_account_mark, wif_aws_role, Binding, CustomRoleFile, GcpModel, GcpTarget, WIF_AWS_ROLE_MAPPING, WIF_PROVIDER_ID,
};
use crate::render::sh::{lit, render_words, var, Script, Word};
use crate::validate::ResolvedGcp;

fn member() -> Word {
    Word::LitVar("--member=serviceAccount:".into(), "SA_EMAIL".into())
}

/// The gcloud command that adds (`add`) or removes (`remove`) one binding of the service account;
/// `None` for the binding on the service account itself (workload identity: [`wif_setup`] writes it).
fn binding_cmd(b: &Binding, verb: &str) -> Option<Vec<Word>> {
    let role = lit(format!("--role={}", b.role));
    let verb = format!("{verb}-iam-policy-binding");
    Some(match &b.target {
        GcpTarget::Bucket { bucket } => {
            // `--condition=None`: the binding without a condition (on a bucket whose policy holds
            // conditions gcloud otherwise refuses, or asks in a terminal which one is meant).
            vec![
                lit("gcloud"),
                lit("storage"),
                lit("buckets"),
                lit(verb),
                lit(format!("gs://{bucket}")),
                member(),
                role,
                lit("--condition=None"),
            ]
        }
        GcpTarget::Topic { topic, .. } => vec![
            lit("gcloud"),
            lit("pubsub"),
            lit("topics"),
            lit(verb),
            lit(topic.as_str()),
            Word::LitVar("--project=".into(), "PROJECT".into()),
            member(),
            role,
        ],
        GcpTarget::Project { .. } => {
            vec![lit("gcloud"), lit("projects"), lit(verb), var("PROJECT"), member(), role, lit("--condition=None")]
        }
        GcpTarget::ServiceAccount => return None,
    })
}

/// `SA_STATE` = absent, ours or foreign (by the account's description); any error other than
/// NOT_FOUND stops the script (it is never read as "absent").
fn service_account_state(s: &mut Script) {
    s.raw("SA_ERR=\"$(mktemp)\"")
        .raw("if SA_DESC=\"$(gcloud iam service-accounts describe \"$SA_EMAIL\" --project=\"$PROJECT\" --format='value(description)' 2>\"$SA_ERR\")\"; then")
        .raw("  if [ \"$SA_DESC\" = \"$SA_MARK\" ]; then SA_STATE=ours; else SA_STATE=foreign; fi")
        .raw("else")
        .raw("  case \"$(cat \"$SA_ERR\")\" in *NOT_FOUND*) SA_STATE=absent ;; *) cat \"$SA_ERR\" >&2; rm -f \"$SA_ERR\"; exit 1 ;; esac")
        .raw("fi")
        .raw("rm -f \"$SA_ERR\"")
        .raw("if [ \"$SA_STATE\" = foreign ]; then")
        .raw("  echo \"Service account $SA_EMAIL already exists and its description is not '$SA_MARK': Trustbridge did not create it for this integration, so this script will not bind, key or delete it. Choose another gcp.service_account in the plan.\" >&2")
        .raw("  exit 1")
        .raw("fi");
}

/// `ROLE_STATE` = absent, ours, deleted (ours, soft-deleted) or foreign; applying (`refuse`), a
/// role of the id without our mark stops the script before any change.
fn custom_role_state(s: &mut Script, integration: &str, role: &CustomRoleFile, refuse: bool) {
    let foreign = if refuse {
        "    *) echo \"Custom role $ROLE_ID already exists and its description does not end with '$ROLE_MARK': Trustbridge did not create it for this integration, so this script will not change, undelete, bind or delete it. Ask the vendor for a profile with another role id, or delete the old role after checking who uses it.\" >&2; exit 1 ;;"
    } else {
        "    *) ROLE_STATE=foreign ;;"
    };
    s.set("ROLE_ID", &role.id)
        .set("ROLE_MARK", &role_mark(integration))
        .raw("ROLE_STATE=absent")
        .raw("ROLE_ERR=\"$(mktemp)\"")
        .raw("if ROLE_DESC=\"$(gcloud iam roles describe \"$ROLE_ID\" --project=\"$PROJECT\" --format='value(description)' 2>\"$ROLE_ERR\")\"; then")
        .raw("  case \"$ROLE_DESC\" in")
        .raw("    *\"$ROLE_MARK\") ROLE_STATE=ours ;;")
        .raw(foreign)
        .raw("  esac")
        .raw("  if [ \"$ROLE_STATE\" = ours ] && [ \"$(gcloud iam roles describe \"$ROLE_ID\" --project=\"$PROJECT\" --format='value(deleted)')\" = True ]; then ROLE_STATE=deleted; fi")
        .raw("else")
        .raw("  case \"$(cat \"$ROLE_ERR\")\" in *NOT_FOUND*) ;; *) cat \"$ROLE_ERR\" >&2; rm -f \"$ROLE_ERR\"; exit 1 ;; esac")
        .raw("fi")
        .raw("rm -f \"$ROLE_ERR\"");
}

/// `POOL_STATE` = absent, ours, deleted (ours, soft-deleted) or foreign; applying (`refuse`), a
/// pool of the id without our mark stops the script before any change.
fn pool_state(s: &mut Script, pool: &str, refuse: bool) {
    let foreign = if refuse {
        "  then echo \"Workload identity pool $POOL_ID already exists and its description is not '$SA_MARK': Trustbridge did not create it for this integration, so this script will not add a provider to it, trust it or delete it.\" >&2; exit 1"
    } else {
        "  then POOL_STATE=foreign"
    };
    s.set("POOL_ID", pool)
        .raw("POOL_STATE=absent")
        .raw("POOL_ERR=\"$(mktemp)\"")
        .raw("if POOL_DESC=\"$(gcloud iam workload-identity-pools describe \"$POOL_ID\" --project=\"$PROJECT\" --location=global --format='value(description)' 2>\"$POOL_ERR\")\"; then")
        .raw("  POOL_STATE=ours")
        .raw("  if [ \"$POOL_DESC\" != \"$SA_MARK\" ]")
        .raw(foreign)
        .raw("  elif [ \"$(gcloud iam workload-identity-pools describe \"$POOL_ID\" --project=\"$PROJECT\" --location=global --format='value(state)')\" = DELETED ]; then POOL_STATE=deleted")
        .raw("  fi")
        .raw("else")
        .raw("  case \"$(cat \"$POOL_ERR\")\" in *NOT_FOUND*) ;; *) cat \"$POOL_ERR\" >&2; rm -f \"$POOL_ERR\"; exit 1 ;; esac")
        .raw("fi")
        .raw("rm -f \"$POOL_ERR\"");
}

/// The shell functions that remove the service account's grants outside the plan, as the app's
/// apply and revoke do (`trustbridge_cloud::gcp::apply`): on each bucket and topic of the project
/// the plan does not name, a binding of `serviceAccount:$SA_EMAIL` in a role the profile grants
/// there, without a condition, is an earlier plan's grant and goes; another role, or a binding with
/// a condition, is named and kept. A list or a policy that cannot be read is said, never fatal.
fn outside_plan_fns(s: &mut Script, g: &ResolvedGcp) {
    s.comment("The plan's buckets and topics, and the roles the vendor's profile grants on each, one a line.")
        .set("PLAN_BUCKETS", &g.buckets.join("\n"))
        .set("PLAN_TOPICS", &g.topics.join("\n"))
        .set("BUCKET_ROLES", &g.profile.bucket_roles.join("\n"))
        .set("TOPIC_ROLES", &g.profile.topic_roles.join("\n"));
    for line in OUTSIDE_PLAN_FNS.lines() {
        s.raw(line);
    }
}

/// The shell of [`outside_plan_fns`]: constant text (every value comes from a variable set above it).
const OUTSIDE_PLAN_FNS: &str = r#"shown() { printf '%q' "$1"; }
# Runs one gcloud command: 0 and its output when it worked; 3 when what it names (a binding, a
# bucket, a topic) is gone; else 1, its error said.
gone_or() {
  local err out rc=0
  err="$(mktemp)"
  out="$("$@" 2>"$err")" || rc=$?
  if [ "$rc" = 0 ]; then rm -f "$err"; printf '%s\n' "$out"; return 0; fi
  if grep -Eq 'binding with the specified principal.*not found!|not found: 404|NOT_FOUND' "$err"; then rm -f "$err"; return 3; fi
  cat "$err" >&2; rm -f "$err"; return 1
}
# Runs one remove-iam-policy-binding command: 0 when it removed the binding; 1, said, when the
# binding, or its bucket or topic, is already gone; any other error stops the script, unless
# SOFT=1 (the clean-up of grants the plan no longer names): then 2, the error said above.
unbind() {
  local rc=0
  gone_or "$@" >/dev/null || rc=$?
  case "$rc" in 0) return 0 ;; 3) echo "Already gone: $*"; return 1 ;; *) if [ "${SOFT:-}" = 1 ]; then return 2; fi; exit 1 ;; esac
}
# $1 = bucket or topic, $2 = its name, $3 = a role: the service account's binding without a
# condition goes (0 when removed). gcloud pubsub reads and writes a topic's policy at version 1,
# where a binding with a condition shows as ROLE_withcond_HASH and cannot be written back: on a
# topic whose policy holds one, the binding is kept and said.
remove_grant() {
  local rows
  if [ "$1" = bucket ]; then
    unbind gcloud storage buckets remove-iam-policy-binding "gs://$2" --member="serviceAccount:$SA_EMAIL" --role="$3" --condition=None
    return
  fi
  if ! rows="$(gcloud pubsub topics get-iam-policy "$2" --project="$PROJECT" --flatten='bindings[].members' --format='value(bindings.role)')"; then
    echo "Kept $3 on topic $2, if it is still there: its policy could not be read." >&2
    return 1
  fi
  case "$rows" in
    *_withcond_*)
      echo "Kept $3 on topic $2: its policy holds a binding with a condition, which gcloud pubsub cannot write back. Remove it in the console." >&2
      return 1 ;;
  esac
  unbind gcloud pubsub topics remove-iam-policy-binding "$2" --project="$PROJECT" --member="serviceAccount:$SA_EMAIL" --role="$3"
}
# $1 = bucket or topic, $2 = its name: the service account's grants there that the plan does not
# make go. With $3 (the plan names it): its grants beyond the plan's there are said, never removed
# ("kept" at setup, "left" at revoke).
drop_on() {
  local LC_ALL=C rows roles where role member condition nl removed
  local rows_format='value(bindings.role,bindings.members,bindings.condition.yesno(yes=conditioned,no=plain))'
  if [ "$1" = bucket ]; then
    where="gs://$2"; roles="$BUCKET_ROLES"
    rows="$(gcloud storage buckets get-iam-policy "$where" --flatten='bindings[].members' --format="$rows_format")" || rows=unread
  else
    where="topic $2"; roles="$TOPIC_ROLES"
    rows="$(gcloud pubsub topics get-iam-policy "$2" --project="$PROJECT" --flatten='bindings[].members' --format="$rows_format")" || rows=unread
  fi
  if [ "$rows" = unread ]; then echo "$where was not looked at for the vendor's grants: its policy could not be read." >&2; return 0; fi
  while IFS=$'\t' read -r -u 3 role member condition; do
    [ "$member" = "serviceAccount:$SA_EMAIL" ] || continue
    case "$role" in *_withcond_*) role="${role%%_withcond_*}"; condition=conditioned ;; esac
    if [ -n "${3:-}" ]; then
      nl=$'\n'
      if [ "$condition" = plain ] && grep -Fxq -- "$role" <<<"$roles"; then continue; fi
      beyond "$3" "$(shown "$role")$([ "$condition" = plain ] || echo ' with a condition') on $where" \
        "the plan grants ${roles//$nl/, } there$([ "$condition" = plain ] && echo ' and nothing else' || echo ', without a condition')"
      continue
    fi
    if [ "$condition" = plain ] && grep -Fxq -- "$role" <<<"$roles"; then
      # A refusal here (a bucket of another project the person may read but not change) is said
      # and the script goes on: revoke.sh must still delete the account.
      removed=0
      SOFT=1 remove_grant "$1" "$2" "$role" || removed=$?
      case "$removed" in
        0) echo "Removed $role on $where: the plan no longer names it." ;;
        2) echo "Kept $(shown "$role") on $where: its removal was refused (the error is above). Remove it in the console if the vendor should not have it." >&2 ;;
      esac
    elif [ "$condition" = plain ]; then
      echo "Kept $(shown "$role") on $where: the plan does not name it, and Trustbridge does not grant that role there. Remove it in the console if the vendor should not have it." >&2
    else
      echo "Kept $(shown "$role") on $where: the plan does not name it, and Trustbridge does not grant it with a condition. Remove it in the console if the vendor should not have it." >&2
    fi
  done 3< <(printf '%s\n' "$rows")
}
# $1 = kept or left, $2 = the binding, $3 = what the plan grants there.
beyond() {
  if [ "$1" = kept ]; then
    echo "Kept $2: $3. Remove it in the console if the vendor should not have it." >&2
  else
    echo "Not removed: $2 ($3; revoke removes only the plan's own grants). It grants nothing once the service account is deleted, but comes back with the account if it is undeleted (Google allows 30 days): remove it in the console." >&2
  fi
}
# The service account's grants beyond the plan's on the plan's own buckets and topics: said (where
# the profile grants nothing, the plan binds nothing there and nothing is said, as in the engine).
beyond_named() {
  local LC_ALL=C name
  if [ -n "$BUCKET_ROLES" ]; then
    while IFS= read -r -u 3 name; do if [ -n "$name" ]; then drop_on bucket "$name" "$1"; fi; done 3< <(printf '%s\n' "$PLAN_BUCKETS")
  fi
  if [ -n "$TOPIC_ROLES" ]; then
    while IFS= read -r -u 3 name; do if [ -n "$name" ]; then drop_on topic "$name" "$1"; fi; done 3< <(printf '%s\n' "$PLAN_TOPICS")
  fi
}
# Buckets of other projects (a plan may name any bucket; Cloud Storage lists buckets by project):
# Cloud Asset Inventory's search of the project's organization, else of the widest folder below it
# that the sign-in may search, for bucket policies naming the service account. $1: the buckets
# already looked at. Each found is read (drop_on) before anything is removed: the index lags.
other_buckets() {
  local LC_ALL=C ancestors scopes scope found name refused=""
  if ! ancestors="$(gcloud projects get-ancestors "$PROJECT" --format='value(type,id)' --quiet)"; then
    echo "Could not read the project's folders and organization: buckets of other projects were not looked at for the vendor's grants." >&2
    return 0
  fi
  scopes="$(printf '%s\n' "$ancestors" | awk -F'\t' '($1 == "organization" || $1 == "folder") && $2 ~ /^[0-9]+$/ { s[++n] = $1 "s/" $2 } END { for (i = n; i > 0; i--) print s[i] }')"
  while IFS= read -r -u 4 scope; do
    [ -n "$scope" ] || continue
    if found="$(gcloud asset search-all-iam-policies --scope="$scope" --query="policy:\"$SA_EMAIL\"" --asset-types=storage.googleapis.com/Bucket --format='value(resource)' --quiet)"; then
      if [ -n "$refused" ]; then echo "Buckets of other projects were looked at in $scope only, for the vendor's grants: $refused could not be searched." >&2; fi
      while IFS= read -r -u 3 name; do
        case "$name" in //storage.googleapis.com/?*) name="${name#//storage.googleapis.com/}" ;; *) continue ;; esac
        if grep -Fxq -- "$name" <<<"$PLAN_BUCKETS" || grep -Fxq -- "$name" <<<"$1"; then continue; fi
        case "$name" in [!a-z0-9]*|*[!a-z0-9._-]*) echo "Bucket $(shown "$name") was not looked at: that is not a bucket name." >&2; continue ;; esac
        drop_on bucket "$name"
      done 3< <(printf '%s\n' "$found")
      return 0
    fi
    refused="${refused:-$scope}"
  done 4< <(printf '%s\n' "$scopes")
  if [ -n "$refused" ]; then
    echo "Buckets of other projects were not looked at for the vendor's grants: $refused could not be searched (with the Cloud Asset API enabled in the project gcloud bills, its billing/quota_project, and cloudasset.assets.searchAllIamPolicies on $refused, roles/cloudasset.viewer, they are)." >&2
  fi
}
drop_unnamed() {
  local LC_ALL=C names name listed=""
  if names="$(gcloud storage buckets list --project="$PROJECT" --format='value(name)')"; then
    listed="$names"
    while IFS= read -r -u 3 name; do
      [ -n "$name" ] || continue
      if grep -Fxq -- "$name" <<<"$PLAN_BUCKETS"; then continue; fi
      case "$name" in [!a-z0-9]*|*[!a-z0-9._-]*) echo "Bucket $(shown "$name") was not looked at: that is not a bucket name." >&2; continue ;; esac
      drop_on bucket "$name"
    done 3< <(printf '%s\n' "$names")
  else
    echo "Could not list the project's buckets: those the plan no longer names were not looked at for the vendor's grants." >&2
  fi
  if [ -n "$BUCKET_ROLES" ]; then other_buckets "$listed"; fi
  if names="$(gcloud pubsub topics list --project="$PROJECT" --format='value(name)')"; then
    while IFS= read -r -u 3 name; do
      case "$name" in "projects/$PROJECT/topics/"?*) name="${name#"projects/$PROJECT/topics/"}" ;; *) continue ;; esac
      if grep -Fxq -- "$name" <<<"$PLAN_TOPICS"; then continue; fi
      case "$name" in [!A-Za-z]*|*[!A-Za-z0-9._~+%-]*) echo "Topic $(shown "$name") was not looked at: that is not a topic id." >&2; continue ;; esac
      drop_on topic "$name"
    done 3< <(printf '%s\n' "$names")
  else
    echo "Could not list the project's topics: those the plan no longer names were not looked at for the vendor's grants." >&2
  fi
}"#;

pub fn setup_sh(integration: &str, g: &ResolvedGcp, m: &GcpModel) -> String {
    let mut s = Script::new(
        "Google Cloud: create the vendor's service account and grant it exactly what the plan lists.",
        &[
            "Needs: gcloud signed in as someone who can manage IAM in the project (Cloud Shell works).",
            "Safe to re-run. It refuses a same-named service account that Trustbridge did not create for this integration.",
            "Re-run with a changed plan, it removes the account's grants on the project's buckets and topics the plan no longer names",
            "(and on buckets of other projects, found through Cloud Asset Inventory: roles/cloudasset.viewer on the organization).",
        ],
    );
    s.set("PROJECT", &g.project_id)
        .set("SA_ID", &g.service_account)
        .set("SA_MARK", &service_account_mark(integration))
        .raw("SA_EMAIL=\"${SA_ID}@${PROJECT}.iam.gserviceaccount.com\"")
        .blank()
        .comment("Before any change: the service account, custom role and pool of these ids are absent or ours (marked).");
    service_account_state(&mut s);
    if let Some(r) = &m.custom_role {
        custom_role_state(&mut s, integration, r, true);
    }
    if let Some((_, _, pool)) = &g.workload_identity {
        pool_state(&mut s, pool, true);
    }
    s.blank().comment("1. The service account: created and marked (its description), or ours already; never someone else's.");
    s.raw("if [ \"$SA_STATE\" = absent ]; then")
        .run_indented(&[
            lit("gcloud"),
            lit("iam"),
            lit("service-accounts"),
            lit("create"),
            var("SA_ID"),
            Word::LitVar("--project=".into(), "PROJECT".into()),
            lit(format!("--display-name={}", g.profile.service_account_display_name)),
            Word::LitVar("--description=".into(), "SA_MARK".into()),
        ])
        .raw("fi");
    if m.custom_role.is_some() {
        s.blank()
            .comment("2. The custom role (custom-role.json, whose description ends with the mark), created or updated.")
            .raw("if [ \"$ROLE_STATE\" = deleted ]; then")
            .run_indented(&[
                lit("gcloud"),
                lit("iam"),
                lit("roles"),
                lit("undelete"),
                var("ROLE_ID"),
                Word::LitVar("--project=".into(), "PROJECT".into()),
            ])
            .raw("fi")
            .raw("if [ \"$ROLE_STATE\" != absent ]; then")
            .run_indented(&[
                lit("gcloud"),
                lit("iam"),
                lit("roles"),
                lit("update"),
                var("ROLE_ID"),
                Word::LitVar("--project=".into(), "PROJECT".into()),
                lit("--file=custom-role.json"),
                lit("--quiet"),
            ])
            .raw("else")
            .run_indented(&[
                lit("gcloud"),
                lit("iam"),
                lit("roles"),
                lit("create"),
                var("ROLE_ID"),
                Word::LitVar("--project=".into(), "PROJECT".into()),
                lit("--file=custom-role.json"),
            ])
            .raw("fi");
    }
    s.blank().comment("3. Bindings (bindings.json lists the same grants).");
    for cmd in m.bindings.iter().filter_map(|b| binding_cmd(b, "add")) {
        s.run(&cmd);
    }
    outside_plan_fns(&mut s, g);
    if let Some((acct, role, pool)) = &g.workload_identity {
        wif_setup(&mut s, acct, role, pool);
        drop_unnamed_last(&mut s);
        s.echo(&format!("Done. Service account: {} (keyless: no key exists)", g.service_account_email()));
        return s.finish();
    }
    s.blank()
        .comment("4. Credentials for the vendor.")
        .comment("Keyless is better: many organisations enforce iam.disableServiceAccountKeyCreation (the default for")
        .comment("organisations created since May 2024), and then key creation fails. Ask the vendor whether it supports")
        .comment("Workload Identity Federation. If you must use a key, run with CREATE_KEY=1: the key is written to a")
        .comment("private temporary folder; import it into the Trustbridge wizard (Credentials step), then delete it.")
        .raw("if [ \"${CREATE_KEY:-0}\" = 1 ]; then")
        .raw("  umask 077")
        .raw("  KEY_DIR=\"$(mktemp -d)\"")
        .run_indented(&[
            lit("gcloud"),
            lit("iam"),
            lit("service-accounts"),
            lit("keys"),
            lit("create"),
            Word::VarLit("KEY_DIR".into(), "/key.json".into()),
            Word::LitVar("--iam-account=".into(), "SA_EMAIL".into()),
        ])
        .raw("  echo \"Key written to $KEY_DIR/key.json. Import it in Trustbridge, then delete it: rm -r $KEY_DIR\"")
        .raw("else")
        .raw("  echo \"No key created (set CREATE_KEY=1 to create one).\"")
        .raw("fi");
    drop_unnamed_last(&mut s);
    s.echo(&format!("Done. Service account: {}", g.service_account_email()));
    s.finish()
}

/// setup.sh's last step, after everything the plan makes (as the app's apply orders it).
fn drop_unnamed_last(s: &mut Script) {
    s.blank()
        .comment("Last: an account that was ours already may hold an earlier plan's grants on buckets and topics this plan no longer names; they go.")
        .comment("What it holds beyond the plan's grants on the plan's own (another role, a condition) is said, not removed: a policy does not say who added it.")
        .raw("if [ \"$SA_STATE\" = ours ]; then beyond_named kept; drop_unnamed; fi");
}

/// The `get-iam-policy` command of each bucket and topic the plan grants on (for "who else is
/// bound to the custom role").
fn policy_reads(m: &GcpModel) -> Vec<Vec<Word>> {
    let mut out: Vec<Vec<Word>> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for b in &m.bindings {
        if !seen.insert(b.resource.clone()) {
            continue;
        }
        if let GcpTarget::Bucket { bucket } = &b.target {
            out.push(vec![lit("gcloud"), lit("storage"), lit("buckets"), lit("get-iam-policy"), lit(format!("gs://{bucket}"))]);
        } else if let GcpTarget::Topic { topic, .. } = &b.target {
            out.push(vec![
                lit("gcloud"),
                lit("pubsub"),
                lit("topics"),
                lit("get-iam-policy"),
                lit(topic),
                Word::LitVar("--project=".into(), "PROJECT".into()),
            ]);
        }
    }
    out
}

/// `gcloud iam workload-identity-pools providers create-aws|update-aws` with the vendor's account,
/// Google's documented mapping for AWS, and a condition admitting only the vendor's role.
fn provider_cmd(verb: &str, acct: &str, role: &str) -> Vec<Word> {
    vec![
        lit("gcloud"),
        lit("iam"),
        lit("workload-identity-pools"),
        lit("providers"),
        lit(verb),
        var("PROVIDER_ID"),
        Word::LitVar("--workload-identity-pool=".into(), "POOL_ID".into()),
        Word::LitVar("--project=".into(), "PROJECT".into()),
        lit("--location=global"),
        lit(format!("--account-id={acct}")),
        lit(format!("--attribute-mapping={WIF_AWS_ROLE_MAPPING}")),
        lit(format!("--attribute-condition=attribute.aws_role=='{}'", wif_aws_role(acct, role))),
    ]
}

fn wif_setup(s: &mut Script, acct: &str, role: &str, pool: &str) {
    let project = || Word::LitVar("--project=".into(), "PROJECT".into());
    s.blank()
        .comment("4. Keyless access: Workload Identity Federation for the vendor's AWS role. No key is created.")
        .set("POOL_ID", pool)
        .set("PROVIDER_ID", WIF_PROVIDER_ID)
        .set("VENDOR_AWS_ROLE", &wif_aws_role(acct, role))
        .capture("PROJECT_NUMBER", &[lit("gcloud"), lit("projects"), lit("describe"), var("PROJECT"), lit("--format=value(projectNumber)")])
        .raw("if [ \"$POOL_STATE\" = absent ]; then")
        .run_indented(&[
            lit("gcloud"),
            lit("iam"),
            lit("workload-identity-pools"),
            lit("create"),
            var("POOL_ID"),
            project(),
            lit("--location=global"),
            lit("--display-name=Trustbridge vendor"),
            Word::LitVar("--description=".into(), "SA_MARK".into()),
        ])
        .raw("elif [ \"$POOL_STATE\" = deleted ]; then")
        .run_indented(&[lit("gcloud"), lit("iam"), lit("workload-identity-pools"), lit("undelete"), var("POOL_ID"), project(), lit("--location=global")])
        .raw("fi")
        .comment("The provider: created, or (ours, in our pool) brought back to the vendor's account, mapping and condition.")
        .raw("if PROVIDER_STATE=\"$(gcloud iam workload-identity-pools providers describe \"$PROVIDER_ID\" --workload-identity-pool=\"$POOL_ID\" --project=\"$PROJECT\" --location=global --format='value(state)' 2>/dev/null)\"; then")
        .raw("  if [ \"$PROVIDER_STATE\" = DELETED ]; then")
        .raw(&format!(
            "    {}",
            render_words(&[
                lit("gcloud"),
                lit("iam"),
                lit("workload-identity-pools"),
                lit("providers"),
                lit("undelete"),
                var("PROVIDER_ID"),
                Word::LitVar("--workload-identity-pool=".into(), "POOL_ID".into()),
                project(),
                lit("--location=global"),
            ])
        ))
        .raw("  fi")
        .raw("  PROVIDER_DISABLED=\"$(gcloud iam workload-identity-pools providers describe \"$PROVIDER_ID\" --workload-identity-pool=\"$POOL_ID\" --project=\"$PROJECT\" --location=global --format='value(disabled)')\"")
        .run_indented(&provider_cmd("update-aws", acct, role))
        .comment("  A provider someone disabled is enabled again: update-aws cannot, the IAM API's providers.patch")
        .comment("  (updateMask=disabled) can. The access token goes to curl on its standard input, never in its arguments.")
        .raw("  if [ \"$PROVIDER_DISABLED\" = True ]; then")
        .raw("    printf 'Authorization: Bearer %s\\n' \"$(gcloud auth print-access-token)\" | curl --fail --silent --show-error -X PATCH -H @- -H 'Content-Type: application/json' --data '{\"disabled\":false}' \"https://iam.googleapis.com/v1/projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/${POOL_ID}/providers/${PROVIDER_ID}?updateMask=disabled\" >/dev/null")
        .raw("  fi")
        .raw("else")
        .run_indented(&provider_cmd("create-aws", acct, role))
        .raw("fi")
        .comment("Only sessions of the vendor's role may impersonate the service account.")
        .raw("gcloud iam service-accounts add-iam-policy-binding \"$SA_EMAIL\" --project=\"$PROJECT\" --role=roles/iam.workloadIdentityUser --member=\"principalSet://iam.googleapis.com/projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/${POOL_ID}/attribute.aws_role/${VENDOR_AWS_ROLE}\"")
        .comment("The credential configuration for the vendor: not a secret (it names the pool and the service account).")
        .raw("gcloud iam workload-identity-pools create-cred-config \"projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/${POOL_ID}/providers/${PROVIDER_ID}\" --service-account=\"$SA_EMAIL\" --aws --output-file=credential-config.json")
        .echo("Wrote credential-config.json: send it to the vendor with ../handoff.json.");
}

pub fn revoke_sh(integration: &str, g: &ResolvedGcp, m: &GcpModel) -> String {
    let mut s = Script::new(
        "Google Cloud: revoke the vendor's access.",
        &[
            "Removes every binding and the service account (its keys go with it), only if the service",
            "account is the one Trustbridge created for this integration (and its bindings, in the roles the",
            "vendor's profile grants, on the project's buckets and topics the plan no longer names, and on",
            "buckets of other projects found through Cloud Asset Inventory); the custom role and the keyless",
            "pool only when they carry Trustbridge's mark (and the role only when no one else on the",
            "project is bound to it).",
        ],
    );
    s.set("PROJECT", &g.project_id)
        .set("SA_ID", &g.service_account)
        .set("SA_MARK", &service_account_mark(integration))
        .raw("SA_EMAIL=\"${SA_ID}@${PROJECT}.iam.gserviceaccount.com\"")
        .blank();
    service_account_state(&mut s);
    s.raw("if [ \"$SA_STATE\" = absent ]; then echo \"No service account $SA_EMAIL: nothing to revoke.\"; exit 0; fi");
    if let Some(r) = &m.custom_role {
        custom_role_state(&mut s, integration, r, false);
    }
    if let Some((_, _, pool)) = &g.workload_identity {
        pool_state(&mut s, pool, false);
    }
    s.blank();
    outside_plan_fns(&mut s, g);
    for b in &m.bindings {
        let words = match &b.target {
            GcpTarget::Bucket { bucket } => vec![lit("remove_grant"), lit("bucket"), lit(bucket), lit(&b.role)],
            GcpTarget::Topic { topic, .. } => vec![lit("remove_grant"), lit("topic"), lit(topic), lit(&b.role)],
            _ => match binding_cmd(b, "remove") {
                Some(cmd) => std::iter::once(lit("unbind")).chain(cmd).collect(),
                None => continue,
            },
        };
        s.raw(&format!("{} || true", render_words(&words)));
    }
    s.comment("What the account holds beyond the plan's grants on the plan's own buckets and topics is said, not removed.")
        .raw("beyond_named left")
        .comment("Grants an earlier plan made on buckets and topics this plan no longer names go too (Google can undelete an account for 30 days, with its bindings).")
        .raw("drop_unnamed");
    if g.is_keyless() {
        s.raw("if [ \"$POOL_STATE\" = ours ]; then")
            .run_indented(&[
                lit("gcloud"),
                lit("iam"),
                lit("workload-identity-pools"),
                lit("delete"),
                var("POOL_ID"),
                Word::LitVar("--project=".into(), "PROJECT".into()),
                lit("--location=global"),
                lit("--quiet"),
            ])
            .raw("elif [ \"$POOL_STATE\" = foreign ]; then echo \"Workload identity pool $POOL_ID kept: Trustbridge did not create it for this integration.\"; fi");
    }
    if m.custom_role.is_some() {
        s.comment("The role goes only when no one else on the project is bound to it (Google keeps it 7 days: gcloud iam roles undelete).")
            .raw("if [ \"$ROLE_STATE\" = ours ]; then")
            .comment("  Who else is bound to it, on the project and on the plan's buckets and topics (a failed read stops here).")
            .comment("  Each policy is read as role and member rows and the role compared here (gcloud storage takes no --filter).")
            .raw("  ROLE_NAME=\"projects/$PROJECT/roles/$ROLE_ID\"")
            .comment("  A binding with a condition counts (gcloud pubsub shows it as ROLE_withcond_HASH); a bucket or topic that is gone holds no one.")
            .raw("  role_members() { local role member; while IFS=$'\\t' read -r role member; do case \"$role\" in \"$ROLE_NAME\"|\"$ROLE_NAME\"_withcond_*) printf '%s\\n' \"$member\" ;; esac; done; }")
            .raw("  policy_rows() {")
            .raw("    local rc=0")
            .raw("    gone_or \"$@\" --flatten='bindings[].members' --format='value(bindings.role,bindings.members)' || rc=$?")
            .raw("    if [ \"$rc\" = 3 ]; then return 0; fi")
            .raw("    return \"$rc\"")
            .raw("  }")
            .raw("  ROLE_MEMBERS=\"$(policy_rows gcloud projects get-iam-policy \"$PROJECT\" | role_members)\"");
        for w in policy_reads(m) {
            s.raw(&format!("  ROLE_MEMBERS=\"$ROLE_MEMBERS\"$'\\n'\"$(policy_rows {} | role_members)\"", render_words(&w)));
        }
        s.raw("  ROLE_OTHERS=\"$(printf '%s\\n' \"$ROLE_MEMBERS\" | grep -v -x -F -e \"serviceAccount:$SA_EMAIL\" -e '' || true)\"")
            .raw("  if [ -z \"$ROLE_OTHERS\" ]; then")
            .raw(&format!(
                "    {}",
                render_words(&[
                    lit("gcloud"),
                    lit("iam"),
                    lit("roles"),
                    lit("delete"),
                    var("ROLE_ID"),
                    Word::LitVar("--project=".into(), "PROJECT".into()),
                    lit("--quiet"),
                ])
            ))
            .raw("  else echo \"Custom role $ROLE_ID kept: others are still bound to it: $ROLE_OTHERS\"; fi")
            .raw("elif [ \"$ROLE_STATE\" = foreign ]; then echo \"Custom role $ROLE_ID kept: Trustbridge did not create it for this integration.\"; fi");
    }
    s.run(&[
        lit("gcloud"),
        lit("iam"),
        lit("service-accounts"),
        lit("delete"),
        var("SA_EMAIL"),
        Word::LitVar("--project=".into(), "PROJECT".into()),
        lit("--quiet"),
    ]);
    s.echo("Access revoked.");
    s.finish()
}
