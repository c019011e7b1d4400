//! What the sync's tests share: a sandbox of several end-users with books
//! worth syncing, the databases to sync into (SQLite always, PostgreSQL when
//! `CONDUCTOR_SYNC_TEST_POSTGRES` names a server), changes people make, and
//! the comparison of a database with what the sandbox serves.

#![allow(dead_code, unreachable_pub, reason = "each test binary uses part of it")]

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use conductor::{Client, CursorPage, Transport, api};
use conductor_sandbox::Sandbox;
use conductor_sync::{Database, SyncBuilder, Syncer};
use conductor_tests::books::{Company, Records};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::Row;

/// The environment variable naming a PostgreSQL server the tests may create
/// databases in (`.ci/postgres.sh` sets it).
pub const POSTGRES_VAR: &str = "CONDUCTOR_SYNC_TEST_POSTGRES";

/// A database a test syncs into.
pub struct TestDatabase {
    /// `sqlite` or `postgres`.
    pub label: &'static str,
    /// Its URL, as `conductor-sync --database` takes it.
    pub url: String,
    path: Option<std::path::PathBuf>,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }
}

fn unique(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{prefix}_{}_{nanos}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A new SQLite file.
pub fn sqlite() -> TestDatabase {
    let path = std::env::temp_dir().join(format!("{}.db", unique("conductor_sync")));
    TestDatabase { label: "sqlite", url: format!("sqlite:{}", path.display()), path: Some(path) }
}

/// A new database on the PostgreSQL server of `CONDUCTOR_SYNC_TEST_POSTGRES`;
/// `None`, said on stderr, without one.
pub async fn postgres() -> Option<TestDatabase> {
    let Ok(admin) = std::env::var(POSTGRES_VAR) else {
        eprintln!("skipping PostgreSQL: set {POSTGRES_VAR} to a server's URL (`bash .ci/postgres.sh` starts one)");
        return None;
    };
    sqlx::any::install_default_drivers();
    let name = unique("sync");
    let mut connection = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin).await.expect("the test server");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut connection).await.unwrap();
    let (base, _) = admin.rsplit_once('/').expect("a database in the URL");
    Some(TestDatabase { label: "postgres", url: format!("{base}/{name}"), path: None })
}

/// SQLite, and PostgreSQL when there is a server.
pub async fn databases() -> Vec<TestDatabase> {
    let mut all = vec![sqlite()];
    all.extend(postgres().await);
    all
}

/// A sandbox whose end-users have books worth syncing.
pub struct World {
    pub sandbox: Arc<Sandbox>,
    pub users: Vec<Company>,
    /// The resources the tests compare.
    pub resources: Vec<&'static str>,
}

impl World {
    /// `users` end-users, each with `invoices` seeded invoices (a third of
    /// them paid), a vendor with a bill and its payment, a credit memo
    /// applied to an invoice, and a job under a customer.
    pub async fn new(users: usize, invoices: usize) -> World {
        World::with(Sandbox::builder(), users, invoices).await
    }

    /// The same, with a sandbox configured by `builder`.
    pub async fn with(builder: conductor_sandbox::SandboxBuilder, users: usize, invoices: usize) -> World {
        let sandbox = builder.start().await.unwrap();
        let mut all = Vec::new();
        for n in 0..users {
            let user = sandbox.create_end_user(&format!("Company {n}"), &format!("owner{n}@example.com"));
            // The books were kept before today: stamped two hours ago, by
            // the end-user's clock, before the sync's overlap.
            sandbox.shift_clock(&user.id, -2 * 3600);
            sandbox.seed_invoices(&user.id, invoices).unwrap();
            let client = sandbox.client();
            let company =
                Company { qbd: client.qbd().for_end_user(&user.id), client, end_user: user.id, sandbox: None };
            books(&company).await;
            sandbox.shift_clock(&company.end_user, 2 * 3600);
            all.push(company);
        }
        let resources = vec![
            "bill-check-payments",
            "bills",
            "credit-memos",
            "customers",
            "invoices",
            "receive-payments",
            "service-items",
            "vendors",
            "accounts",
            "vendor-credits",
            "sales-orders",
        ];
        World { sandbox: Arc::new(sandbox), users: all, resources }
    }

