//! Every semantic rule on the arguments: the name grammar (asked of the taxonomy), the
//! placeholders, the kind, the phase and the attributes. Errors are collected, not returned
//! one at a time, so a user fixes everything in one build.

use acm_trace_taxonomy::{
    Kind, MAX_CALLER_ATTRIBUTES, Phase, STANDARD_FIELDS, Segment, validate_name,
};
use proc_macro2::Span;
use syn::visit::Visit;
use syn::{Expr, Ident, LitStr, Signature};

use crate::attr::{Args, Attribute};

/// What the arguments mean once checked.
pub struct Spec {
    /// The name as written (a template when dynamic), for the catalog and the metadata.
    pub name: String,
    pub category: &'static str,
    pub kind: Kind,
    pub phase: Phase,
    /// How the name is formatted, when it is dynamic.
    pub dynamic: Option<Dynamic>,
    pub track_resources: bool,
    pub attributes: Vec<Attribute>,
    /// Where generated code points, so errors in it land on the attribute's name.
    pub span: Span,
}

/// How a dynamic name is formatted at run time.
pub enum Dynamic {
    /// The user's literal itself, each placeholder an identifier that `format_args!`
    /// captures: an error in a placeholder then points inside the literal, and the fix rustc
    /// suggests replaces the identifier only, never the whole name.
    Captured(LitStr),
    /// `fit.{}` and the placeholder expressions, for fields, paths and `{fn}`.
    Positional(String, Vec<Expr>),
}

/// Where the arguments are used.
pub struct Site<'a> {
    /// The function's signature; `None` for `span!`.
    pub sig: Option<&'a Signature>,
    /// What `{fn}` stands for.
    pub method: Method<'a>,
    /// Where to report a missing name.
    pub attr_span: Span,
}

/// What `{fn}` stands for.
#[derive(Clone, Copy)]
pub enum Method<'a> {
    /// Nothing: outside an impl block, `{fn}` is an error.
    None,
    /// The template of an impl block (or of an item that cannot take the attribute), checked
    /// once for itself: `{fn}` stays a placeholder.
    Template,
    /// A method of an instrumented impl block: `{fn}` is its name.
    Named(&'a Ident),
}

pub use crate::errors::Errors;

