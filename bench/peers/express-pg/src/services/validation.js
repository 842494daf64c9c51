import { ValidationError } from '../errors.js';

const CONTROL_CHARS = /\p{Cc}/u;

function charCount(value) {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

export function requireObject(body, allowedFields) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('The body must be a JSON object');
  }
  for (const key of Object.keys(body)) {
    if (!allowedFields.includes(key)) {
      throw new ValidationError(`Unknown field: ${key}`, key);
    }
  }
  return body;
}

export function requireString(body, field) {
  const value = body[field];
  if (typeof value !== 'string') {
    throw new ValidationError(`${field} is required and must be a string`, field);
  }
  return value;
}

export function checkEmail(value, field = 'email') {
  const email = value.trim();
  if (!email.includes('@') || charCount(email) > 254) {
    throw new ValidationError('email must be an address of at most 254 characters', field);
  }
  return email;
}

export function checkLength(value, field, min, max) {
  const count = charCount(value);
  if (count < min || count > max) {
    throw new ValidationError(`${field} must be ${min} to ${max} characters`, field);
  }
  return value;
}

export function checkDisplayName(value, field = 'displayName') {
  const name = checkLength(value.trim(), field, 1, 100);
  if (CONTROL_CHARS.test(name)) {
    throw new ValidationError(`${field} must not contain control characters`, field);
  }
  return name;
}
