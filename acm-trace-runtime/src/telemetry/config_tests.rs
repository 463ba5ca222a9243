//! Resolution of code settings against an injected environment.

use std::collections::HashMap;
use std::time::Duration;

use opentelemetry::Key;
use opentelemetry_sdk::trace::Sampler;

use super::StartError;
use super::config::{Destination, OtlpSettings, Settings};
use super::options::{CodeOptions, ColorChoice, Headers, Protocol};

fn resolve(
    code: CodeOptions,
    env: &[(&'static str, &'static str)],
) -> Result<Settings, StartError> {
    let env: HashMap<&'static str, &'static str> = env.iter().copied().collect();
    Settings::resolve(code, &env)
}

fn otlp(settings: Settings) -> OtlpSettings {
    match settings.destination {
        Destination::Otlp(o) => o,
        Destination::File(f) => panic!("expected OTLP, got file {}", f.path.display()),
    }
}

fn service_name(settings: &Settings) -> String {
    settings
        .resource
        .get(&Key::from_static_str("service.name"))
        .map(|v| v.as_str().into_owned())
        .unwrap_or_default()
}

#[test]
fn defaults_without_environment() {
    let s = resolve(CodeOptions::default(), &[]).unwrap();
    assert_eq!(service_name(&s), crate::context::unknown_service());
    assert!(service_name(&s).starts_with("unknown_service:"));
    assert_eq!(s.value_length_limit, 4096);
    assert_eq!(s.shutdown_timeout, Duration::from_secs(5));
    assert!(matches!(s.sampler, Sampler::ParentBased(_)));
    match s.destination {
        Destination::File(f) => {
            assert!(f.path.starts_with("acm-traces"));
            assert_eq!(f.path.extension().unwrap(), "jsonl");
        }
        Destination::Otlp(_) => panic!("no endpoint means the embedded default"),
    }
}

#[test]
fn environment_configures_otlp() {
    let s = resolve(
        CodeOptions::default(),
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"),
            (
                "OTEL_EXPORTER_OTLP_HEADERS",
                "authorization=Basic%20abc,x-tenant=a",
            ),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "service.name=from-attrs,deployment.environment=dev",
            ),
            ("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "100"),
        ],
    )
    .unwrap();
    assert_eq!(service_name(&s), "from-attrs");
    assert_eq!(s.value_length_limit, 100);
    let o = otlp(s);
    assert_eq!(o.protocol, Protocol::HttpProtobuf);
    assert_eq!(o.traces_endpoint, "http://collector:4318/v1/traces");
    assert_eq!(
        o.logs_endpoint.as_deref(),
        Some("http://collector:4318/v1/logs")
    );
    assert_eq!(o.timeout, Duration::from_millis(2500));
    assert_eq!(o.headers[0], ("authorization".into(), "Basic abc".into()));
}

#[test]
fn signal_specific_variables_beat_generic_ones() {
    let o = otlp(
        resolve(
            CodeOptions::default(),
            &[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:4317"),
                ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:4317"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
                ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc"),
                ("OTEL_EXPORTER_OTLP_TIMEOUT", "1000"),
                ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "2000"),
            ],
        )
        .unwrap(),
    );
    assert_eq!(o.protocol, Protocol::Grpc);
    assert_eq!(o.traces_endpoint, "http://traces:4317");
    assert_eq!(o.logs_endpoint.as_deref(), Some("http://generic:4317"));
    assert_eq!(o.timeout, Duration::from_millis(2000));
}

#[test]
fn code_wins_over_environment() {
    let code = CodeOptions {
        service_name: Some("from-code".into()),
        endpoint: Some("http://code:4318".into()),
        protocol: Some(Protocol::HttpProtobuf),
        headers: Headers(vec![("X-Tenant".into(), "code".into())]),
        sampler: Some(Sampler::AlwaysOff),
        timeout: Some(Duration::from_secs(1)),
        ..CodeOptions::default()
    };
    let s = resolve(
        code,
        &[
            ("OTEL_SERVICE_NAME", "from-env"),
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://env:4318/v1/traces",
            ),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "x-tenant=env,other=1"),
            ("OTEL_TRACES_SAMPLER", "always_on"),
            // Not read at all, because code decided: no error despite the bad value.
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "soon"),
        ],
    )
    .unwrap();
    assert_eq!(service_name(&s), "from-code");
    assert!(matches!(s.sampler, Sampler::AlwaysOff));
    let o = otlp(s);
    assert_eq!(o.traces_endpoint, "http://code:4318/v1/traces");
    assert_eq!(o.timeout, Duration::from_secs(1));
    assert_eq!(
        o.headers,
        vec![
            ("other".into(), "1".into()),
            ("X-Tenant".into(), "code".into())
        ]
    );
}

