use std::fmt;

use crate::{CATEGORIES, Category, Kind, Phase, category, closest};

/// The deepest a span name may be: `category.subcategory.operation`.
pub const MAX_LEVELS: usize = 3;

/// One dot-separated segment of a span name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A literal segment, `[a-z][a-z0-9_]*`.
    Static(String),
    /// `{…}`: a segment filled in at run time; holds the text between the braces.
    Placeholder(String),
}

/// A span name that follows the convention.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpanName {
    segments: Vec<Segment>,
    category: &'static Category,
}

impl SpanName {
    /// The segments in order; the first is always static.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The category (first segment).
    pub fn category(&self) -> &'static str {
        self.category.name
    }

    /// The span kind of the category.
    pub fn kind(&self) -> Kind {
        self.category.kind
    }

    /// The default phase of the category.
    pub fn phase(&self) -> Phase {
        self.category.phase
    }

    /// Whether every segment is static, so the name is known at compile time.
    pub fn is_static(&self) -> bool {
        self.placeholders().next().is_none()
    }

    /// The texts of the placeholders, in order.
    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Placeholder(p) => Some(p.as_str()),
            Segment::Static(_) => None,
        })
    }
}

/// Why a span name breaks the convention. `Display` gives the compiler error text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameError {
    /// `""`.
    Empty,
    /// `".fit"`.
    LeadingDot { name: String },
    /// `"fit."`.
    TrailingDot { name: String },
    /// `"fit..pca"`: level `level` (1-based) is empty.
    EmptySegment { name: String, level: usize },
    /// More than [`MAX_LEVELS`] segments; `shorter` joins the extra levels with `_`.
    TooDeep {
        name: String,
        levels: usize,
        shorter: String,
    },
    /// A segment with uppercase letters; `fixed` is the name in snake_case.
    Uppercase {
        name: String,
        segment: String,
        fixed: String,
    },
    /// A segment that starts with something other than a lowercase letter.
    BadStart {
        name: String,
        segment: String,
        first: char,
    },
    /// A segment with a character outside `[a-z0-9_]`; `fixed` is a suggestion if one exists.
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
    /// The first segment is not a known category.
    UnknownCategory {
        category: String,
        suggestion: Option<String>,
    },
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Empty => write!(
                f,
                "span name is empty; write `category.operation`, e.g. `fit.pca`"
            ),
            NameError::LeadingDot { name } => write!(
                f,
                "span name `{name}` starts with a dot; write `{}`",
                name.trim_start_matches('.')
            ),
            NameError::TrailingDot { name } => write!(
                f,
                "span name `{name}` ends with a dot; write `{}`",
                name.trim_end_matches('.')
            ),
            NameError::EmptySegment { name, level } => write!(
                f,
                "span name `{name}` has an empty segment at level {level}; \
                 segments are separated by a single dot"
            ),
            NameError::TooDeep {
                name,
                levels,
                shorter,
            } => write!(
                f,
                "span name `{name}` has {levels} levels; at most {MAX_LEVELS} are allowed \
                 (category.subcategory.operation); write e.g. `{shorter}`"
            ),
            NameError::Uppercase {
                name,
                segment,
                fixed,
            } => write!(
                f,
                "segment `{segment}` of span name `{name}` has uppercase letters; \
                 segments are lowercase snake_case; write `{fixed}`"
            ),
            NameError::BadStart {
                name,
                segment,
                first,
            } => write!(
                f,
                "segment `{segment}` of span name `{name}` starts with `{first}`; \
                 a segment starts with a lowercase letter (`[a-z][a-z0-9_]*`)"
            ),
            NameError::BadChar {
                name,
                segment,
                ch,
                fixed,
            } => {
                write!(
                    f,
                    "segment `{segment}` of span name `{name}` contains `{}`; \
                     segments use only `a-z`, `0-9` and `_`",
                    ch.escape_default()
                )?;
                match fixed {
                    Some(fixed) => write!(f, "; write `{fixed}`"),
                    None => Ok(()),
                }
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
                category,
                suggestion,
            } => {
                write!(f, "unknown span category `{category}`")?;
                match suggestion {
                    Some(s) => write!(f, "; did you mean `{s}`?"),
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

/// Checks a span name against the convention and returns its parsed form.
///
/// The grammar: 1 to [`MAX_LEVELS`] segments separated by single dots; each segment is
/// `[a-z][a-z0-9_]*` or a `{placeholder}` (not the first); the first segment is a known
/// category.
///
/// ```
/// use acm_trace_taxonomy::{validate_name, Kind, Segment};
/// let n = validate_name("sql.bulk_insert").unwrap();
/// assert_eq!(n.kind(), Kind::Client);
/// assert!(n.is_static());
/// assert!(validate_name("fit.pca.svd.inner").is_err());
/// assert!(validate_name("Fit.pca").is_err());
/// ```
pub fn validate_name(name: &str) -> Result<SpanName, NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    let raw = split_segments(name)?;
    if raw.first() == Some(&"") {
        return Err(NameError::LeadingDot {
            name: name.to_owned(),
        });
    }
    if raw.len() > 1 && raw.last() == Some(&"") {
        return Err(NameError::TrailingDot {
            name: name.to_owned(),
        });
    }
    if let Some(i) = raw.iter().position(|s| s.is_empty()) {
        return Err(NameError::EmptySegment {
            name: name.to_owned(),
            level: i + 1,
        });
    }
    if raw.len() > MAX_LEVELS {
        let mut shorter: Vec<String> = raw[..MAX_LEVELS - 1]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        shorter.push(raw[MAX_LEVELS - 1..].join("_"));
        return Err(NameError::TooDeep {
            name: name.to_owned(),
            levels: raw.len(),
            shorter: shorter.join("."),
        });
    }
    let mut segments = Vec::with_capacity(raw.len());
    for (i, seg) in raw.iter().enumerate() {
        let parsed = parse_segment(name, seg)?;
        if let (0, Segment::Placeholder(p)) = (i, &parsed) {
            return Err(NameError::PlaceholderCategory {
                name: name.to_owned(),
                placeholder: p.clone(),
            });
        }
        segments.push(parsed);
    }
    let first = raw[0];
    let category = category(first).ok_or_else(|| NameError::UnknownCategory {
        category: first.to_owned(),
        suggestion: suggest_category(first, &raw[1..]),
    })?;
    Ok(SpanName { segments, category })
}

/// Splits on dots outside braces, and checks that braces pair up.
fn split_segments(name: &str) -> Result<Vec<&str>, NameError> {
    let mut segments = Vec::new();
    let mut start = 0;
    let mut open = false;
    for (i, ch) in name.char_indices() {
        match ch {
            '{' if open => {
                return Err(NameError::UnclosedPlaceholder {
                    name: name.to_owned(),
                });
            }
            '{' => open = true,
            '}' if !open => {
                return Err(NameError::StrayBrace {
                    name: name.to_owned(),
                });
            }
            '}' => open = false,
            '.' if !open => {
                segments.push(&name[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if open {
        return Err(NameError::UnclosedPlaceholder {
            name: name.to_owned(),
        });
    }
    segments.push(&name[start..]);
    Ok(segments)
}

fn parse_segment(name: &str, seg: &str) -> Result<Segment, NameError> {
    if let Some(inner) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
        if inner.trim().is_empty() {
            return Err(NameError::EmptyPlaceholder {
                name: name.to_owned(),
            });
        }
        let inner = inner.trim();
        if !is_placeholder_path(inner) {
            return Err(NameError::BadPlaceholder {
                name: name.to_owned(),
                placeholder: inner.to_owned(),
            });
        }
        return Ok(Segment::Placeholder(inner.to_owned()));
    }
    if seg.contains(['{', '}']) {
        return Err(NameError::PartialPlaceholder {
            name: name.to_owned(),
            segment: seg.to_owned(),
        });
    }
    if seg.chars().any(|c| c.is_uppercase()) {
        return Err(NameError::Uppercase {
            name: name.to_owned(),
            segment: seg.to_owned(),
            fixed: repair_category(replace_segment(name, seg, &to_snake_case(seg))),
        });
    }
    if let Some(ch) = seg
        .chars()
        .find(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
    {
        let fixed = match ch {
            '-' | ' ' => Some(replace_segment(name, seg, &seg.replace(['-', ' '], "_"))),
            _ => None,
        };
        return Err(NameError::BadChar {
            name: name.to_owned(),
            segment: seg.to_owned(),
            ch,
            fixed,
        });
    }
    let first = seg.chars().next().unwrap_or('_');
    if !first.is_ascii_lowercase() {
        return Err(NameError::BadStart {
            name: name.to_owned(),
            segment: seg.to_owned(),
            first,
        });
    }
    Ok(Segment::Static(seg.to_owned()))
}

/// A suggested name whose category is still unknown gets the nearest category too, so
/// following the suggestion never leads straight to another error.
fn repair_category(fixed: String) -> String {
    let mut parts: Vec<&str> = fixed.split('.').collect();
    if category(parts[0]).is_some() {
        return fixed;
    }
    match suggest_category(parts[0], &[]) {
        Some(best) if !best.contains('.') => {
            let best = best.clone();
            parts[0] = &best;
            parts.join(".")
        }
        _ => fixed,
    }
}

/// An argument, a field of one (`self.kind`) or a path (`Self::NAME`): identifiers joined by
/// `.` or `::`.
fn is_placeholder_path(text: &str) -> bool {
    let is_ident = |part: &str| {
        let mut chars = part.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    text.split("::").all(|path| path.split('.').all(is_ident))
}

fn replace_segment(name: &str, old: &str, new: &str) -> String {
    name.split('.')
        .map(|s| if s == old { new } else { s })
        .collect::<Vec<_>>()
        .join(".")
}

fn to_snake_case(seg: &str) -> String {
    let mut out = String::with_capacity(seg.len() + 4);
    let mut prev_lower = false;
    for ch in seg.chars() {
        if ch.is_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.extend(ch.to_lowercase());
            prev_lower = false;
        } else {
            out.push(ch);
            prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
        }
    }
    out
}

/// `load_data` → `load.data` when the part before `_` is a category; else the nearest
/// category by edit distance.
fn suggest_category(first: &str, rest: &[&str]) -> Option<String> {
    let names = || CATEGORIES.iter().map(|c| c.name);
    if let Some((head, tail)) = first.split_once('_')
        && category(head).is_some()
        && !tail.is_empty()
        && rest.len() < MAX_LEVELS - 1
    {
        let mut parts = vec![head, tail];
        parts.extend_from_slice(rest);
        return Some(parts.join("."));
    }
    closest(first, names()).map(str::to_owned)
}
