//! The exported AWS scripts, `aws/setup.sh` and `revoke.sh`, for vendor plans and role packs alike:
//! both lower into one [`RoleSet`] (`crate::model`), and these functions render it, so the
//! ownership and account rules are written once: check the account first,
//! and never change or delete a role (or customer-managed policy) that Trustbridge did not create
//! for this integration or pack. The same rule as the apply engine (`aws.role_not_ours`,
//! `aws.pack_resource_not_ours`); the scripts are stricter in one place: an adopted role (one
//! that existed before `trustbridge apply --adopt` took it in) is refused too, because a script
//! can only replace a trust policy, not merge into it.

use crate::model::aws::{AWS_MANAGED_RECORD_TAG, INLINE_RECORD_TAG, RECORD_NAME_PUNCTUATION};
use crate::model::{Boundary, Role, RoleSet};
use crate::render::sh::{lit, render_words, var, Script, Word};

/// The tags on a role or policy Trustbridge created or adopted.
pub const MANAGED_BY_TAG: (&str, &str) = ("managed-by", "trustbridge");
/// The tag apply adds, with the other two, to a role it adopted (that it did not create).
pub const ADOPTED_TAG: (&str, &str) = ("trustbridge-adopted", "true");

/// Who may own what a script touches: `managed-by=trustbridge` and `key=value` (the integration
/// or the pack), both required.
pub struct Owner<'a> {
    /// `trustbridge-integration` or `trustbridge-pack`.
    pub key: &'a str,
    pub value: &'a str,
    /// One sentence: what the user can do about a role that is not ours.
    pub foreign_fix: &'a str,
}

/// `ACCOUNT` = the signed-in account; the script stops unless it is `expected`.
pub fn check_account(s: &mut Script, expected: &str) {
    s.set("EXPECTED_ACCOUNT", expected)
        .capture(
            "ACCOUNT",
            &[lit("aws"), lit("sts"), lit("get-caller-identity"), lit("--query"), lit("Account"), lit("--output"), lit("text")],
        )
        .raw("if [ \"$ACCOUNT\" != \"$EXPECTED_ACCOUNT\" ]; then")
        .raw("  echo \"Signed in to account $ACCOUNT, but this plan is for $EXPECTED_ACCOUNT. Switch credentials and re-run.\" >&2")
        .raw("  exit 1")
        .raw("fi");
}

/// Defines `owner_state KIND NAME` (KIND `role` or `policy`, NAME a role name or policy ARN),
/// which prints `absent`, `ours`, `adopted` or `foreign`, and `refuse NAME STATE`, which explains
/// and exits. An error other than "no such entity" (access denied, throttling) stops the script:
/// it is never read as "absent".
pub fn ownership_functions(s: &mut Script, owner: &Owner) {
    s.set("OWNER_KEY", owner.key)
        .set("OWNER_VALUE", owner.value)
        .set("FOREIGN_FIX", owner.foreign_fix)
        .raw("TAB=\"$(printf '\\t')\"")
        .comment("lines TEXT: the aws CLI's text output (a tab between values, a line between pages), a value a line.")
        .raw("lines() {")
        .raw("  printf '%s\\n' \"$1\" | tr '\\t' '\\n'")
        .raw("}")
        .comment("owner_state role NAME | owner_state policy ARN: absent, ours, adopted or foreign (by its tags).")
        .raw("owner_state() {")
        .raw("  local out")
        .raw("  if [ \"$1\" = role ]; then")
        .raw("    out=\"$(aws iam list-role-tags --role-name \"$2\" --query 'Tags[].[Key,Value]' --output text 2>&1)\" || {")
        .raw("      case \"$out\" in *NoSuchEntity*) echo absent; return 0 ;; esac; echo \"$out\" >&2; return 1; }")
        .raw("  else")
        .raw("    out=\"$(aws iam list-policy-tags --policy-arn \"$2\" --query 'Tags[].[Key,Value]' --output text 2>&1)\" || {")
        .raw("      case \"$out\" in *NoSuchEntity*) echo absent; return 0 ;; esac; echo \"$out\" >&2; return 1; }")
        .raw("  fi")
        .raw(&format!(
            "  if ! printf '%s\\n' \"$out\" | grep -qxF \"{}${{TAB}}{}\" || ! printf '%s\\n' \"$out\" | grep -qxF \"${{OWNER_KEY}}${{TAB}}${{OWNER_VALUE}}\"; then",
            MANAGED_BY_TAG.0, MANAGED_BY_TAG.1
        ))
        .raw("    echo foreign")
        .raw(&format!("  elif printf '%s\\n' \"$out\" | grep -qxF \"{}${{TAB}}{}\"; then", ADOPTED_TAG.0, ADOPTED_TAG.1))
        .raw("    echo adopted")
        .raw("  else")
        .raw("    echo ours")
        .raw("  fi")
        .raw("}")
        .raw("refuse() {")
        .raw("  if [ \"$2\" = adopted ]; then")
        .raw("    echo \"$1 existed before Trustbridge adopted it (trustbridge apply --adopt): this script would replace its whole trust policy. Use trustbridge apply / trustbridge revoke for it.\" >&2")
        .raw("  else")
        .raw("    echo \"$1 already exists and is not tagged managed-by=trustbridge and $OWNER_KEY=$OWNER_VALUE: Trustbridge did not create it, so this script will not change or delete it. $FOREIGN_FIX\" >&2")
        .raw("  fi")
        .raw("  exit 1")
        .raw("}");
}

/// `STATE_<n>="$(owner_state KIND NAME)"`, then a stop unless it is `absent` or `ours`. Returns
/// the variable's name for a later `if [ "$STATE_n" = ours ]`.
pub fn require_absent_or_ours(s: &mut Script, n: usize, kind: &str, name: Word) -> String {
    let state = format!("STATE_{n}");
    s.capture(&state, &[lit("owner_state"), lit(kind), name.clone()]);
    s.raw(&format!("case \"${state}\" in absent|ours) ;; *)"));
    s.run_indented(&[lit("refuse"), name, var(&state)]);
    s.raw(";; esac");
    state
}

/// The ARN of one of the set's customer-managed policies, in the signed-in account (`$ACCOUNT`,
/// which [`check_account`] has checked against the set's).
fn managed_arn(set: &RoleSet, name: &str) -> Word {
    Word::LitVar(format!("arn:{}:iam::", set.partition), format!("{{ACCOUNT}}:policy/{name}"))
}

