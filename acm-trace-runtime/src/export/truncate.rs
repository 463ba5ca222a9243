//! `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`, which the Rust SDK does not implement
//! (open-telemetry/opentelemetry-rust#3374): long string values are cut before export.

use opentelemetry::{Array, KeyValue, StringValue, Value};
use opentelemetry_sdk::trace::SpanData;

/// The longest prefix of `s` that has at most `max_bytes` bytes and ends on a character
/// boundary.
///
/// ```
/// use acm_trace_runtime::export::truncate_utf8;
///
/// assert_eq!(truncate_utf8("héllo", 2), "h"); // `é` takes two bytes and would be split
/// assert_eq!(truncate_utf8("héllo", 3), "hé");
/// assert_eq!(truncate_utf8("short", 100), "short");
/// ```
pub fn truncate_utf8(s: &str, max_bytes: usize) -> &str {
    if s.len() <= max_bytes {
        return s;
    }
    let mut end = max_bytes;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn cut(value: &mut StringValue, limit: usize) {
    if value.as_str().len() > limit {
        *value = StringValue::from(truncate_utf8(value.as_str(), limit).to_string());
    }
}

fn truncate_attributes(attributes: &mut [KeyValue], limit: usize) {
    for kv in attributes {
        match &mut kv.value {
            Value::String(s) => cut(s, limit),
            Value::Array(Array::String(items)) => items.iter_mut().for_each(|s| cut(s, limit)),
            _ => {}
        }
    }
}

/// Cuts string attribute values of spans, their events and links to `limit` bytes.
pub(crate) fn truncate_span(span: &mut SpanData, limit: usize) {
    truncate_attributes(&mut span.attributes, limit);
    for event in &mut span.events.events {
        truncate_attributes(&mut event.attributes, limit);
    }
    for link in &mut span.links.links {
        truncate_attributes(&mut link.attributes, limit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_splits_a_character() {
        let s = "aé€😀";
        for limit in 0..=s.len() {
            let t = truncate_utf8(s, limit);
            assert!(t.len() <= limit);
            assert!(s.starts_with(t));
        }
        assert_eq!(truncate_utf8("😀", 3), "");
    }

    #[test]
    fn cuts_strings_and_string_arrays_only() {
        let mut attrs = vec![
            KeyValue::new("sql", "x".repeat(10)),
            KeyValue::new("n", 12345678_i64),
            KeyValue::new(
                "list",
                Value::Array(Array::String(vec!["abcdef".into(), "ab".into()])),
            ),
        ];
        truncate_attributes(&mut attrs, 4);
        assert_eq!(attrs[0].value, Value::from("xxxx"));
        assert_eq!(attrs[1].value, Value::I64(12345678));
        assert_eq!(
            attrs[2].value,
            Value::Array(Array::String(vec!["abcd".into(), "ab".into()]))
        );
    }
}
