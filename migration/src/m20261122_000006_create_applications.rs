use sea_orm_migration::{prelude::*, schema::*};

use crate::{m20261122_000001_create_users::Users, m20261122_000005_create_editions::Editions};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Applications {
    Table,
    Id,
    EditionId,
    ApplicantId,
    Status,
    ApplicantKind,
    StructureName,
    Siret,
    ContactName,
    ContactEmail,
    ContactPhone,
    ActionTitle,
    Summary,
    Description,
    ActionStart,
    ActionEnd,
    VideoUrl,
    Website,
    AutoEligible,
    AutoFindings,
    ReviewDecision,
    ReviewReason,
    ReviewedBy,
    ReviewedAt,
    Public,
    Shortlisted,
    SubmittedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ApplicationLocations {
    Table,
    Id,
    ApplicationId,
    Position,
    Commune,
    PostalCode,
}

#[derive(DeriveIden)]
enum ApplicationAnswers {
    Table,
    ApplicationId,
    CriterionKey,
    Answer,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Applications::Table)
                    .col(uuid(Applications::Id).primary_key())
                    .col(uuid(Applications::EditionId))
                    // Null once the applicant erased their account (the file stays, anonymised).
                    .col(uuid_null(Applications::ApplicantId))
                    .col(string_len(Applications::Status, 16))
                    // Everything the applicant fills in may be missing in a draft.
                    .col(string_len_null(Applications::ApplicantKind, 32))
                    .col(string_len_null(Applications::StructureName, 200))
                    .col(string_len_null(Applications::Siret, 14))
                    .col(string_len_null(Applications::ContactName, 200))
                    .col(string_len_null(Applications::ContactEmail, 254))
                    .col(string_len_null(Applications::ContactPhone, 20))
                    .col(string_len_null(Applications::ActionTitle, 200))
                    .col(string_len_null(Applications::Summary, 500))
                    .col(text_null(Applications::Description))
                    .col(date_null(Applications::ActionStart))
                    .col(date_null(Applications::ActionEnd))
                    .col(string_len_null(Applications::VideoUrl, 500))
                    .col(string_len_null(Applications::Website, 500))
                    .col(boolean_null(Applications::AutoEligible))
                    .col(text_null(Applications::AutoFindings))
                    .col(string_len_null(Applications::ReviewDecision, 16))
                    .col(text_null(Applications::ReviewReason))
                    .col(uuid_null(Applications::ReviewedBy))
                    .col(timestamp_with_time_zone_null(Applications::ReviewedAt))
                    .col(boolean(Applications::Public).default(false))
                    .col(boolean(Applications::Shortlisted).default(false))
                    .col(timestamp_with_time_zone_null(Applications::SubmittedAt))
                    .col(timestamp_with_time_zone(Applications::CreatedAt))
                    .col(timestamp_with_time_zone(Applications::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Applications::Table, Applications::EditionId)
                            .to(Editions::Table, Editions::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Applications::Table, Applications::ApplicantId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_applications_edition", Applications::EditionId),
            ("idx_applications_applicant", Applications::ApplicantId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Applications::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ApplicationLocations::Table)
                    .col(uuid(ApplicationLocations::Id).primary_key())
                    .col(uuid(ApplicationLocations::ApplicationId))
                    .col(integer(ApplicationLocations::Position))
                    .col(string_len(ApplicationLocations::Commune, 100))
                    .col(string_len(ApplicationLocations::PostalCode, 5))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ApplicationLocations::Table,
                                ApplicationLocations::ApplicationId,
                            )
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_application_locations_application")
                    .table(ApplicationLocations::Table)
                    .col(ApplicationLocations::ApplicationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApplicationAnswers::Table)
                    .col(uuid(ApplicationAnswers::ApplicationId))
                    .col(string_len(ApplicationAnswers::CriterionKey, 64))
                    .col(text(ApplicationAnswers::Answer))
                    .primary_key(
                        Index::create()
                            .col(ApplicationAnswers::ApplicationId)
                            .col(ApplicationAnswers::CriterionKey),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApplicationAnswers::Table, ApplicationAnswers::ApplicationId)
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ApplicationAnswers::Table.into_iden(),
            ApplicationLocations::Table.into_iden(),
            Applications::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
