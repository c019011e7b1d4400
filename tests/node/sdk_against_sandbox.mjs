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

// A customer, and an invoice for it.
const customer = await conductor.qbd.customers.create({ conductorEndUserId: user.id, name: 'Node Customer' });
check(customer.name === 'Node Customer' && customer.objectType === 'qbd_customer', 'the created customer');
const invoice = await conductor.qbd.invoices.create({
  conductorEndUserId: user.id,
  customerId: customer.id,
  transactionDate: '2024-10-01',
  lines: [{ itemId: '80000010-1234567890', quantity: 2, rate: '50.00' }],
});
check(invoice.customer.id === customer.id && invoice.lines.length === 1, 'the created invoice');

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
  pageSizes,
  autoPaginated: ids.size,
  notFound: { status: notFound.status, code: notFound.error?.error?.code, requestId: notFound.headers?.['conductor-request-id'] ?? null },
}));