    /// A client of the sandbox as the sync should have one: one request at
    /// a time per end-user, retries quick.
    pub fn client(&self) -> Client {
        Client::builder()
            .api_key(self.sandbox.api_key())
            .base_url(self.sandbox.base_url())
            .max_concurrent_per_end_user(1)
            .retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
            .build()
            .unwrap()
    }

    /// A sync of this world into `database`, of the compared resources.
    pub fn syncer(&self, database: Database) -> SyncBuilder {
        Syncer::builder(self.client(), database).resources(self.resources.iter().copied())
    }

    /// Every way the database differs from what the sandbox serves, for
    /// every end-user and compared resource: rows missing, rows that should
    /// be marked deleted, records that differ, rows of no end-user of this
    /// world, and tables of lines that disagree with their records.
    pub async fn differences(&self, database: &Database) -> Vec<String> {
        let mut out = Vec::new();
        for user in &self.users {
            for resource in &self.resources {
                let served = served(&user.client, resource, &user.end_user).await;
                let held = held(database, resource, &user.end_user).await;
                compare(&mut out, &user.end_user, resource, &served, &held);
            }
        }
        out.extend(strangers(database, &self.resources, &self.users).await);
        out.extend(lines_disagree(database, &self.users).await);
        out
    }
}

/// Books beyond the seeded invoices: a vendor, a bill and its payment, a
/// credit memo applied to an invoice, a job under a customer.
async fn books(company: &Company) {
    let expenses = company.account("Office Expenses", "expense").await;
    let vendor = company.vendor("Paper Supplies").await;
    let bill = company
        .create(
            "bills",
            json!({"vendorId": vendor["id"], "transactionDate": "2024-03-01",
                   "expenseLines": [{"accountId": expenses, "amount": "300.00"}]}),
        )
        .await;
    let bank = company.account("Checking", "bank").await;
    company
        .create(
            "bill-check-payments",
            json!({"vendorId": vendor["id"], "transactionDate": "2024-03-05", "bankAccountId": bank,
                   "applyToTransactions": [{"transactionId": bill["id"], "paymentAmount": "120.00"}]}),
        )
        .await;
    let parent = company.customer("Holding Group", json!({})).await;
    company.customer("Holding Group Job", json!({"parentId": parent["id"]})).await;
    let invoices = company.try_list("invoices", &[("limit", "2")]).await.unwrap();
    if let Some(invoice) = invoices["data"].get(1) {
        let item = &invoice["lines"][0]["item"]["id"];
        let memo = company
            .create(
                "credit-memos",
                json!({"customerId": invoice["customer"]["id"], "transactionDate": "2024-04-01",
                       "lines": [{"itemId": item, "amount": "15.00"}]}),
            )
            .await;
        let _ = company
            .try_update(
                "invoices",
                &invoice["id"],
                json!({"applyCredits": [{"creditMemoId": memo["id"], "appliedAmount": "15.00"}]}),
            )
            .await;
    }
}

/// Lists of any resource, by page, as JSON.
pub trait Pages: Transport {
    #[api(get = "/quickbooks-desktop/{resource}", pages_of = Value)]
    async fn page_of(
        &self,
        resource: &str,
        #[query] query: &PageQuery,
        #[header("Conductor-End-User-Id")] end_user: &str,
    ) -> conductor::Result<CursorPage<Value>>;
}

impl Pages for Client {}

/// A list's query: every record, active or not, where the list filters by
/// status.
#[derive(Clone, Default, Serialize)]
pub struct PageQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(rename = "includeLinkedTransactions", skip_serializing_if = "Option::is_none")]
    linked: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

