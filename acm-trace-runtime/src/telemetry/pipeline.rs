//! Assembles providers, processors and exporters from resolved settings.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, SdkTracerProvider, Span, SpanData, SpanExporter,
    SpanProcessor,
};
use tracing::Subscriber;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::registry::LookupSpan;

use super::StartError;
use super::batch::BatchSettings;
use super::config::{Destination, Settings};
use super::options::{ExportDestination, TelemetryLayer};
use crate::export::delivery::{Counters, CountingProcessor, DeliveryCounts, DeliveryExporter};
use crate::export::jsonl::{JsonLinesExporter, SharedRecords};
use crate::logs::NoFeedback;
use crate::subscriber::{Batching, BlockingExport};

/// Where the tree of the run goes at shutdown.
#[derive(Debug)]
pub(crate) struct TreeOutput {
    pub(crate) records: SharedRecords,
    pub(crate) color: bool,
}

#[derive(Debug)]
pub(crate) struct Pipeline {
    pub(crate) tracer_provider: SdkTracerProvider,
    pub(crate) span_processor: Arc<dyn SpanProcessor>,
    #[cfg(feature = "otlp")]
    pub(crate) logger_provider: Option<opentelemetry_sdk::logs::SdkLoggerProvider>,
    #[cfg(feature = "otlp-grpc")]
    pub(crate) runtime: Option<tokio::runtime::Runtime>,
    pub(crate) counters: Arc<Counters>,
    /// Set when `start()` installed the native subscriber, whose collector is flushed first.
    pub(crate) flusher: Option<crate::SpanFlusher>,
    /// The exporter behind the batch processor, which the native subscriber's collector
    /// exports to directly.
    exporter: Arc<dyn BlockingExport>,
    batching: Batching,
    pub(crate) tree: Option<TreeOutput>,
    pub(crate) destination: ExportDestination,
    pub(crate) shutdown_timeout: Duration,
    log_level: LevelFilter,
    sampler: opentelemetry_sdk::trace::Sampler,
    collector_queue: usize,
    tracing_opentelemetry: bool,
}

/// Which subscriber carries the program's spans, and so which queue gets the configured size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SpanPath {
    /// The native subscriber's collector: the batch processor serves only the OpenTelemetry
    /// API (`Telemetry::tracer_provider`), with a queue of its default size at most.
    Native,
    /// Layers on the registry, which end spans through the batch processor.
    Layer,
}

/// The batch processor's queue when the native subscriber carries the spans: the SDK's default.
const API_QUEUE: usize = 2048;

fn batch_processor(
    exporter: impl SpanExporter + 'static,
    batch: BatchSettings,
    path: SpanPath,
) -> BatchSpanProcessor {
    // The SDK allocates the whole queue when the processor is built.
    let queue = match path {
        SpanPath::Native => batch.max_queue_size.min(API_QUEUE),
        SpanPath::Layer => batch.max_queue_size,
    };
    // Every field is set, so the SDK's own reading of OTEL_BSP_* from the process environment
    // never decides anything.
    let config = BatchConfigBuilder::default()
        .with_max_queue_size(queue)
        .with_max_export_batch_size(batch.max_export_batch_size)
        .with_scheduled_delay(batch.scheduled_delay)
        .build();
    BatchSpanProcessor::builder(exporter)
        .with_batch_config(config)
        .build()
}

/// One processor shared by the tracer provider and any lean layer, so both use one queue,
/// one count and one shutdown. The provider owns the shutdown; the resource is handed to the
/// processor before it is shared, because `set_resource` needs exclusive access.
#[derive(Debug)]
struct SharedProcessor(Arc<dyn SpanProcessor>);

impl SpanProcessor for SharedProcessor {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.0.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        self.0.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.0.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }
}

/// An exporter shared by the batch processor, which owns its shutdown, and the native
/// subscriber's collector, which exports to it directly. Its resource is set before it is
/// shared.
#[derive(Debug)]
struct SharedExporter<E>(Arc<E>);

