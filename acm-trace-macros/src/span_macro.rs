//! `span!("sql.bulk_insert", n = ops.len())`: the same checks as `#[acm_span]`, for a block,
//! a closure or a future.

use proc_macro2::{Span, TokenStream};
use quote::quote;

use crate::site::{checked_only, opener, site_static};
use crate::valid::{self, Method, Site};

pub fn expand(input: TokenStream) -> TokenStream {
    let attr_span = input
        .clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span());
    let spec = crate::attr::parse(input).and_then(|args| {
        valid::validate(
            args,
            &Site {
                sig: None,
                method: Method::None,
                attr_span,
            },
        )
    });
    let spec = match spec {
        Ok(spec) => spec,
        Err(e) => {
            let errors = e.to_compile_error();
            return quote!({ #errors ::acm_trace::__private::BlockSpan::disabled() });
        }
    };
    if !cfg!(feature = "enable") {
        let checks = checked_only(&spec);
        return quote!({ #checks ::acm_trace::__private::BlockSpan::disabled() });
    }
    let site = site_static(&spec, "", spec.span);
    let open = opener(&spec, false);
    quote!({
        #site
        ::acm_trace::__private::BlockSpan::new(#open)
    })
}
