/**
 * The equipment ledger: each device's asset record (number, maker/model, location, install
 * date, serial) from the config, and a printable label with a QR code that opens the
 * device's page in the dashboard — the barcode/QR label an accreditation review asks for.
 */
import QRCode from 'qrcode';
import type { PlantConfig } from '../config/index.js';
import { placeKey, placeNames } from '../config/places.js';

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
  const places = placeNames(config.sites);
  return config.devices
    .filter((d) => d.enabled)
    .map((device) => {
      const profile = config.profiles.get(device.profile);
      const asset = device.asset ?? {};
      const names = places.get(placeKey(device));
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
          siteName: names?.siteName ?? device.site,
          buildingName: names?.buildingName ?? device.building,
          roomName: names?.roomName ?? device.room,
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
  const maker = [entry.maker, entry.model].filter(Boolean).join(' ');
  const lines: { text: string; size: number; bold?: boolean }[] = [
    { text: entry.assetNumber ?? entry.device, size: 3.4, bold: true },
    { text: entry.name, size: 2.8 },
    { text: entry.location.buildingName, size: 2.5 },
    { text: entry.location.detail ?? entry.location.roomName, size: 2.5 },
    { text: [maker, entry.installed].filter(Boolean).join(' · '), size: 2.3 },
  ].filter((l) => l.text.trim() !== '');
  let y = 1;
  const text = lines
    .map((line) => {
      y += line.size + 1.4;
      const weight = line.bold ? ' font-weight="bold"' : '';
      return `<text x="29.5" y="${y.toFixed(1)}" font-family="sans-serif" font-size="${line.size}"${weight}>${escapeXml(fitToLabel(line.text, line.size, line.bold))}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="62mm" height="29mm" viewBox="0 0 62 29"><rect width="62" height="29" fill="#fff" stroke="#000" stroke-width="0.2"/>${inner}${text}</svg>`;
}

/** The text column is 31.5 mm wide; a sans-serif character is about 0.55 em (bold 0.62): cut what would overflow. */
function fitToLabel(text: string, size: number, bold = false): string {
  const max = Math.floor(31.5 / (size * (bold ? 0.62 : 0.55)));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
