// torch.nn.utils.convert_conv2d_weight_memory_format / convert_conv3d_weight_memory_format and skip_init.
import * as torch from '../../torch/index.js';
import type { MemoryFormat } from '../../torch/dtype.js';
import { isOptionsObject } from '../functional/args.js';
import { Module, registries } from '../module.js';
import { Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d } from '../modules/conv.js';

function convert(
  module: Module,
  memoryFormat: MemoryFormat,
  kinds: (abstract new (...a: never[]) => Module)[],
): Module {
  if (kinds.some((K) => module instanceof K)) {
    const w = registries(module).parameters.get('weight');
    if (w)
      torch.noGrad(() =>
        torch.tidy(() => {
          w.set_(w.detach().clone().contiguous({ memoryFormat }));
        }),
      );
  }
  for (const c of module.children()) convert(c, memoryFormat, kinds);
  return module;
}
/**
 * Makes the weight of every Conv2d / ConvTranspose2d in `module` use `memoryFormat` (e.g. 'channelsLast'); returns
 * module.
 */
export const convertConv2dWeightMemoryFormat = <M extends Module>(module: M, memoryFormat: MemoryFormat): M =>
  convert(module, memoryFormat, [Conv2d, ConvTranspose2d]) as M;
/**
 * Makes the weight of every Conv3d / ConvTranspose3d in `module` use `memoryFormat` (e.g. 'channelsLast3d'); returns
 * module.
 */
export const convertConv3dWeightMemoryFormat = <M extends Module>(module: M, memoryFormat: MemoryFormat): M =>
  convert(module, memoryFormat, [Conv3d, ConvTranspose3d]) as M;

/**
 * Builds `new ModuleClass(...args)` without running its parameter initialization (PyTorch's skip_init):
 * the module is made on the 'meta' device, then given uninitialized storage on `device` (from the
 * trailing options object, default 'cpu'). The class must take a trailing options object with `device`.
 */
export function skipInit<A extends unknown[], M extends Module>(ModuleClass: new (...args: A) => M, ...args: A): M {
  const last = args[args.length - 1];
  const opts = isOptionsObject(last) ? last : undefined;
  const device = (opts?.device as string | undefined) ?? 'cpu';
  const metaArgs = (opts ? [...args.slice(0, -1), { ...opts, device: 'meta' }] : [...args, { device: 'meta' }]) as A;
  return new ModuleClass(...metaArgs).toEmpty({ device });
}
