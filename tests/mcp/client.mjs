// Drives conductor-mcp through the official MCP TypeScript SDK, over stdio
// or Streamable HTTP, and prints one JSON line of what it saw. The Rust test
// `conductor-mcp/tests/official_clients.rs` starts it and checks the line.
//
//   node client.mjs stdio BINARY [ARGS...]
//   node client.mjs http URL TOKEN
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const [mode, target, ...rest] = process.argv.slice(2);
const transport =
  mode === "stdio"
    ? new StdioClientTransport({ command: target, args: rest, env: { PATH: process.env.PATH }, stderr: "ignore" })
    : new StreamableHTTPClientTransport(new URL(target), {
        requestInit: { headers: { Authorization: `Bearer ${rest[0]}` } },
      });
const client = new Client({ name: "conductor-mcp-test", version: "1.0.0" });
await client.connect(transport);

const text = (result) => JSON.parse(result.content[0].text);
const call = async (name, args) => {
  const result = await client.callTool({ name, arguments: args });
  return { isError: result.isError === true, body: text(result) };
};

const seen = {};
const tools = await client.listTools();
seen.tools = tools.tools.map((tool) => tool.name);
seen.toolsListChars = JSON.stringify(tools).length;

const schema = await call("get_operation_schema", { operation: "qbd.invoices.list" });
seen.schemaHasUpdatedAfter = "updatedAfter" in schema.body.schema.properties;

// Finding the operation that records a payment: the whole table, or a search.
const textOf = async (name, args) => (await client.callTool({ name, arguments: args })).content[0].text;
seen.listOperationsChars = (await textOf("list_operations", {})).length;
const searchText = await textOf("search_operations", { query: "mark an invoice paid" });
seen.searchChars = searchText.length;
seen.searchNames = JSON.parse(searchText).operations.map((operation) => operation.name);
seen.searchFirst = seen.searchNames[0];
seen.paymentSchemaChars = (await textOf("get_operation_schema", { operation: seen.searchFirst })).length;

const users = await call("list_end_users", {});
const endUser = users.body.result.data[0].id;

const filtered = await call("call_operation", {
  operation: "qbd.invoices.list",
  arguments: { limit: 5, refNumbers: ["INV-00003"] },
  fields: ["id", "refNumber"],
});
seen.filtered = filtered.body.result.data;

// Every page of the list, following the cursor; with
// CONDUCTOR_MCP_TEST_WAIT_MS, the agent thinks that long before its second
// page (Conductor's own cursors live 10 seconds).
const waitMs = Number(process.env.CONDUCTOR_MCP_TEST_WAIT_MS ?? 0);
let ids = [];
let cursor;
let pages = 0;
do {
  if (pages === 1 && waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  const args = cursor ? { limit: 15, cursor } : { limit: 15 };
  const page = await call("call_operation", { operation: "qbd.invoices.list", arguments: args, fields: ["id"] });
  ids = ids.concat(page.body.result.data.map((record) => record.id));
  cursor = page.body.result.hasMore ? page.body.result.nextCursor : undefined;
  pages += 1;
} while (cursor);
seen.pages = pages;
seen.paged = ids.length;
seen.pagedUnique = new Set(ids).size;

const write = await call("call_operation", {
  operation: "qbd.customers.create",
  arguments: { name: "Made by an agent" },
  end_user_id: endUser,
});
seen.write = { isError: write.isError, body: write.body };

const wrong = await call("call_operation", { operation: "qbd.invoices.list", arguments: { limit: "many" } });
seen.wrongArgument = { isError: wrong.isError, body: wrong.body };

const started = process.hrtime.bigint();
await call("call_operation", { operation: "qbd.invoices.retrieve", arguments: { id: ids[0] } });
seen.retrieveMillis = Number(process.hrtime.bigint() - started) / 1e6;

// With --dynamic-toolsets: enable one, and see the tool list change.
if (seen.tools.includes("enable_toolset")) {
  let notified = false;
  client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
    notified = true;
  });
  const enabled = await call("enable_toolset", { name: "reports" });
  for (let i = 0; i < 50 && !notified; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
  seen.dynamic = {
    enabled: enabled.body,
    notified,
    toolsAfter: (await client.listTools()).tools.map((tool) => tool.name),
  };
}

console.log(JSON.stringify(seen));
await client.close();
