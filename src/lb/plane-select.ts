/**
 * Chooses the data plane from `lb_data_plane auto|ipvs|nftables|none`: `auto` takes IPVS when the
 * kernel has it and nftables otherwise; an explicit `ipvs` on a kernel without IPVS is an error
 * (no silent fallback). The choice and the reason are returned as one line for the start-up log.
 * The factories are injected (the Linux ones live in src/os/linux/data-plane-factory.ts).
 */
import { NoDataPlane, type DataPlane, type DataPlaneChoice } from './data-plane.js';

export interface DataPlaneFactories {
  /** Rejects with an error whose `code` is 'IPVS_UNAVAILABLE' on a kernel without IPVS. */
  ipvs(): Promise<DataPlane>;
  nftables(): Promise<DataPlane>;
}

export type PlaneSelection =
  | { readonly ok: true; readonly plane: DataPlane; readonly report: string }
  | { readonly ok: false; readonly code: string; readonly report: string };

export class DataPlaneChoiceError extends Error {
  readonly code = 'LB_BAD_DATA_PLANE';
}

export function parseDataPlaneChoice(word: string | undefined): DataPlaneChoice {
  const w = (word ?? 'auto').toLowerCase();
  if (w === 'auto' || w === 'ipvs' || w === 'nftables' || w === 'none') return w;
  throw new DataPlaneChoiceError(`lb_data_plane '${word ?? ''}' invalid: expected auto, ipvs, nftables or none`);
}

function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'LB_PLANE_FAILED';
}

async function tryPlane(make: () => Promise<DataPlane>, choice: string, note = ''): Promise<PlaneSelection> {
  try {
    const plane = await make();
    return { ok: true, plane, report: `lb data plane: ${choice} -> ${plane.describe().summary}${note}` };
  } catch (e) {
    return { ok: false, code: errorCode(e), report: `lb data plane: ${choice} failed: ${(e as Error).message}` };
  }
}

export async function selectDataPlane(choice: DataPlaneChoice, factories: DataPlaneFactories): Promise<PlaneSelection> {
  switch (choice) {
    case 'none': return { ok: true, plane: new NoDataPlane(), report: 'lb data plane: none (events only, no forwarding)' };
    case 'ipvs': return tryPlane(() => factories.ipvs(), 'ipvs');
    case 'nftables': return tryPlane(() => factories.nftables(), 'nftables');
    case 'auto': {
      const ipvs = await tryPlane(() => factories.ipvs(), 'auto');
      if (ipvs.ok || ipvs.code !== 'IPVS_UNAVAILABLE') return ipvs;
      const why = ipvs.report.replace(/^lb data plane: auto failed: /, '');
      return tryPlane(() => factories.nftables(), 'auto', ` (no IPVS: ${why})`);
    }
  }
}

/** The choice from global_defs (`lb_data_plane WORD`, kept in the global model's raw keywords). */
export function dataPlaneChoiceFromGlobal(raw: ReadonlyMap<string, readonly string[]> | undefined): DataPlaneChoice {
  const args = raw?.get('lb_data_plane');
  if (args === undefined) return 'auto';
  return parseDataPlaneChoice(args[0] ?? '');
}
