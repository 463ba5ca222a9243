// An entered span belongs to the thread that entered it: its guard cannot be moved to another
// thread.

fn require_send<T: Send>(_: T) {}

fn main() {
    let guard = acm_trace::span!("persist.moved").entered();
    require_send(guard);
}
