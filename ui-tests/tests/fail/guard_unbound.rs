// A guard that is not bound ends its span at once: the compiler says how to keep it.
#![deny(unused_must_use)]

fn main() {
    acm_trace::span!("compute.step").entered();
}
