//! Auth sessions: the link an end-user follows to connect their QuickBooks
//! Desktop.

use serde::{Deserialize, Serialize};

use crate::fixed::{Fixed, fixed_values};
use crate::resources::resource_handle;
use crate::{Client, DateTime, Result, Transport, api};

resource_handle! {
    /// The auth-session endpoints: `client.auth_sessions()`.
    AuthSessions
}

impl Client {
    /// The auth-session endpoints.
    pub fn auth_sessions(&self) -> AuthSessions<'_> {
        AuthSessions::new(self)
    }
}

impl<T: Transport + ?Sized> AuthSessions<'_, T> {
    /// Creates an auth session. Send your end-user to its `auth_flow_url` to
    /// connect their integration.
    ///
    /// ```no_run
    /// # async fn run(client: conductor::Client) -> conductor::Result<()> {
    /// let session = client
    ///     .auth_sessions()
    ///     .create(&conductor::CreateAuthSession::new("pk_live_123", "end_usr_123").link_expiry_mins(60.0))
    ///     .await?;
    /// println!("{}", session.auth_flow_url);
    /// # Ok(())
    /// # }
    /// ```
    #[api(post = "/auth-sessions")]
    pub async fn create(&self, #[body] params: &CreateAuthSession) -> Result<AuthSession>;
}

fixed_values! {
    ObjectTypeAuthSession = "auth_session",
}

/// An auth session: a short-lived link to the authentication flow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AuthSession {
    /// Always `"auth_session"` ([`Self::OBJECT_TYPE`]): written when
    /// serialized, and any other value refused when decoded.
    #[serde(default)]
    object_type: Fixed<ObjectTypeAuthSession>,
    /// The unique identifier for this auth session.
    pub id: String,
    /// When this auth session was created.
    pub created_at: DateTime,
    /// The end-user this session connects.
    pub end_user_id: String,
    /// The secret in `auth_flow_url` that grants access to the flow.
    pub client_secret: String,
    /// The URL to send your end-user to.
    pub auth_flow_url: String,
    /// When this session expires.
    pub expires_at: DateTime,
    /// Where the end-user is sent when done; `None` closes the browser tab.
    pub redirect_url: Option<String>,
}

impl AuthSession {
    /// The `objectType` of every auth session.
    pub const OBJECT_TYPE: &'static str = "auth_session";
}

/// The fields of a new auth session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAuthSession {
    /// Your Conductor publishable key, used to build `auth_flow_url`.
    pub publishable_key: String,
    /// The end-user for whom to create the integration connection.
    pub end_user_id: String,
    /// Minutes until the session expires: at least 15, at most 7 days;
    /// Conductor's default is 30.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_expiry_mins: Option<f64>,
    /// Where to send the end-user when done; by default the tab closes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
}

impl CreateAuthSession {
    /// A session with the required fields.
    pub fn new(publishable_key: impl Into<String>, end_user_id: impl Into<String>) -> Self {
        CreateAuthSession {
            publishable_key: publishable_key.into(),
            end_user_id: end_user_id.into(),
            link_expiry_mins: None,
            redirect_url: None,
        }
    }

    /// Sets `link_expiry_mins`.
    pub fn link_expiry_mins(mut self, minutes: f64) -> Self {
        self.link_expiry_mins = Some(minutes);
        self
    }

    /// Sets `redirect_url`.
    pub fn redirect_url(mut self, url: impl Into<String>) -> Self {
        self.redirect_url = Some(url.into());
        self
    }
}