#[test]
fn bad_values_name_variable_and_value() {
    let cases: &[(&'static str, &'static str)] = &[
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "10s"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
        ("OTEL_EXPORTER_OTLP_INSECURE", "maybe"),
        ("OTEL_TRACES_SAMPLER", "xray"),
        ("OTEL_BSP_MAX_QUEUE_SIZE", "-5"),
        ("OTEL_BSP_SCHEDULE_DELAY", "fast"),
        ("OTEL_BSP_EXPORT_TIMEOUT", "0"),
        ("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "4k"),
        ("OTEL_RESOURCE_ATTRIBUTES", "a"),
    ];
    for (var, value) in cases {
        let env = [
            (*var, *value),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"),
        ];
        let err = resolve(CodeOptions::default(), &env).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(var) && text.contains(value), "{var}: {text}");
    }
    let err = resolve(
        CodeOptions::default(),
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")],
    )
    .unwrap_err();
    assert!(err.to_string().contains("OTEL_EXPORTER_OTLP_ENDPOINT"));
}

#[test]
fn schemeless_grpc_endpoint_follows_insecure() {
    let env = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
    ];
    let o = otlp(resolve(CodeOptions::default(), &env).unwrap());
    assert_eq!(o.traces_endpoint, "https://collector:4317");
    let mut env = env.to_vec();
    env.push(("OTEL_EXPORTER_OTLP_INSECURE", "true"));
    let o = otlp(resolve(CodeOptions::default(), &env).unwrap());
    assert_eq!(o.traces_endpoint, "http://collector:4317");
}

#[test]
fn batch_larger_than_queue_is_refused() {
    let err = resolve(
        CodeOptions::default(),
        &[
            ("OTEL_BSP_MAX_QUEUE_SIZE", "100"),
            ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "200"),
        ],
    )
    .unwrap_err();
    assert!(err.to_string().contains("200"), "{err}");
}

#[test]
fn no_color_and_explicit_choices() {
    let color = |choice, env: &[(&'static str, &'static str)]| {
        let code = CodeOptions {
            color: Some(choice),
            ..CodeOptions::default()
        };
        match resolve(code, env).unwrap().destination {
            Destination::File(f) => f.color,
            Destination::Otlp(_) => unreachable!(),
        }
    };
    assert!(!color(ColorChoice::Auto, &[("NO_COLOR", "1")]));
    assert!(color(ColorChoice::Always, &[("NO_COLOR", "1")]));
    assert!(!color(ColorChoice::Never, &[]));
}

#[test]
fn debug_output_hides_header_values() {
    let code = CodeOptions {
        headers: Headers(vec![("authorization".into(), "Bearer secret".into())]),
        endpoint: Some("http://c:4318".into()),
        ..CodeOptions::default()
    };
    assert!(!format!("{code:?}").contains("secret"));
    let settings = resolve(code, &[]).unwrap();
    assert!(!format!("{settings:?}").contains("secret"));
}

/// A queue past the documented bound is refused before anything is allocated for it.
#[test]
fn queue_sizes_past_the_bound_are_refused() {
    for huge in ["18446744073709551615", "100000000", "1048577"] {
        let err =
            resolve(CodeOptions::default(), &[("OTEL_BSP_MAX_QUEUE_SIZE", huge)]).expect_err(huge);
        let text = err.to_string();
        assert!(text.contains("OTEL_BSP_MAX_QUEUE_SIZE"), "{text}");
        assert!(text.contains("at most 1048576"), "{text}");
    }
    let code = CodeOptions {
        max_queue_size: Some(usize::MAX),
        ..CodeOptions::default()
    };
    let err = resolve(code, &[]).expect_err("usize::MAX");
    assert!(err.to_string().contains("max_queue_size"), "{err}");
    let at_bound = resolve(
        CodeOptions::default(),
        &[("OTEL_BSP_MAX_QUEUE_SIZE", "1048576")],
    )
    .expect("the bound itself is allowed");
    assert_eq!(at_bound.batch.max_queue_size, super::MAX_QUEUE_SIZE);
}

