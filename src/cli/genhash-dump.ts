/**
 * genhash's verbose output pieces: section titles and its hex dump, byte for byte as
 * /usr/bin/genhash 2.2.7 prints them (checked by diff in test/unit/check/genhash-dump.test.ts
 * and in the lab):
 *
 *   0000  48 54 54 50 2f 31 2e 31 - 20 32 30 30 20 4f 4b 0d   HTTP/1.1 200 OK.
 *
 * decimal offset on 4 digits, 16 bytes split 8 + 8 by "- ", two spaces, the printable ASCII
 * (0x20..0x7e, else '.'), padded to 16 columns.
 */
export const TITLE_HEADER = '-----------------------[    HTTP Header Buffer    ]-----------------------\n';
export const TITLE_HEADER_ASCII = '-----------------------[ HTTP Header Ascii Buffer ]-----------------------\n';
export const TITLE_HTML = '-----------------------[        HTML Buffer        ]-----------------------\n';
export const TITLE_HASH = '-----------------------[    HTML hash resulting    ]-----------------------\n';
export const TITLE_HASH_FINAL = '-----------------------[ HTML hash final resulting ]-----------------------\n';

/** genhash reads at most 4095 bytes per read; each read of body is dumped on its own. */
export const GENHASH_READ_BYTES = 4095;

function dumpLine(bytes: Uint8Array, start: number): string {
  let hex = '';
  let ascii = '';
  for (let i = 0; i < 16; i++) {
    if (i === 8) hex += '- ';
    const b = bytes[start + i];
    if (start + i < bytes.length && b !== undefined) {
      hex += `${b.toString(16).padStart(2, '0')} `;
      ascii += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.';
    } else {
      hex += '   ';
      ascii += ' ';
    }
  }
  return `${String(start).padStart(4, '0')}  ${hex}  ${ascii}\n`;
}

export function hexDump(bytes: Uint8Array): string {
  let out = '';
  for (let start = 0; start < bytes.length; start += 16) out += dumpLine(bytes, start);
  return out;
}
