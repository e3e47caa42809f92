import * as tf from '@tensorflow/tfjs-core';
import { requirePositiveInteger } from '../checks';
import { conv2dChannelsLast, conv2dWithFilter, resolveConv2dOptions, type Conv2dOptions, type Conv2dPadding } from '../functional/conv';
import { hwioFilter } from '../functional/convolve';
import { toPair, type IntOrPair } from '../functional/window';
import { defaultGenerator, type Generator } from '../random';
import { defaultInit } from './init';
import { Module, type ModuleSpec } from './module';
import { Parameter } from './parameter';

export interface Conv2dModuleOptions extends Conv2dOptions {
  /** Learn an additive bias per output channel. Default true. */
  bias?: boolean;
  /** Source of the initial weights; the global generator (see manualSeed) when omitted. */
  generator?: Generator;
}

/**
 * A 2-D convolution layer, as torch.nn.Conv2d with groups = 1 and zero padding (see F.conv2d for the arithmetic).
 *
 * Shapes: input `[N, inChannels, H, W]` or `[inChannels, H, W]`, weight `[outChannels, inChannels, kh, kw]`, bias
 * `[outChannels]`, output `[N, outChannels, Ho, Wo]` with Ho = ⌊(H + 2·ph − dh·(kh − 1) − 1)/sh⌋ + 1, Wo alike.
 * Initialisation is PyTorch's default (kaiming_uniform with a = √5), which for the weight and the bias comes down to
 * U(−1/√fanIn, 1/√fanIn) with fanIn = inChannels·kh·kw. State-dict keys: `weight`, `bias`.
 *
 * In eval mode the layer keeps its weight in tfjs's filter layout as well (see WeightCopy), one copy of the weight.
 */
export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | undefined;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: Conv2dPadding;
  readonly dilation: [number, number];
  private readonly keptFilter = this.evalCopy(hwioFilter);

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: IntOrPair,
    { stride = 1, padding = 0, dilation = 1, bias = true, generator = defaultGenerator() }: Conv2dModuleOptions = {},
  ) {
    super();
    requirePositiveInteger('inChannels', inChannels);
    requirePositiveInteger('outChannels', outChannels);
    const [kh, kw] = toPair('kernelSize', kernelSize);
    for (const k of [kh, kw]) requirePositiveInteger('kernelSize', k);
    const resolved = resolveConv2dOptions([kh, kw], { stride, padding, dilation });
    this.kernelSize = [kh, kw];
    this.stride = resolved.stride;
    this.dilation = resolved.dilation;
    this.padding = typeof padding === 'string' ? padding : toPair('padding', padding);
    const fanIn = inChannels * kh * kw;
    this.weight = new Parameter(tf.tensor4d(defaultInit(generator, outChannels * fanIn, fanIn), [outChannels, inChannels, kh, kw]));
    this.bias = bias ? new Parameter(tf.tensor1d(defaultInit(generator, outChannels, fanIn))) : undefined;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const filter = this.training ? undefined : this.keptFilter.of(this.weight);
    return conv2dWithFilter(x, this.weight, this.bias, this.options(), filter);
  }

  /** forward in eval mode on NHWC data, `[N, H, W, inChannels]` → `[N, Ho, Wo, outChannels]` (nn.Sequential's runs). */
  forwardChannelsLast(x: tf.Tensor4D): tf.Tensor4D {
    return conv2dChannelsLast(x, this.weight, this.bias, this.options(), this.keptFilter.of(this.weight));
  }

  private options(): Conv2dOptions {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation };
  }

  override spec(): ModuleSpec {
    return {
      type: 'Conv2d',
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      kernelSize: this.kernelSize,
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      bias: this.bias !== undefined,
    };
  }
}