pub fn validate(args: Args, site: &Site<'_>) -> Result<Spec, syn::Error> {
    let mut errors = Errors::default();
    errors.extend(args.errors);
    if let Some(skip) = &args.skip {
        errors.push(syn::Error::new(
            skip.span(),
            "`skip` opts a method out of an instrumented impl block; \
             it goes alone, as `#[acm_span(skip)]`, on a method inside `#[acm_span(\"…\")] impl`",
        ));
    }
    let Some(lit) = &args.name else {
        // After a misplaced `skip` or `name = "…"`, a missing name is the same mistake, told
        // once.
        if args.skip.is_none() && !args.misplaced_name {
            errors.push(syn::Error::new(
                site.attr_span,
                "missing span name; the name comes first, \
                 e.g. `#[acm_span(\"fit.pca\")]` or `span!(\"fit.pca\")`",
            ));
        }
        return Err(errors.into_error());
    };
    let text = substitute_fn(lit, site, &mut errors);
    // A name made from a method's name is reported at the method.
    let name_span = match site.method {
        Method::Named(method) if text != lit.value() => method.span(),
        _ => lit.span(),
    };
    let parsed = match validate_name(&text) {
        Ok(parsed) => Some(parsed),
        Err(e) => {
            let msg = match site.method {
                Method::Named(method) if text != lit.value() => method_name_error(method, e),
                _ => e.to_string(),
            };
            errors.push(syn::Error::new(name_span, msg));
            None
        }
    };
    let dynamic = parsed.as_ref().filter(|p| !p.is_static()).map(|p| {
        let mut format = String::new();
        let mut exprs = Vec::new();
        for (i, segment) in p.segments().iter().enumerate() {
            if i > 0 {
                format.push('.');
            }
            match segment {
                Segment::Static(s) => format.push_str(s),
                Segment::Placeholder(inner) => {
                    format.push_str("{}");
                    let template_fn = matches!(site.method, Method::Template) && inner == "fn";
                    if template_fn {
                        continue;
                    }
                    if let Some(expr) = placeholder_expr(inner, lit, site, &mut errors) {
                        exprs.push(expr);
                    }
                }
            }
        }
        // Only a literal whose text is the format string as it stands can be captured.
        let captured = text == lit.value()
            && p.placeholders().all(|inner| {
                text.contains(&format!("{{{inner}}}"))
                    && !inner.starts_with("r#")
                    && syn::parse_str::<Ident>(inner).is_ok()
            });
        if captured {
            Dynamic::Captured(lit.clone())
        } else {
            Dynamic::Positional(format, exprs)
        }
    });
    let kind = args
        .kind
        .as_ref()
        .and_then(|k| match k.value.to_string().as_str() {
            "auto" => None,
            other => match other.parse::<Kind>() {
                Ok(kind) => Some(kind),
                Err(e) => {
                    let lower = other.to_ascii_lowercase();
                    let best = crate::attr::KINDS
                        .into_iter()
                        .find(|k| *k == lower)
                        .or_else(|| acm_trace_taxonomy::closest(&lower, crate::attr::KINDS));
                    let msg = match best {
                        Some(best) => {
                            format!("unknown span kind `{other}`; did you mean `{best}`?")
                        }
                        None => e.to_string(),
                    };
                    errors.push(syn::Error::new(k.value.span(), msg));
                    None
                }
            },
        });
    let phase = args
        .phase
        .as_ref()
        .and_then(|p| match p.value().parse::<Phase>() {
            Ok(phase) => Some(phase),
            Err(e) => {
                errors.push(syn::Error::new(p.span(), e.to_string()));
                None
            }
        });
    check_attributes(&args.attributes, &mut errors);
    let parsed = errors.finish(parsed)?;
    let parsed = parsed.ok_or_else(|| syn::Error::new(name_span, "invalid span name"))?;
    Ok(Spec {
        name: text,
        category: parsed.category(),
        kind: kind.unwrap_or(parsed.kind()),
        phase: phase.unwrap_or(parsed.phase()),
        dynamic,
        track_resources: args.track_resources.is_some(),
        attributes: args.attributes,
        span: lit.span(),
    })
}

/// Whether an attribute is `#[acm_span(..)]`, however it is imported.
pub fn is_acm_span(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "acm_span")
}

/// A second `#[acm_span]` on one function would silently nest two spans of it.
pub fn twice(again: &syn::Attribute) -> syn::Error {
    syn::Error::new_spanned(
        again,
        "`#[acm_span]` is given twice on this function; a function gets one span: \
         remove one (for a span around part of the body, use `acm_trace::span!`)",
    )
}

/// The fix of a name built from a method's name is on the method: the template is fine.
fn method_name_error(method: &Ident, e: acm_trace_taxonomy::NameError) -> String {
    let own = e
        .suggestion()
        .map_or_else(|| "\"…\"".to_owned(), |fixed| format!("\"{fixed}\""));
    format!(
        "`{{fn}}` is `{method}` here: {}; give this method its own `#[acm_span({own})]`, \
         or `#[acm_span(skip)]`",
        e.without_suggestion()
    )
}

/// `{fn}` is the method's name in an impl block, without the underscores that only silence
/// lints (`_helper` → `helper`).
fn substitute_fn(lit: &LitStr, site: &Site<'_>, errors: &mut Errors) -> String {
    let text = lit.value();
    if !text.contains("{fn}") {
        return text;
    }
    match site.method {
        Method::Named(method) => {
            let name = method.to_string();
            let name = name.trim_start_matches("r#").trim_start_matches('_');
            text.replace("{fn}", name)
        }
        Method::Template => text,
        Method::None => {
            errors.push(syn::Error::new(
                lit.span(),
                "`{fn}` stands for the method name and only works in `#[acm_span(\"…\")]` on an impl block; \
                 write the name here",
            ));
            text.replace("{fn}", "fn_name")
        }
    }
}

