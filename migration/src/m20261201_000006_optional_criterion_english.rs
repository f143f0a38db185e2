use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A criterion's English label becomes optional, as every English text of an edition is
/// (readers of English then see the French): the column takes nulls.
#[derive(DeriveIden)]
enum Criteria {
    Table,
    Id,
    EditionId,
    Key,
    Position,
    LabelFr,
    LabelEn,
    Description,
    DescriptionEn,
    Weight,
}

#[derive(DeriveIden)]
enum Editions {
    Table,
    Id,
}

const KEY_INDEX: &str = "uq_criteria_edition_key";

fn label_en(optional: bool) -> ColumnDef {
    if optional {
        string_len_null(Criteria::LabelEn, 200)
    } else {
        string_len(Criteria::LabelEn, 200)
    }
}

/// SQLite changes no column's nullability: the table is rebuilt with the new one, its rows
/// copied over (a missing English label as the French when it becomes required again), in one
/// batch on one connection, and its index made again.
async fn rebuild_criteria(manager: &SchemaManager<'_>, optional: bool) -> Result<(), DbErr> {
    let create = Table::create()
        .table(Alias::new("criteria_rebuilt"))
        .col(uuid(Criteria::Id).primary_key())
        .col(uuid(Criteria::EditionId))
        .col(string_len(Criteria::Key, 64))
        .col(integer(Criteria::Position))
        .col(string_len(Criteria::LabelFr, 200))
        .col(label_en(optional))
        .col(text(Criteria::Description))
        .col(double(Criteria::Weight))
        .col(text_null(Criteria::DescriptionEn))
        .foreign_key(
            ForeignKey::create()
                .from(Alias::new("criteria_rebuilt"), Criteria::EditionId)
                .to(Editions::Table, Editions::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_string(SqliteQueryBuilder);
    let index = Index::create()
        .name(KEY_INDEX)
        .table(Criteria::Table)
        .col(Criteria::EditionId)
        .col(Criteria::Key)
        .unique()
        .to_string(SqliteQueryBuilder);
    let english = if optional {
        "label_en"
    } else {
        "COALESCE(label_en, label_fr)"
    };
    manager
        .get_connection()
        .execute_unprepared(&format!(
            "{create}; \
             INSERT INTO criteria_rebuilt \
               (id, edition_id, key, position, label_fr, label_en, description, weight, description_en) \
             SELECT id, edition_id, key, position, label_fr, {english}, description, weight, description_en \
             FROM criteria; \
             DROP TABLE criteria; \
             ALTER TABLE criteria_rebuilt RENAME TO criteria; \
             {index};"
        ))
        .await?;
    Ok(())
}

async fn change(manager: &SchemaManager<'_>, optional: bool) -> Result<(), DbErr> {
    match manager.get_database_backend() {
        DbBackend::Sqlite => rebuild_criteria(manager, optional).await,
        _ => {
            if !optional {
                manager
                    .exec_stmt(
                        Query::update()
                            .table(Criteria::Table)
                            .value(Criteria::LabelEn, Expr::col(Criteria::LabelFr))
                            .and_where(Expr::col(Criteria::LabelEn).is_null())
                            .to_owned(),
                    )
                    .await?;
            }
            manager
                .alter_table(
                    Table::alter()
                        .table(Criteria::Table)
                        .modify_column(label_en(optional))
                        .to_owned(),
                )
                .await
        }
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        change(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        change(manager, false).await
    }
}
