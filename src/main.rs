//! The `moderate` binary: parse arguments, hand them to [`moderate::cli`], map the outcome to an
//! exit code (0 done, 1 runtime or input failure, 2 usage or config error).

fn main() -> std::process::ExitCode {
    moderate::cli::main()
}
