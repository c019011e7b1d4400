//! What the generated table (`tables.rs`) describes: each resource the sync
//! keeps, its columns and its tables of lines.

use crate::tables::RESOURCES;

/// A list resource of QuickBooks Desktop and its table.
#[derive(Debug)]
pub(crate) struct Resource {
    /// Its path segment: `invoices`.
    pub(crate) name: &'static str,
    /// Its list's path: `/quickbooks-desktop/invoices`.
    #[allow(dead_code, reason = "kept beside the name it is read by")]
    pub(crate) path: &'static str,
    /// Its table: `invoices`.
    pub(crate) table: &'static str,
    /// Its records' `objectType` without `qbd_`: `invoice`.
    #[allow(dead_code, reason = "kept beside the table it names")]
    pub(crate) object_type: &'static str,
    /// Whether its records are transactions.
    pub(crate) transaction: bool,
    /// Whether its list is read in pages, with cursors.
    pub(crate) pages: bool,
    /// Whether its list takes `updatedAfter` (and `updatedBefore`).
    pub(crate) updated_after: bool,
    /// Whether its list takes `status` (active only by default).
    pub(crate) status: bool,
    /// Whether its list takes `ids`.
    pub(crate) ids: bool,
    /// Whether its list takes `includeLinkedTransactions` (and leaves
    /// `linkedTransactions` empty without it).
    pub(crate) linked: bool,
    /// How its deletions are listed.
    pub(crate) deleted: Deleted,
    /// The columns of its table, besides the sync's own.
    pub(crate) columns: &'static [Column],
    /// Its tables of lines.
    pub(crate) lines: &'static [Lines],
}

/// Where QuickBooks lists the deletions of a resource's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Deleted {
    /// In `/deleted-transactions`, under this `transactionType`.
    Transaction(&'static str),
    /// In `/deleted-list-objects`, under this `listType`.
    ListObject(&'static str),
    /// Nowhere: deletions are found by reading the whole list.
    Never,
}

/// A table of a transaction's lines: `invoice_lines`.
#[derive(Debug)]
pub(crate) struct Lines {
    pub(crate) table: &'static str,
    /// The record's field holding them: `lines`.
    pub(crate) field: &'static str,
    /// The column naming their transaction: `invoice_id`.
    pub(crate) parent: &'static str,
    pub(crate) columns: &'static [Column],
}

/// A column of a record's field.
#[derive(Debug)]
pub(crate) struct Column {
    pub(crate) name: &'static str,
    /// The record's field it holds.
    pub(crate) field: &'static str,
    pub(crate) ty: Type,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Type {
    Text,
    /// An exact decimal: an amount or a quantity.
    Decimal,
    Date,
    /// A timestamp with its offset.
    Timestamp,
    Bool,
    Integer,
    /// An object or array, as JSON.
    Json,
    /// The `id` of a reference object (`customer` → `customer_id`).
    Reference,
}

/// Every resource the sync keeps, in the order it reads them.
pub(crate) fn resources() -> &'static [Resource] {
    RESOURCES
}

/// The resource named `name` (its path segment).
pub(crate) fn resource(name: &str) -> Option<&'static Resource> {
    RESOURCES.iter().find(|resource| resource.name == name)
}

/// The names of every resource the sync can keep: `accounts`, `bills`, ...
pub fn resource_names() -> impl Iterator<Item = &'static str> {
    RESOURCES.iter().map(|resource| resource.name)
}