fn boundary_word(set: &RoleSet, b: &Boundary) -> Word {
    match b {
        Boundary::Arn(arn) => lit(arn),
        Boundary::Managed(name) => managed_arn(set, name),
    }
}

fn tag_words(set: &RoleSet) -> [Word; 3] {
    [
        lit("--tags"),
        lit(format!("Key={},Value={}", MANAGED_BY_TAG.0, MANAGED_BY_TAG.1)),
        lit(format!("Key={},Value={}", set.owner.key, set.owner.value)),
    ]
}

/// Deletes every non-default version of a policy of ours: IAM keeps at most five, and a policy
/// with versions left cannot be deleted.
fn drop_old_versions(s: &mut Script, set: &RoleSet, name: &str) {
    s.capture(
        "OLD_VERSIONS",
        &[
            lit("aws"),
            lit("iam"),
            lit("list-policy-versions"),
            lit("--policy-arn"),
            managed_arn(set, name),
            lit("--query"),
            lit("Versions[?!IsDefaultVersion].VersionId"),
            lit("--output"),
            lit("text"),
        ],
    )
    .raw("for v in $OLD_VERSIONS; do")
    .run_indented(&[
        lit("aws"),
        lit("iam"),
        lit("delete-policy-version"),
        lit("--policy-arn"),
        managed_arn(set, name),
        lit("--version-id"),
        var("v"),
    ])
    .raw("done");
}

/// The header both scripts share: the region, the account check, the ownership functions, and
/// the state of every role and policy of the set (policies first). Nothing is changed unless
/// every one that exists is this integration's or pack's.
fn guarded(s: &mut Script, set: &RoleSet, foreign_fix: &str) -> (Vec<String>, Vec<String>) {
    if let Some(region) = &set.region {
        s.set("DEFAULT_REGION", region).raw("export AWS_REGION=\"${AWS_REGION:-$DEFAULT_REGION}\"");
    }
    s.blank().comment("1. Check who we are acting as: refuse to touch the wrong account.");
    check_account(s, &set.account);
    s.blank().comment("2. Only what Trustbridge created for this integration or pack is changed (its tags say so).");
    ownership_functions(s, &Owner { key: &set.owner.key, value: &set.owner.value, foreign_fix });
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    let policies =
        set.managed_policies.iter().map(|p| require_absent_or_ours(s, next(), "policy", managed_arn(set, &p.document.name))).collect();
    let roles = set.roles.iter().map(|r| require_absent_or_ours(s, next(), "role", lit(&r.name))).collect();
    (policies, roles)
}

/// `LOCAL_PREFIX`: what the ARN of a customer-managed policy in the signed-in account (`$ACCOUNT`,
/// checked) starts with.
fn local_prefix(s: &mut Script, set: &RoleSet) {
    s.set("LOCAL_PREFIX_START", &format!("arn:{}:iam::", set.partition)).raw("LOCAL_PREFIX=\"${LOCAL_PREFIX_START}${ACCOUNT}:policy/\"");
}

/// The functions both of a pack's scripts read its roles with: a role's record, its policies, and
/// whether a policy only allows (see [`take_off_functions`]).
fn pack_read_functions(s: &mut Script, set: &RoleSet) {
    s.blank().comment("Reading a pack's roles: their records and policies.").set("AWS_MANAGED_PREFIX", &set.aws_managed_prefix());
    local_prefix(s, set);
    s.comment("lower TEXT: TEXT in lower case, ASCII only.")
        .raw("lower() {")
        .raw("  printf '%s' \"$1\" | LC_ALL=C tr '[:upper:]' '[:lower:]'")
        .raw("}")
        .comment("old_record ROLE KEY: HAVE = the record's key as the role spells it (IAM compares keys without case), OLD = its value.")
        .raw("old_record() {")
        .raw("  local tags k v want")
        .raw("  HAVE=\"\"")
        .raw("  OLD=\"\"")
        .raw("  tags=\"$(aws iam list-role-tags --role-name \"$1\" --query 'Tags[].[Key,Value]' --output text)\" || return 1")
        .raw("  want=\"$(lower \"$2\")\"")
        .raw("  while IFS=$'\\t' read -r k v; do")
        .raw("    if [ -z \"$HAVE\" ] && [ -n \"$k\" ] && [ \"$(lower \"$k\")\" = \"$want\" ]; then")
        .raw("      HAVE=\"$k\"")
        .raw("      OLD=\"$v\"")
        .raw("    fi")
        .raw("  done <<<\"$tags\"")
        .raw("}")
        .comment("on_role ROLE KIND: the names of the role's policies of KIND (inline, or aws-managed: after policy/), one a line.")
        .raw("on_role() {")
        .raw("  local out n")
        .raw("  if [ \"$2\" = inline ]; then")
        .raw("    out=\"$(aws iam list-role-policies --role-name \"$1\" --query 'PolicyNames[]' --output text)\" || return 1")
        .raw("  else")
        .raw("    out=\"$(aws iam list-attached-role-policies --role-name \"$1\" --query 'AttachedPolicies[].PolicyArn' --output text)\" || return 1")
        .raw("  fi")
        .raw("  printf '%s\\n' \"$out\" | tr '\\t' '\\n' | while read -r n; do")
        .raw("    if [ \"$2\" = inline ]; then")
        .raw("      printf '%s\\n' \"$n\"")
        .raw("    else")
        .raw("      case \"$n\" in \"$AWS_MANAGED_PREFIX\"?*) printf '%s\\n' \"${n#\"$AWS_MANAGED_PREFIX\"}\" ;; esac")
        .raw("    fi")
        .raw("  done")
        .raw("}")
        .comment("ONLY_ALLOWS (JMESPath, on a policy document): true when every statement is an Allow with an Action, and none")
        .comment("has NotAction, NotResource or NotPrincipal. (Its backquotes are JMESPath literals, not the shell's.)")
        .comment("shellcheck disable=SC2016")
        .raw(ONLY_ALLOWS_QUERY)
        .comment("only_allows_inline ROLE NAME / only_allows_policy ARN: succeeds when the policy reads as ONLY_ALLOWS says.")
        .raw("only_allows_inline() {")
        .raw("  local out")
        .raw("  out=\"$(aws iam get-role-policy --role-name \"$1\" --policy-name \"$2\" --query \"PolicyDocument | $ONLY_ALLOWS\" --output text)\" || return 1")
        .raw("  [ \"$(lower \"$out\")\" = true ]")
        .raw("}")
        .raw("only_allows_policy() {")
        .raw("  local out v")
        .raw("  v=\"$(aws iam get-policy --policy-arn \"$1\" --query Policy.DefaultVersionId --output text)\" || return 1")
        .raw("  out=\"$(aws iam get-policy-version --policy-arn \"$1\" --version-id \"$v\" --query \"PolicyVersion.Document | $ONLY_ALLOWS\" --output text)\" || return 1")
        .raw("  [ \"$(lower \"$out\")\" = true ]")
        .raw("}")
        .comment("recorded ROLE KEY NAME: succeeds when the role's record of KEY names NAME.")
        .raw("recorded() {")
        .raw("  old_record \"$1\" \"$2\" || return 1")
        .raw("  case \" $OLD \" in *\" $3 \"*) return 0 ;; esac")
        .raw("  return 1")
        .raw("}");
}

