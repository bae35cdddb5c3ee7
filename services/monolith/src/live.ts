// The live messaging channel, a WebSocket at `GET /api/messages/live` (monolith only, like all of
// messaging). The router authenticates the upgrade like any request; a browser, which cannot set
// headers on a WebSocket, offers its token as a subprotocol: `new WebSocket(url, ["pitch.v1",
// "bearer.<token>"])`. Frames are JSON: the server says `ready` with the caller's id, answers
// `ping` with `pong`, and stores `{ type: "send", recipientId, body, pitchId? }` as a message
// exactly as `POST /api/messages` would (`sent`, or `error` with the same code and message).

import type { Context } from "hono";
import { ApiError } from "../../../shared/errors.ts";
import type { ServiceEnv } from "../../../shared/http/app.ts";
import { requireIdentity } from "../../../shared/http/identity.ts";
import { parseWith } from "../../../shared/http/validation.ts";
import { messageInput, storeMessage } from "./messages.ts";

/** The subprotocol the server selects when the client offers it. */
export const LIVE_PROTOCOL = "pitch.v1";

// workerd's WebSocket API, which the DOM types lack.
interface ServerSocket {
  accept(): void;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
}
declare const WebSocketPair: new () => { 0: unknown; 1: ServerSocket };

export function liveMessages(c: Context<ServiceEnv>): Response {
  const { userId } = requireIdentity(c);
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(
      426,
      "upgrade_required",
      "GET /api/messages/live is a WebSocket: send Upgrade: websocket.",
    );
  }
  const pair = new WebSocketPair();
  const server = pair[1];
  server.accept();
  const send = (frame: Record<string, unknown>) => server.send(JSON.stringify(frame));
  send({ type: "ready", userId, requestId: c.get("requestId") });
  server.addEventListener("message", async ({ data }) => {
    try {
      const frame = typeof data === "string" ? JSON.parse(data) : undefined;
      if (frame?.type === "ping") return send({ type: "pong" });
      if (frame?.type !== "send") {
        throw new ApiError(400, "invalid_request", 'frame.type must be "send" or "ping"');
      }
      const { type: _type, ...input } = frame;
      const message = await storeMessage(c.env.DB, userId, parseWith(messageInput, input, "body"));
      send({ type: "sent", message });
    } catch (error) {
      const known = error instanceof ApiError;
      if (!known && !(error instanceof SyntaxError)) console.error("[monolith] live:", error);
      send({
        type: "error",
        error: known
          ? { code: error.code, message: error.message }
          : error instanceof SyntaxError
            ? { code: "invalid_request", message: "frames must be JSON" }
            : { code: "internal_error", message: "Something went wrong on our side." },
      });
    }
  });
  const offered =
    c.req
      .header("sec-websocket-protocol")
      ?.split(",")
      .map((p) => p.trim()) ?? [];
  return new Response(null, {
    status: 101,
    webSocket: pair[0],
    headers: offered.includes(LIVE_PROTOCOL) ? { "sec-websocket-protocol": LIVE_PROTOCOL } : {},
  } as ResponseInit);
}
