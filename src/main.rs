use std::process::ExitCode;

fn main() -> ExitCode {
    pycache_guard::main(std::env::args_os())
}
