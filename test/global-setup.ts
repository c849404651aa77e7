// Once before any test: bundle the dashboard as `npm run build` does, so the gateways the tests
// start serve the pages' current source (src/web serves dist/dashboard/).
// @ts-expect-error -- a plain ES module script without type declarations
import { buildDashboard } from '../bin/build-dashboard.mjs';

export default async function setup(): Promise<void> {
  await buildDashboard();
}
