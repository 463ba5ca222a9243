//! Parses the arguments of `#[acm_span(...)]` and `span!(...)` into [`Args`].

use acm_trace_taxonomy::{PHASES, Phase};
use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Expr, Ident, LitStr, Path, Token};

/// The parsed arguments, each keeping the tokens it came from for later errors.
#[derive(Clone)]
pub struct Args {
    pub name: Option<LitStr>,
    pub kind: Option<KindArg>,
    pub phase: Option<LitStr>,
    pub track_resources: Option<Ident>,
    pub skip: Option<Ident>,
    pub attributes: Vec<Attribute>,
    /// Whether the name was given as tracing's `name = "…"`.
    pub misplaced_name: bool,
    /// The option keys given so far, to point a duplicate at the first.
    seen: Vec<Ident>,
    /// Problems found while parsing that do not stop the parse (duplicates, typos).
    pub errors: Vec<syn::Error>,
}

/// `kind = auto | client | …`
#[derive(Clone)]
pub struct KindArg {
    pub value: Ident,
}

/// How an attribute value is recorded.
#[derive(Clone, Copy)]
pub enum Format {
    /// As a typed value (`tracing::Value`).
    Value,
    /// `%expr`: through `Display`.
    Display,
    /// `?expr`: through `Debug`.
    Debug,
}

/// A caller attribute `key = expr`, recorded as `acm.key`.
#[derive(Clone)]
pub struct Attribute {
    pub key: Ident,
    pub format: Format,
    pub value: Expr,
}

/// What `kind = …` takes.
pub const KINDS: [&str; 6] = [
    "auto", "client", "server", "producer", "consumer", "internal",
];

const PHASE_NAMES: [&str; PHASES.len()] = {
    let mut names = [""; PHASES.len()];
    let mut i = 0;
    while i < PHASES.len() {
        names[i] = PHASES[i].as_str();
        i += 1;
    }
    names
};

/// `what`, and the `kind = …` the given text most likely means.
pub fn kind_fix(what: &str, given: &str) -> String {
    let lower = given.to_ascii_lowercase();
    let best = KINDS
        .into_iter()
        .find(|k| *k == lower)
        .or_else(|| acm_trace_taxonomy::closest(&lower, KINDS));
    match best {
        Some(kind) => format!("{what}; write `kind = {kind}`"),
        None => format!("{what}; the kinds are: {}", KINDS.join(", ")),
    }
}

/// The option keywords, for "did you mean" suggestions.
pub const OPTIONS: [&str; 4] = ["kind", "phase", "track_resources", "skip"];

const OPTION_LIST: &str =
    "the options are `kind = …`, `phase = \"…\"`, `track_resources` and attributes `key = value`";

const EXPECTED: &str =
    "expected `kind = …`, `phase = \"…\"`, `track_resources`, or an attribute `key = value`";

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = Args {
            name: None,
            kind: None,
            phase: None,
            track_resources: None,
            skip: None,
            attributes: Vec::new(),
            misplaced_name: false,
            seen: Vec::new(),
            errors: Vec::new(),
        };
        if input.is_empty() {
            return Ok(args);
        }
        if input.peek(LitStr) {
            args.name = Some(input.parse()?);
        } else if !starts_with_option(input) {
            let expr: Expr = input.parse()?;
            return Err(syn::Error::new_spanned(
                expr,
                "the span name must be a string literal, e.g. `#[acm_span(\"fit.pca\")]`, \
                 so that it can be checked at compile time; a constant or a macro call cannot be",
            ));
        }
        let mut first = args.name.is_none();
        while !input.is_empty() {
            if !first {
                input.parse::<Token![,]>()?;
                if input.is_empty() {
                    break;
                }
            }
            first = false;
            args.parse_option(input)?;
        }
        Ok(args)
    }
}

