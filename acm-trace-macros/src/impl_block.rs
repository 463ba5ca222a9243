//! `#[acm_span("score.{fn}")]` on an impl block: every method with a body gets a span named by
//! the template, `{fn}` standing for the method's name. A method's own `#[acm_span(..)]` wins;
//! `#[acm_span(skip)]` opts it out; a `const fn` is left alone.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::{Ident, ImplItem, ItemImpl};

use crate::attr::Args;
use crate::expand::{instrument, with_errors};
use crate::valid::{self, Method, Site};

enum Own {
    /// No `#[acm_span]` on the method.
    None,
    /// `#[acm_span(skip)]`, removed from the output.
    Skip(usize),
    /// The method's own attribute, left to expand by itself.
    Instrumented,
}

fn own_attribute(attrs: &[syn::Attribute]) -> Own {
    for (i, a) in attrs.iter().enumerate() {
        if a.path()
            .segments
            .last()
            .is_some_and(|s| s.ident == "acm_span")
        {
            let is_skip = a.parse_args::<Ident>().is_ok_and(|id| id == "skip");
            return if is_skip {
                Own::Skip(i)
            } else {
                Own::Instrumented
            };
        }
    }
    Own::None
}

pub fn expand(args: syn::Result<Args>, mut imp: ItemImpl, attr_span: Span) -> TokenStream {
    let args = match args {
        Ok(args) => args,
        Err(e) => return with_errors(strip_skips(imp).to_token_stream(), e),
    };
    // Report problems of the template itself once, not once per method.
    if let Err(e) = valid::validate(
        args.clone(),
        &Site {
            sig: None,
            method: Method::Template,
            attr_span,
        },
    ) {
        return with_errors(strip_skips(imp).to_token_stream(), e);
    }
    if let Some(e) = unbound_placeholder(&args, &imp) {
        return with_errors(strip_skips(imp).to_token_stream(), e);
    }
    for item in &mut imp.items {
        let ImplItem::Fn(method) = item else { continue };
        match own_attribute(&method.attrs) {
            Own::Skip(i) => {
                method.attrs.remove(i);
            }
            Own::Instrumented => {}
            // A `const fn` cannot open a span; the block-wide attribute leaves it as it is
            // rather than break code that compiled without the attribute.
            Own::None if method.sig.constness.is_some() => {}
            Own::None => {
                let ident = method.sig.ident.clone();
                let tokens = instrument(
                    args.clone(),
                    method.clone().into(),
                    Method::Named(&ident),
                    attr_span,
                );
                // Errors come back as `compile_error!` next to the unchanged method; keep
                // both by emitting the tokens verbatim.
                match syn::parse2::<syn::ImplItemFn>(tokens.clone()) {
                    Ok(rewritten) => *method = rewritten,
                    Err(_) => *item = ImplItem::Verbatim(tokens),
                }
            }
        }
    }
    imp.to_token_stream()
}

/// A placeholder that names an argument of none of the methods the template instruments,
/// such as `{method}`: most likely the method's name was meant. Reported once, at the
/// template, rather than once per method.
fn unbound_placeholder(args: &Args, imp: &ItemImpl) -> Option<syn::Error> {
    let lit = args.name.as_ref()?;
    let name = acm_trace_taxonomy::validate_name(&lit.value()).ok()?;
    let methods: Vec<&syn::Signature> = imp
        .items
        .iter()
        .filter_map(|item| match item {
            ImplItem::Fn(m)
                if matches!(own_attribute(&m.attrs), Own::None) && m.sig.constness.is_none() =>
            {
                Some(&m.sig)
            }
            _ => None,
        })
        .collect();
    if methods.is_empty() {
        return None;
    }
    let unbound = name.placeholders().find(|p| {
        *p != "fn"
            && syn::parse_str::<Ident>(p).is_ok()
            && !valid::is_constant(p)
            && methods
                .iter()
                .all(|sig| !valid::bound_names(sig).iter().any(|b| b == p))
    })?;
    Some(syn::Error::new(
        lit.span(),
        format!(
            "placeholder `{{{unbound}}}` names an argument of none of the methods in this impl \
             block; did you mean `{{fn}}`, the method's name?"
        ),
    ))
}

fn strip_skips(mut imp: ItemImpl) -> ItemImpl {
    for item in &mut imp.items {
        if let ImplItem::Fn(method) = item
            && let Own::Skip(i) = own_attribute(&method.attrs)
        {
            method.attrs.remove(i);
        }
    }
    imp
}
