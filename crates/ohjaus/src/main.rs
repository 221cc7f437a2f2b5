//! `ohjaus`: the command line of the Ohjaus service (see the library for the tour).

fn main() -> std::process::ExitCode {
    ohjaus::main()
}
