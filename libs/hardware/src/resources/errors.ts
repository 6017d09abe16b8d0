/** Resource model errors. */
export class ResourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class ResourceNotFoundError extends ResourceError {}
export class DuplicateResourceNameError extends ResourceError {}
export class ResourceAssignmentError extends ResourceError {}
export class SerializationError extends ResourceError {}
