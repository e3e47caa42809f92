// The deployable Worker (wrangler.toml's main): the edgeml API over the bundles in worker/models/.
import { createApp } from './app';
import { defaultModels } from './models';

export default createApp({ models: defaultModels });
