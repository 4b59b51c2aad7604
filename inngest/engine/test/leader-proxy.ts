/**
 * A load balancer in front of a leader and its standbys, as the two-machine setup needs one:
 * it health-checks every engine's `GET /health` (the standby answers 503) and forwards each
 * request to the one that answers 200, or answers 503 itself while none does (a takeover).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type LeaderProxy = {
  url: string;
  /** The engine requests go to now, or null while none is healthy. */
  leader: () => string | null;
  close: () => Promise<void>;
};

async function healthy(target: string): Promise<boolean> {
  try {
    const response = await fetch(`${target}/health`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

export async function startLeaderProxy(
  targets: () => readonly string[],
  options: { port?: number; checkEveryMs?: number } = {},
): Promise<LeaderProxy> {
  let leader: string | null = null;
  let stopped = false;
  const check = async () => {
    const states = await Promise.all(targets().map(async (url) => [url, await healthy(url)]));
    leader = (states.find(([, ok]) => ok)?.[0] as string | undefined) ?? null;
  };
  await check();
  const loop = (async () => {
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, options.checkEveryMs ?? 200));
      await check();
    }
  })();

  const unavailable = (response: http.ServerResponse, error: string) => {
    if (response.headersSent) return response.destroy();
    response.writeHead(503, { "content-type": "application/json", "retry-after": "1" });
    response.end(JSON.stringify({ error, status: 503 }));
  };
  const server = http.createServer((request, response) => {
    const target = leader;
    if (!target) return unavailable(response, "no engine is leading (a takeover is under way)");
    const upstream = http.request(
      new URL(request.url ?? "/", target),
      { method: request.method, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on("error", (error) => unavailable(response, `the leader failed: ${error.message}`));
    request.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    leader: () => leader,
    close: async () => {
      stopped = true;
      await loop;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
