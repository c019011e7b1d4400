impl Widgets {
    fn delete(
        &self,
        id: &str,
    ) -> impl ::core::future::Future<
        Output = Result<Response<Deleted>>,
    > + ::core::marker::Send {
        let mut __request = ::conductor::__private::RequestBuilder::new(
            ::conductor::__private::Method::DELETE,
            "/widgets/{id}",
        );
        __request.path_literal("/widgets/");
        __request.path_param("id", &id);
        ::conductor::__private::send_json::<Self, _>(self, __request)
    }
}
