//! Rewrites an instrumented function. The user's block is kept whole, with its own spans, in
//! its own scope; the generated lines around it only open, enter and close the span.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, TokenStreamExt, quote, quote_spanned};
use syn::Ident;
use syn::spanned::Spanned;

use crate::ast::{self, Function, Item};
use crate::returns::{self, Returns};
use crate::site::{checked_only, finding, opener, site_static};
use crate::valid::{self, Method, Site, Spec};
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
            Ok(args) => instrument(args, f, Method::None, attr_span),
            Err(e) => with_errors(f.to_token_stream(), e),
        },
        Ok(Item::Impl(imp)) => impl_block::expand(args, imp, attr_span),
        Ok(Item::Unparsed(f)) => {
            let site = Site {
                sig: Some(&f.sig),
                method: Method::None,
                attr_span,
            };
            unchanged(args, f.to_token_stream(), &site)
        }
        Ok(Item::Verbatim(tokens)) => {
            let site = Site {
                sig: None,
                method: Method::Template,
                attr_span,
            };
            unchanged(args, tokens, &site)
        }
        Err(e) => {
            let e = match args.and_then(|a| {
                valid::validate(
                    a,
                    &Site {
                        sig: None,
                        method: Method::Template,
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

/// An item that does not parse, emitted as it was so that rustc reports its syntax error
/// once; only the arguments' own errors are added.
fn unchanged(args: syn::Result<attr::Args>, item: TokenStream, site: &Site<'_>) -> TokenStream {
    match args.and_then(|a| valid::validate(a, site)) {
        Ok(_) => item,
        Err(e) => with_errors(item, e),
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
    method: Method<'_>,
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
    let mut errors = valid::Errors::default();
    let spec = spec.map_err(|e| errors.push(e)).ok();
    if let Some(c) = &f.sig.constness {
        errors.push(const_fn(c));
    }
    if let Some(again) = f.attrs.iter().find(|a| valid::is_acm_span(a)) {
        errors.push(valid::twice(again));
    }
    match errors.finish(spec) {
        Ok(Some(spec)) if cfg!(feature = "enable") => rewrite(&spec, &f),
        Ok(Some(spec)) => with_checks(&f, checked_only(&spec)),
        Ok(None) => f.to_token_stream(),
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
        let (outer, inner) = self.split_attrs();
        tokens.append_all(outer);
        self.vis.to_tokens(tokens);
        self.defaultness.to_tokens(tokens);
        self.sig.to_tokens(tokens);
        self.block.brace_token.surround(tokens, |tokens| {
            tokens.append_all(inner);
            tokens.append_all(&self.block.stmts);
        });
    }
}

/// A local of the expansion: mixed-site hygiene keeps it invisible to the user's body, so an
/// argument or local of the same name is never shadowed.
fn local(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
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
    let mut tokens = quote!(#(#outer)* #vis #defaultness #sig);
    // The body's braces are the user's: rustc takes an item's span from its tokens, and an
    // item whose span ends inside the expansion is never reported as dead code.
    f.block.brace_token.surround(&mut tokens, |tokens| {
        tokens.append_all(inner);
        tokens.extend([site, body]);
    });
    tokens
}

/// The function as it was, with `checks` (never run) at the top of its body.
fn with_checks(f: &Function, checks: TokenStream) -> TokenStream {
    if checks.is_empty() {
        return f.to_token_stream();
    }
    let (outer, inner) = f.split_attrs();
    let (vis, defaultness, sig) = (&f.vis, &f.defaultness, &f.sig);
    let mut tokens = quote!(#(#outer)* #vis #defaultness #sig);
    f.block.brace_token.surround(&mut tokens, |tokens| {
        tokens.append_all(inner);
        tokens.extend(checks);
        tokens.append_all(&f.block.stmts);
    });
    tokens
}

fn probe(output: Option<&syn::Type>) -> TokenStream {
    match output {
        Some(ty) => {
            let (o, s) = (local("__acm_o"), local("__acm_s"));
            let found = finding(&quote!(#o));
            quote!(|#o: &#ty, #s: &mut ::acm_trace::__private::PendingSpan| #s.finish(#found))
        }
        None => quote!(::acm_trace::__private::NoProbe),
    }
}

/// Calls the user's block as a closure, so that every `return` and `?` ends in one place,
/// even one hidden in a macro. The closure declares the function's return type, so the block
/// is checked against the same expected type as the function's own body. The closure is
/// passed to a function taking an `FnOnce`: that makes it `FnOnce`, so the block may return
/// borrows of what it captured (`fn get(&mut self) -> &mut T`), which a closure called in
/// place (`(move || ..)()`) cannot.
fn call_once(ret: Option<&syn::Type>, block: &syn::Block) -> TokenStream {
    let ret = ret.map(|ty| quote!(-> #ty));
    quote!(::acm_trace::__private::call_once(move || #ret #block))
}

fn async_body(spec: &Spec, f: &Function) -> TokenStream {
    let open = opener(spec, false);
    let (output, probe) = match returns::classify(&f.sig.output) {
        // A `_` in the never-taken `return` would tell the probe nothing it can rely on.
        Returns::Value { ty, exact: true } => {
            let probe = probe(ty.as_ref());
            (ty, probe)
        }
        Returns::NotResult { ty } => (ty, probe(None)),
        _ => (None, probe(None)),
    };
    // A never-taken `return` of the declared type fixes the async block's output type before
    // the user's block is checked, so a type error lands on the user's expression.
    let body = match &output {
        Some(ty) => {
            let block = tail_block(&f.block);
            // Located at the return type, so rustc's "return type inferred to be `T` here"
            // points at the signature rather than at the attribute.
            let at = Span::call_site().located_at(ty.span());
            let fake = quote_spanned!(at=> if false { return ::acm_trace::__private::None::<#ty>.unwrap(); });
            quote!({ #fake #block })
        }
        None => f.block.to_token_stream(),
    };
    // The span is opened in its own statement, so the temporaries of attribute values are
    // gone before the `.await` and cannot make the future `!Send`.
    let span = local("__acm_span");
    quote! {
        let #span = #open;
        ::acm_trace::__private::instrument(#span, async move #body, #probe).await
    }
}

/// The user's block for the tail of a generated block. `unused_braces` would flag the user's
/// braces around a lone expression there (`fn f() { () }`), so such a block gets braces of
/// the expansion; any other block keeps its own, which diagnostics about the block point at.
fn tail_block(block: &syn::Block) -> TokenStream {
    let lone_expression = matches!(block.stmts.as_slice(), [syn::Stmt::Expr(_, None)]);
    if !lone_expression {
        return block.to_token_stream();
    }
    let stmts = &block.stmts;
    quote!({ #(#stmts)* })
}

fn sync_body(spec: &Spec, f: &Function) -> TokenStream {
    let open = opener(spec, true);
    let block = &f.block;
    let guard = local("__acm_guard");
    match returns::classify(&f.sig.output) {
        // The body stays in the function's return position, so the declared type drives its
        // inference as it does without the attribute; the guard's drop records success or a
        // panic, and these values say nothing more.
        Returns::Unit | Returns::Never | Returns::NotResult { .. } => {
            let block = tail_block(block);
            quote! {
                let #guard = #open;
                #block
            }
        }
        // A closure would change what `Location::caller()` sees; the drop guard still
        // records panics.
        Returns::Value { .. } if f.has_attr("track_caller") => {
            let block = tail_block(block);
            quote! {
                let #guard = #open;
                #block
            }
        }
        Returns::Value { ty, .. } => {
            let ret = local("__acm_ret");
            let call = call_once(ty.as_ref(), block);
            let found = finding(&quote!(&#ret));
            quote! {
                let mut #guard = #open;
                let #ret = #call;
                #guard.finish(#found);
                #ret
            }
        }
        Returns::ImplFuture { output } => {
            let call = call_once(None, block);
            // The pre-work runs while the span is entered: bind the future before `exit()`.
            let fut = local("__acm_fut");
            let instrument = if output.is_some() {
                let (o, s) = (local("__acm_o"), local("__acm_s"));
                let found = finding(&quote!(#o));
                quote!(::acm_trace::__private::instrument_probed(#guard.exit(), #fut, |#o, #s: &mut ::acm_trace::__private::PendingSpan| #s.finish(#found)))
            } else {
                quote!(::acm_trace::__private::instrument(#guard.exit(), #fut, ::acm_trace::__private::NoProbe))
            };
            quote! {
                let #guard = #open;
                let #fut = #call;
                #instrument
            }
        }
        Returns::BoxedFuture { ty, output } => {
            let probe = probe(output.as_ref());
            let call = call_once(Some(&ty), block);
            let fut = local("__acm_fut");
            quote! {
                let #guard = #open;
                let #fut = #call;
                ::acm_trace::__private::Box::pin(::acm_trace::__private::instrument(#guard.exit(), #fut, #probe))
            }
        }
    }
}
