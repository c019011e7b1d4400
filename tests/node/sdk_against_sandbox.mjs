// Conductor's official Node SDK, unchanged, against the standalone sandbox:
// the server speaks Conductor's wire protocol, not only this crate's.
// Reads CONDUCTOR_BASE_URL, CONDUCTOR_SECRET_KEY and CONDUCTOR_END_USER_ID
// (an end-user seeded with invoices) and prints one JSON line of what it saw.
import Conductor from 'conductor-node';

function check(condition, what) {
  if (!condition) throw new Error(`failed: ${what}`);
}

const conductor = new Conductor({ maxRetries: 0 }); // key and base URL from the environment

// An end-user, created and listed.
const user = await conductor.endUsers.create({ companyName: 'Node Co', sourceId: 'node-sdk-1', email: 'node@example.com' });
check(user.id.startsWith('end_usr_') && user.companyName === 'Node Co', 'the created end-user');
const users = await conductor.endUsers.list();
check(users.data.some((u) => u.id === user.id), 'the end-user is listed');

// A customer, an item, and an invoice for them.
const customer = await conductor.qbd.customers.create({ conductorEndUserId: user.id, name: 'Node Customer' });
check(customer.name === 'Node Customer' && customer.objectType === 'qbd_customer', 'the created customer');
const income = await conductor.qbd.accounts.create({ conductorEndUserId: user.id, name: 'Node Income', accountType: 'income' });
const item = await conductor.qbd.serviceItems.create({
  conductorEndUserId: user.id,
  name: 'Node Hours',
  salesOrPurchaseDetails: { postingAccountId: income.id },
});
const invoice = await conductor.qbd.invoices.create({
  conductorEndUserId: user.id,
  customerId: customer.id,
  transactionDate: '2024-10-01',
  lines: [{ itemId: item.id, quantity: 2, rate: '50.00' }],
});
check(invoice.customer.id === customer.id && invoice.lines.length === 1, 'the created invoice');
check(invoice.balanceRemaining === '100.00' && invoice.isPaid === false, `an open invoice, got ${invoice.balanceRemaining}`);

// An invoice with sales tax: 8.25% of the taxed 200.00, read back with its
// total.
const taxCode = await conductor.qbd.salesTaxCodes.create({ conductorEndUserId: user.id, name: 'Tax', isTaxable: true });
const agency = await conductor.qbd.vendors.create({ conductorEndUserId: user.id, name: 'Node Tax Board' });
const taxItem = await conductor.qbd.salesTaxItems.create({
  conductorEndUserId: user.id,
  name: 'Node State',
  taxRate: '8.25',
  taxVendorId: agency.id,
});
const taxedItem = await conductor.qbd.serviceItems.create({
  conductorEndUserId: user.id,
  name: 'Node Design',
  salesTaxCodeId: taxCode.id,
  salesOrPurchaseDetails: { postingAccountId: income.id, price: '200.00' },
});
const taxed = await conductor.qbd.invoices.create({
  conductorEndUserId: user.id,
  customerId: customer.id,
  transactionDate: '2024-10-02',
  salesTaxItemId: taxItem.id,
  lines: [{ itemId: taxedItem.id }],
});
const taxedBack = await conductor.qbd.invoices.retrieve(taxed.id, { conductorEndUserId: user.id });

// QuickBooks' refusal of an item that does not exist, as Conductor sends it.
let refused = null;
try {
  await conductor.qbd.invoices.create({
    conductorEndUserId: user.id,
    customerId: customer.id,
    transactionDate: '2024-10-01',
    lines: [{ itemId: '80000099-1234567890', amount: '1.00' }],
  });
} catch (error) {
  refused = error;
}

// The invoice paid, and read back as paid, with the customer's balance.
await conductor.qbd.receivePayments.create({
  conductorEndUserId: user.id,
  customerId: customer.id,
  transactionDate: '2024-10-15',
  totalAmount: '100.00',
  applyToTransactions: [{ transactionId: invoice.id, paymentAmount: '100.00' }],
});
const paid = await conductor.qbd.invoices.retrieve(invoice.id, { conductorEndUserId: user.id });
const owing = await conductor.qbd.customers.retrieve(customer.id, { conductorEndUserId: user.id });

// The SDK's auto-pagination across pages of the seeded end-user's invoices.
const seeded = process.env.CONDUCTOR_END_USER_ID;
let page = await conductor.qbd.invoices.list({ conductorEndUserId: seeded, limit: 40 });
const pageSizes = [page.data.length];
while (page.hasNextPage()) {
  page = await page.getNextPage();
  pageSizes.push(page.data.length);
}
const ids = new Set();
for await (const listed of conductor.qbd.invoices.list({ conductorEndUserId: seeded, limit: 40 })) ids.add(listed.id);

// A 404 with Conductor's error body.
let notFound = null;
try {
  await conductor.endUsers.retrieve('end_usr_missing0');
} catch (error) {
  notFound = error;
}
check(notFound instanceof Conductor.NotFoundError, `a NotFoundError, got ${notFound}`);

console.log(JSON.stringify({
  endUser: user.id,
  invoiceCustomer: invoice.customer.id === customer.id,
  paid: { isPaid: paid.isPaid, balanceRemaining: paid.balanceRemaining, appliedAmount: paid.appliedAmount, customerBalance: owing.balance },
  taxed: { subtotal: taxedBack.subtotal, salesTaxPercentage: taxedBack.salesTaxPercentage, salesTaxTotal: taxedBack.salesTaxTotal, balanceRemaining: taxedBack.balanceRemaining },
  refused: { status: refused?.status, code: refused?.error?.error?.code, integrationCode: refused?.error?.error?.integrationCode },
  pageSizes,
  autoPaginated: ids.size,
  notFound: { status: notFound.status, code: notFound.error?.error?.code, requestId: notFound.headers?.['conductor-request-id'] ?? null },
}));
