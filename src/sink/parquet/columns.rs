//! A table's columns in this run against those of its earlier files (see
//! `layout/earlier.rs` for which file, and when): a column whose type changed, or one the
//! earlier files have and this run lacks, refuses the commit; columns added are returned,
//! for the caller to say how to read them.
//!
//! Readers of a directory of Parquet files take the columns of one file (DuckDB's
//! `read_parquet` by default: the first) and read the others into them, matching columns
//! by name: a column of another type fails every query ("failed to cast column"), a
//! missing one fails it too ("could not be found"), and an added one is not seen. Merging
//! the files' columns by name (DuckDB `union_by_name=true`, Spark `mergeSchema`) sees
//! added columns, struct fields too, with nulls in the files that lack them; a type change
//! it still cannot read. So, as Panther's `CheckSchemaChange`: fields may be added, not
//! removed, renamed, or given another type (an array's element or an object's field
//! included).

use std::path::Path;

use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use parquet::arrow::{parquet_to_arrow_schema, ArrowSchemaConverter};
use parquet::file::metadata::ParquetMetaDataReader;

use super::files::parquet_error;
use super::ParquetWriter;
use crate::error::Error;
use crate::sink::layout::table_name;

impl ParquetWriter {
    /// Refuse now, before any input is read, a run whose tables' columns (`tables`: log
    /// type and the Arrow schema of its batches, [`arrow_schema`]) change a column's type
    /// or lack a column that the files of earlier runs have: the commit refuses it anyway.
    /// Call it after [`set_run_id`](Self::set_run_id) and
    /// [`supersede_runs`](Self::supersede_runs): their files go with the commit, and are
    /// not compared. Columns added are not reported here, but by the commit
    /// ([`columns_added`](Self::columns_added)).
    ///
    /// [`arrow_schema`]: crate::sink::arrow::arrow_schema
    ///
    /// # Errors
    ///
    /// A table's column has another type in the earlier files, or is missing from
    /// `tables`' schema; the message names the table, the column and both types.
    pub fn check_columns<'a>(
        &self,
        tables: impl IntoIterator<Item = (&'a str, &'a SchemaRef)>,
    ) -> Result<(), Error> {
        for (log_type, schema) in tables {
            let table = table_name(log_type);
            for earlier in self.parts.earlier_files_of(&table) {
                check(&self.parts.dir().join(&table), &earlier, schema)?;
            }
        }
        Ok(())
    }

    /// After [`commit`](Self::commit): the columns it added to tables whose earlier files
    /// (of other runs, kept) lack them, as table names and column paths (`actor.id` for a
    /// field of an object, `items[].id` in an array's elements). Readers see them only when
    /// they merge the files' columns by name: DuckDB's `read_parquet(...,
    /// union_by_name=true)`, Spark's `mergeSchema`.
    #[must_use]
    pub fn columns_added(&self) -> &[(String, Vec<String>)] {
        self.parts.columns_added()
    }

    /// The check of the commit: each table's columns against an earlier file of it.
    pub(super) fn column_check(&self) -> impl Fn(&str, &Path, &Path) -> Result<Vec<String>, Error> {
        let schemas: Vec<(String, SchemaRef)> = self
            .tables
            .iter()
            .map(|(log_type, _, spec)| (table_name(log_type), spec.schema.clone()))
            .collect();
        move |table, table_dir, earlier| match schemas.iter().find(|(t, _)| t == table) {
            Some((_, schema)) => check(table_dir, earlier, schema),
            None => Ok(Vec::new()),
        }
    }
}

/// Compare the columns of `schema` with those of the Parquet file `earlier` of the table
/// in `table_dir`: the columns added, or the error that refuses the run. A file whose
/// footer cannot be read is passed over (readers fail on it whatever this run writes).
fn check(table_dir: &Path, earlier: &Path, schema: &Schema) -> Result<Vec<String>, Error> {
    let Some(old) = file_schema(earlier) else {
        return Ok(Vec::new());
    };
    let new = as_read(schema)?;
    let mut changes = Changes::default();
    compare_fields("", old.fields(), new.fields(), &mut changes);
    if changes.changed.is_empty() && changes.removed.is_empty() {
        return Ok(changes.added);
    }
    let mut problems: Vec<String> = changes
        .changed
        .iter()
        .map(|(column, old, new)| {
            format!(
                "column `{column}` is {} in the earlier files and {} in this run",
                sql_type(old),
                sql_type(new)
            )
        })
        .collect();
    problems.extend(changes.removed.iter().map(|(column, old)| {
        format!(
            "column `{column}` ({}) of the earlier files is missing from this run",
            sql_type(old)
        )
    }));
    Err(Error::sink(format!(
        "{}: {} (earlier files such as {}): readers of the table would fail on every query, \
         as a table keeps its columns and their types (fields may be added to a schema, not \
         removed, renamed or given another type); nothing committed, the earlier files are \
         kept: give the schema back those fields (and indicators) as they were, or write \
         this run into another directory, or run every input of the table again with this \
         schema, in one run (which replaces the earlier runs' files)",
        table_dir.display(),
        problems.join("; "),
        earlier.strip_prefix(table_dir).unwrap_or(earlier).display(),
    )))
}

/// The Arrow schema a reader sees in the Parquet file at `path` (its footer's, converted
/// as the Parquet reader converts it); `None` if it cannot be read.
fn file_schema(path: &Path) -> Option<Schema> {
    let file = std::fs::File::open(path).ok()?;
    let meta = ParquetMetaDataReader::new().parse_and_finish(&file).ok()?;
    let file_meta = meta.file_metadata();
    parquet_to_arrow_schema(file_meta.schema_descr(), file_meta.key_value_metadata()).ok()
}

