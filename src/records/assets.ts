/**
 * The equipment ledger: each device's asset record (number, maker/model, location, install
 * date, serial) from the config, and a printable label with a QR code that opens the
 * device's page in the dashboard — the barcode/QR label an accreditation review asks for.
 */
import QRCode from 'qrcode';
import type { PlantConfig } from '../config/index.js';

export interface AssetEntry {
  device: string;
  name: string;
  equipment: string;
  profile: string;
  assetNumber?: string;
  maker?: string;
  model?: string;
  installed?: string;
  serial?: string;
  critical: boolean;
  location: {
    site: string;
    building: string;
    room: string;
    siteName: string;
    buildingName: string;
    roomName: string;
    detail?: string;
  };
  /** The device's page in the dashboard. */
  url: string;
}

export function assetLedger(config: PlantConfig, baseUrl: string): AssetEntry[] {
  const places = new Map<string, { site: string; building: string; room: string }>();
  for (const site of config.sites)
    for (const building of site.buildings)
      for (const room of building.rooms)
        places.set(`${site.id}/${building.id}/${room.id}`, {
          site: site.name,
          building: building.name,
          room: room.name,
        });
  return config.devices
    .filter((d) => d.enabled)
    .map((device) => {
      const profile = config.profiles.get(device.profile);
      const asset = device.asset ?? {};
      const names = places.get(`${device.site}/${device.building}/${device.room}`);
      const maker = asset.maker ?? profile?.maker;
      const model = asset.model ?? profile?.model;
      return {
        device: device.id,
        name: device.name,
        equipment: profile?.equipment ?? 'other',
        profile: device.profile,
        ...(asset.number ? { assetNumber: asset.number } : {}),
        ...(maker ? { maker } : {}),
        ...(model ? { model } : {}),
        ...(asset.installed ? { installed: asset.installed } : {}),
        ...(asset.serial ? { serial: asset.serial } : {}),
        critical: device.critical,
        location: {
          site: device.site,
          building: device.building,
          room: device.room,
          siteName: names?.site ?? device.site,
          buildingName: names?.building ?? device.building,
          roomName: names?.room ?? device.room,
          ...(asset.location ? { detail: asset.location } : {}),
        },
        url: `${baseUrl}/#/device/${encodeURIComponent(device.id)}`,
      };
    });
}

const escapeXml = (text: string) =>
  text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string,
  );

/** A 62 × 29 mm label (a common label-printer size): QR code left, asset text right. */
export async function assetLabelSvg(entry: AssetEntry): Promise<string> {
  const qr = await QRCode.toString(entry.url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  // The QR's own <svg> nested, sized to the label's height.
  const inner = qr.replace('<svg ', '<svg x="1" y="1" width="27" height="27" ');
  const lines = [
    entry.assetNumber ?? entry.device,
    entry.name,
    `${entry.location.buildingName} · ${entry.location.roomName}`,
    [entry.maker, entry.model].filter(Boolean).join(' ') + (entry.installed ? ` · ${entry.installed}` : ''),
  ]
    .filter((l) => l.trim() !== '')
    // The label is 62 mm wide: a long name is cut rather than run off the edge.
    .map((l) => (l.length > 34 ? `${l.slice(0, 33)}…` : l));
  const text = lines
    .map(
      (line, i) =>
        `<text x="30" y="${6 + i * 6}" font-family="sans-serif" font-size="${i === 0 ? 4.2 : 3}"${i === 0 ? ' font-weight="bold"' : ''}>${escapeXml(line)}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="62mm" height="29mm" viewBox="0 0 62 29"><rect width="62" height="29" fill="#fff" stroke="#000" stroke-width="0.2"/>${inner}${text}</svg>`;
}
