/**
 * A byte link to a machine: USB for the real STAR, an in-memory pair for tests and the bench.
 * `onData` receives each complete message the link delivers (one USB transfer, one in-memory write).
 */
export interface Transport {
  open(): Promise<void>;
  close(): Promise<void>;
  write(data: Uint8Array | string): Promise<void>;
  /** Registers the receiver of incoming messages (one receiver; a new call replaces it). */
  onData(cb: (data: Uint8Array | string) => void): void;
}

/** One end of an in-memory link: what one end writes, the other receives (asynchronously, in order). */
export class InMemoryTransport implements Transport {
  peer: InMemoryTransport | null = null;
  private receiver: ((data: Uint8Array | string) => void) | null = null;
  private isOpen = false;
  /** Messages that arrived before a receiver was registered or while closed are kept here. */
  private readonly backlog: Array<Uint8Array | string> = [];

  get opened(): boolean {
    return this.isOpen;
  }

  async open(): Promise<void> {
    this.isOpen = true;
    this.flush();
  }

  async close(): Promise<void> {
    this.isOpen = false;
  }

  async write(data: Uint8Array | string): Promise<void> {
    if (!this.isOpen) throw new Error('in-memory transport is closed');
    const peer = this.peer;
    if (!peer) throw new Error('in-memory transport has no peer');
    queueMicrotask(() => peer.deliver(data));
  }

  onData(cb: (data: Uint8Array | string) => void): void {
    this.receiver = cb;
    this.flush();
  }

  private deliver(data: Uint8Array | string): void {
    if (this.isOpen && this.receiver) this.receiver(data);
    else this.backlog.push(data);
  }

  private flush(): void {
    if (!this.isOpen || !this.receiver) return;
    while (this.backlog.length) this.receiver(this.backlog.shift()!);
  }
}

/** Two connected in-memory transports: `[host, device]`. */
export function createTransportPair(): [InMemoryTransport, InMemoryTransport] {
  const a = new InMemoryTransport();
  const b = new InMemoryTransport();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

const decoder = new TextDecoder('latin1');
const encoder = new TextEncoder();

export const toText = (data: Uint8Array | string): string => (typeof data === 'string' ? data : decoder.decode(data));
export const toBytes = (data: Uint8Array | string): Uint8Array => (typeof data === 'string' ? encoder.encode(data) : data);