/// The functions `setup.sh` records a pack's roles with (see [`crate::model::aws::INLINE_RECORD_TAG`]):
/// the same tags the engine's apply writes, except that a name the role's old record held stays in
/// it while that policy is still on the role — one [`take_off_functions`] left there because it
/// also denies, allows nothing or could not be read, for the next run (the script's or the app's)
/// to look at again. A record that cannot be written (IAM's 50 tags, no permission) is a warning,
/// not a stop: without it, what the pack drops later stays on the role for verify to report, which
/// is the safe side. Written for bash 3.2 (macOS's) and later, in the C locale where names are
/// compared (as IAM and the engine compare them).
fn record_functions(s: &mut Script) {
    s.blank()
        .comment("Each role's record of what this pack put on it (its inline and AWS-managed policies' names): a later run")
        .comment("(this script's, or the app's apply) takes off what the record names and the pack has dropped since, when it only allows.")
        .comment("record_tag ROLE KEY KIND NAMES: the record set to NAMES (the pack's, sorted) and the names the old one held that")
        .comment("are still on the role (what take_off left there, for the next run to look at again); a name no IAM policy can")
        .comment("have is dropped, and past 256 characters the pack's names alone are recorded. No name at all: no record.")
        .raw("record_tag() {")
        .raw("  local present value")
        .raw("  old_record \"$1\" \"$2\" || { record_warning \"$1\" \"$2\"; return 0; }")
        .raw("  present=\"$(on_role \"$1\" \"$3\")\" || { record_warning \"$1\" \"$2\"; return 0; }")
        .raw("  value=\"$(")
        .raw("    {")
        .raw("      tr ' ' '\\n' <<<\"$4\"")
        .raw("      tr ' ' '\\n' <<<\"$OLD\" | LC_ALL=C grep -Fx -f <(printf '%s\\n' \"$present\") || true")
        .raw(&format!(
            "    }} | LC_ALL=C grep -E '^[A-Za-z0-9{}]+$' | LC_ALL=C sort -u | paste -sd ' ' -",
            bash_class(RECORD_NAME_PUNCTUATION)
        ))
        .raw("  )\" || value=\"\"")
        .raw("  if [ \"${#value}\" -gt 256 ]; then")
        .raw("    value=\"$4\"")
        .raw("  fi")
        .raw("  if [ -n \"$value\" ]; then")
        .raw("    if [ \"$value\" != \"$OLD\" ]; then")
        .raw("      aws iam tag-role --role-name \"$1\" --tags \"[{\\\"Key\\\":\\\"${HAVE:-$2}\\\",\\\"Value\\\":\\\"$value\\\"}]\" || record_warning \"$1\" \"$2\"")
        .raw("    fi")
        .raw("  elif [ -n \"$HAVE\" ]; then")
        .raw("    aws iam untag-role --role-name \"$1\" --tag-keys \"$HAVE\" || record_warning \"$1\" \"$2\"")
        .raw("  fi")
        .raw("}")
        .comment("forget_record ROLE KEY: the record taken off (the pack's own names cannot be recorded in a tag value).")
        .raw("forget_record() {")
        .raw("  old_record \"$1\" \"$2\" || { record_warning \"$1\" \"$2\"; return 0; }")
        .raw("  if [ -n \"$HAVE\" ]; then")
        .raw("    aws iam untag-role --role-name \"$1\" --tag-keys \"$HAVE\" || record_warning \"$1\" \"$2\"")
        .raw("  fi")
        .raw("}")
        .raw("record_warning() {")
        .raw("  echo \"warning: the role $1's $2 tag could not be brought up to date: what the pack drops later may stay on the role for Trustbridge's verify to report\" >&2")
        .raw("}");
}

