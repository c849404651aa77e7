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
  /** The configured names' Chinese variants, when given. */
  nameZh?: string;
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
    siteNameZh?: string;
    buildingNameZh?: string;
    roomNameZh?: string;
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
        ...(device.nameZh ? { nameZh: device.nameZh } : {}),
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
          ...(names?.siteNameZh ? { siteNameZh: names.siteNameZh } : {}),
          ...(names?.buildingNameZh ? { buildingNameZh: names.buildingNameZh } : {}),
          ...(names?.roomNameZh ? { roomNameZh: names.roomNameZh } : {}),
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
/**
 * The label's SVG; in Chinese (`zh`) it names the equipment, building and room by their Chinese
 * names where configured.
 */
export async function assetLabelSvg(entry: AssetEntry, lang: 'en' | 'zh' = 'en'): Promise<string> {
  const qr = await QRCode.toString(entry.url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  // The QR's own <svg> nested, sized to the label's height.
  const inner = qr.replace('<svg ', '<svg x="1" y="1" width="27" height="27" ');
  const maker = [entry.maker, entry.model].filter(Boolean).join(' ');
  const zh = <T extends string | undefined>(en: T, chinese: string | undefined) =>
    lang === 'zh' && chinese ? chinese : en;
  const { location: place } = entry;
  const lines: { text: string; size: number; bold?: boolean }[] = [
    { text: entry.assetNumber ?? entry.device, size: 3.4, bold: true },
    { text: zh(entry.name, entry.nameZh), size: 2.8 },
    { text: zh(place.buildingName, place.buildingNameZh), size: 2.5 },
    { text: place.detail ?? zh(place.roomName, place.roomNameZh), size: 2.5 },
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

/**
 * The text column is 31.5 mm wide; a sans-serif character is about 0.55 em (bold 0.62), a
 * Chinese one a full em: cut what would overflow.
 */
function fitToLabel(text: string, size: number, bold = false): string {
  const width = (c: string) => size * (WIDE.test(c) ? 1 : bold ? 0.62 : 0.55);
  const chars = [...text];
  let used = 0;
  for (let i = 0; i < chars.length; i++) {
    used += width(chars[i] as string);
    if (used > 31.5) return `${chars.slice(0, i > 0 ? i - 1 : 0).join('')}…`;
  }
  return text;
}

/** Characters a full em wide: CJK ideographs and punctuation, full-width forms. */
const WIDE = /[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/u;
