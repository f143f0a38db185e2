use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Organizations {
    Table,
    Id,
    ShortName,
    Name,
    Region,
    DefaultDepartements,
    ContactEmail,
    PostalAddresses,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrganizationAdmins {
    Table,
    OrganizationId,
    UserId,
}

#[derive(DeriveIden)]
enum UsersPlatform {
    #[sea_orm(iden = "users")]
    Table,
    PlatformAdmin,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organizations::Table)
                    .col(uuid(Organizations::Id).primary_key())
                    .col(string_len_uniq(Organizations::ShortName, 32))
                    .col(string_len(Organizations::Name, 200))
                    .col(string_len(Organizations::Region, 100))
                    // Comma-separated département codes, e.g. "01,03,07".
                    .col(string_len(Organizations::DefaultDepartements, 400))
                    .col(string_len(Organizations::ContactEmail, 254))
                    // JSON array of postal addresses (the CESER has offices in Lyon and Clermont-Ferrand).
                    .col(text(Organizations::PostalAddresses))
                    .col(timestamp_with_time_zone(Organizations::CreatedAt))
                    .col(timestamp_with_time_zone(Organizations::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrganizationAdmins::Table)
                    .col(uuid(OrganizationAdmins::OrganizationId))
                    .col(uuid(OrganizationAdmins::UserId))
                    .primary_key(
                        Index::create()
                            .col(OrganizationAdmins::OrganizationId)
                            .col(OrganizationAdmins::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                OrganizationAdmins::Table,
                                OrganizationAdmins::OrganizationId,
                            )
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OrganizationAdmins::Table, OrganizationAdmins::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_organization_admins_user")
                    .table(OrganizationAdmins::Table)
                    .col(OrganizationAdmins::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(UsersPlatform::Table)
                    .add_column(boolean(UsersPlatform::PlatformAdmin).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(UsersPlatform::Table)
                    .drop_column(UsersPlatform::PlatformAdmin)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(OrganizationAdmins::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Organizations::Table).to_owned())
            .await
    }
}
