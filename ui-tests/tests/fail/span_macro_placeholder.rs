fn main() {
    let detector = "pca";
    acm_trace::span!("fit.{detectr}").in_scope(|| detector.len());
}
