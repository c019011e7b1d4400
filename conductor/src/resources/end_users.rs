//! End-users: your customers, each with their own QuickBooks Desktop
//! connection.

use serde::{Deserialize, Serialize};

use crate::fixed::{Fixed, fixed_values};
use crate::resources::resource_handle;
use crate::string_enum::string_enum;
use crate::{Client, DateTime, Result, Transport, api};

resource_handle! {
    /// The end-user endpoints: `client.end_users()`.
    EndUsers
}

impl Client {
    /// The end-user endpoints.
    pub fn end_users(&self) -> EndUsers<'_> {
        EndUsers::new(self)
    }
}

impl<T: Transport + ?Sized> EndUsers<'_, T> {
    /// Lists your end-users.
    #[api(get = "/end-users", list_of = EndUser)]
    pub async fn list(&self) -> Result<Vec<EndUser>>;

    /// Creates an end-user.
    ///
    /// ```no_run
    /// # async fn run(client: conductor::Client) -> conductor::Result<()> {
    /// let user = client
    ///     .end_users()
    ///     .create(&conductor::CreateEndUser {
    ///         company_name: "Acme Inc.".into(),
    ///         source_id: "12345678-abcd".into(),
    ///         email: "alice@acme.com".into(),
    ///     })
    ///     .await?;
    /// println!("created {}", user.id);
    /// # Ok(())
    /// # }
    /// ```
    #[api(post = "/end-users")]
    pub async fn create(&self, #[body] params: &CreateEndUser) -> Result<EndUser>;

    /// Retrieves one end-user by id.
    #[api(get = "/end-users/{id}")]
    pub async fn retrieve(&self, id: &str) -> Result<EndUser>;

    /// Permanently deletes an end-user and all of its integration
    /// connections, and returns the confirmation.
    #[api(delete = "/end-users/{id}")]
    pub async fn delete(&self, id: &str) -> Result<EndUserDeleted>;

    /// Sends a request in the integration's own format (for QuickBooks
    /// Desktop, QBXML as JSON) straight to the end-user's integration, and
    /// returns its answer as JSON.
    #[api(post = "/end-users/{id}/passthrough/{integration_slug}")]
    pub async fn passthrough<B: Serialize + ?Sized>(
        &self,
        id: &str,
        integration_slug: &IntegrationSlug,
        #[body] payload: &B,
    ) -> Result<serde_json::Value>;
}

fixed_values! {
    ObjectTypeEndUser = "end_user",
    ObjectTypeIntegrationConnection = "integration_connection",
}

/// An end-user: one of your customers, identified by the `id` you store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EndUser {
    /// Always `"end_user"` ([`Self::OBJECT_TYPE`]): written when serialized,
    /// and any other value refused when decoded.
    #[serde(default)]
    object_type: Fixed<ObjectTypeEndUser>,
    /// The unique identifier for this end-user, such as
    /// `end_usr_1234567abcdefg`. Save it: it is how you address this user's
    /// requests.
    pub id: String,
    /// When this end-user was created.
    pub created_at: DateTime,
    /// The end-user's company name, shown elsewhere in Conductor.
    pub company_name: String,
    /// The end-user's identifier in your system.
    pub source_id: String,
    /// The end-user's email address.
    pub email: String,
    /// The end-user's integration connections.
    pub integration_connections: Vec<IntegrationConnection>,
}

impl EndUser {
    /// The `objectType` of every end-user.
    pub const OBJECT_TYPE: &'static str = "end_user";
}

/// A connection between an end-user and an integration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IntegrationConnection {
    /// Always `"integration_connection"` ([`Self::OBJECT_TYPE`]): written
    /// when serialized, and any other value refused when decoded.
    #[serde(default)]
    object_type: Fixed<ObjectTypeIntegrationConnection>,
    /// The unique identifier for this connection, such as
    /// `int_conn_1234567abcdefg`.
    pub id: String,
    /// When this connection was created.
    pub created_at: DateTime,
    /// The integration this connection is for.
    pub integration_slug: IntegrationSlug,
    /// When you last sent a request through this connection.
    pub last_request_at: Option<DateTime>,
    /// When a request through this connection last succeeded end to end.
    pub last_successful_request_at: Option<DateTime>,
}

impl IntegrationConnection {
    /// The `objectType` of every integration connection.
    pub const OBJECT_TYPE: &'static str = "integration_connection";
}

string_enum! {
    /// A third-party platform Conductor integrates with.
    pub enum IntegrationSlug {
        /// QuickBooks Desktop.
        QuickbooksDesktop = "quickbooks_desktop",
    }
}

/// The fields of a new end-user; all are required.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateEndUser {
    /// The end-user's company name, shown elsewhere in Conductor.
    pub company_name: String,
    /// The end-user's unique identifier in your system.
    pub source_id: String,
    /// The end-user's email address; Conductor sends it no email.
    pub email: String,
}

/// Confirms that an end-user was deleted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EndUserDeleted {
    /// Always `"end_user"` ([`EndUser::OBJECT_TYPE`]): written when
    /// serialized, and any other value refused when decoded.
    #[serde(default)]
    object_type: Fixed<ObjectTypeEndUser>,
    /// The id of the deleted end-user.
    pub id: String,
    /// Whether the end-user was deleted.
    pub deleted: bool,
}
