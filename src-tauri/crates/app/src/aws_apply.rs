//! Applying a vendor plan on AWS: the steps the CLI (`trustbridge apply`) and the window (`apply_aws`,
//! `confirm_apply`) both take, on one SDK session — the guardrail pre-flight, the dry run, then the
//! apply — so neither adapter builds its clients or asks who it is acting as more than once.

use trustbridge_cloud::aws::preflight::{preflight_in, PreflightReport};
use trustbridge_cloud::aws::{self, ApplyFailure, ApplyReport, AwsSettings, CallerIdentity, Session};
use trustbridge_cloud::CloudError;
use trustbridge_core::validate::Resolved;

/// One apply's SDK session, and who it acts as once pre-flight has asked.
pub struct AwsApply {
    session: Session,
    caller: Option<CallerIdentity>,
}

impl AwsApply {
    /// Builds the customer's clients for the plan's region (no network call yet).
    pub async fn connect(r: &Resolved, settings: &AwsSettings) -> Result<AwsApply, CloudError> {
        let a = r.aws.as_ref().ok_or(CloudError::NoSection { cloud: "aws" })?;
        Ok(AwsApply { session: Session::connect(a, settings).await, caller: None })
    }

    /// The guardrail pre-flight (reads only). Remembers the caller it found, so the dry run and
    /// the apply that follow check the account without asking STS again.
    pub async fn preflight(&mut self, r: &Resolved) -> Result<PreflightReport, CloudError> {
        let rep = preflight_in(&self.session, r).await?;
        self.caller = Some(rep.caller.clone());
        Ok(rep)
    }

    /// Who pre-flight found this session acts as (None before it ran).
    pub fn caller(&self) -> Option<&CallerIdentity> {
        self.caller.as_ref()
    }

    /// The dry run (`dry_run`) or the apply of `r`, which must name the account pre-flight found.
    pub async fn apply(&self, r: &Resolved, dry_run: bool) -> Result<ApplyReport, ApplyFailure> {
        aws::apply_in(&self.session, r, dry_run, self.caller.as_ref()).await
    }
}
