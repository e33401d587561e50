//! Sets `cfg(jp_pg)` when `JAKPRENEUR_TEST_PG` names a PostgreSQL server, so the
//! integration tests' PostgreSQL variants run instead of being reported as ignored.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(jp_pg)");
    println!("cargo::rerun-if-env-changed=JAKPRENEUR_TEST_PG");
    if std::env::var("JAKPRENEUR_TEST_PG").is_ok_and(|v| !v.trim().is_empty()) {
        println!("cargo::rustc-cfg=jp_pg");
    }
}
