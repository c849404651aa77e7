/**
 * Reading a PDF back as its reader would: its text (pdftotext), pages and page size (pdfinfo),
 * the fonts it carries (pdffonts) and a page as pixels (pdftoppm), all from Debian's
 * poppler-utils (TOOLS.pdftotext in tools.ts says what its absence does).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs a poppler tool on `pdf` (written to a temporary file, `args` given its path): its stdout. */
async function poppler(
  tool: string,
  args: (file: string) => string[],
  pdf: Buffer,
  encoding: 'utf8' | 'buffer' = 'utf8',
) {
  const dir = mkdtempSync(join(tmpdir(), 'plantwatch-pdf-test-'));
  try {
    const file = join(dir, 'file.pdf');
    writeFileSync(file, pdf);
    return await new Promise<string | Buffer>((resolve, reject) =>
      execFile(tool, args(file), { timeout: 20_000, encoding, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The text in reading order, lines kept (pdftotext -layout), spaces squeezed. */
export const pdfText = async (pdf: Buffer) =>
  String(await poppler('pdftotext', (f) => ['-layout', '-enc', 'UTF-8', f, '-'], pdf)).replace(
    /[ \t]+/g,
    ' ',
  );

export async function pdfInfo(pdf: Buffer): Promise<{ pages: number; widthPt: number; heightPt: number }> {
  const info = String(await poppler('pdfinfo', (f) => [f], pdf));
  const size = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info);
  return {
    pages: Number(/Pages:\s+(\d+)/.exec(info)?.[1]),
    widthPt: Number(size?.[1]),
    heightPt: Number(size?.[2]),
  };
}

/** The fonts embedded, without their subset prefix ("WenQuanYiMicroHei", "DejaVuSans-Bold"). */
export async function pdfFonts(pdf: Buffer): Promise<string[]> {
  const lines = String(await poppler('pdffonts', (f) => [f], pdf))
    .split('\n')
    .slice(2);
  return lines.map((l) => (l.split(/\s+/)[0] ?? '').replace(/^[A-Z]{6}\+/, '')).filter(Boolean);
}

/** Page `page` as RGB pixels at `dpi` (pdftoppm's binary PPM). */
export async function pdfPage(pdf: Buffer, page: number, dpi = 50) {
  const ppm = (await poppler(
    'pdftoppm',
    (f) => ['-r', String(dpi), '-f', String(page), '-l', String(page), f],
    pdf,
    'buffer',
  )) as Buffer;
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 40).toString('latin1'));
  if (!header) throw new Error('pdftoppm wrote no binary PPM');
  const [, width, height] = header.map(Number) as [number, number, number];
  return { width, height, rgb: ppm.subarray(header[0].length) };
}

/** How many pixels are within `tolerance` of a colour ("#3f4a56") on each channel. */
export function pixelsOf(page: { rgb: Buffer }, hex: string, tolerance = 6): number {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [
    number,
    number,
    number,
  ];
  let count = 0;
  for (let i = 0; i + 2 < page.rgb.length; i += 3) {
    if (
      Math.abs((page.rgb[i] ?? 0) - r) <= tolerance &&
      Math.abs((page.rgb[i + 1] ?? 0) - g) <= tolerance &&
      Math.abs((page.rgb[i + 2] ?? 0) - b) <= tolerance
    )
      count++;
  }
  return count;
}