/// The functions `setup.sh` takes off a pack's roles with what the pack has dropped, as the engine's
/// apply does (`aws/pack.rs` in the cloud crate): what a role's record names and the pack no longer
/// names there (an inline policy deleted, an AWS-managed one detached), the pack's own
/// customer-managed policies (both of its tags) that the pack no longer attaches to that role
/// (detached), and, at the end, those of them the pack no longer has at all once nothing uses them
/// (deleted). Each only when it allows only, read back now: every statement an `Allow` with an
/// `Action`, and none with `NotAction`, `NotResource` or `NotPrincipal` — one that also denies,
/// allows nothing or is not read so stays (a record or a tag is not proof enough to lift a
/// denial), said in a warning, and the app's verify reports it. A read that fails is a warning
/// too: the policy stays, the safe side. Anything else on the role is not the pack's and stays.
/// A role's permissions boundary, likewise, is replaced or taken off only when it is none or one of
/// the pack's policies: anyone else's stays (taking a guardrail off or swapping it may widen the
/// role), with a warning.
fn take_off_functions(s: &mut Script) {
    s.blank()
        .comment("What the pack has dropped comes off its roles, when it only allows (as the app's apply does).")
        .raw("take_off_warning() {")
        .raw("  echo \"warning: $1 stays on role $2: $3; check it by hand (trustbridge verify reports it)\" >&2")
        .raw("}")
        .comment("take_off ROLE KEY KIND NAME…: what the role's record of KEY names, that is still on the role and that the pack no")
        .comment("longer names there (NAME…: what it does; inline names compared without case, as IAM does) comes off when it only")
        .comment("allows: an inline policy deleted, an AWS-managed one detached.")
        .raw("take_off() {")
        .raw("  local role=\"$1\" key=\"$2\" kind=\"$3\" present names n p named what")
        .raw("  shift 3")
        .raw("  old_record \"$role\" \"$key\" || { take_off_warning \"what its $key tag names\" \"$role\" \"the tag could not be read\"; return 0; }")
        .raw("  [ -n \"$OLD\" ] || return 0")
        .raw("  present=\"$(on_role \"$role\" \"$kind\")\" || { take_off_warning \"what its $key tag names\" \"$role\" \"its policies could not be listed\"; return 0; }")
        .raw("  [ -n \"$present\" ] || return 0")
        .raw(&format!(
            "  names=\"$(tr ' ' '\\n' <<<\"$OLD\" | LC_ALL=C grep -E '^[A-Za-z0-9{}]+$' | LC_ALL=C grep -Fx -f <(printf '%s\\n' \"$present\") || true)\"",
            bash_class(RECORD_NAME_PUNCTUATION)
        ))
        .raw("  while IFS= read -r n; do")
        .raw("    [ -n \"$n\" ] || continue")
        .raw("    named=\"\"")
        .raw("    for p in \"$@\"; do")
        .raw("      if [ \"$p\" = \"$n\" ] || { [ \"$kind\" = inline ] && [ \"$(lower \"$p\")\" = \"$(lower \"$n\")\" ]; }; then named=1; fi")
        .raw("    done")
        .raw("    [ -z \"$named\" ] || continue")
        .raw("    if [ \"$kind\" = inline ]; then")
        .raw("      what=\"inline policy $n\"")
        .raw("      if only_allows_inline \"$role\" \"$n\"; then")
        .raw("        aws iam delete-role-policy --role-name \"$role\" --policy-name \"$n\"")
        .raw("        echo \"Deleted $what from role $role: its $key tag says this pack put it there, and the pack no longer names it.\"")
        .raw("        continue")
        .raw("      fi")
        .raw("    else")
        .raw("      what=\"$AWS_MANAGED_PREFIX$n\"")
        .raw("      if only_allows_policy \"$what\"; then")
        .raw("        aws iam detach-role-policy --role-name \"$role\" --policy-arn \"$what\"")
        .raw("        echo \"Detached $what from role $role: its $key tag says this pack put it there, and the pack no longer names it.\"")
        .raw("        continue")
        .raw("      fi")
        .raw("    fi")
        .raw("    take_off_warning \"$what\" \"$role\" \"the pack no longer names it, but it also denies, allows nothing, or could not be read as a policy that only allows, and taking it off could lift a denial\"")
        .raw("  done <<<\"$names\"")
        .raw("}")
        .comment("take_off_own ROLE NAME…: the pack's own customer-managed policies (tagged managed-by=trustbridge and with the pack)")
        .comment("attached to the role that the pack does not attach there (NAME…: those it does) are detached when they only allow;")
        .comment("each is kept in DROPPED for drop_policies.")
        .raw("DROPPED=\"\"")
        .raw("take_off_own() {")
        .raw("  local role=\"$1\" out arn n p named state")
        .raw("  shift")
        .raw("  out=\"$(aws iam list-attached-role-policies --role-name \"$role\" --query 'AttachedPolicies[].PolicyArn' --output text)\"")
        .raw("  while IFS= read -r arn; do")
        .raw("    case \"$arn\" in \"$LOCAL_PREFIX\"?*) ;; *) continue ;; esac")
        .raw("    n=\"${arn#\"$LOCAL_PREFIX\"}\"")
        .raw("    named=\"\"")
        .raw("    for p in \"$@\"; do")
        .raw("      if [ \"$p\" = \"$n\" ]; then named=1; fi")
        .raw("    done")
        .raw("    [ -z \"$named\" ] || continue")
        .raw("    state=\"$(owner_state policy \"$arn\")\"")
        .raw("    [ \"$state\" = ours ] || continue")
        .raw("    if only_allows_policy \"$arn\"; then")
        .raw("      aws iam detach-role-policy --role-name \"$role\" --policy-arn \"$arn\"")
        .raw("      echo \"Detached $arn from role $role: this pack's own policy, which the pack no longer attaches there.\"")
        .raw("      DROPPED=\"$DROPPED$arn\"$'\\n'")
        .raw("    else")
        .raw("      take_off_warning \"$arn\" \"$role\" \"it is this pack's own and the pack no longer attaches it there, but it also denies, allows nothing, or could not be read as a policy that only allows\"")
        .raw("    fi")
        .raw("  done <<<\"$(lines \"$out\")\"")
        .raw("}")
        .comment("set_boundary ROLE WANT NAMES: the role's permissions boundary made WANT (an ARN; empty: none) when it has none or")
        .comment("one of the pack's policies (NAMES, a space apart); anyone else's stays (taking a guardrail off or swapping it may")
        .comment("widen the role), said in a warning.")
        .raw("set_boundary() {")
        .raw("  local have")
        .raw("  have=\"$(aws iam get-role --role-name \"$1\" --query 'Role.PermissionsBoundary.PermissionsBoundaryArn' --output text)\"")
        .raw("  if [ \"$have\" = None ]; then have=\"\"; fi")
        .raw("  if [ \"$have\" = \"$2\" ]; then return 0; fi")
        .raw("  if [ -n \"$have\" ]; then")
        .raw("    case \"$have\" in")
        .raw("      \"$LOCAL_PREFIX\"?*) case \" $3 \" in *\" ${have#\"$LOCAL_PREFIX\"} \"*) ;; *) have=\"\" ;; esac ;;")
        .raw("      *) have=\"\" ;;")
        .raw("    esac")
        .raw("    if [ -z \"$have\" ]; then")
        .raw("      echo \"warning: the permissions boundary of role $1 is not one of this pack's policies, so it stays (replacing or taking off someone's guardrail may widen the role); check it by hand (trustbridge verify reports it)\" >&2")
        .raw("      return 0")
        .raw("    fi")
        .raw("  fi")
        .raw("  if [ -n \"$2\" ]; then")
        .raw("    aws iam put-role-permissions-boundary --role-name \"$1\" --permissions-boundary \"$2\"")
        .raw("    if [ -n \"$have\" ]; then echo \"Replaced the permissions boundary $have of role $1 (one of this pack's policies) with $2.\"; fi")
        .raw("  else")
        .raw("    aws iam delete-role-permissions-boundary --role-name \"$1\"")
        .raw("    echo \"Took the permissions boundary $have off role $1: one of this pack's policies, and the pack no longer gives the role one.\"")
        .raw("  fi")
        .raw("}")
        .comment("drop_policies NAMES: each policy take_off_own detached that the pack no longer has (NAMES: those it has, a space")
        .comment("apart; IAM names hold none), deleted once nothing uses it (no role, user or group has it attached or as its")
        .comment("permissions boundary); otherwise it stays.")
        .raw("drop_policies() {")
        .raw("  local arn n used versions v")
        .raw("  while IFS= read -r arn; do")
        .raw("    [ -n \"$arn\" ] || continue")
        .raw("    n=\"${arn#\"$LOCAL_PREFIX\"}\"")
        .raw("    case \" $1 \" in *\" $n \"*) continue ;; esac")
        .raw("    used=\"$(aws iam list-entities-for-policy --policy-arn \"$arn\" --query '[PolicyRoles[].RoleName, PolicyUsers[].UserName, PolicyGroups[].GroupName][]' --output text)\"")
        .raw("    if [ -n \"$used\" ]; then")
        .raw("      echo \"Policy $arn, this pack's own, which the pack no longer has, stays in the account: $(printf '%s' \"$used\" | tr '\\t\\n' '  ') still use it. No later run looks at it again; once nothing uses it, delete it by hand: aws iam list-policy-versions --policy-arn $arn, aws iam delete-policy-version --policy-arn $arn --version-id ID for each version but the default, then aws iam delete-policy --policy-arn $arn.\"")
        .raw("      continue")
        .raw("    fi")
        .raw("    versions=\"$(aws iam list-policy-versions --policy-arn \"$arn\" --query 'Versions[?!IsDefaultVersion].VersionId' --output text)\"")
        .raw("    for v in $versions; do")
        .raw("      aws iam delete-policy-version --policy-arn \"$arn\" --version-id \"$v\"")
        .raw("    done")
        .raw("    aws iam delete-policy --policy-arn \"$arn\"")
        .raw("    echo \"Deleted policy $arn: this pack's own, which the pack no longer has; nothing uses it.\"")
        .raw("  done <<<\"$(printf '%s' \"$DROPPED\" | LC_ALL=C sort -u)\"")
        .raw("}");
}

