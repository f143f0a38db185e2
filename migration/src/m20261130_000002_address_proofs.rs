use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Proof that a person owns their address: when it was verified, single-use tokens emailed to
/// verify it or to reset a password, and what an invitation grants once accepted.
#[derive(DeriveIden)]
enum UsersProof {
    #[sea_orm(iden = "users")]
    Table,
    EmailVerifiedAt,
    PasswordHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    OrganizationId,
    Role,
    College,
}

#[derive(DeriveIden)]
enum AccountTokens {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(UsersProof::Table)
                    .add_column(timestamp_with_time_zone_null(UsersProof::EmailVerifiedAt))
                    .to_owned(),
            )
            .await?;
        // Accounts made before verification existed were made by staff or by their holder;
        // invited accounts that never set a password prove their address when they accept.
        manager
            .exec_stmt(
                Query::update()
                    .table(UsersProof::Table)
                    .value(
                        UsersProof::EmailVerifiedAt,
                        Expr::col(UsersProof::CreatedAt),
                    )
                    .and_where(Expr::col(UsersProof::PasswordHash).ne("!"))
                    .to_owned(),
            )
            .await?;
        for column in [
            uuid_null(Invitations::OrganizationId),
            string_len_null(Invitations::Role, 20),
            string_len_null(Invitations::College, 100),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Invitations::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(AccountTokens::Table)
                    .col(uuid(AccountTokens::Id).primary_key())
                    .col(uuid(AccountTokens::UserId))
                    .col(string_len(AccountTokens::Purpose, 20))
                    .col(string_len_uniq(AccountTokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(AccountTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AccountTokens::UsedAt))
                    .col(timestamp_with_time_zone(AccountTokens::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccountTokens::Table, AccountTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AccountTokens::Table).to_owned())
            .await?;
        for column in [
            Invitations::OrganizationId,
            Invitations::Role,
            Invitations::College,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Invitations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(UsersProof::Table)
                    .drop_column(UsersProof::EmailVerifiedAt)
                    .to_owned(),
            )
            .await
    }
}
