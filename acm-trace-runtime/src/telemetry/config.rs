//! Resolution of code settings and the environment into one configuration.
//!
//! Precedence, for every setting: a value set on the builder, then the signal-specific variable
//! (`OTEL_EXPORTER_OTLP_TRACES_*`), then the generic one (`OTEL_EXPORTER_OTLP_*`), then the
//! default. A variable is read and checked only when code has not already decided the setting.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::resource::TelemetryResourceDetector;
use opentelemetry_sdk::trace::Sampler;
use tracing_subscriber::filter::LevelFilter;

use super::builder::CodeOptions;
use super::env::{EnvSource, non_empty};
use super::redact;
use super::{ColorChoice, Protocol, StartError, parse};

/// Longest string attribute value, in bytes, when nothing else is configured.
pub(crate) const DEFAULT_VALUE_LENGTH_LIMIT: usize = 4096;
/// Bound on flushing at shutdown when nothing else is configured.
pub(crate) const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);
/// OTLP request timeout when nothing else is configured (the OTLP specification's default).
pub(crate) const DEFAULT_EXPORT_TIMEOUT: Duration = Duration::from_secs(10);
/// Directory of the embedded default's trace files when nothing else is configured.
pub(crate) const DEFAULT_OUT_DIR: &str = "acm-traces";

#[derive(Debug)]
pub(crate) struct Settings {
    pub(crate) resource: Resource,
    pub(crate) destination: Destination,
    pub(crate) sampler: Sampler,
    pub(crate) batch: BatchSettings,
    pub(crate) value_length_limit: usize,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) tracing_opentelemetry: bool,
    pub(crate) error_messages: bool,
}

#[derive(Debug)]
pub(crate) enum Destination {
    Otlp(OtlpSettings),
    File(FileSettings),
}

#[derive(Clone)]
#[cfg_attr(not(feature = "otlp"), allow(dead_code))]
pub(crate) struct OtlpSettings {
    pub(crate) protocol: Protocol,
    pub(crate) traces_endpoint: String,
    /// `None` when only a traces-specific endpoint is known: logs have nowhere to go.
    pub(crate) logs_endpoint: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) timeout: Duration,
    pub(crate) log_level: LevelFilter,
}

impl std::fmt::Debug for OtlpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtlpSettings")
            .field("protocol", &self.protocol)
            .field("traces_endpoint", &self.traces_endpoint)
            .field("logs_endpoint", &self.logs_endpoint)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
pub(crate) struct FileSettings {
    pub(crate) path: PathBuf,
    pub(crate) print_tree: bool,
    pub(crate) color: bool,
}

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

fn invalid(var: &'static str, value: String, expected: String) -> StartError {
    StartError::InvalidEnv {
        var,
        value,
        expected,
    }
}

