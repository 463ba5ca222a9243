//! The run context as spans carry it: one snapshot per context change, shared by every span
//! opened under it without a reference count.
//!
//! A snapshot and the context's strings are interned for the life of the process, so that a
//! span holds a plain reference to them and its attributes are built without touching a
//! counter another thread also touches. Interning leaks, so it is bounded: past
//! [`MAX_INTERNED`] bytes (a long-lived service that rotates run ids or batches), snapshots
//! are shared by reference count instead.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use opentelemetry::{Key, KeyValue, StringValue, Value};

use super::preset::{Preset, StaticValue};
use crate::RunContext;
use crate::fields::StandardField;

/// Bytes of snapshots and context strings kept for the life of the process, at most.
const MAX_INTERNED: usize = 1 << 20;

/// A string of the run context.
enum Text {
    Interned(&'static str),
    Shared(Arc<str>),
}

impl Text {
    fn value(&self) -> Value {
        Value::String(match self {
            Text::Interned(s) => StringValue::from(*s),
            Text::Shared(s) => StringValue::from(s.clone()),
        })
    }
}

/// A span's reference to the run context it was opened under: its six attributes.
#[derive(Clone)]
pub(crate) enum RunRef {
    Interned(&'static Preset),
    Shared(Arc<Preset>),
}

impl RunRef {
    /// Appends the six run attributes.
    pub(crate) fn extend(&self, attributes: &mut Vec<KeyValue>) {
        match self {
            RunRef::Interned(run) => run.append_to(attributes),
            RunRef::Shared(run) => run.append_to(attributes),
        }
    }
}

/// The run attributes' keys, in the order `build` takes their values.
const KEYS: [&str; 6] = [
    StandardField::Equipment.key(),
    StandardField::EquipId.key(),
    StandardField::RunId.key(),
    StandardField::Service.key(),
    StandardField::BatchNum.key(),
    StandardField::BatchTotal.key(),
];

/// The run attributes: borrowed strings when every string is interned, owned ones otherwise.
fn build(texts: [Text; 4], batch_num: u32, batch_total: u32) -> Preset {
    let ints = [i64::from(batch_num), i64::from(batch_total)];
    if let [
        Text::Interned(a),
        Text::Interned(b),
        Text::Interned(c),
        Text::Interned(d),
    ] = texts
    {
        let values = [
            StaticValue::Str(a),
            StaticValue::Str(b),
            StaticValue::Str(c),
            StaticValue::Str(d),
            StaticValue::Int(ints[0]),
            StaticValue::Int(ints[1]),
        ];
        let pairs: [(&'static str, StaticValue); 6] = std::array::from_fn(|i| (KEYS[i], values[i]));
        return Preset::from_static(&pairs);
    }
    let values: [Value; 6] = [
        texts[0].value(),
        texts[1].value(),
        texts[2].value(),
        texts[3].value(),
        Value::I64(ints[0]),
        Value::I64(ints[1]),
    ];
    Preset::cloned(
        KEYS.iter()
            .zip(values)
            .map(|(key, value)| KeyValue::new(Key::from_static_str(key), value))
            .collect(),
    )
}

struct Interned {
    strings: HashSet<&'static str>,
    bytes: usize,
    /// The snapshot of the latest context version a thread asked for, so threads share one.
    latest: Option<(u64, Option<RunRef>)>,
}

static INTERNED: Mutex<Option<Interned>> = Mutex::new(None);

thread_local! {
    // Spans are opened far more often than the context changes: each thread keeps the last
    // snapshot it saw and asks again only when the context's version moved.
    static CACHE: RefCell<(u64, Option<RunRef>)> = const { RefCell::new((0, None)) };
}

impl Interned {
    fn text(&mut self, value: &str) -> Text {
        if let Some(known) = self.strings.get(value) {
            return Text::Interned(known);
        }
        if self.bytes + value.len() > MAX_INTERNED {
            return Text::Shared(Arc::from(value));
        }
        let leaked: &'static str = Box::leak(value.to_owned().into_boxed_str());
        self.bytes += leaked.len();
        self.strings.insert(leaked);
        Text::Interned(leaked)
    }

    fn snapshot(&mut self, ctx: &RunContext) -> RunRef {
        let texts = [
            self.text(&ctx.equipment),
            self.text(&ctx.equip_id),
            self.text(&ctx.run_id),
            self.text(&ctx.service),
        ];
        let attributes = build(texts, ctx.batch_num, ctx.batch_total);
        let size = std::mem::size_of::<Preset>() + KEYS.len() * std::mem::size_of::<KeyValue>();
        if self.bytes + size > MAX_INTERNED {
            return RunRef::Shared(Arc::new(attributes));
        }
        self.bytes += size;
        RunRef::Interned(Box::leak(Box::new(attributes)))
    }

    /// The snapshot of context `version`, built by the first thread that asks.
    fn latest(&mut self, version: u64) -> Option<RunRef> {
        if let Some((seen, snapshot)) = &self.latest
            && *seen == version
        {
            return snapshot.clone();
        }
        let snapshot = crate::context::current().map(|ctx| self.snapshot(&ctx));
        self.latest = Some((version, snapshot.clone()));
        snapshot
    }
}

fn shared_snapshot(version: u64) -> Option<RunRef> {
    let mut interned = INTERNED.lock().unwrap_or_else(PoisonError::into_inner);
    interned
        .get_or_insert_with(|| Interned {
            strings: HashSet::new(),
            bytes: 0,
            latest: None,
        })
        .latest(version)
}

/// The run context of a span opened now, if one is set.
pub(crate) fn current() -> Option<RunRef> {
    let version = crate::context::version();
    CACHE
        .try_with(|cache| {
            let mut cache = cache.borrow_mut();
            if cache.0 != version {
                *cache = (version, shared_snapshot(version));
            }
            cache.1.clone()
        })
        .unwrap_or_else(|_| shared_snapshot(version))
}

#[cfg(test)]
mod tests {
    use super::{Interned, RunRef, Text};

    #[test]
    fn context_strings_are_interned_once() {
        let mut interned = Interned {
            strings: std::collections::HashSet::new(),
            bytes: 0,
            latest: None,
        };
        let (Text::Interned(a), Text::Interned(b)) = (
            interned.text("FD_FAN-interned"),
            interned.text(&String::from("FD_FAN-interned")),
        ) else {
            panic!("context strings are interned below the bound");
        };
        assert!(std::ptr::eq(a.as_ptr(), b.as_ptr()));
    }

    #[test]
    fn interned_snapshots_carry_every_value() {
        let mut interned = Interned {
            strings: std::collections::HashSet::new(),
            bytes: 0,
            latest: None,
        };
        let ctx = crate::RunContext::new("FD_FAN-copied")
            .with_run_id("run-7")
            .with_batches(2, 5);
        let RunRef::Interned(snapshot) = interned.snapshot(&ctx) else {
            panic!("a snapshot below the bound is interned");
        };
        let mut attributes = Vec::new();
        RunRef::Interned(snapshot).extend(&mut attributes);
        let got: Vec<(String, String)> = attributes
            .iter()
            .map(|kv| (kv.key.to_string(), kv.value.to_string()))
            .collect();
        let want = [
            ("acm.equipment", "FD_FAN-copied"),
            ("acm.equip_id", "FD_FAN-copied"),
            ("acm.run_id", "run-7"),
            ("acm.service", ctx.service.as_str()),
            ("acm.batch_num", "2"),
            ("acm.batch_total", "5"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        assert_eq!(got, want);
    }

    #[test]
    fn past_the_bound_snapshots_are_shared_not_leaked() {
        let mut interned = Interned {
            strings: std::collections::HashSet::new(),
            bytes: super::MAX_INTERNED,
            latest: None,
        };
        let ctx = crate::RunContext::new("FD_FAN-over-bound");
        let RunRef::Shared(snapshot) = interned.snapshot(&ctx) else {
            panic!("a snapshot past the bound is reference counted");
        };
        assert_eq!(interned.bytes, super::MAX_INTERNED);
        let mut attributes = Vec::new();
        RunRef::Shared(snapshot).extend(&mut attributes);
        assert_eq!(attributes.len(), 6);
        assert_eq!(attributes[0].value.as_str(), "FD_FAN-over-bound");
    }
}
