//! `track_resources`: memory and CPU of the process while a span runs. Measured on Linux
//! (`/proc/self/statm` and `getrusage`); elsewhere only the duration, never a made-up value.

use std::time::{Duration, Instant};

use tracing_core::field::Value;

use crate::fields::StandardField;

const MIB: f64 = 1024.0 * 1024.0;

/// What the process had used when the span opened.
pub struct ResourceStart {
    wall: Instant,
    rss: Option<u64>,
    cpu: Option<Duration>,
}

impl ResourceStart {
    pub(crate) fn now() -> Self {
        ResourceStart {
            wall: Instant::now(),
            rss: rss_bytes(),
            cpu: process_cpu(),
        }
    }

    /// Records `acm.mem_mb`, `acm.mem_delta_mb`, `acm.cpu_pct` and `acm.duration_s`.
    pub(crate) fn record_end(self, mut record: impl FnMut(usize, &dyn Value)) {
        let wall = self.wall.elapsed();
        record(StandardField::DurationS.index(), &wall.as_secs_f64());
        if let (Some(start), Some(end)) = (self.rss, rss_bytes()) {
            record(StandardField::MemMb.index(), &round2(end as f64 / MIB));
            record(
                StandardField::MemDeltaMb.index(),
                &round2((end as f64 - start as f64) / MIB),
            );
        }
        if let (Some(start), Some(end)) = (self.cpu, process_cpu())
            && !wall.is_zero()
        {
            let pct = end.saturating_sub(start).as_secs_f64() / wall.as_secs_f64() * 100.0;
            record(StandardField::CpuPct.index(), &round2(pct));
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(target_os = "linux")]
fn rss_bytes() -> Option<u64> {
    // statm's second field is the resident set in pages.
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(page).ok().map(|page| pages * page)
}

#[cfg(target_os = "linux")]
fn process_cpu() -> Option<Duration> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::uninit();
    // SAFETY: getrusage writes a full rusage into the pointer on success.
    let usage = unsafe {
        if libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) != 0 {
            return None;
        }
        usage.assume_init()
    };
    let tv = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).ok()?)
            .checked_add(Duration::from_micros(u64::try_from(t.tv_usec).ok()?))
    };
    tv(usage.ru_utime)?.checked_add(tv(usage.ru_stime)?)
}

#[cfg(not(target_os = "linux"))]
fn rss_bytes() -> Option<u64> {
    None
}

#[cfg(not(target_os = "linux"))]
fn process_cpu() -> Option<Duration> {
    None
}
