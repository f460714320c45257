// `npm start`: build what is stale (see ensure-built.mjs; nothing is walked when dist/ is current), then run
// the built CLI in this same process — one Node start, with the flags package.json gives this script.
import { ensureBuilt } from './ensure-built.mjs';

ensureBuilt();
await import('../dist/src/cli.js');
