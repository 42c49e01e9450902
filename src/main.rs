//! The binary: hands the arguments to the library and returns its exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    pycache_guard::main(std::env::args_os())
}
