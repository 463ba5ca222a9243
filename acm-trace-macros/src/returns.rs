//! What a function returns decides how its span covers the work.

use syn::visit::Visit;
use syn::{GenericArgument, PathArguments, ReturnType, Token, Type, TypeParamBound};

pub enum Returns {
    /// No return type or `()`: the guard's drop records the outcome.
    Unit,
    /// `!`: the body never returns normally.
    Never,
    /// A value that is never a `Result`: `impl Trait`, a tuple, array, slice, reference or
    /// pointer, a primitive, or a standard type known by name (`String`, `Vec<T>`,
    /// `Option<T>`, …). There is no outcome to read from it, so the body keeps the
    /// function's return position, where the declared type drives inference exactly as
    /// without the attribute (a closure returned as `impl Fn(&T)` takes its higher-ranked
    /// signature from it). `ty` is the declared type unless it holds an `impl Trait`.
    NotResult { ty: Option<Type> },
    /// A value whose type may say `Result`: the body runs in a closure so every return path
    /// (`return`, `?`, a `return` inside a macro such as `bail!`) goes through the outcome
    /// check. `ty` is the closure's return type: the declared one, with any `impl Trait`
    /// written `_`; `None` when even that cannot be written. `exact` says no `_` was needed.
    Value { ty: Option<Type>, exact: bool },
    /// `impl Future<Output = X>`: the returned future is wrapped so the span covers it.
    ImplFuture { output: Option<Type> },
    /// `Pin<Box<dyn Future<Output = X> …>>` or `BoxFuture<'_, X>`: wrapped and boxed again.
    BoxedFuture { ty: Box<Type>, output: Option<Type> },
}

pub fn classify(ret: &ReturnType) -> Returns {
    let ty = match ret {
        ReturnType::Default => return Returns::Unit,
        ReturnType::Type(_, ty) => strip_parens(ty),
    };
    match ty {
        Type::Tuple(t) if t.elems.is_empty() => Returns::Unit,
        Type::Never(_) => Returns::Never,
        Type::ImplTrait(t) => match t.bounds.iter().find_map(future_output) {
            Some(output) => Returns::ImplFuture {
                output: output.filter(|o| !contains_impl(o)),
            },
            None => Returns::NotResult { ty: None },
        },
        _ if never_a_result(ty) => Returns::NotResult {
            ty: (!contains_impl(ty)).then(|| ty.clone()),
        },
        _ => match boxed_future_output(ty) {
            Some(output) => Returns::BoxedFuture {
                ty: Box::new(ty.clone()),
                output: output.filter(|o| !contains_impl(o)),
            },
            None if contains_impl(ty) => Returns::Value {
                ty: with_holes(ty),
                exact: false,
            },
            None => Returns::Value {
                ty: Some(ty.clone()),
                exact: true,
            },
        },
    }
}

/// Types that cannot be a `Result` whatever the user's aliases say: a `Result` alias named
/// like a primitive or a standard type would be perverse.
fn never_a_result(ty: &Type) -> bool {
    const KNOWN: [&str; 33] = [
        "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32",
        "i64", "i128", "isize", "f32", "f64", "String", "Vec", "Option", "Box", "Rc", "Arc", "Cow",
        "HashMap", "HashSet", "BTreeMap", "BTreeSet", "VecDeque", "PathBuf", "Duration", "Instant",
        "Ordering",
    ];
    match ty {
        Type::Tuple(_)
        | Type::Array(_)
        | Type::Slice(_)
        | Type::Reference(_)
        | Type::Ptr(_)
        | Type::BareFn(_) => true,
        Type::Path(p) if p.qself.is_none() => {
            let segments = &p.path.segments;
            let from_std = segments.len() == 1
                || segments
                    .first()
                    .is_some_and(|s| ["std", "core", "alloc"].iter().any(|k| s.ident == k));
            from_std
                && segments
                    .last()
                    .is_some_and(|s| KNOWN.iter().any(|k| s.ident == k))
        }
        _ => false,
    }
}

/// `Result<impl Display, E>` → `Result<_, E>`. Nothing is lost by the holes: inside a path
/// type, an `impl Trait` is only reached through a call or a struct literal (`Ok(..)`,
/// `Some(..)`, `W { f: .. }`), and rustc passes no expected opaque type through those.
fn with_holes(ty: &Type) -> Option<Type> {
    let mut ty = ty.clone();
    fill_holes(&mut ty);
    (!contains_impl(&ty)).then_some(ty)
}

fn fill_holes(ty: &mut Type) {
    match ty {
        Type::ImplTrait(t) => {
            *ty = Type::Infer(syn::TypeInfer {
                underscore_token: Token![_](t.impl_token.span),
            });
        }
        Type::Path(p) => {
            if let Some(q) = &mut p.qself {
                fill_holes(&mut q.ty);
            }
            for segment in &mut p.path.segments {
                let PathArguments::AngleBracketed(args) = &mut segment.arguments else {
                    continue;
                };
                for arg in &mut args.args {
                    match arg {
                        GenericArgument::Type(t) => fill_holes(t),
                        GenericArgument::AssocType(a) => fill_holes(&mut a.ty),
                        _ => {}
                    }
                }
            }
        }
        Type::Tuple(t) => t.elems.iter_mut().for_each(fill_holes),
        Type::Array(a) => fill_holes(&mut a.elem),
        Type::Slice(s) => fill_holes(&mut s.elem),
        Type::Reference(r) => fill_holes(&mut r.elem),
        Type::Ptr(p) => fill_holes(&mut p.elem),
        Type::Paren(p) => fill_holes(&mut p.elem),
        Type::Group(g) => fill_holes(&mut g.elem),
        _ => {}
    }
}

fn strip_parens(ty: &Type) -> &Type {
    match ty {
        Type::Paren(p) => strip_parens(&p.elem),
        Type::Group(g) => strip_parens(&g.elem),
        other => other,
    }
}

/// `Future<Output = X>` → `Some(Some(X))`; `Future` without `Output` → `Some(None)`.
fn future_output(bound: &TypeParamBound) -> Option<Option<Type>> {
    let TypeParamBound::Trait(t) = bound else {
        return None;
    };
    let last = t.path.segments.last()?;
    if last.ident != "Future" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return Some(None);
    };
    Some(args.args.iter().find_map(|a| match a {
        GenericArgument::AssocType(assoc) if assoc.ident == "Output" => Some(assoc.ty.clone()),
        _ => None,
    }))
}

fn generic_types(args: &PathArguments) -> Vec<&Type> {
    match args {
        PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|a| match a {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn boxed_future_output(ty: &Type) -> Option<Option<Type>> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident == "BoxFuture" || last.ident == "LocalBoxFuture" {
        return Some(generic_types(&last.arguments).first().map(|t| (*t).clone()));
    }
    if last.ident != "Pin" {
        return None;
    }
    let Type::Path(boxed) = strip_parens(generic_types(&last.arguments).first()?) else {
        return None;
    };
    let boxed = boxed.path.segments.last()?;
    if boxed.ident != "Box" {
        return None;
    }
    let Type::TraitObject(object) = strip_parens(generic_types(&boxed.arguments).first()?) else {
        return None;
    };
    object.bounds.iter().find_map(future_output)
}

fn contains_impl(ty: &Type) -> bool {
    struct Finder(bool);
    impl Visit<'_> for Finder {
        fn visit_type_impl_trait(&mut self, _: &syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    finder.visit_type(ty);
    finder.0
}
