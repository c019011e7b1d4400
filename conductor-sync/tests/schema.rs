//! The tables: typed columns of the right types in each database, and a
//! schema migrated by a later release (a column or a table of lines it
//! adds) keeps every row and fills what it adds from the records.

mod common;

use common::World;
use conductor_sync::{Database, Error};
use serde_json::Value;
use sqlx::Row;

async fn rows(database: &Database, sql: &str) -> Vec<sqlx::any::AnyRow> {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).fetch_all(database.pool()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_that_adds_a_column_or_a_table_of_lines_keeps_every_row_and_fills_them() {
    for database in common::databases().await {
        let world = World::new(2, 12).await;
        let db = Database::connect(&database.url, 4).await.unwrap();
        world.syncer(db.clone()).build().unwrap().run().await.unwrap();
        let before = rows(&db, "SELECT COUNT(*) FROM invoices").await[0].get::<i64, _>(0);
        // The database as an earlier release left it: no `memo` column, no
        // table of invoice lines.
        for statement in ["ALTER TABLE invoices DROP COLUMN memo", "DROP TABLE invoice_lines"] {
            sqlx::query(statement).execute(db.pool()).await.unwrap();
        }
        db.close().await;

        let db = Database::connect(&database.url, 4).await.unwrap();
        let record = if db.is_postgres() { "record::text" } else { "record" };
        let invoices = rows(&db, &format!("SELECT memo, {record} FROM invoices")).await;
        assert_eq!(invoices.len() as i64, before, "{}: every row kept", database.label);
        let mut lines = 0;
        for row in &invoices {
            let record: Value = serde_json::from_str(&row.get::<String, _>(1)).unwrap();
            assert_eq!(row.get::<Option<String>, _>(0).as_deref(), record["memo"].as_str(), "{}", database.label);
            lines += record["lines"].as_array().unwrap().len() as i64;
        }
        let held = rows(&db, "SELECT COUNT(*) FROM invoice_lines").await[0].get::<i64, _>(0);
        assert_eq!(held, lines, "{}: the table of lines filled from the records", database.label);
        assert_eq!(world.differences(&db).await, Vec::<String>::new(), "{}", database.label);
    }
}

#[tokio::test]
async fn a_database_a_newer_release_wrote_is_refused() {
    let database = common::sqlite();
    let db = Database::connect(&database.url, 2).await.unwrap();
    sqlx::query("UPDATE sync_meta SET value = '99' WHERE key = 'schema_version'").execute(db.pool()).await.unwrap();
    db.close().await;
    let error = Database::connect(&database.url, 2).await.unwrap_err();
    assert!(matches!(error, Error::Schema(_)), "{error}");
    assert!(error.to_string().contains("schema 99"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn columns_hold_their_types_and_amounts_are_exact() {
    for database in common::databases().await {
        let world = World::new(1, 4).await;
        let db = Database::connect(&database.url, 4).await.unwrap();
        world.syncer(db.clone()).build().unwrap().run().await.unwrap();
        if db.is_postgres() {
            let types = rows(
                &db,
                "SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_name = 'invoices' \
                 AND column_name IN ('subtotal', 'is_paid', 'transaction_date', 'updated_at', 'customer', 'customer_id', 'record') \
                 ORDER BY column_name",
            )
            .await;
            let types: Vec<(String, String)> = types.iter().map(|row| (row.get(0), row.get(1))).collect();
            let expected = [
                ("customer", "jsonb"),
                ("customer_id", "text"),
                ("is_paid", "boolean"),
                ("record", "jsonb"),
                ("subtotal", "numeric"),
                ("transaction_date", "date"),
                ("updated_at", "timestamp with time zone"),
            ];
            assert_eq!(types, expected.map(|(a, b)| (a.to_owned(), b.to_owned())));
            let sum = rows(&db, "SELECT SUM(subtotal)::text, SUM(balance_remaining)::text FROM invoices").await;
            let served = common::served(&world.users[0].client, "invoices", &world.users[0].end_user).await;
            let total: i64 = served.values().map(|invoice| cents(&invoice["subtotal"])).sum();
            assert_eq!(sum[0].get::<String, _>(0), format!("{}.{:02}", total / 100, total % 100));
        } else {
            let kinds =
                rows(&db, "SELECT typeof(subtotal), typeof(is_paid), typeof(record) FROM invoices LIMIT 1").await;
            let kinds: (String, String, String) = (kinds[0].get(0), kinds[0].get(1), kinds[0].get(2));
            assert_eq!(kinds, ("text".into(), "integer".into(), "text".into()), "amounts as exact text, never floats");
        }
    }
}

fn cents(amount: &Value) -> i64 {
    amount.as_str().unwrap().replace('.', "").parse().unwrap()
}
