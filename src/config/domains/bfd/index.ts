/**
 * The BFD domain (bfd pass): bfd_instance blocks -> the `bfd` model.
 */
import type { ConfigNode } from '../../ast.js';
import type { ConfigDomain, ValidationContext } from '../../domain.js';
import type { BfdInstance, BfdModel } from '../../model/bfd.js';
import { BfdInstanceReader } from './instance.js';
import { BFD_TOP_LEVEL } from './keywords.js';

export function validateBfd(nodes: readonly ConfigNode[], ctx: ValidationContext): BfdModel {
  const reader = new BfdInstanceReader(ctx);
  const names = new Set<string>();
  const instances: BfdInstance[] = [];
  for (const node of nodes) {
    if (node.keyword !== 'bfd_instance') continue;
    const inst = reader.read(node, names, instances);
    if (!inst) continue;
    names.add(inst.name);
    instances.push(inst);
  }
  return { instances };
}

export const bfdDomain: ConfigDomain<'bfd'> = {
  name: 'bfd',
  pass: 'bfd',
  keywords: BFD_TOP_LEVEL,
  validate: validateBfd,
};
