//! Parsers for the values of the standard `OTEL_*` variables.
//!
//! Each returns `Err(expected)` describing a valid value, so the caller can name the variable
//! and the value in its error. Where the SDK would quietly fall back to a default, these refuse.

use std::time::Duration;

use opentelemetry_sdk::trace::Sampler;

use super::options::Protocol;

/// `OTEL_EXPORTER_OTLP_PROTOCOL`: only the transports this crate implements.
pub(crate) fn protocol(value: &str) -> Result<Protocol, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "grpc" => Ok(Protocol::Grpc),
        "http/protobuf" => Ok(Protocol::HttpProtobuf),
        _ => Err("`grpc` or `http/protobuf`".into()),
    }
}

/// A duration in whole milliseconds, as all `OTEL_*` timeouts and delays are given.
pub(crate) fn millis(value: &str) -> Result<Duration, String> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|ms| *ms > 0)
        .map(Duration::from_millis)
        .ok_or_else(|| "a positive whole number of milliseconds".into())
}

pub(crate) fn positive_count(value: &str) -> Result<usize, String> {
    value
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| "a positive whole number".into())
}

pub(crate) fn byte_count(value: &str) -> Result<usize, String> {
    value
        .trim()
        .parse::<usize>()
        .map_err(|_| "a whole number of bytes".into())
}

pub(crate) fn boolean(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("`true` or `false`".into()),
    }
}

/// `OTEL_TRACES_SAMPLER` with its `_ARG`. The remote samplers (`jaeger_remote`,
/// `parentbased_jaeger_remote`, `xray`) are refused: the SDK would silently replace them.
pub(crate) fn sampler(name: &str, arg: Option<&str>) -> Result<Sampler, (bool, String)> {
    let ratio = || -> Result<f64, (bool, String)> {
        match arg {
            None => Ok(1.0),
            Some(arg) => arg
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|r| (0.0..=1.0).contains(r))
                .ok_or((true, "a probability between 0.0 and 1.0".into())),
        }
    };
    let parent_based = |root: Sampler| Sampler::ParentBased(Box::new(root));
    match name.trim().to_ascii_lowercase().as_str() {
        "always_on" => Ok(Sampler::AlwaysOn),
        "always_off" => Ok(Sampler::AlwaysOff),
        "traceidratio" => Ok(Sampler::TraceIdRatioBased(ratio()?)),
        "parentbased_always_on" => Ok(parent_based(Sampler::AlwaysOn)),
        "parentbased_always_off" => Ok(parent_based(Sampler::AlwaysOff)),
        "parentbased_traceidratio" => Ok(parent_based(Sampler::TraceIdRatioBased(ratio()?))),
        _ => Err((
            false,
            "one of always_on, always_off, traceidratio, parentbased_always_on, \
             parentbased_always_off, parentbased_traceidratio"
                .into(),
        )),
    }
}

/// `key=value` pairs separated by commas, values percent-encoded (W3C Baggage style), as used by
/// `OTEL_EXPORTER_OTLP_HEADERS` and `OTEL_RESOURCE_ATTRIBUTES`. Empty entries are skipped.
pub(crate) fn key_values(value: &str) -> Result<Vec<(String, String)>, String> {
    const EXPECTED: &str = "comma-separated `key=value` pairs with percent-encoded values";
    let mut pairs = Vec::new();
    // Errors name the entry by its place, never by its text, which may hold a secret.
    for (n, entry) in value
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .enumerate()
    {
        let at_fault = || format!("{EXPECTED} (entry {} is not)", n + 1);
        let (key, val) = entry.split_once('=').ok_or_else(at_fault)?;
        let key = key.trim();
        if key.is_empty() {
            return Err(at_fault());
        }
        let val = percent_decode(val.trim()).ok_or_else(at_fault)?;
        pairs.push((key.to_string(), val));
    }
    Ok(pairs)
}

