//! Rewrites an instrumented function. The user's block is kept whole, with its own spans, in
//! its own scope; the generated lines around it only open, enter and close the span.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};

use crate::ast::{self, Function, Item};
use crate::returns::{self, Returns};
use crate::site::{finding, opener, site_static};
use crate::valid::{self, Site, Spec};
use crate::{attr, impl_block};

pub fn attribute(args: TokenStream, item: TokenStream) -> TokenStream {
    let attr_span = args
        .clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span());
    let args = attr::parse(args);
    match ast::parse(item.clone()) {
        Ok(Item::Fn(f)) => match args {
            Ok(args) => instrument(args, f, None, attr_span),
            Err(e) => with_errors(f.to_token_stream(), e),
        },
        Ok(Item::Impl(imp)) => impl_block::expand(args, imp, attr_span),
        Ok(Item::Unparsed(f)) => {
            let errors = args.and_then(|a| {
                valid::validate(
                    a,
                    &Site {
                        sig: Some(&f.sig),
                        method: None,
                        attr_span,
                    },
                )
            });
            match errors {
                Ok(_) => f.to_token_stream(),
                Err(e) => with_errors(f.to_token_stream(), e),
            }
        }
        Err(e) => {
            let e = match args.and_then(|a| {
                valid::validate(
                    a,
                    &Site {
                        sig: None,
                        method: None,
                        attr_span,
                    },
                )
            }) {
                Ok(_) => e,
                Err(mut arg_errors) => {
                    arg_errors.combine(e);
                    arg_errors
                }
            };
            with_errors(item, e)
        }
    }
}

/// The item as it was, plus the errors: the item stays defined, so one mistake gives one
/// error rather than a cascade of "cannot find function".
pub fn with_errors(item: TokenStream, error: syn::Error) -> TokenStream {
    let errors = error.to_compile_error();
    quote!(#errors #item)
}

/// Checks the arguments against `f` and rewrites it; on any error, `f` unchanged plus errors.
pub fn instrument(
    args: attr::Args,
    f: Function,
    method: Option<&syn::Ident>,
    attr_span: Span,
) -> TokenStream {
    let spec = valid::validate(
        args,
        &Site {
            sig: Some(&f.sig),
            method,
            attr_span,
        },
    );
    let spec = match (spec, &f.sig.constness) {
        (Ok(_), Some(c)) => Err(const_fn(c)),
        (Err(mut e), Some(c)) => {
            e.combine(const_fn(c));
            Err(e)
        }
        (spec, None) => spec,
    };
    match spec {
        Ok(spec) if cfg!(feature = "enable") => rewrite(&spec, &f),
        Ok(_) => f.to_token_stream(),
        Err(e) => with_errors(f.to_token_stream(), e),
    }
}

fn const_fn(token: &syn::token::Const) -> syn::Error {
    syn::Error::new(
        token.span,
        "`#[acm_span]` cannot instrument a `const fn`: a span is opened at run time, \
         and a `const fn` may run at compile time; remove `const` or the attribute",
    )
}

impl ToTokens for Function {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        for a in &self.attrs {
            a.to_tokens(tokens);
        }
        self.vis.to_tokens(tokens);
        self.defaultness.to_tokens(tokens);
        self.sig.to_tokens(tokens);
        self.block.to_tokens(tokens);
    }
}

fn rewrite(spec: &Spec, f: &Function) -> TokenStream {
    let (outer, inner) = f.split_attrs();
    let vis = &f.vis;
    let defaultness = &f.defaultness;
    let sig = &f.sig;
    let site = site_static(spec, &sig.ident.to_string(), sig.ident.span());
    let body = if sig.asyncness.is_some() {
        async_body(spec, f)
    } else {
        sync_body(spec, f)
    };
    quote! {
        #(#outer)*
        #vis #defaultness #sig {
            #(#inner)*
            #site
            #body
        }
    }
}

fn probe(output: Option<&syn::Type>) -> TokenStream {
    match output {
        Some(ty) => {
            let found = finding(&quote!(__acm_o));
            quote!(|__acm_o: &#ty, __acm_s: &mut ::acm_trace::__private::PendingSpan| __acm_s.finish(#found))
        }
        None => quote!(::acm_trace::__private::NoProbe),
    }
}

fn async_body(spec: &Spec, f: &Function) -> TokenStream {
    let open = opener(spec, false);
    let block = &f.block;
    let output = match returns::classify(&f.sig.output) {
        Returns::Value { ty } => ty,
        _ => None,
    };
    let probe = probe(output.as_ref());
    quote! {
        let __acm_span = #open;
        ::acm_trace::__private::instrument(__acm_span, async move #block, #probe).await
    }
}

fn sync_body(spec: &Spec, f: &Function) -> TokenStream {
    let open = opener(spec, true);
    let block = &f.block;
    match returns::classify(&f.sig.output) {
        Returns::Unit | Returns::Never => quote! {
            let __acm_guard = #open;
            #block
        },
        // A closure would change what `Location::caller()` sees; the drop guard still
        // records panics.
        Returns::Value { .. } if f.has_attr("track_caller") => quote! {
            let __acm_guard = #open;
            #block
        },
        Returns::Value { ty } => {
            let ret = ty.map(|ty| quote!(-> #ty));
            let found = finding(&quote!(&__acm_ret));
            quote! {
                let mut __acm_guard = #open;
                let __acm_ret = (move || #ret #block)();
                __acm_guard.finish(#found);
                __acm_ret
            }
        }
        Returns::ImplFuture { output } => {
            let probe = probe(output.as_ref());
            quote! {
                let __acm_guard = #open;
                let __acm_fut = (move || #block)();
                ::acm_trace::__private::instrument(__acm_guard.exit(), __acm_fut, #probe)
            }
        }
        Returns::BoxedFuture { ty, output } => {
            let probe = probe(output.as_ref());
            quote! {
                let __acm_guard = #open;
                let __acm_fut = (move || -> #ty #block)();
                ::acm_trace::__private::Box::pin(::acm_trace::__private::instrument(__acm_guard.exit(), __acm_fut, #probe))
            }
        }
    }
}
