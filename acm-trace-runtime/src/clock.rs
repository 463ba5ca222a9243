//! Span timestamps: read from the CPU's time-stamp counter where it is reliable (about ten
//! nanoseconds, against about twenty for the system clock), and turned into wall-clock time
//! only when a span is exported.
//!
//! The counter's rate is calibrated once, lazily, the first time a timestamp is read (about
//! half a millisecond), and the collector thread reads one as it starts, so the program's own
//! threads rarely wait for it. Nothing runs before `main`: a program that links acm-trace but
//! records no span never calibrates.
//!
//! The wall-clock reading is anchored once per process, so a span's times do not follow a
//! later step of the system clock; durations stay exact.

use std::sync::LazyLock;
use std::time::{Duration, SystemTime};

/// The time-stamp counter (or the monotonic clock where the counter is unreliable): spans
/// store its raw reading, and the collector scales it to nanoseconds. Miri cannot run the
/// counter's instructions, so it gets the standard clock.
#[cfg(not(miri))]
mod source {
    use std::sync::LazyLock;

    /// `quanta`'s clock used directly: its global `Instant::now` also looks up a per-thread
    /// mock clock on every call, which would double the cost of a reading.
    static CLOCK: LazyLock<quanta::Clock> = LazyLock::new(quanta::Clock::new);

    /// Never zero, so that a span's optional start time takes no more room than a reading
    /// (a counter reading of zero becomes one: a cycle).
    pub(super) type Raw = std::num::NonZeroU64;
    pub(super) type Instant = quanta::Instant;

    #[inline(always)]
    pub(super) fn now() -> Raw {
        Raw::new(CLOCK.raw()).unwrap_or(Raw::MIN)
    }

    pub(super) fn scaled(raw: Raw) -> Instant {
        CLOCK.scaled(raw.get())
    }

    pub(super) fn instant_now() -> Instant {
        CLOCK.now()
    }
}

#[cfg(miri)]
mod source {
    pub(super) type Raw = std::time::Instant;
    pub(super) type Instant = std::time::Instant;

    pub(super) fn now() -> Raw {
        std::time::Instant::now()
    }

    pub(super) fn scaled(raw: Raw) -> Instant {
        raw
    }

    pub(super) fn instant_now() -> Instant {
        std::time::Instant::now()
    }
}

use source::Instant;

/// A point in time as spans record it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timestamp(source::Raw);

/// One reading of both clocks, taken together: the wall-clock time of every timestamp is
/// this anchor's plus the monotonic distance from it.
static ANCHOR: LazyLock<(Instant, SystemTime)> =
    LazyLock::new(|| (source::instant_now(), SystemTime::now()));

impl Timestamp {
    #[inline(always)]
    pub(crate) fn now() -> Self {
        Timestamp(source::now())
    }

    pub(crate) fn to_system_time(self) -> SystemTime {
        self.wall_time(*ANCHOR)
    }

    fn wall_time(self, (instant, wall): (Instant, SystemTime)) -> SystemTime {
        let this = source::scaled(self.0);
        match this.checked_duration_since(instant) {
            Some(after) => wall + after,
            None => {
                wall - instant
                    .checked_duration_since(this)
                    .unwrap_or(Duration::ZERO)
            }
        }
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

    /// A timestamp taken before the anchor converts as well as one after it.
    #[test]
    fn stamps_before_the_anchor_convert() {
        let early = Timestamp::now();
        std::thread::sleep(std::time::Duration::from_millis(5));
        let anchor = (super::source::instant_now(), std::time::SystemTime::now());
        let late = Timestamp::now();
        let early = early.wall_time(anchor);
        let ms = |d: std::time::Duration| d.as_millis();
        let before = anchor
            .1
            .duration_since(early)
            .expect("early is before the anchor");
        assert!(ms(before) >= 5 && ms(before) < 1000, "{before:?}");
        assert!(late.wall_time(anchor) >= anchor.1);
    }
}
