import { BundleError } from '../errors';
import { checkGraph, CHECK_BATCH } from '../graph/check';
import { GraphModule } from '../graph/graph-module';
import type { ManifestV2 } from './format';
import { decodeTensors, unpackSafetensors } from './safetensors';

/** Weights the ops compute with; integer tensors (a batch-norm counter) may sit in the file but not feed an op. */
const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'F64']);

/**
 * A traced bundle's model. Everything is checked from the manifest and the weights file's header before any tensor
 * exists: the graph (ops known, inputs present, shapes fitting: checkGraph), the dtype of each tensor it reads, and
 * for a classifier that the output is one score per label. Then the file's tensors are decoded and the graph module
 * takes those it reads. Throws BundleError naming the problem.
 */
export function buildGraphModel(manifest: ManifestV2, bytes: Uint8Array): GraphModule {
  const { file } = manifest.weights;
  const { tensors: header } = unpackSafetensors(bytes);
  const shapes = new Map(Object.entries(header).map(([key, raw]) => [key, raw.shape]));
  const checked = checkGraph(manifest.graph, shapes);
  for (const key of checked.stateKeys) {
    if (!FLOAT_DTYPES.has(header[key].dtype)) {
      throw new BundleError(`${file}: the graph computes with "${key}", stored as ${header[key].dtype}, not a float`, {
        file,
        key,
      });
    }
  }
  const classes = manifest.labels.length;
  const out = checked.outputShape;
  if (manifest.task !== 'image-transform' && (out.length !== 2 || out[1] !== classes)) {
    throw new BundleError(
      `the graph gives outputs of shape [N, ${out.slice(1)}] but a classifier gives [N, ${classes}], one score per label`,
      { field: 'graph.output', shape: out.slice(1), labels: classes },
    );
  }
  if (out[0] !== CHECK_BATCH) {
    throw new BundleError(`the graph's output does not keep the batch axis first (shape [${out}] for a batch of ${CHECK_BATCH})`, {
      field: 'graph.output',
    });
  }
  const tensors = decodeTensors(header);
  const taken = new Set(checked.stateKeys);
  for (const [key, tensor] of Object.entries(tensors)) if (!taken.has(key)) tensor.dispose();
  try {
    return new GraphModule(checked, tensors);
  } catch (error) {
    for (const key of taken) tensors[key].dispose();
    throw error;
  }
}
