// Shape 10: native async fn in a trait impl, and shape 16: a trait default method.
#![deny(warnings)]

use acm_trace::acm_span;

struct Handle; // neither Debug nor Clone

trait Score {
    async fn score(&self, x: u32) -> u32;

    #[acm_span("score.default")]
    fn weight(&self) -> u32 {
        1
    }

    #[acm_span("score.default_async")]
    async fn doubled(&self, x: u32) -> u32 {
        self.score(x).await * 2
    }

    #[acm_span("score.{which}")]
    fn named(&self, which: &str) -> usize {
        which.len() + self.weight() as usize
    }
}

impl Score for Handle {
    #[acm_span("score.handle")]
    async fn score(&self, x: u32) -> u32 {
        x * self.weight()
    }
}

struct Heavy;

impl Score for Heavy {
    #[acm_span("score.heavy")]
    async fn score(&self, x: u32) -> u32 {
        x * 10
    }

    #[acm_span("score.heavy_weight")]
    fn weight(&self) -> u32 {
        10
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        assert_eq!(Handle.score(3).await, 3);
        assert_eq!(Heavy.score(3).await, 30);
        assert_eq!(Heavy.doubled(3).await, 60);
    });
    assert_eq!(Handle.weight(), 1);
    assert_eq!(Heavy.weight(), 10);
    assert_eq!(Handle.named("ab"), 3);
}
