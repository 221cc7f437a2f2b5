//! The source of "now" for everything that runs: the API and page handlers and the
//! notification worker never read the system clock directly, so tests can fix or move time.
//! (The scheduling core reads no clock at all: `now` is its argument.)

use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Where "now" comes from: the system clock in service, a fixed or hand-moved one in tests.
/// Cheap to clone.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(Arc::new(Utc::now))
    }

    /// A clock that always answers `at`.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self(Arc::new(move || at))
    }

    /// A clock that reads `start` at the moment it is made and runs on in real time from
    /// there (measured on the monotonic clock): a whole process — API, pages and worker —
    /// living at a chosen date, for end-to-end tests and rehearsals.
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        let origin = std::time::Instant::now();
        Self(Arc::new(move || {
            let elapsed = chrono::TimeDelta::from_std(origin.elapsed()).unwrap_or(chrono::TimeDelta::MAX);
            start.checked_add_signed(elapsed).unwrap_or(DateTime::<Utc>::MAX_UTC)
        }))
    }

    /// A clock driven by a function (tests move time forward with it).
    pub fn from_fn(now: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        Self(Arc::new(now))
    }

    /// Now.
    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;
    use std::sync::Mutex;

    #[test]
    fn each_kind_answers_its_now() {
        let at: DateTime<Utc> = "2027-01-04T08:00:00Z".parse().expect("an instant");
        assert_eq!(Clock::fixed(at).now(), at);
        let moved = Arc::new(Mutex::new(at));
        let hand = moved.clone();
        let clock = Clock::from_fn(move || *hand.lock().expect("the time"));
        *moved.lock().expect("the time") += TimeDelta::hours(1);
        assert_eq!(clock.clone().now(), at + TimeDelta::hours(1));
        let before = Utc::now();
        assert!(Clock::system().now() >= before);
        let running = Clock::starting_at(at);
        let (first, second) = (running.now(), running.now());
        assert!(at <= first && first <= second && second < at + TimeDelta::minutes(1));
    }
}
