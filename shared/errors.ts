// The one error shape every worker answers with: `{ error: { code, message, requestId } }`.

export interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}

export function errorBody(code: string, message: string, requestId: string): ErrorBody {
  return { error: { code, message, requestId } };
}

/** A failure a handler throws on purpose; the app's error handler turns it into JSON. */
export class ApiError extends Error {
  constructor(
    readonly status:
      | 400
      | 401
      | 403
      | 404
      | 409
      | 413
      | 415
      | 422
      | 429
      | 500
      | 426
      | 429
      | 500
      | 502
      | 503
      | 504,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}
