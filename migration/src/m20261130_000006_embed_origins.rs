use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The sites allowed to embed an organization's voting widget (a JSON array of origins; empty:
/// any site, for development).
#[derive(DeriveIden)]
enum Organizations {
    Table,
    EmbedOrigins,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Organizations::Table)
                    .add_column(text(Organizations::EmbedOrigins).default("[]"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Organizations::Table)
                    .drop_column(Organizations::EmbedOrigins)
                    .to_owned(),
            )
            .await
    }
}
