/**
 * HTML to PDF with the machine's Chromium (`--headless --print-to-pdf`): the monthly report is
 * already an HTML page, Chromium lays out its tables, draws its uPlot charts and finds a CJK
 * font through fontconfig, so no layout is written twice and no npm dependency is added
 * (playwright-core is a dev dependency only). Each print runs in a temporary profile and
 * directory, one at a time (a 2-core gateway), in its own process group, killed whole when
 * it overruns its time: a hung browser never holds up the report's mail.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPORT_LANGUAGES = ['en', 'zh'] as const;
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];

/** What a gateway needs for the PDF (README and docs/deployment.md name the same). */
export const PDF_PACKAGES = 'chromium fonts-wqy-microhei';

/** This machine cannot make the PDF (no browser, no font): trying again will not help. */
export class PdfUnavailable extends Error {
  override name = 'PdfUnavailable';
  constructor(
    message: string,
    /** A missing font leaves out that language only; a missing browser, every one. */
    readonly missing: 'browser' | 'font',
  ) {
    super(message);
  }
}

export interface PdfRendererOptions {
  /** The browser; default $PLANTWATCH_CHROMIUM, else /usr/bin/chromium (Debian's package). */
  executable?: string;
  /** How long one print may take before the browser is killed (default 60 s). */
  timeoutMs?: number;
  /** Added to the browser's and fontconfig's environment (e.g. FONTCONFIG_FILE). */
  env?: NodeJS.ProcessEnv;
  /**
   * Prints that may wait behind the one under way (default 2: the monthly mail's English and
   * Chinese, or a download beside it); one more is refused at once (PrintBusyError) rather than
   * held for minutes behind Chromium runs of up to `timeoutMs` each.
   */
  maxWaiting?: number;
}

/** Asked for while the renderer already has its fill of prints under way and waiting. */
export class PrintBusyError extends Error {
  constructor(printing: number) {
    super(`${printing} report PDFs are being printed or waiting: try again in a minute`);
    this.name = 'PrintBusyError';
  }
}

export interface PdfRenderer {
  readonly executable: string;
  /** A self-contained page (`lang` picks the font check) as PDF, paged by its own @page CSS. */
  print(html: string, lang: ReportLanguage): Promise<Buffer>;
  /** Kills a print under way (the gateway stopping): its browser would outlive the gateway. */
  close(): void;
}

/** fontconfig's name for each language: a font must cover it, or the glyphs print as boxes. */
const FONTCONFIG_LANG: Record<ReportLanguage, string> = { en: 'en', zh: 'zh-cn' };
const LANGUAGE_NAME: Record<ReportLanguage, string> = { en: 'English', zh: 'Chinese' };

export function chromiumPdf(options: PdfRendererOptions = {}): PdfRenderer {
  const executable = options.executable ?? process.env.PLANTWATCH_CHROMIUM ?? '/usr/bin/chromium';
  const timeoutMs = options.timeoutMs ?? 60_000;
  const env = { ...process.env, ...options.env };
  // One browser at a time: the schedule and a download asking together wait their turn.
  let queue: Promise<unknown> = Promise.resolve();
  const maxWaiting = options.maxWaiting ?? 2;
  /** Prints under way or waiting. */
  let pending = 0;
  const running = new Set<ChildProcess>();

  const print = async (html: string, lang: ReportLanguage): Promise<Buffer> => {
    await checkFont(lang, env);
    const dir = await mkdtemp(join(tmpdir(), 'plantwatch-pdf-'));
    try {
      const page = join(dir, 'report.html');
      const pdf = join(dir, 'report.pdf');
      await writeFile(page, html);
      await run(
        executable,
        [
          '--headless',
          // As root, and under the unit's RestrictNamespaces=yes, the sandbox cannot start; the
          // page is our own report, loaded from a file with the network off.
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          `--user-data-dir=${join(dir, 'profile')}`,
          // Charts drawn at twice the resolution: sharp on paper.
          '--force-device-scale-factor=2',
          '--no-pdf-header-footer',
          `--print-to-pdf=${pdf}`,
          pathToFileURL(page).href,
        ],
        // HOME too: the NSS database and caches Chromium makes go with the temporary directory.
        { ...env, HOME: dir },
        timeoutMs,
        running,
      );
      const bytes = await readFile(pdf).catch(() => {
        throw new Error(`${executable} wrote no PDF`);
      });
      if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') throw new Error(`${executable} wrote no PDF`);
      return bytes;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  return {
    executable,
    print(html, lang) {
      if (pending > maxWaiting) return Promise.reject(new PrintBusyError(pending));
      pending++;
      const result = queue.then(() => print(html, lang)).finally(() => pending--);
      queue = result.catch(() => undefined);
      return result;
    },
    close() {
      for (const child of running) killGroup(child);
    },
  };
}

/**
 * Whether fontconfig knows a font for `lang` (Chromium finds its fonts the same way). Without
 * fc-list, there is no asking: the print goes ahead.
 */
function checkFont(lang: ReportLanguage, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'fc-list',
      [`:lang=${FONTCONFIG_LANG[lang]}`, 'family'],
      { env, timeout: 10_000 },
      (err, stdout) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') resolve();
        else if (err) reject(new Error(`fc-list failed: ${err.message}`));
        else if (stdout.trim() === '')
          reject(
            new PdfUnavailable(
              `no font for ${LANGUAGE_NAME[lang]} text (install: apt-get install ${PDF_PACKAGES})`,
              'font',
            ),
          );
        else resolve();
      },
    );
  });
}

/** Kills the browser and every process it started (its own process group). */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is gone already.
  }
}

/**
 * Runs the browser in a process group of its own (listed in `running` meanwhile), killed whole
 * on overrun and after it exits.
 */
function run(
  executable: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  running: Set<ChildProcess>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(executable, args, { env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      reject(err);
      return;
    }
    // The last of its complaints, for the error when it fails.
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    running.add(child);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      running.delete(child);
      reject(
        err.code === 'ENOENT' || err.code === 'EACCES'
          ? new PdfUnavailable(
              `${executable} not found (install: apt-get install ${PDF_PACKAGES})`,
              'browser',
            )
          : err,
      );
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      // Helpers (zygote, crashpad) may outlive the browser: none stays behind.
      killGroup(child);
      if (timedOut) reject(new Error(`${executable} did not finish the PDF within ${timeoutMs} ms: killed`));
      else if (code === 0) resolve();
      else {
        const last = stderr.trim().split('\n').at(-1) ?? '';
        reject(new Error(`${executable} exited with ${signal ?? `code ${code}`}${last ? `: ${last}` : ''}`));
      }
    });
  });
}
