//! Pick lists, shared by the providers' `list` modules: what the customer's sign-in can see (GCP
//! projects, buckets, topics; Azure subscriptions, resource groups, storage accounts, containers,
//! topics), for the wizard before any plan exists. Read only. A name the cloud sends is input like
//! any other: only names the plan's own rule accepts are kept, so nothing offered could not be
//! answered, and pages are read up to a bound.

use trustbridge_core::validate::rules::Rule;

/// Pages read per listing at most (each as long as the API makes it): a bound on a huge organization.
pub const MAX_PAGES: usize = 20;

/// What one listing found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// The names, sorted, each accepted by the plan's rule for such a name.
    pub names: Vec<String>,
    /// More pages than [`MAX_PAGES`]: the list is not everything there is.
    pub truncated: bool,
    /// Who listed (the sign-in), for "Listed as …".
    pub acting_as: String,
}

/// Keeps the names `rule` accepts, sorted, once each.
pub fn tidy(mut names: Vec<String>, rule: fn(&str) -> Rule) -> Vec<String> {
    names.retain(|n| rule(n).is_ok());
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustbridge_core::validate::rules;

    #[test]
    fn only_names_a_plan_could_hold_are_offered() {
        let got = tidy(
            vec!["b-two".into(), "a-one".into(), "Bad Name".into(), "x".into(), "b-two".into(), "goog-bucket".into()],
            rules::gcs_bucket,
        );
        assert_eq!(got, vec!["a-one".to_string(), "b-two".to_string()]);
        assert_eq!(tidy(vec!["ok-project-1".into(), "has\u{202e}bidi".into()], rules::gcp_project_id), vec!["ok-project-1".to_string()]);
        assert_eq!(tidy(vec!["ml-rg".into(), "rg with/slash".into()], rules::resource_group), vec!["ml-rg".to_string()]);
    }
}
