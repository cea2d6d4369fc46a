//! What the Google Cloud and Azure apply engines share: an apply or revoke stopped part way (what
//! was done, what was not, and why), changes made a bounded number at a time ([`in_turn`]), and a
//! credential made at the person's request for the OS keyring. (The AWS engine's `ApplyFailure`
//! also names the caller it acted as.)

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use trustbridge_secrets::Sensitive;

use crate::error::{CloudError, ErrorInfo};

/// Apply or revoke stopped part way. Serializes as `{error: {code, message, fix}, done, not_done,
/// notes}`.
#[derive(Debug, Clone, Serialize)]
pub struct Stopped<C> {
    #[serde(serialize_with = "error_info")]
    pub error: CloudError,
    pub done: Vec<C>,
    pub not_done: Vec<C>,
    /// What the run had found to say before it stopped (grants kept and why, what could not be
    /// read): the same notes a finished run reports, so a failure does not hide them.
    pub notes: Vec<String>,
}

impl<C> Stopped<C> {
    pub fn new(error: CloudError, done: Vec<C>, not_done: Vec<C>) -> Self {
        Stopped { error, done, not_done, notes: Vec::new() }
    }
    /// The run's notes, carried by its failure.
    pub fn noted(mut self, notes: Vec<String>) -> Self {
        self.notes.extend(notes);
        self
    }
}

/// Makes each unit of changes with `make`, at most `at_once` at a time, in order. Once one fails, no
/// unit not yet started is started (those under way finish): a failure stops the run as soon as it
/// can, and what was done, what failed and what was never tried stay told apart ([`settle`]).
/// `None`: not started.
pub async fn in_turn<'a, C, F>(units: &'a [Vec<C>], at_once: usize, make: impl Fn(&'a [C]) -> F) -> Vec<Option<Result<(), CloudError>>>
where
    F: Future<Output = Result<(), CloudError>>,
{
    let stop = AtomicBool::new(false);
    let stop = &stop;
    // Made before the stream: a stream over an iterator's closure would not be `Send` for every
    // lifetime, which a Tauri command's future must be.
    let jobs: Vec<_> = units
        .iter()
        .map(|unit| {
            let job = make(unit);
            async move {
                if stop.load(Ordering::SeqCst) {
                    return None;
                }
                let r = job.await;
                if r.is_err() {
                    stop.store(true, Ordering::SeqCst);
                }
                Some(r)
            }
        })
        .collect();
    stream::iter(jobs).buffered(at_once.max(1)).collect().await
}

/// [`in_turn`]'s results: the units made are added to `done`; on a failure, its first error (in
/// the units' order) and every change not made (failed or not started), in order.
pub fn settle<C>(units: Vec<Vec<C>>, results: Vec<Option<Result<(), CloudError>>>, done: &mut Vec<C>) -> Option<(CloudError, Vec<C>)> {
    let mut error = None;
    let mut not_done = Vec::new();
    for (unit, r) in units.into_iter().zip(results) {
        match r {
            Some(Ok(())) => done.extend(unit),
            Some(Err(e)) => {
                error.get_or_insert(e);
                not_done.extend(unit);
            }
            None => not_done.extend(unit),
        }
    }
    error.map(|e| (e, not_done))
}

fn error_info<S: serde::Serializer>(e: &CloudError, s: S) -> Result<S::Ok, S::Error> {
    ErrorInfo::serialize(&e.info(), s)
}

impl<C> From<CloudError> for Stopped<C> {
    fn from(error: CloudError) -> Self {
        Stopped::new(error, Vec::new(), Vec::new())
    }
}

impl<C> fmt::Display for Stopped<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.error, self.error.code())
    }
}

/// How a removal ends once it has read what it would remove (every cloud's revoke).
#[derive(Debug, Clone, Copy)]
pub enum Removal<'a> {
    /// Remove what is read now (the CLI's `revoke`, which prints what it did).
    Now,
    /// Read only: say what would be removed.
    DryRun,
    /// Remove exactly what the person confirmed: the first lines of the dry run's changes. When
    /// what would be removed now differs (something changed in between), nothing is removed.
    Confirmed(&'a [String]),
}

impl Removal<'_> {
    pub fn dry_run(self) -> bool {
        matches!(self, Removal::DryRun)
    }

    /// Whether `changes`, read now, may be made: always, unless they are not what was confirmed.
    pub fn allows<C: fmt::Display>(self, changes: &[C]) -> bool {
        match self {
            Removal::Confirmed(confirmed) => {
                changes.iter().map(|c| c.to_string().lines().next().unwrap_or_default().to_string()).eq(confirmed.iter().cloned())
            }
            _ => true,
        }
    }
}

/// A credential created at the person's request, for the OS keyring at once: never written,
/// printed or logged by Trustbridge. `Debug` shows only the id.
pub struct CreatedSecret {
    /// The key id (GCP) or the secret's key id (Azure): not secret.
    pub id: String,
    /// The key file (GCP) or the create-for-rbac JSON (Azure), as `secrets set` takes them.
    pub text: Sensitive<String>,
}

impl fmt::Debug for CreatedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CreatedSecret({})", self.id)
    }
}
