// Shapes 2, 3, 4, 11: async fns, a `Send` future with a borrowed argument spawned on a
// multi-thread runtime, a borrow returned, `()` returned, `async unsafe fn`.
#![deny(warnings)]

use acm_trace::acm_span;

#[acm_span("load.data")]
async fn load(id: u32) -> u32 {
    tokio::task::yield_now().await;
    id + 1
}

#[acm_span("fetch.rows", n = s.len())]
async fn count(s: &str) -> usize {
    tokio::task::yield_now().await;
    s.len()
}

#[acm_span("hash.first")]
async fn first<'a>(s: &'a str) -> &'a str {
    &s[..1]
}

#[acm_span("finalize.nothing")]
async fn nothing() {}

#[acm_span("compute.read_raw")]
async unsafe fn read_raw(p: *const u32) -> u32 {
    // SAFETY: the caller passes a valid pointer.
    unsafe { *p }
}

fn assert_send<F: std::future::Future + Send>(f: F) -> F {
    f
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        assert_eq!(load(1).await, 2);
        let text = String::from("four");
        let n = assert_send(async move { count(&text).await });
        assert_eq!(tokio::spawn(n).await.unwrap(), 4);
        assert_eq!(first("xyz").await, "x");
        nothing().await;
        let v = 7;
        // SAFETY: `v` lives across the call.
        assert_eq!(unsafe { read_raw(&v).await }, 7);
    });
}
