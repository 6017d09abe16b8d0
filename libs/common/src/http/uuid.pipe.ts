import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { AppException } from '../errors/app.exception.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Validates a UUID path parameter, naming it in the 400 when it is malformed. */
@Injectable()
export class UuidPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (typeof value !== 'string' || !UUID.test(value)) {
      const field = metadata.data ?? 'id';
      throw AppException.validation([{ field, message: `${field} must be a UUID` }]);
    }
    return value.toLowerCase();
  }
}
