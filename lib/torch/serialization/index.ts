export type { DTypeName, RawStorage, RawTensor, PyValue, PyTuple, PyDict } from './types.js';
export { ITEM_SIZE, isRawTensor, isContiguous, contiguousBytes, contiguousStrides, numel } from './types.js';
export { loadPth, savePth } from './pth.js';
export { loadSafetensors, saveSafetensors } from './safetensors.js';
export { ZipReader, writeZip, crc32 } from './zip.js';
