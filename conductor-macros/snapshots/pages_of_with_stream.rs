impl Widgets {
    /// One page of a shop's widgets.
    ///
    /// `GET /shops/{shop}/widgets`
    pub fn list(
        &self,
        shop: &str,
        params: &WidgetListParams,
    ) -> impl ::core::future::Future<
        Output = Result<CursorPage<Widget>>,
    > + ::core::marker::Send {
        let mut __request = ::conductor::__private::RequestBuilder::new(
            ::conductor::__private::Method::GET,
            "/shops/{shop}/widgets",
        );
        __request.path_literal("/shops/");
        __request.path_param("shop", &shop);
        __request.path_literal("/widgets");
        __request.query("params", &params);
        ::conductor::__private::send_page::<Self, Widget, _>(self, __request)
    }
    /// Every item across the pages of [`list`](Self::list), as a stream: the same request, sent again for each page with only its cursor replaced. The next page is requested while the current one is consumed; at most two decoded pages are held; the stream ends after the first error, which it yields.
    pub fn list_all(
        &self,
        shop: &str,
        params: WidgetListParams,
    ) -> ::conductor::CursorStream<Widget>
    where
        Self: ::conductor::PageTransport,
    {
        let params: &WidgetListParams = &params;
        let mut __request = ::conductor::__private::RequestBuilder::new(
            ::conductor::__private::Method::GET,
            "/shops/{shop}/widgets",
        );
        __request.path_literal("/shops/");
        __request.path_param("shop", &shop);
        __request.path_literal("/widgets");
        __request.query("params", &params);
        ::conductor::__private::page_stream::<Self, Widget>(self, __request)
    }
}
