//! The request rate limit of `POST /v1/attest`: a token bucket, `burst` requests at once and
//! `rate` a second on average. A request over it is answered 429 with `Retry-After` before its
//! body is read. (The other limit, verifications in flight, is a semaphore in
//! [`crate::Quorum::attest`]: a request waits for no slot, it gets 429 too.)

use std::{
    sync::{Mutex, PoisonError},
    time::Instant,
};

/// A token bucket.
#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    /// Tokens left, as of the instant.
    state: Mutex<(f64, Instant)>,
}

impl TokenBucket {
    /// Full at first: `burst` tokens, refilled at `rate` a second (both at least 1).
    pub fn new(rate: u32, burst: u32) -> Self {
        let (rate, burst) = (f64::from(rate.max(1)), f64::from(burst.max(1)));
        Self { rate, burst, state: Mutex::new((burst, Instant::now())) }
    }

    /// Takes a token, or says in how many whole seconds (at least 1) the next one is there.
    pub fn take(&self) -> Result<(), u64> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let tokens = (state.0 + now.duration_since(state.1).as_secs_f64() * self.rate).min(self.burst);
        if tokens >= 1.0 {
            *state = (tokens - 1.0, now);
            Ok(())
        } else {
            *state = (tokens, now);
            // At most 1 / rate ≤ 1 s: the cast cannot overflow.
            Err(((1.0 - tokens) / self.rate).ceil().max(1.0) as u64)
        }
    }
}
