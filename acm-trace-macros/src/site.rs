//! The `static` that describes a site: catalog entry and `tracing` callsite in one.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::Ident;
use syn::spanned::Spanned;

use crate::valid::{Dynamic, Spec};

/// `static __ACM_SITE: SpanSite = …;`, registered in the catalog. `anchor` is the token whose
/// line the site reports (the function name, or the `span!` call).
///
/// Written as one call of the runtime's `site!` (`macro_rules!`), which declares the static and
/// places it in the catalog: rustc expands that natively, at a fraction of what building the
/// same tokens here costs (a proc macro runs unoptimised in most builds, and every token it
/// makes crosses to the compiler). `line!()` stays here, at `anchor`.
pub fn site_static(spec: &Spec, function: &str, anchor: Span) -> TokenStream {
    let name = &spec.name;
    let category = spec.category;
    let kind = Ident::new(&variant(spec.kind.as_str()), Span::call_site());
    let phase = Ident::new(&variant(spec.phase.as_str()), Span::call_site());
    // None: the standard fields alone.
    let fields = (!spec.attributes.is_empty()).then(|| {
        let standard = acm_trace_taxonomy::STANDARD_FIELDS;
        let own = spec.attributes.iter().map(|a| {
            format!(
                "{}{}",
                acm_trace_taxonomy::ATTRIBUTE_PREFIX,
                a.key.to_string().trim_start_matches("r#")
            )
        });
        quote!(#(, #standard)* #(, #own)*)
    });
    let flags = u8::from(spec.dynamic.is_some()) | (u8::from(spec.track_resources) << 1);
    let line = quote_spanned!(anchor=> ::acm_trace::__private::line!());
    quote! {
        ::acm_trace::__private::site!(
            __ACM_SITE, #name, #category, #kind, #phase, #function, #line, #flags #fields
        );
    }
}

fn variant(lower: &str) -> String {
    let mut chars = lower.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// The expression that opens the span: `Guard` (entered, for synchronous code) or
/// `PendingSpan` (for futures). Attribute values and dynamic names are evaluated only when
/// something listens.
pub fn opener(spec: &Spec, entered: bool) -> TokenStream {
    let (ty, plain, with) = if entered {
        (quote!(Guard), quote!(enter), quote!(enter_with))
    } else {
        (quote!(PendingSpan), quote!(open), quote!(open_with))
    };
    if spec.dynamic.is_none() && spec.attributes.is_empty() {
        return quote!(::acm_trace::__private::#ty::#plain(&__ACM_SITE));
    }
    let name = dynamic_name(spec).unwrap_or_else(|| quote!(::acm_trace::__private::None));
    let values = attribute_values(spec);
    quote! {
        if ::acm_trace::__private::enabled(&__ACM_SITE) {
            ::acm_trace::__private::#ty::#with(&__ACM_SITE, #name, &[#(#values),*])
        } else {
            ::acm_trace::__private::#ty::disabled()
        }
    }
}

/// `Some(&format_args!(..) as &dyn Value)`, for a dynamic name.
fn dynamic_name(spec: &Spec) -> Option<TokenStream> {
    let args = match spec.dynamic.as_ref()? {
        Dynamic::Captured(lit) => quote!(#lit),
        Dynamic::Positional(format, exprs) => quote!(#format, #(#exprs),*),
    };
    Some(quote!(::acm_trace::__private::Some(
        &::acm_trace::__private::format_args!(#args) as &dyn ::acm_trace::__private::Value
    )))
}

/// Each attribute value as the `&dyn Value` the span records.
fn attribute_values(spec: &Spec) -> impl Iterator<Item = TokenStream> + '_ {
    spec.attributes.iter().map(|a| {
        let value = &a.value;
        // A value that cannot be recorded is reported at the user's expression.
        let at = Span::call_site().located_at(value.span());
        match a.format {
            crate::attr::Format::Value => {
                quote_spanned!(at=> &(#value) as &dyn ::acm_trace::__private::Value)
            }
            crate::attr::Format::Display => quote_spanned! {at=>
                &::acm_trace::__private::display(&(#value)) as &dyn ::acm_trace::__private::Value
            },
            crate::attr::Format::Debug => quote_spanned! {at=>
                &::acm_trace::__private::debug(&(#value)) as &dyn ::acm_trace::__private::Value
            },
        }
    })
}

/// With the `enable` feature off: the dynamic name and the attribute values, type-checked as
/// with it on but never run, so an argument used only there is not "unused" and a value that
/// could not be recorded is still an error. Empty when there are none.
pub fn checked_only(spec: &Spec) -> TokenStream {
    let name = dynamic_name(spec).map(|name| quote!(let _ = #name;));
    let values = (!spec.attributes.is_empty()).then(|| {
        let values = attribute_values(spec);
        quote!(let _ = [#(#values),*];)
    });
    if name.is_none() && values.is_none() {
        return TokenStream::new();
    }
    quote!(if false { #name #values })
}

/// What the value at `expr` (a reference) says about the outcome.
pub fn finding(expr: &TokenStream) -> TokenStream {
    quote! {{
        use ::acm_trace::__private::probe::*;
        (&&&&::acm_trace::__private::probe::Probe(#expr)).acm_finding()
    }}
}
