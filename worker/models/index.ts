// The bundles the deployable Worker serves. Imported statically so wrangler bundles them: model.json through
// esbuild's JSON loader, model.safetensors through the Data rule in wrangler.toml (an ArrayBuffer).
import type { ModelSources } from '../registry/built-in';
import digitsManifest from './digits/model.json';
import digitsWeights from './digits/model.safetensors';
import featuresManifest from './features/model.json';
import featuresWeights from './features/model.safetensors';
import phonePriceManifest from './phone-price/model.json';
import phonePriceWeights from './phone-price/model.safetensors';

export const defaultModels: ModelSources = {
  'phone-price': { manifest: phonePriceManifest, weights: phonePriceWeights },
  features: { manifest: featuresManifest, weights: featuresWeights },
  digits: { manifest: digitsManifest, weights: digitsWeights },
};
