//! Attribute lists built once and appended to many spans.
//!
//! Every acm span carries the same site and run-context attributes as thousands of others, so
//! they are built once into OpenTelemetry attributes and cloned onto each span by the collector
//! thread. Lists of `'static` strings and integers clone without allocating: the SDK's strings
//! keep a `'static` string as a borrowed one.

use opentelemetry::{Key, KeyValue, StringValue, Value};

/// A value of an attribute that owns nothing.
#[derive(Clone, Copy)]
pub(crate) enum StaticValue {
    Str(&'static str),
    Int(i64),
}

/// Attributes appended to spans as a whole.
pub(crate) struct Preset {
    attributes: Box<[KeyValue]>,
}

impl Preset {
    /// The attributes of `pairs`, which borrow their strings.
    pub(crate) fn from_static(pairs: &[(&'static str, StaticValue)]) -> Self {
        let attributes: Box<[KeyValue]> = pairs
            .iter()
            .map(|&(key, value)| {
                let value = match value {
                    StaticValue::Str(s) => Value::String(StringValue::from(s)),
                    StaticValue::Int(i) => Value::I64(i),
                };
                KeyValue::new(Key::from_static_str(key), value)
            })
            .collect();
        Preset { attributes }
    }

    /// Attributes that may own their strings.
    pub(crate) fn cloned(attributes: Vec<KeyValue>) -> Self {
        Preset {
            attributes: attributes.into_boxed_slice(),
        }
    }

    /// Appends the attributes to `out`.
    #[inline]
    pub(crate) fn append_to(&self, out: &mut Vec<KeyValue>) {
        out.extend_from_slice(&self.attributes);
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry::{KeyValue, Value};

    use super::{Preset, StaticValue};

    /// Appends `preset` three times, drops it, and checks the appended attributes.
    fn check_appended(preset: Preset) {
        let mut out = vec![KeyValue::new("first", "kept")];
        for _ in 0..3 {
            preset.append_to(&mut out);
        }
        drop(preset);
        assert_eq!(out.len(), 7);
        assert_eq!(out[0].value.as_str(), "kept");
        for copy in out[1..].chunks(2) {
            assert_eq!(copy[0].key.as_str(), "acm.category");
            assert_eq!(copy[0].value.as_str(), "fit");
            assert_eq!(copy[1].key.as_str(), "code.line.number");
            assert_eq!(copy[1].value, Value::I64(42));
        }
    }

    #[test]
    fn static_lists_append_their_attributes() {
        let pairs = [
            ("acm.category", StaticValue::Str("fit")),
            ("code.line.number", StaticValue::Int(42)),
        ];
        check_appended(Preset::from_static(&pairs));
    }

    #[test]
    fn owned_strings_are_cloned() {
        let preset = Preset::cloned(vec![
            KeyValue::new("acm.category", String::from("fit")),
            KeyValue::new("code.line.number", 42),
        ]);
        check_appended(preset);
    }
}
