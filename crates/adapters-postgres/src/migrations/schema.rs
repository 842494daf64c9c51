//! The schema as the catalogue describes it, to compare a database with
//! what its migrations build.

use sqlx::PgConnection;

/// Everything in the `public` schema that migrations create, one line per
/// object, leaving out the migrations' own bookkeeping table.
const CATALOG_QUERIES: [&str; 10] = [
    "SELECT format('table %I', tablename) FROM pg_tables
      WHERE schemaname = 'public' AND tablename <> '_sqlx_migrations'",
    "SELECT format('column %I.%I %s %s default %s', table_name, column_name, data_type,
                   is_nullable, coalesce(column_default, '-'))
       FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    "SELECT format('constraint %s %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
       FROM pg_constraint
      WHERE connamespace = 'public'::regnamespace
        AND conrelid::regclass::text <> '_sqlx_migrations'",
    "SELECT format('index %s', indexdef) FROM pg_indexes
      WHERE schemaname = 'public' AND tablename <> '_sqlx_migrations'",
    "SELECT format('function %s', pg_get_functiondef(oid)) FROM pg_proc
      WHERE pronamespace = 'public'::regnamespace AND prokind IN ('f', 'p')",
    "SELECT format('trigger %s', pg_get_triggerdef(oid)) FROM pg_trigger WHERE NOT tgisinternal",
    "SELECT format('type %s %s %s', t.typname, t.typtype,
                   (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder)
                      FROM pg_enum WHERE enumtypid = t.oid))
       FROM pg_type t
      WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd')",
    "SELECT format('view %I %s', viewname, definition) FROM pg_views WHERE schemaname = 'public'",
    "SELECT format('sequence %I', sequencename) FROM pg_sequences WHERE schemaname = 'public'",
    "SELECT format('extension %I', extname) FROM pg_extension",
];

/// The schema of the connection's database, as sorted lines.
pub(super) async fn describe(connection: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    let mut lines = Vec::new();
    for query in CATALOG_QUERIES {
        let rows: Vec<(String,)> = sqlx::query_as(query).fetch_all(&mut *connection).await?;
        lines.extend(rows.into_iter().map(|(line,)| line));
    }
    lines.sort();
    Ok(lines)
}
