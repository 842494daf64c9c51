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
    "SELECT format('constraint %I %I %s', c.relname, con.conname, pg_get_constraintdef(con.oid))
       FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
      WHERE con.connamespace = 'public'::regnamespace AND c.relname <> '_sqlx_migrations'",
    // An index that a failed CREATE INDEX CONCURRENTLY left is INVALID.
    "SELECT format('index %s%s', pg_get_indexdef(i.indexrelid),
                   CASE WHEN i.indisvalid THEN '' ELSE ' INVALID' END)
       FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
      WHERE t.relnamespace = 'public'::regnamespace AND t.relname <> '_sqlx_migrations'",
    // Objects of an extension are the extension's, listed once below.
    "SELECT format('function %s', pg_get_functiondef(p.oid)) FROM pg_proc p
      WHERE p.pronamespace = 'public'::regnamespace AND p.prokind IN ('f', 'p')
        AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')",
    "SELECT format('trigger %s', pg_get_triggerdef(tg.oid))
       FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
      WHERE NOT tg.tgisinternal AND c.relnamespace = 'public'::regnamespace",
    "SELECT format('type %s %s %s', t.typname, t.typtype,
                   (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder)
                      FROM pg_enum WHERE enumtypid = t.oid))
       FROM pg_type t
      WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd')
        AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')",
    "SELECT format('view %I %s', c.relname, pg_get_viewdef(c.oid)) FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('v', 'm')
        AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')",
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
