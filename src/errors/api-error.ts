/**
 * The one error type every layer throws. It carries GitLab's status code and exact JSON body;
 * the HTTP error handler renders it as is.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.message === 'string' ? body.message : typeof body.error === 'string' ? body.error : `HTTP ${status}`);
    this.name = 'ApiError';
  }
}

export const unauthorized = () => new ApiError(401, { message: '401 Unauthorized' });

export const forbidden = (reason?: string) =>
  new ApiError(403, { message: reason ? `403 Forbidden - ${reason}` : '403 Forbidden' });

/** `not_found!('Project')` → "404 Project Not Found"; with no argument → "404 Not Found". */
export const notFound = (what?: string) => new ApiError(404, { message: what ? `404 ${what} Not Found` : '404 Not Found' });

/** A missing database record, as Rails' RecordNotFound renders it (lowercase "found"). */
export const recordNotFound = () => new ApiError(404, { message: '404 Not found' });

export const badRequest = (reason?: string) =>
  new ApiError(400, { message: reason ? `400 Bad request - ${reason}` : '400 Bad request' });

/** Grape's parameter validation shape: `{"error": "<param> <problem>"}`. */
export const invalidParam = (param: string, problem = 'is invalid') => new ApiError(400, { error: `${param} ${problem}` });

/** An ActiveRecord validation failure: `{"message": {"attr": ["problem"]}}`. */
export const modelInvalid = (errors: Record<string, string[]>) => new ApiError(400, { message: errors });

export const conflict = (message: string) => new ApiError(409, { message });

export const methodNotAllowed = (error: string) => new ApiError(405, { error });

export const routeNotFound = () => new ApiError(404, { error: '404 Not Found' });

export const invalidToken = (description: string) =>
  new ApiError(
    401,
    { error: 'invalid_token', error_description: description },
    { 'WWW-Authenticate': `Bearer realm="The API", error="invalid_token", error_description="${description}"` },
  );

export const insufficientScope = (scopes: string[]) =>
  new ApiError(
    403,
    {
      error: 'insufficient_scope',
      error_description: 'The request requires higher privileges than provided by the access token.',
      scope: scopes.join(' '),
    },
    {
      'WWW-Authenticate': `Bearer realm="The API", error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token.", scope="${scopes.join(' ')}"`,
    },
  );
