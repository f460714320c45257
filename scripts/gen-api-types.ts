import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { API_TYPES_FILE, renderApiTypes } from './api-types.js';

// `npm run api:types`: regenerate the web client's API types from the server's route schemas.
const source = await renderApiTypes();
writeFileSync(API_TYPES_FILE, source);
process.stdout.write(`wrote ${path.relative(process.cwd(), API_TYPES_FILE)} (${source.length} bytes)\n`);
