//! Where configuration from the environment comes from.

use std::collections::HashMap;
use std::fmt;

use super::{StartError, redact};

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

    /// Whether `name` is set to a value that is not valid Unicode, which [`var`](Self::var)
    /// cannot return. Such a value is an error from `start()`, never taken as unset (an
    /// endpoint that silently became the local file would hide the mistake). The default
    /// answers `false`, for sources that hold only Unicode.
    fn is_not_unicode(&self, name: &str) -> bool {
        let _ = name;
        false
    }
}

/// The environment of the running process (`std::env::var`).
#[derive(Clone, Copy, Debug, Default)]
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn is_not_unicode(&self, name: &str) -> bool {
        matches!(std::env::var(name), Err(std::env::VarError::NotUnicode(_)))
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

/// Reads a variable and treats an empty value as unset, as the OpenTelemetry specification
/// asks; a value that is not valid Unicode is an error naming the variable (not the value,
/// which may be a secret).
pub(crate) fn non_empty(
    env: &dyn EnvSource,
    name: &'static str,
) -> Result<Option<String>, StartError> {
    if env.is_not_unicode(name) {
        return Err(StartError::InvalidEnv {
            var: name,
            value: "(not valid UTF-8)".into(),
            expected: "valid UTF-8 text".into(),
        });
    }
    Ok(env.var(name).filter(|v| !v.trim().is_empty()))
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

pub(crate) fn invalid(var: &'static str, value: String, expected: String) -> StartError {
    StartError::InvalidEnv {
        var,
        value,
        expected,
    }
}

/// Reads the first of `vars` that is set and parses it, naming that variable on failure.
pub(crate) fn from_env<T>(
    env: &dyn EnvSource,
    vars: &[&'static str],
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<T>, StartError> {
    for var in vars {
        if let Some(value) = non_empty(env, var)? {
            return parse(&value)
                .map(Some)
                .map_err(|expected| invalid(var, redact::shown(var, &value), expected));
        }
    }
    Ok(None)
}
