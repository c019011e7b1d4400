//! What the sync asks Conductor: a resource's records (changed since a
//! time, or all of them, or by id), and the deletions QuickBooks lists.
//! Every endpoint is declared with `#[api]`, as a user would declare one.

use conductor::{CursorPage, CursorStream, Result, Transport, api};
use serde::Serialize;
use serde_json::Value;

/// The query of a list: only what is set is sent.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) updated_after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) updated_before: Option<String>,
    /// `all`: lists answer only active records by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ids: Option<Vec<String>>,
    /// `true` where the list takes it: without it, `linkedTransactions` is
    /// left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) include_linked_transactions: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cursor: Option<String>,
}

/// The query of a list of deletions.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeletedQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) transaction_types: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) object_types: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) deleted_after: Option<String>,
}

/// Any QuickBooks Desktop list, its records as JSON.
pub(crate) trait Lists: Transport {
    /// A page of a list read with cursors (`list_pages_all` reads them all).
    #[api(get = "/quickbooks-desktop/{resource}", pages_of = Value)]
    async fn list_pages(
        &self,
        resource: &str,
        #[query] query: &ListQuery,
        #[header("Conductor-End-User-Id")] end_user: &str,
    ) -> Result<CursorPage<Value>>;

    /// A list answered whole.
    #[api(get = "/quickbooks-desktop/{resource}", list_of = Value)]
    async fn list_whole(
        &self,
        resource: &str,
        #[query] query: &ListQuery,
        #[header("Conductor-End-User-Id")] end_user: &str,
    ) -> Result<Vec<Value>>;

    /// The transactions deleted in the last 90 days.
    #[api(get = "/quickbooks-desktop/deleted-transactions", list_of = Value)]
    async fn deleted_transactions(
        &self,
        #[query] query: &DeletedQuery,
        #[header("Conductor-End-User-Id")] end_user: &str,
    ) -> Result<Vec<Value>>;

    /// The list objects deleted in the last 90 days.
    #[api(get = "/quickbooks-desktop/deleted-list-objects", list_of = Value)]
    async fn deleted_list_objects(
        &self,
        #[query] query: &DeletedQuery,
        #[header("Conductor-End-User-Id")] end_user: &str,
    ) -> Result<Vec<Value>>;
}

impl Lists for conductor::Client {}

impl ListQuery {
    /// A query of `resource` for its records whole: every status, and their
    /// linked transactions.
    pub(crate) fn of(resource: &crate::schema::Resource) -> ListQuery {
        ListQuery {
            status: resource.status.then_some("all"),
            include_linked_transactions: resource.linked.then_some(true),
            ..ListQuery::default()
        }
    }
}

/// Every record of a paged list, page after page.
pub(crate) fn pages(
    client: &conductor::Client,
    resource: &str,
    query: ListQuery,
    end_user: &str,
) -> CursorStream<Value> {
    client.list_pages_all(resource, query, end_user)
}
