// Shape 32: diverging functions.
#![deny(warnings)]

use acm_trace::acm_span;

#[acm_span("shutdown.die")]
fn die(msg: &str) -> ! {
    panic!("{msg}")
}

#[acm_span("shutdown.exit")]
fn exit_with(code: i32) -> ! {
    std::process::exit(code)
}

#[acm_span("shutdown.maybe")]
fn maybe(stop: bool) -> u32 {
    if stop {
        die("stopped");
    }
    1
}

fn main() {
    std::panic::set_hook(Box::new(|_| {}));
    assert_eq!(maybe(false), 1);
    let caught = std::panic::catch_unwind(|| die("boom"));
    assert!(caught.is_err());
    let caught = std::panic::catch_unwind(|| maybe(true));
    assert!(caught.is_err());
    if std::env::args().count() > 99 {
        exit_with(1);
    }
}
