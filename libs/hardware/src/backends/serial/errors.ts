/**
 * Errors of the serial transport: the device went away (`DeviceDisconnectedError`), a reply did
 * not come in time (`DeviceTimeoutError`), the port could not be opened (`SerialOpenError`), or a
 * reply was not what the protocol allows (`DeviceProtocolError`).
 */

/** Base of the transport errors; `port` names the device path. */
export class SerialTransportError extends Error {
  readonly port: string;

  constructor(port: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.port = port;
  }
}

/**
 * The port closed under us (cable pulled, device switched off, pty gone), or a command was sent
 * after that. Pending and later commands fail with it until `reconnect()` succeeds.
 */
export class DeviceDisconnectedError extends SerialTransportError {
  /** The command that could not be completed, when there was one. */
  readonly command: string | undefined;

  constructor(port: string, detail: string, command?: string, options?: { cause?: unknown }) {
    super(port, `${port}: device disconnected${command !== undefined ? ` (command ${JSON.stringify(command)} not completed)` : ''}: ${detail}; call reconnect() once it is back`, options);
    this.command = command;
  }
}

/** No (complete) reply to a command within its timeout. */
export class DeviceTimeoutError extends SerialTransportError {
  readonly command: string;
  readonly timeoutMs: number;

  constructor(port: string, command: string, timeoutMs: number) {
    super(port, `${port}: no reply to ${JSON.stringify(command)} within ${timeoutMs} ms`);
    this.command = command;
    this.timeoutMs = timeoutMs;
  }
}

/** The port could not be opened (missing device, permissions, busy). */
export class SerialOpenError extends SerialTransportError {}

/** The connection is not open (never opened, or closed on purpose). */
export class ConnectionClosedError extends SerialTransportError {}

/** A reply the protocol does not allow for this command. */
export class DeviceProtocolError extends SerialTransportError {
  readonly command: string;
  readonly reply: string;

  constructor(port: string, command: string, reply: string, expected: string) {
    super(port, `${port}: unexpected reply ${JSON.stringify(reply)} to ${JSON.stringify(command)} (expected ${expected})`);
    this.command = command;
    this.reply = reply;
  }
}
