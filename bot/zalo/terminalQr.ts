import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';

// jsqr is CommonJS typed as an ES default export; its module object carries `.default` at run time too.
const jsQR = jsQRModule.default;

/**
 * The login QR drawn in the terminal, for an operator on an SSH session who cannot open the PNG.
 * zca-js gives the QR only as an image (its `code` field is a session token, not what the image
 * encodes), so the image is read back (pngjs + jsQR) and its exact content drawn again with
 * qrcode's terminal renderer: black on white whatever the terminal's colours, two rows per line.
 * Returns undefined when the image cannot be read; the operator then opens the saved PNG.
 *
 * Synchronous, because zca-js does not wait for its login callback: qrcode's callback form
 * builds and renders in the same call stack (pinned 1.5.4, checked by the tests).
 */
export function terminalQr(pngBase64: string): string | undefined {
  let content: string;
  try {
    const png = PNG.sync.read(Buffer.from(pngBase64.replace(/^data:image\/png;base64,/, ''), 'base64'));
    const found = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
    if (!found || found.data === '') return undefined;
    content = found.data;
  } catch {
    return undefined;
  }
  let drawn: string | undefined;
  QRCode.toString(content, { type: 'terminal', small: true }, (error, text) => {
    if (!error) drawn = text;
  });
  return drawn;
}
