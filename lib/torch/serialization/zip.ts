/**
 * Minimal zip container for PyTorch checkpoints: reads stored and deflated entries (zip64 aware,
 * CRC checked) and writes stored entries whose data starts on a 64-byte boundary, padded through a
 * local-header extra field, like PyTorch's writer (miniz).
 */
import * as zlib from 'node:zlib';

/** One entry of a zip archive's central directory, as the reader found it. */
export interface ZipEntry {
  /** The entry's path inside the archive ('archive/data.pkl'). */
  name: string;
  /** The compression method: 0 stored, 8 deflated (others are refused when read). */
  method: number;
  /** Bytes of the entry's data in the file. */
  compressedSize: number;
  /** Bytes of the data once inflated. */
  size: number;
  /** CRC-32 of the inflated data, checked on read. */
  crc32: number;
  /** Where the entry's local header starts in the file. */
  localHeaderOffset: number;
}

/** CRC-32 (IEEE) of zip entries, by Node's native zlib (Node >= 20.15). */
export const crc32 = (data: Uint8Array): number => zlib.crc32(data) >>> 0;

const U32_MAX = 0xffffffff;
const decoder = new TextDecoder('utf-8');
const encoder = new TextEncoder();

function u64(view: DataView, off: number): number {
  const v = view.getBigUint64(off, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`zip64 value ${v} too large`);
  return Number(v);
}

