//! A company file to test QuickBooks' rules and books against: an end-user
//! of a sandbox, reached through the Rust client. Records of any resource
//! are written and read as JSON through endpoints declared with `#[api]`,
//! as a user would declare them, so every request goes through the
//! client's transport and every refusal comes back as a `conductor::Error`.
//!
//! By default the sandbox runs in the test's process. With
//! `SANDBOX_UNDER_TEST="http://127.0.0.1:4010/v1 sk_..."` the same tests run
//! against a sandbox server started elsewhere (an older build, say, to see
//! a test fail before its change): each test creates its own end-user there.

use std::collections::BTreeMap;

use conductor::qbd::QbdClient;
use conductor::{Client, CreateEndUser, Error, Result, Transport, api};
use conductor_sandbox::Sandbox;
use serde_json::{Value, json};

/// Any QuickBooks Desktop resource's records, as JSON.
pub trait Records: Transport {
    /// `POST /quickbooks-desktop/{resource}`.
    #[api(post = "/quickbooks-desktop/{resource}")]
    async fn create_record(
        &self,
        resource: &str,
        #[body] body: &Value,
        #[header("Conductor-End-User-Id")] end_user: &str,
    ) -> Result<Value>;

    /// `GET /quickbooks-desktop/{resource}/{id}`.
    #[api(get = "/quickbooks-desktop/{resource}/{id}")]
    async fn retrieve_record(
        &self,
        resource: &str,
        id: &str,
        #[header("Conductor-End-User-Id")] end_user: &str,
    ) -> Result<Value>;

    /// `POST /quickbooks-desktop/{resource}/{id}`.
    #[api(post = "/quickbooks-desktop/{resource}/{id}")]
    async fn update_record(
        &self,
        resource: &str,
        id: &str,
        #[body] body: &Value,
        #[header("Conductor-End-User-Id")] end_user: &str,
    ) -> Result<Value>;

    /// `DELETE /quickbooks-desktop/{resource}/{id}`.
    #[api(delete = "/quickbooks-desktop/{resource}/{id}")]
    async fn delete_record(
        &self,
        resource: &str,
        id: &str,
        #[header("Conductor-End-User-Id")] end_user: &str,
    ) -> Result<Value>;

    /// `POST /quickbooks-desktop/{resource}/{id}/void`.
    #[api(post = "/quickbooks-desktop/{resource}/{id}/void")]
    async fn void_record(
        &self,
        resource: &str,
        id: &str,
        #[header("Conductor-End-User-Id")] end_user: &str,
    ) -> Result<Value>;

    /// `GET /quickbooks-desktop/{resource}` with a query.
    #[api(get = "/quickbooks-desktop/{resource}")]
    async fn list_records(
        &self,
        resource: &str,
        #[query] query: &BTreeMap<String, Vec<String>>,
        #[header("Conductor-End-User-Id")] end_user: &str,
    ) -> Result<Value>;
}

impl Records for Client {}

/// One end-user's company file.
pub struct Company {
    /// The client of the sandbox under test.
    pub client: Client,
    /// The QuickBooks Desktop client for the end-user.
    pub qbd: QbdClient,
    /// The end-user's id.
    pub end_user: String,
    /// The in-process sandbox, when the test runs one.
    pub sandbox: Option<Sandbox>,
}

impl Company {
    /// A new end-user of the sandbox under test.
    pub async fn open() -> Company {
        let (client, sandbox) = match std::env::var("SANDBOX_UNDER_TEST") {
            Ok(setting) => {
                let (base, key) = setting.split_once(' ').expect("SANDBOX_UNDER_TEST is \"URL KEY\"");
                (Client::builder().api_key(key).base_url(base).max_retries(0).build().unwrap(), None)
            }
            Err(_) => {
                let sandbox = Sandbox::start().await.unwrap();
                (sandbox.client(), Some(sandbox))
            }
        };
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let user = client
            .end_users()
            .create(&CreateEndUser {
                company_name: "Books Inc.".into(),
                source_id: format!("books-{nanos}"),
                email: "books@example.com".into(),
            })
            .await
            .unwrap();
        Company { qbd: client.qbd().for_end_user(&user.id), client, end_user: user.id, sandbox }
    }

    /// Every computed field the sandbox holds that differs from what its
    /// ledger says; empty when the books hold (and when the sandbox runs
    /// elsewhere, where it cannot be asked).
    pub fn audit(&self) -> Vec<String> {
        self.sandbox.as_ref().map(|sandbox| sandbox.audit(&self.end_user)).unwrap_or_default()
    }

