//! Empty: a build script makes cargo resolve `[build-dependencies]`, whose
//! features (syn's `visit-mut`) then match the proc macros' host build.
fn main() {}
