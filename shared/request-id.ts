// The request id every response carries and every worker logs: the client's (or the router's)
// own when it is safe to log and forward, else a fresh one. The router and every service use it.

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

export function requestIdFrom(given: string | undefined): string {
  return given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
}