/// `schema` as a reader sees it in the files written with it: through the same Parquet
/// types as [`file_schema`], so that only what a file can tell apart is compared.
fn as_read(schema: &Schema) -> Result<Schema, Error> {
    let descr = ArrowSchemaConverter::new()
        .convert(schema)
        .map_err(parquet_error)?;
    parquet_to_arrow_schema(&descr, None).map_err(parquet_error)
}

/// What differs between an earlier file's columns and this run's (column paths).
#[derive(Debug, Default, PartialEq)]
struct Changes {
    added: Vec<String>,
    /// Column, earlier type, this run's type.
    changed: Vec<(String, DataType, DataType)>,
    /// Column, earlier type.
    removed: Vec<(String, DataType)>,
}

/// Compare the fields of a schema or struct, by name (readers match columns by name, so
/// their order does not matter); `prefix` is the parent's path.
fn compare_fields(prefix: &str, old: &Fields, new: &Fields, changes: &mut Changes) {
    let path = |f: &Field| format!("{prefix}{}", f.name());
    for o in old {
        match new.iter().find(|n| n.name() == o.name()) {
            Some(n) => compare_types(&path(o), o.data_type(), n.data_type(), changes),
            None => changes.removed.push((path(o), o.data_type().clone())),
        }
    }
    for n in new {
        if !old.iter().any(|o| o.name() == n.name()) {
            changes.added.push(path(n));
        }
    }
}

/// Compare the types of the column `path`: structs field by field, lists by element;
/// nullability aside (readers read a required column into a nullable one).
fn compare_types(path: &str, old: &DataType, new: &DataType, changes: &mut Changes) {
    match (old, new) {
        (DataType::Struct(o), DataType::Struct(n)) => {
            compare_fields(&format!("{path}."), o, n, changes);
        }
        (DataType::List(o), DataType::List(n)) => {
            compare_types(&format!("{path}[]"), o.data_type(), n.data_type(), changes);
        }
        _ if old != new => changes
            .changed
            .push((path.to_owned(), old.clone(), new.clone())),
        _ => {}
    }
}

/// A column type as SQL engines show it (DuckDB's names): what a user sees in their
/// reader's errors.
fn sql_type(t: &DataType) -> String {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "VARCHAR".into(),
        DataType::Int16 => "SMALLINT".into(),
        DataType::Int32 => "INTEGER".into(),
        DataType::Int64 => "BIGINT".into(),
        DataType::Float32 => "FLOAT".into(),
        DataType::Float64 => "DOUBLE".into(),
        DataType::Boolean => "BOOLEAN".into(),
        DataType::Timestamp(_, Some(_)) => "TIMESTAMP WITH TIME ZONE".into(),
        DataType::Timestamp(_, None) => "TIMESTAMP".into(),
        DataType::Struct(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|f| format!("{} {}", f.name(), sql_type(f.data_type())))
                .collect();
            format!("STRUCT({})", fields.join(", "))
        }
        DataType::List(item) | DataType::LargeList(item) => {
            format!("{}[]", sql_type(item.data_type()))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::TimeUnit;
    use std::sync::Arc;

    fn field(name: &str, t: DataType) -> Field {
        Field::new(name, t, true)
    }

    fn list(t: DataType) -> DataType {
        DataType::List(Arc::new(Field::new("item", t, false)))
    }

    fn changes(old: &[Field], new: &[Field]) -> Changes {
        let (old, new) = (
            as_read(&Schema::new(old.to_vec())).expect("old"),
            as_read(&Schema::new(new.to_vec())).expect("new"),
        );
        let mut c = Changes::default();
        compare_fields("", old.fields(), new.fields(), &mut c);
        c
    }

    #[test]
    fn columns_added_changed_and_removed_are_told_apart() {
        let actor = |extra: Option<Field>| {
            let mut fields = vec![field("id", DataType::Int64)];
            fields.extend(extra);
            DataType::Struct(fields.into())
        };
        let time = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
        let old = [
            field("a", DataType::Utf8),
            Field::new("p_event_time", time.clone(), false),
            field("actor", actor(None)),
            field("tags", list(DataType::Utf8)),
        ];
        // The same columns in another order, one of them required now: no change.
        let same = [
            field("tags", list(DataType::Utf8)),
            field("actor", actor(None)),
            field("p_event_time", time.clone()),
            field("a", DataType::Utf8),
        ];
        assert_eq!(changes(&old, &same), Changes::default());
        let new = [
            field("a", DataType::Int64),
            Field::new("p_event_time", time, false),
            field("actor", actor(Some(field("name", DataType::Utf8)))),
            field("tags", list(DataType::Int16)),
            field("b", DataType::Boolean),
        ];
        let c = changes(&old, &new);
        assert_eq!(c.added, ["actor.name", "b"]);
        assert_eq!(
            c.changed,
            [
                ("a".into(), DataType::Utf8, DataType::Int64),
                ("tags[]".into(), DataType::Utf8, DataType::Int16),
            ]
        );
        assert!(c.removed.is_empty());
        let c = changes(&new, &old);
        assert_eq!(
            c.removed,
            [
                ("actor.name".into(), DataType::Utf8),
                ("b".into(), DataType::Boolean)
            ]
        );
    }

    #[test]
    fn types_are_named_as_readers_name_them() {
        let s = DataType::Struct(vec![field("id", DataType::Int64)].into());
        assert_eq!(sql_type(&list(s)), "STRUCT(id BIGINT)[]");
        assert_eq!(sql_type(&DataType::Int16), "SMALLINT");
    }
}
