export { writeFileAtomic } from './atomic.js';
export { parseNpy, readNpy, encodeNpy, writeNpy } from './npy.js';
export type { NpyDType, TypedArray, NdArray } from './npy.js';
export { parseNifti, readNifti, encodeNifti, writeNifti, quaternToAffine, affineToQuatern } from './nifti.js';
export type { NiftiHeader, NiftiImage, NiftiInput, NiftiReadOptions, NiftiWriteOptions } from './nifti.js';
