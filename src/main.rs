use std::process::ExitCode;

fn main() -> ExitCode {
    pycache_guard::app::main(std::env::args_os())
}
