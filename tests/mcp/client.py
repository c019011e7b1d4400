"""Drives conductor-mcp through the official Python MCP SDK (`mcp`), over
stdio or Streamable HTTP, and prints one JSON line of what it saw. The Rust
test `conductor-mcp/tests/python_client.rs` starts it and checks the line.

    python client.py stdio BINARY [ARGS...]
    python client.py http URL TOKEN

It makes no call that reaches Conductor (tools/list, toolsets, dry runs and
refusals only), so the test can check that the sandbox saw no request.
"""

import asyncio
import json
import os
import sys
from contextlib import asynccontextmanager

from mcp import ClientSession, types
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import create_mcp_http_client, streamable_http_client


@asynccontextmanager
async def connect(mode, target, rest, handler):
    if mode == "stdio":
        params = StdioServerParameters(command=target, args=rest, env=dict(os.environ))
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write, message_handler=handler) as session:
                yield session
    else:
        http = create_mcp_http_client(headers={"Authorization": f"Bearer {rest[0]}"})
        async with http:
            async with streamable_http_client(target, http_client=http) as streams:
                read, write = streams[0], streams[1]
                async with ClientSession(read, write, message_handler=handler) as session:
                    yield session


def body(result):
    return {"isError": bool(result.is_error), "body": json.loads(result.content[0].text)}


async def main():
    mode, target, *rest = sys.argv[1:]
    changed = asyncio.Event()

    async def handler(message):
        root = getattr(message, "root", message)
        if isinstance(root, types.ToolListChangedNotification):
            changed.set()

    seen = {}
    async with connect(mode, target, rest, handler) as session:
        await session.initialize()
        seen["toolsBefore"] = [tool.name for tool in (await session.list_tools()).tools]
        toolsets = body(await session.call_tool("list_toolsets", {}))
        seen["toolsets"] = [toolset["name"] for toolset in toolsets["body"]["toolsets"]]
        seen["unknownToolset"] = body(await session.call_tool("enable_toolset", {"name": "payroll"}))
        seen["enabled"] = body(await session.call_tool("enable_toolset", {"name": "receivables"}))
        try:
            await asyncio.wait_for(changed.wait(), timeout=5)
            seen["notified"] = True
        except asyncio.TimeoutError:
            seen["notified"] = False
        seen["toolsAfter"] = [tool.name for tool in (await session.list_tools()).tools]
        invoice = {
            "customerId": "80000001-1234567890",
            "transactionDate": "2026-12-01",
            "lines": [{"itemId": "80000002-1234567890", "amount": "10.00"}],
        }
        seen["dryRun"] = body(
            await session.call_tool(
                "call_operation",
                {"operation": "qbd.invoices.create", "arguments": invoice, "dry_run": True},
            )
        )
        try:
            seen["dryRunTool"] = body(await session.call_tool("create_invoice", {**invoice, "dry_run": True}))
        except Exception as error:  # a tool not offered is a protocol error
            seen["dryRunTool"] = {"protocolError": str(error)}
        seen["dryRunBadArgument"] = body(
            await session.call_tool(
                "call_operation",
                {"operation": "qbd.invoices.list", "arguments": {"limit": "many"}, "dry_run": True},
            )
        )
        seen["update"] = body(
            await session.call_tool(
                "call_operation",
                {"operation": "qbd.invoices.update", "arguments": {"id": "1-1", "revisionNumber": "1"}},
            )
        )
    print(json.dumps(seen))


asyncio.run(main())