/** A parsed zip archive over a byte array; entry data is read lazily. */
export class ZipReader {
  readonly entries = new Map<string, ZipEntry>();
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly fileName = '<bytes>',
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.parse();
  }

  private fail(problem: string): never {
    throw new Error(`${this.fileName}: ${problem}`);
  }

  private need(off: number, len: number, what: string): void {
    if (off < 0 || len < 0 || off + len > this.bytes.byteLength) {
      this.fail(
        `truncated or corrupt zip archive (${what} at byte ${off} runs past the end of the ${this.bytes.byteLength}-byte file)`,
      );
    }
  }

  private parse(): void {
    const b = this.bytes,
      v = this.view;
    if (b.byteLength < 22) this.fail(`not a zip archive (only ${b.byteLength} bytes; truncated?)`);
    // End of central directory: search backwards over the maximal comment length.
    let eocd = -1;
    const stop = Math.max(0, b.byteLength - 22 - 0xffff);
    for (let i = b.byteLength - 22; i >= stop; i--) {
      if (b[i] === 0x50 && b[i + 1] === 0x4b && b[i + 2] === 0x05 && b[i + 3] === 0x06) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) {
      const isZip = b[0] === 0x50 && b[1] === 0x4b;
      this.fail(
        isZip
          ? 'truncated or corrupt zip archive (no end-of-central-directory record)'
          : 'not a zip archive (legacy non-zip torch.save files are not supported)',
      );
    }
    let count = v.getUint16(eocd + 10, true);
    let cdSize = v.getUint32(eocd + 12, true);
    let cdOffset = v.getUint32(eocd + 16, true);
    if (count === 0xffff || cdSize === U32_MAX || cdOffset === U32_MAX) {
      const loc = eocd - 20;
      if (loc < 0 || v.getUint32(loc, true) !== 0x07064b50) this.fail('corrupt zip64 archive (no zip64 locator)');
      const e64 = u64(v, loc + 8);
      this.need(e64, 56, 'zip64 end of central directory');
      if (v.getUint32(e64, true) !== 0x06064b50) this.fail('corrupt zip64 end of central directory');
      count = u64(v, e64 + 32);
      cdSize = u64(v, e64 + 40);
      cdOffset = u64(v, e64 + 48);
    }
    this.need(cdOffset, cdSize, 'central directory');
    let p = cdOffset;
    for (let i = 0; i < count; i++) {
      this.need(p, 46, 'central directory entry');
      if (v.getUint32(p, true) !== 0x02014b50) this.fail(`corrupt zip central directory (bad signature at byte ${p})`);
      const flags = v.getUint16(p + 8, true);
      const method = v.getUint16(p + 10, true);
      const crc = v.getUint32(p + 16, true);
      let compressedSize = v.getUint32(p + 20, true);
      let size = v.getUint32(p + 24, true);
      const nameLen = v.getUint16(p + 28, true);
      const extraLen = v.getUint16(p + 30, true);
      const commentLen = v.getUint16(p + 32, true);
      let localHeaderOffset = v.getUint32(p + 42, true);
      this.need(p + 46, nameLen + extraLen + commentLen, 'central directory entry');
      if (flags & 1) this.fail('encrypted zip entries are not supported');
      const name = decoder.decode(b.subarray(p + 46, p + 46 + nameLen));
      // zip64 extended information: only the fields whose 32-bit value is saturated are present.
      let e = p + 46 + nameLen;
      const eEnd = e + extraLen;
      while (e + 4 <= eEnd) {
        const id = v.getUint16(e, true),
          len = v.getUint16(e + 2, true);
        if (e + 4 + len > eEnd) this.fail(`corrupt zip extra field in the entry for ${name}`);
        if (id === 0x0001) {
          let q = e + 4;
          if (size === U32_MAX && q + 8 <= e + 4 + len) {
            size = u64(v, q);
            q += 8;
          }
          if (compressedSize === U32_MAX && q + 8 <= e + 4 + len) {
            compressedSize = u64(v, q);
            q += 8;
          }
          if (localHeaderOffset === U32_MAX && q + 8 <= e + 4 + len) {
            localHeaderOffset = u64(v, q);
            q += 8;
          }
        }
        e += 4 + len;
      }
      this.entries.set(name, { name, method, compressedSize, size, crc32: crc, localHeaderOffset });
      p += 46 + nameLen + extraLen + commentLen;
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** The entry's bytes: a zero-copy subarray for stored entries. CRC is verified. */
  read(name: string): Uint8Array {
    const entry = this.entries.get(name);
    if (!entry) this.fail(`zip archive has no entry ${name}`);
    const v = this.view;
    const h = entry.localHeaderOffset;
    this.need(h, 30, `local header of ${name}`);
    if (v.getUint32(h, true) !== 0x04034b50) this.fail(`corrupt zip archive (bad local header for ${name})`);
    const start = h + 30 + v.getUint16(h + 26, true) + v.getUint16(h + 28, true);
    this.need(start, entry.compressedSize, `data of ${name}`);
    const raw = this.bytes.subarray(start, start + entry.compressedSize);
    let data: Uint8Array;
    if (entry.method === 0) {
      data = raw;
    } else if (entry.method === 8) {
      try {
        data = new Uint8Array(zlib.inflateRawSync(raw));
      } catch (err) {
        this.fail(`corrupt deflated zip entry ${name}: ${(err as Error).message}`);
      }
    } else {
      this.fail(`zip entry ${name} uses unsupported compression method ${entry.method}`);
    }
    if (data.byteLength !== entry.size)
      this.fail(`corrupt zip entry ${name} (${data.byteLength} bytes, expected ${entry.size})`);
    if (crc32(data) !== entry.crc32) this.fail(`corrupt zip entry ${name} (CRC mismatch)`);
    return data;
  }
}

/** One entry for `writeZip`: its path inside the archive and its bytes (stored uncompressed). */
export interface ZipWriteEntry {
  name: string;
  data: Uint8Array;
}

/**
 * Writes a zip archive of stored entries. Each entry's data starts at a multiple of `align` bytes
 * (padding in a local extra field with id "FB" filled with 'Z', as PyTorch does). Zip64 fields are
 * used when sizes or offsets need them.
 */
export function writeZip(entries: ZipWriteEntry[], align = 64, opts: { forceZip64?: boolean } = {}): Uint8Array {
  const force = opts.forceZip64 === true;
  interface Planned {
    name: Uint8Array;
    data: Uint8Array;
    crc: number;
    offset: number;
    localExtra: Uint8Array;
    zip64: boolean;
  }
  const planned: Planned[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = encoder.encode(entry.name);
    const size = entry.data.byteLength;
    const zip64 = force || size >= U32_MAX || offset >= U32_MAX;
    const z64Len = zip64 ? 20 : 0; // id, len, size, compressed size
    let headerLen = 30 + name.byteLength + z64Len;
    let pad = 0;
    if (align > 1) {
      pad = (align - ((offset + headerLen + 4) % align)) % align;
      headerLen += 4 + pad;
    }
    const localExtra = new Uint8Array(headerLen - 30 - name.byteLength);
    const ev = new DataView(localExtra.buffer);
    let q = 0;
    if (zip64) {
      ev.setUint16(0, 0x0001, true);
      ev.setUint16(2, 16, true);
      ev.setBigUint64(4, BigInt(size), true);
      ev.setBigUint64(12, BigInt(size), true);
      q = 20;
    }
    if (align > 1) {
      ev.setUint16(q, 0x4246, true); // "FB"
      ev.setUint16(q + 2, pad, true);
      localExtra.fill(0x5a, q + 4); // 'Z'
    }
    planned.push({ name, data: entry.data, crc: crc32(entry.data), offset, localExtra, zip64 });
    offset += headerLen + size;
  }
  const cdOffset = offset;
  let cdSize = 0;
  for (const p of planned) {
    const needs64 = p.zip64 || p.offset >= U32_MAX;
    cdSize += 46 + p.name.byteLength + (needs64 ? 28 : 0);
  }
  const needEocd64 = force || planned.length >= 0xffff || cdOffset >= U32_MAX || cdSize >= U32_MAX;
  const total = cdOffset + cdSize + (needEocd64 ? 56 + 20 : 0) + 22;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  const DOS_TIME = 0,
    DOS_DATE = (1 << 5) | 1; // 1980-01-01 00:00, deterministic output
  for (const p of planned) {
    const o = p.offset,
      size = p.data.byteLength;
    v.setUint32(o, 0x04034b50, true);
    v.setUint16(o + 4, p.zip64 ? 45 : 20, true);
    v.setUint16(o + 6, 0x0800, true); // UTF-8 names
    v.setUint16(o + 8, 0, true);
    v.setUint16(o + 10, DOS_TIME, true);
    v.setUint16(o + 12, DOS_DATE, true);
    v.setUint32(o + 14, p.crc, true);
    v.setUint32(o + 18, p.zip64 ? U32_MAX : size, true);
    v.setUint32(o + 22, p.zip64 ? U32_MAX : size, true);
    v.setUint16(o + 26, p.name.byteLength, true);
    v.setUint16(o + 28, p.localExtra.byteLength, true);
    out.set(p.name, o + 30);
    out.set(p.localExtra, o + 30 + p.name.byteLength);
    out.set(p.data, o + 30 + p.name.byteLength + p.localExtra.byteLength);
  }
  let c = cdOffset;
  for (const p of planned) {
    const size = p.data.byteLength;
    const sizeBig = size >= U32_MAX,
      offBig = p.offset >= U32_MAX;
    const needs64 = p.zip64 || offBig;
    v.setUint32(c, 0x02014b50, true);
    v.setUint16(c + 4, needs64 ? 45 : 20, true);
    v.setUint16(c + 6, needs64 ? 45 : 20, true);
    v.setUint16(c + 8, 0x0800, true);
    v.setUint16(c + 10, 0, true);
    v.setUint16(c + 12, DOS_TIME, true);
    v.setUint16(c + 14, DOS_DATE, true);
    v.setUint32(c + 16, p.crc, true);
    v.setUint32(c + 20, needs64 ? U32_MAX : size, true);
    v.setUint32(c + 24, needs64 ? U32_MAX : size, true);
    v.setUint16(c + 28, p.name.byteLength, true);
    v.setUint16(c + 30, needs64 ? 28 : 0, true);
    v.setUint32(c + 42, needs64 ? U32_MAX : p.offset, true);
    out.set(p.name, c + 46);
    let q = c + 46 + p.name.byteLength;
    if (needs64) {
      v.setUint16(q, 0x0001, true);
      v.setUint16(q + 2, 24, true);
      v.setBigUint64(q + 4, BigInt(size), true);
      v.setBigUint64(q + 12, BigInt(size), true);
      v.setBigUint64(q + 20, BigInt(p.offset), true);
      q += 28;
    }
    c = q;
  }
  if (needEocd64) {
    const e64 = c;
    v.setUint32(e64, 0x06064b50, true);
    v.setBigUint64(e64 + 4, 44n, true);
    v.setUint16(e64 + 12, 45, true);
    v.setUint16(e64 + 14, 45, true);
    v.setBigUint64(e64 + 24, BigInt(planned.length), true);
    v.setBigUint64(e64 + 32, BigInt(planned.length), true);
    v.setBigUint64(e64 + 40, BigInt(cdSize), true);
    v.setBigUint64(e64 + 48, BigInt(cdOffset), true);
    c += 56;
    v.setUint32(c, 0x07064b50, true);
    v.setBigUint64(c + 8, BigInt(e64), true);
    v.setUint32(c + 16, 1, true);
    c += 20;
  }
  v.setUint32(c, 0x06054b50, true);
  v.setUint16(c + 8, needEocd64 ? 0xffff : planned.length, true);
  v.setUint16(c + 10, needEocd64 ? 0xffff : planned.length, true);
  v.setUint32(c + 12, needEocd64 ? U32_MAX : cdSize, true);
  v.setUint32(c + 16, needEocd64 ? U32_MAX : cdOffset, true);
  return out;
}
