//! The OTLP exporters for traces and logs, over HTTP/protobuf or gRPC, built from the
//! resolved configuration.

use std::time::Duration;

use super::StartError;
use super::config::OtlpSettings;
use super::options::Protocol;

/// The exporters of one pipeline and what must outlive them.
pub(crate) struct OtlpExporters {
    pub(crate) spans: opentelemetry_otlp::SpanExporter,
    pub(crate) logs: Option<opentelemetry_otlp::LogExporter>,
    /// The tonic channel's tasks live here; it must outlive the providers' shutdown.
    #[cfg(feature = "otlp-grpc")]
    pub(crate) runtime: Option<tokio::runtime::Runtime>,
}

fn exporter_error(err: opentelemetry_otlp::ExporterBuildError) -> StartError {
    StartError::Exporter(err.to_string())
}

pub(crate) fn build(settings: &OtlpSettings) -> Result<OtlpExporters, StartError> {
    match settings.protocol {
        #[cfg(feature = "otlp-http")]
        Protocol::HttpProtobuf => http::build(settings),
        #[cfg(not(feature = "otlp-http"))]
        Protocol::HttpProtobuf => Err(StartError::TransportDisabled {
            protocol: "http/protobuf",
            feature: "otlp-http",
        }),
        #[cfg(feature = "otlp-grpc")]
        Protocol::Grpc => grpc::build(settings),
        #[cfg(not(feature = "otlp-grpc"))]
        Protocol::Grpc => Err(StartError::TransportDisabled {
            protocol: "grpc",
            feature: "otlp-grpc",
        }),
    }
}

#[cfg(feature = "otlp-http")]
mod http {
    use std::collections::HashMap;
    use std::sync::Arc;

    use opentelemetry_otlp::{LogExporter, SpanExporter, WithExportConfig, WithHttpConfig};

    use super::{Duration, OtlpExporters, OtlpSettings, StartError, exporter_error};

    pub(super) fn build(settings: &OtlpSettings) -> Result<OtlpExporters, StartError> {
        let settings = settings.clone();
        // reqwest's blocking client runs its own runtime and panics when it is created or
        // dropped inside async code, so everything that holds one is built (and, on error,
        // dropped) on a helper thread; the exporters then live on the SDK's export threads.
        std::thread::Builder::new()
            .name("acm-otlp-setup".into())
            .spawn(move || build_here(settings))
            .map_err(StartError::Runtime)?
            .join()
            .unwrap_or_else(|_| Err(StartError::Exporter("exporter setup panicked".into())))
    }

    fn build_here(settings: OtlpSettings) -> Result<OtlpExporters, StartError> {
        let client = client(settings.timeout)?;
        let headers: HashMap<String, String> = settings.headers.into_iter().collect();
        let spans = SpanExporter::builder()
            .with_http()
            .with_http_client(client.clone())
            .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
            .with_endpoint(settings.traces_endpoint)
            .with_timeout(settings.timeout)
            .with_headers(headers.clone())
            .build()
            .map_err(exporter_error)?;
        let logs = settings
            .logs_endpoint
            .map(|endpoint| {
                LogExporter::builder()
                    .with_http()
                    .with_http_client(client)
                    .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                    .with_endpoint(endpoint)
                    .with_timeout(settings.timeout)
                    .with_headers(headers)
                    .build()
                    .map_err(exporter_error)
            })
            .transpose()?;
        Ok(OtlpExporters {
            spans,
            logs,
            #[cfg(feature = "otlp-grpc")]
            runtime: None,
        })
    }

    /// A blocking client with rustls on ring and the webpki roots, so `https://` endpoints work
    /// without a second TLS stack (aws-lc) next to the one the gRPC transport uses.
    fn client(timeout: Duration) -> Result<reqwest::blocking::Client, StartError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots: rustls::RootCertStore = webpki_roots::TLS_SERVER_ROOTS.iter().cloned().collect();
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| StartError::Exporter(format!("TLS setup: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        reqwest::blocking::Client::builder()
            .timeout(timeout)
            .tls_backend_preconfigured(tls)
            .build()
            .map_err(|e| StartError::Exporter(format!("HTTP client: {e}")))
    }
}

#[cfg(feature = "otlp-grpc")]
mod grpc {
    use opentelemetry_otlp::tonic_types::metadata::MetadataMap;
    use opentelemetry_otlp::tonic_types::transport::ClientTlsConfig;
    use opentelemetry_otlp::{LogExporter, SpanExporter, WithExportConfig, WithTonicConfig};
    use tonic::metadata::{AsciiMetadataKey, AsciiMetadataValue};

    use super::{Duration, OtlpExporters, OtlpSettings, StartError, exporter_error};

    pub(super) fn build(settings: &OtlpSettings) -> Result<OtlpExporters, StartError> {
        // A runtime of our own: the SDK's export thread blocks on the tonic future, which only
        // completes while the runtime that owns the channel makes progress. The caller's
        // runtime may be current-thread (or busy in `drop`), which would deadlock.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("acm-otlp-grpc")
            .enable_all()
            .build()
            .map_err(StartError::Runtime)?;
        let exporters = {
            let _entered = runtime.enter();
            build_exporters(settings)
        };
        match exporters {
            Ok((spans, logs)) => Ok(OtlpExporters {
                spans,
                logs,
                runtime: Some(runtime),
            }),
            Err(err) => {
                // Dropping a runtime inside async code panics; this may be called from one.
                runtime.shutdown_background();
                Err(err)
            }
        }
    }

    fn metadata(headers: &[(String, String)]) -> Result<MetadataMap, StartError> {
        let mut map = MetadataMap::new();
        for (key, value) in headers {
            let bad = || StartError::InvalidSetting {
                setting: "header",
                value: format!("{key}={value}"),
                expected: "a valid gRPC metadata name and value".into(),
            };
            let key = AsciiMetadataKey::from_bytes(key.as_bytes()).map_err(|_| bad())?;
            let value = AsciiMetadataValue::try_from(value.as_str()).map_err(|_| bad())?;
            map.insert(key, value);
        }
        Ok(map)
    }

    fn tls_for(endpoint: &str) -> Option<ClientTlsConfig> {
        // tonic's default TLS config trusts no root at all (hyperium/tonic#1731).
        endpoint
            .starts_with("https://")
            .then(|| ClientTlsConfig::new().with_enabled_roots())
    }

    type Built = (SpanExporter, Option<LogExporter>);

    fn build_exporters(settings: &OtlpSettings) -> Result<Built, StartError> {
        let timeout: Duration = settings.timeout;
        let mut spans = SpanExporter::builder()
            .with_tonic()
            .with_endpoint(settings.traces_endpoint.clone())
            .with_timeout(timeout)
            .with_metadata(metadata(&settings.headers)?);
        if let Some(tls) = tls_for(&settings.traces_endpoint) {
            spans = spans.with_tls_config(tls);
        }
        let spans = spans.build().map_err(exporter_error)?;
        let logs = match &settings.logs_endpoint {
            None => None,
            Some(endpoint) => {
                let mut logs = LogExporter::builder()
                    .with_tonic()
                    .with_endpoint(endpoint.clone())
                    .with_timeout(timeout)
                    .with_metadata(metadata(&settings.headers)?);
                if let Some(tls) = tls_for(endpoint) {
                    logs = logs.with_tls_config(tls);
                }
                Some(logs.build().map_err(exporter_error)?)
            }
        };
        Ok((spans, logs))
    }
}
