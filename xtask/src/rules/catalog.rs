//! How the sandbox answers each rule the description states: one entry per
//! kind of statement, matched by a regular expression on its text, in
//! order (the first that matches judges it).

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

const fn kept(pattern: &'static str, rule: &'static str, test: &'static str) -> Entry {
    Entry { pattern, verdict: Verdict::Kept { rule, test } }
}

const fn left(pattern: &'static str, rule: &'static str, why: &'static str) -> Entry {
    Entry { pattern, verdict: Verdict::Left { rule, why } }
}

const fn describes(pattern: &'static str, why: &'static str) -> Entry {
    Entry { pattern, verdict: Verdict::Describes { why } }
}

pub(crate) const CATALOG: &[Entry] = &[
    // Conductor's checks of a request, from the schema.
    kept(
        r"^Maximum length: \d+ characters\.$",
        "A string is at most its maximum length (Conductor's 400)",
        "conductor_refuses_a_body_the_description_does_not_allow",
    ),
    kept(
        r"^Decimal string format:",
        "Amounts and prices are decimal strings of the stated format (Conductor's 400)",
        "decimal_strings_follow_the_descriptions_formats",
    ),
    kept(r"must be formatted as a valid GUID", "A GUID field holds a GUID (Conductor's 400)", "formats_and_lengths"),
    kept(
        r"you cannot also use `\w+` or `\w+`|Choose only one \w+ filter per request|You can only use one total-balance filter|Choose either `\w+` or `\w+`/`\w+`|Do not use `itemType` together|only supports `itemType` or item/site filters",
        "Filters that may not be used together are refused (Conductor's 400)",
        "filters_that_exclude_each_other_are_refused",
    ),
    kept(
        r"either `salesOrPurchaseDetails` or `salesAndPurchaseDetails`|either `salesAndPurchaseDetails` or `salesOrPurchaseDetails`|cannot specify both `sales\w+` and `sales\w+`|will have either `salesAndPurchaseDetails` or `salesOrPurchaseDetails`",
        "An item has one of its two configurations, never both (Conductor's 400)",
        "the_descriptions_rules_of_one_kind_of_record_are_kept",
    ),
    kept(
        r"^Only one of `rate` and `ratePercent` can be set\.$",
        "A line has a rate or a rate percentage, never both (Conductor's 400)",
        "the_descriptions_rules_of_one_kind_of_record_are_kept",
    ),
    kept(
        r"You must specify either `isAutoApply` or `applyToTransactions` when creating a receive-payment, but never both",
        "A received payment is auto-applied or applied, never both (Conductor's 400)",
        "a_payments_applications_follow_the_descriptions_rules",
    ),
    kept(
        r"immutable and can only be set during|can only be linked when creating|can only be done during item receipt creation|link can't be added later with an update|does not let this update request add new purchase order links|cannot be changed after the employee is created",
        "What is set only at creation cannot be sent in an update (Conductor's 400: the update has no such field)",
        "the_descriptions_rules_of_one_kind_of_record_are_kept",
    ),
    kept(
        r"^This field cannot be cleared\.$",
        "A field that cannot be cleared takes no null",
        "the_descriptions_rules_of_one_kind_of_record_are_kept",
    ),
    kept(
        r"^To change the `quantityOnHand` for an inventory (assembly )?item, you must use an inventory-adjustment",
        "An item's quantity on hand changes only by transactions (an update has no `quantityOnHand`)",
        "an_update_cannot_write_what_quickbooks_computes",
    ),
    kept(
        r"^Must be at least 15 minutes and no more than 7 days\.$",
        "An auth session's link lives 15 minutes to 7 days",
        "end_users_and_auth_sessions",
    ),
    kept(r"^Must be unique for each user\.$", "An end-user's `sourceId` is unique", "end_users_and_auth_sessions"),
    // Lists and their filters.
    kept(
        r"If you include this parameter, QuickBooks will ignore all other query parameters",
        "`ids`, `fullNames`, `names` and `refNumbers` make QuickBooks ignore the other filters",
        "full_names_ignore_other_filters_and_lists_are_active_by_default",
    ),
    kept(
        r"If any of the values you specify in this parameter are not found, the request will return an error",
        "A filter naming what does not exist refuses the whole query",
        "a_filter_naming_what_does_not_exist_refuses_the_whole_query",
    ),
    kept(
        r"date-only\*\* \(YYYY-MM-DD\) - QuickBooks Desktop interprets the date as the \*\*(start|end) of the specified day|interprets this date as the \*\*(start|end) of the specified day",
        "A date filter is the start (or end) of its day in the company file's time",
        "time_filters_take_three_forms",
    ),
    kept(
        r"^Uses a numerical comparison for values that contain only digits",
        "Ranges compare digits as numbers, other text as text",
        "ranges_compare_numbers_as_numbers",
    ),
    kept(
        r"Do not include this parameter on the first call|`nextCursor` value remains constant",
        "A list has one cursor, the same on every page; a cursor it did not issue is refused",
        "a_list_has_one_cursor_that_expires",
    ),
    kept(
        r"does not support (cursor-based )?pagination for|limit the response size, but you cannot fetch subsequent results",
        "Lists QuickBooks does not paginate are answered whole, up to `limit`",
        "lists_without_cursors_and_the_transactions_list_follow_the_description",
    ),
    kept(
        r"you must also specify the parameter `includeLinkedTransactions=true`|You must specify the parameter `includeLinkedTransactions` when fetching",
        "Lists show `linkedTransactions` only with `includeLinkedTransactions=true`",
        "line_items_and_linked_transactions_shape_records",
    ),
    kept(
        r"You cannot supply the ID of a time tracking activity to this request|This endpoint does not support time tracking activities|Filtering for time tracking activities is not supported",
        "`/transactions` lists no time-tracking activity, and refuses one named by id",
        "lists_without_cursors_and_the_transactions_list_follow_the_description",
    ),
    kept(
        r"this endpoint only returns fields common to all transaction types|only has fields common to all transaction types",
        "`/transactions` shows the fields common to every transaction, following its record",
        "transactions_show_what_their_records_say",
    ),
    // QuickBooks' rules on a write.
    kept(
        r"When updating this object, you must provide the most recent `revisionNumber`",
        "An update names the current revision (3200)",
        "a_stale_revision_number_is_refused_with_3200",
    ),
    kept(
        r"is not required to be unique and can be arbitrarily changed|ref-numbers are not required to be unique",
        "Reference numbers may repeat; a blank one stays blank",
        "a_blank_ref_number_stays_blank_and_duplicates_are_accepted",
    ),
    kept(
        r"do not have a `fullName` field because they are not hierarchical objects|Unlike `name`, `fullName` is guaranteed to be unique",
        "Names are unique in their name space, by full name where records nest (3100)",
        "names_are_unique_in_their_name_space_whatever_their_case",
    ),
    kept(
        r"If this object is a job \(i\.e\., a sub-customer\), this value would likely be the job's `name` prefixed",
        "A job's full name is its parent's, a colon, and its name",
        "a_child_is_parent_colon_child_one_level_down_and_follows_a_rename",
    ),
    kept(
        r"You must specify `lines`, `lineGroups`, or both when creating",
        "A transaction has lines (3180)",
        "a_transaction_without_lines_is_refused_as_quickbooks_does",
    ),
    kept(
        r"replaces each included line list|replaces that line list|you must include them in this array even if they have not changed|omit this field entirely to keep them unchanged|Set this field to `-1` for new|QuickBooks will automatically delete any existing lines that are not included|you must include ALL existing journal lines",
        "An update's line list replaces the lines: a line named by id is changed, a `-1` line added, a line left out removed",
        "an_update_replaces_lines_by_id",
    ),
    kept(
        r"you must specify either `paymentAmount`, `applyCredits`, `discountAmount`|Each bill allocation must (supply|include) a payment amount|All allocations must target the same accounts receivable account",
        "Each application of a payment says what it applies, no amount negative (3180); A/R and A/P accounts are not tracked, so not compared",
        "a_payments_applications_follow_the_descriptions_rules",
    ),
    kept(
        r"sum of the `paymentAmount` amounts in the `applyToTransactions` array cannot exceed the `totalAmount`",
        "A payment applies no more than it is, whatever its applications and updates (3180)",
        "applications_are_checked_as_a_whole_and_never_negative",
    ),
    kept(
        r"This vendor must match the `vendor` on the bill",
        "A payment pays its own payer's transactions (3140)",
        "a_payments_applications_follow_the_descriptions_rules",
    ),
    kept(
        r"The target (bill|invoice) must have `isPaid=false`",
        "A paid invoice or bill takes no more payments: QuickBooks does not find it (3140)",
        "the_descriptions_rules_of_one_kind_of_record_are_kept",
    ),
    kept(
        r"When `true`, QuickBooks applies `totalAmount` to any outstanding transaction that exactly matches",
        "`isAutoApply` pays the invoice of exactly that amount, else the oldest",
        "a_payments_applications_follow_the_descriptions_rules",
    ),
    kept(
        r"For credit-only applications with no received payment amount, update the invoice using this field",
        "An invoice applies credits to itself",
        "an_invoice_applies_credits_to_itself",
    ),
    kept(
        r"refund amount cannot exceed the available balance|`refundAmount` for each linked credit cannot exceed",
        "A refund uses no more of a credit than is left (3180)",
        "a_refund_uses_a_credit_and_never_more_than_is_left",
    ),
    kept(
        r"If the parent transaction is a bill or an item receipt, you can only link to purchase orders|For invoice lines, you can only link to sales orders",
        "Bills and item receipts link purchase orders only, invoice lines sales orders only (3140)",
        "a_purchase_order_is_received_then_billed",
    ),
    kept(
        r"this only links to a single transaction line item|links entire transactions, not individual transaction lines",
        "A line links to one line of an order; `linkToTransactionIds` pulls in an order's open lines",
        "a_sales_order_is_invoiced_in_two_parts",
    ),
    kept(
        r"If you use `linkToTransactionLine` on this \w+ line, you cannot use the field `item`",
        "A line linked to an order's line names no item of its own (3180)",
        "the_descriptions_rules_of_one_kind_of_record_are_kept",
    ),
    kept(
        r"If a non-zero `taxRate` is specified, then",
        "A sales-tax item with a rate names its agency (3180)",
        "the_descriptions_rules_of_one_kind_of_record_are_kept",
    ),
    kept(
        r"You cannot create an account of type `non_posting` through the API",
        "No non-posting account is created (3180)",
        "the_descriptions_rules_of_one_kind_of_record_are_kept",
    ),
    kept(
        r"If `totalValue` is provided, `quantityOnHand` must also be provided",
        "A total value needs a quantity on hand above zero (3180)",
        "the_descriptions_rules_of_one_kind_of_record_are_kept",
    ),
    kept(
        r"^Once you create the price level, you cannot change this\.$",
        "A price level's fixed percentage stays what it was created with (3180)",
        "the_descriptions_rules_of_one_kind_of_record_are_kept",
    ),
    kept(
        r"requires total debits to equal total credits|this field must refer to a (customer|vendor)",
        "A journal entry balances, and its receivable and payable lines name a customer or vendor (3180)",
        "a_journal_entry_balances_names_who_it_is_for_and_moves_their_balance",
    ),
    // QuickBooks' arithmetic.
    kept(
        r"A percentage discount only applies to the line immediately above it|discounts can only be applied to the line directly above them|Items must be subtotaled first because discounts only affect the preceding line|Percentage discounts only affect the preceding line",
        "A percentage discount takes its part of the line above; a subtotal adds the lines above it",
        "discounts_and_subtotals_are_worked_out_as_quickbooks_does",
    ),
    kept(
        r"which only indicates general taxability, this field drives the actual tax calculation",
        "Sales tax is the tax item's rate on the lines whose codes tax",
        "sales_tax_is_worked_out_from_items_codes_and_the_customer",
    ),
    kept(
        r"will not show this price level, only the final `rate`|will not show the price level itself, only the final `rate`",
        "A price level sets a line's rate, and the line shows the rate",
        "a_line_is_priced_from_its_item_and_the_customers_price_level",
    ),
    kept(
        r"\*\*IMPORTANT\*\*: By default, QuickBooks will not return any information about the linked transaction",
        "Links are kept when a transaction is written and read back with its record (the real create answers in `created/bills.json` carry them too)",
        "an_invoice_applies_credits_to_itself",
    ),
    // Not kept yet.
    left(
        r"Must be a valid unit within the item's available units of measure|Must correspond to the base unit or a related unit|single unit of measure per item, the base unit is the only unit",
        "A line's unit of measure is one of its item's",
        "units of measure are stored as sent and not checked",
    ),
    left(
        r"Do not use this field if the associated item( group)? is a discount item|Never specify a quantity in a transaction when using a discount item",
        "A discount line has no quantity",
        "QuickBooks' answer to one (an error, or the quantity ignored) is not documented; the sandbox ignores the quantity",
    ),
    left(
        r"this A/[RP] account must match|the A/R account must match the one used in each linked credit",
        "Linked transactions share their A/R or A/P account",
        "transactions' accounts are stored as sent, not compared",
    ),
    left(
        r"as long as they do NOT link to the same transaction|you can use both `linkToTransactionLine`",
        "`linkToTransactionIds` and `linkToTransactionLine` do not name the same order",
        "not checked: the order's open lines would be pulled in twice",
    ),
    left(
        r"only individual tax items \(not tax groups\) can be used|flat rate discount applies to ALL lines recorded above it and distributes",
        "Tax lines take individual tax items only; a flat discount's tax is spread over the lines above it",
        "a group on a tax line is not refused; a flat discount is taxed by its own code",
    ),
    left(
        r"To filter on transaction lines, you must specify the `transactionDetailLevel`|return all matching transaction and transaction-line objects",
        "`/transactions` lists transaction lines with `transactionDetailLevel`",
        "`/transactions` lists transactions only",
    ),
    left(
        r"Must be masked with lower case .x. and no dashes|If specifying this field, you must also specify the `paymentMethod` field|you must specify a credit card payment method",
        "Card data is masked and comes with a card payment method",
        "card data is stored as sent",
    ),
    left(
        r"time tracking|`billingStatus` is set to .billable.|This field is not required if no `customer` is specified|This cannot refer to a customer - use the `customer` field|Although seconds can be specified|ISO 8601 time interval format",
        "Time-tracking activities' rules (billable needs a customer and service item, durations, payroll)",
        "time-tracking activities are stored as sent",
    ),
    left(
        r"You cannot change `isManuallyClosed` to `false`",
        "A fully received purchase order line stays closed",
        "not checked on update",
    ),
    left(
        r"When `true`, then the fields `taxId` and `billingAddress` are required",
        "A 1099 vendor has a tax id and a billing address",
        "not checked",
    ),
    left(
        r"cannot be modified once the sales-tax code has been used",
        "A used sales-tax code keeps its taxability",
        "not checked",
    ),
    left(
        r"If the company uses QuickBooks Payroll for this employee",
        "A payroll employee's address is complete",
        "payroll is not modelled",
    ),
    left(r"earnings records", "An employee's earnings records are replaced as a whole", "earnings are stored as sent"),
    left(
        r"This must match the tax vendor associated with the sales-tax items",
        "A sales-tax payment check pays the agency of its tax items",
        "sales-tax payments are stored as sent",
    ),
    left(
        r"This request cannot modify checks created through the bill-payment workflow",
        "Checks made by bill payments are not changed as checks",
        "not checked",
    ),
    left(
        r"the item must keep the same configuration it was created with|won’t let you convert a sell-only service",
        "An item keeps the configuration it was created with",
        "an update may send the other configuration",
    ),
    left(
        r"For built-in currencies, only the `isActive` status can be changed",
        "Built-in currencies change only their active status",
        "currencies are not told built-in from user-defined",
    ),
    left(
        r"must use either a fixed pricing approach",
        "A per-item price level uses a fixed or a relative price, not both",
        "not checked; relative prices are not applied",
    ),
    left(
        r"If the source payment has multiple depositable lines",
        "A deposit of a payment takes its first line when no line is named",
        "deposits of payments are not linked to the payments",
    ),
    left(
        r"QuickBooks might determine the due date according to the terms",
        "An invoice's due date follows its terms when left out",
        "terms do not set due dates",
    ),
    left(
        r"the target budget must already exist",
        "A budget report names an existing budget",
        "budgets are not modelled; reports other than what is owed have no rows",
    ),
    // Statements of no rule a fake of the API could keep.
    describes(r"^\*\*IMPORTANT\*\*:?$", "a heading; its rules are in the sentences after it"),
    describes(
        r"If you need to fetch multiple specific .* by ID, use the list endpoint",
        "advice to a caller on which endpoint to use",
    ),
    describes(
        r"must be paid, in ISO 8601 format|payment must be received to qualify for the discount",
        "what a date field means",
    ),
    describes(r"^A memo|^The text of this note|note or comment|^A note written", "what a note field means"),
    describes(
        r"only supported on QuickBooks Desktop 2023 or later|only for Australian company files|require QuickBooks Enterprise|personal data access|QuickBooks may reject values that the connected company file's edition does not support|can omit this field in rare cases",
        "what depends on the end-user's QuickBooks edition or settings, which the sandbox does not have",
    ),
    describes(
        r"accountant copy|List items cannot be deleted or merged|New accounts can be added, but existing accounts",
        "accountant copies, which the sandbox's company files never have",
    ),
    describes(
        r"preferences cannot be modified through the API|company information cannot be modified through the API|cannot be changed after the company is created|home currency|multicurrency|US Dollars|This preference is only relevant|a transaction cannot be recorded in the QuickBooks user interface|QuickBooks logs only the most recent version|With `cash` basis|permits creating invoices for only a portion|company file must have unit-of-measure enabled",
        "company preferences, which the API reads but never writes",
    ),
    describes(
        r"Report rows are sparse|subcolumns|default report columns|Use `all` for all rows|This report is useful|preset summary reports|Whether to include all accounts or only accounts in use|This endpoint supports only `custom_",
        "how reports are laid out",
    ),
    describes(
        r"user-defined currencies|For user-defined currencies|exchange rates are never auto-updated",
        "how currencies are kept",
    ),
    describes(
        r"You must save this value to your database|If you have only one user|error\.message|Use passthrough only when",
        "advice to a caller of Conductor",
    ),
    describes(
        r"Details for .* items that are exclusively sold or exclusively purchased|For private custom fields that are only visible to the application|The commercial card code|For checks, this field is the check number|A journal entry is a direct way|QuickBooks uses this request for direct expense disbursements|Updates an existing vendor bill|The override applies only to this specific line|Changing the base unit requires|this field is often `null` because sales receipts|The number of units of this item site required|The current balance of this account only|Available credits can still be returned|owners/partners|The new value does _not_ have to equal|NOTE: For deleted non-transaction list-objects|When `true`, creates a .change order.|The response automatically includes any linked transactions|Two rare QuickBooks Desktop behaviors|If you cannot use `/quickbooks-desktop/bills-to-pay`|In each bills-to-pay result|state` field stays enum-constrained|If this request times out or is slow",
        "what a field or endpoint means, or how QuickBooks shows it",
    ),
];
