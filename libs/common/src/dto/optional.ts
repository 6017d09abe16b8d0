import { ValidateIf, type ValidationOptions } from 'class-validator';

/**
 * An optional body field that, when present, must be valid: unlike `@IsOptional()`, `null` is not
 * let through (it would reach a NOT NULL column as a 500). Use `@IsOptional()` only where null means
 * "clear this value".
 */
export const OptionalNotNull = (options?: ValidationOptions) => ValidateIf((_, v) => v !== undefined, options);

/** `@Transform(queryBoolean)`: query strings `true`/`false` become booleans; anything else is left for `@IsBoolean()` to refuse. */
export const queryBoolean = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);
