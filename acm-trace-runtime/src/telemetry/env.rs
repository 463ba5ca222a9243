//! Where configuration from the environment comes from.

use std::collections::HashMap;
use std::fmt;

/// A source of environment variables for [`TelemetryBuilder`](crate::TelemetryBuilder).
///
/// The default is [`ProcessEnv`]. Tests and embedders pass a map instead, so that parallel tests
/// never mutate the process environment.
///
/// ```
/// use std::collections::HashMap;
/// use acm_trace_runtime::EnvSource;
///
/// let env = HashMap::from([("OTEL_SERVICE_NAME".to_string(), "checkout".to_string())]);
/// assert_eq!(env.var("OTEL_SERVICE_NAME").as_deref(), Some("checkout"));
/// assert_eq!(env.var("OTEL_TRACES_SAMPLER"), None);
/// ```
pub trait EnvSource: Send + Sync {
    /// The value of `name`, or `None` when it is unset or not valid Unicode.
    fn var(&self, name: &str) -> Option<String>;
}

/// The environment of the running process (`std::env::var`).
#[derive(Clone, Copy, Debug, Default)]
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl EnvSource for HashMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

impl EnvSource for HashMap<&'static str, &'static str> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).map(|v| (*v).to_string())
    }
}

/// Reads a variable and treats an empty value as unset, as the OpenTelemetry specification asks.
pub(crate) fn non_empty(env: &dyn EnvSource, name: &str) -> Option<String> {
    env.var(name).filter(|v| !v.trim().is_empty())
}

/// Boxed source kept by the builder; `Debug` only names the kind so secrets never get printed.
pub(crate) struct BoxedEnv(pub(crate) Box<dyn EnvSource>);

impl fmt::Debug for BoxedEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnvSource")
    }
}

impl Default for BoxedEnv {
    fn default() -> Self {
        Self(Box::new(ProcessEnv))
    }
}
