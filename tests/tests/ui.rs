//! Compile-time behaviour of `#[api]`: what must compile, and the exact
//! error for each misuse (reviewed `.stderr` files beside the cases).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
