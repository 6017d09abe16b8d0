/** Liquid handler errors beyond the tracker errors (HasTipError, NoTipError, TooLittle*). */
export class LiquidHandlerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad arguments, caught before the backend is called. */
export class LiquidHandlerArgumentError extends LiquidHandlerError {}

/** The machine has no 96-head, no gripper, etc. */
export class CapabilityError extends LiquidHandlerError {}

/**
 * A backend command failed on some channels and succeeded on the others. `errors` maps each failed
 * channel to its error (a tracker error class when the cause is known: NoTipError, HasTipError,
 * TooLittleLiquidError, TooLittleVolumeError). The front end commits the channels that succeeded.
 */
export class ChannelizedError extends LiquidHandlerError {
  readonly channels: number[];

  constructor(
    readonly errors: Map<number, Error>,
    command = 'command',
  ) {
    super(
      `${command} failed on ${[...errors.entries()].map(([ch, e]) => `channel ${ch} (${e.name}: ${e.message})`).join('; ')}`,
    );
    this.channels = [...errors.keys()].sort((a, b) => a - b);
  }
}
