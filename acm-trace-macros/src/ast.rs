//! The item under `#[acm_span]`, parsed into the shapes the macro knows.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Block, ImplItemFn, ItemFn, ItemImpl, Signature, Visibility};

/// A function with a body: a free fn, an impl method or a trait default method.
pub struct Function {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    /// `default` of specialising impls, kept verbatim.
    pub defaultness: Option<syn::token::Default>,
    pub sig: Signature,
    pub block: Block,
}

impl From<ItemFn> for Function {
    fn from(f: ItemFn) -> Self {
        Function {
            attrs: f.attrs,
            vis: f.vis,
            defaultness: None,
            sig: f.sig,
            block: *f.block,
        }
    }
}

impl From<ImplItemFn> for Function {
    fn from(f: ImplItemFn) -> Self {
        Function {
            attrs: f.attrs,
            vis: f.vis,
            defaultness: f.defaultness,
            sig: f.sig,
            block: f.block,
        }
    }
}

/// A function whose body does not parse: kept as tokens so it can be emitted unchanged and
/// rustc reports the syntax error once, with the function still visible to the IDE.
pub struct UnparsedFn {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub sig: Signature,
    pub body: TokenStream,
}

impl Parse for UnparsedFn {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let body = input.parse()?;
        Ok(UnparsedFn {
            attrs,
            vis,
            sig,
            body,
        })
    }
}

impl ToTokens for UnparsedFn {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        for a in &self.attrs {
            a.to_tokens(tokens);
        }
        self.vis.to_tokens(tokens);
        self.sig.to_tokens(tokens);
        self.body.to_tokens(tokens);
    }
}

/// What the attribute is on.
pub enum Item {
    Fn(Function),
    Impl(ItemImpl),
    Unparsed(UnparsedFn),
    /// Any other item that does not parse, such as an impl block with a syntax error inside.
    Verbatim(TokenStream),
}

/// Parses the item, or explains why `#[acm_span]` cannot go on it.
pub fn parse(tokens: TokenStream) -> Result<Item, syn::Error> {
    match syn::parse2::<syn::Item>(tokens.clone()) {
        Ok(syn::Item::Fn(f)) => Ok(Item::Fn(f.into())),
        Ok(syn::Item::Impl(i)) => Ok(Item::Impl(i)),
        Ok(syn::Item::Verbatim(v)) => match syn::parse2::<syn::TraitItemFn>(v.clone()) {
            Ok(f) if f.default.is_none() => Err(missing_body(&f.sig)),
            _ => Err(not_a_function(&v)),
        },
        Ok(syn::Item::Trait(t)) => Err(syn::Error::new(
            t.trait_token.span(),
            "`#[acm_span]` cannot go on a trait; put it on the methods of an impl, \
             or on a trait method that has a default body",
        )),
        Ok(other) => Err(not_a_function(&other)),
        // rustc reports the syntax error itself, once, when it parses the item handed back.
        Err(_) => {
            if let Ok(f) = syn::parse2::<syn::TraitItemFn>(tokens.clone())
                && f.default.is_none()
            {
                return Err(missing_body(&f.sig));
            }
            Ok(match syn::parse2::<UnparsedFn>(tokens.clone()) {
                Ok(unparsed) => Item::Unparsed(unparsed),
                Err(_) => Item::Verbatim(tokens),
            })
        }
    }
}

fn missing_body(sig: &Signature) -> syn::Error {
    syn::Error::new(
        sig.ident.span(),
        format!(
            "`#[acm_span]` needs a function body, and the trait method `{}` has none; \
             put the attribute on the method in each impl, or give the trait method a default body",
            sig.ident
        ),
    )
}

fn not_a_function(item: &dyn ToTokens) -> syn::Error {
    let first = item.to_token_stream().into_iter().next();
    let span = first
        .as_ref()
        .map_or_else(proc_macro2::Span::call_site, proc_macro2::TokenTree::span);
    syn::Error::new(
        span,
        "`#[acm_span]` goes on a function or an impl block; for a block of code use `acm_trace::span!`",
    )
}

impl Function {
    /// The outer attributes and the inner ones (`#![...]` at the top of the body).
    pub fn split_attrs(&self) -> (Vec<&Attribute>, Vec<&Attribute>) {
        self.attrs
            .iter()
            .partition(|a| matches!(a.style, syn::AttrStyle::Outer))
    }

    pub fn has_attr(&self, name: &str) -> bool {
        self.attrs.iter().any(|a| a.path().is_ident(name))
    }
}
