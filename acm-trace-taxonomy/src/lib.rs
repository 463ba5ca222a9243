//! The naming convention of acm-trace: categories, span kinds, phases and the span-name
//! grammar. It is the single home of these rules: the proc macro asks it at compile time and
//! the runtime asks it for the catalog, so a rule changes in one place.
//!
//! ```
//! use acm_trace_taxonomy::{category_kind, validate_name, Kind};
//!
//! assert_eq!(category_kind("fit"), Some(Kind::Internal));
//! let name = validate_name("fit.{detector}").unwrap();
//! assert_eq!(name.category(), "fit");
//! assert_eq!(name.kind(), Kind::Internal);
//! let err = validate_name("fuse.scores").unwrap_err();
//! assert_eq!(err.to_string(), "unknown span category `fuse`; did you mean `fusion`?");
//! ```

mod attributes;
mod category;
mod grammar;
mod kind;
mod name_error;
mod phase;
mod repair;
mod suggest;

pub use attributes::{ATTRIBUTE_PREFIX, MAX_CALLER_ATTRIBUTES, STANDARD_FIELDS, StandardField};
pub use category::{CATEGORIES, Category, category, category_kind};
pub use grammar::{MAX_LEVELS, Segment, SpanName, validate_name};
pub use kind::{Kind, ParseKindError};
pub use name_error::NameError;
pub use phase::{PHASES, ParsePhaseError, Phase};
pub use suggest::{closest, edit_distance};
