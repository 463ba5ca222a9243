//! What a function returns decides how its span covers the work.

use syn::visit::Visit;
use syn::{GenericArgument, PathArguments, ReturnType, Type, TypeParamBound};

pub enum Returns {
    /// No return type or `()`: the guard's drop records the outcome.
    Unit,
    /// `!`: the body never returns normally.
    Never,
    /// A value whose type may say `Result`: the body runs in a closure so every return path
    /// goes through the outcome check. `ty` is `None` when it cannot be written in a closure
    /// signature (it contains `impl Trait`).
    Value { ty: Option<Type> },
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
            None => Returns::Value { ty: None },
        },
        _ => match boxed_future_output(ty) {
            Some(output) => Returns::BoxedFuture {
                ty: Box::new(ty.clone()),
                output: output.filter(|o| !contains_impl(o)),
            },
            None => Returns::Value {
                ty: (!contains_impl(ty)).then(|| ty.clone()),
            },
        },
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
        fn visit_type_infer(&mut self, _: &syn::TypeInfer) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    finder.visit_type(ty);
    finder.0
}
