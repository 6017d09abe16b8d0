import { ValidationError } from 'class-validator';
import { AppException, FieldError } from './app.exception.js';

/**
 * When a value has the wrong type, its range or length messages are noise ("42 must be shorter
 * than 64 characters"): report the type constraint alone.
 */
function primaryConstraints(constraints: Record<string, string>): Record<string, string> {
  const typeChecks = Object.entries(constraints).filter(([k]) => /^(is[A-Z]\w*|whitelistValidation|isDefined)$/.test(k) && !/^is(Not)?(Empty|In)$/.test(k));
  return typeChecks.length ? Object.fromEntries(typeChecks) : constraints;
}

/** Flattens class-validator's nested errors into one entry per offending field path. */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const constraints = e.constraints ? primaryConstraints(e.constraints) : undefined;
    const own: FieldError[] = constraints
      ? [{ field, message: Object.values(constraints).join('; '), constraints }]
      : [];
    return [...own, ...toFieldErrors(e.children ?? [], field)];
  });
}

/** exceptionFactory for the global ValidationPipe: one 400 that names every bad field. */
export function validationExceptionFactory(errors: ValidationError[]): AppException {
  return AppException.validation(toFieldErrors(errors));
}
