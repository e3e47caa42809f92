/**
 * The tfjs kernels the Worker registers, for both of its backends (wasm, and cpu as the fallback), instead of the
 * ~120 to ~170 that `import '@tensorflow/tfjs-backend-{wasm,cpu}'` registers: most of those serve ops that nothing in
 * the Worker calls (3D convolutions, NMS, string, sparse, FFT …) and cost ~40 KiB of the gzipped upload.
 *
 * The names are the kernels that the Worker's bundle can ask tfjs to run: every kernel named by the tfjs-core ops that
 * the bundle contains (each `import { X } from '../kernel_names'`) and every kernel name written as a string in the
 * SDK and the Worker (`kernel('Add', …)`, sdk/functional/differentiable.ts). A model from the registry runs the same
 * op set, so any model the SDK can build runs with these. test/worker-node/bundle-contents.test.ts rebuilds that list from the
 * bundle wrangler makes and fails, naming each missing kernel and what asks for it, if one is not registered here:
 * add it to both lists (a kernel tfjs-backend-wasm lacks, such as Complex, is registered for cpu only, as tfjs does).
 */
import { registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { absConfig as cpuAbs } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Abs';
import { addConfig as cpuAdd } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Add';
import { allConfig as cpuAll } from '@tensorflow/tfjs-backend-cpu/dist/kernels/All';
import { avgPoolConfig as cpuAvgPool } from '@tensorflow/tfjs-backend-cpu/dist/kernels/AvgPool';
import { batchMatMulConfig as cpuBatchMatMul } from '@tensorflow/tfjs-backend-cpu/dist/kernels/BatchMatMul';
import { castConfig as cpuCast } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Cast';
import { clipByValueConfig as cpuClipByValue } from '@tensorflow/tfjs-backend-cpu/dist/kernels/ClipByValue';
import { complexConfig as cpuComplex } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Complex';
import { complexAbsConfig as cpuComplexAbs } from '@tensorflow/tfjs-backend-cpu/dist/kernels/ComplexAbs';
import { concatConfig as cpuConcat } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Concat';
import { conv2DConfig as cpuConv2D } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Conv2D';
import { conv2DBackpropInputConfig as cpuConv2DBackpropInput } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Conv2DBackpropInput';
import { fusedConv2DConfig as cpuFusedConv2D } from '@tensorflow/tfjs-backend-cpu/dist/kernels/FusedConv2D';
import { fusedDepthwiseConv2DConfig as cpuFusedDepthwiseConv2D } from '@tensorflow/tfjs-backend-cpu/dist/kernels/FusedDepthwiseConv2D';
import { cumsumConfig as cpuCumsum } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Cumsum';
import { eluConfig as cpuElu } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Elu';
import { expConfig as cpuExp } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Exp';
import { expandDimsConfig as cpuExpandDims } from '@tensorflow/tfjs-backend-cpu/dist/kernels/ExpandDims';
import { fillConfig as cpuFill } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Fill';
import { floorDivConfig as cpuFloorDiv } from '@tensorflow/tfjs-backend-cpu/dist/kernels/FloorDiv';
import { gatherV2Config as cpuGatherV2 } from '@tensorflow/tfjs-backend-cpu/dist/kernels/GatherV2';
import { identityConfig as cpuIdentity } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Identity';
import { imagConfig as cpuImag } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Imag';
import { isFiniteConfig as cpuIsFinite } from '@tensorflow/tfjs-backend-cpu/dist/kernels/IsFinite';
import { leakyReluConfig as cpuLeakyRelu } from '@tensorflow/tfjs-backend-cpu/dist/kernels/LeakyRelu';
import { logConfig as cpuLog } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Log';
import { maxConfig as cpuMax } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Max';
import { maxPoolConfig as cpuMaxPool } from '@tensorflow/tfjs-backend-cpu/dist/kernels/MaxPool';
import { maximumConfig as cpuMaximum } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Maximum';
import { meanConfig as cpuMean } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Mean';
import { multiplyConfig as cpuMultiply } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Multiply';
import { negConfig as cpuNeg } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Neg';
import { packConfig as cpuPack } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Pack';
import { padV2Config as cpuPadV2 } from '@tensorflow/tfjs-backend-cpu/dist/kernels/PadV2';
import { powConfig as cpuPow } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Pow';
import { preluConfig as cpuPrelu } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Prelu';
import { realConfig as cpuReal } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Real';
import { realDivConfig as cpuRealDiv } from '@tensorflow/tfjs-backend-cpu/dist/kernels/RealDiv';
import { reluConfig as cpuRelu } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Relu';
import { relu6Config as cpuRelu6 } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Relu6';
import { reshapeConfig as cpuReshape } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Reshape';
import { reverseConfig as cpuReverse } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Reverse';
import { rsqrtConfig as cpuRsqrt } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Rsqrt';
import { sigmoidConfig as cpuSigmoid } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Sigmoid';
import { sliceConfig as cpuSlice } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Slice';
import { sqrtConfig as cpuSqrt } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Sqrt';
import { squareConfig as cpuSquare } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Square';
import { squaredDifferenceConfig as cpuSquaredDifference } from '@tensorflow/tfjs-backend-cpu/dist/kernels/SquaredDifference';
import { stepConfig as cpuStep } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Step';
import { stridedSliceConfig as cpuStridedSlice } from '@tensorflow/tfjs-backend-cpu/dist/kernels/StridedSlice';
import { subConfig as cpuSub } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Sub';
import { sumConfig as cpuSum } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Sum';
import { tileConfig as cpuTile } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Tile';
import { transposeConfig as cpuTranspose } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Transpose';
import { zerosLikeConfig as cpuZerosLike } from '@tensorflow/tfjs-backend-cpu/dist/kernels/ZerosLike';
import { absConfig as wasmAbs } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Abs';
import { addConfig as wasmAdd } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Add';
import { allConfig as wasmAll } from '@tensorflow/tfjs-backend-wasm/dist/kernels/All';
import { avgPoolConfig as wasmAvgPool } from '@tensorflow/tfjs-backend-wasm/dist/kernels/AvgPool';
import { batchMatMulConfig as wasmBatchMatMul } from '@tensorflow/tfjs-backend-wasm/dist/kernels/BatchMatMul';
import { castConfig as wasmCast } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Cast';
import { clipByValueConfig as wasmClipByValue } from '@tensorflow/tfjs-backend-wasm/dist/kernels/ClipByValue';
import { concatConfig as wasmConcat } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Concat';
import { conv2DConfig as wasmConv2D } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Conv2D';
import { conv2DBackpropInputConfig as wasmConv2DBackpropInput } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Conv2DBackpropInput';
import { fusedConv2DConfig as wasmFusedConv2D } from '@tensorflow/tfjs-backend-wasm/dist/kernels/FusedConv2D';
import { fusedDepthwiseConv2DConfig as wasmFusedDepthwiseConv2D } from '@tensorflow/tfjs-backend-wasm/dist/kernels/FusedDepthwiseConv2D';
import { cumsumConfig as wasmCumsum } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Cumsum';
import { eluConfig as wasmElu } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Elu';
import { expConfig as wasmExp } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Exp';
import { expandDimsConfig as wasmExpandDims } from '@tensorflow/tfjs-backend-wasm/dist/kernels/ExpandDims';
import { fillConfig as wasmFill } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Fill';
import { floorDivConfig as wasmFloorDiv } from '@tensorflow/tfjs-backend-wasm/dist/kernels/FloorDiv';
import { gatherV2Config as wasmGatherV2 } from '@tensorflow/tfjs-backend-wasm/dist/kernels/GatherV2';
import { identityConfig as wasmIdentity } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Identity';
import { isFiniteConfig as wasmIsFinite } from '@tensorflow/tfjs-backend-wasm/dist/kernels/IsFinite';
import { leakyReluConfig as wasmLeakyRelu } from '@tensorflow/tfjs-backend-wasm/dist/kernels/LeakyRelu';
import { logConfig as wasmLog } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Log';
import { maxConfig as wasmMax } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Max';
import { maxPoolConfig as wasmMaxPool } from '@tensorflow/tfjs-backend-wasm/dist/kernels/MaxPool';
import { maximumConfig as wasmMaximum } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Maximum';
import { meanConfig as wasmMean } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Mean';
import { multiplyConfig as wasmMultiply } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Multiply';
import { negConfig as wasmNeg } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Neg';
import { packConfig as wasmPack } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Pack';
import { padV2Config as wasmPadV2 } from '@tensorflow/tfjs-backend-wasm/dist/kernels/PadV2';
import { powConfig as wasmPow } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Pow';
import { preluConfig as wasmPrelu } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Prelu';
import { realDivConfig as wasmRealDiv } from '@tensorflow/tfjs-backend-wasm/dist/kernels/RealDiv';
import { reluConfig as wasmRelu } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Relu';
import { relu6Config as wasmRelu6 } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Relu6';
import { reshapeConfig as wasmReshape } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Reshape';
import { reverseConfig as wasmReverse } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Reverse';
import { rsqrtConfig as wasmRsqrt } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Rsqrt';
import { sigmoidConfig as wasmSigmoid } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Sigmoid';
import { sliceConfig as wasmSlice } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Slice';
import { sqrtConfig as wasmSqrt } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Sqrt';
import { squareConfig as wasmSquare } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Square';
import { squaredDifferenceConfig as wasmSquaredDifference } from '@tensorflow/tfjs-backend-wasm/dist/kernels/SquaredDifference';
import { stepConfig as wasmStep } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Step';
import { stridedSliceConfig as wasmStridedSlice } from '@tensorflow/tfjs-backend-wasm/dist/kernels/StridedSlice';
import { subConfig as wasmSub } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Sub';
import { sumConfig as wasmSum } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Sum';
import { tileConfig as wasmTile } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Tile';
import { transposeConfig as wasmTranspose } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Transpose';
import { zerosLikeConfig as wasmZerosLike } from '@tensorflow/tfjs-backend-wasm/dist/kernels/ZerosLike';

/** tfjs-backend-cpu's kernels of those names: all of them. */
const CPU: KernelConfig[] = [
  cpuAbs,
  cpuAdd,
  cpuAll,
  cpuAvgPool,
  cpuBatchMatMul,
  cpuCast,
  cpuClipByValue,
  cpuComplex,
  cpuComplexAbs,
  cpuConcat,
  cpuConv2D,
  cpuConv2DBackpropInput,
  cpuFusedConv2D,
  cpuFusedDepthwiseConv2D,
  cpuCumsum,
  cpuElu,
  cpuExp,
  cpuExpandDims,
  cpuFill,
  cpuFloorDiv,
  cpuGatherV2,
  cpuIdentity,
  cpuImag,
  cpuIsFinite,
  cpuLeakyRelu,
  cpuLog,
  cpuMax,
  cpuMaxPool,
  cpuMaximum,
  cpuMean,
  cpuMultiply,
  cpuNeg,
  cpuPack,
  cpuPadV2,
  cpuPow,
  cpuPrelu,
  cpuReal,
  cpuRealDiv,
  cpuRelu,
  cpuRelu6,
  cpuReshape,
  cpuReverse,
  cpuRsqrt,
  cpuSigmoid,
  cpuSlice,
  cpuSqrt,
  cpuSquare,
  cpuSquaredDifference,
  cpuStep,
  cpuStridedSlice,
  cpuSub,
  cpuSum,
  cpuTile,
  cpuTranspose,
  cpuZerosLike,
];

/** tfjs-backend-wasm's kernels of those names: all but Complex, ComplexAbs, Imag and Real, which it does not have. */
const WASM: KernelConfig[] = [
  wasmAbs,
  wasmAdd,
  wasmAll,
  wasmAvgPool,
  wasmBatchMatMul,
  wasmCast,
  wasmClipByValue,
  wasmConcat,
  wasmConv2D,
  wasmConv2DBackpropInput,
  wasmFusedConv2D,
  wasmFusedDepthwiseConv2D,
  wasmCumsum,
  wasmElu,
  wasmExp,
  wasmExpandDims,
  wasmFill,
  wasmFloorDiv,
  wasmGatherV2,
  wasmIdentity,
  wasmIsFinite,
  wasmLeakyRelu,
  wasmLog,
  wasmMax,
  wasmMaxPool,
  wasmMaximum,
  wasmMean,
  wasmMultiply,
  wasmNeg,
  wasmPack,
  wasmPadV2,
  wasmPow,
  wasmPrelu,
  wasmRealDiv,
  wasmRelu,
  wasmRelu6,
  wasmReshape,
  wasmReverse,
  wasmRsqrt,
  wasmSigmoid,
  wasmSlice,
  wasmSqrt,
  wasmSquare,
  wasmSquaredDifference,
  wasmStep,
  wasmStridedSlice,
  wasmSub,
  wasmSum,
  wasmTile,
  wasmTranspose,
  wasmZerosLike,
];

for (const config of [...CPU, ...WASM]) registerKernel(config);