/// Whether the arguments open with an option rather than with something meant as the name:
/// `key = …`, a bare keyword such as `skip`, or a near miss of one (reported as a typo later).
fn starts_with_option(input: ParseStream<'_>) -> bool {
    let fork = input.fork();
    let Ok(key) = fork.call(Ident::parse_any) else {
        return false;
    };
    if fork.peek(Token![=]) {
        return true;
    }
    let key = key.to_string();
    let tracing_option = crate::tracing_options::KEYS.contains(&key.as_str());
    if tracing_option && fork.peek(syn::token::Paren) {
        return true;
    }
    (fork.is_empty() || fork.peek(Token![,]))
        && (tracing_option
            || OPTIONS.contains(&key.as_str())
            || acm_trace_taxonomy::closest(&key, OPTIONS).is_some())
}

impl Args {
    fn parse_option(&mut self, input: ParseStream<'_>) -> syn::Result<()> {
        if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            return Err(syn::Error::new(
                lit.span(),
                "the span name comes first, before the options, and only once",
            ));
        }
        let key: Ident = input
            .call(Ident::parse_any)
            .map_err(|e| syn::Error::new(e.span(), EXPECTED))?;
        if let Some(e) = crate::tracing_options::parse(&key, input)? {
            // The name given as `name = "…"` is that one mistake, not also a missing name.
            self.misplaced_name |= key == "name";
            self.errors.push(e);
            return Ok(());
        }
        if input.peek(Token![.]) {
            return self.dotted_key(key, input);
        }
        let has_value = input.peek(Token![=]);
        match (key.to_string().as_str(), has_value) {
            ("kind", true) => {
                input.parse::<Token![=]>()?;
                if input.peek(LitStr) {
                    let lit: LitStr = input.parse()?;
                    let msg = kind_fix("the span kind is a keyword, not a string", &lit.value());
                    self.errors.push(syn::Error::new(lit.span(), msg));
                    return Ok(());
                }
                let path = input.call(Path::parse_mod_style).map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        format!("expected a span kind: {}", KINDS.join(", ")),
                    )
                })?;
                match path.get_ident() {
                    Some(value) => {
                        let value = value.clone();
                        self.set_once(&key, |a| &mut a.kind, KindArg { value });
                    }
                    // `Kind::Internal`, as the runtime's type is spelled.
                    None => {
                        let last = path.segments.last().map(|s| s.ident.to_string());
                        let msg = kind_fix(
                            "the span kind is a keyword, not a path",
                            last.as_deref().unwrap_or_default(),
                        );
                        self.errors.push(syn::Error::new_spanned(path, msg));
                    }
                }
            }
            ("phase", true) => {
                input.parse::<Token![=]>()?;
                if !input.peek(LitStr)
                    && let Ok(path) = input.call(Path::parse_mod_style)
                {
                    // `phase = fit` or `phase = Phase::Fit`.
                    let last = path.segments.last().map(|s| s.ident.to_string());
                    let msg = match Phase::suggest(last.as_deref().unwrap_or_default()) {
                        Some(phase) => {
                            format!("the phase is a string literal; write `phase = \"{phase}\"`")
                        }
                        None => format!(
                            "the phase is a string literal, e.g. `phase = \"fit\"`; the phases are: {}",
                            PHASE_NAMES.join(", ")
                        ),
                    };
                    self.errors.push(syn::Error::new_spanned(path, msg));
                    return Ok(());
                }
                let value: LitStr = input.parse().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "expected the phase as a string literal, e.g. `phase = \"fit\"`",
                    )
                })?;
                self.set_once(&key, |a| &mut a.phase, value);
            }
            ("track_resources" | "skip", true) => {
                return Err(syn::Error::new(
                    key.span(),
                    format!("`{key}` takes no value; write just `{key}`"),
                ));
            }
            ("track_resources", false) => {
                self.set_once(&key, |a| &mut a.track_resources, key.clone())
            }
            ("skip", false) => self.set_once(&key, |a| &mut a.skip, key.clone()),
            (_, true) => {
                input.parse::<Token![=]>()?;
                let format = if input.peek(Token![%]) {
                    input.parse::<Token![%]>()?;
                    Format::Display
                } else if input.peek(Token![?]) {
                    input.parse::<Token![?]>()?;
                    Format::Debug
                } else {
                    Format::Value
                };
                let value: Expr = input.parse()?;
                self.push_attribute(Attribute { key, format, value });
            }
            (other, false) => {
                let mut msg = format!("unknown option `{other}`");
                match acm_trace_taxonomy::closest(other, OPTIONS) {
                    Some(best) => {
                        msg.push_str(&format!("; did you mean `{best}`? ({OPTION_LIST})"))
                    }
                    None => msg.push_str(&format!("; {OPTION_LIST}")),
                }
                self.errors.push(syn::Error::new(key.span(), msg));
            }
        }
        Ok(())
    }

    /// `n.rows = 1`, as tracing writes fields: consumed whole, and answered with the key
    /// that works here.
    fn dotted_key(&mut self, first: Ident, input: ParseStream<'_>) -> syn::Result<()> {
        let mut parts = vec![first.to_string()];
        let mut tokens = first.to_token_stream();
        while input.peek(Token![.]) {
            let dot: Token![.] = input.parse()?;
            let part = input.call(Ident::parse_any)?;
            parts.push(part.to_string());
            dot.to_tokens(&mut tokens);
            part.to_tokens(&mut tokens);
        }
        if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            if input.peek(Token![%]) || input.peek(Token![?]) {
                input.parse::<proc_macro2::Punct>()?;
            }
            input.parse::<Expr>()?;
        }
        let joined = parts.join("_");
        self.errors.push(syn::Error::new_spanned(
            tokens,
            format!(
                "an attribute key is one identifier, recorded as `acm.<key>`; \
                 write `{joined} = …`"
            ),
        ));
        Ok(())
    }

    fn set_once<T>(
        &mut self,
        key: &Ident,
        slot: impl FnOnce(&mut Self) -> &mut Option<T>,
        value: T,
    ) {
        let first = self.seen.iter().find(|k| *k == key).cloned();
        let slot = slot(self);
        if slot.is_some() {
            let e = duplicate(first.as_ref(), key, "option", "give it once");
            self.errors.push(e);
        } else {
            *slot = Some(value);
            self.seen.push(key.clone());
        }
    }

    fn push_attribute(&mut self, attr: Attribute) {
        let key = attr.key.to_string();
        // `key = value` is open-ended, so only a near miss of an option is taken as a typo.
        let typo_of = ["kind", "phase"]
            .into_iter()
            .find(|o| key.len() > 2 && acm_trace_taxonomy::edit_distance(&key, o) == 1);
        if let Some(best) = typo_of {
            self.errors.push(syn::Error::new(
                attr.key.span(),
                format!("unknown option `{key}`; did you mean `{best}`? ({OPTION_LIST})"),
            ));
            return;
        }
        if let Some(first) = self.attributes.iter().find(|a| a.key == attr.key) {
            let e = duplicate(
                Some(&first.key),
                &attr.key,
                "attribute",
                "each attribute is recorded once",
            );
            self.errors.push(e);
            return;
        }
        self.attributes.push(attr);
    }
}

/// The error for `again`, underlined from its first use so both are in view.
fn duplicate(first: Option<&Ident>, again: &Ident, what: &str, fix: &str) -> syn::Error {
    let msg = format!("duplicate {what} `{again}`, underlined from its first use; {fix}");
    match first {
        Some(first) => syn::Error::new_spanned(quote::quote!(#first #again), msg),
        None => syn::Error::new(again.span(), msg),
    }
}

/// Parses `#[acm_span(...)]` arguments.
pub fn parse(tokens: TokenStream) -> syn::Result<Args> {
    syn::parse2(tokens)
}