/// Whether the description gives a list a parameter (read from the
/// description, not from the sync's table).
fn takes(resource: &str, parameter: &str) -> bool {
    static SPEC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    let spec = SPEC.get_or_init(conductor_tests::contract::load_spec);
    let parameters = &spec["paths"][format!("/quickbooks-desktop/{resource}")]["get"]["parameters"];
    parameters.as_array().is_some_and(|all| all.iter().any(|p| p["name"] == parameter))
}

/// Every record the sandbox serves of a resource, by id.
pub async fn served(client: &Client, resource: &str, end_user: &str) -> BTreeMap<String, Value> {
    use futures_util::TryStreamExt;
    // Every record, active or not, whole: with its linked transactions.
    let query = PageQuery {
        status: takes(resource, "status").then_some("all"),
        linked: takes(resource, "includeLinkedTransactions").then_some(true),
        cursor: None,
    };
    let records: Vec<Value> = client.page_of_all(resource, query, end_user).try_collect().await.unwrap();
    records.into_iter().map(|record| (record["id"].as_str().unwrap().to_owned(), record)).collect()
}

/// The live rows of a resource's table, by id.
pub async fn held(database: &Database, resource: &str, end_user: &str) -> BTreeMap<String, Value> {
    let table = resource.replace('-', "_");
    let (record, param) = if database.is_postgres() { ("record::text", "$1") } else { ("record", "?1") };
    let sql = format!("SELECT id, {record} FROM {table} WHERE end_user_id = {param} AND deleted_at IS NULL");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(end_user).fetch_all(database.pool()).await.unwrap();
    rows.iter()
        .map(|row| {
            let text: String = row.get(1);
            (row.get(0), serde_json::from_str(&text).unwrap())
        })
        .collect()
}

fn compare(
    out: &mut Vec<String>,
    end_user: &str,
    resource: &str,
    served: &BTreeMap<String, Value>,
    held: &BTreeMap<String, Value>,
) {
    for (id, record) in served {
        match held.get(id) {
            None => out.push(format!("{end_user} {resource} {id}: missing from the database")),
            Some(row) if row != record => {
                let field = record
                    .as_object()
                    .and_then(|fields| fields.iter().find(|(name, value)| row.get(name.as_str()) != Some(*value)))
                    .map(|(name, value)| format!("{name}: held {} served {value}", row[name.as_str()]))
                    .unwrap_or_else(|| "a field the sandbox does not serve".into());
                out.push(format!("{end_user} {resource} {id}: {field}"));
            }
            Some(_) => {}
        }
    }
    for id in held.keys().filter(|id| !served.contains_key(*id)) {
        out.push(format!("{end_user} {resource} {id}: gone from QuickBooks, not marked deleted"));
    }
}

/// Rows of end-users this world does not have.
async fn strangers(database: &Database, resources: &[&str], users: &[Company]) -> Vec<String> {
    let mut out = Vec::new();
    let known: Vec<&str> = users.iter().map(|user| user.end_user.as_str()).collect();
    for resource in resources {
        let table = resource.replace('-', "_");
        let sql = format!("SELECT DISTINCT end_user_id FROM {table}");
        for row in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(database.pool()).await.unwrap() {
            let end_user: String = row.get(0);
            if !known.contains(&end_user.as_str()) {
                out.push(format!("{resource}: rows of {end_user}, who is no end-user here"));
            }
        }
    }
    out
}

/// Each invoice's lines in `invoice_lines` are its record's lines.
async fn lines_disagree(database: &Database, users: &[Company]) -> Vec<String> {
    let mut out = Vec::new();
    for user in users {
        let held = held_all(database, "invoices", &user.end_user).await;
        let (record, param) = if database.is_postgres() { ("record::text", "$1") } else { ("record", "?1") };
        let sql = format!(
            "SELECT invoice_id, position, {record} FROM invoice_lines WHERE end_user_id = {param} ORDER BY invoice_id, position"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&user.end_user).fetch_all(database.pool()).await.unwrap();
        let mut lines: HashMap<String, Vec<Value>> = HashMap::new();
        for row in rows {
            let text: String = row.get(2);
            lines.entry(row.get(0)).or_default().push(serde_json::from_str(&text).unwrap());
        }
        for (id, invoice) in held {
            let expected = invoice["lines"].as_array().cloned().unwrap_or_default();
            if lines.remove(&id).unwrap_or_default() != expected {
                out.push(format!("{} invoice {id}: invoice_lines differ from its record", user.end_user));
            }
        }
        for id in lines.keys() {
            out.push(format!("{} invoice_lines of {id}, which is no invoice held", user.end_user));
        }
    }
    out
}

