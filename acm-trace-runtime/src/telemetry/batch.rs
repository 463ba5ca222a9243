//! The batching settings: how many spans may wait for export, and how they are batched.

use std::time::Duration;

use super::env::{EnvSource, from_env, invalid};
use super::options::CodeOptions;
use super::{StartError, parse};

/// The largest queue of spans waiting for export that may be configured: 2^20 spans. The batch
/// processor of [`build`](crate::TelemetryBuilder::build)'s layers allocates its whole queue at
/// start (about 370 bytes a span, so 390 MB at this bound); a larger value is a configuration
/// mistake, refused rather than left to exhaust memory.
pub const MAX_QUEUE_SIZE: usize = 1 << 20;

/// The native subscriber's queue when `OTEL_BSP_MAX_QUEUE_SIZE` is not set: 2^18 spans.
/// Its queue holds span records (about 150 bytes each, grown as spans arrive, never allocated
/// ahead), so it can absorb bursts of a few seconds at 100,000 spans a second where the SDK's
/// default of 2,048 `SpanData` would drop most of them.
pub const DEFAULT_COLLECTOR_QUEUE: usize = 1 << 18;

#[derive(Debug, Clone, Copy)]
pub(crate) struct BatchSettings {
    pub(crate) max_queue_size: usize,
    /// The native subscriber's queue: the configured size, or [`DEFAULT_COLLECTOR_QUEUE`].
    pub(crate) collector_queue: usize,
    pub(crate) scheduled_delay: Duration,
    pub(crate) max_export_batch_size: usize,
}

pub(super) fn batch(code: &CodeOptions, env: &dyn EnvSource) -> Result<BatchSettings, StartError> {
    let count = |code: Option<usize>, var, default| -> Result<usize, StartError> {
        Ok(match code {
            Some(n) => n,
            None => from_env(env, &[var], parse::positive_count)?.unwrap_or(default),
        })
    };
    // Read once: whether a size was configured decides the collector's queue below.
    let configured_queue = match code.max_queue_size {
        Some(n) => Some(n),
        None => from_env(env, &["OTEL_BSP_MAX_QUEUE_SIZE"], parse::positive_count)?,
    };
    let max_queue_size = configured_queue.unwrap_or(2048);
    if max_queue_size > MAX_QUEUE_SIZE {
        let expected = format!("at most {MAX_QUEUE_SIZE} spans");
        return Err(match code.max_queue_size {
            Some(_) => StartError::InvalidSetting {
                setting: "max_queue_size",
                value: max_queue_size.to_string(),
                expected,
            },
            None => invalid(
                "OTEL_BSP_MAX_QUEUE_SIZE",
                max_queue_size.to_string(),
                expected,
            ),
        });
    }
    let max_export_batch_size = count(
        code.max_export_batch_size,
        "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
        512,
    )?;
    let scheduled_delay = match code.scheduled_delay {
        Some(d) => d,
        None => from_env(env, &["OTEL_BSP_SCHEDULE_DELAY"], parse::millis)?
            .unwrap_or(Duration::from_millis(5000)),
    };
    // Read only to reject a bad value: the SDK's thread-based batch processor has no use for
    // them (each export is bounded by the OTLP timeout instead).
    from_env(env, &["OTEL_BSP_EXPORT_TIMEOUT"], parse::millis)?;
    from_env(
        env,
        &["OTEL_BSP_MAX_CONCURRENT_EXPORTS"],
        parse::positive_count,
    )?;
    if max_export_batch_size > max_queue_size {
        // The SDK would shrink the batch quietly; a mismatch is a configuration mistake.
        return Err(StartError::InvalidSetting {
            setting: "max_export_batch_size",
            value: max_export_batch_size.to_string(),
            expected: format!("at most the max queue size ({max_queue_size})"),
        });
    }
    Ok(BatchSettings {
        max_queue_size,
        collector_queue: configured_queue.unwrap_or(DEFAULT_COLLECTOR_QUEUE),
        scheduled_delay,
        max_export_batch_size,
    })
}
