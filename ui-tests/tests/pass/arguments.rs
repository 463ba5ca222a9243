// Shapes 22-26: destructuring patterns, wildcard arguments, arguments without `Debug`,
// arguments named `debug` / `display`, `mut` arguments; placeholders bound by patterns.
#![deny(warnings)]

use acm_trace::acm_span;

struct Point {
    x: u32,
    y: u32,
}

struct Handle; // no Debug, no Display, no Clone

#[acm_span("compute.sum")]
fn sum((a, b): (u32, u32), Point { x, y }: Point) -> u32 {
    a + b + x + y
}

#[acm_span("compute.wild")]
fn wild(_: Handle, a: u32) -> u32 {
    a
}

#[acm_span("compute.opaque")]
fn opaque(h: Handle) -> Handle {
    h
}

#[acm_span("compute.flags", debug = debug, display = display)]
fn flags(debug: bool, display: u32) -> u32 {
    if debug { display } else { 0 }
}

#[acm_span("compute.bump")]
fn bump(mut a: u32) -> u32 {
    a += 1;
    a
}

#[acm_span("fit.{name}.{y}")]
fn named((name, _): (&str, u8), Point { y, .. }: Point) -> usize {
    name.len() + y as usize
}

#[acm_span("fit.{detector}", n_samples = x.len())]
fn fit(detector: &str, x: &[f64]) -> usize {
    detector.len() + x.len()
}

const DETECTOR: &str = "gmm";

#[acm_span("fit.{DETECTOR}")]
fn from_const(n: u32) -> u32 {
    n
}

fn main() {
    assert_eq!(sum((1, 2), Point { x: 3, y: 4 }), 10);
    assert_eq!(wild(Handle, 7), 7);
    let Handle = opaque(Handle);
    assert_eq!(flags(true, 3), 3);
    assert_eq!(bump(1), 2);
    assert_eq!(named(("ab", 0), Point { x: 0, y: 1 }), 3);
    assert_eq!(fit("pca", &[1.0]), 4);
    assert_eq!(from_const(2), 2);
    let site = acm_trace::catalog::sites().find(|s| s.function == "fit").unwrap();
    assert_eq!(site.name, "fit.{detector}");
    assert!(!site.is_static);
}
