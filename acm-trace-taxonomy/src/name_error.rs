//! Why a span name breaks the convention, in the words the compiler error uses.

use std::fmt;

use crate::{CATEGORIES, MAX_LEVELS};

/// Why a span name breaks the convention. `Display` gives the compiler error text.
///
/// A `fixed` (or `shorter`, `suggestion`) name is the whole name repaired: it is offered only
/// when it passes [`validate_name`](crate::validate_name) itself, so following it never leads to another error.
/// [`NameError::suggestion`] returns it whatever the variant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameError {
    /// `""`.
    Empty,
    /// `".fit"`.
    LeadingDot { name: String, fixed: Option<String> },
    /// `"fit."`.
    TrailingDot { name: String, fixed: Option<String> },
    /// `"fit..pca"`: level `level` (1-based) is empty.
    EmptySegment {
        name: String,
        level: usize,
        fixed: Option<String>,
    },
    /// More than [`MAX_LEVELS`] segments; `shorter` joins the extra levels with `_`.
    TooDeep {
        name: String,
        levels: usize,
        shorter: Option<String>,
    },
    /// A segment with uppercase letters; `fixed` has every segment in snake_case.
    Uppercase {
        name: String,
        segment: String,
        fixed: Option<String>,
    },
    /// A segment that starts with something other than a lowercase letter.
    BadStart {
        name: String,
        segment: String,
        first: char,
        fixed: Option<String>,
    },
    /// A segment with a character outside `[a-z0-9_]`.
    BadChar {
        name: String,
        segment: String,
        ch: char,
        fixed: Option<String>,
    },
    /// `{` without its `}`.
    UnclosedPlaceholder { name: String },
    /// `}` without its `{`.
    StrayBrace { name: String },
    /// `{}`.
    EmptyPlaceholder { name: String },
    /// `{1x}`, `{a+b}`: a placeholder names an argument, a field of one or a path.
    BadPlaceholder { name: String, placeholder: String },
    /// `fit.pca_{x}`: a placeholder must be a whole segment.
    PartialPlaceholder { name: String, segment: String },
    /// `{x}.pca`: the category is always static.
    PlaceholderCategory { name: String, placeholder: String },
    /// The first segment is not a known category. The message shows only the suggested
    /// category when the rest of the name stays as it was.
    UnknownCategory {
        name: String,
        category: String,
        suggestion: Option<String>,
    },
}

impl NameError {
    /// The whole name repaired, when a repair that passes [`validate_name`](crate::validate_name) exists.
    ///
    /// ```
    /// use acm_trace_taxonomy::validate_name;
    /// let e = validate_name("Fit.HTTPRequest").unwrap_err();
    /// assert_eq!(e.suggestion(), Some("fit.http_request"));
    /// assert_eq!(validate_name(" fit.pca").unwrap_err().suggestion(), Some("fit.pca"));
    /// assert_eq!(validate_name("fuse.scores").unwrap_err().suggestion(), Some("fusion.scores"));
    /// ```
    pub fn suggestion(&self) -> Option<&str> {
        match self {
            NameError::LeadingDot { fixed, .. }
            | NameError::TrailingDot { fixed, .. }
            | NameError::EmptySegment { fixed, .. }
            | NameError::Uppercase { fixed, .. }
            | NameError::BadStart { fixed, .. }
            | NameError::BadChar { fixed, .. }
            | NameError::TooDeep { shorter: fixed, .. }
            | NameError::UnknownCategory {
                suggestion: fixed, ..
            } => fixed.as_deref(),
            NameError::Empty
            | NameError::UnclosedPlaceholder { .. }
            | NameError::StrayBrace { .. }
            | NameError::EmptyPlaceholder { .. }
            | NameError::BadPlaceholder { .. }
            | NameError::PartialPlaceholder { .. }
            | NameError::PlaceholderCategory { .. } => None,
        }
    }

    /// The same error without its repair, for callers who word the fix themselves (a name
    /// built from a method's name is fixed on the method, not in the name).
    ///
    /// ```
    /// use acm_trace_taxonomy::validate_name;
    /// let e = validate_name("fit.PCA").unwrap_err().without_suggestion();
    /// assert_eq!(e.suggestion(), None);
    /// assert!(!e.to_string().contains("write"));
    /// ```
    pub fn without_suggestion(self) -> Self {
        self.with_repair(None)
    }

