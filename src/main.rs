/// mimalloc gives freed memory back to the system: with the C library's allocator, the
/// password hashes' large buffers (19 MiB each, argon2) stayed resident for the life of the
/// process, well over 100 MiB after a few logins.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    prix_ceser::cli::run()
}
