use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum VoterVerifications {
    Table,
    Id,
    PrizeId,
    /// HMAC of the normalised address: the address itself is not stored here.
    Identity,
    CodeHash,
    Attempts,
    ExpiresAt,
    ConfirmedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    /// Erased once the message is delivered.
    Recipient,
    Subject,
    Body,
    Attempts,
    NextAttemptAt,
    SentAt,
    LastError,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Prizes {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(VoterVerifications::Table)
                    .col(uuid(VoterVerifications::Id).primary_key())
                    .col(uuid(VoterVerifications::PrizeId))
                    .col(string_len(VoterVerifications::Identity, 64))
                    .col(string_len(VoterVerifications::CodeHash, 64))
                    .col(integer(VoterVerifications::Attempts))
                    .col(timestamp_with_time_zone(VoterVerifications::ExpiresAt))
                    .col(timestamp_with_time_zone_null(
                        VoterVerifications::ConfirmedAt,
                    ))
                    .col(timestamp_with_time_zone(VoterVerifications::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(VoterVerifications::Table, VoterVerifications::PrizeId)
                            .to(Prizes::Table, Prizes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_voter_verifications_identity")
                    .table(VoterVerifications::Table)
                    .col(VoterVerifications::PrizeId)
                    .col(VoterVerifications::Identity)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(uuid(Outbox::Id).primary_key())
                    .col(string_len_null(Outbox::Recipient, 254))
                    .col(string_len(Outbox::Subject, 300))
                    .col(text(Outbox::Body))
                    .col(integer(Outbox::Attempts))
                    .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(Outbox::SentAt))
                    .col(text_null(Outbox::LastError))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_due")
                    .table(Outbox::Table)
                    .col(Outbox::SentAt)
                    .col(Outbox::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Outbox::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(VoterVerifications::Table).to_owned())
            .await
    }
}
