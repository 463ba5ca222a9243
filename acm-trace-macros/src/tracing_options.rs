//! The options of `#[tracing::instrument]`, which people bring with them. Each is consumed
//! whole and answered by one error at the option that says what to write here instead,
//! rather than by a bare "expected `,`" or, worse, an attribute `acm.level` nobody asked for.

use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::discouraged::Speculative;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Token, token};

/// Every option of tracing's attribute that means something else, or nothing, here.
pub const KEYS: [&str; 10] = [
    "skip",
    "skip_all",
    "fields",
    "name",
    "level",
    "target",
    "err",
    "ret",
    "parent",
    "follows_from",
];

/// What followed the key.
enum Given {
    Bare,
    List(proc_macro2::Group),
    Value(Box<Expr>),
}

/// If `key` starts one of tracing's options, consumes the rest of it and returns the error
/// for it. `skip` alone is ours (it opts a method out of an impl block), so only `skip(..)`
/// is tracing's; `err = …` and `ret = …` are attributes like any other.
pub fn parse(key: &Ident, input: ParseStream<'_>) -> syn::Result<Option<syn::Error>> {
    let name = key.to_string();
    let takes_value = matches!(
        name.as_str(),
        "name" | "level" | "target" | "parent" | "follows_from" | "fields" | "skip_all"
    );
    let takes_list = matches!(
        name.as_str(),
        "skip" | "fields" | "err" | "ret" | "skip_all"
    );
    let bare = matches!(name.as_str(), "skip_all" | "err" | "ret");
    let mut tokens = key.to_token_stream();
    let given = if input.peek(token::Paren) && takes_list {
        let group: proc_macro2::Group = input.parse()?;
        group.to_tokens(&mut tokens);
        Given::List(group)
    } else if input.peek(Token![=]) && takes_value {
        let eq: Token![=] = input.parse()?;
        let expr: Expr = input.parse()?;
        eq.to_tokens(&mut tokens);
        expr.to_tokens(&mut tokens);
        Given::Value(Box::new(expr))
    } else if bare && (input.is_empty() || input.peek(Token![,])) {
        Given::Bare
    } else {
        return Ok(None);
    };
    Ok(Some(syn::Error::new_spanned(
        tokens,
        message(&name, &given),
    )))
}

/// The name given as `name = "…"`, when it is a valid one or has a valid repair.
fn name_instead(given: &Given) -> Option<String> {
    let Given::Value(value) = given else {
        return None;
    };
    let Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(lit),
        ..
    }) = &**value
    else {
        return None;
    };
    let name = lit.value();
    let valid = match acm_trace_taxonomy::validate_name(&name) {
        Ok(_) => name,
        Err(e) => e.suggestion()?.to_owned(),
    };
    Some(valid)
}

fn message(key: &str, given: &Given) -> String {
    match key {
        "skip" | "skip_all" => format!(
            "`#[acm_span]` records no argument unless it is named as an attribute \
             (`key = expr`), so there is nothing to skip; remove `{key}`"
        ),
        "fields" => match fields_instead(given) {
            Some(instead) => format!(
                "write the fields as options after the name, without `fields(..)`: `{instead}`"
            ),
            None => "write each field as an option after the name, `key = expr` \
                     (recorded as `acm.key`), without `fields(..)`"
                .to_owned(),
        },
        "name" => match name_instead(given) {
            Some(instead) => format!(
                "the span name is the first argument, on its own: \
                 write `\"{instead}\"` first and remove `name =`"
            ),
            None => "the span name is the first argument, e.g. `#[acm_span(\"fit.pca\")]`; \
                     remove `name = …` (an attribute needs another key, e.g. `model_name = …`)"
                .to_owned(),
        },
        "level" => "acm spans have no levels: every span is recorded, and traces are thinned by \
                    the sampler (`OTEL_TRACES_SAMPLER`) or by filtering on the module path; \
                    remove `level = …`"
            .to_owned(),
        "target" => "the target of an acm span is always its module path, which filters match; \
                     remove `target = …`"
            .to_owned(),
        "err" => "errors need no option: an `Err` sets `acm.outcome = \"fail\"`, \
                  `acm.error_type` and the span's error status by itself; remove `err`"
            .to_owned(),
        "ret" => "outcomes need no option: the returned `Result` sets `acm.outcome` by itself, \
                  and return values are not recorded; remove `ret`"
            .to_owned(),
        "parent" => "the parent of an acm span is the span current when the function is called; \
                     remove `parent = …` and call the function inside the parent's scope"
            .to_owned(),
        _ => "acm spans take no links; remove `follows_from = …` \
              (to relate the spans, record an identifier as an attribute, `key = expr`)"
            .to_owned(),
    }
}

/// One field of tracing's `fields(..)`: `a.b = expr`, `a = %expr`, `%a`, `?self.b`.
struct Field {
    key: Vec<String>,
    sigil: &'static str,
    value: Expr,
}

impl Parse for Field {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let fork = input.fork();
        if let Ok(key) = dotted_key(&fork)
            && fork.peek(Token![=])
        {
            input.advance_to(&fork);
            input.parse::<Token![=]>()?;
            let sigil = sigil(input)?;
            let value = input.parse()?;
            return Ok(Field { key, sigil, value });
        }
        // Shorthand: the key is the name the value ends with. A bare name without `%` or `?`
        // declares an empty field in tracing, which has no equivalent here.
        let sigil = sigil(input)?;
        if sigil.is_empty() {
            return Err(input.error("not a shorthand field"));
        }
        let value: Expr = input.parse()?;
        let last = match &value {
            Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            Expr::Field(f) => match &f.member {
                syn::Member::Named(ident) => Some(ident.to_string()),
                syn::Member::Unnamed(_) => None,
            },
            _ => None,
        };
        let key = vec![last.ok_or_else(|| input.error("no key"))?];
        Ok(Field { key, sigil, value })
    }
}

fn dotted_key(input: ParseStream<'_>) -> syn::Result<Vec<String>> {
    let mut key = vec![input.call(Ident::parse_any)?.to_string()];
    while input.peek(Token![.]) {
        input.parse::<Token![.]>()?;
        key.push(input.call(Ident::parse_any)?.to_string());
    }
    Ok(key)
}

fn sigil(input: ParseStream<'_>) -> syn::Result<&'static str> {
    Ok(if input.peek(Token![%]) {
        input.parse::<Token![%]>()?;
        "%"
    } else if input.peek(Token![?]) {
        input.parse::<Token![?]>()?;
        "?"
    } else {
        ""
    })
}

/// `fields(n.rows = x.len(), %label)` → `n_rows = x.len(), label = %label`.
fn fields_instead(given: &Given) -> Option<String> {
    let Given::List(group) = given else {
        return None;
    };
    let fields = Punctuated::<Field, Token![,]>::parse_terminated
        .parse2(group.stream())
        .ok()?;
    let written: Vec<String> = fields
        .iter()
        .map(|f| {
            let value = compact(&f.value.to_token_stream().to_string());
            format!("{} = {}{value}", f.key.join("_"), f.sigil)
        })
        .collect();
    (!written.is_empty()).then(|| written.join(", "))
}

/// Token text without the spaces `to_string` puts between tokens that need none.
pub(crate) fn compact(text: &str) -> String {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' ' && !(word(out.chars().last()) && word(chars.peek().copied())) {
            continue;
        }
        out.push(c);
    }
    out
}
