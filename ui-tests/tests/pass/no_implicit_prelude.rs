// Shape 43: a crate with `#![no_implicit_prelude]` and a user module named `acm_trace`.
#![no_implicit_prelude]
#![deny(warnings)]

mod acm_trace {
    // Shadows the crate name in paths written without `::`.
    pub mod __private {
        pub const X: u8 = 0;
    }
}

#[::acm_trace::acm_span("fit.pca")]
fn fit(a: u32) -> u32 {
    a + 1
}

#[::acm_trace::acm_span("fit.{name}", n = a)]
fn dynamic(name: &str, a: u32) -> ::std::result::Result<u32, ::std::string::String> {
    if a == 0 {
        return ::std::result::Result::Err(::std::borrow::ToOwned::to_owned(name));
    }
    ::std::result::Result::Ok(a)
}

#[::acm_trace::acm_span("load.async")]
async fn later(a: u32) -> u32 {
    a
}

#[::acm_trace::acm_span("load.fut")]
fn fut(a: u32) -> impl ::std::future::Future<Output = u32> {
    async move { a }
}

struct S;

#[::acm_trace::acm_span("score.{fn}")]
impl S {
    fn get(&self) -> u32 {
        1
    }
}

fn main() {
    ::std::assert_eq!(fit(1), 2);
    ::std::assert!(dynamic("x", 0).is_err());
    ::std::assert_eq!(dynamic("x", 2), ::std::result::Result::Ok(2));
    ::std::assert_eq!(S.get(), 1);
    let n = ::acm_trace::span!("sql.insert", n = 1_u32).in_scope(|| 5);
    ::std::assert_eq!(n, 5);
    let rt = ::tokio::runtime::Builder::new_current_thread().build().unwrap();
    ::std::assert_eq!(rt.block_on(later(3)), 3);
    ::std::assert_eq!(rt.block_on(fut(4)), 4);
    ::std::assert_eq!(mod_use(), 0);
}

fn mod_use() -> u8 {
    acm_trace::__private::X
}
