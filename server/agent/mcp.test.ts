/** L3: MCP connections go only where the outbound check allows, and a failure never carries what the far end answered. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectMcpTools, McpConnectionError } from "./mcp";

const SECRET_BODY = "internal-service-answer-4711";
const received: string[] = [];
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    received.push(request.url ?? "");
    request.resume();
    request.on("end", () => {
      if (request.url?.startsWith("/error-page"))
        response
          .writeHead(500, { "content-type": "text/plain" })
          .end(`${SECRET_BODY}: stack trace and config`);
      else if (request.url?.startsWith("/html"))
        response.writeHead(200, { "content-type": "text/html" }).end(`<html>${SECRET_BODY}</html>`);
      else if (request.url?.startsWith("/rpc-error")) {
        response.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            jsonrpc: "2.0",
            id: 0,
            error: { code: -32000, message: SECRET_BODY },
          }),
        );
      } else response.writeHead(404).end(SECRET_BODY);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function failureOf(url: string, allowLoopback: boolean) {
  const error = await connectMcpTools([{ name: "tickets", url, authToken: "mcp-token" }], [], {
    allowLoopback,
  }).then(
    async ({ close }) => {
      await close();
      return null;
    },
    (caught: unknown) => caught,
  );
  if (!(error instanceof McpConnectionError))
    throw new Error(`expected an McpConnectionError, got ${String(error)}`);
  return error.message;
}

describe("connectMcpTools", () => {
  it("refuses a server on this machine unless the policy allows it, before sending anything", async () => {
    received.length = 0;
    expect(await failureOf(`${base}/mcp`, false)).toBe(
      `MCP server "tickets" (${base}) could not be used: 127.0.0.1 is a loopback address, which the server does not connect to.`,
    );
    expect(await failureOf("https://169.254.169.254/latest/meta-data", true)).toBe(
      'MCP server "tickets" (https://169.254.169.254) could not be used: 169.254.169.254 is a link-local address (cloud metadata lives here), which the server does not connect to.',
    );
    expect(received).toEqual([]);
  });

  it("says what kind of answer came back, never the answer itself nor the URL's path", async () => {
    const errorPage = await failureOf(`${base}/error-page/s/path-token/mcp`, true);
    expect(errorPage).toBe(
      `MCP server "tickets" (${base}) could not be used: it answered HTTP 500.`,
    );
    const html = await failureOf(`${base}/html`, true);
    expect(html).toBe(
      `MCP server "tickets" (${base}) could not be used: it did not answer as an MCP server.`,
    );
    const rpcError = await failureOf(`${base}/rpc-error`, true);
    expect(rpcError).toBe(
      `MCP server "tickets" (${base}) could not be used: it answered with MCP error -32000.`,
    );
    expect(received.length).toBeGreaterThanOrEqual(3);
    for (const reason of [errorPage, html, rpcError]) {
      expect(reason).not.toContain(SECRET_BODY);
      expect(reason).not.toContain("path-token");
    }
  });

  it("names a refused connection by its system code", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await failureOf(`http://127.0.0.1:${port}/mcp`, true)).toBe(
      `MCP server "tickets" (http://127.0.0.1:${port}) could not be used: the connection failed (ECONNREFUSED).`,
    );
  });
});
