//! Database schema, one file per migration (`mYYYYMMDD_HHMMSS_name.rs`), each with a real `down`.
pub use sea_orm_migration::MigrationStatus;
pub use sea_orm_migration::prelude::*;

mod columns;

mod m20261122_000001_create_users;
mod m20261122_000002_create_refresh_tokens;
mod m20261122_000003_create_audit_events;
mod m20261122_000004_create_organizations;
mod m20261122_000005_create_editions;
mod m20261122_000006_create_applications;
mod m20261122_000007_create_attachments;
mod m20261122_000008_create_jury;
mod m20261122_000009_create_ballots;
mod m20261122_000010_create_voters_and_outbox;
mod m20261122_000011_create_invitations;
mod m20261130_000001_audit_event_organization;
mod m20261130_000002_address_proofs;
mod m20261130_000003_sessions_revoked_at;
mod m20261130_000004_sealed_choices;
mod m20261130_000005_ballot_counts;
mod m20261130_000006_embed_origins;
mod m20261130_000007_api_tokens;
mod m20261130_000008_webhooks;
mod m20261130_000009_application_rna;
mod m20261201_000001_colleges;
mod m20261201_000002_ballot_college_counts;
mod m20261201_000003_english_texts;
mod m20261201_000004_notifications;
mod m20261201_000005_scheduled_notices;
mod m20261201_000006_optional_criterion_english;
mod m20261201_000007_audition_sequence;
mod m20261201_000008_ballot_closing_announced;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_users::Migration),
            Box::new(m20261122_000002_create_refresh_tokens::Migration),
            Box::new(m20261122_000003_create_audit_events::Migration),
            Box::new(m20261122_000004_create_organizations::Migration),
            Box::new(m20261122_000005_create_editions::Migration),
            Box::new(m20261122_000006_create_applications::Migration),
            Box::new(m20261122_000007_create_attachments::Migration),
            Box::new(m20261122_000008_create_jury::Migration),
            Box::new(m20261122_000009_create_ballots::Migration),
            Box::new(m20261122_000010_create_voters_and_outbox::Migration),
            Box::new(m20261122_000011_create_invitations::Migration),
            Box::new(m20261130_000001_audit_event_organization::Migration),
            Box::new(m20261130_000002_address_proofs::Migration),
            Box::new(m20261130_000003_sessions_revoked_at::Migration),
            Box::new(m20261130_000004_sealed_choices::Migration),
            Box::new(m20261130_000005_ballot_counts::Migration),
            Box::new(m20261130_000006_embed_origins::Migration),
            Box::new(m20261130_000007_api_tokens::Migration),
            Box::new(m20261130_000008_webhooks::Migration),
            Box::new(m20261130_000009_application_rna::Migration),
            Box::new(m20261201_000001_colleges::Migration),
            Box::new(m20261201_000002_ballot_college_counts::Migration),
            Box::new(m20261201_000003_english_texts::Migration),
            Box::new(m20261201_000004_notifications::Migration),
            Box::new(m20261201_000005_scheduled_notices::Migration),
            Box::new(m20261201_000006_optional_criterion_english::Migration),
            Box::new(m20261201_000007_audition_sequence::Migration),
            Box::new(m20261201_000008_ballot_closing_announced::Migration),
        ]
    }
}
