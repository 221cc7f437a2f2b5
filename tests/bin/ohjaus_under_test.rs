//! The `ohjaus` program, built under this name for the end-to-end tests.

fn main() -> std::process::ExitCode {
    ohjaus::main()
}
