//! What the Google Cloud and Azure apply engines share: an apply or revoke stopped part way (what
//! was done, what was not, and why), calls made a bounded number at a time (reads: [`at_most`];
//! changes: [`in_turn`]), and a credential made at the person's request for the OS keyring. (The
//! AWS engine's `ApplyFailure` also names the caller it acted as.)

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

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

/// What the units of one [`in_turn`] run share: whether one has failed (then no other starts, and
/// one waiting to try again gives up: [`Turns::stopped`]), which failed first, and when the run was
/// first told a new account is not known yet (one wait budget for all: [`Turns::waits_from`]).
#[derive(Default)]
pub struct Turns {
    stop: AtomicBool,
    /// Wakes the units asleep in [`Turns::pause`] when one fails.
    wake: tokio::sync::Notify,
    first_failed: Mutex<Option<usize>>,
    first_miss: OnceLock<Instant>,
}

impl Turns {
    /// A unit of this run has failed: a unit about to wait or try again, or back from a wait, gives
    /// up.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
    /// When the run's waits began (the first call to this).
    pub fn waits_from(&self) -> Instant {
        *self.first_miss.get_or_init(Instant::now)
    }
    /// Sleeps `delay`, or until a unit of this run fails, whichever comes first: a unit waiting
    /// for a new account (up to 8 s a wait) sees the run stopped at once, not at the end of its
    /// sleep. The caller then asks [`Turns::stopped`].
    pub async fn pause(&self, delay: Duration) {
        // Made before the check: a `Notified` receives `notify_waiters` from its creation on, so a
        // failure between the check and the sleep still wakes it.
        let woken = self.wake.notified();
        if self.stopped() {
            return;
        }
        tokio::select! {
            _ = woken => {}
            _ = tokio::time::sleep(delay) => {}
        }
    }
    fn failed(&self, unit: usize) {
        if let Ok(mut first) = self.first_failed.lock() {
            first.get_or_insert(unit);
        }
        self.stop.store(true, Ordering::SeqCst);
        self.wake.notify_waiters();
    }
}

/// IAM policy and role assignment calls made at once against one cloud (a plan's reads and
/// changes, or a project's many buckets read for grants the plan no longer names): the rest wait
/// their turn, so a plan of hundreds of buckets or containers opens no more than this many
/// connections against Google's per-minute quotas or Resource Manager's per-principal throttling.
pub const CALLS_AT_ONCE: usize = 8;

/// Awaits `calls` at most `at_once` at a time, started in order, one as soon as another ends (a
/// slow call holds up no other: `buffered` would, counting finished calls that wait for their turn
/// in its window), their results in the calls' order. The caller makes the calls first, into a
/// `Vec`: a stream over an iterator's closure would not be `Send` for every lifetime, which a Tauri
/// command's future must be.
pub async fn at_most<F: Future>(calls: Vec<F>, at_once: usize) -> Vec<F::Output> {
    let numbered: Vec<_> = calls.into_iter().enumerate().map(|(i, call)| async move { (i, call.await) }).collect();
    let mut results: Vec<(usize, F::Output)> = stream::iter(numbered).buffer_unordered(at_once.max(1)).collect().await;
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Makes each unit of changes with `make`, at most `at_once` at a time, in order. Once one fails,
/// no unit not yet started is started, and those under way are not tried again after their wait
/// or retry ([`Turns::stopped`]): a failure stops the run as soon as it can, and what was done,
/// what failed and what was never tried stay told apart ([`settle`]). `None`: not started.
pub async fn in_turn<'a, C, F>(
    units: &'a [Vec<C>],
    at_once: usize,
    turns: &'a Turns,
    make: impl Fn(&'a [C]) -> F,
) -> Vec<Option<Result<(), CloudError>>>
where
    F: Future<Output = Result<(), CloudError>>,
{
    let jobs: Vec<_> = units
        .iter()
        .enumerate()
        .map(|(i, unit)| {
            let job = make(unit);
            async move {
                if turns.stopped() {
                    return None;
                }
                let r = job.await;
                if r.is_err() {
                    turns.failed(i);
                }
                Some(r)
            }
        })
        .collect();
    at_most(jobs, at_once).await
}

/// [`in_turn`]'s results: the units made are added to `done`; on a failure, the error of the unit
/// that failed first (what stopped the run; the others may have given up because of it) and every
/// change not made (failed or not started), in order.
pub fn settle<C>(
    units: Vec<Vec<C>>,
    results: Vec<Option<Result<(), CloudError>>>,
    turns: &Turns,
    done: &mut Vec<C>,
) -> Option<(CloudError, Vec<C>)> {
    let first = turns.first_failed.lock().ok().and_then(|f| *f);
    let mut error = None;
    let mut other = None;
    let mut not_done = Vec::new();
    for (i, (unit, r)) in units.into_iter().zip(results).enumerate() {
        match r {
            Some(Ok(())) => done.extend(unit),
            Some(Err(e)) => {
                if Some(i) == first {
                    error = Some(e);
                } else {
                    other.get_or_insert(e);
                }
                not_done.extend(unit);
            }
            None => not_done.extend(unit),
        }
    }
    error.or(other).map(|e| (e, not_done))
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    /// A slow first call does not hold the others back: while it runs, the rest go through the
    /// other places one after another; never more than `at_once` run; results come in order.
    #[tokio::test]
    async fn at_most_is_a_sliding_window_in_order() {
        let started = AtomicUsize::new(0);
        let running = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let seen_by_first = AtomicUsize::new(0);
        let calls: Vec<_> = (0..20usize)
            .map(|i| {
                let (started, running, most, seen_by_first) = (&started, &running, &most, &seen_by_first);
                async move {
                    started.fetch_add(1, Ordering::SeqCst);
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(if i == 0 { 400 } else { 5 })).await;
                    running.fetch_sub(1, Ordering::SeqCst);
                    if i == 0 {
                        seen_by_first.store(started.load(Ordering::SeqCst), Ordering::SeqCst);
                    }
                    i * 10
                }
            })
            .collect();
        let out = at_most(calls, 2).await;
        assert_eq!(out, (0..20).map(|i| i * 10).collect::<Vec<_>>());
        assert!(most.load(Ordering::SeqCst) <= 2, "{} at once", most.load(Ordering::SeqCst));
        assert_eq!(seen_by_first.load(Ordering::SeqCst), 20, "the others waited for the slow first call");
    }
}
