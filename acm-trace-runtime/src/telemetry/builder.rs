//! The builder returned by [`init`](crate::init).

use std::path::PathBuf;
use std::time::Duration;

use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::trace::Sampler;
use tracing::Subscriber;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::registry::LookupSpan;

use super::config::Settings;
use super::env::{BoxedEnv, EnvSource};
use super::options::{CodeOptions, ColorChoice, Protocol, TelemetryLayer};
use super::pipeline::{Pipeline, SpanPath};
use super::{StartError, Telemetry};

/// Configures and starts the export pipeline; made by [`init`](crate::init).
///
/// # Code and environment
///
/// Every setting can come from code (the methods below) or from the standard `OTEL_*`
/// environment variables. **Code wins**: a value set here is used as it is and the matching
/// variable is not read. Without a value in code, the signal-specific variable
/// (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) beats the generic one (`OTEL_EXPORTER_OTLP_ENDPOINT`),
/// which beats the default. A variable that is read and holds a bad value makes
/// [`start`](Self::start) fail with a [`StartError`] naming the variable and the value; nothing
/// falls back silently.
///
/// | setting | code | environment | default |
/// |---|---|---|---|
/// | service name | [`service_name`](Self::service_name) | `OTEL_SERVICE_NAME`, then `service.name` in `OTEL_RESOURCE_ATTRIBUTES` | [`default_service_name`](Self::default_service_name), else `unknown_service:<executable>` (the OpenTelemetry rule) |
/// | resource | [`resource_attribute`](Self::resource_attribute) | `OTEL_RESOURCE_ATTRIBUTES` | SDK attributes |
/// | endpoint | [`endpoint`](Self::endpoint), [`traces_endpoint`](Self::traces_endpoint) | `OTEL_EXPORTER_OTLP_{TRACES_,}ENDPOINT` | none: the embedded file |
/// | protocol | [`protocol`](Self::protocol) | `OTEL_EXPORTER_OTLP_{TRACES_,}PROTOCOL` | `http/protobuf` |
/// | headers | [`header`](Self::header) (replaces the same name) | `OTEL_EXPORTER_OTLP_{TRACES_,}HEADERS` | none |
/// | request timeout | [`timeout`](Self::timeout) | `OTEL_EXPORTER_OTLP_{TRACES_,}TIMEOUT` (ms) | 10 s |
/// | scheme of a gRPC endpoint without one | [`insecure`](Self::insecure) | `OTEL_EXPORTER_OTLP_{TRACES_,}INSECURE` | `false` (https) |
/// | sampler | [`sampler`](Self::sampler) | `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG` | `parentbased_always_on` |
/// | batching | [`max_queue_size`](Self::max_queue_size), [`max_export_batch_size`](Self::max_export_batch_size), [`scheduled_delay`](Self::scheduled_delay) | `OTEL_BSP_MAX_QUEUE_SIZE`, `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, `OTEL_BSP_SCHEDULE_DELAY` | 2048, 512, 5000 ms |
/// | string attribute length | [`attribute_value_length_limit`](Self::attribute_value_length_limit) | `OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT`, `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT` | 4096 bytes |
///
/// `OTEL_BSP_EXPORT_TIMEOUT` and `OTEL_BSP_MAX_CONCURRENT_EXPORTS` are checked but have no
/// effect: the SDK's batch processor exports one batch at a time, bounded by the request
/// timeout. `http/json` is refused. One caveat outside our control: the OTLP HTTP and gRPC
/// exporters re-read `OTEL_EXPORTER_OTLP_{TRACES_,}HEADERS` from the *process* environment, so
/// a header set there with the same name as one set in code replaces the code's value.
///
/// With an endpoint, spans go over OTLP and `tracing` events become OTLP log records (to
/// `<endpoint>/v1/logs` for HTTP, or `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`). Without one, the
/// embedded default writes OTLP/JSON lines to `<out_dir>/<run_id>.jsonl` and prints a tree of
/// the run to stderr at shutdown.
///
/// ```
/// use std::time::Duration;
///
/// let dir = std::env::temp_dir().join("acm-trace-doc-builder");
/// let telemetry = acm_trace_runtime::init()
///     .env(std::collections::HashMap::<String, String>::new()) // ignore the real environment
///     .service_name("checkout")
///     .shutdown_timeout(Duration::from_secs(2))
///     .out_dir(&dir)
///     .run_id("doc-run")
///     .print_tree(false)
///     .start()
///     .expect("telemetry starts");
///
/// tracing::info_span!("load.data", otel.kind = "client").in_scope(|| {});
///
/// let report = telemetry.shutdown();
/// assert_eq!((report.exported, report.undelivered), (1, 0));
/// assert!(dir.join("doc-run.jsonl").exists());
/// ```
#[derive(Debug, Default)]
#[must_use = "a builder does nothing until `start` or `build` is called"]
pub struct TelemetryBuilder {
    code: CodeOptions,
    env: BoxedEnv,
}

