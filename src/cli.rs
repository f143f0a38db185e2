//! The command line: `serve` (default), `migrate`, `create-admin`, `openapi`, `audit verify`.
use std::{
    io::{BufRead, IsTerminal},
    path::PathBuf,
    process::ExitCode,
};

use clap::{Parser, Subcommand, ValueEnum};
use migration::{MigrationStatus, Migrator, MigratorTrait};

use crate::{
    config::{Environment, Settings},
    db, demo,
    domain::{DisplayName, Email, Password, Role},
    openapi,
    services::{accounts, audit},
    startup::Application,
    telemetry,
};

#[derive(Parser)]
#[command(
    name = "prix-ceser",
    version,
    about = "The prix-ceser API server and its tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (the default); applies pending migrations first.
    Serve {
        /// Load the demo data first (idempotent) and print the demo accounts.
        #[arg(long)]
        demo: bool,
    },
    /// Load the demo data (idempotent) and print the demo accounts.
    SeedDemo,
    /// Apply, roll back (one step) or list database migrations.
    Migrate {
        #[arg(value_enum, default_value_t = MigrateAction::Up)]
        action: MigrateAction,
    },
    /// Create an administrator account. The password is read from PRIX_ADMIN_PASSWORD, or stdin.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        display_name: String,
        /// Make a platform admin, who manages every organization and creates them.
        #[arg(long)]
        platform: bool,
    },
    /// Print the OpenAPI document, or compare it with / write it to the committed file.
    Openapi {
        /// Exit non-zero when the committed file differs from the generated document.
        #[arg(long, conflicts_with = "write")]
        check: bool,
        /// Rewrite the committed file.
        #[arg(long)]
        write: bool,
        #[arg(long, default_value = "openapi/openapi.json")]
        path: PathBuf,
    },
    /// Audit trail tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum MigrateAction {
    Up,
    Down,
    Status,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain and report the first broken event, if any.
    Verify,
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve { demo: false });
    if let Command::Openapi { check, write, path } = command {
        return openapi_command(check, write, &path);
    }
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("prix-ceser: {error}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(error) = telemetry::init(settings.log_format) {
        eprintln!("prix-ceser: {error}");
        return ExitCode::FAILURE;
    }
    let result = actix_web::rt::System::new().block_on(async move {
        match command {
            Command::Serve { demo } => serve(settings, demo).await,
            Command::SeedDemo => seed_demo(&settings).await,
            Command::Migrate { action } => migrate(&settings, action).await,
            Command::CreateAdmin {
                email,
                display_name,
                platform,
            } => create_admin(&settings, &email, &display_name, platform).await,
            Command::Audit {
                command: AuditCommand::Verify,
            } => verify_audit(&settings).await,
            Command::Openapi { .. } => unreachable!("handled before configuration"),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("prix-ceser: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn seed_demo(settings: &Settings) -> anyhow::Result<()> {
    // The demo accounts' passwords are published in the README.
    anyhow::ensure!(
        settings.environment != Environment::Production,
        "the demo data (with its published passwords) is never loaded in production"
    );
    let db = db::connect(&settings.database_url).await?;
    db::migrate(&db).await?;
    let first_load = !demo::is_loaded(&db).await?;
    let keys = crate::domain::voter::VoterKeys::derive(&crate::state::voter_key(settings)?);
    let accounts = demo::seed(&db, &keys).await?;
    println!(
        "{}",
        if first_load {
            "Demo data loaded. Demo accounts:"
        } else {
            "Demo data already loaded. Demo accounts:"
        }
    );
    for account in accounts {
        let roles: Vec<&str> = account.roles.iter().map(|role| role.as_str()).collect();
        let platform = if account.platform_admin {
            " (platform admin)"
        } else {
            ""
        };
        println!(
            "  {:34} {:22} {}{platform}",
            account.email,
            account.password,
            roles.join(", ")
        );
    }
    Ok(())
}

async fn serve(settings: Settings, demo: bool) -> anyhow::Result<()> {
    if demo {
        seed_demo(&settings).await?;
    }
    if settings.jwt_secret_generated {
        tracing::warn!(
            "PRIX_JWT_SECRET is not set: using a random secret for this run only. Tokens will not survive a restart. NEVER run production like this."
        );
    } else if settings.environment == Environment::Development && settings.jwt_secret.len() < 32 {
        tracing::warn!("PRIX_JWT_SECRET is shorter than 32 bytes: production would refuse it.");
    }
    let application = Application::build(settings.clone()).await?;
    tracing::info!(address = %settings.addr, port = application.port(), "prix-ceser listening; API docs at /docs");
    application.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

async fn migrate(settings: &Settings, action: MigrateAction) -> anyhow::Result<()> {
    let db = db::connect(&settings.database_url).await?;
    match action {
        MigrateAction::Up => Migrator::up(&db, None).await?,
        MigrateAction::Down => Migrator::down(&db, Some(1)).await?,
        MigrateAction::Status => {
            for migration in Migrator::get_migration_with_status(&db).await? {
                let status = match migration.status() {
                    MigrationStatus::Applied => "applied",
                    MigrationStatus::Pending => "pending",
                };
                println!("{status:8} {}", migration.name());
            }
        }
    }
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("PRIX_ADMIN_PASSWORD") {
        return Ok(password);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password for the new admin (input is shown): ");
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn create_admin(
    settings: &Settings,
    email: &str,
    display_name: &str,
    platform: bool,
) -> anyhow::Result<()> {
    let password = read_password()?;
    let invalid = |field: &str, error: crate::domain::FieldError| {
        anyhow::anyhow!("{field} {}", crate::i18n::for_operators(&error.message))
    };
    let new = accounts::NewAccount {
        email: Email::parse(email).map_err(|e| invalid("email", e))?,
        password: Password::parse(&password).map_err(|e| invalid("password", e))?,
        display_name: DisplayName::parse(display_name).map_err(|e| invalid("display name", e))?,
        roles: vec![Role::Admin],
        platform_admin: platform,
        email_verified: true,
        language: crate::domain::Lang::default(),
    };
    let db = db::connect(&settings.database_url).await?;
    db::migrate(&db).await?;
    let account = accounts::create(&db, None, new)
        .await
        .map_err(|error| anyhow::anyhow!(error.problem(crate::domain::Lang::En).detail))?;
    let kind = if platform { "platform admin" } else { "admin" };
    println!("created {kind} {} ({})", account.email, account.id);
    Ok(())
}

async fn verify_audit(settings: &Settings) -> anyhow::Result<()> {
    let db = db::connect(&settings.database_url).await?;
    let count = audit::verify(&db).await?;
    println!("audit trail intact: {count} events verified");
    Ok(())
}

fn openapi_command(check: bool, write: bool, path: &PathBuf) -> ExitCode {
    let generated = openapi::to_pretty_json(&openapi::document());
    if write {
        return match std::fs::write(path, &generated) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("prix-ceser: cannot write {}: {error}", path.display());
                ExitCode::FAILURE
            }
        };
    }
    if check {
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        if committed != generated {
            eprintln!(
                "prix-ceser: {} differs from the generated document; regenerate it with `cargo run -- openapi --write`",
                path.display()
            );
            return ExitCode::FAILURE;
        }
        return ExitCode::SUCCESS;
    }
    print!("{generated}");
    ExitCode::SUCCESS
}
