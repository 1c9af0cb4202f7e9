/**
 * The bfd_instance block's keywords as keepalived 2.2.7 knows them (probed with `keepalived -t`).
 * The checker and VRRP passes parse bfd_instance blocks too (BFD_CHECK and track_bfd refer to
 * them), so the LVS domain reuses this table.
 */
import { block, values, type KeywordTable } from '../../schema.js';

export const BFD_INSTANCE_KEYWORDS: KeywordTable = values(
  'source_ip',
  'neighbor_ip',
  'neighbour_ip',
  'min_rx',
  'min_tx',
  'idle_tx',
  'multiplier',
  'passive',
  'ttl',
  'hoplimit',
  'max_hops',
  'weight',
  'vrrp',
  'checker',
);

export const BFD_TOP_LEVEL: KeywordTable = { bfd_instance: block(BFD_INSTANCE_KEYWORDS) };
