import { ArgumentError, bundle } from '../sdk/index';
import { bundleOption, parseCli, runCli, UsageError } from './cli';

/** npm start's Worker. */
const DEFAULT_URL = 'http://127.0.0.1:8787';

const USAGE = `Usage: npm run publish-model -- --bundle DIR [--name NAME] [--url URL]

Checks a bundle and uploads it to the model registry of a running Worker as a new version of NAME
(PUT URL/v1/models/NAME). The admin token is read from the environment variable EDGEML_ADMIN_TOKEN (the Worker's
secret of that name), never from a flag, which would stay in the shell's history.

  --bundle DIR     the bundle folder, holding model.json and its weights (required)
  --name NAME      the model's name in the registry: letters, digits, ".", "_", "-" (default: the manifest's name)
  --url URL        the Worker (default ${DEFAULT_URL}, what npm start serves)
  --help           print this

Example:
  npm run publish-model -- --bundle data/models/phone-price --name phone-price
  (after exporting the token without echoing it: read -rs EDGEML_ADMIN_TOKEN && export EDGEML_ADMIN_TOKEN)`;

runCli(async () => {
  const args = parseCli({
    bundle: { type: 'string' },
    name: { type: 'string' },
    url: { type: 'string', default: DEFAULT_URL },
    help: { type: 'boolean', default: false },
  });
  if (args.help) return console.log(USAGE);
  if (!args.bundle) throw new UsageError('--bundle is required');

  const dir = await bundleOption('bundle', args.bundle);
  const token = process.env.EDGEML_ADMIN_TOKEN || undefined; // set but empty: none, as the Worker reads its secret
  const published = await bundle.publish(dir, { url: args.url, name: args.name, token }).catch((error: unknown) => {
    // publish checks its arguments before anything else: a bad --url or --name is a usage mistake
    throw error instanceof ArgumentError ? new UsageError(error.message) : error;
  });
  console.log(`published ${published.model} version ${published.version} (${published.active ? 'active' : 'not active'}) — ${published.url}`);
  console.log(`sha256 ${published.sha256}`);
}, USAGE);