impl<E: SpanExporter> SpanExporter for SharedExporter<E> {
    fn export(&self, batch: Vec<SpanData>) -> impl Future<Output = OTelSdkResult> + Send {
        self.0.export(batch)
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.0.force_flush()
    }
}

/// The exporter, wrapped and shared, and the batch processor in front of it.
fn shared_processor(
    exporter: impl SpanExporter + 'static,
    settings: &Settings,
    counters: &Arc<Counters>,
    path: SpanPath,
) -> (Arc<dyn SpanProcessor>, Arc<dyn BlockingExport>) {
    let mut exporter = wrap(exporter, counters, settings.value_length_limit);
    exporter.set_resource(&settings.resource);
    let exporter = Arc::new(exporter);
    let processor = CountingProcessor::new(
        batch_processor(SharedExporter(exporter.clone()), settings.batch, path),
        counters.clone(),
    );
    (Arc::new(processor), exporter)
}

fn batching(batch: BatchSettings) -> Batching {
    Batching {
        max_batch: batch.max_export_batch_size,
        delay: batch.scheduled_delay,
    }
}

fn wrap<E>(exporter: E, counters: &Arc<Counters>, limit: usize) -> impl SpanExporter + 'static
where
    E: SpanExporter + 'static,
{
    DeliveryExporter::new(exporter, counters.clone(), limit)
}

/// What became of the spans: those that ended through the processor or the native
/// subscriber's collector (dropped ones included), against what the exporter delivered.
pub(crate) fn delivery_counts(
    counters: &Counters,
    flusher: Option<&crate::SpanFlusher>,
) -> DeliveryCounts {
    let mut counts = counters.snapshot();
    if let Some(flusher) = flusher {
        // Read after the exporter's counts, so a span counted as exported is counted as ended.
        counts.ended += flusher.ended();
        counts.undelivered = counts.ended.saturating_sub(counts.exported);
    }
    counts
}

impl Pipeline {
    pub(crate) fn build(settings: Settings, path: SpanPath) -> Result<Self, StartError> {
        crate::outcome::set_error_messages(settings.error_messages);
        if let Some(service) = settings
            .resource
            .get(&opentelemetry::Key::from_static_str("service.name"))
        {
            crate::context::set_default_service(service.as_str());
        }
        let counters = Arc::new(Counters::default());
        let provider = SdkTracerProvider::builder()
            .with_resource(settings.resource.clone())
            .with_sampler(settings.sampler.clone());

        match &settings.destination {
            Destination::File(file) => {
                let records = SharedRecords::default();
                let exporter =
                    JsonLinesExporter::create(&file.path, records.clone()).map_err(|source| {
                        StartError::Output {
                            path: file.path.clone(),
                            source,
                        }
                    })?;
                let (span_processor, exporter) =
                    shared_processor(exporter, &settings, &counters, path);
                let tracer_provider = provider
                    .with_span_processor(SharedProcessor(span_processor.clone()))
                    .build();
                Ok(Self {
                    tracer_provider,
                    span_processor,
                    #[cfg(feature = "otlp")]
                    logger_provider: None,
                    #[cfg(feature = "otlp-grpc")]
                    runtime: None,
                    tree: file.print_tree.then_some(TreeOutput {
                        records,
                        color: file.color,
                    }),
                    counters,
                    flusher: None,
                    exporter,
                    batching: batching(settings.batch),
                    destination: ExportDestination::File {
                        path: file.path.clone(),
                    },
                    shutdown_timeout: settings.shutdown_timeout,
                    log_level: LevelFilter::OFF,
                    sampler: settings.sampler.clone(),
                    collector_queue: settings.batch.collector_queue,
                    tracing_opentelemetry: settings.tracing_opentelemetry,
                })
            }
            #[cfg(not(feature = "otlp"))]
            Destination::Otlp(otlp) => Err(StartError::TransportDisabled {
                protocol: otlp.protocol.as_str(),
                feature: otlp.protocol.feature(),
            }),
            #[cfg(feature = "otlp")]
            Destination::Otlp(otlp) => {
                let otlp = otlp.clone();
                let exporters = super::otlp::build(&otlp)?;
                let (span_processor, exporter) =
                    shared_processor(exporters.spans, &settings, &counters, path);
                let tracer_provider = provider
                    .with_span_processor(SharedProcessor(span_processor.clone()))
                    .build();
                let logger_provider = exporters.logs.map(|logs| {
                    opentelemetry_sdk::logs::SdkLoggerProvider::builder()
                        .with_resource(settings.resource.clone())
                        .with_batch_exporter(logs)
                        .build()
                });
                Ok(Self {
                    tracer_provider,
                    span_processor,
                    logger_provider,
                    #[cfg(feature = "otlp-grpc")]
                    runtime: exporters.runtime,
                    tree: None,
                    counters,
                    flusher: None,
                    exporter,
                    batching: batching(settings.batch),
                    destination: ExportDestination::Otlp {
                        protocol: otlp.protocol,
                        traces_endpoint: otlp.traces_endpoint,
                        logs_endpoint: otlp.logs_endpoint,
                    },
                    shutdown_timeout: settings.shutdown_timeout,
                    log_level: otlp.log_level,
                    sampler: settings.sampler.clone(),
                    collector_queue: settings.batch.collector_queue,
                    tracing_opentelemetry: settings.tracing_opentelemetry,
                })
            }
        }
    }

