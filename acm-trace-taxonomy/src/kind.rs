use std::fmt;
use std::str::FromStr;

/// The OpenTelemetry span kind of a span.
///
/// ```
/// use acm_trace_taxonomy::Kind;
/// assert_eq!("client".parse::<Kind>(), Ok(Kind::Client));
/// assert_eq!(Kind::Producer.as_str(), "producer");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Outgoing I/O: databases, files, remote services.
    Client,
    /// Entry points and control flow.
    Server,
    /// Work that produces data for later stages.
    Producer,
    /// Work that consumes what earlier stages produced.
    Consumer,
    /// In-process computation.
    Internal,
}

impl Kind {
    /// Every kind, in the order of the colour table: blue, green, purple, orange, yellow.
    pub const ALL: [Kind; 5] = [
        Kind::Client,
        Kind::Internal,
        Kind::Server,
        Kind::Producer,
        Kind::Consumer,
    ];

    /// The lowercase name, as `otel.kind` and the `kind = …` option spell it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Client => "client",
            Kind::Server => "server",
            Kind::Producer => "producer",
            Kind::Consumer => "consumer",
            Kind::Internal => "internal",
        }
    }

    /// The colour of this kind in acm-trace's own views of a trace (the terminal tree):
    /// CLIENT blue, INTERNAL green, SERVER purple, PRODUCER orange, CONSUMER yellow.
    ///
    /// ```
    /// use acm_trace_taxonomy::Kind;
    /// assert_eq!(Kind::Client.colour(), "blue");
    /// assert_eq!(Kind::Consumer.colour(), "yellow");
    /// ```
    pub const fn colour(self) -> &'static str {
        match self {
            Kind::Client => "blue",
            Kind::Internal => "green",
            Kind::Server => "purple",
            Kind::Producer => "orange",
            Kind::Consumer => "yellow",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no span kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseKindError {
    /// The string that was given.
    pub given: String,
}

impl fmt::Display for ParseKindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown span kind `{}`; expected one of: auto, client, server, producer, consumer, internal",
            self.given
        )
    }
}

impl std::error::Error for ParseKindError {}

impl FromStr for Kind {
    type Err = ParseKindError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| ParseKindError {
                given: s.to_owned(),
            })
    }
}
