/**
 * TensorBoard scalar event files (`events.out.tfevents.*`), written without TensorFlow: the TFRecord framing
 * (length, masked CRC-32C of the length, payload, masked CRC-32C of the payload) around `tensorflow.Event`
 * protobuf messages, the first one carrying `file_version: "brain.Event:2"`. `tensorboard --logdir runs`
 * reads them. Only what scalar logging needs is encoded: Event{wall_time, step, file_version | summary},
 * Summary{value: [{tag, simple_value}]}.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32C (Castagnoli), as TFRecord framing uses. */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC32C_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15, add a constant. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** Minimal protobuf writer (varints, fixed 32/64-bit, length-delimited fields). */
class ProtoWriter {
  private readonly parts: number[] = [];
  private varint(v: bigint): void {
    let x = BigInt.asUintN(64, v);
    while (x >= 0x80n) {
      this.parts.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.parts.push(Number(x));
  }
  private key(field: number, wire: number): void {
    this.varint(BigInt((field << 3) | wire));
  }
  double(field: number, v: number): this {
    this.key(field, 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.parts.push(...b);
    return this;
  }
  float(field: number, v: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.parts.push(...b);
    return this;
  }
  int64(field: number, v: number): this {
    this.key(field, 0);
    this.varint(BigInt(Math.trunc(v)));
    return this;
  }
  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2);
    this.varint(BigInt(b.length));
    this.parts.push(...b);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** One TFRecord: u64 length, masked crc(length), data, masked crc(data). */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

let fileCounter = 0;

/**
 * Appends scalar summaries to a new event file in `logDir` (PyTorch's SummaryWriter names it the same way:
 * events.out.tfevents.<seconds>.<host>.<pid>.<n>). Each event is written through at once, so a killed run
 * keeps everything logged before it; `close()` releases the file.
 */
export class SummaryWriter {
  readonly path: string;
  private fd: number | undefined;

  constructor(readonly logDir: string) {
    mkdirSync(logDir, { recursive: true });
    this.path = join(
      logDir,
      `events.out.tfevents.${Math.floor(Date.now() / 1000)}.${hostname()}.${process.pid}.${fileCounter++}`,
    );
    this.fd = openSync(this.path, 'a');
    this.writeEvent(
      new ProtoWriter()
        .double(1, Date.now() / 1000)
        .int64(2, 0)
        .string(3, 'brain.Event:2')
        .finish(),
    );
  }

  /** One scalar (stored as float32, as TensorBoard's simple_value) at a global step. */
  addScalar(tag: string, value: number, step: number, wallTime = Date.now() / 1000): void {
    this.addScalars({ [tag]: value }, step, wallTime);
  }

  /** Several scalars in one event (one Summary with a value per tag). Non-finite numbers are kept as NaN/Inf. */
  addScalars(values: Record<string, number>, step: number, wallTime = Date.now() / 1000): void {
    if (!Number.isInteger(step) || step < 0)
      throw new RangeError(`SummaryWriter.addScalars: step must be a non-negative integer, got ${step}`);
    const summary = new ProtoWriter();
    for (const [tag, v] of Object.entries(values)) {
      if (typeof v !== 'number') throw new TypeError(`SummaryWriter.addScalars: '${tag}' is not a number`);
      summary.bytes(1, new ProtoWriter().string(1, tag).float(2, v).finish());
    }
    this.writeEvent(new ProtoWriter().double(1, wallTime).int64(2, step).bytes(5, summary.finish()).finish());
  }

  private writeEvent(event: Uint8Array): void {
    if (this.fd === undefined) throw new Error(`SummaryWriter: ${this.path} is closed`);
    writeSync(this.fd, tfRecord(event));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
