use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each choice is stored sealed (authenticated encryption under a key derived from the server's
/// voter key, which is not in the database): a copy of the database does not tell what anyone
/// voted. `application_id` keeps only the choices of earlier versions until the server seals
/// them at start-up (it then holds the nil id).
#[derive(DeriveIden)]
enum BallotChoices {
    Table,
    SealedChoice,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(BallotChoices::Table)
                    .add_column(binary_null(BallotChoices::SealedChoice))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(BallotChoices::Table)
                    .drop_column(BallotChoices::SealedChoice)
                    .to_owned(),
            )
            .await
    }
}
