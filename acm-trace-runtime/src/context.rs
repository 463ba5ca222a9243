//! The run context: who and what a run is about, set once per run and updated per batch.
//! Every span opened while a context is set carries it as `acm.*` attributes.
//!
//! ```
//! use acm_trace_runtime::{RunContext, context};
//!
//! context::set(RunContext::new("FD_FAN").with_equip_id("42").with_batches(1, 3));
//! assert_eq!(context::current().unwrap().equipment, "FD_FAN");
//! context::update_batch(2, 3);
//! assert_eq!(context::current().unwrap().batch_num, 2);
//! context::clear();
//! ```

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

/// The service name OpenTelemetry prescribes when none is configured:
/// `unknown_service:` followed by the executable's name. Recorded as `acm.service` until
/// telemetry starts and sets the resolved `service.name`.
pub fn unknown_service() -> String {
    let executable = std::env::current_exe()
        .ok()
        .and_then(|path| path.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    format!("unknown_service:{executable}")
}

/// What a run is about. Recorded on every span as `acm.equipment`, `acm.equip_id`,
/// `acm.run_id`, `acm.service`, `acm.batch_num` and `acm.batch_total`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunContext {
    /// The equipment the run analyses, e.g. `FD_FAN`.
    pub equipment: String,
    /// The equipment's identifier in the plant's records.
    pub equip_id: String,
    /// A unique id for this run; a random UUID v4 unless given.
    pub run_id: String,
    /// The service running the pipeline: the telemetry's `service.name` once it has started,
    /// [`unknown_service`] before.
    pub service: String,
    /// The batch being processed, counted from 1.
    pub batch_num: u32,
    /// How many batches the run has.
    pub batch_total: u32,
}

impl RunContext {
    /// A context for `equipment` with a fresh run id, batch 1 of 1.
    pub fn new(equipment: impl Into<String>) -> Self {
        let equipment = equipment.into();
        RunContext {
            equip_id: equipment.clone(),
            equipment,
            run_id: uuid::Uuid::new_v4().to_string(),
            service: default_service(),
            batch_num: 1,
            batch_total: 1,
        }
    }

    /// Sets the equipment id (defaults to the equipment name).
    #[must_use]
    pub fn with_equip_id(mut self, equip_id: impl Into<String>) -> Self {
        self.equip_id = equip_id.into();
        self
    }

    /// Sets the run id (defaults to a random UUID v4).
    #[must_use]
    pub fn with_run_id(mut self, run_id: impl Into<String>) -> Self {
        self.run_id = run_id.into();
        self
    }

    /// Sets the service name recorded as `acm.service`.
    #[must_use]
    pub fn with_service(mut self, service: impl Into<String>) -> Self {
        self.service = service.into();
        self
    }

    /// Sets the batch position.
    #[must_use]
    pub fn with_batches(mut self, batch_num: u32, batch_total: u32) -> Self {
        self.batch_num = batch_num;
        self.batch_total = batch_total;
        self
    }
}

static SERVICE: RwLock<Option<String>> = RwLock::new(None);

/// Makes `service` the `acm.service` of run contexts created from now on; `Telemetry` sets it
/// to the resolved `service.name`, so the two agree.
pub fn set_default_service(service: impl Into<String>) {
    *SERVICE.write().unwrap_or_else(PoisonError::into_inner) = Some(service.into());
}

fn default_service() -> String {
    SERVICE
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
        .unwrap_or_else(unknown_service)
}

static VERSION: AtomicU64 = AtomicU64::new(0);
static CURRENT: RwLock<Option<Arc<RunContext>>> = RwLock::new(None);

thread_local! {
    // Spans are opened far more often than the context changes: each thread keeps the last
    // context it saw and rereads the shared one only when the version moved.
    static CACHE: RefCell<(u64, Option<Arc<RunContext>>)> = const { RefCell::new((0, None)) };
}

fn replace(ctx: Option<RunContext>) {
    let mut slot = CURRENT.write().unwrap_or_else(PoisonError::into_inner);
    *slot = ctx.map(Arc::new);
    VERSION.fetch_add(1, Ordering::Release);
}

/// Sets the context of the run; spans opened from now on carry it.
pub fn set(ctx: RunContext) {
    replace(Some(ctx));
}

/// Moves the run to another batch, keeping the rest of the context.
/// Does nothing when no context is set.
pub fn update_batch(batch_num: u32, batch_total: u32) {
    let mut slot = CURRENT.write().unwrap_or_else(PoisonError::into_inner);
    if let Some(ctx) = slot.as_mut() {
        let ctx = Arc::make_mut(ctx);
        ctx.batch_num = batch_num;
        ctx.batch_total = batch_total;
        VERSION.fetch_add(1, Ordering::Release);
    }
}

/// Removes the context; spans opened from now on carry no run attributes.
pub fn clear() {
    replace(None);
}

/// Changes whenever the context is set, updated or cleared; 0 until it first is.
pub(crate) fn version() -> u64 {
    VERSION.load(Ordering::Acquire)
}

/// The current context, if one is set.
pub fn current() -> Option<Arc<RunContext>> {
    let version = VERSION.load(Ordering::Acquire);
    CACHE
        .try_with(|cache| {
            let mut cache = cache.borrow_mut();
            if cache.0 != version {
                let shared = CURRENT
                    .read()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone();
                *cache = (version, shared);
            }
            cache.1.clone()
        })
        .unwrap_or_else(|_| {
            CURRENT
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .clone()
        })
}
