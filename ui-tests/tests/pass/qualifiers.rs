// Shapes 35, 36, 11: `unsafe fn`, `extern "C" fn`, `async unsafe fn`, `#[track_caller]`,
// `#[no_mangle]`-free `extern` with `unsafe`.
#![deny(warnings)]

use acm_trace::acm_span;

#[acm_span("compute.raw")]
unsafe fn raw(p: *const u32) -> u32 {
    // SAFETY: the caller passes a valid pointer.
    unsafe { *p }
}

#[acm_span("compute.ffi")]
pub extern "C" fn ffi(a: i32) -> i32 {
    a * 2
}

#[acm_span("compute.ffi_unsafe")]
pub unsafe extern "C" fn ffi_unsafe(p: *const i32) -> i32 {
    // SAFETY: the caller passes a valid pointer.
    unsafe { *p }
}

#[acm_span("compute.raw_async")]
async unsafe fn raw_async(p: *const u32) -> u32 {
    // SAFETY: the caller passes a valid pointer.
    unsafe { *p + 1 }
}

#[acm_span("compute.caller")]
#[track_caller]
fn caller() -> u32 {
    std::panic::Location::caller().line()
}

#[acm_span("compute.caller_unit")]
#[track_caller]
fn caller_unit(out: &mut u32) {
    *out = std::panic::Location::caller().line();
}

pub(crate) struct S;

impl S {
    #[acm_span("compute.method_unsafe")]
    pub(crate) unsafe fn method(&self, p: *const u8) -> u8 {
        // SAFETY: the caller passes a valid pointer.
        unsafe { *p }
    }
}

fn main() {
    let v = 5;
    // SAFETY: `&v` is valid.
    assert_eq!(unsafe { raw(&v) }, 5);
    assert_eq!(ffi(2), 4);
    let f: extern "C" fn(i32) -> i32 = ffi;
    assert_eq!(f(3), 6);
    // SAFETY: `&3` is valid.
    assert_eq!(unsafe { ffi_unsafe(&3) }, 3);
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    // SAFETY: `&v` is valid across the await.
    assert_eq!(rt.block_on(async { unsafe { raw_async(&v).await } }), 6);
    let line = line!() + 1;
    assert_eq!(caller(), line);
    let mut out = 0;
    let line = line!() + 1;
    caller_unit(&mut out);
    assert_eq!(out, line);
    // SAFETY: `&9` is valid.
    assert_eq!(unsafe { S.method(&9) }, 9);
}
