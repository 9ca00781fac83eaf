/**
 * The two-factor set-up link drawn as a QR code, in the page: `qrcode` encodes the otpauth URI
 * into modules and we draw them as one inline SVG path. Nothing is fetched and no image URL is
 * made, so the secret never leaves the page and the CSP needs nothing new (an inline <svg>
 * element is DOM, not an image source).
 */
import { create } from 'qrcode';
import { bindAttr } from '../../i18n/bind.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** The quiet zone the QR specification asks for around the symbol, in modules. */
const QUIET_ZONE_MODULES = 4;

export function createTotpQrCode(otpauthUri: string): SVGSVGElement {
  // Error correction M: the usual choice for a screen (scanned close up, no print damage).
  const { modules } = create(otpauthUri, { errorCorrectionLevel: 'M' });
  const side = modules.size + QUIET_ZONE_MODULES * 2;
  let path = '';
  for (let row = 0; row < modules.size; row += 1) {
    for (let col = 0; col < modules.size; col += 1) {
      if (modules.get(row, col)) path += `M${col + QUIET_ZONE_MODULES} ${row + QUIET_ZONE_MODULES}h1v1h-1z`;
    }
  }
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', 'totp-qr');
  svg.setAttribute('viewBox', `0 0 ${side} ${side}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('shape-rendering', 'crispEdges');
  bindAttr(svg, 'aria-label', 'totp.qrLabel');
  const background = document.createElementNS(SVG_NS, 'rect');
  background.setAttribute('width', String(side));
  background.setAttribute('height', String(side));
  background.setAttribute('fill', '#fff');
  const dark = document.createElementNS(SVG_NS, 'path');
  dark.setAttribute('d', path);
  dark.setAttribute('fill', '#000');
  svg.append(background, dark);
  return svg;
}