/// A vendor plan role's fixed inline policy names that the plan no longer has there (a pack's: by
/// its record, at run time).
fn retired_inline<'r>(set: &RoleSet, role: &'r Role) -> Vec<&'r str> {
    set.own_inline(role).into_iter().filter(|n| !role.inline.iter().any(|d| d.name == *n)).collect()
}

/// The names of the set's own customer-managed policies, a space apart (IAM names hold none).
fn pack_policy_names(set: &RoleSet) -> String {
    set.managed_policies.iter().map(|p| p.document.name.as_str()).collect::<Vec<_>>().join(" ")
}

/// The JMESPath test `setup.sh` reads a policy with before taking it off (see [`take_off_functions`]).
const ONLY_ALLOWS_QUERY: &str = "ONLY_ALLOWS='type(Statement) == `\"array\"` && length(Statement) > `0` && length(Statement[?Effect != `\"Allow\"` || Action == `null` || NotAction != `null` || NotResource != `null` || NotPrincipal != `null`]) == `0`'";

/// A bash bracket expression's characters for `punctuation` (a `-` last, where it is literal).
fn bash_class(punctuation: &str) -> String {
    let mut class: String = punctuation.chars().filter(|c| *c != '-').collect();
    if punctuation.contains('-') {
        class.push('-');
    }
    class
}

