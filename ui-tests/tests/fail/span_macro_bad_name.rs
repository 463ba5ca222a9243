fn main() {
    acm_trace::span!("fuse.scores").in_scope(|| ());
    let _guard = acm_trace::span!("sql..insert", n = 1).entered();
    let _ = acm_trace::span!("fit.pca", knd = client);
    let _ = acm_trace::span!();
}
