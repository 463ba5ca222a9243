use std::cell::{Cell, RefCell};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

/// How a span's work ended, recorded as `acm.outcome`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The work was done. Set by itself when the function returns (or returns `Ok`).
    Success,
    /// The work failed. Set by itself on `Err` and on panic.
    Fail,
    /// There was nothing to do.
    Noop,
    /// The work was skipped on purpose.
    Skip,
    /// The future was dropped before it completed. Set by itself.
    Cancelled,
}

impl Outcome {
    /// The value recorded as `acm.outcome`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Fail => "fail",
            Outcome::Noop => "noop",
            Outcome::Skip => "skip",
            Outcome::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

thread_local! {
    /// How many acm spans are entered on this thread, and the depth of the innermost one that
    /// has an explicit outcome (0: none), so that entering and leaving a span without one
    /// touches nothing else.
    static DEPTHS: Cell<(u32, u32)> = const { Cell::new((0, 0)) };
    /// The explicit outcomes of entered spans, innermost last, with their span's depth.
    static EXPLICIT: RefCell<Vec<(u32, Outcome)>> = const { RefCell::new(Vec::new()) };
}

/// Sets the outcome of the innermost `#[acm_span]` span running on this thread, e.g.
/// [`Outcome::Noop`] when a stage found nothing to do. It wins over the outcome the span would
/// get by itself. Outside any acm span it does nothing.
///
/// ```
/// use acm_trace_runtime::{Outcome, set_outcome};
/// set_outcome(Outcome::Skip); // no span here: nothing happens
/// ```
pub fn set_outcome(outcome: Outcome) {
    let Ok((depth, top)) = DEPTHS.try_with(Cell::get) else {
        return;
    };
    if depth == 0 {
        return;
    }
    let stored = EXPLICIT.try_with(|explicit| {
        let mut explicit = explicit.borrow_mut();
        match explicit.last_mut() {
            Some(last) if top == depth => last.1 = outcome,
            _ => explicit.push((depth, outcome)),
        }
    });
    if stored.is_ok() {
        DEPTHS.set((depth, depth));
    }
}

/// A span is entered on this thread.
#[inline]
pub(crate) fn push_slot() {
    let _ = DEPTHS.try_with(|depths| {
        let (depth, top) = depths.get();
        depths.set((depth.saturating_add(1), top));
    });
}

/// The innermost entered span leaves: its explicit outcome, if it was given one.
#[inline]
pub(crate) fn pop_slot() -> Option<Outcome> {
    let (depth, top) = DEPTHS.try_with(Cell::get).ok()?;
    if depth == 0 {
        return None;
    }
    if top != depth {
        DEPTHS.set((depth - 1, top));
        return None;
    }
    let (outcome, next_top) = EXPLICIT
        .try_with(|explicit| {
            let mut explicit = explicit.borrow_mut();
            let outcome = explicit.pop().map(|(_, outcome)| outcome);
            (outcome, explicit.last().map_or(0, |(depth, _)| *depth))
        })
        .unwrap_or((None, 0));
    DEPTHS.set((depth - 1, next_top));
    outcome
}

/// What a function's return value says about its outcome.
#[doc(hidden)]
pub enum Finding<'a> {
    /// Not an error.
    Success,
    /// An `Err(e)`: the type name of `E` and the best description available.
    Error {
        type_name: &'static str,
        text: ErrorText<'a>,
    },
}

/// The description of an error: its `Display` text when it has one, else its type name. A
/// `Debug` dump is never used: it would record every field of the value, which the function
/// never chose to show.
#[doc(hidden)]
pub enum ErrorText<'a> {
    Display(&'a dyn fmt::Display),
    TypeName,
}

/// The longest status description recorded, in bytes; a longer error text is cut there, at a
/// character boundary, and ends with `…`.
pub const MAX_ERROR_MESSAGE_LEN: usize = 256;

/// Whether failed spans record their error's text as the status description; when off, they
/// record its type name only. Set by [`TelemetryBuilder::error_messages`](crate::TelemetryBuilder::error_messages).
static ERROR_MESSAGES: AtomicBool = AtomicBool::new(true);

pub(crate) fn set_error_messages(on: bool) {
    ERROR_MESSAGES.store(on, Ordering::Relaxed);
}

/// The status description of a failed span: the error's text, bounded, or only its type
/// name when error messages are off.
pub(crate) fn description(finding: &Finding<'_>) -> String {
    describe(finding, ERROR_MESSAGES.load(Ordering::Relaxed))
}

