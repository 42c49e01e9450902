#![no_main]
//! `cargo +nightly fuzz run reftable`: see src/fuzzing.rs for what the bytes stand for.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| pycache_guard::fuzzing::reftable(bytes));
