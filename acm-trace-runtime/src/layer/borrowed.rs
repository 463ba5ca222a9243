//! Attribute lists that own nothing, copied onto spans bitwise.
//!
//! Every acm span carries the same site and run-context attributes as thousands of others.
//! Building each attribute anew per span stalls the processor on every one (the halves of a
//! value just stored on the stack are reloaded as one wider value, which cannot be forwarded),
//! and cloning calls into the SDK per value. A list whose keys and values all borrow
//! `'static` strings or are integers owns no memory and no reference count, so a bitwise copy
//! of it is exactly what cloning would make, and dropping a copy frees nothing.

use opentelemetry::{Key, KeyValue, StringValue, Value};

/// A value of an attribute that owns nothing.
#[derive(Clone, Copy)]
pub(crate) enum StaticValue {
    Str(&'static str),
    Int(i64),
}

/// Attributes whose keys and values borrow `'static` strings or are integers.
pub(crate) struct Borrowed(Box<[KeyValue]>);

impl Borrowed {
    /// The attributes of `pairs`, or `None` if the SDK's types turn out to own a copy of any
    /// string (then they must be cloned, not copied).
    pub(crate) fn new(pairs: &[(&'static str, StaticValue)]) -> Option<Self> {
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
        let borrows = attributes.iter().zip(pairs).all(|(kv, (key, value))| {
            same_str(kv.key.as_str(), key)
                && match (&kv.value, value) {
                    (Value::String(s), StaticValue::Str(v)) => same_str(s.as_str(), v),
                    (Value::I64(_), StaticValue::Int(_)) => true,
                    _ => false,
                }
        });
        borrows.then_some(Borrowed(attributes))
    }

    /// Appends a copy of the attributes to `out`.
    pub(crate) fn append_to(&self, out: &mut Vec<KeyValue>) {
        out.reserve(self.0.len());
        let len = out.len();
        // SAFETY: `out` has room for `self.0.len()` more attributes past `len`. The
        // attributes own nothing (checked in `new`: every string is the very `'static` one
        // given, not a copy or a shared count), so the bitwise copies are valid values that
        // free nothing when dropped, and the originals stay valid.
        unsafe {
            std::ptr::copy_nonoverlapping(self.0.as_ptr(), out.as_mut_ptr().add(len), self.0.len());
            out.set_len(len + self.0.len());
        }
    }
}

/// Whether `a` is the very string `b`, not an equal copy.
fn same_str(a: &str, b: &str) -> bool {
    std::ptr::eq(a.as_ptr(), b.as_ptr()) && a.len() == b.len()
}

#[cfg(test)]
mod tests {
    use super::{Borrowed, StaticValue};

    #[test]
    fn copies_equal_the_built_attributes_and_outlive_nothing() {
        let pairs = [
            ("acm.category", StaticValue::Str("fit")),
            ("code.line.number", StaticValue::Int(42)),
        ];
        let borrowed = Borrowed::new(&pairs).expect("static strings are borrowed");
        let mut out = vec![opentelemetry::KeyValue::new("first", "kept")];
        for _ in 0..3 {
            borrowed.append_to(&mut out);
        }
        drop(borrowed);
        assert_eq!(out.len(), 7);
        assert_eq!(out[0].value.as_str(), "kept");
        for copy in out[1..].chunks(2) {
            assert_eq!(copy[0].key.as_str(), "acm.category");
            assert_eq!(copy[0].value.as_str(), "fit");
            assert_eq!(copy[1].key.as_str(), "code.line.number");
            assert_eq!(copy[1].value, opentelemetry::Value::I64(42));
        }
    }
}
