// Shape 42: a type alias shadowed inside the body still resolves, because the body keeps its
// own block; items declared in the body are private to it.
#![deny(warnings)]

use acm_trace::acm_span;

type Foo = u32;

/// The return type is the outer `Foo`; the body's own `Foo` shadows it only inside the body.
#[acm_span("regimes.shadow")]
fn shadow() -> Foo {
    type Foo = ();
    let unit: Foo = ();
    let () = unit;
    7
}

mod bar {
    pub enum Bar {
        Foo,
    }
}

#[acm_span("regimes.glob")]
fn glob() -> bool {
    use bar::Bar::*;
    matches!(bar::Bar::Foo, Foo)
}

#[acm_span("regimes.outer")]
fn outer() -> Foo {
    const X: Foo = 4;
    fn helper() -> Foo {
        X
    }
    helper()
}

#[acm_span("regimes.statics")]
fn statics() -> u32 {
    // A user item with the name the expansion uses for its own static must not clash.
    static __ACM_SITE: u32 = 9;
    __ACM_SITE
}

#[acm_span("regimes.locals")]
fn locals(__acm_ret: u32, __acm_guard: u32, __acm_span: u32) -> u32 {
    __acm_ret + __acm_guard + __acm_span
}

fn main() {
    assert_eq!(shadow(), 7);
    assert!(glob());
    assert_eq!(outer(), 4);
    assert_eq!(statics(), 9);
    assert_eq!(locals(1, 2, 3), 6);
}
