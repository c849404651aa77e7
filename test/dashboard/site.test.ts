/**
 * GET /api/site, what the dashboard's shell asks at start: the plant's time zone, its names,
 * how alarms are announced (alarms.yaml settings.annunciation, validated, with defaults) and the
 * live heartbeat — which socket.io really uses, short enough to notice a dead link in 4 s.
 */
import { describe, expect, it } from 'vitest';
import { siteRoute } from '../../src/api-types/site.js';
import { alarmsFile } from '../../src/config/alarms-schema.js';
import { loadConfig } from '../../src/config/index.js';
import { HEARTBEAT } from '../../src/web/index.js';
import { siteSettings } from '../../src/web/site.js';
import { demoWebServer, login } from '../auth/harness.js';
import { jsonRequest, startBareWebServer } from '../helpers/web.js';

describe('the site settings', () => {
  it('come from the configuration: zone, names, annunciation with its defaults', () => {
    const site = siteSettings(loadConfig('config'));
    expect(site.timezone).toBe('Asia/Shanghai');
    expect(site.sites.map((s) => s.id)).toEqual(['main']);
    expect(site.annunciation).toEqual({ sound: ['critical', 'high'], repeatMs: 10_000 });
  });

  it('validate the annunciation: known priorities, a repeat of at least a second', () => {
    const parse = (annunciation: unknown) => alarmsFile.safeParse({ settings: { annunciation } });
    const ok = parse({ sound: ['critical'], repeat: '30s' });
    expect(ok.success && ok.data.settings.annunciation).toEqual({ sound: ['critical'], repeat: 30_000 });
    expect(parse({ sound: ['urgent'] }).success).toBe(false);
    expect(parse({ repeat: '200ms' }).success).toBe(false);
    expect(parse({ sound: [], repeat: '5s' }).success).toBe(true); // a silent control room is a choice
  });

  it('are served to a signed-in browser only, in the documented shape', async () => {
    const server = await demoWebServer();
    try {
      expect((await jsonRequest(`${server.web.url}/api/site`)).status).toBe(401);
      const { cookie } = await login(server.web.url, 'manager', 'manager-demo');
      const before = Date.now();
      const { status, body } = await jsonRequest(`${server.web.url}/api/site`, { cookie });
      expect(status).toBe(200);
      const site = siteRoute.response.parse(body);
      expect(site.heartbeat).toEqual(HEARTBEAT);
      expect(site.now).toBeGreaterThanOrEqual(before);
    } finally {
      await server.stop();
    }
  });

  it('gives socket.io the short heartbeat: a silent link is noticed within 5 s', async () => {
    const web = await startBareWebServer();
    try {
      // engine.io's handshake tells the browser how often to expect a ping and how long to wait.
      const res = await fetch(`${web.url}/socket.io/?EIO=4&transport=polling`);
      const open = JSON.parse((await res.text()).replace(/^0/, '')) as {
        pingInterval: number;
        pingTimeout: number;
      };
      expect(open.pingInterval + open.pingTimeout).toBeLessThanOrEqual(4000);
    } finally {
      await web.stop();
    }
  });
});
