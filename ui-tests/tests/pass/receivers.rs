// Shapes 13-15: every receiver, typed receivers, and a constructor returning `Self`;
// borrows of `self` returned through the span.
#![deny(warnings)]

use std::pin::Pin;

use acm_trace::acm_span;

struct Model {
    v: u32,
    name: String,
}

impl Model {
    #[acm_span("models.new")]
    fn new(v: u32) -> Self {
        Self { v, name: String::from("m") }
    }

    #[acm_span("models.get")]
    fn get(&self) -> u32 {
        self.v
    }

    #[acm_span("models.name")]
    fn name(&self) -> &str {
        &self.name
    }

    #[acm_span("models.bump")]
    fn bump(&mut self) -> u32 {
        self.v += 1;
        self.v
    }

    #[acm_span("models.slot")]
    fn slot(&mut self) -> &mut u32 {
        &mut self.v
    }

    #[acm_span("models.try_slot")]
    fn try_slot(&mut self, ok: bool) -> Result<&mut String, String> {
        if !ok {
            return Err("no slot".to_owned());
        }
        Ok(&mut self.name)
    }

    #[acm_span("models.into_v")]
    fn into_v(self) -> u32 {
        self.v
    }

    #[acm_span("models.into_bumped")]
    fn into_bumped(mut self) -> u32 {
        self.v += 1;
        self.v
    }

    #[acm_span("models.boxed")]
    fn boxed(self: Box<Self>) -> u32 {
        self.v
    }

    #[acm_span("models.pinned")]
    fn pinned(self: Pin<&mut Self>) -> u32 {
        self.get_mut().v * 2
    }

    #[acm_span("models.pinned_ref")]
    fn pinned_ref(self: Pin<&mut Self>) -> &mut u32 {
        &mut self.get_mut().v
    }
}

fn main() {
    let mut m = Model::new(1);
    assert_eq!(m.get(), 1);
    assert_eq!(m.name(), "m");
    assert_eq!(m.bump(), 2);
    *m.slot() = 5;
    assert_eq!(m.get(), 5);
    m.try_slot(true).unwrap().push('x');
    assert_eq!(m.name(), "mx");
    assert_eq!(m.try_slot(false), Err("no slot".to_owned()));
    assert_eq!(Pin::new(&mut m).pinned(), 10);
    *Pin::new(&mut m).pinned_ref() = 6;
    assert_eq!(Box::new(Model::new(4)).boxed(), 4);
    assert_eq!(Model::new(2).into_bumped(), 3);
    assert_eq!(m.into_v(), 6);
}
