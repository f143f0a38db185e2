fn main() -> std::process::ExitCode {
    prix_ceser::cli::run()
}
