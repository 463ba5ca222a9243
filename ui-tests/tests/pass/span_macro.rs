// Shape 37: closures and blocks through `span!`: `in_scope`, `entered`, `instrument`.
#![deny(warnings)]

use acm_trace::{Kind, span};

fn insert(ops: &[u32]) -> usize {
    ops.len()
}

fn main() {
    let ops = vec![1, 2, 3];
    let ids = acm_trace::span!("sql.bulk_insert", n_operations = ops.len()).in_scope(|| insert(&ops));
    assert_eq!(ids, 3);

    let total = {
        let _guard = span!("persist.scores", kind = producer).entered();
        ops.iter().sum::<u32>()
    };
    assert_eq!(total, 6);

    let name = "pca";
    let r: Result<u32, String> =
        span!("fit.{name}", rows = %name, shape = ?ops, phase = "fit").in_scope(|| Ok(1));
    assert_eq!(r, Ok(1));

    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let out = rt.block_on(span!("load.data", track_resources).instrument(async { 7 }));
    assert_eq!(out, 7);

    let closure = |x: u32| span!("compute.closure").in_scope(|| x + 1);
    assert_eq!(closure(1), 2);

    let s = span!("compute.handle");
    let _ = s.span();
    s.in_scope(|| ());

    let site = acm_trace::catalog::sites().find(|s| s.name == "persist.scores").unwrap();
    assert_eq!(site.kind, Kind::Producer);
    let site = acm_trace::catalog::sites().find(|s| s.name == "load.data").unwrap();
    assert!(site.track_resources);
}
