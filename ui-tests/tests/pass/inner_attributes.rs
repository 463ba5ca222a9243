// Shape 33: inner attributes at the top of the body, and doc comments / other outer
// attributes kept in place.
#![deny(warnings)]

use acm_trace::acm_span;

#[acm_span("calibrate.inner")]
fn inner(a: u32) -> u32 {
    #![allow(unused_variables)]
    let unused = a;
    a + 1
}

/// Outer doc comment.
#[inline]
#[must_use]
#[acm_span("calibrate.outer")]
#[allow(clippy::let_and_return)]
fn outer(a: u32) -> u32 {
    //! Inner doc comment.
    #![allow(unused_mut)]
    let mut b = a;
    b
}

#[acm_span("calibrate.unit")]
fn unit() {
    #![allow(unused_variables)]
    let x = 1;
}

fn main() {
    assert_eq!(inner(1), 2);
    assert_eq!(outer(4), 4);
    unit();
}
