/** Test helper: a byte vector written one field per line as `hex // comment`. */
export function vec(text: string): Buffer {
  const hex = text.split('\n').map((line) => (line.split('//')[0] ?? '').replace(/\s+/g, '')).join('');
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`bad test vector: ${hex}`);
  return Buffer.from(hex, 'hex');
}
