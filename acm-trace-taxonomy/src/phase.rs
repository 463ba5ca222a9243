use std::fmt;
use std::str::FromStr;

/// The high-level pipeline phase a span belongs to (`acm.phase`).
///
/// Each category has a default phase (see [`crate::CATEGORIES`]); `phase = "…"` on the
/// attribute overrides it.
///
/// ```
/// use acm_trace_taxonomy::Phase;
/// assert_eq!("persist".parse::<Phase>(), Ok(Phase::Persist));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    /// The whole run (`pipeline.*` root spans).
    Pipeline,
    /// Initialisation and configuration.
    Startup,
    /// Reading input data and baselines.
    Load,
    /// Feature engineering.
    Features,
    /// Model fitting, calibration and regimes.
    Fit,
    /// Scoring and drift monitoring.
    Score,
    /// Fusion, thresholds, episodes and culprits.
    Fusion,
    /// Forecasting and remaining useful life.
    Forecast,
    /// Analytics and reports.
    Analytics,
    /// Writing results.
    Persist,
    /// Finalisation and shutdown.
    Finalize,
}

/// Every phase, in pipeline order.
pub const PHASES: [Phase; 11] = [
    Phase::Pipeline,
    Phase::Startup,
    Phase::Load,
    Phase::Features,
    Phase::Fit,
    Phase::Score,
    Phase::Fusion,
    Phase::Forecast,
    Phase::Analytics,
    Phase::Persist,
    Phase::Finalize,
];

impl Phase {
    /// The lowercase name recorded as `acm.phase`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Phase::Pipeline => "pipeline",
            Phase::Startup => "startup",
            Phase::Load => "load",
            Phase::Features => "features",
            Phase::Fit => "fit",
            Phase::Score => "score",
            Phase::Fusion => "fusion",
            Phase::Forecast => "forecast",
            Phase::Analytics => "analytics",
            Phase::Persist => "persist",
            Phase::Finalize => "finalize",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no phase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsePhaseError {
    /// The string that was given.
    pub given: String,
}

impl fmt::Display for ParsePhaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown phase `{}`", self.given)?;
        if let Some(best) = Phase::suggest(&self.given) {
            write!(f, "; did you mean `{best}`?")
        } else {
            let names: Vec<&str> = PHASES.iter().map(|p| p.as_str()).collect();
            write!(f, "; expected one of: {}", names.join(", "))
        }
    }
}

impl Phase {
    /// The phase a mistaken spelling most likely means: another case (`Fit`, from
    /// `Phase::Fit`), a near miss (`fusoin`) or a longer form (`fitting`).
    ///
    /// ```
    /// use acm_trace_taxonomy::Phase;
    /// assert_eq!(Phase::suggest("Fit"), Some(Phase::Fit));
    /// assert_eq!(Phase::suggest("fitting"), Some(Phase::Fit));
    /// assert_eq!(Phase::suggest("qqqq"), None);
    /// ```
    pub fn suggest(given: &str) -> Option<Phase> {
        let lower = given.trim().to_ascii_lowercase();
        let names = PHASES.iter().map(|p| p.as_str());
        let best = PHASES
            .iter()
            .map(|p| p.as_str())
            .find(|p| *p == lower)
            .or_else(|| crate::closest(&lower, names))
            .or_else(|| {
                PHASES
                    .iter()
                    .map(|p| p.as_str())
                    .filter(|p| lower.starts_with(p) && p.len() >= 3)
                    .max_by_key(|p| p.len())
            })?;
        best.parse().ok()
    }
}

impl std::error::Error for ParsePhaseError {}

impl FromStr for Phase {
    type Err = ParsePhaseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PHASES
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| ParsePhaseError {
                given: s.to_owned(),
            })
    }
}
