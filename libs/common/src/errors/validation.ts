import { ValidationError } from 'class-validator';
import { AppException, FieldError } from './app.exception.js';

/** Flattens class-validator's nested errors into one entry per offending field path. */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own: FieldError[] = e.constraints
      ? [{ field, message: Object.values(e.constraints).join('; '), constraints: e.constraints }]
      : [];
    return [...own, ...toFieldErrors(e.children ?? [], field)];
  });
}

/** exceptionFactory for the global ValidationPipe: one 400 that names every bad field. */
export function validationExceptionFactory(errors: ValidationError[]): AppException {
  return AppException.validation(toFieldErrors(errors));
}
