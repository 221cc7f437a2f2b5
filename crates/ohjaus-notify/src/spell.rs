//! A spell of trouble — the database unreachable, the mail transport failing — as the worker
//! tells it: once when it begins and once when it ends, however many polls or messages meet
//! it in between (a log line per poll or per message would bury everything else), and the
//! pause between tries that grows while it lasts.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Whether a kind of trouble is on, and since when. Shared by the worker's loops.
#[derive(Debug, Default)]
pub(crate) struct Spell {
    since: Mutex<Option<Instant>>,
}

impl Spell {
    fn since(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        // Only an `Option<Instant>` is behind the lock: a panic cannot leave it half-written.
        self.since.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Notes a failure; `true` when it begins a spell (say so), `false` during one.
    pub(crate) fn begins(&self) -> bool {
        let mut since = self.since();
        if since.is_some() {
            return false;
        }
        *since = Some(Instant::now());
        true
    }

    /// Notes a success; how long the spell lasted when it ends one (say so).
    pub(crate) fn ends(&self) -> Option<Duration> {
        self.since().take().map(|since| since.elapsed())
    }
}

/// The pause before the next try: from `first`, doubled after every failure, never more
/// than `cap`, back to `first` after a success.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Backoff {
    first: Duration,
    cap: Duration,
    next: Duration,
}

impl Backoff {
    /// Pauses from `first` up to `cap` (at least `first`).
    pub(crate) fn new(first: Duration, cap: Duration) -> Self {
        Self { first, cap: cap.max(first), next: first }
    }

    /// The pause after a failure; the next one is twice as long, up to the cap.
    pub(crate) fn after_failure(&mut self) -> Duration {
        let pause = self.next;
        self.next = (self.next * 2).min(self.cap);
        pause
    }

    /// After a success the pauses start again from the first.
    pub(crate) fn reset(&mut self) {
        self.next = self.first;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spell_is_told_once_each_way() {
        let spell = Spell::default();
        assert!(spell.ends().is_none(), "no spell, nothing ends");
        assert!(spell.begins());
        assert!(!spell.begins());
        assert!(!spell.begins());
        assert!(spell.ends().is_some());
        assert!(spell.ends().is_none());
        assert!(spell.begins(), "a new spell");
    }

    #[test]
    fn the_pause_grows_to_its_cap_and_starts_again() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_millis(700));
        let pauses: Vec<u128> = (0..5).map(|_| backoff.after_failure().as_millis()).collect();
        assert_eq!(pauses, [100, 200, 400, 700, 700]);
        backoff.reset();
        assert_eq!(backoff.after_failure(), Duration::from_millis(100));
    }
}
