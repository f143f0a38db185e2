//! Columns added to existing tables: one statement per column, as SQLite alters one column at a
//! time; removed in the reverse order.
use sea_orm_migration::prelude::*;

/// A column to add: its table, and its definition.
pub type NewColumn = (DynIden, ColumnDef);

pub async fn add(manager: &SchemaManager<'_>, columns: Vec<NewColumn>) -> Result<(), DbErr> {
    for (table, mut column) in columns {
        manager
            .alter_table(
                Table::alter()
                    .table(table)
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}

pub async fn drop(manager: &SchemaManager<'_>, columns: Vec<NewColumn>) -> Result<(), DbErr> {
    for (table, column) in columns.into_iter().rev() {
        manager
            .alter_table(
                Table::alter()
                    .table(table)
                    .drop_column(column.get_column_name())
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}
