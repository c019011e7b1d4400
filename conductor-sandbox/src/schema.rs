//! The types of the generated table (`table.rs`): what the description says
//! of each operation (its inputs, as Conductor checks them) and of each
//! type the sandbox answers with (its shape, as the sandbox fills it).
//! Types only: the table is built of them, and the code that reads the
//! table (`catalog`, `api`) imports both, so neither imports the other.

/// What an operation does with the books.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpKind {
    /// A cursor-paginated list.
    Page,
    /// A list returned whole.
    Whole,
    /// A list returned whole in an envelope that says `hasMore: false`.
    WholeWithMore,
    Create,
    Retrieve,
    Update,
    Delete,
    Void,
    /// One value without an id: company, preferences, health check.
    Singleton,
    Report,
}

/// One QuickBooks Desktop operation as the description states it.
#[derive(Debug)]
pub(crate) struct Op {
    pub(crate) method: &'static str,
    /// The path template after `/v1`, such as
    /// `/quickbooks-desktop/invoices/{id}/void`.
    pub(crate) path: &'static str,
    pub(crate) kind: OpKind,
    /// The type answered: a list's item, or the one value.
    pub(crate) record: &'static str,
    /// The type of one record of the resource (`Invoice` for a void too).
    pub(crate) item: &'static str,
    /// Its query parameters, as one object of string values.
    pub(crate) query: Option<&'static Node>,
    /// Its body.
    pub(crate) body: Option<&'static Node>,
    /// The body's references to other records: where each is (`lines.itemId`,
    /// through objects and arrays alike), and the resources its records may
    /// come from (none when the description does not say which).
    pub(crate) references: &'static [(&'static str, &'static [&'static str])],
}

impl Op {
    /// The resource's path segment: `invoices`.
    pub(crate) fn slug(&self) -> &'static str {
        self.path.split('/').nth(2).unwrap_or_default()
    }
}

/// What an input value may be, as the description's schema says.
#[derive(Debug)]
// Today's description has no free or nullable input, nor a URL in one, but
// the generator writes these for one that does.
#[allow(dead_code)]
pub(crate) enum Node {
    /// A string, at most `max_length` characters, in `format`.
    Text {
        max_length: Option<usize>,
        format: Format,
    },
    Integer {
        minimum: Option<i64>,
        maximum: Option<i64>,
    },
    Number,
    Boolean,
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// An array of at least `min_items` items.
    List {
        items: &'static Node,
        min_items: usize,
    },
    /// An object of these members; `closed` when it may have no others.
    Object {
        members: &'static [Member],
        closed: bool,
        min_members: usize,
    },
    /// Anything.
    Any,
    /// `null`, or the node.
    Nullable(&'static Node),
}

/// A member of an object node.
#[derive(Debug)]
pub(crate) struct Member {
    pub(crate) name: &'static str,
    pub(crate) node: &'static Node,
    pub(crate) required: bool,
    /// The value it has when it is not given, as the description states
    /// it, as JSON.
    pub(crate) default: Option<&'static str>,
}

/// What a string holds, as the description states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)]
pub(crate) enum Format {
    Plain,
    /// `YYYY-MM-DD`.
    Date,
    /// A timestamp: with an offset, a local date and time, or a date.
    DateTime,
    /// A GUID.
    Uuid,
    Uri,
    /// Money: up to 13 digits before the decimal point, and exactly 2
    /// after it when there are cents.
    Money,
    /// A price or rate: up to 10 digits before the decimal point and 5
    /// after it.
    Price,
    /// Any decimal string.
    Decimal,
}

/// One type the sandbox answers with: its fields and the fields the
/// description fixes.
#[derive(Debug)]
pub(crate) struct Shape {
    pub(crate) name: &'static str,
    /// Fields with one possible value, such as `objectType`.
    pub(crate) consts: &'static [(&'static str, &'static str)],
    pub(crate) fields: &'static [Field],
}

/// A field of a [`Shape`].
#[derive(Debug)]
pub(crate) struct Field {
    pub(crate) wire: &'static str,
    pub(crate) kind: Kind,
    pub(crate) required: bool,
    pub(crate) nullable: bool,
    /// The description's example, as JSON, for a required field that is
    /// never null: what a record gets when nothing else says.
    pub(crate) example: Option<&'static str>,
}

/// The type of a [`Field`].
#[derive(Debug)]
// No response of today's description holds free JSON, but the generator
// writes these for one that does.
#[allow(dead_code)]
pub(crate) enum Kind {
    Str,
    /// A decimal string.
    Amount,
    /// `YYYY-MM-DD`.
    Date,
    /// An ISO 8601 timestamp with an offset.
    DateTime,
    Int,
    Float,
    Bool,
    Json,
    Map,
    Enum(&'static [&'static str]),
    Vec(&'static Kind),
    Struct(&'static str),
    /// Objects told apart by the value of one field: the field, then each
    /// value with its shape.
    Union(&'static str, &'static [(&'static str, &'static str)]),
}