    /// What became of the spans so far, those the collector had to drop included.
    pub(crate) fn counts(&self) -> DeliveryCounts {
        delivery_counts(&self.counters, self.flusher.as_ref())
    }

    /// Whether `start()` should install the `tracing-opentelemetry` layer rather than the
    /// native subscriber.
    pub(crate) fn uses_tracing_opentelemetry(&self) -> bool {
        self.tracing_opentelemetry
    }

    /// The subscriber `start()` installs: acm spans without the registry, events to the OTLP
    /// log bridge when logs are exported.
    pub(crate) fn native_subscriber(&mut self) -> crate::AcmSubscriber {
        let subscriber =
            crate::AcmSubscriber::exporting_batched(self.exporter.clone(), self.batching, false)
                .with_sampler(self.sampler.clone())
                .with_queue_size(self.collector_queue);
        #[cfg(feature = "otlp")]
        let subscriber = match &self.logger_provider {
            Some(provider) => subscriber.with_logs(
                opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge::new(provider),
                self.log_level,
            ),
            None => subscriber,
        };
        self.flusher = Some(subscriber.flusher());
        subscriber
    }

    pub(crate) fn layer<S>(&self) -> TelemetryLayer<S>
    where
        S: Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
    {
        let filter = NoFeedback {
            level: LevelFilter::TRACE,
        };
        let spans: TelemetryLayer<S> = if self.tracing_opentelemetry {
            let scope = crate::span::scope();
            // Trimmed as measured in the research notes: busy/idle time and thread attributes
            // cost 20-40% per span and nothing downstream reads them.
            Box::new(
                tracing_opentelemetry::layer()
                    .with_tracer(self.tracer_provider.tracer_with_scope(scope))
                    .with_tracked_inactivity(false)
                    .with_threads(false)
                    .with_location(true)
                    .with_filter(filter),
            )
        } else {
            #[cfg(feature = "otlp")]
            let logs = self.logger_provider.is_some();
            #[cfg(not(feature = "otlp"))]
            let logs = false;
            Box::new(
                crate::AcmLayer::new(self.span_processor.clone())
                    .with_sampler(self.sampler.clone())
                    .with_context_activation(logs)
                    .with_filter(filter),
            )
        };
        // Not `and_then(Option<_>)`: a `None` layer next to a per-layer filter makes the
        // combined level hint OFF, and every span would be disabled.
        #[cfg(feature = "otlp")]
        if let Some(provider) = &self.logger_provider {
            let logs =
                opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge::new(provider)
                    .with_filter(NoFeedback {
                        level: self.log_level,
                    });
            return Box::new(spans.and_then(logs));
        }
        let _ = self.log_level;
        Box::new(spans)
    }
}
