//! Attribute lists built once and appended to many spans.
//!
//! Every acm span carries the same site and run-context attributes as thousands of others.
//! Lists of `'static` strings and integers are kept in this crate's own form and turned into
//! OpenTelemetry attributes as they are appended, written straight into the span's list:
//! cheaper than cloning OpenTelemetry values, which goes through their every variant. Lists
//! that own their strings are kept as OpenTelemetry attributes and cloned.

use opentelemetry::{Key, KeyValue, StringValue, Value};

/// A value of an attribute that owns nothing.
#[derive(Clone, Copy)]
pub(crate) enum StaticValue {
    Str(&'static str),
    Int(i64),
}

impl StaticValue {
    #[inline(always)]
    fn to_value(self) -> Value {
        match self {
            StaticValue::Str(s) => Value::String(StringValue::from(s)),
            StaticValue::Int(i) => Value::I64(i),
        }
    }
}

/// Attributes appended to spans as a whole.
pub(crate) enum Preset {
    /// Built on each append from borrowed strings and integers.
    Static(Box<[(&'static str, StaticValue)]>),
    /// Cloned on each append.
    Owned(Box<[KeyValue]>),
}

impl Preset {
    /// The attributes of `pairs`, which borrow their strings.
    pub(crate) fn from_static(pairs: &[(&'static str, StaticValue)]) -> Self {
        Preset::Static(pairs.into())
    }

    /// Attributes that may own their strings.
    pub(crate) fn cloned(attributes: Vec<KeyValue>) -> Self {
        Preset::Owned(attributes.into_boxed_slice())
    }

    /// Appends the attributes to `out`.
    #[inline]
    pub(crate) fn append_to(&self, out: &mut Vec<KeyValue>) {
        match self {
            Preset::Static(pairs) => {
                out.extend(pairs.iter().map(|&(key, value)| {
                    KeyValue::new(Key::from_static_str(key), value.to_value())
                }))
            }
            Preset::Owned(attributes) => out.extend_from_slice(attributes),
        }
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
