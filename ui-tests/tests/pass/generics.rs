// Shapes 18-20: generics, lifetimes, where-clauses, const generics, `impl Trait` arguments.
#![deny(warnings)]

use std::fmt::Debug;

use acm_trace::acm_span;

#[acm_span("compute.pick")]
fn pick<'a, T: Debug>(x: &'a T, _y: &T) -> &'a T
where
    T: Clone,
{
    x
}

#[acm_span("compute.n")]
fn n<const N: usize>(a: [u8; N]) -> usize {
    a.len() + N
}

#[acm_span("compute.show", shown = ?x)]
fn show(x: impl Debug + Clone) -> String {
    format!("{x:?}")
}

#[acm_span("compute.total")]
fn total<I>(items: I) -> u64
where
    I: IntoIterator,
    I::Item: Into<u64>,
{
    items.into_iter().map(Into::into).sum()
}

#[acm_span("compute.make")]
fn make<T: Default>() -> T {
    T::default()
}

struct Wrap<T>(T);

impl<T: Clone + PartialEq> Wrap<T> {
    #[acm_span("compute.unwrap")]
    fn unwrap_clone(&self) -> T {
        self.0.clone()
    }

    #[acm_span("compute.same")]
    fn same<U>(&self, other: U) -> bool
    where
        U: Into<T>,
    {
        self.0 == other.into()
    }
}

fn main() {
    assert_eq!(*pick(&3, &4), 3);
    assert_eq!(n([1, 2, 3]), 6);
    assert_eq!(show(vec![1]), "[1]");
    assert_eq!(total([1_u32, 2, 3]), 6);
    assert_eq!(make::<String>(), "");
    assert_eq!(Wrap(5_u64).unwrap_clone(), 5);
    assert!(Wrap(5_u64).same(5_u32));
}
