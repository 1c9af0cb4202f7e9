/**
 * The top-level SSL block (client TLS context for SSL_GET): password, ca, certificate, key.
 */
import type { ConfigNode } from '../../ast.js';
import type { SslContext } from '../../model/lvs.js';
import type { LvsReporter } from './report.js';

const FIELDS: Readonly<Record<string, { readonly field: keyof SslContext; readonly label: string }>> = {
  password: { field: 'password', label: 'password' },
  ca: { field: 'caFile', label: 'cafile' },
  certificate: { field: 'certFile', label: 'certfile' },
  key: { field: 'keyFile', label: 'keyfile' },
};

export function parseSsl(node: ConfigNode, previous: SslContext | undefined, r: LvsReporter): SslContext {
  if (previous) r.error(node, 'SSL context already specified - replacing');
  const ssl: { -readonly [K in keyof SslContext]: SslContext[K] } = {};
  for (const c of node.children ?? []) {
    const f = FIELDS[c.keyword];
    if (!f) continue;
    const v = c.args[0];
    if (v === undefined) {
      r.error(c, `SSL ${f.label} missing`);
      continue;
    }
    if (ssl[f.field] !== undefined) r.error(c, `SSL ${f.label} already specified - replacing`);
    ssl[f.field] = v;
  }
  return ssl;
}
