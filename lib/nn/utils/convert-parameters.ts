// torch.nn.utils.parameters_to_vector / vector_to_parameters.
import * as torch from '../../torch/index.js';
import { Tensor } from '../../torch/tensor.js';

const asList = (p: Iterable<Tensor> | Tensor): Tensor[] => (p instanceof Tensor ? [p] : [...p]);
/** The parameters flattened and concatenated into one vector (a new tensor, part of the graph). */
export function parametersToVector(parameters: Iterable<Tensor> | Tensor): Tensor {
  const ps = asList(parameters);
  const device = ps[0]?.device;
  ps.forEach((p, i) => {
    if (p.device !== device)
      throw new TypeError(
        `parametersToVector: found two parameters on different devices (${device} and ${p.device}, parameter ${i})`,
      );
  });
  return torch.tidy(() => torch.cat(ps.map((p) => p.reshape(-1))));
}
/**
 * Copies consecutive slices of `vec` into the parameters, in place and without autograd (PyTorch
 * points each parameter's data at the slice; here the values are copied, so they do not share storage).
 */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor> | Tensor): void {
  if (vec.ndim !== 1)
    throw new TypeError(`vectorToParameters: expected vec to be a 1-D tensor, but got shape [${vec.shape.join(', ')}]`);
  const ps = asList(parameters);
  const total = ps.reduce((n, p) => n + p.numel(), 0);
  if (total !== vec.shape[0])
    throw new RangeError(`vectorToParameters: vec has ${vec.shape[0]} elements but the parameters have ${total}`);
  torch.noGrad(() =>
    torch.tidy(() => {
      let offset = 0;
      for (const p of ps) {
        const n = p.numel();
        p.copy_(vec.narrow(0, offset, n).view(p.shape));
        offset += n;
      }
    }),
  );
}
