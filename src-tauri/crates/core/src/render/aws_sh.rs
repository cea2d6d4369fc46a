//! The pieces every exported AWS script shares — vendor plans' `aws/setup.sh` / `revoke.sh` and
//! role packs' — so the ownership and account rules are written once: check the account first,
//! and never change or delete a role (or customer-managed policy) that Trustbridge did not create
//! for this integration or pack. The same rule as the apply engine (`aws.role_not_ours`,
//! `aws.pack_resource_not_ours`); the scripts are stricter in one place: an adopted role (one
//! that existed before `trustbridge apply --adopt` took it in) is refused too, because a script
//! can only replace a trust policy, not merge into it.

use crate::render::sh::{lit, var, Script, Word};

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
