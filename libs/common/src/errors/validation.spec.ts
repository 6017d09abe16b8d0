import { describe, expect, it } from '@jest/globals';
import { plainToInstance, Type } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min, ValidateNested, validateSync } from 'class-validator';
import { ErrorCode } from './error-code.js';
import { toFieldErrors, validationExceptionFactory } from './validation.js';

class Inner {
  @IsInt()
  @Min(1)
  @Max(300)
  volume!: number;
}

class Outer {
  @IsString()
  @MaxLength(5)
  name!: string;

  @ValidateNested()
  @Type(() => Inner)
  parameters!: Inner;
}

const errorsFor = (plain: object) => validateSync(plainToInstance(Outer, plain));

describe('validation errors', () => {
  it('name nested fields by dotted path', () => {
    expect(toFieldErrors(errorsFor({ name: 'ok', parameters: { volume: 500 } }))).toEqual([
      { field: 'parameters.volume', message: 'volume must not be greater than 300', constraints: { max: 'volume must not be greater than 300' } },
    ]);
  });

  it('report only the type error when the type is wrong', () => {
    const [e] = toFieldErrors(errorsFor({ name: 42, parameters: { volume: 1 } }));
    expect(e).toMatchObject({ field: 'name', message: 'name must be a string' });
  });

  it('become one 400 VALIDATION_FAILED listing the fields', () => {
    const ex = validationExceptionFactory(errorsFor({ name: 'too-long-name', parameters: { volume: 0 } }));
    expect(ex.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(ex.status).toBe(400);
    expect((ex.details as { fields: string[] }).fields).toEqual(['name', 'parameters.volume']);
  });
});
