import {
  BaseError,
  InternalError,
  NotFoundError,
  PayloadTooLargeError,
  ValidationError,
} from '../errors.js';

export function notFound(req, res, next) {
  next(new NotFoundError(`No route for ${req.method} ${req.path}`));
}

function toHttpError(err) {
  if (err instanceof BaseError) {
    return (err.statusCode || 500) >= 500 ? new InternalError() : err;
  }
  // Errors of express.json (body-parser).
  if (err?.type === 'entity.parse.failed') return new ValidationError('The body is not valid JSON');
  if (err?.type === 'entity.too.large') return new PayloadTooLargeError();
  if (err?.expose && err.status >= 400 && err.status < 500) return new ValidationError(err.message);
  return new InternalError();
}

function describe(err) {
  const cause = err?.originalError ? `: ${err.originalError.message}` : '';
  return `${err?.name || 'Error'}: ${err?.message}${cause}`;
}

// eslint-disable-next-line no-unused-vars
export function errorHandler(err, req, res, next) {
  if (res.headersSent) return next(err);

  const error = toHttpError(err);
  if (error.statusCode >= 500) {
    console.error(`${req.method} ${req.originalUrl} -> ${error.statusCode} ${describe(err)}`);
  }
  res.status(error.statusCode).set('Cache-Control', 'no-store').json(error.toJSON());
}
