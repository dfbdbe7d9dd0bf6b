// Shared type aliases of the tensor API.
export type { Tensor } from './tensor.js';
/** A number or boolean passed where ATen expects a Scalar (integral numbers become integer Scalars). */
export type Scalar = number | boolean;
/** 'cpu', 'cuda' or 'cuda:N'. */
export type Device = string;