/// `setup.sh` for a role set: customer-managed policies (created, or given a new default
/// version), then each role (created, or its trust and boundary updated), its inline policies and
/// attachments. `done` is echoed at the end.
pub fn setup_sh(set: &RoleSet, foreign_fix: &str, done: &[String]) -> String {
    let mut about = vec![
        "Needs: aws CLI v2 signed in to the target account (AWS_PROFILE, SSO or environment credentials).",
        "Safe to re-run: what this integration or pack created is updated; inline policies are replaced.",
        "It refuses a same-named role or policy that Trustbridge did not create for it, and then changes nothing.",
    ];
    if set.records {
        about.push("What the pack has dropped since an earlier run comes off its roles when it only allows (the run says each).");
    }
    let mut s = Script::new(&format!("AWS: create or update {}, and their policies.", set.what), &about);
    let (policy_states, role_states) = guarded(&mut s, set, foreign_fix);
    if set.records {
        pack_read_functions(&mut s, set);
        record_functions(&mut s);
        take_off_functions(&mut s);
    } else if set.roles.iter().any(|r| !retired_inline(set, r).is_empty()) {
        s.blank()
            .comment("delete_inline_if_present ROLE NAME: the role's inline policy NAME (one of Trustbridge's, which the plan no longer")
            .comment("has) deleted, if the role has it.")
            .raw("delete_inline_if_present() {")
            .raw("  local out")
            .raw("  out=\"$(aws iam list-role-policies --role-name \"$1\" --query 'PolicyNames[]' --output text | tr '\\n' '\\t')\"")
            .raw("  case \"$TAB$out$TAB\" in")
            .raw("    *\"$TAB$2$TAB\"*)")
            .raw("      aws iam delete-role-policy --role-name \"$1\" --policy-name \"$2\"")
            .raw("      echo \"Deleted inline policy $2 from role $1: the plan no longer has it.\"")
            .raw("      ;;")
            .raw("  esac")
            .raw("}");
    }
    if !set.managed_policies.is_empty() {
        s.blank().comment("3. Customer-managed policies (created, or given a new default version).");
    }
    for (p, state) in set.managed_policies.iter().zip(&policy_states) {
        let name = &p.document.name;
        let file = lit(format!("file://{}", p.document.file));
        let mut create = vec![
            lit("aws"),
            lit("iam"),
            lit("create-policy"),
            lit("--policy-name"),
            lit(name),
            lit("--description"),
            lit(&p.description),
            lit("--policy-document"),
            file.clone(),
        ];
        create.extend(tag_words(set));
        s.raw(&format!("if [ \"${state}\" = ours ]; then"));
        drop_old_versions(&mut s, set, name);
        s.run_indented(&[
            lit("aws"),
            lit("iam"),
            lit("create-policy-version"),
            lit("--policy-arn"),
            managed_arn(set, name),
            lit("--set-as-default"),
            lit("--policy-document"),
            file,
        ])
        .raw("else")
        .run_indented(&create)
        .raw("fi");
    }
    s.blank().comment("4. The roles, their inline policies and attachments.");
    for (role, state) in set.roles.iter().zip(&role_states) {
        let trust = lit(format!("file://{}", role.trust.file));
        let mut create = vec![
            lit("aws"),
            lit("iam"),
            lit("create-role"),
            lit("--role-name"),
            lit(&role.name),
            lit("--path"),
            lit(&role.path),
            lit("--description"),
            lit(&role.description),
            lit("--assume-role-policy-document"),
            trust.clone(),
        ];
        create.extend(tag_words(set));
        if let Some(b) = &role.boundary {
            create.push(lit("--permissions-boundary"));
            create.push(boundary_word(set, b));
        }
        s.raw(&format!("if [ \"${state}\" = ours ]; then")).run_indented(&[
            lit("aws"),
            lit("iam"),
            lit("update-assume-role-policy"),
            lit("--role-name"),
            lit(&role.name),
            lit("--policy-document"),
            trust,
        ]);
        if set.records {
            // A pack's: only a boundary that is none or one of the pack's policies is replaced.
            let want = role.boundary.as_ref().map(|b| boundary_word(set, b)).unwrap_or_else(|| lit(""));
            s.run_indented(&[lit("set_boundary"), lit(&role.name), want, lit(pack_policy_names(set))]);
        } else if let Some(b) = &role.boundary {
            s.run_indented(&[
                lit("aws"),
                lit("iam"),
                lit("put-role-permissions-boundary"),
                lit("--role-name"),
                lit(&role.name),
                lit("--permissions-boundary"),
                boundary_word(set, b),
            ]);
        }
        s.raw("else").run_indented(&create).raw("fi");
        for d in &role.inline {
            s.run(&[
                lit("aws"),
                lit("iam"),
                lit("put-role-policy"),
                lit("--role-name"),
                lit(&role.name),
                lit("--policy-name"),
                lit(&d.name),
                lit("--policy-document"),
                lit(format!("file://{}", d.file)),
            ]);
        }
        if !set.records {
            for name in retired_inline(set, role) {
                s.run(&[lit("delete_inline_if_present"), lit(&role.name), lit(name)]);
            }
        }
        for m in &role.managed {
            s.run(&[
                lit("aws"),
                lit("iam"),
                lit("attach-role-policy"),
                lit("--role-name"),
                lit(&role.name),
                lit("--policy-arn"),
                managed_arn(set, m),
            ]);
        }
        for arn in &role.aws_managed_arns {
            s.run(&[lit("aws"), lit("iam"), lit("attach-role-policy"), lit("--role-name"), lit(&role.name), lit("--policy-arn"), lit(arn)]);
        }
        if set.records {
            let aws = set.aws_managed_prefix();
            let mut inline = vec![lit("take_off"), lit(&role.name), lit(INLINE_RECORD_TAG), lit("inline")];
            inline.extend(role.inline.iter().map(|d| lit(&d.name)));
            let mut aws_managed = vec![lit("take_off"), lit(&role.name), lit(AWS_MANAGED_RECORD_TAG), lit("aws-managed")];
            aws_managed.extend(role.aws_managed_arns.iter().filter_map(|a| a.strip_prefix(&aws)).map(lit));
            let mut own = vec![lit("take_off_own"), lit(&role.name)];
            own.extend(role.managed.iter().map(lit));
            s.run(&inline).run(&aws_managed).run(&own);
            for (key, value) in set.records(role) {
                let kind = if key == INLINE_RECORD_TAG { "inline" } else { "aws-managed" };
                match value {
                    Some(names) => s.run(&[lit("record_tag"), lit(&role.name), lit(key), lit(kind), lit(names)]),
                    None => s.run(&[lit("forget_record"), lit(&role.name), lit(key)]),
                };
            }
        }
    }
    if set.records {
        s.blank()
            .comment("5. The pack's own policies it no longer has, detached above: deleted once nothing uses them.")
            .run(&[lit("drop_policies"), lit(pack_policy_names(set))]);
    }
    s.blank();
    for line in done {
        s.echo(line);
    }
    s.finish()
}

/// Before anything is removed: a customer-managed policy of the set that a role outside the set, a
/// user or a group uses (attached, or as a permissions boundary) stops the script, naming them.
/// IAM deletes a policy only once nothing uses it (the script would fail part-way, after the roles
/// are gone), and their role is not the set's to change. The engine refuses the same
/// (`aws.policy_attached_elsewhere`).
fn used_outside(s: &mut Script, set: &RoleSet, policy_states: &[String]) {
    s.blank()
        .comment("A policy of ours used outside this set (attached to, or the permissions boundary of, another role, a user or a group) stops here.")
        .comment("used_outside ARN OUR_ROLE…: prints \"role NAME\", \"user NAME\" or \"group NAME\" for each one using the policy that is not ours.")
        .raw("used_outside() {")
        .raw("  local arn=\"$1\" kind out")
        .raw("  shift")
        .raw("  for kind in Role User Group; do")
        .raw("    out=\"$(aws iam list-entities-for-policy --policy-arn \"$arn\" --query \"Policy${kind}s[].${kind}Name || \\`[]\\`\" --output text)\" || return 1")
        .raw("    printf '%s\\n' \"$out\" | tr '\\t' '\\n' | while IFS= read -r name; do")
        .raw("      if [ -z \"$name\" ]; then continue; fi")
        .raw("      if [ \"$kind\" = Role ]; then")
        .raw("        for own in \"$@\"; do if [ \"$own\" = \"$name\" ]; then continue 2; fi; done")
        .raw("      fi")
        .raw("      echo \"$(printf '%s' \"$kind\" | tr '[:upper:]' '[:lower:]') $name\"")
        .raw("    done")
        .raw("  done")
        .raw("}");
    let roles: Vec<Word> = set.roles.iter().map(|r| lit(&r.name)).collect();
    for (i, (p, state)) in set.managed_policies.iter().zip(policy_states).enumerate() {
        let (used, arn_var) = (format!("USED_{}", i + 1), format!("ARN_{}", i + 1));
        s.raw(&format!("if [ \"${state}\" = ours ]; then"));
        s.raw(&format!("  {arn_var}={}", render_words(&[managed_arn(set, &p.document.name)])));
        let mut words = vec![lit("used_outside"), var(&arn_var)];
        words.extend(roles.iter().cloned());
        s.raw(&format!("  {used}=\"$({})\"", render_words(&words)));
        s.raw(&format!("  if [ -n \"${used}\" ]; then"));
        s.raw(&format!(
            "    echo \"Policy ${arn_var} is used outside this set (attached to, or the permissions boundary of: $(printf '%s' \"${used}\" | tr '\\n' ',' | sed 's/,/, /g')): IAM deletes a policy only once nothing uses it, and this script does not change what is not ours. Nothing was removed. Take it off there after checking what they need it for (aws iam detach-role-policy / detach-user-policy / detach-group-policy, or delete-role-permissions-boundary / delete-user-permissions-boundary), then run this script again.\" >&2"
        ));
        s.raw("    exit 1");
        s.raw("  fi");
        s.raw("fi");
    }
}

