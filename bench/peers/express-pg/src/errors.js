export class BaseError extends Error {
  constructor(message) {
    super(message);
    this.name = this.constructor.name;
  }

  toJSON() {
    const error = {
      type: this.name,
      message: this.message,
      statusCode: this.statusCode || 500,
    };
    if (this.field !== undefined) error.field = this.field;
    return { error };
  }
}

export class DatabaseError extends BaseError {
  constructor(message, originalError) {
    super(message);
    this.originalError = originalError;
    this.code = originalError?.code;
    this.statusCode = 500;
  }
}

export class ValidationError extends BaseError {
  constructor(message, field) {
    super(message);
    this.field = field;
    this.statusCode = 400;
  }
}

export class AuthenticationError extends BaseError {
  constructor(message = 'Authentication failed') {
    super(message);
    this.statusCode = 401;
  }
}

export class ForbiddenError extends BaseError {
  constructor(message = 'Forbidden') {
    super(message);
    this.statusCode = 403;
  }
}

export class NotFoundError extends BaseError {
  constructor(message = 'Not found') {
    super(message);
    this.statusCode = 404;
  }
}

export class ConflictError extends BaseError {
  constructor(message, field) {
    super(message);
    this.field = field;
    this.statusCode = 409;
  }
}

export class PayloadTooLargeError extends BaseError {
  constructor(message = 'Request body is too large') {
    super(message);
    this.statusCode = 413;
  }
}

export class InternalError extends BaseError {
  constructor(message = 'Internal server error') {
    super(message);
    this.statusCode = 500;
  }
}