fn placeholder_expr(
    inner: &str,
    lit: &LitStr,
    site: &Site<'_>,
    errors: &mut Errors,
) -> Option<Expr> {
    let expr: Expr = match syn::parse_str(inner) {
        Ok(expr) => expr,
        Err(_) => {
            errors.push(syn::Error::new(
                lit.span(),
                format!("placeholder `{{{inner}}}` is not an expression; name an argument, e.g. `{{detector}}`"),
            ));
            return None;
        }
    };
    if let (Expr::Path(p), Some(sig)) = (&expr, site.sig)
        && let Some(ident) = p.path.get_ident()
    {
        let bound = bound_names(sig);
        if !is_constant(&ident.to_string()) && !bound.iter().any(|b| b == ident) {
            let mut msg = format!(
                "placeholder `{{{ident}}}` names no argument of `{}`",
                sig.ident
            );
            let names: Vec<String> = bound.iter().map(ToString::to_string).collect();
            match acm_trace_taxonomy::closest(&ident.to_string(), names.iter().map(String::as_str))
            {
                Some(best) => msg.push_str(&format!("; did you mean `{{{best}}}`?")),
                None if names.is_empty() => msg.push_str("; it takes no arguments"),
                None => msg.push_str(&format!("; its arguments are: {}", names.join(", "))),
            }
            errors.push(syn::Error::new(lit.span(), msg));
            return None;
        }
    }
    Some(respan(expr, Span::call_site().located_at(lit.span())))
}

/// `{LIMIT}` names a constant, not an argument.
pub fn is_constant(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
}

/// Every name the signature binds, through patterns, plus `self`.
pub fn bound_names(sig: &Signature) -> Vec<Ident> {
    struct Binder(Vec<Ident>);
    impl Visit<'_> for Binder {
        fn visit_pat_ident(&mut self, p: &syn::PatIdent) {
            self.0.push(p.ident.clone());
            syn::visit::visit_pat_ident(self, p);
        }
        fn visit_type(&mut self, _: &syn::Type) {}
    }
    let mut binder = Binder(Vec::new());
    for input in &sig.inputs {
        match input {
            syn::FnArg::Receiver(r) => binder.0.push(Ident::new("self", r.self_token.span)),
            syn::FnArg::Typed(t) => binder.visit_pat(&t.pat),
        }
    }
    binder.0
}

/// Gives an expression parsed from the name literal the literal's span, so errors in it point
/// at the user's name and identifiers resolve where the user wrote them.
fn respan(expr: Expr, span: Span) -> Expr {
    let tokens: proc_macro2::TokenStream = quote::ToTokens::to_token_stream(&expr)
        .into_iter()
        .map(|mut t| {
            respan_tree(&mut t, span);
            t
        })
        .collect();
    syn::parse2(tokens).unwrap_or(expr)
}

fn respan_tree(tree: &mut proc_macro2::TokenTree, span: Span) {
    if let proc_macro2::TokenTree::Group(g) = tree {
        let inner = g
            .stream()
            .into_iter()
            .map(|mut t| {
                respan_tree(&mut t, span);
                t
            })
            .collect();
        let mut group = proc_macro2::Group::new(g.delimiter(), inner);
        group.set_span(span);
        *g = group;
    } else {
        tree.set_span(span);
    }
}

fn check_attributes(attributes: &[Attribute], errors: &mut Errors) {
    if attributes.len() > MAX_CALLER_ATTRIBUTES {
        errors.push(syn::Error::new(
            attributes[MAX_CALLER_ATTRIBUTES].key.span(),
            format!("too many attributes: a span takes at most {MAX_CALLER_ATTRIBUTES} besides the standard ones"),
        ));
    }
    for attr in attributes {
        let key = attr.key.to_string();
        let full = format!(
            "{}{}",
            acm_trace_taxonomy::ATTRIBUTE_PREFIX,
            key.trim_start_matches("r#")
        );
        if STANDARD_FIELDS.contains(&full.as_str()) {
            errors.push(syn::Error::new(
                attr.key.span(),
                format!("attribute `{key}` would be recorded as `{full}`, which acm-trace sets itself; choose another name"),
            ));
        }
    }
}