impl TelemetryBuilder {
    /// Reads `OTEL_*` variables from `source` instead of the process environment.
    pub fn env(mut self, source: impl EnvSource + 'static) -> Self {
        self.env = BoxedEnv(Box::new(source));
        self
    }

    /// The resource's `service.name`; it beats `OTEL_SERVICE_NAME`.
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.code.service_name = Some(name.into());
        self
    }

    /// The `service.name` when the environment names none (`OTEL_SERVICE_NAME`, `service.name`
    /// in `OTEL_RESOURCE_ATTRIBUTES`): a program's own name for itself that a deployment can
    /// still override. Without it, the service is `unknown_service:<executable>`, as
    /// OpenTelemetry specifies.
    pub fn default_service_name(mut self, name: impl Into<String>) -> Self {
        self.code.default_service_name = Some(name.into());
        self
    }

    /// Adds a resource attribute; it beats the same key in `OTEL_RESOURCE_ATTRIBUTES`.
    pub fn resource_attribute(mut self, key: &'static str, value: impl Into<Value>) -> Self {
        self.code.resource.push(KeyValue::new(key, value));
        self
    }

    /// The OTLP base endpoint, like `OTEL_EXPORTER_OTLP_ENDPOINT`: HTTP sends traces to
    /// `<endpoint>/v1/traces` and logs to `<endpoint>/v1/logs`; gRPC uses it as it is.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.code.endpoint = Some(url.into());
        self
    }

    /// The traces endpoint used verbatim, like `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`.
    pub fn traces_endpoint(mut self, url: impl Into<String>) -> Self {
        self.code.traces_endpoint = Some(url.into());
        self
    }

    /// The OTLP transport.
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.code.protocol = Some(protocol);
        self
    }

    /// Adds a header (gRPC metadata) to every export request, e.g. for authentication.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.code.headers.0.push((name.into(), value.into()));
        self
    }

    /// The timeout of one export request.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.code.timeout = Some(timeout);
        self
    }

    /// For a gRPC endpoint given without a scheme: `true` means plain `http`, `false` TLS.
    pub fn insecure(mut self, insecure: bool) -> Self {
        self.code.insecure = Some(insecure);
        self
    }

    /// The head sampler.
    pub fn sampler(mut self, sampler: Sampler) -> Self {
        self.code.sampler = Some(sampler);
        self
    }

    /// Spans waiting for export beyond this many are dropped (and counted as undelivered):
    /// the bound of the native subscriber's collector, or of the batch processor's queue
    /// behind [`build`](Self::build)'s layers (`OTEL_BSP_MAX_QUEUE_SIZE`, at most
    /// [`MAX_QUEUE_SIZE`](crate::MAX_QUEUE_SIZE); a larger value is an error from `start()`
    /// and `build()`). The collector grows its queue as spans arrive; the batch processor
    /// allocates its queue whole, so only the path in use gets this size.
    ///
    /// Unset, the collector holds up to
    /// [`DEFAULT_COLLECTOR_QUEUE`](crate::DEFAULT_COLLECTOR_QUEUE) spans (2^18, for bursts)
    /// and the batch processor 2,048, the OpenTelemetry default. The first span dropped
    /// prints one warning to stderr; the shutdown report counts them all.
    pub fn max_queue_size(mut self, size: usize) -> Self {
        self.code.max_queue_size = Some(size);
        self
    }

    /// The most spans sent in one export request.
    pub fn max_export_batch_size(mut self, size: usize) -> Self {
        self.code.max_export_batch_size = Some(size);
        self
    }

    /// How long spans may wait before a batch is sent.
    pub fn scheduled_delay(mut self, delay: Duration) -> Self {
        self.code.scheduled_delay = Some(delay);
        self
    }

    /// The longest string attribute value in bytes; longer ones are cut at a UTF-8 boundary.
    pub fn attribute_value_length_limit(mut self, bytes: usize) -> Self {
        self.code.value_length_limit = Some(bytes);
        self
    }

    /// How long [`Telemetry::shutdown`] (and dropping the guard) may take. Default 5 s.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.code.shutdown_timeout = Some(timeout);
        self
    }

    /// Directory of the embedded default's trace file. Default `./acm-traces`.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.code.out_dir = Some(dir.into());
        self
    }

    /// The trace file's name without `.jsonl`. Default: a random UUID.
    pub fn run_id(mut self, run_id: impl Into<String>) -> Self {
        self.code.run_id = Some(run_id.into());
        self
    }

    /// Whether a span that fails with an error records the error's text (its `Display`, at
    /// most [`MAX_ERROR_MESSAGE_LEN`](crate::MAX_ERROR_MESSAGE_LEN) bytes) as its status
    /// description. Default `true`. Off, the description is the error's type name only, for
    /// programs whose errors may carry data that must not leave the process. Errors without
    /// `Display` always record their type name, never a `Debug` dump.
    pub fn error_messages(mut self, enabled: bool) -> Self {
        self.code.error_messages = Some(enabled);
        self
    }

    /// Exports spans through `tracing-opentelemetry` instead of acm-trace's own subscriber
    /// ([`AcmSubscriber`](crate::AcmSubscriber), from [`start`](Self::start)) or lean layer
    /// ([`AcmLayer`](crate::AcmLayer), from [`build`](Self::build)). Default `false`: both
    /// cost a fraction of `tracing-opentelemetry` per span (see the overhead benchmark); the
    /// `tracing-opentelemetry` path is for stacks that already depend on its behaviour (span
    /// events, `OpenTelemetrySpanExt`).
    pub fn tracing_opentelemetry_layer(mut self, enabled: bool) -> Self {
        self.code.tracing_opentelemetry = enabled;
        self
    }

    /// Whether the embedded default prints the tree of the run at shutdown. Default `true`.
    pub fn print_tree(mut self, print: bool) -> Self {
        self.code.print_tree = Some(print);
        self
    }

    /// Colours of the tree. Default [`ColorChoice::Auto`].
    pub fn color(mut self, color: ColorChoice) -> Self {
        self.code.color = Some(color);
        self
    }

    /// Whether `tracing` events become OTLP log records when an endpoint is set. Default `true`.
    pub fn export_logs(mut self, export: bool) -> Self {
        self.code.export_logs = Some(export);
        self
    }

    /// The most verbose `tracing` events exported as OTLP logs. Default `INFO`.
    pub fn log_level(mut self, level: LevelFilter) -> Self {
        self.code.log_level = Some(level);
        self
    }

    /// Builds the pipeline and installs it as the global `tracing` subscriber: an
    /// [`AcmSubscriber`](crate::AcmSubscriber), which keeps spans without the
    /// `tracing-subscriber` registry and builds their attributes on a collector thread, with
    /// the OTLP log bridge for events when logs are exported. With
    /// [`tracing_opentelemetry_layer(true)`](Self::tracing_opentelemetry_layer) it is
    /// `tracing_subscriber::registry()` with the layers of [`build`](Self::build) instead.
    ///
    /// Also installs the tracer provider and the W3C trace-context propagator as the
    /// OpenTelemetry globals.
    pub fn start(self) -> Result<Telemetry, StartError> {
        use tracing_subscriber::layer::SubscriberExt as _;
        use tracing_subscriber::util::SubscriberInitExt as _;
        let settings = Settings::resolve(self.code, self.env.0.as_ref())?;
        let path = if settings.tracing_opentelemetry {
            SpanPath::Layer
        } else {
            SpanPath::Native
        };
        let mut pipeline = Pipeline::build(settings, path)?;
        let installed = if pipeline.uses_tracing_opentelemetry() {
            let layer = pipeline.layer::<tracing_subscriber::Registry>();
            tracing_subscriber::registry().with(layer).try_init()
        } else {
            pipeline.native_subscriber().try_init()
        };
        let telemetry = Telemetry::new(pipeline);
        if installed.is_err() {
            // Shuts the providers down off this thread, so no export thread outlives the error.
            drop(telemetry);
            return Err(StartError::SubscriberAlreadySet);
        }
        opentelemetry::global::set_tracer_provider(telemetry.tracer_provider().clone());
        opentelemetry::global::set_text_map_propagator(
            opentelemetry_sdk::propagation::TraceContextPropagator::new(),
        );
        Ok(telemetry)
    }

    /// Builds the pipeline and returns its layers for a subscriber you assemble yourself.
    ///
    /// The layer holds the `tracing-opentelemetry` span layer and, with an endpoint, the OTLP
    /// log bridge, each behind a filter that keeps the exporters' own crates (`hyper`, `h2`,
    /// `tonic`, `tower`, `reqwest`, `rustls`, `opentelemetry*`) from feeding back into the data.
    ///
    /// ```
    /// use tracing_subscriber::prelude::*;
    ///
    /// let dir = std::env::temp_dir().join("acm-trace-doc-build");
    /// let (telemetry, layer) = acm_trace_runtime::init()
    ///     .env(std::collections::HashMap::<String, String>::new())
    ///     .out_dir(&dir)
    ///     .print_tree(false)
    ///     .build()
    ///     .expect("telemetry builds");
    /// let subscriber = tracing_subscriber::registry()
    ///     .with(layer)
    ///     .with(tracing_subscriber::fmt::layer().with_writer(std::io::sink));
    ///
    /// tracing::subscriber::with_default(subscriber, || {
    ///     tracing::info_span!("fit.pca", otel.kind = "internal").in_scope(|| {});
    /// });
    /// assert_eq!(telemetry.shutdown().exported, 1);
    /// ```
    pub fn build<S>(self) -> Result<(Telemetry, TelemetryLayer<S>), StartError>
    where
        S: Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
    {
        let settings = Settings::resolve(self.code, self.env.0.as_ref())?;
        let pipeline = Pipeline::build(settings, SpanPath::Layer)?;
        let layer = pipeline.layer::<S>();
        Ok((Telemetry::new(pipeline), layer))
    }
}
