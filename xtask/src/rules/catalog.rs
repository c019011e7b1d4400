//! How the sandbox answers each rule the description states.

/// What the sandbox does with a statement.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Verdict {
    /// The sandbox keeps the rule; the test that shows it.
    Kept { rule: &'static str, test: &'static str },
    /// Not kept yet; the README's table says so, and why.
    Left { rule: &'static str, why: &'static str },
    /// The statement states no rule a fake of the API could keep.
    Describes { why: &'static str },
}

/// One judgement: the statements it covers (a regular expression on their
/// text), and its verdict.
pub(crate) struct Entry {
    pub(crate) pattern: &'static str,
    pub(crate) verdict: Verdict,
}

pub(crate) const CATALOG: &[Entry] = &[];
