//! Attribute lists built once and appended to many spans.
//!
//! Every acm span carries the same site and run-context attributes as thousands of others.
//! Building each attribute anew per span stalls the processor on every one (the halves of a
//! value just stored on the stack are reloaded as one wider value, which cannot be forwarded),
//! and cloning calls into the SDK per value. A list whose keys and values all borrow
//! `'static` strings or are integers owns no memory and no reference count, so a bitwise copy
//! of it is exactly what cloning would make, and dropping a copy frees nothing: such lists are
//! copied. Any other list is cloned.

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
    /// Whether the attributes own nothing (checked when built), which makes a bitwise copy a
    /// clone.
    copy: bool,
}

impl Preset {
    /// The attributes of `pairs`, copied bitwise unless the SDK's types turn out to keep a
    /// copy of any string.
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
        let copy = attributes.iter().zip(pairs).all(|(kv, (key, value))| {
            same_str(kv.key.as_str(), key)
                && match (&kv.value, value) {
                    (Value::String(s), StaticValue::Str(v)) => same_str(s.as_str(), v),
                    (Value::I64(_), StaticValue::Int(_)) => true,
                    _ => false,
                }
        });
        Preset { attributes, copy }
    }

    /// Attributes that may own their strings: always cloned.
    pub(crate) fn cloned(attributes: Vec<KeyValue>) -> Self {
        Preset {
            attributes: attributes.into_boxed_slice(),
            copy: false,
        }
    }

    /// Whether appending copies the attributes bitwise.
    #[cfg(test)]
    pub(crate) fn is_copied(&self) -> bool {
        self.copy
    }

    /// Appends the attributes to `out`.
    pub(crate) fn append_to(&self, out: &mut Vec<KeyValue>) {
        if !self.copy {
            out.extend_from_slice(&self.attributes);
            return;
        }
        let n = self.attributes.len();
        out.reserve(n);
        let len = out.len();
        // SAFETY: `out` has room for `n` more attributes past `len`. The attributes own
        // nothing (checked in `from_static`: every string is the very `'static` one given,
        // not a copy or a shared count), so the bitwise copies are valid values that free
        // nothing when dropped, and the originals stay valid.
        unsafe {
            std::ptr::copy_nonoverlapping(self.attributes.as_ptr(), out.as_mut_ptr().add(len), n);
            out.set_len(len + n);
        }
    }
}

/// Whether `a` is the very string `b`, not an equal copy.
fn same_str(a: &str, b: &str) -> bool {
    std::ptr::eq(a.as_ptr(), b.as_ptr()) && a.len() == b.len()
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
    fn copies_equal_the_built_attributes_and_outlive_nothing() {
        let pairs = [
            ("acm.category", StaticValue::Str("fit")),
            ("code.line.number", StaticValue::Int(42)),
        ];
        let preset = Preset::from_static(&pairs);
        assert!(preset.is_copied(), "static strings are borrowed");
        check_appended(preset);
    }

    #[test]
    fn owned_strings_are_cloned() {
        let preset = Preset::cloned(vec![
            KeyValue::new("acm.category", String::from("fit")),
            KeyValue::new("code.line.number", 42),
        ]);
        assert!(!preset.is_copied());
        check_appended(preset);
    }
}
