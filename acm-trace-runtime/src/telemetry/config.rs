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

use super::batch::{BatchSettings, batch};
use super::env::{EnvSource, from_env, invalid, non_empty};
use super::options::{CodeOptions, ColorChoice, Protocol};
use super::redact;
use super::{StartError, parse};

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
