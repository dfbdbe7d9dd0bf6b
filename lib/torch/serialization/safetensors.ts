/**
 * safetensors: 8-byte little-endian header length N, an N-byte JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {str: str}}` padded with spaces
 * to a multiple of 8, then the byte buffer (offsets are relative to its start). Tensors are
 * row-major and little-endian; storages are never shared.
 */
import {
  ITEM_SIZE,
  contiguousBytes,
  contiguousStrides,
  numel,
  viewProblem,
  type DTypeName,
  type RawTensor,
} from './types.js';

const TO_ST: Partial<Record<DTypeName, string>> = {
  float64: 'F64',
  float32: 'F32',
  float16: 'F16',
  bfloat16: 'BF16',
  int64: 'I64',
  int32: 'I32',
  int16: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
  uint16: 'U16',
  uint32: 'U32',
  uint64: 'U64',
  complex64: 'C64',
};
const FROM_ST: Record<string, DTypeName> = Object.fromEntries(
  Object.entries(TO_ST).map(([k, v]) => [v, k as DTypeName]),
);

/** Largest header the reference implementation accepts (100 MB). */
const MAX_HEADER = 100_000_000;

/**
 * Parses a safetensors file's bytes into raw tensor records (each with its own storage; the storages are views of
 * `bytes`, not copies) and the header's `__metadata__`.
 *
 * Args:
 *   bytes: the whole file.
 *   name: the file's name for error messages (default '<bytes>').
 *
 * Returns:
 *   The tensors by name, in header order, and the metadata strings (empty when there are none).
 *
 * Throws:
 *   Error naming the file when the header is missing, truncated, too large (over 100 MB) or not valid JSON, a
 *   dtype is unknown, or a tensor's byte range does not match its shape, lies outside the buffer or overlaps
 *   another's.
 */
export function loadSafetensors(
  bytes: Uint8Array,
  name = '<bytes>',
): { tensors: Map<string, RawTensor>; metadata: Record<string, string> } {
  try {
    return loadUnchecked(bytes, name);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (msg.startsWith(name)) throw err;
    throw new Error(`${name}: cannot read safetensors: ${msg}`, { cause: err });
  }
}

function loadUnchecked(
  bytes: Uint8Array,
  name: string,
): { tensors: Map<string, RawTensor>; metadata: Record<string, string> } {
  const fail = (problem: string): never => {
    throw new Error(`${name}: ${problem}`);
  };
  if (bytes.byteLength < 8) fail(`not a safetensors file (only ${bytes.byteLength} bytes; truncated?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) fail(`safetensors header length ${n64} is too large (corrupt file?)`);
  const n = Number(n64);
  if (8 + n > bytes.byteLength) fail(`truncated safetensors file (header of ${n} bytes, file has ${bytes.byteLength})`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    fail(`corrupt safetensors header: ${(err as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    fail('safetensors header is not a JSON object');
  const data = bytes.subarray(8 + n);
  const tensors = new Map<string, RawTensor>();
  const metadata: Record<string, string> = {};
  const ranges: [number, number, string][] = [];
  for (const [key, info] of Object.entries(header as Record<string, unknown>)) {
    if (key === '__metadata__') {
      if (typeof info !== 'object' || info === null || Array.isArray(info)) fail('__metadata__ is not an object');
      for (const [mk, mv] of Object.entries(info as Record<string, unknown>)) {
        if (typeof mv !== 'string') fail(`__metadata__.${mk} is not a string`);
        metadata[mk] = mv as string;
      }
      continue;
    }
    const t = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof t !== 'object' || t === null) fail(`tensor ${key}: entry is not an object`);
    const dtype = typeof t.dtype === 'string' ? FROM_ST[t.dtype] : undefined;
    if (!dtype) fail(`tensor ${key}: unsupported dtype ${JSON.stringify(t.dtype)}`);
    const shape = t.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      fail(`tensor ${key}: bad shape ${JSON.stringify(shape)}`);
    const off = t.data_offsets;
    if (
      !Array.isArray(off) ||
      off.length !== 2 ||
      !off.every((d) => Number.isSafeInteger(d) && d >= 0) ||
      off[0] > off[1]
    ) {
      fail(`tensor ${key}: bad data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    const expected = numel(shape as number[]) * ITEM_SIZE[dtype!];
    if (end - begin !== expected)
      fail(
        `tensor ${key}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes, shape [${shape}] ${dtype} needs ${expected}`,
      );
    if (end > data.byteLength)
      fail(`truncated safetensors file (tensor ${key} ends at byte ${end} of a ${data.byteLength}-byte buffer)`);
    ranges.push([begin, end, key]);
    tensors.set(key, {
      kind: 'tensor',
      storage: { key, dtype: dtype!, device: 'cpu', bytes: data.subarray(begin, end) },
      storageOffset: 0,
      shape: shape as number[],
      strides: contiguousStrides(shape as number[]),
      requiresGrad: false,
    });
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i][0] < ranges[i - 1][1]) fail(`tensors ${ranges[i - 1][2]} and ${ranges[i][2]} overlap`);
  }
  return { tensors, metadata };
}

/**
 * Encodes raw tensor records as a safetensors file: the JSON header (with `__metadata__` when given), padded to a
 * multiple of 8 bytes, then each tensor's bytes row-major in the given order.
 *
 * Args:
 *   tensors: the tensors by name (a Map or entries, in the order they are written).
 *   metadata: string-to-string metadata for the header (default none).
 *
 * Returns:
 *   The file's bytes.
 *
 * Throws:
 *   Error naming the tensor for a duplicate or reserved name ('__metadata__'), a dtype safetensors lacks
 *   (complex128) or an invalid view (shape, strides or offset beyond its storage); Error naming the key for a
 *   non-string metadata value.
 */
export function saveSafetensors(
  tensors: Map<string, RawTensor> | [string, RawTensor][],
  metadata?: Record<string, string>,
): Uint8Array {
  const list = tensors instanceof Map ? [...tensors.entries()] : tensors;
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`saveSafetensors: metadata ${k} is not a string`);
    }
    header.__metadata__ = metadata;
  }
  const blobs: Uint8Array[] = [];
  let offset = 0;
  const seen = new Set<string>();
  for (const [key, t] of list) {
    if (key === '__metadata__') throw new Error('saveSafetensors: "__metadata__" cannot be a tensor name');
    if (seen.has(key)) throw new Error(`saveSafetensors: duplicate tensor name ${key}`);
    seen.add(key);
    const st = TO_ST[t.storage.dtype];
    if (!st) throw new Error(`saveSafetensors: tensor ${key}: dtype ${t.storage.dtype} has no safetensors equivalent`);
    const problem = viewProblem(t);
    if (problem) throw new Error(`saveSafetensors: tensor ${key}: ${problem}`);
    const b = contiguousBytes(t);
    header[key] = { dtype: st, shape: t.shape, data_offsets: [offset, offset + b.byteLength] };
    blobs.push(b);
    offset += b.byteLength;
  }
  let json = JSON.stringify(header);
  let hb = new TextEncoder().encode(json);
  const pad = (8 - (hb.byteLength % 8)) % 8;
  if (pad) {
    json += ' '.repeat(pad);
    hb = new TextEncoder().encode(json);
  }
  const out = new Uint8Array(8 + hb.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.byteLength), true);
  out.set(hb, 8);
  let o = 8 + hb.byteLength;
  for (const b of blobs) {
    out.set(b, o);
    o += b.byteLength;
  }
  return out;
}