    /// Sets the repair of the name, found once the first problem is known.
    pub(crate) fn with_repair(mut self, repaired: Option<String>) -> Self {
        match &mut self {
            NameError::LeadingDot { fixed, .. }
            | NameError::TrailingDot { fixed, .. }
            | NameError::EmptySegment { fixed, .. }
            | NameError::Uppercase { fixed, .. }
            | NameError::BadStart { fixed, .. }
            | NameError::BadChar { fixed, .. }
            | NameError::TooDeep { shorter: fixed, .. }
            | NameError::UnknownCategory {
                suggestion: fixed, ..
            } => *fixed = repaired,
            _ => {}
        }
        self
    }
}

/// `; write `…``, when there is a repair.
fn write_fix(f: &mut fmt::Formatter<'_>, fixed: Option<&String>) -> fmt::Result {
    match fixed {
        Some(fixed) => write!(f, "; write `{fixed}`"),
        None => Ok(()),
    }
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Empty => write!(
                f,
                "span name is empty; write `category.operation`, e.g. `fit.pca`"
            ),
            NameError::LeadingDot { name, fixed } => {
                write!(f, "span name `{name}` starts with a dot")?;
                write_fix(f, fixed.as_ref())
            }
            NameError::TrailingDot { name, fixed } => {
                write!(f, "span name `{name}` ends with a dot")?;
                write_fix(f, fixed.as_ref())
            }
            NameError::EmptySegment { name, level, fixed } => {
                write!(
                    f,
                    "span name `{name}` has an empty segment at level {level}; \
                     segments are separated by a single dot"
                )?;
                write_fix(f, fixed.as_ref())
            }
            NameError::TooDeep {
                name,
                levels,
                shorter,
            } => {
                write!(
                    f,
                    "span name `{name}` has {levels} levels; at most {MAX_LEVELS} are allowed \
                     (category.subcategory.operation)"
                )?;
                match shorter {
                    Some(shorter) => write!(f, "; write e.g. `{shorter}`"),
                    None => Ok(()),
                }
            }
            NameError::Uppercase {
                name,
                segment,
                fixed,
            } => {
                write!(
                    f,
                    "segment `{segment}` of span name `{name}` has uppercase letters; \
                     segments are lowercase snake_case"
                )?;
                write_fix(f, fixed.as_ref())
            }
            NameError::BadStart {
                name,
                segment,
                first,
                fixed,
            } => {
                write!(
                    f,
                    "segment `{segment}` of span name `{name}` starts with `{first}`; \
                     a segment starts with a lowercase letter (`[a-z][a-z0-9_]*`)"
                )?;
                write_fix(f, fixed.as_ref())
            }
            NameError::BadChar {
                name,
                segment,
                ch,
                fixed,
            } => {
                // As written (`á`), unless it would not show: a tab or another control.
                let shown = if ch.is_control() {
                    ch.escape_default().to_string()
                } else {
                    ch.to_string()
                };
                write!(
                    f,
                    "segment `{segment}` of span name `{name}` contains `{shown}`; \
                     segments use only `a-z`, `0-9` and `_`"
                )?;
                write_fix(f, fixed.as_ref())
            }
            NameError::UnclosedPlaceholder { name } => write!(
                f,
                "span name `{name}` opens a placeholder `{{` that is never closed; \
                 write `{{argument}}` as a whole segment"
            ),
            NameError::StrayBrace { name } => {
                write!(f, "span name `{name}` has a `}}` without a matching `{{`")
            }
            NameError::BadPlaceholder { name, placeholder } => write!(
                f,
                "placeholder `{{{placeholder}}}` in span name `{name}` is not an argument name; \
                 a placeholder names an argument (`{{detector}}`), a field of one \
                 (`{{self.kind}}`) or a path (`{{Self::NAME}}`)"
            ),
            NameError::EmptyPlaceholder { name } => write!(
                f,
                "span name `{name}` has an empty placeholder `{{}}`; \
                 name an argument inside it, e.g. `fit.{{detector}}`"
            ),
            NameError::PartialPlaceholder { name, segment } => write!(
                f,
                "segment `{segment}` of span name `{name}` mixes text and a placeholder; \
                 a placeholder must be a whole segment, e.g. `fit.{{detector}}`"
            ),
            NameError::PlaceholderCategory { name, placeholder } => write!(
                f,
                "the category of span name `{name}` is the placeholder `{{{placeholder}}}`; \
                 the category must be static so the span kind is known at compile time"
            ),
            NameError::UnknownCategory {
                name,
                category,
                suggestion,
            } => {
                write!(f, "unknown span category `{category}`")?;
                match suggestion {
                    Some(s) => write!(f, "; did you mean `{}`?", crate::repair::shown(name, s)),
                    None => {
                        let known: Vec<&str> = CATEGORIES.iter().map(|c| c.name).collect();
                        write!(f, "; known categories: {}", known.join(", "))
                    }
                }
            }
        }
    }
}

impl std::error::Error for NameError {}
