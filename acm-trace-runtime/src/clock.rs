//! Span timestamps: read from the CPU's time-stamp counter where it is reliable (a few
//! nanoseconds, against about twenty for the system clock), and turned into wall-clock time
//! only when a span is exported.
//!
//! The wall-clock reading is anchored once per process, so a span's times do not follow a
//! later step of the system clock; durations stay exact.

use std::sync::LazyLock;
use std::time::{Duration, SystemTime};

/// A point in time as spans record it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timestamp(fastant::Instant);

static ANCHOR: LazyLock<fastant::Anchor> = LazyLock::new(fastant::Anchor::new);

impl Timestamp {
    /// A placeholder for spans whose start is never recorded (they are not sampled).
    pub(crate) const UNSET: Timestamp = Timestamp(fastant::Instant::ZERO);

    pub(crate) fn now() -> Self {
        Timestamp(fastant::Instant::now())
    }

    pub(crate) fn to_system_time(self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_nanos(self.0.as_unix_nanos(&ANCHOR))
    }
}

#[cfg(test)]
mod tests {
    use super::Timestamp;

    #[test]
    fn follows_the_system_clock() {
        let before = std::time::SystemTime::now();
        let stamp = Timestamp::now().to_system_time();
        let after = std::time::SystemTime::now();
        let slack = std::time::Duration::from_millis(50);
        assert!(
            stamp + slack >= before && stamp <= after + slack,
            "{stamp:?} not in {before:?}..{after:?}"
        );
    }

    #[test]
    fn keeps_order_and_duration() {
        let start = Timestamp::now();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let end = Timestamp::now();
        let elapsed = end
            .to_system_time()
            .duration_since(start.to_system_time())
            .expect("end after start");
        assert!(
            elapsed >= std::time::Duration::from_millis(19),
            "{elapsed:?}"
        );
    }
}
