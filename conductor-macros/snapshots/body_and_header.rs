impl Widgets {
    fn create(
        &self,
        body: &NewWidget,
        key: &str,
    ) -> impl ::core::future::Future<Output = Result<Widget>> + ::core::marker::Send {
        let mut __request = ::conductor::__private::RequestBuilder::new(
            ::conductor::__private::Method::POST,
            "/widgets",
        );
        __request.path_literal("/widgets");
        __request.json_body(&body);
        __request
            .header(
                ::conductor::__private::HeaderName::from_static("idempotency-key"),
                &key,
            );
        ::conductor::__private::send_json::<Self, _>(self, __request)
    }
}