/// An environment with an endpoint, whose one other variable holds bytes that are not
/// Unicode, as a process's can.
struct NotUnicode(&'static str);

impl super::EnvSource for NotUnicode {
    fn var(&self, name: &str) -> Option<String> {
        (name == "OTEL_EXPORTER_OTLP_ENDPOINT" && self.0 != name)
            .then(|| "http://127.0.0.1:4318".to_owned())
    }

    fn is_not_unicode(&self, name: &str) -> bool {
        name == self.0
    }
}

/// A value that is not Unicode is an error naming the variable, never taken as unset: the
/// endpoint does not become the local file, nor `always_off` always-on, nor grpc HTTP.
#[test]
fn values_that_are_not_unicode_are_refused() {
    for var in [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_TRACES_SAMPLER",
        "OTEL_SERVICE_NAME",
        "OTEL_EXPORTER_OTLP_HEADERS",
        "OTEL_BSP_MAX_QUEUE_SIZE",
    ] {
        let err = Settings::resolve(CodeOptions::default(), &NotUnicode(var)).expect_err(var);
        let text = err.to_string();
        assert!(text.contains(var), "{text}");
        assert!(text.contains("UTF-8"), "{text}");
    }
}

/// Errors in values that may hold secrets name the variable and the position, never the
/// secret: header values, and the password or query of an endpoint.
#[test]
fn errors_never_show_secrets() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "OTEL_EXPORTER_OTLP_HEADERS",
            "authorization=Bearer s3cret,Bearer s3cret",
            "entry 2",
        ),
        (
            "OTEL_EXPORTER_OTLP_HEADERS",
            "x-token=s3cret\u{1}",
            "entry 1",
        ),
        (
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "http://me:s3cret@ host/",
            "me:***@",
        ),
    ];
    for &(var, value, position) in cases {
        let env = [
            (var, value),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"),
        ];
        let text = resolve(CodeOptions::default(), &env)
            .unwrap_err()
            .to_string();
        assert!(text.contains(var) && text.contains(position), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }
    let code = CodeOptions {
        endpoint: Some("ftp://me:s3cret@host".into()),
        ..CodeOptions::default()
    };
    let text = resolve(code, &[]).unwrap_err().to_string();
    assert!(
        text.contains("endpoint") && !text.contains("s3cret"),
        "{text}"
    );
}

/// The collector's queue is sized for bursts unless a size is configured, which then bounds
/// both queues alike.
#[test]
fn collector_queue_defaults_to_the_burst_size() {
    let unset = resolve(CodeOptions::default(), &[]).unwrap();
    assert_eq!(unset.batch.collector_queue, super::DEFAULT_COLLECTOR_QUEUE);
    assert_eq!(unset.batch.max_queue_size, 2048);
    let env = resolve(
        CodeOptions::default(),
        &[("OTEL_BSP_MAX_QUEUE_SIZE", "4096")],
    )
    .unwrap();
    assert_eq!(env.batch.collector_queue, 4096);
    let code = CodeOptions {
        max_queue_size: Some(1000),
        max_export_batch_size: Some(100),
        ..CodeOptions::default()
    };
    assert_eq!(resolve(code, &[]).unwrap().batch.collector_queue, 1000);
}

/// A program's default service name yields to the environment's, and code's beats both.
#[test]
fn default_service_name_yields_to_the_environment() {
    let code = || CodeOptions {
        default_service_name: Some("demo".into()),
        ..CodeOptions::default()
    };
    assert_eq!(service_name(&resolve(code(), &[]).unwrap()), "demo");
    let env = [("OTEL_SERVICE_NAME", "deployed")];
    assert_eq!(service_name(&resolve(code(), &env).unwrap()), "deployed");
    let attrs = [("OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attrs")];
    assert_eq!(
        service_name(&resolve(code(), &attrs).unwrap()),
        "from-attrs"
    );
    let explicit = CodeOptions {
        service_name: Some("explicit".into()),
        ..code()
    };
    assert_eq!(service_name(&resolve(explicit, &env).unwrap()), "explicit");
}
