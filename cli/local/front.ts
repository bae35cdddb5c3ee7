// The local platform's public port: a small Node proxy in front of workerd. It opens only once
// the platform can serve (migrations applied, the JWT key stored), and while workerd restarts
// for a reload it holds new requests and lets those in flight finish first, so no client sees a
// reset or a 500 from a reload. WebSocket upgrades pass through as raw sockets.

import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { connect, type Socket } from "node:net";
import { REQUEST_ID_HEADER, SERVED_BY_HEADER } from "../../shared/identity.ts";
import { requestIdFrom } from "../../shared/request-id.ts";

export interface Front {
  url: URL;
  /** Holds new requests, waits for those in flight (at most `drainMs`), runs `work`, resumes. */
  pausedFor<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface FrontOptions {
  host: string;
  port: number;
  /** workerd's own (internal) address; it may move when workerd restarts. */
  upstream: () => URL;
  /** Longest wait for in-flight requests before a reload goes ahead anyway. */
  drainMs?: number;
  /** Longest a request is held during a reload before it gets `503 starting`. */
  holdMs?: number;
  /** Answers the local control routes (`/__local/…`) itself; true when it handled the request. */
  local?: (incoming: IncomingMessage, outgoing: ServerResponse) => boolean;
}

export async function openFront(options: FrontOptions): Promise<Front> {
  let inFlight = 0;
  /** Set while a reload runs; requests wait for it. */
  let gate: Promise<void> | undefined;
  let reloads: Promise<unknown> = Promise.resolve();
  const drained = new Set<() => void>();
  const sockets = new Set<Socket>();

  /** Waits while a reload runs; false when the wait took too long. */
  async function admitted(): Promise<boolean> {
    if (!gate) return true;
    const timeout = new Promise<false>((resolve) =>
      setTimeout(() => resolve(false), options.holdMs ?? 30_000).unref(),
    );
    return Promise.race([gate.then(() => true), timeout]);
  }

  const server: Server = createServer(async (incoming, outgoing) => {
    if (options.local?.(incoming, outgoing)) return;
    if (!(await admitted())) return starting(incoming, outgoing);
    inFlight++;
    outgoing.once("close", () => {
      inFlight--;
      if (inFlight === 0) for (const wake of drained) wake();
    });
    forward(options.upstream(), incoming, outgoing);
  });
  server.on("upgrade", async (incoming: IncomingMessage, client: Socket, head: Buffer) => {
    if (!(await admitted())) return client.end("HTTP/1.1 503 Service Unavailable\r\n\r\n");
    tunnel(options.upstream(), incoming, client, head);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: options.host, port: options.port, exclusive: true }, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;

  const drain = () =>
    new Promise<void>((resolve) => {
      if (inFlight === 0) return resolve();
      const wake = () => {
        drained.delete(wake);
        resolve();
      };
      drained.add(wake);
      setTimeout(wake, options.drainMs ?? 10_000).unref();
    });

  return {
    url: new URL(`http://${options.host}:${port}`),
    pausedFor<T>(work: () => Promise<T>): Promise<T> {
      const run = reloads.then(async () => {
        let open!: () => void;
        gate = new Promise<void>((resolve) => {
          open = resolve;
        });
        try {
          await drain();
          return await work();
        } finally {
          gate = undefined;
          open();
        }
      });
      reloads = run.catch(() => {});
      return run;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function forward(upstream: URL, incoming: IncomingMessage, outgoing: ServerResponse): void {
  const proxied = httpRequest(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: incoming.method,
      path: incoming.url,
      headers: incoming.headers,
      // A fresh connection per request: reusing idle keep-alive sockets races with workerd
      // closing them, and the loser is a reset the client would see (the stress run found it).
      agent: false,
    },
    (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(outgoing);
    },
  );
  proxied.on("error", (error) => {
    if (outgoing.headersSent) return outgoing.destroy(error);
    const message = `The local workerd did not answer (${error.message}); try again.`;
    answerError(incoming, outgoing, 502, "local_platform_unavailable", message);
  });
  incoming.pipe(proxied);
}

/** `503 starting` with Retry-After, for a request held too long while workerd restarts. */
function starting(incoming: IncomingMessage, outgoing: ServerResponse): void {
  const message = "The local platform is reloading; retry in a second.";
  answerError(incoming, outgoing, 503, "starting", message, { "retry-after": "1" });
}

/** The platform's error shape, with the request id every answer carries. */
function answerError(
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const given = incoming.headers[REQUEST_ID_HEADER];
  const requestId = requestIdFrom(typeof given === "string" ? given : undefined);
  outgoing.writeHead(status, {
    "content-type": "application/json",
    [REQUEST_ID_HEADER]: requestId,
    [SERVED_BY_HEADER]: "local-front",
    ...headers,
  });
  outgoing.end(JSON.stringify({ error: { code, message, requestId } }));
}

/** A WebSocket upgrade: the request head is replayed to workerd, then bytes flow both ways. */
function tunnel(upstream: URL, incoming: IncomingMessage, client: Socket, head: Buffer): void {
  const server = connect(Number(upstream.port), upstream.hostname, () => {
    const lines = [`${incoming.method} ${incoming.url} HTTP/1.1`];
    for (let i = 0; i < incoming.rawHeaders.length; i += 2) {
      lines.push(`${incoming.rawHeaders[i]}: ${incoming.rawHeaders[i + 1]}`);
    }
    server.write(`${lines.join("\r\n")}\r\n\r\n`);
    if (head.length > 0) server.write(head);
    server.pipe(client);
    client.pipe(server);
  });
  const end = () => {
    server.destroy();
    client.destroy();
  };
  server.on("error", end);
  client.on("error", end);
  server.on("close", end);
  client.on("close", end);
}