/// The functions `revoke.sh` checks and empties a role with before deleting it, as the engine's
/// revoke does (`roleset::role_removal` in the cloud crate): anything on a role that the set did not
/// put there — a policy, or an EC2 instance profile holding the role — stops the script before
/// anything is removed (removing only the set's would leave whoever the role trusts able to use the
/// rest). For a pack, what its setup.sh or apply would take off the role (recorded or its own, and
/// allowing only: [`take_off_functions`]) is its to remove. Policies are removed only where they
/// are, so a run that stopped part-way can be run again.
fn removal_functions(s: &mut Script, set: &RoleSet) {
    s.blank()
        .comment("role_extras ROLE INLINE MANAGED OTHER: a line for each thing on the role that the set does not give it (INLINE:")
        .comment("its inline policies' names; MANAGED: its customer-managed policies' names; OTHER: the other policy ARNs attached;")
        .comment("each a space apart): \"own inline NAME\" or \"own attached ARN\" for what the set's own run would take off, and")
        .comment("\"inline policy NAME\", \"managed policy ARN\" or \"instance profile NAME\" for the rest.")
        .raw("role_extras() {")
        .raw("  local role=\"$1\" out n")
        .raw("  out=\"$(aws iam list-instance-profiles-for-role --role-name \"$role\" --query 'InstanceProfiles[].InstanceProfileName' --output text)\" || return 1")
        .raw("  while IFS= read -r n; do")
        .raw("    if [ -n \"$n\" ]; then echo \"instance profile $n\"; fi")
        .raw("  done <<<\"$(lines \"$out\")\"")
        .raw("  out=\"$(aws iam list-role-policies --role-name \"$role\" --query 'PolicyNames[]' --output text)\" || return 1")
        .raw("  while IFS= read -r n; do")
        .raw("    [ -n \"$n\" ] || continue")
        .raw("    case \" $2 \" in *\" $n \"*) continue ;; esac");
    if set.records {
        // A pack naming it only in another case keeps it (IAM does not tell them apart): not dropped.
        s.raw("    case \" $(lower \"$2\") \" in *\" $(lower \"$n\") \"*) echo \"inline policy $n\"; continue ;; esac")
            .raw(&format!("    if recorded \"$role\" {INLINE_RECORD_TAG} \"$n\" && only_allows_inline \"$role\" \"$n\"; then"))
            .raw("      echo \"own inline $n\"")
            .raw("      continue")
            .raw("    fi");
    }
    s.raw("    echo \"inline policy $n\"")
        .raw("  done <<<\"$(lines \"$out\")\"")
        .raw("  out=\"$(aws iam list-attached-role-policies --role-name \"$role\" --query 'AttachedPolicies[].PolicyArn' --output text)\" || return 1")
        .raw("  while IFS= read -r n; do")
        .raw("    [ -n \"$n\" ] || continue")
        .raw("    case \" $4 \" in *\" $n \"*) continue ;; esac")
        .raw("    case \"$n\" in \"$LOCAL_PREFIX\"?*) case \" $3 \" in *\" ${n#\"$LOCAL_PREFIX\"} \"*) continue ;; esac ;; esac");
    if set.records {
        s.raw("    case \"$n\" in")
            .raw(&format!(
                "      \"$AWS_MANAGED_PREFIX\"?*) if recorded \"$role\" {AWS_MANAGED_RECORD_TAG} \"${{n#\"$AWS_MANAGED_PREFIX\"}}\" && only_allows_policy \"$n\"; then echo \"own attached $n\"; continue; fi ;;"
            ))
            .raw("      \"$LOCAL_PREFIX\"?*) if [ \"$(owner_state policy \"$n\")\" = ours ] && only_allows_policy \"$n\"; then echo \"own attached $n\"; continue; fi ;;")
            .raw("    esac");
    }
    s.raw("    echo \"managed policy $n\"")
        .raw("  done <<<\"$(lines \"$out\")\"")
        .raw("}")
        .comment("refuse_extras ROLE EXTRAS: stops, naming them, when EXTRAS (role_extras) holds anything not the set's own.")
        .raw("refuse_extras() {")
        .raw("  local others")
        .raw("  others=\"$(printf '%s\\n' \"$2\" | grep -v -e '^own ' -e '^$' | paste -sd ';' - | sed 's/;/; /g' || true)\"")
        .raw("  if [ -n \"$others\" ]; then")
        .raw("    echo \"Role $1 holds what this script may not remove: $others (a policy Trustbridge did not put there or no longer names, one it put there that also denies or cannot be read, or an instance profile holding the role). Nothing was removed: removing only the rest would leave whoever the role trusts able to use it. Take it off after checking who relies on it (aws iam delete-role-policy, detach-role-policy, or remove-role-from-instance-profile), or use trustbridge revoke --plan <plan> --force (which takes such policies off too, but never changes an instance profile), then run this script again.\" >&2")
        .raw("    exit 1")
        .raw("  fi")
        .raw("}")
        .comment("remove_own ROLE INLINE MANAGED OTHER EXTRAS: the role's own policies taken off, where they are (the lists as")
        .comment("role_extras's, and its \"own\" lines).")
        .raw("remove_own() {")
        .raw("  local role=\"$1\" out n own kind")
        .raw("  out=\"$(aws iam list-role-policies --role-name \"$role\" --query 'PolicyNames[]' --output text)\"")
        .raw("  while IFS= read -r n; do")
        .raw("    [ -n \"$n\" ] || continue")
        .raw("    case \" $2 \" in *\" $n \"*) aws iam delete-role-policy --role-name \"$role\" --policy-name \"$n\" ;; esac")
        .raw("  done <<<\"$(lines \"$out\")\"")
        .raw("  out=\"$(aws iam list-attached-role-policies --role-name \"$role\" --query 'AttachedPolicies[].PolicyArn' --output text)\"")
        .raw("  while IFS= read -r n; do")
        .raw("    [ -n \"$n\" ] || continue")
        .raw("    case \" $4 \" in *\" $n \"*) aws iam detach-role-policy --role-name \"$role\" --policy-arn \"$n\"; continue ;; esac")
        .raw("    case \"$n\" in \"$LOCAL_PREFIX\"?*) case \" $3 \" in *\" ${n#\"$LOCAL_PREFIX\"} \"*) aws iam detach-role-policy --role-name \"$role\" --policy-arn \"$n\" ;; esac ;; esac")
        .raw("  done <<<\"$(lines \"$out\")\"")
        .raw("  while read -r own kind n; do")
        .raw("    [ \"$own\" = own ] || continue")
        .raw("    case \"$kind\" in")
        .raw("      inline) aws iam delete-role-policy --role-name \"$role\" --policy-name \"$n\" ;;")
        .raw("      attached)")
        .raw("        aws iam detach-role-policy --role-name \"$role\" --policy-arn \"$n\"")
        .raw("        case \"$n\" in \"$LOCAL_PREFIX\"?*) echo \"Detached $n, this pack's own policy, which the pack no longer attaches to role $role; it stays in the account (the pack's tags name the pack, not this plan of it, so another plan of the same pack may use it). If none does: aws iam list-policy-versions --policy-arn $n, aws iam delete-policy-version --policy-arn $n --version-id ID for each version but the default, then aws iam delete-policy --policy-arn $n.\" ;; esac")
        .raw("        ;;")
        .raw("    esac")
        .raw("  done <<<\"$5\"")
        .raw("}");
}