fn describe(finding: &Finding<'_>, messages: bool) -> String {
    use std::fmt::Write as _;
    if let Finding::Error { type_name, .. } = finding
        && !messages
    {
        return short_type_name(type_name).to_owned();
    }
    let mut text = String::new();
    let _ = write!(text, "{finding}");
    if text.len() > MAX_ERROR_MESSAGE_LEN {
        let mut cut = MAX_ERROR_MESSAGE_LEN - '…'.len_utf8();
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// `a::b::Error<c::D>` as `Error<c::D>`: the type as its own crate's code names it.
fn short_type_name(full: &str) -> &str {
    let head = full.find('<').map_or(full, |at| &full[..at]);
    match head.rfind("::") {
        Some(at) => &full[at + 2..],
        None => full,
    }
}

impl fmt::Display for Finding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Success => Ok(()),
            Finding::Error { type_name, text } => match text {
                ErrorText::Display(d) => d.fmt(f),
                ErrorText::TypeName => f.write_str(short_type_name(type_name)),
            },
        }
    }
}

/// Autoref specialisation over the return value: the most specific impl that applies wins,
/// so `Result<_, E>` is told apart from other types, and `E` is described by `Display`, else
/// by its type name, without any bound on the user's types.
#[doc(hidden)]
pub mod probe {
    use super::{ErrorText, Finding};
    use std::fmt::Display;

    pub struct Probe<'a, T: ?Sized>(pub &'a T);

    // The finding borrows the value, not the probe, so it outlives the probe temporaries.
    pub trait ViaDisplay<'a> {
        fn acm_finding(&self) -> Finding<'a>;
    }
    impl<'a, T, E: Display> ViaDisplay<'a> for &&&Probe<'a, Result<T, E>> {
        fn acm_finding(&self) -> Finding<'a> {
            match self.0 {
                Ok(_) => Finding::Success,
                Err(e) => Finding::Error {
                    type_name: std::any::type_name::<E>(),
                    text: ErrorText::Display(e),
                },
            }
        }
    }

    pub trait ViaTypeName<'a> {
        fn acm_finding(&self) -> Finding<'a>;
    }
    impl<'a, T, E> ViaTypeName<'a> for &Probe<'a, Result<T, E>> {
        fn acm_finding(&self) -> Finding<'a> {
            match self.0 {
                Ok(_) => Finding::Success,
                Err(_) => Finding::Error {
                    type_name: std::any::type_name::<E>(),
                    text: ErrorText::TypeName,
                },
            }
        }
    }

    pub trait NotResult<'a> {
        fn acm_finding(&self) -> Finding<'a>;
    }
    impl<'a, T: ?Sized> NotResult<'a> for Probe<'a, T> {
        fn acm_finding(&self) -> Finding<'a> {
            Finding::Success
        }
    }
}

#[cfg(test)]
mod description_tests {
    use super::{ErrorText, Finding, MAX_ERROR_MESSAGE_LEN, describe};

    fn error<'a>(text: ErrorText<'a>) -> Finding<'a> {
        Finding::Error {
            type_name: "app::db::ConnectError<app::Pool>",
            text,
        }
    }

    #[test]
    fn messages_are_bounded_or_left_out() {
        let long = "ü".repeat(10_000);
        let text = describe(&error(ErrorText::Display(&long)), true);
        assert!(
            text.len() <= MAX_ERROR_MESSAGE_LEN && text.ends_with('…'),
            "{text}"
        );
        assert_eq!(
            describe(&error(ErrorText::Display(&"refused")), false),
            "ConnectError<app::Pool>"
        );
        assert_eq!(
            describe(&error(ErrorText::TypeName), true),
            "ConnectError<app::Pool>"
        );
        assert_eq!(
            describe(&error(ErrorText::Display(&"refused")), true),
            "refused"
        );
    }
}

#[cfg(test)]
mod slot_tests {
    use super::{Outcome, pop_slot, push_slot, set_outcome};

    /// Each entered span gets the outcome set while it is the innermost one, nested or not.
    #[test]
    fn explicit_outcomes_go_to_the_innermost_span() {
        set_outcome(Outcome::Skip); // outside any span: ignored
        push_slot(); // outer
        set_outcome(Outcome::Noop);
        push_slot(); // inner, nothing set
        assert_eq!(pop_slot(), None);
        push_slot(); // inner, set twice: the last wins
        set_outcome(Outcome::Fail);
        set_outcome(Outcome::Skip);
        push_slot(); // innermost, nothing set
        assert_eq!(pop_slot(), None);
        assert_eq!(pop_slot(), Some(Outcome::Skip));
        assert_eq!(
            pop_slot(),
            Some(Outcome::Noop),
            "the outer span keeps its own"
        );
        assert_eq!(pop_slot(), None, "no span left");
        push_slot();
        assert_eq!(pop_slot(), None, "nothing left over from before");
    }
}
