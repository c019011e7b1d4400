impl Widgets {
    /// Retrieves an end-user.
    ///
    /// `GET /end-users/{id}`
    pub fn retrieve(
        &self,
        id: &str,
    ) -> impl ::core::future::Future<Output = Result<EndUser>> + ::core::marker::Send {
        let mut __request = ::conductor::__private::RequestBuilder::new(
            ::conductor::__private::Method::GET,
            "/end-users/{id}",
        );
        __request.path_literal("/end-users/");
        __request.path_param("id", &id);
        ::conductor::__private::send_json::<Self, _>(self, __request)
    }
}
