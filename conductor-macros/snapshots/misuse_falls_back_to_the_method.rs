impl Widgets {
    ::core::compile_error! {
        "unknown key `lst_of` in #[api]; did you mean `list_of`?"
    }
    ::core::compile_error! {
        "the path must begin with `/`: write \"/widgets\""
    }
    ::core::compile_error! {
        "argument `unused` is used nowhere: put `{unused}` in the path, or mark it #[query], #[body] or #[header(\"Name\")]"
    }
    #[allow(unused_variables)]
    async fn list(&self, unused: &str) -> Result<Vec<Widget>> {
        ::core::unimplemented!()
    }
}
