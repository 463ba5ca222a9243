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

use crate::RunContext;

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

/// The run context's attributes, ready to be put on spans.
pub(crate) struct RunAttributes {
    equipment: Text,
    equip_id: Text,
    run_id: Text,
    service: Text,
    batch_num: i64,
    batch_total: i64,
}

/// A span's reference to the run context it was opened under.
#[derive(Clone)]
pub(crate) enum RunRef {
    Interned(&'static RunAttributes),
    Shared(Arc<RunAttributes>),
}

impl RunRef {
    fn attributes(&self) -> &RunAttributes {
        match self {
            RunRef::Interned(a) => a,
            RunRef::Shared(a) => a,
        }
    }

    /// Appends the six run attributes.
    pub(crate) fn extend(&self, attributes: &mut Vec<KeyValue>) {
        let a = self.attributes();
        let kv = |key: &'static str, value: Value| KeyValue::new(Key::from_static_str(key), value);
        attributes.push(kv("acm.equipment", a.equipment.value()));
        attributes.push(kv("acm.equip_id", a.equip_id.value()));
        attributes.push(kv("acm.run_id", a.run_id.value()));
        attributes.push(kv("acm.service", a.service.value()));
        attributes.push(kv("acm.batch_num", Value::I64(a.batch_num)));
        attributes.push(kv("acm.batch_total", Value::I64(a.batch_total)));
    }
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
        let attributes = RunAttributes {
            equipment: self.text(&ctx.equipment),
            equip_id: self.text(&ctx.equip_id),
            run_id: self.text(&ctx.run_id),
            service: self.text(&ctx.service),
            batch_num: i64::from(ctx.batch_num),
            batch_total: i64::from(ctx.batch_total),
        };
        let size = std::mem::size_of::<RunAttributes>();
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
        assert!(matches!(snapshot.equipment, Text::Shared(_)));
        assert_eq!(interned.bytes, super::MAX_INTERNED);
        let mut attributes = Vec::new();
        RunRef::Shared(snapshot).extend(&mut attributes);
        assert_eq!(attributes.len(), 6);
        assert_eq!(attributes[0].value.as_str(), "FD_FAN-over-bound");
    }
}