/// Every row of a resource's table, deleted or not, by id.
async fn held_all(database: &Database, resource: &str, end_user: &str) -> BTreeMap<String, Value> {
    let table = resource.replace('-', "_");
    let (record, param) = if database.is_postgres() { ("record::text", "$1") } else { ("record", "?1") };
    let sql = format!("SELECT id, {record} FROM {table} WHERE end_user_id = {param}");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(end_user).fetch_all(database.pool()).await.unwrap();
    rows.iter()
        .map(|row| {
            let text: String = row.get(1);
            (row.get(0), serde_json::from_str(&text).unwrap())
        })
        .collect()
}

/// A change someone makes in QuickBooks.
#[derive(Clone, Debug)]
pub enum Change {
    /// A new invoice of `cents` for the `customer`th customer.
    Invoice { user: usize, customer: usize, cents: u32 },
    /// A payment of part of the `invoice`th invoice (from the newest).
    Pay { user: usize, invoice: usize, percent: u8 },
    /// A credit memo applied to an invoice.
    Credit { user: usize, invoice: usize, cents: u32 },
    /// An invoice's memo changed.
    Edit { user: usize, invoice: usize },
    /// An invoice voided.
    Void { user: usize, invoice: usize },
    /// An invoice deleted.
    DeleteInvoice { user: usize, invoice: usize },
    /// A payment deleted.
    DeletePayment { user: usize, payment: usize },
    /// A customer renamed.
    Rename { user: usize, customer: usize },
    /// A new customer.
    Customer { user: usize },
    /// A customer deleted (as someone in QuickBooks would).
    DeleteCustomer { user: usize, customer: usize },
    /// A bill, and a payment of half of it.
    Bill { user: usize, cents: u32 },
}

/// The `n`th record (wrapping) of a list, newest first.
async fn pick(company: &Company, resource: &str, n: usize) -> Option<Value> {
    let served = served(&company.client, resource, &company.end_user).await;
    let mut records: Vec<Value> = served.into_values().collect();
    records.sort_by(|a, b| {
        b["createdAt"].as_str().cmp(&a["createdAt"].as_str()).then(b["id"].as_str().cmp(&a["id"].as_str()))
    });
    (!records.is_empty()).then(|| records.swap_remove(n % records.len()))
}

fn money(cents: u32) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

