impl Widgets {
    fn search(
        &self,
        query: &Query,
        max: Option<u32>,
    ) -> impl ::core::future::Future<
        Output = Result<Vec<Widget>>,
    > + ::core::marker::Send {
        let mut __request = ::conductor::__private::RequestBuilder::new(
            ::conductor::__private::Method::GET,
            "/widgets",
        );
        __request.path_literal("/widgets");
        __request.query("query", &query);
        __request.query("limit", &max);
        ::conductor::__private::send_list::<Self, Widget, _>(self, __request)
    }
}