/// `revoke.sh` for a role set: each role (inline policies, attachments, then the role), then the
/// customer-managed policies — only those this integration or pack created, in its account.
pub fn revoke_sh(set: &RoleSet, foreign_fix: &str) -> String {
    let mut s = Script::new(
        &format!("AWS: revoke the vendor's access by deleting {} and their policies.", set.what),
        &[
            "Needs: aws CLI v2 signed in to the target account.",
            "Deletes only what this integration or pack created (its tags say so), in the plan's account.",
        ],
    );
    let (policy_states, role_states) = guarded(&mut s, set, foreign_fix);
    let all: Vec<String> = policy_states.iter().chain(&role_states).map(|v| format!("[ \"${v}\" = absent ]")).collect();
    s.raw(&format!("if {}; then echo \"Nothing to revoke: none of it exists in account $ACCOUNT.\"; exit 0; fi", all.join(" && ")));
    if !set.managed_policies.is_empty() {
        used_outside(&mut s, set, &policy_states);
    }
    s.blank().comment("3. Anything on a role here that the set did not put there stops the script before anything is removed.");
    if set.records {
        pack_read_functions(&mut s, set);
    } else {
        local_prefix(&mut s, set);
    }
    removal_functions(&mut s, set);
    // Each role's own, as role_extras and remove_own take them: inline names, customer-managed
    // names, other ARNs.
    let lists: Vec<[Word; 4]> = set
        .roles
        .iter()
        .map(|role| {
            [lit(&role.name), lit(set.own_inline(role).join(" ")), lit(role.managed.join(" ")), lit(role.aws_managed_arns.join(" "))]
        })
        .collect();
    for (i, (own, state)) in lists.iter().zip(&role_states).enumerate() {
        let extras = format!("EXTRAS_{}", i + 1);
        let mut words = vec![lit("role_extras")];
        words.extend(own.iter().cloned());
        s.raw(&format!("if [ \"${state}\" = ours ]; then"))
            .raw(&format!("  {extras}=\"$({})\" || exit 1", render_words(&words)))
            .run_indented(&[lit("refuse_extras"), own[0].clone(), var(&extras)])
            .raw("fi");
    }
    s.blank().comment("4. The roles: their own policies taken off (where they are), then the role.");
    for (i, ((role, own), state)) in set.roles.iter().zip(&lists).zip(&role_states).enumerate() {
        let mut words = vec![lit("remove_own")];
        words.extend(own.iter().cloned());
        words.push(var(&format!("EXTRAS_{}", i + 1)));
        s.raw(&format!("if [ \"${state}\" = ours ]; then"))
            .run_indented(&words)
            .run_indented(&[lit("aws"), lit("iam"), lit("delete-role"), lit("--role-name"), lit(&role.name)])
            .raw("fi");
    }
    if !set.managed_policies.is_empty() {
        s.comment("5. The customer-managed policies.");
    }
    for (p, state) in set.managed_policies.iter().zip(&policy_states) {
        s.raw(&format!("if [ \"${state}\" = ours ]; then"));
        drop_old_versions(&mut s, set, &p.document.name);
        s.run_indented(&[lit("aws"), lit("iam"), lit("delete-policy"), lit("--policy-arn"), managed_arn(set, &p.document.name)]).raw("fi");
    }
    s.echo("Revoked: the roles and policies above are deleted; the vendor can no longer assume them.");
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_values_are_quoted_not_spliced() {
        let mut s = Script::new("t", &[]);
        ownership_functions(&mut s, &Owner { key: "trustbridge-pack", value: "x'; rm -rf /;'", foreign_fix: "it's $(id)" });
        let out = s.finish();
        assert!(out.contains(r#"OWNER_VALUE='x'\''; rm -rf /;'\'''"#), "{out}");
        assert!(out.contains(r#"FOREIGN_FIX='it'\''s $(id)'"#), "{out}");
    }
}