impl World {
    /// Makes a change; QuickBooks' refusals (a payment on a paid invoice,
    /// say) are part of life and change nothing.
    pub async fn apply(&self, change: &Change) {
        let user = |n: usize| &self.users[n % self.users.len()];
        match change {
            Change::Invoice { user: u, customer, cents } => {
                let company = user(*u);
                let (Some(customer), Some(item)) =
                    (pick(company, "customers", *customer).await, pick(company, "service-items", 0).await)
                else {
                    return;
                };
                let body = json!({"customerId": customer["id"], "transactionDate": "2024-06-01",
                                  "lines": [{"itemId": item["id"], "amount": money(*cents + 1)}]});
                let _ = company.try_create("invoices", body).await;
            }
            Change::Pay { user: u, invoice, percent } => {
                let company = user(*u);
                let Some(invoice) = pick(company, "invoices", *invoice).await else { return };
                let open = invoice["balanceRemaining"].as_str().unwrap_or("0").replace('.', "");
                let cents = open.parse::<u64>().unwrap_or(0) * u64::from((*percent).clamp(1, 100)) / 100;
                if cents == 0 {
                    return;
                }
                let amount = money(u32::try_from(cents).unwrap_or(u32::MAX));
                let body = json!({"customerId": invoice["customer"]["id"], "transactionDate": "2024-06-02",
                                  "totalAmount": amount,
                                  "applyToTransactions": [{"transactionId": invoice["id"], "paymentAmount": amount}]});
                let _ = company.try_create("receive-payments", body).await;
            }
            Change::Credit { user: u, invoice, cents } => {
                let company = user(*u);
                let (Some(invoice), Some(item)) =
                    (pick(company, "invoices", *invoice).await, pick(company, "service-items", 0).await)
                else {
                    return;
                };
                let body = json!({"customerId": invoice["customer"]["id"], "transactionDate": "2024-06-03",
                                  "lines": [{"itemId": item["id"], "amount": money(*cents % 5_000 + 1)}]});
                let Ok(memo) = company.try_create("credit-memos", body).await else { return };
                let applied =
                    json!({"applyCredits": [{"creditMemoId": memo["id"], "appliedAmount": money(*cents % 5_000 + 1)}]});
                let _ = company.try_update("invoices", &invoice["id"], applied).await;
            }
            Change::Edit { user: u, invoice } => {
                let company = user(*u);
                let Some(invoice) = pick(company, "invoices", *invoice).await else { return };
                let _ = company.try_update("invoices", &invoice["id"], json!({"memo": unique("edited")})).await;
            }
            Change::Void { user: u, invoice } => {
                let company = user(*u);
                if let Some(invoice) = pick(company, "invoices", *invoice).await {
                    let _ = company
                        .client
                        .void_record("invoices", invoice["id"].as_str().unwrap(), &company.end_user)
                        .await;
                }
            }
            Change::DeleteInvoice { user: u, invoice } => {
                let company = user(*u);
                if let Some(invoice) = pick(company, "invoices", *invoice).await {
                    let _ = company
                        .client
                        .delete_record("invoices", invoice["id"].as_str().unwrap(), &company.end_user)
                        .await;
                }
            }
            Change::DeletePayment { user: u, payment } => {
                let company = user(*u);
                if let Some(payment) = pick(company, "receive-payments", *payment).await {
                    let id = payment["id"].as_str().unwrap();
                    let _ = company.client.delete_record("receive-payments", id, &company.end_user).await;
                }
            }
            Change::Rename { user: u, customer } => {
                let company = user(*u);
                if let Some(customer) = pick(company, "customers", *customer).await {
                    let _ = company.try_update("customers", &customer["id"], json!({"name": unique("Renamed")})).await;
                }
            }
            Change::Customer { user: u } => {
                let _ = user(*u).try_create("customers", json!({"name": unique("Customer")})).await;
            }
            Change::DeleteCustomer { user: u, customer } => {
                let company = user(*u);
                if let Some(customer) = pick(company, "customers", *customer).await {
                    self.sandbox.delete_list_object(&company.end_user, "customers", customer["id"].as_str().unwrap());
                }
            }
            Change::Bill { user: u, cents } => {
                let company = user(*u);
                let (Some(vendor), Some(account)) =
                    (pick(company, "vendors", 0).await, pick(company, "accounts", 0).await)
                else {
                    return;
                };
                let body = json!({"vendorId": vendor["id"], "transactionDate": "2024-06-04",
                                  "expenseLines": [{"accountId": account["id"], "amount": money(*cents + 2)}]});
                let Ok(bill) = company.try_create("bills", body).await else { return };
                let bank = company.account("Checking", "bank").await;
                let half = money((*cents + 2) / 2);
                let payment = json!({"vendorId": vendor["id"], "transactionDate": "2024-06-05", "bankAccountId": bank,
                                     "applyToTransactions": [{"transactionId": bill["id"], "paymentAmount": half}]});
                let _ = company.try_create("bill-check-payments", payment).await;
            }
        }
    }
}

/// Each run's status in `sync_runs`, by id.
pub async fn run_statuses(database: &Database) -> BTreeMap<i64, String> {
    let rows = sqlx::query("SELECT id, status FROM sync_runs").fetch_all(database.pool()).await.unwrap();
    rows.iter().map(|row| (row.get(0), row.get(1))).collect()
}