/// Reads the first of `vars` that is set and parses it, naming that variable on failure.
fn from_env<T>(
    env: &dyn EnvSource,
    vars: &[&'static str],
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<T>, StartError> {
    for var in vars {
        if let Some(value) = non_empty(env, var)? {
            return parse(&value)
                .map(Some)
                .map_err(|expected| invalid(var, redact::shown(var, &value), expected));
        }
    }
    Ok(None)
}

impl Settings {
    pub(crate) fn resolve(code: CodeOptions, env: &dyn EnvSource) -> Result<Self, StartError> {
        let shutdown_timeout = code.shutdown_timeout.unwrap_or(DEFAULT_SHUTDOWN_TIMEOUT);
        let value_length_limit = match code.value_length_limit {
            Some(limit) => limit,
            None => from_env(
                env,
                &[
                    "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT",
                    "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT",
                ],
                parse::byte_count,
            )?
            .unwrap_or(DEFAULT_VALUE_LENGTH_LIMIT),
        };
        Ok(Self {
            tracing_opentelemetry: code.tracing_opentelemetry,
            error_messages: code.error_messages.unwrap_or(true),
            resource: resource(&code, env)?,
            sampler: sampler(&code, env)?,
            batch: batch(&code, env)?,
            destination: destination(code, env)?,
            value_length_limit,
            shutdown_timeout,
        })
    }
}

fn resource(code: &CodeOptions, env: &dyn EnvSource) -> Result<Resource, StartError> {
    let env_attrs =
        from_env(env, &["OTEL_RESOURCE_ATTRIBUTES"], parse::key_values)?.unwrap_or_default();
    let service_name = match &code.service_name {
        Some(name) => name.clone(),
        None => non_empty(env, "OTEL_SERVICE_NAME")?
            .or_else(|| {
                env_attrs
                    .iter()
                    .find(|(k, _)| k == "service.name")
                    .map(|(_, v)| v.clone())
            })
            .or_else(|| code.default_service_name.clone())
            .unwrap_or_else(crate::context::unknown_service),
    };
    // Built from empty so the SDK does not read the process environment behind our back.
    Ok(Resource::builder_empty()
        .with_detector(Box::new(TelemetryResourceDetector))
        .with_attributes(env_attrs.into_iter().map(|(k, v)| KeyValue::new(k, v)))
        .with_attributes(code.resource.iter().cloned())
        .with_service_name(service_name)
        .build())
}

fn sampler(code: &CodeOptions, env: &dyn EnvSource) -> Result<Sampler, StartError> {
    if let Some(sampler) = &code.sampler {
        return Ok(sampler.clone());
    }
    let Some(name) = non_empty(env, "OTEL_TRACES_SAMPLER")? else {
        return Ok(Sampler::ParentBased(Box::new(Sampler::AlwaysOn)));
    };
    let arg = non_empty(env, "OTEL_TRACES_SAMPLER_ARG")?;
    parse::sampler(&name, arg.as_deref()).map_err(|(arg_at_fault, expected)| {
        if arg_at_fault {
            invalid("OTEL_TRACES_SAMPLER_ARG", arg.unwrap_or_default(), expected)
        } else {
            invalid("OTEL_TRACES_SAMPLER", name, expected)
        }
    })
}

fn batch(code: &CodeOptions, env: &dyn EnvSource) -> Result<BatchSettings, StartError> {
    let count = |code: Option<usize>, var, default| -> Result<usize, StartError> {
        Ok(match code {
            Some(n) => n,
            None => from_env(env, &[var], parse::positive_count)?.unwrap_or(default),
        })
    };
    let max_queue_size = count(code.max_queue_size, "OTEL_BSP_MAX_QUEUE_SIZE", 2048)?;
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
    let configured = code.max_queue_size.is_some()
        || from_env(env, &["OTEL_BSP_MAX_QUEUE_SIZE"], parse::positive_count)?.is_some();
    Ok(BatchSettings {
        max_queue_size,
        collector_queue: if configured {
            max_queue_size
        } else {
            DEFAULT_COLLECTOR_QUEUE
        },
        scheduled_delay,
        max_export_batch_size,
    })
}

fn destination(code: CodeOptions, env: &dyn EnvSource) -> Result<Destination, StartError> {
    let insecure = match code.insecure {
        Some(b) => b,
        None => from_env(
            env,
            &[
                "OTEL_EXPORTER_OTLP_TRACES_INSECURE",
                "OTEL_EXPORTER_OTLP_INSECURE",
            ],
            parse::boolean,
        )?
        .unwrap_or(false),
    };
    let protocol = match code.protocol {
        Some(p) => p,
        None => from_env(
            env,
            &[
                "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
                "OTEL_EXPORTER_OTLP_PROTOCOL",
            ],
            parse::protocol,
        )?
        .unwrap_or_default(),
    };
    let check = |setting: &'static str, raw: String| -> Result<String, StartError> {
        let parsed = match protocol {
            Protocol::Grpc => parse::grpc_url(&raw, insecure),
            Protocol::HttpProtobuf => parse::url(&raw),
        };
        parsed.map_err(|expected| StartError::InvalidSetting {
            setting,
            value: redact::shown(setting, &raw),
            expected,
        })
    };
    let check_env = |var: &'static str| -> Result<Option<String>, StartError> {
        from_env(env, &[var], |raw| match protocol {
            Protocol::Grpc => parse::grpc_url(raw, insecure),
            Protocol::HttpProtobuf => parse::url(raw),
        })
    };

    let code_base = code.endpoint.map(|e| check("endpoint", e)).transpose()?;
    let traces_endpoint = match (code.traces_endpoint, &code_base) {
        (Some(e), _) => Some(check("traces_endpoint", e)?),
        (None, Some(base)) => Some(protocol.signal_url(base, "traces")),
        (None, None) => None,
    };
    let env_base = if code_base.is_some() {
        None
    } else {
        check_env("OTEL_EXPORTER_OTLP_ENDPOINT")?
    };
    let traces_endpoint = match traces_endpoint {
        Some(e) => Some(e),
        None => match check_env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")? {
            Some(e) => Some(e),
            None => env_base.as_ref().map(|b| protocol.signal_url(b, "traces")),
        },
    };
    let Some(traces_endpoint) = traces_endpoint else {
        let color = match code.color.unwrap_or_default() {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                non_empty(env, "NO_COLOR")?.is_none() && std::io::stderr().is_terminal()
            }
        };
        let dir = code
            .out_dir
            .unwrap_or_else(|| PathBuf::from(DEFAULT_OUT_DIR));
        let run_id = code
            .run_id
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        if run_id.is_empty() || run_id.contains(['/', '\\']) || run_id.starts_with('.') {
            return Err(StartError::InvalidSetting {
                setting: "run_id",
                value: run_id,
                expected: "a file name without path separators".into(),
            });
        }
        return Ok(Destination::File(FileSettings {
            path: dir.join(format!("{run_id}.jsonl")),
            print_tree: code.print_tree.unwrap_or(true),
            color,
        }));
    };

    let logs_endpoint = if !code.export_logs.unwrap_or(true) {
        None
    } else if let Some(base) = &code_base {
        Some(protocol.signal_url(base, "logs"))
    } else {
        match check_env("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT")? {
            Some(e) => Some(e),
            None => env_base.as_ref().map(|b| protocol.signal_url(b, "logs")),
        }
    };

    let mut headers = from_env(
        env,
        &[
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
            "OTEL_EXPORTER_OTLP_HEADERS",
        ],
        parse::headers,
    )?
    .unwrap_or_default();
    for (key, value) in code.headers.0 {
        parse::check_header(&key, &value).map_err(|expected| StartError::InvalidSetting {
            setting: "header",
            value: redact::shown("header", &format!("{key}={value}")),
            expected,
        })?;
        headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&key));
        headers.push((key, value));
    }
    let timeout = match code.timeout {
        Some(t) => t,
        None => from_env(
            env,
            &[
                "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
                "OTEL_EXPORTER_OTLP_TIMEOUT",
            ],
            parse::millis,
        )?
        .unwrap_or(DEFAULT_EXPORT_TIMEOUT),
    };
    Ok(Destination::Otlp(OtlpSettings {
        protocol,
        traces_endpoint,
        logs_endpoint,
        headers,
        timeout,
        log_level: code.log_level.unwrap_or(LevelFilter::INFO),
    }))
}

impl Protocol {
    /// The URL of one signal under a base endpoint: HTTP appends `/v1/<signal>`, gRPC routes by
    /// service name and keeps the base as it is.
    fn signal_url(self, base: &str, signal: &str) -> String {
        match self {
            Protocol::Grpc => base.to_string(),
            Protocol::HttpProtobuf => format!("{}/v1/{signal}", base.trim_end_matches('/')),
        }
    }
}
