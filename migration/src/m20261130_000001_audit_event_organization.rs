use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The organization an audit event belongs to, so that an organization's staff read only
/// their own trail. Events about no organization (accounts, sessions) have none.
#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    OrganizationId,
}

const INDEX: &str = "idx_audit_events_organization";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AuditEvents::Table)
                    .add_column(uuid_null(AuditEvents::OrganizationId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(AuditEvents::Table)
                    .col(AuditEvents::OrganizationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(AuditEvents::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuditEvents::Table)
                    .drop_column(AuditEvents::OrganizationId)
                    .to_owned(),
            )
            .await
    }
}
