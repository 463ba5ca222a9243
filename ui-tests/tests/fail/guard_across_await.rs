// A guard held across an `.await` would move with the future to whichever thread polls it
// next: a future that must be `Send` cannot hold one (instrument the future instead).

fn require_send<T: Send>(_: T) {}

async fn step() {}

fn main() {
    require_send(async {
        let _guard = acm_trace::span!("compute.step").entered();
        step().await;
    });
}
