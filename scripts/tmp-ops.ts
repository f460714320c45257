import { createTestApp } from '../test/support/test-app.js';

const t = await createTestApp();
const doc = t.app.http.swagger() as any;
for (const [p, ops] of Object.entries(doc.paths))
  for (const [m, op] of Object.entries(ops as any)) if (!(op as any).summary) console.log(m.toUpperCase(), p);
await t.close();