/// Header pairs: [`key_values`] plus the HTTP rules for names (RFC 9110 tokens) and values
/// (visible ASCII, space and tab), because a header the transport rejects would otherwise be
/// dropped without a word.
pub(crate) fn headers(value: &str) -> Result<Vec<(String, String)>, String> {
    let pairs = key_values(value)?;
    for (n, (key, val)) in pairs.iter().enumerate() {
        check_header(key, val).map_err(|expected| format!("{expected} (entry {})", n + 1))?;
    }
    Ok(pairs)
}

/// Checks one header; the error names neither the name (a malformed one may be a pasted
/// token) nor the value.
pub(crate) fn check_header(key: &str, val: &str) -> Result<(), String> {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if key.is_empty() || !key.chars().all(token) {
        return Err("a header name made of letters, digits and `-`".into());
    }
    if !val.chars().all(|c| c == '\t' || (' '..='~').contains(&c)) {
        return Err(format!("a header value of visible ASCII for `{key}`"));
    }
    Ok(())
}

fn percent_decode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = value.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// An endpoint URL: `http://` or `https://`, a non-empty host, no whitespace.
pub(crate) fn url(value: &str) -> Result<String, String> {
    const EXPECTED: &str = "an http:// or https:// URL such as http://localhost:4318";
    let value = value.trim();
    let rest = value
        .strip_prefix("http://")
        .or_else(|| value.strip_prefix("https://"))
        .ok_or(EXPECTED)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || value.chars().any(char::is_whitespace) {
        return Err(EXPECTED.into());
    }
    Ok(value.to_string())
}

/// A gRPC endpoint may omit the scheme; `OTEL_EXPORTER_OTLP_INSECURE` then decides it, as the
/// OTLP exporter specification says.
pub(crate) fn grpc_url(value: &str, insecure: bool) -> Result<String, String> {
    let value = value.trim();
    if value.contains("://") {
        return url(value);
    }
    let scheme = if insecure { "http" } else { "https" };
    url(&format!("{scheme}://{value}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_values_decode_and_skip_empty_entries() {
        assert_eq!(
            key_values(" a=1 ,, b = x%20y ,c=").unwrap(),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y".into()),
                ("c".into(), String::new())
            ]
        );
        assert!(key_values("novalue").is_err());
        assert!(key_values("=x").is_err());
        assert!(key_values("a=%zz").is_err());
    }

    #[test]
    fn headers_follow_http_rules() {
        assert!(headers("authorization=Basic%20abc").is_ok());
        assert!(headers("bad name=x").is_err());
        assert!(headers("k=line%0Abreak").is_err());
    }

    #[test]
    fn numbers_and_flags_refuse_garbage() {
        assert_eq!(millis("250").unwrap(), Duration::from_millis(250));
        assert!(millis("0").is_err());
        assert!(millis("10s").is_err());
        assert!(positive_count("-1").is_err());
        assert!(boolean("TRUE").unwrap());
        assert!(boolean("yes").is_err());
    }

    #[test]
    fn samplers_and_their_argument() {
        assert!(matches!(
            sampler("always_off", None),
            Ok(Sampler::AlwaysOff)
        ));
        assert!(matches!(
            sampler("traceidratio", Some("0.25")),
            Ok(Sampler::TraceIdRatioBased(r)) if r == 0.25
        ));
        assert!(matches!(sampler("traceidratio", Some("2")), Err((true, _))));
        assert!(matches!(sampler("jaeger_remote", None), Err((false, _))));
    }

    #[test]
    fn urls() {
        assert!(url("http://localhost:4318").is_ok());
        assert!(url("localhost:4318").is_err());
        assert!(url("http:///v1/traces").is_err());
        assert_eq!(
            grpc_url("collector:4317", false).unwrap(),
            "https://collector:4317"
        );
        assert_eq!(
            grpc_url("collector:4317", true).unwrap(),
            "http://collector:4317"
        );
        assert_eq!(protocol("HTTP/protobuf").unwrap(), Protocol::HttpProtobuf);
        assert!(protocol("http/json").is_err());
    }
}