    /// Creates a record of `resource` from JSON.
    pub async fn try_create(&self, resource: &str, body: Value) -> Result<Value> {
        self.client.create_record(resource, &body, &self.end_user).await
    }

    /// Creates a record of `resource` from JSON, which must succeed.
    pub async fn create(&self, resource: &str, body: Value) -> Value {
        match self.try_create(resource, body.clone()).await {
            Ok(record) => record,
            Err(error) => panic!("creating {resource} {body}: {error}"),
        }
    }

    /// Reads a record of `resource` back.
    pub async fn get(&self, resource: &str, id: &Value) -> Value {
        let id = id.as_str().expect("an id");
        self.client.retrieve_record(resource, id, &self.end_user).await.unwrap()
    }

    /// Updates a record with `changes` at its current revision.
    pub async fn try_update(&self, resource: &str, id: &Value, changes: Value) -> Result<Value> {
        let current = self.get(resource, id).await;
        let body = merged(json!({"revisionNumber": current["revisionNumber"]}), changes);
        self.client.update_record(resource, id.as_str().unwrap(), &body, &self.end_user).await
    }

    /// Deletes a transaction.
    pub async fn delete(&self, resource: &str, id: &Value) {
        self.client.delete_record(resource, id.as_str().unwrap(), &self.end_user).await.unwrap();
    }

    /// Voids a transaction.
    pub async fn void(&self, resource: &str, id: &Value) {
        self.client.void_record(resource, id.as_str().unwrap(), &self.end_user).await.unwrap();
    }

    /// Lists a resource with query pairs; the whole answer.
    pub async fn try_list(&self, resource: &str, query: &[(&str, &str)]) -> Result<Value> {
        let mut pairs: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in query {
            pairs.entry((*name).to_owned()).or_default().push((*value).to_owned());
        }
        self.client.list_records(resource, &pairs, &self.end_user).await
    }

    /// A customer named `name`, with `more` fields.
    pub async fn customer(&self, name: &str, more: Value) -> Value {
        self.create("customers", merged(json!({"name": name}), more)).await
    }

    /// A vendor named `name`.
    pub async fn vendor(&self, name: &str) -> Value {
        self.create("vendors", json!({"name": name})).await
    }

    /// An account of a type, by name (made once).
    pub async fn account(&self, name: &str, kind: &str) -> Value {
        let found = self.try_list("accounts", &[("fullNames", name)]).await;
        match found.ok().and_then(|found| found["data"].get(0).cloned()) {
            Some(account) => account["id"].clone(),
            None => self.create("accounts", json!({"name": name, "accountType": kind})).await["id"].clone(),
        }
    }

    /// An inventory item holding `quantity`, sold at `price`, bought at
    /// `cost`, with the three accounts QuickBooks requires of one.
    pub async fn inventory_item(&self, name: &str, quantity: f64, price: &str, cost: &str) -> Value {
        let (asset, cogs, income) = self.item_accounts().await;
        let body = json!({
            "name": name, "assetAccountId": asset, "cogsAccountId": cogs, "incomeAccountId": income,
            "quantityOnHand": quantity, "salesPrice": price, "purchaseCost": cost,
        });
        self.create("inventory-items", body).await
    }

    /// The asset, cost-of-goods and income accounts an inventory item needs.
    pub async fn item_accounts(&self) -> (Value, Value, Value) {
        (
            self.account("Inventory Asset", "other_current_asset").await,
            self.account("Cost of Goods Sold", "cost_of_goods_sold").await,
            self.account("Sales", "income").await,
        )
    }

    /// A service item sold at `price`, posting to an income account, with
    /// `more` fields.
    pub async fn service_item(&self, name: &str, price: &str, more: Value) -> Value {
        let income = self.account("Service Income", "income").await;
        let body = json!({"name": name, "salesOrPurchaseDetails": {"price": price, "postingAccountId": income}});
        self.create("service-items", merged(body, more)).await
    }
}

/// `base` with the fields of `more`.
pub fn merged(mut base: Value, more: Value) -> Value {
    if let (Value::Object(base), Value::Object(more)) = (&mut base, more) {
        base.extend(more);
    }
    base
}

/// A refusal as the client reports it: HTTP status, Conductor's code,
/// QuickBooks' error number (empty when Conductor refused), and the
/// message.
pub fn refusal(error: &Error) -> (u16, String, String, String) {
    let details = error.as_api_error().and_then(|api| api.details());
    (
        error.status().map_or(0, |status| status.as_u16()),
        error.code().unwrap_or_default().to_owned(),
        details.and_then(|d| d.integration_code.clone()).unwrap_or_default(),
        details.map(|d| d.message.clone()).unwrap_or_default(),
    )
}
