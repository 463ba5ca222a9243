//! Errors collected over a whole attribute and reported together, in source order, so a user
//! fixes every mistake in one build and reads them as they appear in the code.

use proc_macro2::Span;

/// Collects errors and combines them, sorted by where they point, into one.
#[derive(Default)]
pub struct Errors(Vec<syn::Error>);

impl Errors {
    pub fn push(&mut self, error: syn::Error) {
        // A combined error is taken apart so each of its messages is sorted on its own.
        self.0.extend(error);
    }

    pub fn extend(&mut self, errors: impl IntoIterator<Item = syn::Error>) {
        for e in errors {
            self.push(e);
        }
    }

    /// The combined error; only call after pushing at least one.
    pub fn into_error(self) -> syn::Error {
        self.combined().unwrap_or_else(|| {
            syn::Error::new(Span::call_site(), "invalid `#[acm_span]` arguments")
        })
    }

    pub fn finish<T>(self, value: T) -> Result<T, syn::Error> {
        match self.combined() {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }

    /// Messages in source order. Where the compiler gives no locations, every position is
    /// the same and the stable sort keeps the order the checks ran in.
    fn combined(mut self) -> Option<syn::Error> {
        self.0.sort_by_key(|e| {
            let start = e.span().start();
            (start.line, start.column)
        });
        let mut errors = self.0.into_iter();
        let mut all = errors.next()?;
        for e in errors {
            all.combine(e);
        }
        Some(all)
    }
}
