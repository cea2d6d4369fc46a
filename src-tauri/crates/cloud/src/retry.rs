//! Bounded retry: only errors a caller names as retryable, exponential backoff, a cap on attempts
//! and on total time. Each wait is announced (what we wait for, how long) through a callback.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::error::CloudError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, including the first (≥ 1).
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// No new attempt starts after this much time has passed since the first.
    pub max_total: Duration,
}

impl RetryPolicy {
    /// For ordinary calls: throttling and transient network errors, a few attempts.
    pub const fn calls() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_total: Duration::from_secs(30),
        }
    }

    /// For IAM propagation (a new role becoming assumable): about two minutes in all.
    pub const fn propagation() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 40,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(8),
            max_total: Duration::from_secs(120),
        }
    }

    pub const fn none() -> RetryPolicy {
        RetryPolicy { max_attempts: 1, initial_backoff: Duration::ZERO, max_backoff: Duration::ZERO, max_total: Duration::ZERO }
    }

    /// Backoff before attempt `n + 1` (n ≥ 1): initial · 2^(n-1), capped.
    pub fn backoff(&self, n: u32) -> Duration {
        let factor = 1u32.checked_shl(n.saturating_sub(1).min(16)).unwrap_or(u32::MAX);
        self.initial_backoff.saturating_mul(factor).min(self.max_backoff)
    }
}

/// One announced wait.
#[derive(Debug, Clone)]
pub struct Wait<'a> {
    pub attempt: u32,
    pub delay: Duration,
    pub error: &'a CloudError,
}

/// Runs `op` until it succeeds, fails with an error `retryable` does not name, or the policy's
/// attempts or total time run out. Returns the last error then.
pub async fn retry<T, F, Fut>(
    policy: RetryPolicy,
    retryable: impl Fn(&CloudError) -> bool,
    mut on_wait: impl FnMut(Wait<'_>),
    mut op: F,
) -> Result<T, CloudError>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, CloudError>>,
{
    let start = Instant::now();
    let mut attempt = 1;
    loop {
        match op(attempt).await {
            Ok(v) => return Ok(v),
            Err(e) => {
                let delay = policy.backoff(attempt);
                let out_of_time = start.elapsed() + delay > policy.max_total;
                if !retryable(&e) || attempt >= policy.max_attempts || out_of_time {
                    return Err(e);
                }
                on_wait(Wait { attempt, delay, error: &e });
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn throttled() -> CloudError {
        CloudError::Throttled { action: "iam:GetRole".into(), message: String::new() }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            max_attempts: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(500),
            max_total: Duration::from_secs(10),
        };
        assert_eq!(p.backoff(1), Duration::from_millis(100));
        assert_eq!(p.backoff(2), Duration::from_millis(200));
        assert_eq!(p.backoff(3), Duration::from_millis(400));
        assert_eq!(p.backoff(4), Duration::from_millis(500));
        assert_eq!(p.backoff(60), Duration::from_millis(500));
    }

    #[tokio::test]
    async fn retries_only_named_errors_and_stops_at_the_cap() {
        let p = RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(2),
            max_total: Duration::from_secs(5),
        };
        let calls = Cell::new(0);
        let waits = Cell::new(0);
        let r: Result<(), _> = retry(
            p,
            CloudError::is_transient,
            |_| waits.set(waits.get() + 1),
            |_| {
                calls.set(calls.get() + 1);
                async { Err(throttled()) }
            },
        )
        .await;
        assert_eq!(r.unwrap_err().code(), "aws.throttled");
        assert_eq!((calls.get(), waits.get()), (3, 2));

        let calls = Cell::new(0);
        let r: Result<(), _> = retry(
            p,
            CloudError::is_transient,
            |_| {},
            |_| {
                calls.set(calls.get() + 1);
                async { Err(CloudError::NotFound { what: "x".into() }) }
            },
        )
        .await;
        assert_eq!(r.unwrap_err().code(), "aws.not_found");
        assert_eq!(calls.get(), 1, "an unnamed error is never retried");

        let r = retry(
            p,
            CloudError::is_transient,
            |_| {},
            |n| async move {
                if n < 2 {
                    Err(throttled())
                } else {
                    Ok(n)
                }
            },
        )
        .await;
        assert_eq!(r.unwrap(), 2);
    }
}
