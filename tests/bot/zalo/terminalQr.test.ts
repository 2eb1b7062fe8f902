import jsQRModule from 'jsqr';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { terminalQr } from '../../../bot/zalo/terminalQr.js';

const jsQR = jsQRModule.default;
const CONTENT = 'https://id.zalo.me/account/authen?code=f3a9c2e1-7b4d-4e5f-9a8b-1c2d3e4f5a6b';

/** A login QR as zca-js hands it over: a base64 PNG of a few hundred pixels, with a quiet zone. */
async function zaloLikePng(content: string): Promise<string> {
  const png = await QRCode.toBuffer(content, { type: 'png', width: 330, margin: 2, errorCorrectionLevel: 'H' });
  return png.toString('base64');
}

/**
 * Reads the terminal drawing back as pixels: on its white background a full block is two dark
 * rows, ▀ the upper one, ▄ the lower one. Scaled up and framed in white so a scanner finds it.
 */
function pixelsOf(drawing: string): { data: Uint8ClampedArray; width: number; height: number } {
  const rows: boolean[][] = [];
  for (const line of drawing.split('\n')) {
    // Only the black-on-white lines carry modules; the last line is the bottom margin in white.
    const match = /^\x1b\[47m\x1b\[30m(.*)\x1b\[0m$/.exec(line);
    if (!match || match[1] === '') continue;
    const chars = [...match[1]!];
    rows.push(chars.map((c) => c === '█' || c === '▀'));
    rows.push(chars.map((c) => c === '█' || c === '▄'));
  }
  const scale = 6;
  const frame = 4;
  const width = (rows[0]!.length + 2 * frame) * scale;
  const height = (rows.length + 2 * frame) * scale;
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  rows.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (!dark) return;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const i = (((y + frame) * scale + dy) * width + (x + frame) * scale + dx) * 4;
          data[i] = data[i + 1] = data[i + 2] = 0;
        }
      }
    }),
  );
  return { data, width, height };
}

describe('the login QR in the terminal', () => {
  it('draws the content of Zalo’s QR image so that it scans to the same text', async () => {
    const drawing = terminalQr(await zaloLikePng(CONTENT));
    expect(drawing).toBeDefined();
    // Explicit black on white: it scans on dark and light terminals alike.
    expect(drawing).toContain('\x1b[47m\x1b[30m');
    const { data, width, height } = pixelsOf(drawing!);
    expect(jsQR(data, width, height)?.data).toBe(CONTENT);
  });

  it('accepts the data: URL form too', async () => {
    const drawing = terminalQr(`data:image/png;base64,${await zaloLikePng(CONTENT)}`);
    const { data, width, height } = pixelsOf(drawing!);
    expect(jsQR(data, width, height)?.data).toBe(CONTENT);
  });

  it('gives up quietly on an image that is not a readable QR (the operator opens the PNG instead)', () => {
    // A real 1×1 PNG, and bytes that are no PNG at all.
    expect(terminalQr('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=')).toBeUndefined();
    expect(terminalQr(Buffer.from('not a png').toString('base64'))).toBeUndefined();
  });
});
